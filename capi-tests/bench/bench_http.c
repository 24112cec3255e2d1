/*
 * /vsicurl/ benchmark against the test HTTP server
 * (tests/http_server/server.py, started by run.sh with --latency-ms 20),
 * built twice from this one source: against GDAL's libgdal (default) and
 * against libvsi (-DVSI_RS).
 *
 * Usage: bench_http <workload> <base-url> [file]
 *   seq         read the file (100 MiB) from start to end in 1 MiB reads
 *   stream      the same through /vsicurl_streaming/
 *   random      200 reads of 64 KiB at random offsets (fixed seed)
 *   multirange  one VSIFReadMultiRangeL of 64 ranges of 16 KiB
 *   open16k     open the file and read its first 16 KiB
 *   [file] is the path of the file on the server (default huge.bin).
 *
 * Each workload prints its time, and the requests the server answered
 * during it (asked from the server's /_stats, reset before), as
 * `metric <name> <value> <unit>` lines; "req" counts are lower-is-better.
 * Every byte read is checked against the file's pattern
 * (tests/http_server/fixtures.py, seed 5).
 */
#define _GNU_SOURCE

#ifdef VSI_RS
#include "cpl_vsi_rs.h"
#else
#include "cpl_conv.h"
#include "cpl_vsi.h"
#endif

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MIB ((size_t)1 << 20)

static const char *g_base;
static int g_port;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void metric(const char *name, double value, const char *unit)
{
    printf("metric %s %.3f %s\n", name, value, unit);
    fflush(stdout);
}

static void die(const char *what)
{
    fprintf(stderr, "bench_http: %s\n", what);
    exit(1);
}

/* One GET to the server's control API on a fresh connection; returns the
 * body (static buffer). Not through the library under test. */
static const char *control(const char *path)
{
    static char resp[65536];
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)g_port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
        die("cannot reach the test server's control API");
    char req[512];
    int n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
    if (write(fd, req, (size_t)n) != n)
        die("control request failed");
    size_t got = 0;
    ssize_t r;
    while (got < sizeof(resp) - 1 && (r = read(fd, resp + got, sizeof(resp) - 1 - got)) > 0)
        got += (size_t)r;
    close(fd);
    resp[got] = '\0';
    const char *body = strstr(resp, "\r\n\r\n");
    return body ? body + 4 : "";
}

static void stats_reset(void)
{
    control("/_stats/reset");
}

/* Requests answered since the last reset. */
static long stats_count(void)
{
    return atol(control("/_stats?summary=1&format=tsv"));
}

/* The fixture pattern (fixtures.py): byte i = (i*7 + i/251 + seed) % 256,
 * periodic with period 251*256. */
static unsigned char expected_byte(uint64_t i)
{
    i %= 251 * 256;
    return (unsigned char)((i * 7 + i / 251 + 5) % 256);
}

static void check(const unsigned char *buf, uint64_t offset, size_t n)
{
    /* A sample per 4 KiB keeps the check cheap and the reads observable. */
    for (size_t i = 0; i < n; i += 4093)
        if (buf[i] != expected_byte(offset + i))
        {
            fprintf(stderr, "bench_http: wrong byte at %llu\n",
                    (unsigned long long)(offset + i));
            exit(1);
        }
    if (n && buf[n - 1] != expected_byte(offset + n - 1))
        die("wrong last byte");
}

static uint64_t file_size(const char *path)
{
    VSIStatBufL st;
    if (VSIStatL(path, &st) != 0)
        die("stat failed");
    return (uint64_t)st.st_size;
}

static void sequential(const char *prefix, const char *name, const char *file)
{
    char path[2048];
    snprintf(path, sizeof(path), "%s%s/%s", prefix, g_base, file);
    unsigned char *buf = malloc(MIB);
    stats_reset();
    double t0 = now_s();
    VSILFILE *fp = VSIFOpenL(path, "rb");
    if (!fp)
        die("open failed");
    uint64_t total = 0;
    size_t n;
    while ((n = VSIFReadL(buf, 1, MIB, fp)) > 0)
    {
        check(buf, total, n);
        total += n;
        if (n < MIB)
            break;
    }
    VSIFCloseL(fp);
    double dt = now_s() - t0;
    long req = stats_count();
    if (total != 100 * MIB && strcmp(file, "huge.bin") == 0)
        fprintf(stderr, "bench_http: note: read %llu bytes\n", (unsigned long long)total);
    char m[128];
    snprintf(m, sizeof(m), "%s_s", name);
    metric(m, dt, "s");
    snprintf(m, sizeof(m), "%s_MBps", name);
    metric(m, (double)total / 1e6 / dt, "MB/s");
    snprintf(m, sizeof(m), "%s_requests", name);
    metric(m, (double)req, "req");
    free(buf);
}

static void random_reads(const char *file)
{
    char path[2048];
    snprintf(path, sizeof(path), "/vsicurl/%s/%s", g_base, file);
    const size_t len = 65536;
    unsigned char *buf = malloc(len);
    stats_reset();
    double t0 = now_s();
    VSILFILE *fp = VSIFOpenL(path, "rb");
    if (!fp)
        die("open failed");
    if (VSIFSeekL(fp, 0, SEEK_END) != 0)
        die("seek failed");
    uint64_t size = (uint64_t)VSIFTellL(fp);
    uint64_t x = 42;
    for (int i = 0; i < 200; i++)
    {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t off = (x >> 11) % (size - len);
        if (VSIFSeekL(fp, (vsi_l_offset)off, SEEK_SET) != 0 || VSIFReadL(buf, 1, len, fp) != len)
            die("random read failed");
        check(buf, off, len);
    }
    VSIFCloseL(fp);
    double dt = now_s() - t0;
    metric("http_random_s", dt, "s");
    metric("http_random_requests", (double)stats_count(), "req");
    free(buf);
}

static void multirange(const char *file)
{
    char path[2048];
    snprintf(path, sizeof(path), "/vsicurl/%s/%s", g_base, file);
    enum { N = 64 };
    const size_t len = 16384;
    uint64_t size = file_size(path);
    void *bufs[N];
    vsi_l_offset offs[N];
    size_t sizes[N];
    for (int i = 0; i < N; i++)
    {
        bufs[i] = malloc(len);
        offs[i] = (vsi_l_offset)((size / N) * (uint64_t)i + 1000);
        sizes[i] = len;
    }
    VSILFILE *fp = VSIFOpenL(path, "rb");
    if (!fp)
        die("open failed");
    stats_reset();
    double t0 = now_s();
    if (VSIFReadMultiRangeL(N, bufs, offs, sizes, fp) != 0)
        die("multi-range read failed");
    double dt = now_s() - t0;
    long req = stats_count();
    for (int i = 0; i < N; i++)
    {
        check(bufs[i], offs[i], len);
        free(bufs[i]);
    }
    VSIFCloseL(fp);
    metric("http_multirange64_s", dt, "s");
    metric("http_multirange64_requests", (double)req, "req");
}

static void open16k(const char *file)
{
    char path[2048];
    snprintf(path, sizeof(path), "/vsicurl/%s/%s", g_base, file);
    unsigned char buf[16384];
    stats_reset();
    double t0 = now_s();
    VSILFILE *fp = VSIFOpenL(path, "rb");
    if (!fp || VSIFReadL(buf, 1, sizeof(buf), fp) != sizeof(buf))
        die("open + read failed");
    VSIFCloseL(fp);
    double dt = now_s() - t0;
    check(buf, 0, sizeof(buf));
    metric("http_open16k_s", dt, "s");
    metric("http_open16k_requests", (double)stats_count(), "req");
}

int main(int argc, char **argv)
{
    if (argc < 3)
    {
        fprintf(stderr, "usage: %s seq|stream|random|multirange|open16k BASE_URL [file]\n", argv[0]);
        return 2;
    }
    g_base = argv[2];
    const char *colon = strrchr(g_base, ':');
    if (!colon || (g_port = atoi(colon + 1)) <= 0)
        die("the base URL must be http://127.0.0.1:PORT");
    const char *file = argc > 3 ? argv[3] : "huge.bin";
    /* Deterministic network behaviour, the same for both libraries. */
    CPLSetConfigOption("GDAL_HTTP_MAX_RETRY", "0");
    CPLSetConfigOption("GDAL_HTTP_TIMEOUT", "60");
    const char *w = argv[1];
    if (strcmp(w, "seq") == 0)
        sequential("/vsicurl/", "http_seq", file);
    else if (strcmp(w, "stream") == 0)
        sequential("/vsicurl_streaming/", "http_stream_seq", file);
    else if (strcmp(w, "random") == 0)
        random_reads(file);
    else if (strcmp(w, "multirange") == 0)
        multirange(file);
    else if (strcmp(w, "open16k") == 0)
        open16k(file);
    else
        die("unknown workload");
    return 0;
}
