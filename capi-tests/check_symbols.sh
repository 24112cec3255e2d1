#!/bin/sh
# check_symbols.sh <libvsi.so> [<c compiler>]
#
# The ABI inventory of libvsi.so, checked mechanically:
#   1. every exported (defined, dynamic) symbol is a public name: VSI*, CPL*,
#      CSL* (libvsi's own extensions are VSIRS_*) -- no Rust or libc
#      internals leak;
#   2. every exported symbol is declared by the installed header
#      (cpl_vsi_rs.h, as a function or a macro), so nothing is exported by
#      accident;
#   3. every function the header declares is exported (no link errors for
#      a consumer);
#   4. the SONAME is libvsi.so.<major>.
# The header is $VSI_INCLUDE_DIR/cpl_vsi_rs.h (default: <lib dir>/../include).
set -u

lib=${1:?usage: check_symbols.sh <libvsi.so> [cc]}
cc=${2:-cc}
incdir=${VSI_INCLUDE_DIR:-$(dirname "$lib")/../include}
header=$incdir/cpl_vsi_rs.h
fail=0

[ -f "$lib" ] || { echo "FAIL: $lib does not exist"; exit 1; }
[ -f "$header" ] || { echo "FAIL: $header does not exist"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vsi-symbols.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Defined dynamic symbols (functions and data), names only, no versions.
nm -D --defined-only "$lib" | awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }' | sort -u >"$tmp/exported"
[ -s "$tmp/exported" ] || { echo "FAIL: no exported symbols found in $lib"; exit 1; }

# 1. Only public names.
grep -Ev '^(VSI|CPL|CSL)[A-Za-z0-9_]*$' "$tmp/exported" >"$tmp/bad"
if [ -s "$tmp/bad" ]; then
    echo "FAIL: $(wc -l <"$tmp/bad") exported symbol(s) outside VSI*/CPL*/CSL*:"
    sed 's/^/    /' "$tmp/bad" | head -50
    fail=1
fi

# Functions declared by the header: preprocess (no comments, macros
# expanded), then every public name directly followed by '('.
"$cc" -E -P -x c -D_GNU_SOURCE "$header" >"$tmp/pp.c" || { echo "FAIL: cannot preprocess $header"; exit 1; }
tr '\n' ' ' <"$tmp/pp.c" | grep -oE '(^|[^A-Za-z0-9_])(VSI|CPL|CSL)[A-Za-z0-9_]*[[:space:]]*\(' |
    sed -E 's/^[^A-Za-z]*//; s/[[:space:]]*\($//' | sort -u >"$tmp/declared"
# Names the header defines as macros (e.g. CPLFree).
sed -nE 's/^[[:space:]]*#[[:space:]]*define[[:space:]]+((VSI|CPL|CSL)[A-Za-z0-9_]*).*/\1/p' "$header" |
    sort -u >"$tmp/macros"
[ -s "$tmp/declared" ] || { echo "FAIL: found no function declarations in $header"; exit 1; }

# 2. Everything exported is declared.
sort -u "$tmp/declared" "$tmp/macros" >"$tmp/known"
comm -23 "$tmp/exported" "$tmp/known" >"$tmp/undeclared"
if [ -s "$tmp/undeclared" ]; then
    echo "FAIL: exported but not declared in cpl_vsi_rs.h:"
    sed 's/^/    /' "$tmp/undeclared"
    fail=1
fi

# 3. Everything declared is exported.
comm -13 "$tmp/exported" "$tmp/declared" >"$tmp/missing"
if [ -s "$tmp/missing" ]; then
    echo "FAIL: declared in cpl_vsi_rs.h but not exported by $(basename "$lib"):"
    sed 's/^/    /' "$tmp/missing"
    fail=1
fi

# 4. SONAME.
soname=$(readelf -d "$lib" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
case $soname in
    libvsi.so.[0-9]*) ;;
    *) echo "FAIL: SONAME is '$soname', expected libvsi.so.<major>"; fail=1 ;;
esac

echo "$(wc -l <"$tmp/exported") exported symbols, $(wc -l <"$tmp/declared") declared functions, SONAME $soname"
if [ $fail -eq 0 ]; then
    echo "PASS: the exports of $(basename "$lib") are exactly the public API"
fi
exit $fail
