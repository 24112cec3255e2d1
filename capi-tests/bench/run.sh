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

FAMILIES="vsimem zip tar http gzip"

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

# archives: makes (once per run) the zip and tar of make_archives.py in
# $WORK/archives: 100,000 small members, plus a 100 MB deflated member in
# the zip (1,000 members and 4 MB under BENCH_QUICK=1).
archives() {
    if [[ ! -f $WORK/archives/bench.tar ]]; then
        mkdir -p "$WORK/archives"
        local members=100000 big=100
        if [[ "$QUICK" == 1 ]]; then members=1000 big=4; fi
        log "making archives ($members members, $big MB member)"
        python3 "$HERE/make_archives.py" "$WORK/archives" "$members" "$big" ||
            { log "make_archives.py failed"; exit 1; }
    fi
}

family_zip() {
    archives
    build bench_archive
    run bench_archive zip_list "$REPS" "$WORK/archives/bench.zip"
    # shellcheck disable=SC2046
    run bench_archive zip_stat "$REPS" "$WORK/archives/bench.zip" $(quick 0.2)
    run bench_archive zip_read "$REPS" "$WORK/archives/bench.zip"
}

family_tar() {
    archives
    build bench_archive
    run bench_archive tar_list "$REPS" "$WORK/archives/bench.tar"
    # shellcheck disable=SC2046
    run bench_archive tar_stat "$REPS" "$WORK/archives/bench.tar" $(quick 0.2)
}

# http: /vsicurl/ (and /vsicurl_streaming/) against the test HTTP server
# with 20 ms added to every request, serving a 100 MiB file (8 MiB under
# BENCH_QUICK=1). Request counts come from the server ("req", lower is better).
family_http() {
    local repo root=$WORK/http-root portfile=$WORK/http-port mib=100 pid base
    repo=$(cd "$HERE/../.." && pwd)
    if [[ "$QUICK" == 1 ]]; then mib=8; fi
    python3 "$repo/tests/http_server/fixtures.py" "$root" --big-mib "$mib" ||
        { log "fixtures.py failed"; exit 1; }
    build bench_http
    python3 "$repo/tests/http_server/server.py" --root "$root" --port-file "$portfile" \
        --latency-ms 20 </dev/null >/dev/null 2>"$WORK/http-server.log" &
    pid=$!
    for _ in $(seq 200); do [[ -s $portfile ]] && break; sleep 0.05; done
    [[ -s $portfile ]] || { log "the test HTTP server did not start"; kill "$pid"; exit 1; }
    base="http://127.0.0.1:$(cat "$portfile")"
    run bench_http seq "$REPS" "$base"
    run bench_http stream "$REPS" "$base"
    run bench_http random "$REPS" "$base"
    run bench_http multirange "$REPS" "$base"
    run bench_http open16k "$REPS" "$base"
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
}

# gzip: ~900 MB of seeded text (bench_archive gzip_gen) and its gzip -6
# (~200 MB), made once and kept in $BENCH_CACHE (default
# ${TMPDIR:-/tmp}/vsibench-cache) across runs; 20 MB under BENCH_QUICK=1.
family_gzip() {
    local cache=${BENCH_CACHE:-${TMPDIR:-/tmp}/vsibench-cache} bytes=900000000
    if [[ "$QUICK" == 1 ]]; then bytes=20000000; fi
    build bench_archive
    local text=$cache/gzip-text-$bytes.txt
    if [[ ! -f $text.gz ]]; then
        mkdir -p "$cache"
        log "making $text.gz ($bytes bytes of text)"
        "$WORK/bench_archive.gdal" gzip_gen "$bytes" >"$text.tmp" && mv "$text.tmp" "$text" &&
            gzip -6 -c "$text" >"$text.gz.tmp" && mv "$text.gz.tmp" "$text.gz" ||
            { log "making the gzip file failed"; exit 1; }
    fi
    # Neither library may learn the size from a previous run.
    rm -f "$text.gz.properties"
    run bench_archive gzip_random "$REPS" "$text.gz" "$text"
    run bench_archive gzip_seq "$REPS" "$text.gz" "$text"
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
                better = (u == "MB" || u == "s" || u == "req") ? "lower" : "higher"
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
