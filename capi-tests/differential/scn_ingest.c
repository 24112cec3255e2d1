/* scn_ingest.c -- VSIIngestFile (with fp, with filename, streaming mode,
 * nMaxSize limits, NUL termination, fp position afterwards) and
 * VSIOverwriteFile (grow/shrink target, missing source, mem and local). */
#include "compat.h"

static void ingest_show(const char *label, VSILFILE *fp, const char *path,
                        GIntBig nMax, int with_size)
{
    GByte *data = (GByte *)"sentinel";
    vsi_l_offset sz = 987654;
    reset_errors();
    int r = VSIIngestFile(fp, path, &data, with_size ? &sz : NULL, nMax);
    printf("VSIIngestFile(%s, max=%lld) -> %d", label, (long long)nMax, r);
    if (with_size)
        printf(" size=%llu", (unsigned long long)sz);
    printf(" data=%s\n", data ? "non-NULL" : "NULL");
    if (r && data)
    {
        size_t n = with_size ? (size_t)sz : strlen((const char *)data);
        textdump("data", data, n);
        printf("  NUL terminated: %s\n", data[n] == 0 ? "yes" : "no");
    }
    if (data && strcmp((const char *)data, "sentinel") != 0)
        VSIFree(data);
    else if (data)
        printf("  (data pointer untouched)\n");
    show_cplerr("ingest");
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    VSILFILE *fp = NULL;

    section("ingest by filename: /vsimem/");
    MAKE_MEM("/vsimem/in/ten.txt", "0123456789");
    ingest_show("NULL, ten.txt", NULL, "/vsimem/in/ten.txt", -1, 1);
    ingest_show("NULL, ten.txt", NULL, "/vsimem/in/ten.txt", 0, 1);
    ingest_show("NULL, ten.txt", NULL, "/vsimem/in/ten.txt", 9, 1);
    ingest_show("NULL, ten.txt", NULL, "/vsimem/in/ten.txt", 10, 1);
    ingest_show("NULL, ten.txt", NULL, "/vsimem/in/ten.txt", 11, 1);
    ingest_show("NULL, ten.txt (no size ptr)", NULL, "/vsimem/in/ten.txt", -1,
                0);
    MAKE_MEM("/vsimem/in/empty.txt", "");
    ingest_show("NULL, empty.txt", NULL, "/vsimem/in/empty.txt", -1, 1);
    ingest_show("NULL, empty.txt", NULL, "/vsimem/in/empty.txt", 0, 1);
    ingest_show("NULL, missing", NULL, "/vsimem/in/missing.txt", -1, 1);
    SHOWI(VSIMkdir("/vsimem/in/dir", 0755));
    ingest_show("NULL, dir", NULL, "/vsimem/in/dir", -1, 1);

    section("ingest by filename: local");
    MAKE_LOCAL("ten.txt", "abcdefghij");
    ingest_show("NULL, LP(ten.txt)", NULL, LP("ten.txt"), -1, 1);
    ingest_show("NULL, LP(ten.txt)", NULL, LP("ten.txt"), 5, 1);
    ingest_show("NULL, LP(missing)", NULL, LP("missing"), -1, 1);

    section("ingest with an open fp");
    fp = OPEN_MEM("/vsimem/in/ten.txt", "rb");
    SHOWI(VSIFSeekL(fp, 4, SEEK_SET));
    /* fp is rewound first; filename only used for messages */
    ingest_show("fp, ten.txt", fp, "/vsimem/in/ten.txt", -1, 1);
    show_pos("fp after ingest", fp);
    ingest_show("fp, ten.txt", fp, "/vsimem/in/ten.txt", 3, 1);
    show_pos("fp after refused ingest", fp);
    /* NULL filename -> streaming mode */
    SHOWI(VSIFSeekL(fp, 7, SEEK_SET));
    ingest_show("fp, NULL", fp, NULL, -1, 1);
    show_pos("fp after streaming ingest", fp);
    ingest_show("fp, NULL", fp, NULL, 4, 1);
    ingest_show("fp, NULL", fp, NULL, 10, 1);
    CLOSE(fp);
    fp = OPEN_LOCAL("ten.txt", "rb");
    ingest_show("fp(local), NULL", fp, NULL, -1, 1);
    ingest_show("fp(local), name", fp, LP("ten.txt"), -1, 1);
    CLOSE(fp);

    section("ingest large streaming content (> 8192 chunk)");
    {
        fp = OPEN_MEM("/vsimem/in/big.bin", "wb");
        for (int i = 0; i < 20000; i++)
        {
            unsigned char c = (unsigned char)(i * 7);
            VSIFWriteL(&c, 1, 1, fp);
        }
        CLOSE(fp);
        fp = OPEN_MEM("/vsimem/in/big.bin", "rb");
        GByte *data = NULL;
        vsi_l_offset sz = 0;
        SHOWI(VSIIngestFile(fp, NULL, &data, &sz, -1));
        printf("  size=%llu\n", (unsigned long long)sz);
        int ok = 1;
        for (int i = 0; data && i < 20000; i++)
            if (data[i] != (unsigned char)(i * 7))
                ok = 0;
        printf("  content ok=%d nul=%d\n", ok, data ? data[sz] == 0 : -1);
        VSIFree(data);
        data = NULL;
        SHOWI(VSIIngestFile(fp, NULL, &data, &sz, 10000));
        printf("  size=%llu data=%s\n", (unsigned long long)sz,
               data ? "non-NULL" : "NULL");
        VSIFree(data);
        show_cplerr("streaming over limit");
        data = NULL;
        SHOWI(VSIIngestFile(NULL, "/vsimem/in/big.bin", &data, &sz, 19999));
        printf("  size=%llu data=%s\n", (unsigned long long)sz,
               data ? "non-NULL" : "NULL");
        VSIFree(data);
        data = NULL;
        SHOWI(VSIIngestFile(NULL, "/vsimem/in/big.bin", &data, &sz, 20000));
        printf("  size=%llu data=%s\n", (unsigned long long)sz,
               data ? "non-NULL" : "NULL");
        VSIFree(data);
        CLOSE(fp);
    }

    section("VSIOverwriteFile");
    MAKE_MEM("/vsimem/ow/src_short.txt", "SHORT");
    MAKE_MEM("/vsimem/ow/src_long.txt", "a much longer source content");
    MAKE_MEM("/vsimem/ow/target.txt", "original target content here");
    fp = OPEN_MEM("/vsimem/ow/target.txt", "rb+");
    SHOWI(VSIFSeekL(fp, 3, SEEK_SET));
    SHOWI(VSIOverwriteFile(fp, "/vsimem/ow/src_short.txt"));
    show_pos("target after overwrite(short)", fp);
    STAT_MEM("/vsimem/ow/target.txt");
    SHOWI(VSIOverwriteFile(fp, "/vsimem/ow/src_long.txt"));
    show_pos("target after overwrite(long)", fp);
    STAT_MEM("/vsimem/ow/target.txt");
    reset_errors();
    SHOWI(VSIOverwriteFile(fp, "/vsimem/ow/missing.txt"));
    show_cplerr("overwrite missing source");
    STAT_MEM("/vsimem/ow/target.txt");
    /* empty source truncates the target to 0 */
    MAKE_MEM("/vsimem/ow/empty.txt", "");
    SHOWI(VSIOverwriteFile(fp, "/vsimem/ow/empty.txt"));
    STAT_MEM("/vsimem/ow/target.txt");
    CLOSE(fp);
    CONTENT_MEM("/vsimem/ow/target.txt");
    /* larger than a 4096 chunk */
    {
        VSILFILE *s = OPEN_MEM("/vsimem/ow/src_big.bin", "wb");
        for (int i = 0; i < 10000; i++)
            VSIFPutcL('a' + i % 26, s);
        CLOSE(s);
    }
    fp = OPEN_MEM("/vsimem/ow/target.txt", "rb+");
    SHOWI(VSIOverwriteFile(fp, "/vsimem/ow/src_big.bin"));
    STAT_MEM("/vsimem/ow/target.txt");
    CLOSE(fp);
    /* target opened read-only: writes fail */
    fp = OPEN_MEM("/vsimem/ow/target.txt", "rb");
    reset_errors();
    SHOWI(VSIOverwriteFile(fp, "/vsimem/ow/src_short.txt"));
    show_cplerr("overwrite into read-only");
    CLOSE(fp);
    STAT_MEM("/vsimem/ow/target.txt");
    /* local target from a /vsimem/ source */
    MAKE_LOCAL("target.txt", "local target that is long");
    fp = OPEN_LOCAL("target.txt", "rb+");
    SHOWI(VSIOverwriteFile(fp, "/vsimem/ow/src_short.txt"));
    CLOSE(fp);
    STAT_LOCAL("target.txt");
    CONTENT_LOCAL("target.txt");
    /* local source into /vsimem/ target */
    fp = OPEN_MEM("/vsimem/ow/target.txt", "rb+");
    SHOWI(VSIOverwriteFile(fp, LP("ten.txt")));
    CLOSE(fp);
    CONTENT_MEM("/vsimem/ow/target.txt");

    return test_finish();
}
