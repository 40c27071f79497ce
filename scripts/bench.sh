#!/usr/bin/env bash
# Forwarding-path benchmark with a pass/fail gate: builds rtc-bench in release and replays the
# first 3 s of the committed simulcast fixture (repeated until each stage has run ~1 s) to 10
# subscribers over AEAD_AES_128_GCM, through real in-process ICE/DTLS/SRTP connections.
# Prints the JSON report; exits non-zero when an expected egress packet is missing, a sampled
# egress packet does not decrypt/parse for its subscriber, heap allocations per forwarded
# packet exceed the threshold, or routing and rewriting themselves allocate (gated apart from
# the SRTP library's allocations: the route stage less the receive stage, per egress packet).
#   scripts/bench.sh [extra replay options...]     e.g. --subscribers 50 --min-seconds 3
# The threshold is the measured steady state with Debian's libsrtp2 (NSS backend): NSS's
# PK11_Encrypt/PK11_Decrypt allocate ~5 times per GCM operation, so each forwarded packet
# carries its own protect's allocations plus its share of the ingress unprotect's (see
# Fixtures/replay/README.md). Override with BENCH_MAX_ALLOCS.
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_ALLOCS="${BENCH_MAX_ALLOCS:-6.0}"
swift build -c release --product rtc-bench >&2
exec .build/release/rtc-bench replay Fixtures/replay/simulcast-vp8-opus.pcap \
    --fixture-seconds 3 --subscribers 10 --profile gcm --min-seconds 1 \
    --max-allocs-per-packet "$MAX_ALLOCS" --max-route-allocs-per-packet 0.01 --json "$@"
