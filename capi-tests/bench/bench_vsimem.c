/*
 * /vsimem/ benchmark, built twice from this one source: against GDAL's
 * libgdal (default) and against libvsi (-DVSI_RS, header cpl_vsi_rs.h only).
 *
 * Usage: bench_vsimem <workload> [size]
 *   write       write a 1 GiB /vsimem/ file in 1 MiB chunks, then read it back
 *               (one workload: /vsimem/ lives in the process, so the read
 *               needs the write). [size] = file size in MiB.
 *   smallfiles  create, stat, then unlink 1,000,000 100-byte files.
 *               [size] = number of files.
 *   threads     two threads each read their own 256 MiB file, 4 passes,
 *               versus one thread reading both. [size] = file size in MiB.
 *
 * Results go to stdout as `metric <name> <value> <unit>`; anything else
 * (diagnostics) goes to stderr. MB = 1e6 bytes; peak RSS is getrusage's
 * ru_maxrss (KiB on Linux) converted to MB. Exit status is non-zero if any
 * call fails or a checksum does not match.
 */
#define _GNU_SOURCE

#ifdef VSI_RS
#include "cpl_vsi_rs.h"
#else
#include "cpl_conv.h"
#include "cpl_vsi.h"
#endif

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define MIB ((size_t)1 << 20)
#define CHUNK MIB
/* Reads are checked by sampling one 64-bit word per 4 KiB page: enough to
 * catch wrong or missing data and to keep the reads observable, cheap enough
 * not to hide the copy cost being measured. */
#define SAMPLE_STRIDE_WORDS (4096 / sizeof(uint64_t))

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1.0;
    return (double)ru.ru_maxrss * 1024.0 / 1e6;
}

static void metric(const char *name, double value, const char *unit)
{
    printf("metric %s %.1f %s\n", name, value, unit);
    fflush(stdout);
}

static void die(const char *what, const char *path)
{
    fprintf(stderr, "bench_vsimem: %s failed%s%s\n", what, path ? ": " : "",
            path ? path : "");
    exit(1);
}

/* A 1 MiB source buffer with a fixed pattern; word 0 is overwritten with the
 * chunk index before each write so every chunk of a file is distinct. */
static uint64_t *make_pattern(void)
{
    uint64_t *buf = malloc(CHUNK);
    if (!buf)
        die("malloc", NULL);
    for (size_t i = 0; i < CHUNK / sizeof(uint64_t); i++)
        buf[i] = (uint64_t)i * 0x9E3779B97F4A7C15ull + 1;
    return buf;
}

static uint64_t sample_sum(const uint64_t *buf)
{
    uint64_t s = 0;
    for (size_t i = 0; i < CHUNK / sizeof(uint64_t); i += SAMPLE_STRIDE_WORDS)
        s += buf[i] ^ (uint64_t)i;
    return s;
}

/* Sampled checksum a file of `nchunks` chunks written by write_file has. */
static uint64_t expected_sum(uint64_t *pattern, size_t nchunks)
{
    uint64_t s = 0;
    for (size_t c = 0; c < nchunks; c++) {
        pattern[0] = c;
        s += sample_sum(pattern);
    }
    return s;
}

static void write_file(const char *path, uint64_t *pattern, size_t nchunks)
{
    VSILFILE *fp = VSIFOpenL(path, "wb");
    if (!fp)
        die("VSIFOpenL(wb)", path);
    for (size_t c = 0; c < nchunks; c++) {
        pattern[0] = c;
        if (VSIFWriteL(pattern, 1, CHUNK, fp) != CHUNK)
            die("VSIFWriteL", path);
    }
    if (VSIFCloseL(fp) != 0)
        die("VSIFCloseL", path);
}

/* Reads an open file from offset 0 to its end in 1 MiB chunks. */
static uint64_t read_pass(VSILFILE *fp, uint64_t *buf, size_t nchunks,
                          const char *path)
{
    uint64_t s = 0;
    if (VSIFSeekL(fp, 0, SEEK_SET) != 0)
        die("VSIFSeekL", path);
    for (size_t c = 0; c < nchunks; c++) {
        if (VSIFReadL(buf, 1, CHUNK, fp) != CHUNK)
            die("VSIFReadL", path);
        s += sample_sum(buf);
    }
    return s;
}

static uint64_t *alloc_chunk(void)
{
    uint64_t *buf = malloc(CHUNK);
    if (!buf)
        die("malloc", NULL);
    memset(buf, 0, CHUNK); /* touch it so page faults stay out of timings */
    return buf;
}

static void unlink_or_die(const char *path)
{
    if (VSIUnlink(path) != 0)
        die("VSIUnlink", path);
}

/* ---- write / read ------------------------------------------------------ */

static int bench_write(size_t mib)
{
    const char *path = "/vsimem/bench_write.bin";
    uint64_t *pattern = make_pattern();
    uint64_t *buf = alloc_chunk();
    const size_t nchunks = mib; /* CHUNK is 1 MiB */
    const double bytes = (double)nchunks * (double)CHUNK;

    double t0 = now_s();
    write_file(path, pattern, nchunks);
    double t1 = now_s();
    metric("vsimem_write", bytes / 1e6 / (t1 - t0), "MB/s");

    VSIStatBufL st;
    if (VSIStatL(path, &st) != 0 ||
        (unsigned long long)st.st_size != (unsigned long long)nchunks * CHUNK)
        die("VSIStatL size check", path);

    VSILFILE *fp = VSIFOpenL(path, "rb");
    if (!fp)
        die("VSIFOpenL(rb)", path);
    double t2 = now_s();
    uint64_t got = read_pass(fp, buf, nchunks, path);
    double t3 = now_s();
    if (VSIFCloseL(fp) != 0)
        die("VSIFCloseL", path);

    if (got != expected_sum(pattern, nchunks)) {
        fprintf(stderr, "bench_vsimem: read checksum mismatch\n");
        return 1;
    }
    metric("vsimem_read", bytes / 1e6 / (t3 - t2), "MB/s");
    metric("write_peak_rss", peak_rss_mb(), "MB");

    unlink_or_die(path);
    free(pattern);
    free(buf);
    return 0;
}

/* ---- one million small files ------------------------------------------ */

static void small_path(char *out, size_t cap, size_t i)
{
    snprintf(out, cap, "/vsimem/bench/f%07zu", i);
}

static int bench_smallfiles(size_t nfiles)
{
    char path[64];
    unsigned char payload[100];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (unsigned char)i;

    double t0 = now_s();
    for (size_t i = 0; i < nfiles; i++) {
        small_path(path, sizeof path, i);
        VSILFILE *fp = VSIFOpenL(path, "wb");
        if (!fp)
            die("VSIFOpenL(wb)", path);
        if (VSIFWriteL(payload, 1, sizeof payload, fp) != sizeof payload)
            die("VSIFWriteL", path);
        if (VSIFCloseL(fp) != 0)
            die("VSIFCloseL", path);
    }
    double t1 = now_s(); /* reset below, after printing */
    /* Metrics go out phase by phase so a run that fails or times out later
     * still reports what it measured. */
    metric("smallfiles_create", (double)nfiles / (t1 - t0), "ops/s");
    metric("smallfiles_peak_rss", peak_rss_mb(), "MB");
    t1 = now_s();

    for (size_t i = 0; i < nfiles; i++) {
        VSIStatBufL st;
        small_path(path, sizeof path, i);
        if (VSIStatL(path, &st) != 0 ||
            (unsigned long long)st.st_size != sizeof payload)
            die("VSIStatL size check", path);
    }
    double t2 = now_s();
    metric("smallfiles_stat", (double)nfiles / (t2 - t1), "ops/s");

    for (size_t i = 0; i < nfiles; i++) {
        small_path(path, sizeof path, i);
        unlink_or_die(path);
    }
    double t3 = now_s();

    {
        VSIStatBufL st;
        small_path(path, sizeof path, 0);
        if (VSIStatL(path, &st) == 0)
            die("unlinked file still visible to VSIStatL", path);
    }

    metric("smallfiles_unlink", (double)nfiles / (t3 - t2), "ops/s");
    return 0;
}

/* ---- two threads, two files ------------------------------------------- */

#define THREAD_PASSES 4

struct reader {
    const char *path;
    size_t nchunks;
    uint64_t sum;
};

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    uint64_t *buf = alloc_chunk();
    VSILFILE *fp = VSIFOpenL(r->path, "rb");
    if (!fp)
        die("VSIFOpenL(rb)", r->path);
    r->sum = 0;
    for (int p = 0; p < THREAD_PASSES; p++)
        r->sum += read_pass(fp, buf, r->nchunks, r->path);
    if (VSIFCloseL(fp) != 0)
        die("VSIFCloseL", r->path);
    free(buf);
    return NULL;
}

static int bench_threads(size_t mib)
{
    const char *paths[2] = {"/vsimem/bench_thread0.bin",
                            "/vsimem/bench_thread1.bin"};
    uint64_t *pattern = make_pattern();
    const size_t nchunks = mib;
    const double bytes =
        2.0 * THREAD_PASSES * (double)nchunks * (double)CHUNK;

    for (int i = 0; i < 2; i++)
        write_file(paths[i], pattern, nchunks);
    const uint64_t want = THREAD_PASSES * expected_sum(pattern, nchunks);

    /* One thread, both files one after the other. */
    struct reader seq[2] = {{paths[0], nchunks, 0}, {paths[1], nchunks, 0}};
    double t0 = now_s();
    reader_main(&seq[0]);
    reader_main(&seq[1]);
    double t1 = now_s();

    /* Two threads, one file each, at the same time. */
    struct reader par[2] = {{paths[0], nchunks, 0}, {paths[1], nchunks, 0}};
    pthread_t tid[2];
    double t2 = now_s();
    for (int i = 0; i < 2; i++)
        if (pthread_create(&tid[i], NULL, reader_main, &par[i]) != 0)
            die("pthread_create", NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(tid[i], NULL);
    double t3 = now_s();

    for (int i = 0; i < 2; i++) {
        if (seq[i].sum != want || par[i].sum != want) {
            fprintf(stderr, "bench_vsimem: read checksum mismatch\n");
            return 1;
        }
    }

    double one = bytes / 1e6 / (t1 - t0);
    double two = bytes / 1e6 / (t3 - t2);
    metric("threads_1thread_read", one, "MB/s");
    metric("threads_2threads_read", two, "MB/s");
    /* ~1 means the two readers serialize; up to ~2 on two cores. */
    printf("metric threads_speedup %.2f x\n", two / one);
    metric("threads_peak_rss", peak_rss_mb(), "MB");

    for (int i = 0; i < 2; i++)
        unlink_or_die(paths[i]);
    free(pattern);
    return 0;
}

/* ----------------------------------------------------------------------- */

static size_t arg_size(int argc, char **argv, size_t dflt)
{
    if (argc < 3)
        return dflt;
    char *end = NULL;
    unsigned long long v = strtoull(argv[2], &end, 10);
    if (!end || *end || v == 0) {
        fprintf(stderr, "bench_vsimem: bad size '%s'\n", argv[2]);
        exit(2);
    }
    return (size_t)v;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr,
                "usage: %s write|smallfiles|threads [size]\n"
                "  write:      size in MiB (default 1024)\n"
                "  smallfiles: number of files (default 1000000)\n"
                "  threads:    MiB per file (default 256)\n",
                argv[0]);
        return 2;
    }
    const char *w = argv[1];
    if (strcmp(w, "write") == 0)
        return bench_write(arg_size(argc, argv, 1024));
    if (strcmp(w, "smallfiles") == 0)
        return bench_smallfiles(arg_size(argc, argv, 1000000));
    if (strcmp(w, "threads") == 0)
        return bench_threads(arg_size(argc, argv, 256));
    fprintf(stderr, "bench_vsimem: unknown workload '%s'\n", w);
    return 2;
}
