/* archive_scn.h -- helpers shared by the archive scenarios (scn_zip.c,
 * scn_tar.c): fixtures into /vsimem/ or the scratch dir, and printers for
 * stat, whole-member reads, listings and positioned reads. */
#ifndef ARCHIVE_SCN_H
#define ARCHIVE_SCN_H

#include "compat.h"
#include "archive_fixtures.h"

/* A /vsimem/ file holding a copy of the fixture. */
static T_UNUSED void put(const char *path, const unsigned char *data, size_t len)
{
    GByte *copy = (GByte *)VSIMalloc(len ? len : 1);
    memcpy(copy, data, len);
    VSILFILE *fp = VSIFileFromMemBuffer(path, copy, (vsi_l_offset)len, TRUE);
    if (fp)
        VSIFCloseL(fp);
    else
        printf("put(%s) failed\n", path);
}

/* A local file in the scratch dir. */
static T_UNUSED void put_local(const char *rel, const unsigned char *data, size_t len)
{
    FILE *f = fopen(LP(rel), "wb");
    if (!f || fwrite(data, 1, len, f) != len)
        printf("put_local(%s) failed\n", rel);
    if (f)
        fclose(f);
}

#define PUT(path, fx) put(path, fx_##fx, fx_##fx##_len)

/* stat with nature, size and mtime. */
static T_UNUSED void st(const char *path)
{
    VSIStatBufL s;
    memset(&s, 0, sizeof(s));
    int r = VSIStatL(path, &s);
    printf("stat(");
    pstr(path);
    printf(") -> %d", r);
    if (r == 0)
        printf(" %s mode=0%o size=%lld mtime=%lld",
               VSI_ISDIR(s.st_mode) ? "DIR" : VSI_ISREG(s.st_mode) ? "REG" : "OTHER",
               (unsigned)s.st_mode, (long long)s.st_size, (long long)s.st_mtime);
    putchar('\n');
}

static T_UNUSED unsigned long long fnv(const unsigned char *p, size_t n)
{
    unsigned long long h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
    {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Open, read everything (in 7 KiB steps), print count, hash, head and
 * (with_eof) the EOF flag. */
static T_UNUSED void cat_ex(const char *path, int with_eof)
{
    CPLErrorReset();
    VSILFILE *fp = VSIFOpenL(path, "rb");
    printf("cat(");
    pstr(path);
    if (!fp)
    {
        printf(") -> cannot open\n");
        return;
    }
    static unsigned char buf[1 << 21];
    size_t total = 0, n;
    while (total + 7000 <= sizeof(buf) && (n = VSIFReadL(buf + total, 1, 7000, fp)) > 0)
    {
        total += n;
        if (n < 7000)
            break;
    }
    printf(") -> %zu bytes hash=%016llx", total, fnv(buf, total));
    if (with_eof)
        printf(" eof=%d", VSIFEofL(fp) ? 1 : 0);
    putchar('\n');
    textdump("head", buf, total < 40 ? total : 40);
    printf("  close -> %d\n", VSIFCloseL(fp));
}

static T_UNUSED void cat(const char *path)
{
    cat_ex(path, 1);
}

static T_UNUSED void ls(const char *path)
{
    char **l = VSIReadDir(path);
    char label[600];
    snprintf(label, sizeof(label), "VSIReadDir(%s)", path);
    show_list(label, l, 0);
}

static T_UNUSED void lsr(const char *path)
{
    char **l = VSIReadDirRecursive(path);
    char label[600];
    snprintf(label, sizeof(label), "VSIReadDirRecursive(%s)", path);
    show_list(label, l, 0);
}

static T_UNUSED void try_open(const char *path, const char *mode)
{
    CPLErrorReset();
    VSILFILE *fp = VSIFOpenL(path, mode);
    printf("open(");
    pstr(path);
    printf(", %s) -> %s\n", mode, fp ? "handle" : "NULL");
    if (fp)
        VSIFCloseL(fp);
}

/* Read `len` bytes at `off` and print them. */
static T_UNUSED void pread_show(VSILFILE *fp, vsi_l_offset off, size_t len)
{
    unsigned char buf[256];
    int s = VSIFSeekL(fp, off, SEEK_SET);
    size_t n = VSIFReadL(buf, 1, len, fp);
    printf("seek(%llu) -> %d read(%zu) -> %zu tell=%llu eof=%d\n", (unsigned long long)off, s, len, n,
           (unsigned long long)VSIFTellL(fp), VSIFEofL(fp) ? 1 : 0);
    textdump("data", buf, n);
}

#endif
