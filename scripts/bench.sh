#!/usr/bin/env bash
# Forwarding-path benchmark with a pass/fail gate: builds rtc-bench in release and replays the
# first 3 s of the committed simulcast fixture (repeated until each stage has run ~1 s) to 10
# subscribers over AEAD_AES_128_GCM, through real in-process ICE/DTLS/SRTP connections.
# Prints the JSON report; exits non-zero when an expected egress packet is missing, a sampled
# egress packet does not decrypt/parse for its subscriber, heap allocations per forwarded
# packet exceed the threshold, or routing and rewriting themselves allocate (gated apart from
# the SRTP library's allocations: the route stage less the receive stage, per egress packet).
#   scripts/bench.sh [extra replay options...]     e.g. --subscribers 50 --min-seconds 3
# The SRTP backend is OpenSSL EVP (the default): the whole path, SRTP included, allocates
# nothing per forwarded packet in steady state, and the gate says so. With
# `--srtp-backend libsrtp` (Debian's libsrtp2 on NSS, which allocates ~5 times per GCM
# operation) pass BENCH_MAX_ALLOCS=6.0.
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_ALLOCS="${BENCH_MAX_ALLOCS:-0.01}"
swift build -c release --product rtc-bench >&2
exec .build/release/rtc-bench replay Fixtures/replay/simulcast-vp8-opus.pcap \
    --fixture-seconds 3 --subscribers 10 --profile gcm --min-seconds 1 \
    --max-allocs-per-packet "$MAX_ALLOCS" --max-route-allocs-per-packet 0.01 --json "$@"
