#!/usr/bin/env bash
# The repository's full test command (what CI runs):
#   0. scripts/install-test-deps.sh  apt-get the system tools when missing;
#   1. cargo test                  Rust unit, integration and doc tests (debug
#                                  build: release LTO would relink every test);
#   2. the committed C header is current (the build regenerates it);
#   3. capi-tests/run.sh           the C API suite against an installed
#                                  libvsi: ctest, valgrind, pkg-config and
#                                  the GDAL differential scenarios.
# Any failing stage fails the script.
#
# usage: scripts/test.sh [extra arguments for capi-tests/run.sh]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CARGO=${CARGO:-cargo}

stage() { printf '\n######## %s ########\n' "$*"; }

stage "system packages"
"$ROOT/scripts/install-test-deps.sh"

stage "cargo test"
if [[ ! -f Cargo.lock ]]; then
    "$CARGO" generate-lockfile
fi
"$CARGO" test --locked

stage "include/cpl_vsi_rs.h is current"
# build.rs rewrites the header whenever src/capi/ changes it; the build above
# ran build.rs, so any difference from the committed copy means a stale commit.
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    if ! git -C "$ROOT" ls-files --error-unmatch include/cpl_vsi_rs.h >/dev/null 2>&1; then
        echo "test.sh: include/cpl_vsi_rs.h is not tracked by git; commit it." >&2
        exit 1
    fi
    if ! git -C "$ROOT" diff --exit-code -- include/cpl_vsi_rs.h; then
        echo >&2
        echo "test.sh: include/cpl_vsi_rs.h is stale: building regenerated it from src/capi/" >&2
        echo "         (diff above). Commit the regenerated header." >&2
        exit 1
    fi
    echo "include/cpl_vsi_rs.h matches the committed copy"
else
    echo "test.sh: not a git checkout; header freshness not checked" >&2
fi

stage "capi-tests/run.sh"
"$ROOT/capi-tests/run.sh" "$@"
