/* scn_cache.c -- VSI_CACHE=YES on local files: reads of every alignment
 * through the block cache, EOF and seek semantics, partial objects, reads
 * across the end, the size taken at open, and write refusal. */
#include "compat.h"

static void make_pattern(const char *rel, size_t len)
{
    VSILFILE *fp = VSIFOpenL(LP(rel), "wb");
    for (size_t i = 0; i < len; i++)
    {
        unsigned char c = (unsigned char)(i * 31 % 251);
        VSIFWriteL(&c, 1, 1, fp);
    }
    VSIFCloseL(fp);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    make_pattern("pat.bin", 100000);

    section("VSI_CACHE=YES, VSI_CACHE_SIZE small");
    CPLSetConfigOption("VSI_CACHE", "YES");
    CPLSetConfigOption("VSI_CACHE_SIZE", "100000");
    VSILFILE *fp = OPEN_LOCAL("pat.bin", "rb");
    CPLSetConfigOption("VSI_CACHE", NULL);
    show_pos("fresh", fp);
    read_show(fp, 1, 16);
    SHOWI(VSIFSeekL(fp, 32760, SEEK_SET));
    read_show(fp, 1, 16); /* across a 32 KiB block boundary */
    SHOWI(VSIFSeekL(fp, 65530, SEEK_SET));
    read_show(fp, 4, 4);
    SHOWI(VSIFSeekL(fp, 99990, SEEK_SET));
    read_show(fp, 4, 4); /* 10 bytes left: 2 whole objects, EOF */
    SHOWI(VSIFEofL(fp));
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("SEEK_END", fp);
    read_show(fp, 1, 1);
    SHOWI(VSIFSeekL(fp, 200000, SEEK_SET));
    show_pos("past end", fp);
    read_show(fp, 1, 1);
    SHOWI(VSIFSeekL(fp, 5, SEEK_SET));
    SHOWI(VSIFSeekL(fp, 3, SEEK_CUR));
    read_show(fp, 1, 4);
    SHOWZ(VSIFWriteL("x", 1, 1, fp));

    section("file grows after open: cached size is kept");
    VSILFILE *w = OPEN_LOCAL("pat.bin", "ab");
    write_show(w, "MORE");
    CLOSE(w);
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("SEEK_END after growth", fp);
    CLOSE(fp);

    section("large read, bigger than the cache");
    CPLSetConfigOption("VSI_CACHE", "YES");
    CPLSetConfigOption("VSI_CACHE_SIZE", "40000");
    fp = OPEN_LOCAL("pat.bin", "rb");
    CPLSetConfigOption("VSI_CACHE", NULL);
    CPLSetConfigOption("VSI_CACHE_SIZE", NULL);
    unsigned char *buf = malloc(100010);
    size_t n = VSIFReadL(buf, 1, 100010, fp);
    unsigned long sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = sum * 31 + buf[i];
    printf("read all -> %zu bytes, checksum %lu, eof=%d\n", n, sum, VSIFEofL(fp));
    free(buf);
    CLOSE(fp);

    section("modes other than r/rb are not cached (writes work)");
    CPLSetConfigOption("VSI_CACHE", "YES");
    fp = OPEN_LOCAL("pat.bin", "r+b");
    CPLSetConfigOption("VSI_CACHE", NULL);
    write_show(fp, "AB");
    CLOSE(fp);
    return test_finish();
}
