#!/usr/bin/env bash
# Checks the expectations of the C tests against the reference: builds every
# capi-tests/test_*.c against GDAL itself (-DVSI_TEST_GDAL, GDAL's headers,
# -lgdal) and runs it. A failure here means a test expects something GDAL
# does not do -- fix the test (or gate it, see test_common.h), not libvsi.
#
# Checks of libvsi extensions (VSIRS_*, NULL-argument safety) and behaviour
# newer than the installed GDAL are compiled out in this mode.
#
# usage: capi-tests/check-against-gdal.sh [test_name...]
# Prints PASS/FAIL per program and `N passed, M failed`.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CC=${CC:-cc}
GDAL_CFLAGS=$(pkg-config --cflags gdal 2>/dev/null || echo "-I/usr/include/gdal")
GDAL_LIBS=$(pkg-config --libs gdal 2>/dev/null || echo "-lgdal")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vsi-gdal-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export LC_ALL=C
unset CPL_DEBUG CPL_LOG CPL_LOG_ERRORS CPL_TIMESTAMP VSI_CACHE VSI_CACHE_SIZE GDAL_NUM_THREADS

tests=("$@")
if [[ ${#tests[@]} -eq 0 ]]; then
    for f in "$HERE"/test_*.c; do tests+=("$(basename "$f" .c)"); done
fi

pass=0
fail=0
for t in "${tests[@]}"; do
    # shellcheck disable=SC2086
    if ! "$CC" -std=gnu11 -g -D_GNU_SOURCE -DVSI_TEST_GDAL -Wall -Wextra -Werror $GDAL_CFLAGS \
            -o "$WORK/$t" "$HERE/$t.c" $GDAL_LIBS -lpthread 2>"$WORK/$t.build"; then
        echo "FAIL gdal-reference:$t (does not build against GDAL)"
        sed 's/^/    /' "$WORK/$t.build" | head -30
        fail=$((fail + 1))
        continue
    fi
    if (cd "$WORK" && TMPDIR=$WORK timeout 300 "./$t") >"$WORK/$t.out" 2>&1; then
        echo "PASS gdal-reference:$t ($(grep -a 'checks,' "$WORK/$t.out"))"
        pass=$((pass + 1))
    else
        echo "FAIL gdal-reference:$t"
        grep -a -E '^FAIL|checks,|note:' "$WORK/$t.out" | head -30 | sed 's/^/    /'
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
