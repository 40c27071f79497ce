#!/usr/bin/env bash
# Checks what `sfu-server --capture DIR` wrote: every participant's pcap opens in tshark and
# its decrypted RTP streams decode (`-d udp.port==<server port>,rtp`). Usage: capture_check.sh DIR
set -uo pipefail
dir=$1
streams=0
files=0
for f in "$dir"/*.pcap; do
    [ -e "$f" ] || continue
    files=$((files + 1))
    port=$(grep -o '"serverPort" : [0-9]*' "${f%.pcap}.json" 2>/dev/null | grep -o '[0-9]*$')
    port=${port:-40000}
    n=$(tshark -r "$f" -d "udp.port==$port,rtp" -q -z rtp,streams 2>/dev/null | grep -c "0x[0-9A-F]\{8\}" || true)
    streams=$((streams + n))
done
echo "capture: $files files, $streams RTP streams decoded by tshark"
[ "$files" -ge 2 ] && [ "$streams" -ge 2 ]
