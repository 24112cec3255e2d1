#!/usr/bin/env bash
# Installs the system tools the tests need, with apt-get, only when missing:
#   cmake valgrind pkg-config libgdal-dev gcc, plus make, libc6-dev and git,
#   which the C test build and the header check also need.
# Rust (cargo, rustc >= the rust-version in Cargo.toml) must already be on
# PATH: Debian's packaged Rust is too old for this crate.
set -euo pipefail

PACKAGES=(cmake valgrind pkg-config libgdal-dev gcc make libc6-dev git)

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done

if [[ ${#missing[@]} -gt 0 ]]; then
    echo "install-test-deps.sh: installing ${missing[*]}"
    SUDO=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || { echo "install-test-deps.sh: need root or sudo to install ${missing[*]}" >&2; exit 1; }
        SUDO=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
else
    echo "install-test-deps.sh: system packages present (${PACKAGES[*]})"
fi

for tool in cmake valgrind pkg-config gcc make git nm readelf; do
    command -v "$tool" >/dev/null || { echo "install-test-deps.sh: $tool not found after installing packages" >&2; exit 1; }
done
if ! command -v cargo >/dev/null; then
    echo "install-test-deps.sh: cargo not found; install Rust (https://rustup.rs) first" >&2
    exit 1
fi
cargo --version
cmake --version | head -n1
valgrind --version

