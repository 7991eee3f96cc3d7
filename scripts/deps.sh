# Installs what ddbd needs from Debian's packages (and npm for the JS tests), only when missing.
# Sourced by scripts/run.sh and scripts/test.sh; safe to run again (quick when all is there).

BUILD_PACKAGES=(cmake ninja-build g++ ccache pkg-config libboost1.81-dev rapidjson-dev
                librocksdb-dev zlib1g-dev libdeflate-dev libssl-dev)
TEST_PACKAGES=(catch2 clang-format clang libclang-rt-14-dev python3 python3-boto3 python3-pytest awscli
               curl golang-go golang-github-aws-aws-sdk-go-v2-dev)

ddbd_missing_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  echo "${missing[@]:-}"
}

ddbd_apt_install() {
  local missing
  missing=$(ddbd_missing_packages "$@")
  [ -z "$missing" ] && return 0
  echo "== installing Debian packages: $missing"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

ddbd_install_build_deps() { ddbd_apt_install "${BUILD_PACKAGES[@]}"; }

ddbd_install_test_deps() {
  ddbd_apt_install "${TEST_PACKAGES[@]}"
  # Node.js and npm for the JavaScript SDK v3 suite; the machine's own node is used if present.
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    ddbd_apt_install nodejs npm
  fi
  local js_dir="$DDBD_ROOT/conformance-tests/js"
  if [ ! -d "$js_dir/node_modules" ] || [ "$js_dir/package-lock.json" -nt "$js_dir/node_modules" ]; then
    echo "== installing JS test dependencies (npm ci)"
    (cd "$js_dir" && npm ci --no-audit --no-fund --loglevel=error && touch node_modules)
  fi
}

# Configures (once) and builds a build directory: ddbd_build DIR [cmake args...]
ddbd_build() {
  local dir="$1"
  shift
  # A directory configured for another compiler is configured again from scratch.
  if [ -n "${CXX:-}" ] && [ -f "$dir/CMakeCache.txt" ] &&
     ! grep -q "^CMAKE_CXX_COMPILER:.*$(basename "$CXX")\$" "$dir/CMakeCache.txt"; then
    rm -rf "$dir"
  fi
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S "$DDBD_ROOT" -B "$dir" -G Ninja "$@" >/dev/null
  fi
  cmake --build "$dir"
}
