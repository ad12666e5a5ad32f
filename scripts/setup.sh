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
