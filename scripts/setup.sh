#!/usr/bin/env bash
# Installs what Cohort needs to build and test, and nothing when all of it is there.
# Called by the Makefile before every build; safe to run again.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config make
  libboost-dev libsimdjson-dev nlohmann-json3-dev libsqlite3-dev sqlite3
  libcli11-dev libfmt-dev libspdlog-dev libsodium-dev libhowardhinnant-date-dev tzdata
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 procps
  clang libclang-rt-14-dev
  libxlsxwriter-dev
  chromium fonts-dejavu-core
  libreoffice-calc-nogui
  postgresql libpq-dev haproxy
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: these Debian packages are missing and installing them needs root: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The web UI's libraries and the JavaScript test tools (package.json): Node 20 from the machine
# (Debian's nodejs is the fallback when none is there).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "setup: installing nodejs npm"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nodejs npm
fi
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
