#!/usr/bin/env bash
# Installs what pixplot needs on a Debian machine that has Go, gcc and npm. Safe to re-run.
#   deps.sh build   C headers the cgo build needs (SQLite for sqlite-vec, libjpeg-turbo)
#   deps.sh test    the above, plus headless Chromium and the sqlite3 CLI for the tests,
#                   then the ONNX Runtime and the model via `pixplot setup`
#                   (npm pack, pinned versions, cached in ~/.cache/pixplot)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-build}

debs=(libsqlite3-dev libjpeg62-turbo-dev)
[ "$mode" = test ] && debs+=(chromium sqlite3)

missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  echo "installing Debian packages: ${missing[*]}"
  $sudo apt-get -o DPkg::Lock::Timeout=300 update -qq
  $sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "$mode" = test ]; then
  command -v npm >/dev/null || { echo "npm is required: apt-get install npm" >&2; exit 1; }
  make --no-print-directory build
  ./bin/pixplot setup
fi
