#!/bin/sh
# Captures the SDP fixtures in Fixtures/sdp/ from real peers, inside a private network
# namespace that holds only loopback, so nothing leaves the machine.
# Needs: Debian `chromium`; a venv at .venv with `aiortc websocket-client`.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
py="$root/.venv/bin/python"
out="$root/Fixtures/sdp"
mkdir -p "$out"
unshare -n sh -ec "ip link set lo up
  '$py' '$root/scripts/capture/capture_chromium_sdp.py' '$out'
  '$py' '$root/scripts/capture/capture_aiortc_sdp.py' '$out'"
ls -l "$out"
