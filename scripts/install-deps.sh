#!/usr/bin/env bash
# Installs the Debian packages samestory builds with. Idempotent: does nothing when they are
# all present. Runs apt-get as root, through sudo otherwise.
set -euo pipefail

packages=(
  cmake g++ make pkg-config ca-certificates python3
  libeigen3-dev libtbb-dev libxxhash-dev doctest-dev libbenchmark-dev
  libsimdjson-dev libcli11-dev libutf8proc-dev
)
if [[ "${SAMESTORY_EXTRA_PACKAGES:-}" != "" ]]; then
  read -r -a extra <<<"$SAMESTORY_EXTRA_PACKAGES"
  packages+=("${extra[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == *"install ok installed"* ]] || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
