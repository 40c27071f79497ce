#!/bin/sh
# Runs check_chromium_negotiation.py and check_aiortc_negotiation.py in a loopback-only network namespace: Chromium must
# accept the SFU's answer to its simulcast offer, and answers the SFU's subscriber offer;
# aiortc must accept the SFU's answer to its offer.
# Needs: Debian `chromium`, the venv at .venv (websocket-client), a debug build with tests
# (`swift build --build-tests`).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unshare -n sh -ec "ip link set lo up
  '$root/.venv/bin/python' '$root/scripts/capture/check_chromium_negotiation.py' '$root' '$work'
  '$root/.venv/bin/python' '$root/scripts/capture/check_aiortc_negotiation.py' '$root' '$work'"
