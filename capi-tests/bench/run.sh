#!/usr/bin/env bash
# Builds the benches against GDAL and (given a prefix) libvsi, runs every
# workload in its own process for each library, and prints one table:
#   metric | unit | GDAL | libvsi | libvsi/GDAL | better
#
# usage: run.sh [libvsi-prefix]
#   libvsi-prefix  install prefix holding include/cpl_vsi_rs.h and lib/libvsi.so;
#                  without it only the GDAL column is printed.
# environment:
#   BENCH_FAMILIES  families to run, space separated (default: all, see FAMILIES)
#   BENCH_REPS      repetitions of throughput workloads, median taken (default 3)
#   BENCH_TIMEOUT   seconds allowed per workload process (default 300)
#   BENCH_QUICK=1   tiny sizes, to check the harness itself in a few seconds
#   BENCH_RAW=file  also keep the raw lines `<lib> <metric> <value> <unit>`
#   CC, CFLAGS      compiler and flags (default: gcc, -O2 -Wall -Wextra -Werror)
#
# A bench program prints `metric <name> <value> <unit>` lines on stdout. Units
# of memory or time (MB, s) are lower-is-better, everything else higher.
#
# To add a family (archives, HTTP, ...): write bench_<family>.c, add a
# family_<family> function below that calls `build` once and `run` per
# workload, and append <family> to FAMILIES.
set -euo pipefail

FAMILIES="vsimem"

HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${1:-}
CC=${CC:-gcc}
CFLAGS=${CFLAGS:--O2 -Wall -Wextra -Werror}
REPS=${BENCH_REPS:-3}
TIMEOUT=${BENCH_TIMEOUT:-300}
QUICK=${BENCH_QUICK:-0}

LIBS=(gdal)
if [[ -n "$PREFIX" ]]; then
    PREFIX=$(cd "$PREFIX" && pwd)
    LIBS+=(vsi)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vsibench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
RESULTS=$WORK/results # <lib> <metric> <value> <unit>, one line per repetition
ORDER=$WORK/order     # metric names in the order first seen
: >"$RESULTS"
: >"$ORDER"
FAILED=0

log() { echo "run.sh: $*" >&2; }

# build <name>: compiles $HERE/<name>.c into $WORK/<name>.<lib> for each lib.
build() {
    local name=$1 src=$HERE/$1.c
    local gdal_cflags
    gdal_cflags=$(gdal-config --cflags 2>/dev/null || echo -I/usr/include/gdal)
    # shellcheck disable=SC2086
    $CC $CFLAGS -pthread $gdal_cflags "$src" -o "$WORK/$name.gdal" -lgdal ||
        { log "building $name against GDAL failed"; exit 1; }
    if [[ -n "$PREFIX" ]]; then
        # shellcheck disable=SC2086
        $CC $CFLAGS -pthread -DVSI_RS -I"$PREFIX/include" "$src" \
            -o "$WORK/$name.vsi" -L"$PREFIX/lib" -lvsi -Wl,-rpath,"$PREFIX/lib" ||
            { log "building $name against libvsi ($PREFIX) failed"; exit 1; }
    fi
}

# run <name> <workload> <reps> [args...]: runs `<name>.<lib> <workload> args`
# <reps> times per lib, alternating libs so drift hits both alike, and
# records the metric lines. A failed run is reported and leaves a gap.
run() {
    local name=$1 workload=$2 reps=$3
    shift 3
    local rep lib out rc
    for ((rep = 1; rep <= reps; rep++)); do
        for lib in "${LIBS[@]}"; do
            log "$name $workload [$lib] $rep/$reps"
            out=$WORK/out
            rc=0
            timeout "$TIMEOUT" "$WORK/$name.$lib" "$workload" "$@" \
                >"$out" 2>"$WORK/err" || rc=$?
            if ((rc != 0)); then
                log "FAILED: $name $workload [$lib] (exit $rc$( ((rc == 124)) && echo ', timed out')):"
                sed 's/^/    /' "$WORK/err" | tail -n 20 >&2
                FAILED=1
            fi
            awk -v lib="$lib" '$1 == "metric" && NF >= 4 {
                print lib, $2, $3, $4 }' "$out" >>"$RESULTS"
            awk '$1 == "metric" { print $2 }' "$out" >>"$ORDER"
        done
    done
}

# quick <size>: prints <size> under BENCH_QUICK=1, nothing otherwise (the
# program then uses its full default size).
quick() { if [[ "$QUICK" == 1 ]]; then echo "$1"; fi; }

family_vsimem() {
    build bench_vsimem
    # shellcheck disable=SC2046
    run bench_vsimem write "$REPS" $(quick 64)
    # shellcheck disable=SC2046
    run bench_vsimem threads "$REPS" $(quick 16)
    # shellcheck disable=SC2046
    run bench_vsimem smallfiles 1 $(quick 10000)
}

# print_table: median per (lib, metric), in first-seen metric order.
print_table() {
    local medians=$WORK/medians
    # Sort so each (lib, metric) group is contiguous and ascending, then take
    # the middle value (the lower middle for an even count).
    sort -k1,1 -k2,2 -k3,3g "$RESULTS" | awk '
        function flush() { if (n) print key, vals[int((n + 1) / 2)], unit }
        { k = $1 " " $2
          if (k != key) { flush(); key = k; n = 0 }
          vals[++n] = $3; unit = $4 }
        END { flush() }' >"$medians"

    awk -v haveVsi="${#LIBS[@]}" '
        function fmt(v) {
            if (v == "") return "-"
            return (v + 0 >= 100 || v + 0 <= -100) ? sprintf("%.0f", v) : sprintf("%.2f", v)
        }
        FNR == NR { val[$1, $2] = $3; unit[$2] = $4; next }
        !($1 in seen) { seen[$1] = 1; order[++n] = $1 }
        END {
            if (haveVsi > 1)
                printf "%-26s %-6s %12s %12s %12s  %s\n",
                       "metric", "unit", "GDAL", "libvsi", "libvsi/GDAL", "better"
            else
                printf "%-26s %-6s %12s  %s\n", "metric", "unit", "GDAL", "better"
            for (i = 1; i <= n; i++) {
                m = order[i]; u = unit[m]
                better = (u == "MB" || u == "s") ? "lower" : "higher"
                g = ((("gdal", m) in val) ? val["gdal", m] : "")
                if (haveVsi > 1) {
                    v = ((("vsi", m) in val) ? val["vsi", m] : "")
                    r = (g != "" && v != "" && g + 0 != 0) ? sprintf("%.2f", v / g) : "-"
                    printf "%-26s %-6s %12s %12s %12s  %s\n", m, u, fmt(g), fmt(v), r, better
                } else {
                    printf "%-26s %-6s %12s  %s\n", m, u, fmt(g), better
                }
            }
        }' "$medians" "$ORDER"
}

for family in ${BENCH_FAMILIES:-$FAMILIES}; do
    if ! declare -F "family_$family" >/dev/null; then
        log "unknown family '$family' (known: $FAMILIES)"
        exit 2
    fi
    "family_$family"
done

if [[ -n "${BENCH_RAW:-}" ]]; then cp "$RESULTS" "$BENCH_RAW"; fi
echo "# GDAL $(gdal-config --version 2>/dev/null || echo '?'), $(nproc) cores;" \
    "throughput: median of $REPS runs, smallfiles: 1 run; MB = 1e6 bytes"
print_table
exit "$FAILED"
