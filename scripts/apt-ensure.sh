#!/usr/bin/env bash
# Installs the given Debian packages with apt-get, only those missing.
# usage: scripts/apt-ensure.sh PACKAGE...
# Without dpkg (not a Debian-like system) it only says what it would need.
set -euo pipefail

if ! command -v dpkg-query >/dev/null; then
    echo "apt-ensure.sh: not a Debian system; make sure these are installed: $*" >&2
    exit 0
fi

missing=()
for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "apt-ensure.sh: installing ${missing[*]}"
SUDO=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "apt-ensure.sh: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    SUDO=(sudo)
fi
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
