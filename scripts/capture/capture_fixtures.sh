#!/usr/bin/env bash
# Captures real publishers through sfu-server --capture into Fixtures/replay/ (pcap + JSON
# sidecar + tshark text twin): a Chromium VP8 simulcast publisher (~22 s), a Chromium H.264
# simulcast publisher (~10 s), Chromium VP9 and AV1 SVC publishers (L3T3_KEY, ~10 s each) and an
# aiortc VP8 + Opus publisher (~10 s). Each sidecar's video codec is checked. Runs inside
# `unshare -n`.
# Needs: bash scripts/setup.sh interop; swift build --product sfu-server.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${RTC_IN_NETNS:-}" != 1 ]; then
    exec timeout 300 unshare -n env RTC_IN_NETNS=1 bash "$0" "$@"
fi
ip link set lo up
PY=.venv/bin/python
OUT=Fixtures/replay
TMP=$(mktemp -d)
.build/debug/sfu-server --http 127.0.0.1:18080 --host-password pw --capture "$TMP" > "$TMP/server.log" 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null; pkill -f rtc-chromium- 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:18080/health >/dev/null && break; sleep 0.1; done
CAPTURE_DIR="$TMP" PYTHONPATH=Tests/Interop $PY scripts/capture/publish_for_capture.py http://127.0.0.1:18080 pw
kill $SRV; wait $SRV 2>/dev/null || true
twin() {  # pcap → tshark text twin
    tshark -r "$1" -d udp.port==40000,rtp -T fields -e frame.number -e frame.time_relative -e udp.srcport \
        -e udp.dstport -e rtp.ssrc -e rtp.seq -e rtp.timestamp -e rtp.p_type -e rtp.marker > "${1%.pcap}.txt" 2>/dev/null
}
expected() { case $1 in *h264*) echo H264;; *vp9*) echo VP9;; *av1*) echo AV1;; *) echo VP8;; esac; }
for name in ${NAMES:-chromium-vp8-simulcast chromium-h264 chromium-vp9-svc chromium-av1-svc aiortc-vp8-opus}; do
    id=$(cat "$TMP/$name.id")
    got=$(python3 -c "import json,sys; print(next(t['codec'] for t in json.load(open(sys.argv[1]))['tracks'] if t['kind'] == 'video'))" "$TMP/"*"-$id.json")
    if [ "$got" != "$(expected $name)" ]; then echo "$name: negotiated $got, expected $(expected $name)"; exit 1; fi
    cp "$TMP/"*"-$id.pcap" "$OUT/$name.pcap"
    cp "$TMP/"*"-$id.json" "$OUT/$name.json"
    twin "$OUT/$name.pcap"
    echo "$name: $(stat -c %s "$OUT/$name.pcap") bytes"
done
