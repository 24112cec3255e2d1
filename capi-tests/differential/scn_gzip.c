/* scn_gzip.c -- /vsigzip/: reading (sequential, seeks back and forth,
 * SEEK_END, fread-style counts, EOF), stat with and without the size flag,
 * the .properties sidecar, concatenated members and header flags, damaged
 * files (CRC, size, truncation, garbage, bad headers, bad blocks), writing
 * (GDAL's header, the trailer, zlib mode, seeks and reads on a write handle,
 * w+), chaining over /vsimem/, /vsisubfile/ and local files, path operations
 * that are refused, and seeded random reads on a larger file. */
#include "compat.h"
#include "gzip_fixtures.h"

static void put(const char *path, const unsigned char *data, size_t len)
{
    GByte *copy = (GByte *)VSIMalloc(len ? len : 1);
    memcpy(copy, data, len);
    VSILFILE *fp = VSIFileFromMemBuffer(path, copy, (vsi_l_offset)len, TRUE);
    if (fp)
        VSIFCloseL(fp);
    else
        printf("put(%s) failed\n", path);
}
#define PUT(path, fx) put(path, fx_##fx, fx_##fx##_len)

static unsigned long long fnv(const unsigned char *p, size_t n, unsigned long long h)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

/* Reads the whole file in 1000-byte pieces: bytes, checksum, flags. */
static void read_all(const char *path)
{
    VSILFILE *fp = VSIFOpenL(path, "rb");
    printf("read_all(");
    pstr(path);
    if (!fp)
    {
        printf(") -> cannot open\n");
        return;
    }
    unsigned char buf[1000];
    unsigned long long h = 14695981039346656037ULL, total = 0;
    size_t n;
    while ((n = VSIFReadL(buf, 1, sizeof(buf), fp)) > 0)
    {
        h = fnv(buf, n, h);
        total += n;
        if (n < sizeof(buf))
            break;
    }
    printf(") -> %llu bytes fnv=%016llx eof=%d\n", total, h, VSIFEofL(fp));
    VSIFCloseL(fp);
}

/* One read of `n` bytes at `off` on an open handle. */
static void read_at(VSILFILE *fp, vsi_l_offset off, size_t n)
{
    unsigned char buf[4096];
    memset(buf, 0xEE, sizeof(buf));
    if (n > sizeof(buf))
        n = sizeof(buf);
    int s = VSIFSeekL(fp, off, SEEK_SET);
    size_t r = VSIFReadL(buf, 1, n, fp);
    printf("seek %llu -> %d; read %zu -> %zu tell=%llu eof=%d\n",
           (unsigned long long)off, s, n, r, (unsigned long long)VSIFTellL(fp),
           VSIFEofL(fp));
    textdump("buf", buf, r < 48 ? r : 48);
}

static void stat_flags(const char *path, int flags)
{
    VSIStatBufL st;
    memset(&st, 0, sizeof(st));
    int r = VSIStatExL(path, &st, flags);
    printf("VSIStatExL(");
    pstr(path);
    printf(", %d) -> %d", flags, r);
    if (r == 0)
        printf(" %s size=%lld", VSI_ISREG(st.st_mode) ? "REG" : VSI_ISDIR(st.st_mode) ? "DIR" : "OTHER",
               (long long)st.st_size);
    putchar('\n');
}

/* Prints the first and last bytes of a /vsimem/ file. */
static void show_ends(const char *path, size_t head, size_t tail)
{
    vsi_l_offset len = 0;
    GByte *p = VSIGetMemFileBuffer(path, &len, FALSE);
    if (!p)
    {
        printf("show_ends(%s) -> no such file\n", path);
        return;
    }
    printf("%s:\n", path);
    hexdump("head", p, len < head ? (size_t)len : head);
    if (len >= tail)
        hexdump("tail", p + len - tail, tail);
}

/* What a damaged file does: open, one big read, flags, last error, stat. */
static void damaged(const char *label, const char *path)
{
    printf("--- %s\n", label);
    reset_errors();
    VSILFILE *fp = VSIFOpenL(path, "rb");
    printf("open -> %s\n", fp ? "handle" : "NULL");
    if (fp)
    {
        static unsigned char buf[30000];
        size_t r = VSIFReadL(buf, 1, sizeof(buf), fp);
        printf("read 30000 -> %zu eof=%d\n", r, VSIFEofL(fp));
        r = VSIFReadL(buf, 1, 10, fp);
        printf("read again -> %zu\n", r);
        VSIFCloseL(fp);
    }
    reset_errors();
    stat_flags(path, 0);
}

/* Deterministic text, as a larger file to write and read back. */
static unsigned char *make_text(size_t n)
{
    static const char *words[] = {"lorem ", "ipsum ", "dolor\n", "sit ", "amet ",
                                  "gdal ", "raster ", "17 ", "vsi ", "zip "};
    unsigned char *p = (unsigned char *)malloc(n);
    unsigned long long s = 88172645463325252ULL;
    size_t i = 0;
    while (i < n)
    {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        const char *w = words[s % 10];
        for (; *w && i < n; w++)
            p[i++] = (unsigned char)*w;
    }
    return p;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    VSILFILE *fp = NULL;
    CPLSetConfigOption("CPL_VSIL_GZIP_WRITE_PROPERTIES", "NO");

    section("reading a small file");
    PUT("/vsimem/gz/hello.gz", hello_gz);
    fp = OPEN_MEM("/vsigzip//vsimem/gz/hello.gz", "rb");
    show_pos("fresh", fp);
    read_show(fp, 1, 10);
    read_show(fp, 5, 4);
    show_pos("after reads", fp);
    /* backward, forward, past the end */
    SHOWI(VSIFSeekL(fp, 3, SEEK_SET));
    read_show(fp, 1, 6);
    SHOWI(VSIFSeekL(fp, 20, SEEK_CUR));
    read_show(fp, 1, 6);
    SHOWI(VSIFSeekL(fp, (vsi_l_offset)-10, SEEK_CUR));
    show_pos("SEEK_CUR -10", fp);
    read_show(fp, 1, 4);
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("SEEK_END", fp);
    read_show(fp, 1, 4);
    SHOWI(VSIFSeekL(fp, 1000, SEEK_SET));
    show_pos("seek 1000", fp);
    read_show(fp, 1, 4);
    SHOWI(VSIFSeekL(fp, 45, SEEK_SET));
    /* a read crossing the end: short count, EOF */
    read_show(fp, 1, 10);
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    /* exactly to the end: no EOF yet */
    read_show(fp, 1, 51);
    read_show(fp, 1, 1);
    SHOWI(VSIFSeekL(fp, 44, SEEK_SET));
    read_show(fp, 4, 2);
    VSIRewindL(fp);
    show_pos("rewind", fp);
    reset_errors();
    SHOWZ(VSIFWriteL("x", 1, 1, fp));
    show_cplerr("write on a read handle");
    SHOWI(VSIFFlushL(fp));
    CLOSE(fp);

    section("stat");
    stat_flags("/vsigzip//vsimem/gz/hello.gz", VSI_STAT_EXISTS_FLAG);
    stat_flags("/vsigzip//vsimem/gz/hello.gz", VSI_STAT_SIZE_FLAG);
    stat_flags("/vsigzip//vsimem/gz/hello.gz", 0);
    stat_flags("/vsigzip//vsimem/gz/missing.gz", 0);
    stat_flags("/vsigzip//vsimem/gz/missing.gz", VSI_STAT_EXISTS_FLAG);
    PUT("/vsimem/gz/plain.txt", plain_txt);
    stat_flags("/vsigzip//vsimem/gz/plain.txt", VSI_STAT_EXISTS_FLAG);
    stat_flags("/vsigzip//vsimem/gz/plain.txt", 0);
    fp = OPEN_MEM("/vsigzip//vsimem/gz/plain.txt", "rb");
    CLOSE(fp);
    fp = OPEN_MEM("/vsigzip//vsimem/gz/missing.gz", "rb");
    CLOSE(fp);
    SHOWI(VSIMkdir("/vsimem/gz/dir", 0755));
    stat_flags("/vsigzip//vsimem/gz/dir", VSI_STAT_EXISTS_FLAG | VSI_STAT_NATURE_FLAG);
    stat_flags("/vsigzip//vsimem/gz/dir", 0);

    section("the .properties file");
    CPLSetConfigOption("CPL_VSIL_GZIP_WRITE_PROPERTIES", NULL);
    PUT("/vsimem/gz/small.gz", small_gz);
    stat_flags("/vsigzip//vsimem/gz/small.gz", 0);
    CONTENT_MEM("/vsimem/gz/small.gz.properties");
    stat_flags("/vsigzip//vsimem/gz/small.gz", 0);
    /* SEEK_END also finds the size and writes it */
    PUT("/vsimem/gz/small2.gz", small_gz);
    fp = OPEN_MEM("/vsigzip//vsimem/gz/small2.gz", "rb");
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("SEEK_END", fp);
    CLOSE(fp);
    CONTENT_MEM("/vsimem/gz/small2.gz.properties");
    /* a matching .properties is trusted by stat; reads give the real data */
    PUT("/vsimem/gz/lie.gz", hello_gz);
    MAKE_MEM("/vsimem/gz/lie.gz.properties", "compressed_size=50\nuncompressed_size=7\n");
    stat_flags("/vsigzip//vsimem/gz/lie.gz", 0);
    read_all("/vsigzip//vsimem/gz/lie.gz");
    /* one for another compressed size is ignored */
    PUT("/vsimem/gz/other.gz", hello_gz);
    MAKE_MEM("/vsimem/gz/other.gz.properties", "compressed_size=49\nuncompressed_size=7\n");
    stat_flags("/vsigzip//vsimem/gz/other.gz", 0);
    CPLSetConfigOption("CPL_VSIL_GZIP_WRITE_PROPERTIES", "NO");
    PUT("/vsimem/gz/noprops.gz", small_gz);
    stat_flags("/vsigzip//vsimem/gz/noprops.gz", 0);
    STAT_MEM("/vsimem/gz/noprops.gz.properties");

    section("members and header flags");
    PUT("/vsimem/gz/flags.gz", flags_gz);
    read_all("/vsigzip//vsimem/gz/flags.gz");
    CONTENT_MEM("/vsigzip//vsimem/gz/flags.gz");
    stat_flags("/vsigzip//vsimem/gz/flags.gz", 0);
    PUT("/vsimem/gz/multi.gz", multi_gz);
    CONTENT_MEM("/vsigzip//vsimem/gz/multi.gz");
    stat_flags("/vsigzip//vsimem/gz/multi.gz", 0);
    fp = OPEN_MEM("/vsigzip//vsimem/gz/multi.gz", "rb");
    read_at(fp, 10, 8);
    read_at(fp, 2, 4);
    read_at(fp, 26, 10);
    CLOSE(fp);
    PUT("/vsimem/gz/small.gz", small_gz);
    read_all("/vsigzip//vsimem/gz/small.gz");

    section("damaged files");
    {
        unsigned char *d = (unsigned char *)malloc(fx_small_gz_len + 16);
        size_t n = fx_small_gz_len;
        memcpy(d, fx_small_gz, n);
        d[n - 8] ^= 0xFF;
        put("/vsimem/gz/badcrc.gz", d, n);
        memcpy(d, fx_small_gz, n);
        d[n - 4] ^= 0x01;
        put("/vsimem/gz/badsize.gz", d, n);
        memcpy(d, fx_small_gz, n);
        put("/vsimem/gz/trunc.gz", d, n / 2);
        put("/vsimem/gz/notrailer.gz", d, n - 5);
        memcpy(d + n, "GARBAGE!", 8);
        put("/vsimem/gz/garbage.gz", d, n + 8);
        free(d);
    }
    PUT("/vsimem/gz/zeropad.gz", zeropad_gz);
    PUT("/vsimem/gz/reserved.gz", reserved_gz);
    PUT("/vsimem/gz/method.gz", method_gz);
    PUT("/vsimem/gz/badblock.gz", badblock_gz);
    PUT("/vsimem/gz/headeronly.gz", headeronly_gz);
    PUT("/vsimem/gz/magiconly.gz", magiconly_gz);
    put("/vsimem/gz/empty.gz", (const unsigned char *)"", 0);
    damaged("CRC mismatch", "/vsigzip//vsimem/gz/badcrc.gz");
    damaged("size mismatch", "/vsigzip//vsimem/gz/badsize.gz");
    damaged("truncated", "/vsigzip//vsimem/gz/trunc.gz");
    damaged("no trailer", "/vsigzip//vsimem/gz/notrailer.gz");
    damaged("trailing garbage", "/vsigzip//vsimem/gz/garbage.gz");
    damaged("zero padding", "/vsigzip//vsimem/gz/zeropad.gz");
    damaged("reserved flags", "/vsigzip//vsimem/gz/reserved.gz");
    damaged("method 7", "/vsigzip//vsimem/gz/method.gz");
    damaged("block type 3", "/vsigzip//vsimem/gz/badblock.gz");
    damaged("header only", "/vsigzip//vsimem/gz/headeronly.gz");
    damaged("magic only", "/vsigzip//vsimem/gz/magiconly.gz");
    damaged("empty", "/vsigzip//vsimem/gz/empty.gz");

    section("writing");
    fp = OPEN_MEM("/vsigzip//vsimem/gz/w.gz", "wb");
    show_pos("fresh", fp);
    write_show(fp, "hello ");
    write_show(fp, "compressed world\n");
    SHOWZ(VSIFWriteL("abcdef", 2, 3, fp));
    show_pos("after writes", fp);
    SHOWI(VSIFSeekL(fp, 0, SEEK_CUR));
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    SHOWI(VSIFSeekL(fp, 29, SEEK_SET));
    reset_errors();
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    show_cplerr("seek back");
    reset_errors();
    SHOWI(VSIFSeekL(fp, 1, SEEK_CUR));
    show_cplerr("seek forward");
    reset_errors();
    {
        char b[4];
        SHOWZ(VSIFReadL(b, 1, 4, fp));
    }
    show_cplerr("read on a write handle");
    SHOWI(VSIFEofL(fp));
    SHOWI(VSIFFlushL(fp));
    CLOSE(fp);
    show_ends("/vsimem/gz/w.gz", 10, 8);
    CONTENT_MEM("/vsigzip//vsimem/gz/w.gz");
    stat_flags("/vsigzip//vsimem/gz/w.gz", 0);
    fp = OPEN_MEM("/vsigzip//vsimem/gz/empty_w.gz", "wb");
    CLOSE(fp);
    show_ends("/vsimem/gz/empty_w.gz", 10, 8);
    CONTENT_MEM("/vsigzip//vsimem/gz/empty_w.gz");
    fp = OPEN_MEM("/vsigzip//vsimem/gz/z.bin", "wbz");
    write_show(fp, "zlib stream");
    CLOSE(fp);
    show_ends("/vsimem/gz/z.bin", 2, 4);
    reset_errors();
    fp = OPEN_MEM("/vsigzip//vsimem/gz/wplus.gz", "w+b");
    show_cplerr("w+");
    CLOSE(fp);
    STAT_MEM("/vsimem/gz/wplus.gz");
    /* no 'w': read mode, whatever else the access says */
    fp = OPEN_MEM("/vsigzip//vsimem/gz/hello.gz", "r+b");
    read_show(fp, 1, 5);
    CLOSE(fp);
    fp = OPEN_MEM("/vsigzip//vsimem/gz/hello.gz", "ab");
    read_show(fp, 1, 5);
    CLOSE(fp);
    fp = OPEN_MEM("/vsigzip//vsimem/nodir/x.gz", "wb");
    CLOSE(fp);

    section("chaining");
    /* a gzip inside a bigger file */
    {
        size_t n = fx_small_gz_len;
        unsigned char *d = (unsigned char *)malloc(n + 300);
        memset(d, '#', n + 300);
        memcpy(d + 100, fx_small_gz, n);
        put("/vsimem/gz/outer.bin", d, n + 300);
        free(d);
        char path[256];
        snprintf(path, sizeof(path), "/vsigzip//vsisubfile/100_%zu,/vsimem/gz/outer.bin", n);
        read_all(path);
        stat_flags(path, 0);
    }
    /* a local file, written and read back */
    {
        char path[4096];
        snprintf(path, sizeof(path), "/vsigzip/%s", LP("local.gz"));
        fp = VSIFOpenL(path, "wb");
        printf("open local for writing -> %s\n", fp ? "handle" : "NULL");
        write_show(fp, "a local gzip file\n");
        CLOSE(fp);
        CONTENT_LOCAL("local.gz.properties");
        stat_flags(path, VSI_STAT_EXISTS_FLAG);
        stat_flags(path, 0);
        fp = VSIFOpenL(path, "rb");
        read_show(fp, 1, 100);
        CLOSE(fp);
        CPLSetConfigOption("CPL_VSIL_GZIP_WRITE_PROPERTIES", NULL);
        stat_flags(path, 0);
        CONTENT_LOCAL("local.gz.properties");
        CPLSetConfigOption("CPL_VSIL_GZIP_WRITE_PROPERTIES", "NO");
    }

    section("path operations");
    LIST_AS_IS(VSIReadDir("/vsigzip//vsimem/gz"));
    LIST_AS_IS(VSIReadDir("/vsigzip//vsimem/gz/hello.gz"));
    SHOWI(VSIMkdir("/vsigzip//vsimem/gz/newdir", 0755));
    SHOWI(VSIRmdir("/vsigzip//vsimem/gz/dir"));
    SHOWI(VSIUnlink("/vsigzip//vsimem/gz/hello.gz"));
    SHOWI(VSIRename("/vsigzip//vsimem/gz/hello.gz", "/vsigzip//vsimem/gz/hello2.gz"));
    STAT_MEM("/vsimem/gz/hello.gz");
    fp = OPEN_MEM("/vsigzip/", "rb");
    CLOSE(fp);

    section("random reads on a larger file");
    {
        const size_t n = 3000000;
        unsigned char *plain = make_text(n);
        fp = VSIFOpenL("/vsigzip//vsimem/gz/big.gz", "wb");
        size_t w = 0;
        for (size_t off = 0; off < n; off += 65536)
            w += VSIFWriteL(plain + off, 1, n - off < 65536 ? n - off : 65536, fp);
        printf("wrote %zu, close -> %d\n", w, VSIFCloseL(fp));
        stat_flags("/vsigzip//vsimem/gz/big.gz", 0);
        fp = VSIFOpenL("/vsigzip//vsimem/gz/big.gz", "rb");
        unsigned long long s = 12345, h = 14695981039346656037ULL;
        int mismatches = 0;
        static unsigned char buf[70000];
        for (int i = 0; i < 300; i++)
        {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            size_t off = (size_t)((s >> 11) % (n + 1000));
            size_t len = (size_t)((s >> 3) % sizeof(buf));
            VSIFSeekL(fp, off, SEEK_SET);
            size_t r = VSIFReadL(buf, 1, len, fp);
            size_t expect = off >= n ? 0 : (n - off < len ? n - off : len);
            if (r != expect || (r && memcmp(buf, plain + off, r) != 0))
                mismatches++;
            h = fnv(buf, r, h);
        }
        printf("300 random reads: mismatches=%d fnv=%016llx\n", mismatches, h);
        SHOWI(VSIFSeekL(fp, 0, SEEK_END));
        show_pos("SEEK_END", fp);
        CLOSE(fp);
        free(plain);
        read_all("/vsigzip//vsimem/gz/big.gz");
    }

    CPLSetConfigOption("CPL_VSIL_GZIP_WRITE_PROPERTIES", NULL);
    VSIRmdirRecursive("/vsimem/gz");
    return test_finish();
}
