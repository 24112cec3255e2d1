/*
 * Archive benchmarks, built twice from this one source: against GDAL's
 * libgdal (default) and against libvsi (-DVSI_RS, header cpl_vsi_rs.h only).
 *
 * Usage: bench_archive <workload> <archive> [arg]
 *   zip_list  <zip>          open and list the archive root (the first use
 *                            builds the listing)
 *   zip_stat  <zip> [secs]   stat random members (of f000000.txt ...) for
 *                            about [secs] seconds (default 3), after one
 *                            warming stat
 *   zip_read  <zip>          read member big.bin from start to end in
 *                            1 MiB chunks
 *   tar_list  <tar>, tar_stat <tar> [secs]: the same for a tar
 *   gzip_gen  <bytes>        write <bytes> of seeded text to stdout (about
 *                            22% of its size once gzip -6 compresses it)
 *   gzip_random <gz> <plain> [count]
 *                            VSIStatL of /vsigzip/<gz> (decodes it once to
 *                            learn the size), then [count] 4 KiB reads at
 *                            seeded random offsets (default 200 against
 *                            GDAL, 2000 against libvsi), each checked
 *                            against <plain>, the uncompressed file
 *   gzip_seq  <gz> <plain>   read /vsigzip/<gz> from start to end in 1 MiB
 *                            chunks (then check a sample against <plain>)
 * The archives come from make_archives.py (seeded). Results go to stdout as
 * `metric <name> <value> <unit>`; diagnostics to stderr. MB = 1e6 bytes;
 * peak RSS is getrusage's ru_maxrss converted to MB.
 */
#define _GNU_SOURCE

#ifdef VSI_RS
#include "cpl_vsi_rs.h"
#else
#include "cpl_conv.h"
#include "cpl_string.h"
#include "cpl_vsi.h"
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

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
    printf("metric %s %.3f %s\n", name, value, unit);
    fflush(stdout);
}

static void die(const char *what, const char *path)
{
    fprintf(stderr, "bench_archive: %s failed%s%s\n", what, path ? ": " : "", path ? path : "");
    exit(1);
}

/* ---- zip and tar: listing, random stats, reading a deflated member ---- */

/* `/vsizip/<archive>` or `/vsitar/<archive>`, plus an inner name. */
static void archive_path(char *out, size_t n, const char *kind, const char *archive, const char *inner)
{
    snprintf(out, n, "/vsi%s/%s%s%s", kind, archive, inner ? "/" : "", inner ? inner : "");
}

static void bench_list(const char *kind, const char *archive)
{
    char root[4096], name[64];
    archive_path(root, sizeof(root), kind, archive, NULL);
    double t0 = now_s();
    char **list = VSIReadDir(root);
    double t = now_s() - t0;
    int count = CSLCount(list);
    CSLDestroy(list);
    if (count < 2)
        die("VSIReadDir", root);
    fprintf(stderr, "%s: %d names\n", root, count);
    snprintf(name, sizeof(name), "%s_open_list", kind);
    metric(name, t, "s");
    snprintf(name, sizeof(name), "%s_list_peak_rss", kind);
    metric(name, peak_rss_mb(), "MB");
}

static void bench_stat(const char *kind, const char *archive, double secs)
{
    char root[4096], path[4200], name[64];
    archive_path(root, sizeof(root), kind, archive, NULL);
    char **list = VSIReadDir(root);
    int members = 0;
    for (int i = 0; list && list[i]; i++)
        if (strncmp(list[i], "f", 1) == 0)
            members++;
    CSLDestroy(list);
    if (members == 0)
        die("VSIReadDir", root);
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    VSIStatBufL st;
    long long done = 0, size_sum = 0;
    double t0 = now_s(), t = 0;
    while (t < secs) {
        for (int k = 0; k < 256; k++) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            int i = (int)((rng >> 33) % (uint64_t)members);
            snprintf(path, sizeof(path), "%s/f%06d.txt", root, i);
            if (VSIStatL(path, &st) != 0)
                die("VSIStatL", path);
            size_sum += st.st_size;
        }
        done += 256;
        t = now_s() - t0;
    }
    fprintf(stderr, "%s: %lld stats in %.2f s (sizes %lld)\n", root, done, t, size_sum);
    snprintf(name, sizeof(name), "%s_stat_random", kind);
    metric(name, (double)done / t, "stat/s");
    snprintf(name, sizeof(name), "%s_stat_peak_rss", kind);
    metric(name, peak_rss_mb(), "MB");
}

static void bench_read(const char *kind, const char *archive, const char *member)
{
    char path[4096], name[64];
    archive_path(path, sizeof(path), kind, archive, member);
    size_t chunk = (size_t)1 << 20;
    unsigned char *buf = malloc(chunk);
    if (!buf)
        die("malloc", NULL);
    double t0 = now_s();
    VSILFILE *fp = VSIFOpenL(path, "rb");
    if (!fp)
        die("VSIFOpenL", path);
    uint64_t total = 0, sum = 0;
    size_t n;
    while ((n = VSIFReadL(buf, 1, chunk, fp)) > 0) {
        for (size_t i = 0; i < n; i += 4096)
            sum += buf[i];
        total += n;
        if (n < chunk)
            break;
    }
    VSIFCloseL(fp);
    double t = now_s() - t0;
    free(buf);
    if (total == 0)
        die("VSIFReadL", path);
    fprintf(stderr, "%s: %llu bytes in %.2f s (sum %llu)\n", path, (unsigned long long)total, t,
            (unsigned long long)sum);
    snprintf(name, sizeof(name), "%s_read_deflated", kind);
    metric(name, (double)total / 1e6 / t, "MB/s");
    snprintf(name, sizeof(name), "%s_read_peak_rss", kind);
    metric(name, peak_rss_mb(), "MB");
}

/* Runs the zip/tar workload `w`; 0 when `w` is none of them. */
static int archive_workload(const char *w, int argc, char **argv)
{
    const char *kind = strncmp(w, "zip_", 4) == 0 ? "zip" : strncmp(w, "tar_", 4) == 0 ? "tar" : NULL;
    if (!kind)
        return 0;
    if (argc < 3)
        die("usage: bench_archive <workload> <archive> [arg]", NULL);
    double secs = argc > 3 ? atof(argv[3]) : 3.0;
    if (strcmp(w + 4, "list") == 0)
        bench_list(kind, argv[2]);
    else if (strcmp(w + 4, "stat") == 0)
        bench_stat(kind, argv[2], secs);
    else if (strcmp(w + 4, "read") == 0)
        bench_read(kind, argv[2], "big.bin");
    else
        return 0;
    return 1;
}

/* ---- gzip: generating the text, random and sequential reads ---- */

/* Seeded text: lines of 14 words from a 4,096-word vocabulary, each line a
 * copy of one of the 256 previous ones with about one word in five
 * replaced, and a number. Repetition within deflate's 32 KiB window makes
 * it compress to about 22% with gzip -6, like plain text of a small
 * vocabulary. */
static void gzip_gen(unsigned long long total)
{
    enum { NW = 4096, RECENT = 256, LW = 14 };
    static char words[NW][12];
    static int len[NW], lines[RECENT][LW];
    static char buf[1 << 16];
    uint64_t s = 0x9E3779B97F4A7C15ull;
#define GEN_NEXT() (s ^= s << 13, s ^= s >> 7, s ^= s << 17, s)
    for (int i = 0; i < NW; i++) {
        len[i] = 2 + (int)(GEN_NEXT() % 8);
        for (int j = 0; j < len[i]; j++)
            words[i][j] = (char)('a' + GEN_NEXT() % 26);
    }
    for (int i = 0; i < RECENT; i++)
        for (int k = 0; k < LW; k++)
            lines[i][k] = (int)(GEN_NEXT() % NW);
    size_t n = 0;
    unsigned long long done = 0;
    unsigned cur = 0;
    while (done < total) {
        uint64_t r = GEN_NEXT();
        int line[LW];
        memcpy(line, lines[(r >> 8) % RECENT], sizeof(line));
        for (int k = 0; k < LW; k++)
            if (GEN_NEXT() % 1000 < 200)
                line[k] = (int)(GEN_NEXT() % NW);
        memcpy(lines[cur++ % RECENT], line, sizeof(line));
        for (int k = 0; k < LW; k++) {
            memcpy(buf + n, words[line[k]], (size_t)len[line[k]]);
            n += (size_t)len[line[k]];
            buf[n++] = ' ';
        }
        n += (size_t)sprintf(buf + n, "%u\n", (unsigned)((r >> 40) % 1000));
        if (n > sizeof(buf) - 1024 || done + n >= total) {
            size_t w = n;
            if (done + w > total)
                w = (size_t)(total - done);
            if (fwrite(buf, 1, w, stdout) != w)
                die("fwrite", NULL);
            done += w;
            n = 0;
        }
    }
#undef GEN_NEXT
}

static FILE *open_plain(const char *plain)
{
    FILE *f = fopen(plain, "rb");
    if (!f)
        die("fopen", plain);
    return f;
}

static void gzip_random(const char *gz, const char *plain, int count)
{
    char path[4096];
    snprintf(path, sizeof(path), "/vsigzip/%s", gz);
    /* Both libraries decode the whole file once to learn its size (no
     * .properties file: run.sh removes it and this disables writing it). */
    CPLSetConfigOption("CPL_VSIL_GZIP_WRITE_PROPERTIES", "NO");
    VSIStatBufL st;
    double t0 = now_s();
    if (VSIStatL(path, &st) != 0 || st.st_size < 4096)
        die("VSIStatL", path);
    metric("gzip_stat_decode", now_s() - t0, "s");
    FILE *f = open_plain(plain);
    VSILFILE *fp = VSIFOpenL(path, "rb");
    if (!fp)
        die("VSIFOpenL", path);
    uint64_t size = (uint64_t)st.st_size, rng = 0x2545F4914F6CDD1Dull;
    unsigned char got[4096], want[4096];
    double busy = 0;
    for (int i = 0; i < count; i++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t off = (rng >> 11) % (size - sizeof(got) + 1);
        double t1 = now_s();
        if (VSIFSeekL(fp, off, SEEK_SET) != 0 || VSIFReadL(got, 1, sizeof(got), fp) != sizeof(got))
            die("VSIFReadL", path);
        busy += now_s() - t1;
        if (fseeko(f, (off_t)off, SEEK_SET) != 0 || fread(want, 1, sizeof(want), f) != sizeof(want) ||
            memcmp(got, want, sizeof(got)) != 0)
            die("comparing with the uncompressed file", plain);
    }
    VSIFCloseL(fp);
    fclose(f);
    fprintf(stderr, "%s: %d random 4 KiB reads in %.2f s\n", path, count, busy);
    metric("gzip_random_4k", count / busy, "read/s");
    metric("gzip_random_peak_rss", peak_rss_mb(), "MB");
}

static void gzip_seq(const char *gz, const char *plain)
{
    char path[4096];
    snprintf(path, sizeof(path), "/vsigzip/%s", gz);
    size_t chunk = (size_t)1 << 20;
    unsigned char *buf = malloc(chunk);
    if (!buf)
        die("malloc", NULL);
    double t0 = now_s();
    VSILFILE *fp = VSIFOpenL(path, "rb");
    if (!fp)
        die("VSIFOpenL", path);
    uint64_t total = 0, sum = 0;
    size_t n;
    while ((n = VSIFReadL(buf, 1, chunk, fp)) > 0) {
        for (size_t i = 0; i < n; i += 4096)
            sum += buf[i] * (total + i);
        total += n;
        if (n < chunk)
            break;
    }
    VSIFCloseL(fp);
    double t = now_s() - t0;
    /* The same sample of the uncompressed file. */
    FILE *f = open_plain(plain);
    uint64_t ptotal = 0, psum = 0;
    while ((n = fread(buf, 1, chunk, f)) > 0) {
        for (size_t i = 0; i < n; i += 4096)
            psum += buf[i] * (ptotal + i);
        ptotal += n;
    }
    fclose(f);
    free(buf);
    if (total != ptotal || sum != psum)
        die("comparing with the uncompressed file", plain);
    fprintf(stderr, "%s: %llu bytes in %.2f s\n", path, (unsigned long long)total, t);
    metric("gzip_read_seq", (double)total / 1e6 / t, "MB/s");
    metric("gzip_seq_peak_rss", peak_rss_mb(), "MB");
}

/* Runs the gzip workload `w`; 0 when `w` is none of them. */
static int gzip_workload(const char *w, int argc, char **argv)
{
    if (strcmp(w, "gzip_gen") == 0 && argc >= 3)
        gzip_gen(strtoull(argv[2], NULL, 10));
    else if (strcmp(w, "gzip_random") == 0 && argc >= 4) {
#ifdef VSI_RS
        int count = 2000;
#else
        int count = 200;
#endif
        gzip_random(argv[2], argv[3], argc > 4 ? atoi(argv[4]) : count);
    } else if (strcmp(w, "gzip_seq") == 0 && argc >= 4)
        gzip_seq(argv[2], argv[3]);
    else
        return 0;
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s <workload> <archive> [arg]\n", argv[0]);
        return 2;
    }
    if (archive_workload(argv[1], argc, argv))
        return 0;
    if (gzip_workload(argv[1], argc, argv))
        return 0;
    fprintf(stderr, "bench_archive: unknown workload '%s'\n", argv[1]);
    return 2;
}
