#!/usr/bin/env bash
# Installs what swift-rtc needs on a Debian machine, idempotently and without prompts.
#   scripts/setup.sh            system libraries for building (OpenSSL, libsrtp2, opus, vpx)
#   scripts/setup.sh interop    + Chromium, tshark and a Python venv with aiortc (interop tests)
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

ensure_apt() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "setup: installing ${missing[*]}"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

ensure_apt pkg-config libssl-dev libsrtp2-dev libopus-dev libvpx-dev

if [ "${1:-}" = "interop" ]; then
    ensure_apt chromium iproute2 nftables tshark
    if [ ! -x .venv/bin/python ]; then
        python3 -m venv .venv
    fi
    if ! .venv/bin/python -c "import aiortc, websocket, numpy" 2>/dev/null; then
        .venv/bin/pip install -q --disable-pip-version-check "aiortc==1.*" websocket-client numpy
    fi
fi
