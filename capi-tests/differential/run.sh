#!/usr/bin/env bash
# Differential test runner: GDAL (reference) vs libvsi.
#
# usage: run.sh [<libvsi-install-prefix>]
#
#   With no prefix (or an empty one): builds every scn_*.c against GDAL
#   (-lgdal), runs it with a fresh scratch dir and prints each transcript's
#   line count.  Used to validate the scenarios themselves.
#
#   With a prefix: additionally builds each scenario against libvsi
#   (-DVSI_RS -I$PREFIX/include -L$PREFIX/lib -lvsi), runs it, diffs the two
#   transcripts and prints "PASS name" / "FAIL name" (+ diff).  Exit status is
#   non-zero if any scenario fails.
#
# Environment:
#   KEEP=1        keep the build/output dir (path printed at the end)
#   UPDATE_DIVERGENCES=1  record the current differences as the documented
#                 ones (review them, and explain each in divergences/README.md)
#
# Documented divergences: where libvsi deliberately differs from GDAL 3.6
# (it follows newer GDAL, or is stricter), divergences/<name>.txt holds the
# exact changed lines ("-" GDAL 3.6, "+" libvsi). A scenario passes when its
# differences are exactly those; any other difference fails it.
#   SCENARIOS="a b"  only run these scenario names (without scn_ / .c)
#
# A scenario whose source contains the marker NEEDS_HTTP_SERVER runs with the
# test HTTP server (tests/http_server/server.py) serving the fixtures of
# tests/http_server/fixtures.py; its base URL is in VSIDIFF_HTTP_BASE.
#   CC            compiler (default gcc)
set -u

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PREFIX="${1:-}"
CC="${CC:-gcc}"
CFLAGS_COMMON=(-std=gnu11 -O0 -g -D_GNU_SOURCE -Wall -Wextra -Werror -I"$HERE")

WORK="$(mktemp -d "${TMPDIR:-/tmp}/vsi-diff.XXXXXX")"
mkdir -p "$WORK/bin" "$WORK/out" "$WORK/scratch"

# Keep the transcripts free of environment influence.
unset CPL_DEBUG CPL_LOG CPL_LOG_ERRORS CPL_TIMESTAMP CPL_CURL_VERBOSE \
      VSI_CACHE VSI_CACHE_SIZE GDAL_NUM_THREADS CPL_VSIL_ZIP_ALLOWED_EXTENSIONS
export LC_ALL=C

cleanup() {
    http_stop
    if [ "${KEEP:-0}" = "1" ]; then
        echo "work dir kept: $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

# Scenario list
scns=()
if [ -n "${SCENARIOS:-}" ]; then
    for s in $SCENARIOS; do scns+=("$s"); done
else
    for f in "$HERE"/scn_*.c; do
        b="$(basename "$f" .c)"
        scns+=("${b#scn_}")
    done
fi

# run_one <binary> <transcript>
#   runs the binary with a fresh empty scratch dir; appends the exit status
#   to the transcript so that crashes show up in the diff.
run_one() {
    local bin="$1" out="$2" scratch
    scratch="$(mktemp -d "$WORK/scratch/s.XXXXXX")"
    ( cd "$scratch" && timeout 120 "$bin" "$scratch" ) >"$out" 2>"$out.stderr"
    local rc=$?
    echo "exit status: $rc" >>"$out"
    # Local files may be huge sparse files: always clean up.
    chmod -R u+rwx "$scratch" 2>/dev/null
    rm -rf "$scratch"
    return $rc
}

# The test HTTP server, for scenarios marked NEEDS_HTTP_SERVER.
HTTP_PID=""
http_start() {
    local repo root="$WORK/http-root" portfile="$WORK/http-port"
    repo="$(cd "$HERE/../.." && pwd)"
    python3 "$repo/tests/http_server/fixtures.py" "$root" || return 1
    rm -f "$portfile"
    python3 "$repo/tests/http_server/server.py" --root "$root" --port-file "$portfile" \
        </dev/null >/dev/null 2>>"$WORK/out/http-server.log" &
    HTTP_PID=$!
    for _ in $(seq 200); do
        [ -s "$portfile" ] && break
        sleep 0.05
    done
    [ -s "$portfile" ] || return 1
    export VSIDIFF_HTTP_BASE="http://127.0.0.1:$(cat "$portfile")"
}
http_stop() {
    if [ -n "$HTTP_PID" ]; then
        kill "$HTTP_PID" 2>/dev/null
        wait "$HTTP_PID" 2>/dev/null
        HTTP_PID=""
    fi
    unset VSIDIFF_HTTP_BASE
}

pass=0
fail=0

for name in "${scns[@]}"; do
    src="$HERE/scn_$name.c"
    if [ ! -f "$src" ]; then
        echo "FAIL $name (no such scenario $src)"
        fail=$((fail + 1))
        continue
    fi
    http_stop
    if grep -q NEEDS_HTTP_SERVER "$src" && ! http_start; then
        echo "FAIL $name (the test HTTP server did not start)"
        fail=$((fail + 1))
        continue
    fi

    # ---- reference build (GDAL) ----
    gbin="$WORK/bin/$name.gdal"
    if ! "$CC" "${CFLAGS_COMMON[@]}" -I/usr/include/gdal -o "$gbin" "$src" \
            -lgdal 2>"$WORK/out/$name.gdal.build"; then
        echo "FAIL $name (GDAL build failed)"
        cat "$WORK/out/$name.gdal.build"
        fail=$((fail + 1))
        continue
    fi
    gout="$WORK/out/$name.gdal.txt"
    run_one "$gbin" "$gout"
    grc=$?

    if [ -z "$PREFIX" ]; then
        lines=$(wc -l <"$gout")
        if [ $grc -ne 0 ]; then
            echo "GDAL $name: $lines lines (exit status $grc!)"
            fail=$((fail + 1))
            sed 's/^/    stderr: /' "$gout.stderr" | head -20
        else
            echo "GDAL $name: $lines lines"
            pass=$((pass + 1))
        fi
        if [ -n "${SHOW:-}" ]; then cat "$gout"; fi
        continue
    fi

    # ---- libvsi build ----
    rbin="$WORK/bin/$name.vsi"
    if ! "$CC" "${CFLAGS_COMMON[@]}" -DVSI_RS -I"$PREFIX/include" -o "$rbin" \
            "$src" -L"$PREFIX/lib" -lvsi -Wl,-rpath,"$PREFIX/lib" \
            2>"$WORK/out/$name.vsi.build"; then
        echo "FAIL $name (libvsi build failed)"
        sed 's/^/    /' "$WORK/out/$name.vsi.build" | head -50
        fail=$((fail + 1))
        continue
    fi
    rout="$WORK/out/$name.vsi.txt"
    run_one "$rbin" "$rout"

    expected="$HERE/divergences/$name.txt"
    diff -u --label "gdal/$name" --label "libvsi/$name" "$gout" "$rout" >"$WORK/out/$name.diff"
    # Changed lines only, without positions, so unrelated edits to a
    # scenario do not invalidate its documented divergences.
    diff --unchanged-line-format= --old-line-format='-%L' --new-line-format='+%L' \
        "$gout" "$rout" >"$WORK/out/$name.changes"
    if [ "${UPDATE_DIVERGENCES:-0}" = "1" ]; then
        mkdir -p "$HERE/divergences"
        if [ -s "$WORK/out/$name.changes" ]; then
            cp "$WORK/out/$name.changes" "$expected"
        else
            rm -f "$expected"
        fi
    fi
    if [ ! -s "$WORK/out/$name.changes" ]; then
        echo "PASS $name"
        pass=$((pass + 1))
    elif [ -f "$expected" ] && cmp -s "$expected" "$WORK/out/$name.changes"; then
        echo "PASS $name ($(grep -c '^+' "$expected") documented divergences, see divergences/README.md)"
        pass=$((pass + 1))
    else
        echo "FAIL $name"
        cat "$WORK/out/$name.diff"
        if [ -f "$expected" ]; then
            echo "--- differences beyond the documented ones (documented vs now):"
            diff "$expected" "$WORK/out/$name.changes"
        fi
        fail=$((fail + 1))
    fi
done
http_stop

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
