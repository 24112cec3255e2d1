/*
 * test_common.h -- shared helpers of the libvsi C API tests.
 *
 * Every test program includes this header only (plus standard C headers).
 * It is built against the installed libvsi header by default; with
 * -DVSI_TEST_GDAL it is built against GDAL's own headers (-lgdal) instead,
 * which is how the expectations of shared behaviour are checked against
 * the reference (see check-against-gdal.sh). Code that exercises a libvsi
 * extension or a deliberate libvsi choice is guarded by IS_LIBVSI.
 *
 * Checks do not stop the test function (so one run reports every broken
 * expectation); REQUIRE returns from the current test function when a later
 * step would crash without it. A program returns 1 if any check failed.
 */
#ifndef VSI_TEST_COMMON_H
#define VSI_TEST_COMMON_H

#ifdef VSI_TEST_GDAL
#include "cpl_vsi.h"
#include "cpl_vsi_error.h"
#include "cpl_error.h"
#include "cpl_conv.h"
#include "cpl_string.h"
#include "gdal_version.h"
#define IS_LIBVSI 0
/* Functions newer than the GDAL the expectations are checked against. */
#define HAVE_VSIFERRORL (GDAL_VERSION_NUM >= 3100000)
#define HAVE_VSICOPYFILE (GDAL_VERSION_NUM >= 3070000)
/* Behaviour the spec (GDAL 3.10) describes that older GDAL lacks, e.g.
 * /vsimem/ creating parent directories and refusing reads on "w"/"a"
 * handles. Compiled in for libvsi; for GDAL only when it is new enough. */
#define SPEC_NEWER_THAN_3_6 (GDAL_VERSION_NUM >= 3070000)
#define HAVE_GLOBAL_CONFIG_GETTER (GDAL_VERSION_NUM >= 3080000)
#else
#include "cpl_vsi_rs.h"
#define IS_LIBVSI 1
#define HAVE_VSIFERRORL 1
#define HAVE_VSICOPYFILE 1
#define SPEC_NEWER_THAN_3_6 1
#define HAVE_GLOBAL_CONFIG_GETTER 1
#endif

/* GDAL declares the options of VSIOpenDir, VSISync and VSICopyFile as
 * const char *const * in C (test_header_compat checks libvsi does too). */
typedef const char *const *opts_t;

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define T_UNUSED __attribute__((unused))

static int g_checks;
static int g_failures;
static const char *g_current_test = "?";

static T_UNUSED void check_failed(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static T_UNUSED void check_failed(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    g_failures++;
    fprintf(stderr, "FAIL %s:%d [%s]: ", file, line, g_current_test);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

/* CHECK(cond): records a failure, with the condition's text, if false. */
#define CHECK(cond)                                                          \
    do {                                                                     \
        g_checks++;                                                          \
        if (!(cond))                                                         \
            check_failed(__FILE__, __LINE__, "CHECK(%s)", #cond);            \
    } while (0)

/* CHECK_MSG(cond, fmt, ...): as CHECK, with an explanation. */
#define CHECK_MSG(cond, ...)                                                 \
    do {                                                                     \
        g_checks++;                                                          \
        if (!(cond))                                                         \
            check_failed(__FILE__, __LINE__, __VA_ARGS__);                   \
    } while (0)

/* Integer equality, printing both values. */
#define CHECK_INT(actual, expected)                                          \
    do {                                                                     \
        long long a_ = (long long)(actual), e_ = (long long)(expected);      \
        g_checks++;                                                          \
        if (a_ != e_)                                                        \
            check_failed(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", \
                         #actual, a_, #expected, e_);                        \
    } while (0)

#define CHECK_U64(actual, expected)                                          \
    do {                                                                     \
        unsigned long long a_ = (unsigned long long)(actual);                \
        unsigned long long e_ = (unsigned long long)(expected);              \
        g_checks++;                                                          \
        if (a_ != e_)                                                        \
            check_failed(__FILE__, __LINE__, "%s == %llu, expected %s == %llu", \
                         #actual, a_, #expected, e_);                        \
    } while (0)

/* String equality; NULL only equals NULL. */
#define CHECK_STR(actual, expected)                                          \
    do {                                                                     \
        const char *a_ = (actual), *e_ = (expected);                         \
        g_checks++;                                                          \
        if (!((a_ == NULL && e_ == NULL) ||                                  \
              (a_ != NULL && e_ != NULL && strcmp(a_, e_) == 0)))            \
            check_failed(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", \
                         #actual, a_ ? a_ : "(null)", e_ ? e_ : "(null)");   \
    } while (0)

/* Byte equality over n bytes, reporting the first difference. */
#define CHECK_MEM(actual, expected, n)                                       \
    do {                                                                     \
        const unsigned char *a_ = (const unsigned char *)(actual);           \
        const unsigned char *e_ = (const unsigned char *)(expected);         \
        size_t n_ = (size_t)(n), i_;                                         \
        g_checks++;                                                          \
        if (a_ == NULL || e_ == NULL) {                                      \
            check_failed(__FILE__, __LINE__, "%s or %s is NULL", #actual, #expected); \
        } else {                                                             \
            for (i_ = 0; i_ < n_ && a_[i_] == e_[i_]; i_++) {}               \
            if (i_ < n_)                                                     \
                check_failed(__FILE__, __LINE__,                             \
                             "%s differs from %s at byte %zu of %zu: 0x%02x vs 0x%02x", \
                             #actual, #expected, i_, n_, a_[i_], e_[i_]);    \
        }                                                                    \
    } while (0)

/* REQUIRE(cond): as CHECK, but returns from the test function on failure. */
#define REQUIRE(cond)                                                        \
    do {                                                                     \
        g_checks++;                                                          \
        if (!(cond)) {                                                       \
            check_failed(__FILE__, __LINE__, "REQUIRE(%s) -- test aborted", #cond); \
            return;                                                          \
        }                                                                    \
    } while (0)

static T_UNUSED double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define RUN(test_fn)                                                         \
    do {                                                                     \
        int before_ = g_failures;                                            \
        double start_ = now_seconds();                                       \
        g_current_test = #test_fn;                                           \
        test_fn();                                                           \
        fprintf(stderr, "%s %s (%.2f s)\n", g_failures == before_ ? "ok  " : "FAIL", #test_fn, \
                now_seconds() - start_);                                     \
    } while (0)

/* Prints the totals and gives main's exit status. */
static T_UNUSED int test_summary(const char *program)
{
    fprintf(stderr, "%s: %d checks, %d failed\n", program, g_checks, g_failures);
    return g_failures == 0 ? 0 : 1;
}

/* ------------------------------------------------------------------------ */
/* File helpers (through the API under test).                               */
/* ------------------------------------------------------------------------ */

/* Creates (or replaces) path with the n bytes of data; 0 on success. */
static T_UNUSED int put_file(const char *path, const void *data, size_t n)
{
    VSILFILE *fp = VSIFOpenL(path, "wb");
    if (fp == NULL)
        return -1;
    size_t w = n ? VSIFWriteL(data, 1, n, fp) : 0;
    int rc = VSIFCloseL(fp);
    return (w == n && rc == 0) ? 0 : -1;
}

static T_UNUSED int put_str(const char *path, const char *s)
{
    return put_file(path, s, strlen(s));
}

/* Reads the whole file into a malloc'd NUL-terminated buffer (free()), or
 * NULL; *pn receives the length. Uses open/seek/read, not VSIIngestFile. */
static T_UNUSED char *get_file(const char *path, size_t *pn)
{
    VSILFILE *fp = VSIFOpenL(path, "rb");
    if (fp == NULL)
        return NULL;
    if (VSIFSeekL(fp, 0, SEEK_END) != 0) {
        VSIFCloseL(fp);
        return NULL;
    }
    vsi_l_offset size = VSIFTellL(fp);
    VSIRewindL(fp);
    char *buf = malloc((size_t)size + 1);
    if (buf == NULL) {
        VSIFCloseL(fp);
        return NULL;
    }
    size_t r = VSIFReadL(buf, 1, (size_t)size, fp);
    VSIFCloseL(fp);
    if (r != (size_t)size) {
        free(buf);
        return NULL;
    }
    buf[size] = 0;
    if (pn)
        *pn = (size_t)size;
    return buf;
}

/* The file's content equals the NUL-terminated string s. */
static T_UNUSED int file_equals(const char *path, const char *s)
{
    size_t n = 0;
    char *got = get_file(path, &n);
    int ok = got != NULL && n == strlen(s) && memcmp(got, s, n) == 0;
    if (!ok)
        fprintf(stderr, "  note: %s holds \"%s\" (%zu bytes), expected \"%s\"\n", path,
                got ? got : "(unreadable)", n, s);
    free(got);
    return ok;
}

/* Stat helpers: -1 if the stat fails. */
static T_UNUSED long long stat_size(const char *path)
{
    VSIStatBufL st;
    if (VSIStatL(path, &st) != 0)
        return -1;
    return (long long)st.st_size;
}

static T_UNUSED int is_dir(const char *path)
{
    VSIStatBufL st;
    return VSIStatL(path, &st) == 0 && VSI_ISDIR(st.st_mode);
}

static T_UNUSED int is_file(const char *path)
{
    VSIStatBufL st;
    return VSIStatL(path, &st) == 0 && VSI_ISREG(st.st_mode);
}

static T_UNUSED int exists(const char *path)
{
    VSIStatBufL st;
    return VSIStatL(path, &st) == 0;
}

/* Whether the CSL list holds s. */
static T_UNUSED int list_has(char **list, const char *s)
{
    for (int i = 0; list && list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

static T_UNUSED int list_index(char **list, const char *s)
{
    for (int i = 0; list && list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return i;
    return -1;
}

/* Prints a CSL list on stderr (for failure diagnostics). */
static T_UNUSED void dump_list(const char *what, char **list)
{
    fprintf(stderr, "  note: %s = {", what);
    for (int i = 0; list && list[i]; i++)
        fprintf(stderr, "%s\"%s\"", i ? ", " : "", list[i]);
    fprintf(stderr, "}%s\n", list ? "" : " (NULL)");
}

/* A deterministic byte pattern for content checks. */
static T_UNUSED unsigned char pattern_byte(unsigned seed, size_t i)
{
    uint32_t x = (uint32_t)i * 2654435761u + seed * 40503u;
    return (unsigned char)(x >> 13 ^ x >> 24);
}

static T_UNUSED void fill_pattern(unsigned char *buf, size_t n, unsigned seed, size_t start)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = pattern_byte(seed, start + i);
}

/* ------------------------------------------------------------------------ */
/* Scratch directories on the local disk (made and removed with libc, not   */
/* with the API under test).                                                */
/* ------------------------------------------------------------------------ */

static char g_scratch[1024];

static T_UNUSED int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    return remove(path);
}

static T_UNUSED void remove_scratch(void)
{
    if (g_scratch[0])
        nftw(g_scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    g_scratch[0] = 0;
}

/* Makes a fresh directory under $TMPDIR (or /tmp), removed at exit. */
static T_UNUSED const char *make_scratch(const char *tag)
{
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || *tmp == 0)
        tmp = "/tmp";
    snprintf(g_scratch, sizeof g_scratch, "%s/vsi-capi-%s-XXXXXX", tmp, tag);
    if (mkdtemp(g_scratch) == NULL) {
        fprintf(stderr, "mkdtemp(%s) failed: %s\n", g_scratch, strerror(errno));
        exit(2);
    }
    atexit(remove_scratch);
    return g_scratch;
}

/* A path below the scratch directory, in a rotating static buffer. */
static T_UNUSED const char *sp(const char *rel)
{
    static char bufs[8][4096];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof bufs[0], "%s/%s", g_scratch, rel);
    return b;
}

/* Error-handler capture shared by several tests. */
#define CAPTURE_MAX 16
static struct {
    int count;
    int cls[CAPTURE_MAX];
    int num[CAPTURE_MAX];
    char msg[CAPTURE_MAX][512];
} g_cap;

static T_UNUSED void capture_reset(void)
{
    memset(&g_cap, 0, sizeof g_cap);
}

static T_UNUSED void capture_handler(CPLErr cls, CPLErrorNum num, const char *msg)
{
    if (g_cap.count < CAPTURE_MAX) {
        g_cap.cls[g_cap.count] = (int)cls;
        g_cap.num[g_cap.count] = (int)num;
        snprintf(g_cap.msg[g_cap.count], sizeof g_cap.msg[0], "%s", msg ? msg : "(null)");
    }
    g_cap.count++;
}

#endif /* VSI_TEST_COMMON_H */
