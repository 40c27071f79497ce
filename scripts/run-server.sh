#!/usr/bin/env bash
# Builds and starts sfu-server on its embedded defaults. Extra arguments are passed through.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product sfu-server
exec .build/release/sfu-server "$@"
