# Shared by the .ci scripts: paths and the pinned tool versions.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$ROOT/target/tools/node_modules/.bin:$PATH"
TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132.0.0
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)"
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}
pip_install() {
  # Python test clients from PyPI, pinned, into the python3 the tests run.
  local missing=()
  for spec in "$@"; do python3 -m pip show -q "${spec%%==*}" >/dev/null 2>&1 || missing+=("$spec"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing from PyPI: ${missing[*]}"
    python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip
    local pip=(python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore)
    # Debian's own python3 refuses user packages without this flag (PEP 668).
    "${pip[@]}" "${missing[@]}" || "${pip[@]}" --break-system-packages "${missing[@]}"
  fi
}
