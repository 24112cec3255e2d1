/*
 * compat.h -- single include for the differential scenarios.
 *
 * Built twice:
 *   - against GDAL:   gcc -I/usr/include/gdal ... -lgdal
 *   - against libvsi: gcc -DVSI_RS -I$PREFIX/include ... -lvsi
 * Every scenario prints a deterministic transcript to stdout; run.sh diffs the
 * GDAL transcript with the libvsi one.
 *
 * Besides the API include, this header provides small test helpers (all
 * static, marked unused) so that scenarios only include compat.h plus
 * standard C headers.
 *
 * What cpl_vsi_rs.h must provide (C declarations identical to GDAL's):
 *   types   GByte GIntBig vsi_l_offset VSILFILE VSIStatBufL (st_mode,
 *           st_size) VSIDIR VSIDIREntry VSIRangeStatus CPLErr CPLErrorNum
 *           CPLErrorHandler CSLConstList (char ** in C)
 *   macros  TRUE FALSE VSI_ISREG VSI_ISDIR VSI_STAT_*_FLAG
 *           VSI_RANGE_STATUS_* CE_* CPLE_* VSIE_*  (CPL_STDCALL optional)
 *   funcs   VSIF*L, VSIStat(Ex)L, VSIReadDir*, VSIOpenDir/VSIGetNextDirEntry/
 *           VSICloseDir, VSIMkdir*, VSIRmdir*, VSIUnlink*, VSIRename,
 *           VSISync, VSIGetDiskFreeSpace, VSIIsCaseSensitiveFS,
 *           VSISupportsSparseFiles, VSIGetFileSystemsPrefixes,
 *           VSIFileFromMemBuffer, VSIGetMemFileBuffer, VSIIngestFile,
 *           VSIOverwriteFile, VSIMalloc/Calloc/Realloc/Free/Strdup,
 *           CPL(Get|Set)(ThreadLocal)ConfigOption, CSLDestroy, CSLCount,
 *           VSIGetLastErrorNo/Msg, VSIErrorReset, CPLError,
 *           CPLGetLastErrorNo/Type/Msg, CPLErrorReset, CPLSetErrorHandler,
 *           CPLPush/PopErrorHandler, CPLQuietErrorHandler,
 *           CPLDefaultErrorHandler
 */
#ifndef VSI_DIFF_COMPAT_H
#define VSI_DIFF_COMPAT_H

#ifdef VSI_RS
#include "cpl_vsi_rs.h"
#else
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "cpl_vsi.h"
#include "cpl_vsi_error.h"
#include "cpl_error.h"
#include "cpl_conv.h"
#include "cpl_string.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <stddef.h>

#ifndef CPL_STDCALL
#define CPL_STDCALL
#endif

#define T_UNUSED __attribute__((unused))

/* ------------------------------------------------------------------------ */
/* Scratch directory handling: paths printed never contain it.              */
/* ------------------------------------------------------------------------ */

static const char *g_scratch = NULL;
static size_t g_scratch_len = 0;

/* Print a string with every occurrence of the scratch dir replaced by
 * "$SCRATCH"; non printable bytes escaped; NULL printed as (null). */
static T_UNUSED void pstr(const char *s)
{
    if (s == NULL)
    {
        fputs("(null)", stdout);
        return;
    }
    putchar('"');
    while (*s)
    {
        if (g_scratch_len && strncmp(s, g_scratch, g_scratch_len) == 0)
        {
            fputs("$SCRATCH", stdout);
            s += g_scratch_len;
            continue;
        }
        unsigned char c = (unsigned char)*s;
        if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            printf("\\x%02x", c);
        else
            putchar(c);
        s++;
    }
    putchar('"');
}

/* Build a path inside the scratch dir (rotating static buffers). */
static T_UNUSED const char *LP(const char *rel)
{
    static char bufs[8][4096];
    static int idx = 0;
    char *b = bufs[idx];
    idx = (idx + 1) % 8;
    if (rel == NULL || rel[0] == '\0')
        snprintf(b, sizeof(bufs[0]), "%s", g_scratch);
    else
        snprintf(b, sizeof(bufs[0]), "%s/%s", g_scratch, rel);
    return b;
}

/* ------------------------------------------------------------------------ */
/* Error handler that makes every CPLError part of the transcript.          */
/* ------------------------------------------------------------------------ */

static T_UNUSED void CPL_STDCALL print_handler(CPLErr eClass, CPLErrorNum no,
                                               const char *msg)
{
    printf("handler: class=%d no=%d msg=", (int)eClass, (int)no);
    pstr(msg);
    putchar('\n');
}

static T_UNUSED void CPL_STDCALL print_handler2(CPLErr eClass, CPLErrorNum no,
                                                const char *msg)
{
    printf("handler2: class=%d no=%d msg=", (int)eClass, (int)no);
    pstr(msg);
    putchar('\n');
}

static T_UNUSED void test_init(int argc, char **argv)
{
    /* unbuffered so that a crash still leaves the transcript up to it */
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2)
    {
        fprintf(stderr, "usage: %s <scratch-dir>\n", argv[0]);
        exit(2);
    }
    g_scratch = argv[1];
    g_scratch_len = strlen(g_scratch);
    while (g_scratch_len > 1 && g_scratch[g_scratch_len - 1] == '/')
        g_scratch_len--;
    CPLSetErrorHandler(print_handler);
}

static T_UNUSED void section(const char *name)
{
    printf("\n=== %s\n", name);
}

/* last CPLError state */
static T_UNUSED void show_cplerr(const char *label)
{
    printf("  [%s] cplerr: type=%d no=%d msg=", label,
           (int)CPLGetLastErrorType(), (int)CPLGetLastErrorNo());
    pstr(CPLGetLastErrorMsg());
    putchar('\n');
}

/* last VSIError state */
static T_UNUSED void show_vsierr(const char *label)
{
    printf("  [%s] vsierr: no=%d msg=", label, (int)VSIGetLastErrorNo());
    pstr(VSIGetLastErrorMsg());
    putchar('\n');
}

static T_UNUSED void reset_errors(void)
{
    CPLErrorReset();
    VSIErrorReset();
}

/* ------------------------------------------------------------------------ */
/* Value printers.  The expression text is part of the transcript, so it    */
/* must not contain run-specific values (use LP("rel") for local paths).    */
/* ------------------------------------------------------------------------ */

#define SHOWI(expr)                                                            \
    do                                                                         \
    {                                                                          \
        int v_ = (int)(expr);                                                  \
        printf("%s -> %d\n", #expr, v_);                                       \
    } while (0)

#define SHOWZ(expr)                                                            \
    do                                                                         \
    {                                                                          \
        size_t v_ = (size_t)(expr);                                            \
        printf("%s -> %zu\n", #expr, v_);                                      \
    } while (0)

#define SHOWU(expr)                                                            \
    do                                                                         \
    {                                                                          \
        unsigned long long v_ = (unsigned long long)(expr);                    \
        printf("%s -> %llu\n", #expr, v_);                                     \
    } while (0)

#define SHOWLL(expr)                                                           \
    do                                                                         \
    {                                                                          \
        long long v_ = (long long)(expr);                                      \
        printf("%s -> %lld\n", #expr, v_);                                     \
    } while (0)

/* Print just the truth value (non-zero -> 1). */
#define SHOWB(expr)                                                            \
    do                                                                         \
    {                                                                          \
        int v_ = (expr) ? 1 : 0;                                               \
        printf("%s -> %s\n", #expr, v_ ? "true" : "false");                    \
    } while (0)

#define SHOWS(expr)                                                            \
    do                                                                         \
    {                                                                          \
        const char *v_ = (expr);                                               \
        printf("%s -> ", #expr);                                               \
        pstr(v_);                                                              \
        putchar('\n');                                                         \
    } while (0)

/* Assign a pointer result and print whether it is NULL. */
#define SHOWP(var, expr)                                                       \
    do                                                                         \
    {                                                                          \
        var = (expr);                                                          \
        printf("%s = %s -> %s\n", #var, #expr, (var) ? "non-NULL" : "NULL");   \
    } while (0)

/* Print bytes as hex, n bytes */
static T_UNUSED void hexdump(const char *label, const void *p, size_t n)
{
    const unsigned char *b = (const unsigned char *)p;
    printf("  %s[%zu]:", label, n);
    for (size_t i = 0; i < n; i++)
        printf(" %02x", b[i]);
    putchar('\n');
}

/* Print bytes as escaped text */
static T_UNUSED void textdump(const char *label, const void *p, size_t n)
{
    const unsigned char *b = (const unsigned char *)p;
    printf("  %s[%zu]: \"", label, n);
    for (size_t i = 0; i < n; i++)
    {
        if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '"' && b[i] != '\\')
            putchar(b[i]);
        else
            printf("\\x%02x", b[i]);
    }
    puts("\"");
}

/* Handle state: tell and eof */
static T_UNUSED void show_pos(const char *label, VSILFILE *fp)
{
    unsigned long long t = (unsigned long long)VSIFTellL(fp);
    int e = VSIFEofL(fp);
    printf("  [%s] tell=%llu eof=%s\n", label, t, e ? "true" : "false");
}

/* Stat a path: result, nature and size. Local dirs print no size (it is
 * filesystem dependent); pass with_dir_size=1 for virtual handlers. */
static T_UNUSED void show_stat_ex(const char *shown, const char *path,
                                  int with_dir_size, int flags)
{
    VSIStatBufL st;
    memset(&st, 0, sizeof(st));
    int r = VSIStatExL(path, &st, flags);
    printf("stat(%s, flags=%d) -> %d", shown, flags, r);
    if (r == 0)
    {
        if (VSI_ISREG(st.st_mode))
            printf(" REG size=%lld", (long long)st.st_size);
        else if (VSI_ISDIR(st.st_mode))
        {
            printf(" DIR");
            if (with_dir_size)
                printf(" size=%lld", (long long)st.st_size);
        }
        else
            printf(" OTHER");
    }
    putchar('\n');
}

/* Stat with the full mode for virtual handlers (where no permission bits are
 * expected): prints st_mode in octal. Never use on local paths. */
static T_UNUSED void show_stat_vmode(const char *path)
{
    VSIStatBufL st;
    memset(&st, 0, sizeof(st));
    int r = VSIStatL(path, &st);
    printf("statmode(");
    pstr(path);
    printf(") -> %d", r);
    if (r == 0)
        printf(" mode=0%o size=%lld", (unsigned)st.st_mode,
               (long long)st.st_size);
    putchar('\n');
}

#define STAT_MEM(path) show_stat_ex("\"" path "\"", path, 1, 0)
#define STAT_LOCAL(rel) show_stat_ex("LP(\"" rel "\")", LP(rel), 0, 0)

static int cmp_str_(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Print a CSL list (and destroy it). sort!=0 sorts a copy first. */
static T_UNUSED void show_list(const char *label, char **list, int sort)
{
    int n = CSLCount(list);
    printf("%s -> %s count=%d%s\n", label, list ? "list" : "NULL", n,
           sort ? " (sorted)" : "");
    if (list)
    {
        char **copy = (char **)malloc(sizeof(char *) * (size_t)(n + 1));
        for (int i = 0; i < n; i++)
            copy[i] = list[i];
        if (sort)
            qsort(copy, (size_t)n, sizeof(char *), cmp_str_);
        for (int i = 0; i < n; i++)
        {
            printf("  [%d] ", i);
            pstr(copy[i]);
            putchar('\n');
        }
        free(copy);
    }
    CSLDestroy(list);
}

#define LIST_AS_IS(expr) show_list(#expr, (expr), 0)
#define LIST_SORTED(expr) show_list(#expr, (expr), 1)

/* Iterate a VSIDIR; print entries (optionally sorted), then close it.
 * with_size prints size when known (only meaningful for files). */
typedef struct
{
    char *line;
} dirline_;

static T_UNUSED void show_dir(const char *label, VSIDIR *d, int sort,
                              int with_size)
{
    printf("%s -> %s\n", label, d ? "VSIDIR" : "NULL");
    if (!d)
        return;
    char **lines = NULL;
    int n = 0, cap = 0;
    const VSIDIREntry *e;
    while ((e = VSIGetNextDirEntry(d)) != NULL)
    {
        char buf[4096];
        /* nature from nMode; prefixed with "?" when bModeKnown is false */
        const char *kind;
        if (VSI_ISDIR(e->nMode))
            kind = e->bModeKnown ? "DIR" : "?DIR";
        else if (VSI_ISREG(e->nMode))
            kind = e->bModeKnown ? "REG" : "?REG";
        else if (e->nMode == 0)
            kind = e->bModeKnown ? "ZERO" : "?";
        else
            kind = e->bModeKnown ? "OTHER" : "?OTHER";
        if (with_size && e->bSizeKnown && !VSI_ISDIR(e->nMode))
            snprintf(buf, sizeof(buf), "%s %s size=%llu", e->pszName, kind,
                     (unsigned long long)e->nSize);
        else
            snprintf(buf, sizeof(buf), "%s %s", e->pszName, kind);
        if (n == cap)
        {
            cap = cap ? cap * 2 : 16;
            lines = (char **)realloc(lines, sizeof(char *) * (size_t)cap);
        }
        lines[n++] = strdup(buf);
    }
    VSICloseDir(d);
    if (sort)
        qsort(lines, (size_t)n, sizeof(char *), cmp_str_);
    printf("  entries=%d%s\n", n, sort ? " (sorted)" : "");
    for (int i = 0; i < n; i++)
    {
        printf("  - ");
        pstr(lines[i]);
        putchar('\n');
        free(lines[i]);
    }
    free(lines);
}

/* Open helper that prints the result. */
static T_UNUSED VSILFILE *open_show(const char *shown, const char *path,
                                    const char *mode)
{
    VSILFILE *fp = VSIFOpenL(path, mode);
    printf("VSIFOpenL(%s, \"%s\") -> %s\n", shown, mode,
           fp ? "handle" : "NULL");
    return fp;
}
#define OPEN_MEM(path, mode) open_show("\"" path "\"", path, mode)
#define OPEN_LOCAL(rel, mode) open_show("LP(\"" rel "\")", LP(rel), mode)

/* Close helper */
#define CLOSE(fp)                                                              \
    do                                                                         \
    {                                                                          \
        if (fp)                                                                \
        {                                                                      \
            int r_ = VSIFCloseL(fp);                                           \
            printf("VSIFCloseL(%s) -> %d\n", #fp, r_);                         \
            fp = NULL;                                                         \
        }                                                                      \
        else                                                                   \
            printf("(skip close of NULL %s)\n", #fp);                          \
    } while (0)

/* Read n items of size sz and print count, data, tell, eof */
static T_UNUSED size_t read_show(VSILFILE *fp, size_t sz, size_t cnt)
{
    unsigned char buf[8192];
    memset(buf, 0xEE, sizeof(buf));
    size_t total = sz * cnt;
    if (total > sizeof(buf))
        total = sizeof(buf);
    size_t r = VSIFReadL(buf, sz, cnt, fp);
    unsigned long long t = (unsigned long long)VSIFTellL(fp);
    int e = VSIFEofL(fp);
    printf("VSIFReadL(size=%zu, count=%zu) -> %zu tell=%llu eof=%s\n", sz, cnt,
           r, t, e ? "true" : "false");
    /* show all bytes copied to the buffer (incl. partial objects); bytes
     * never written keep the 0xEE sentinel */
    size_t shown = total < 64 ? total : 64;
    if (shown)
        hexdump("buf", buf, shown);
    return r;
}

/* Write a text and print the count */
static T_UNUSED size_t write_show(VSILFILE *fp, const char *text)
{
    size_t n = strlen(text);
    size_t r = VSIFWriteL(text, 1, n, fp);
    printf("VSIFWriteL(\"%s\", 1, %zu) -> %zu\n", text, n, r);
    return r;
}

/* Whole-file content via open/read for a path */
static T_UNUSED void show_content(const char *shown, const char *path)
{
    VSILFILE *fp = VSIFOpenL(path, "rb");
    if (!fp)
    {
        printf("content(%s) -> cannot open\n", shown);
        return;
    }
    unsigned char buf[4096];
    size_t n = VSIFReadL(buf, 1, sizeof(buf), fp);
    printf("content(%s) -> %zu bytes\n", shown, n);
    textdump("data", buf, n);
    VSIFCloseL(fp);
}
#define CONTENT_MEM(path) show_content("\"" path "\"", path)
#define CONTENT_LOCAL(rel) show_content("LP(\"" rel "\")", LP(rel))

/* Create a file with given content (result printed) */
static T_UNUSED void make_file(const char *shown, const char *path,
                               const char *content)
{
    VSILFILE *fp = VSIFOpenL(path, "wb");
    if (!fp)
    {
        printf("make_file(%s) -> open failed\n", shown);
        return;
    }
    size_t n = strlen(content);
    size_t w = VSIFWriteL(content, 1, n, fp);
    int c = VSIFCloseL(fp);
    printf("make_file(%s, %zu bytes) -> wrote %zu close %d\n", shown, n, w, c);
}
#define MAKE_MEM(path, content) make_file("\"" path "\"", path, content)
#define MAKE_LOCAL(rel, content) make_file("LP(\"" rel "\")", LP(rel), content)

static T_UNUSED int test_finish(void)
{
    printf("\n=== end\n");
    return 0;
}

#endif /* VSI_DIFF_COMPAT_H */
