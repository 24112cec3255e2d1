#!/usr/bin/env bash
# Runs the C API test suite against an installed libvsi:
#
#   1. installs libvsi into a temporary prefix (scripts/install.sh);
#   2. configures capi-tests/ with find_package(vsi) (-DCMAKE_PREFIX_PATH),
#      builds it (-Wall -Wextra -Werror) and runs ctest;
#   3. runs every test program once more under valgrind (definite/indirect
#      leaks and invalid accesses fail);
#   4. builds and runs a tiny program with `pkg-config --cflags --libs vsi`
#      (shared and static), also after moving the prefix (relocatable);
#   5. checks the tests' expectations against GDAL itself
#      (check-against-gdal.sh: the same C files built with -lgdal), when
#      GDAL's headers are installed;
#   6. runs capi-tests/differential/run.sh <prefix> when it exists.
#
# Prints one line per test program, then `N passed, M failed`; exits non-zero
# if anything failed.
#
# usage: capi-tests/run.sh [--prefix DIR] [--no-valgrind]
#   --prefix DIR   test this existing installation instead of installing one
#   --no-valgrind  skip step 3
# environment:
#   KEEP=1         keep the work directory (path printed at the end)
#   JOBS           parallel build/ctest jobs (default: nproc)
#   CC             C compiler (default: cc)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PREFIX=
VALGRIND=1
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
CC=${CC:-cc}

while [[ $# -gt 0 ]]; do
    case $1 in
        --prefix) PREFIX=${2:?--prefix needs a directory}; shift 2 ;;
        --prefix=*) PREFIX=${1#--prefix=}; shift ;;
        --no-valgrind) VALGRIND=0; shift ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vsi-capi.XXXXXX")
cleanup() {
    if [[ ${KEEP:-0} == 1 ]]; then
        echo "run.sh: work directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

# Deterministic environment for the tests.
unset CPL_DEBUG CPL_LOG CPL_LOG_ERRORS CPL_TIMESTAMP VSI_CACHE VSI_CACHE_SIZE \
      VSIRS_MEM_REPORT_AT_EXIT GDAL_NUM_THREADS
export LC_ALL=C
export TMPDIR="$WORK/tmp"
mkdir -p "$TMPDIR"

PASSED=0
FAILED=0
RESULTS=()
record() { # record <name> <0|1>
    if [[ $2 == 0 ]]; then
        PASSED=$((PASSED + 1)); RESULTS+=("PASS $1")
    else
        FAILED=$((FAILED + 1)); RESULTS+=("FAIL $1")
    fi
}
section() { printf '\n==== %s ====\n' "$*"; }
finish() {
    section "Summary"
    printf '%s\n' "${RESULTS[@]}"
    echo "$PASSED passed, $FAILED failed"
    [[ $FAILED == 0 ]] && exit 0 || exit 1
}
fatal() { # a stage that everything after it needs failed
    echo "run.sh: $*" >&2
    record "$1" 1
    finish
}

# ---- 1. install ------------------------------------------------------------
if [[ -z $PREFIX ]]; then
    section "Installing libvsi into $WORK/prefix"
    PREFIX=$WORK/prefix
    "$ROOT/scripts/install.sh" --prefix "$PREFIX" || fatal "install" "scripts/install.sh failed"
else
    PREFIX=$(cd "$PREFIX" && pwd) || fatal "install" "no such prefix"
fi
for f in lib/libvsi.so include/cpl_vsi_rs.h lib/cmake/vsi/vsiConfig.cmake lib/pkgconfig/vsi.pc; do
    [[ -e $PREFIX/$f ]] || fatal "install" "$PREFIX/$f is missing"
done

# ---- 2. CMake consumer build + ctest -------------------------------------
section "Configuring and building capi-tests (find_package(vsi))"
BUILD=$WORK/build
if ! cmake -S "$HERE" -B "$BUILD" -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_C_COMPILER="$CC" \
        -DCMAKE_BUILD_TYPE=Debug >"$WORK/configure.log" 2>&1; then
    cat "$WORK/configure.log"
    fatal "cmake-configure" "cmake configure failed"
fi
if ! cmake --build "$BUILD" -j "$JOBS" >"$WORK/build.log" 2>&1; then
    cat "$WORK/build.log"
    fatal "cmake-build" "building the C tests failed"
fi

section "ctest"
(cd "$BUILD" && ctest --output-on-failure -j "$JOBS" --timeout 600) 2>&1 | tee "$WORK/ctest.log"
# One line per test: "  3/10 Test  #3: test_errors ......   Passed    0.10 sec"
n_ctest=0
while IFS= read -r line; do
    name=$(sed -E 's/.*Test +#[0-9]+: ([^ ]+) .*/\1/' <<<"$line")
    if grep -aqE ' Passed +[0-9.]+ sec' <<<"$line"; then
        record "ctest:$name" 0
    else
        record "ctest:$name" 1
    fi
    n_ctest=$((n_ctest + 1))
done < <(grep -aE 'Test +#[0-9]+: ' "$WORK/ctest.log")
[[ $n_ctest -gt 0 ]] || record "ctest (no test results found)" 1

# ---- 3. valgrind -----------------------------------------------------------
if [[ $VALGRIND == 1 ]]; then
    section "valgrind"
    if ! command -v valgrind >/dev/null; then
        record "valgrind (not installed)" 1
    else
        mkdir -p "$WORK/valgrind"
        while IFS= read -r prog; do
            [[ -n $prog ]] || continue
            name=$(basename "$prog")
            log=$WORK/valgrind/$name.log
            out=$WORK/valgrind/$name.out
            start=$SECONDS
            valgrind --error-exitcode=1 --leak-check=full \
                --errors-for-leak-kinds=definite,indirect \
                --show-leak-kinds=definite,indirect \
                --num-callers=30 --fair-sched=yes --log-file="$log" \
                "$prog" >"$out" 2>&1
            rc=$?
            if [[ $rc == 0 ]]; then
                echo "PASS valgrind:$name ($((SECONDS - start)) s)"
                record "valgrind:$name" 0
            else
                verrors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -n1)
                echo "FAIL valgrind:$name (exit status $rc, valgrind errors: ${verrors:-?}, $((SECONDS - start)) s)"
                grep -aE '^FAIL|panicked|checks,' "$out" | head -20 | sed 's/^/    /'
                grep -aE 'ERROR SUMMARY|definitely lost|indirectly lost|Invalid|uninitialised|Process terminating' "$log" |
                    head -20 | sed 's/^/    /'
                sed -n '/Invalid\|uninitialised\|definitely lost in/,/^==[0-9]*== $/p' "$log" |
                    head -60 | sed 's/^/    /'
                record "valgrind:$name" 1
            fi
        done <"$BUILD/test-programs.txt"
    fi
fi

# ---- 4. pkg-config -----------------------------------------------------------
section "pkg-config"
PC_SRC=$WORK/pkgconfig/main.c
mkdir -p "$WORK/pkgconfig"
cat >"$PC_SRC" <<'EOF'
#include "cpl_vsi_rs.h"
#include <string.h>
int main(void)
{
    VSILFILE *fp = VSIFOpenL("/vsimem/pkgconfig.txt", "wb");
    if (fp == NULL || VSIFPrintfL(fp, "hello %s", "pkg-config") != 16 || VSIFCloseL(fp) != 0)
        return 1;
    vsi_l_offset n = 0;
    GByte *p = VSIGetMemFileBuffer("/vsimem/pkgconfig.txt", &n, TRUE);
    int ok = p != NULL && n == 16 && memcmp(p, "hello pkg-config", 16) == 0;
    VSIFree(p);
    if (!ok)
        return 2;
    puts("pkg-config consumer OK");
    return 0;
}
EOF
# pkgconfig_build <tag> <prefix>: builds and runs the consumer, shared and static.
pkgconfig_build() {
    local tag=$1 pfx=$2 rc flags libdir static_libs
    export PKG_CONFIG_PATH=$pfx/lib/pkgconfig
    if ! command -v pkg-config >/dev/null; then
        record "pkg-config:$tag (pkg-config not installed)" 1
        return
    fi
    version=$(pkg-config --modversion vsi 2>&1)
    echo "pkg-config --modversion vsi: $version"
    flags=$(pkg-config --cflags --libs vsi) && echo "pkg-config --cflags --libs vsi: $flags"
    rc=1
    # shellcheck disable=SC2086
    if [[ -n $flags ]] && "$CC" -Wall -Wextra -Werror -o "$WORK/pkgconfig/shared-$tag" "$PC_SRC" $flags; then
        libdir=$(pkg-config --variable=libdir vsi)
        LD_LIBRARY_PATH=$libdir "$WORK/pkgconfig/shared-$tag" && rc=0
        # It really is the shared library being used.
        LD_LIBRARY_PATH=$libdir ldd "$WORK/pkgconfig/shared-$tag" | grep -q 'libvsi\.so\.0 => .*'"$pfx" || {
            echo "the pkg-config build does not load libvsi.so.0 from $pfx"; rc=1; }
    fi
    record "pkg-config:$tag-shared" $rc
    rc=1
    static_libs=$(pkg-config --static --libs-only-l vsi | sed 's/-lvsi\b//')
    echo "pkg-config --static --libs-only-l vsi (minus -lvsi): $static_libs"
    # shellcheck disable=SC2086
    if "$CC" -Wall -Wextra -Werror -o "$WORK/pkgconfig/static-$tag" "$PC_SRC" \
            $(pkg-config --cflags vsi) "$(pkg-config --variable=libdir vsi)/libvsi.a" $static_libs; then
        if ldd "$WORK/pkgconfig/static-$tag" | grep -q libvsi; then
            echo "the static build still needs libvsi.so"
        else
            "$WORK/pkgconfig/static-$tag" && rc=0
        fi
    fi
    record "pkg-config:$tag-static" $rc
    unset PKG_CONFIG_PATH
}
pkgconfig_build installed "$PREFIX"
# The installed tree is relocatable: move it and build again.
if [[ $PREFIX == "$WORK/prefix" ]]; then
    mv "$PREFIX" "$WORK/moved-prefix"
    pkgconfig_build moved "$WORK/moved-prefix"
    mv "$WORK/moved-prefix" "$PREFIX"
fi

# add_counts <label> <log>: adds a sub-suite's "N passed, M failed" line.
add_counts() {
    local summary dp df
    summary=$(grep -aE '^[0-9]+ passed, [0-9]+ failed$' "$2" | tail -n1)
    if [[ -n $summary ]]; then
        dp=${summary%% passed*}
        df=${summary#*, }
        df=${df%% failed*}
        PASSED=$((PASSED + dp))
        FAILED=$((FAILED + df))
        RESULTS+=("$1: $summary")
    else
        record "$1 (no summary line)" 1
    fi
}

# ---- 5. the tests' own expectations, against GDAL ---------------------------
if [[ -f /usr/include/gdal/cpl_vsi.h ]] || pkg-config --exists gdal 2>/dev/null; then
    section "expectations checked against GDAL (check-against-gdal.sh)"
    bash "$HERE/check-against-gdal.sh" 2>&1 | tee "$WORK/gdal-reference.log"
    add_counts "gdal-reference" "$WORK/gdal-reference.log"
else
    echo "run.sh: GDAL headers not found; expectations not checked against GDAL"
fi

# ---- 6. differential suite ------------------------------------------------
DIFF=$HERE/differential/run.sh
if [[ -f $DIFF ]]; then
    section "differential (GDAL vs libvsi)"
    bash "$DIFF" "$PREFIX" 2>&1 | tee "$WORK/differential.log"
    add_counts "differential" "$WORK/differential.log"
fi

finish
