/*
 * http_compat.h -- helpers for the scenarios that read from the test HTTP
 * server (tests/http_server/server.py). run.sh starts the server for every
 * scenario whose source contains the marker NEEDS_HTTP_SERVER and passes its
 * base URL (http://127.0.0.1:PORT) in VSIDIFF_HTTP_BASE; the files served
 * are those of tests/http_server/fixtures.py.
 *
 * Everything printed has the base URL replaced by "$BASE", so transcripts
 * do not depend on the port. Request counts are never printed: they differ
 * by design.
 */
#ifndef VSI_DIFF_HTTP_COMPAT_H
#define VSI_DIFF_HTTP_COMPAT_H

#include "compat.h"

static const char *g_base = NULL;
static size_t g_base_len = 0;

/* Prints `s` with the base URL shown as $BASE (and the scratch dir as
 * $SCRATCH, as pstr does). */
static T_UNUSED void pstr_url(const char *s)
{
    if (s == NULL)
    {
        fputs("(null)", stdout);
        return;
    }
    putchar('"');
    while (*s)
    {
        if (g_base_len && strncmp(s, g_base, g_base_len) == 0)
        {
            fputs("$BASE", stdout);
            s += g_base_len;
        }
        else if (g_scratch_len && strncmp(s, g_scratch, g_scratch_len) == 0)
        {
            fputs("$SCRATCH", stdout);
            s += g_scratch_len;
        }
        else
        {
            unsigned char c = (unsigned char)*s++;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
                putchar(c);
            else
                printf("\\x%02x", c);
        }
    }
    putchar('"');
}

static T_UNUSED void CPL_STDCALL url_handler(CPLErr eClass, CPLErrorNum no,
                                             const char *msg)
{
    printf("handler: class=%d no=%d msg=", (int)eClass, (int)no);
    pstr_url(msg);
    putchar('\n');
}

/* show_cplerr / show_vsierr of compat.h, with the base URL masked. */
static T_UNUSED void show_cplerr_url(const char *label)
{
    printf("  [%s] cplerr: type=%d no=%d msg=", label,
           (int)CPLGetLastErrorType(), (int)CPLGetLastErrorNo());
    pstr_url(CPLGetLastErrorMsg());
    putchar('\n');
}

static T_UNUSED void show_vsierr_url(const char *label)
{
    printf("  [%s] vsierr: no=%d msg=", label, (int)VSIGetLastErrorNo());
    pstr_url(VSIGetLastErrorMsg());
    putchar('\n');
}

/* test_init, plus the server's URL and the network options pinned so both
 * libraries behave deterministically. */
static T_UNUSED void http_init(int argc, char **argv)
{
    test_init(argc, argv);
    g_base = getenv("VSIDIFF_HTTP_BASE");
    if (g_base == NULL || g_base[0] == '\0')
    {
        fprintf(stderr, "VSIDIFF_HTTP_BASE is not set (run through run.sh)\n");
        exit(2);
    }
    g_base_len = strlen(g_base);
    CPLSetErrorHandler(url_handler);
    CPLSetConfigOption("GDAL_HTTP_MAX_RETRY", "0");
    CPLSetConfigOption("GDAL_HTTP_RETRY_DELAY", "0");
    CPLSetConfigOption("GDAL_HTTP_TIMEOUT", "30");
    CPLSetConfigOption("GDAL_HTTP_CONNECTTIMEOUT", "10");
    CPLSetConfigOption("GDAL_HTTP_NETRC", "NO");
    CPLSetConfigOption("GDAL_HTTP_USERPWD", NULL);
    CPLSetConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", NULL);
    CPLSetConfigOption("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", NULL);
    CPLSetConfigOption("CPL_VSIL_CURL_CHUNK_SIZE", NULL);
    CPLSetConfigOption("CPL_VSIL_CURL_CACHE_SIZE", NULL);
    CPLSetConfigOption("VSI_CACHE", NULL);
}

/* prefix + base + "/" + rel, in one of 16 rotating buffers. */
static T_UNUSED const char *U(const char *prefix, const char *rel)
{
    static char bufs[16][2048];
    static int idx = 0;
    char *b = bufs[idx];
    idx = (idx + 1) % 16;
    snprintf(b, sizeof(bufs[0]), "%s%s/%s", prefix, g_base, rel);
    return b;
}

static T_UNUSED void show_url_stat(const char *prefix, const char *rel,
                                   int flags)
{
    VSIStatBufL st;
    memset(&st, 0, sizeof(st));
    int r = VSIStatExL(U(prefix, rel), &st, flags);
    printf("stat(%s$BASE/%s, flags=%d) -> %d", prefix, rel, flags, r);
    if (r == 0)
    {
        if (VSI_ISREG(st.st_mode))
            printf(" REG size=%lld", (long long)st.st_size);
        else if (VSI_ISDIR(st.st_mode))
            printf(" DIR");
        else
            printf(" OTHER mode=%o", (unsigned)st.st_mode);
    }
    putchar('\n');
}

static T_UNUSED VSILFILE *open_url(const char *prefix, const char *rel,
                                   const char *mode)
{
    VSILFILE *fp = VSIFOpenL(U(prefix, rel), mode);
    printf("VSIFOpenL(%s$BASE/%s, \"%s\") -> %s\n", prefix, rel, mode,
           fp ? "handle" : "NULL");
    return fp;
}

static T_UNUSED void show_url_list(const char *prefix, const char *rel,
                                   int max_files)
{
    char **list = max_files > 0 ? VSIReadDirEx(U(prefix, rel), max_files)
                                : VSIReadDir(U(prefix, rel));
    printf("ReadDir(%s$BASE/%s, max=%d) -> ", prefix, rel, max_files);
    if (list == NULL)
    {
        puts("NULL");
        return;
    }
    printf("%d entries:", CSLCount(list));
    for (char **p = list; *p; p++)
    {
        putchar(' ');
        pstr_url(*p);
    }
    putchar('\n');
    CSLDestroy(list);
}

/* Reads `len` bytes at `offset`; prints the count, EOF/error flags and a
 * checksum of what came. */
static T_UNUSED size_t read_sum(VSILFILE *fp, unsigned long long offset,
                                size_t len)
{
    unsigned char *buf = malloc(len ? len : 1);
    int s = VSIFSeekL(fp, (vsi_l_offset)offset, SEEK_SET);
    size_t n = VSIFReadL(buf, 1, len, fp);
    unsigned long sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = sum * 31 + buf[i];
    printf("read(at=%llu, len=%zu) seek=%d -> %zu sum=%lu tell=%llu eof=%d\n",
           offset, len, s, n, sum, (unsigned long long)VSIFTellL(fp),
           VSIFEofL(fp) ? 1 : 0);
    free(buf);
    return n;
}

#endif /* VSI_DIFF_HTTP_COMPAT_H */
