#!/usr/bin/env bash
# Builds ddbd and runs it in memory on port 8000 (extra arguments are passed to ddbd,
# e.g. `scripts/run.sh --db-path ./data`). Installs what it needs on Debian bookworm.
set -euo pipefail
DDBD_ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$DDBD_ROOT/scripts/deps.sh"
ddbd_install_build_deps
export CCACHE_BASEDIR="$DDBD_ROOT" CCACHE_NOHASHDIR=true
ddbd_build "$DDBD_ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
exec "$DDBD_ROOT/build/ddbd" --port 8000 "$@"
