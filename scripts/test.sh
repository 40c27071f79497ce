#!/usr/bin/env bash
# Runs every test of swift-rtc. Installs what it needs first (idempotent).
#  1. unit and scenario tests (swift test)
#  2. corpus + mutation run: every file in ../shared/corpora and ≥1,000,000 seeded mutations per
#     parser through rtc-bench in a release build (a trap fails the run)
#  3. rtc-bench replay of the committed fixture through the forwarding path (scripts/bench.sh)
#  4. interop with aiortc and headless Chromium inside `unshare -n` (scripts/interop.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p .build

echo "== swift test"
swift test 2>&1 | tee .build/test-output.txt
passed=$(grep -oE "Test run with [0-9]+ tests?" .build/test-output.txt | tail -1 | grep -oE "[0-9]+" || echo 0)

echo "== corpus and mutation run (release)"
CORPORA="${RTC_CORPORA:-$(pwd)/../shared/corpora}"
swift build -c release --product rtc-bench
# ../shared is an extra input: without it the mutations start from the project's fixtures.
CORPUS_ARGS=()
if [ -d "$CORPORA" ]; then CORPUS_ARGS=(--corpora "$CORPORA"); else echo "fuzz: no corpora at $CORPORA, fixtures only"; fi
.build/release/rtc-bench fuzz "${CORPUS_ARGS[@]}" --iterations "${RTC_FUZZ_ITERATIONS:-1000000}"

echo "== parse rates and heap allocations per parse (release; fails if RTP parsing allocates)"
.build/release/rtc-bench parse --count 1000000

echo "== SRTP backends side by side (release; fails if the OpenSSL backend allocates per packet)"
.build/release/rtc-bench crypto --count 50000 --srtp-backend openssl --max-allocs-per-packet 0
.build/release/rtc-bench crypto --count 20000 --srtp-backend libsrtp

echo "== forwarding-path replay (release; fails on a lost packet or allocations over the threshold)"
bash scripts/bench.sh
echo "== every captured publisher fixture through the router (each packet accounted for)"
for f in Fixtures/replay/chromium-*.pcap Fixtures/replay/aiortc-*.pcap; do
    .build/release/rtc-bench replay "$f" --subscribers 3 --min-seconds 0.2 --json > .build/replay-check.json \
        || { echo "replay of $f failed:"; cat .build/replay-check.json; exit 1; }
    echo "$f: ok"
done

echo "== interop with real peers (aiortc, Chromium) in a private network namespace"
bash scripts/interop.sh all

echo "tests: $((passed + 6)) passed, 0 failed (swift tests + fuzz, parse, crypto, replay gate, fixture replays, interop)"
