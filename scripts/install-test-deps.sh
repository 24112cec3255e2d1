#!/usr/bin/env bash
# Installs the system tools the tests need, with apt-get, only when missing:
#   cmake valgrind pkg-config libgdal-dev gcc, plus make, libc6-dev and git,
#   which the C test build and the header check also need, and the build's
#   own (libcurl and OpenSSL headers, see scripts/install.sh).
# Rust (cargo, rustc >= the rust-version in Cargo.toml) must already be on
# PATH: Debian's packaged Rust is too old for this crate.
set -euo pipefail

PACKAGES=(cmake valgrind pkg-config libgdal-dev libcurl4-openssl-dev libssl-dev gcc make libc6-dev git)

"$(dirname "${BASH_SOURCE[0]}")/apt-ensure.sh" "${PACKAGES[@]}"

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

