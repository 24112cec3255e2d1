/* scn_local_large.c -- local files beyond 4 GiB (sparse, cheap) and
 * VSIFGetRangeStatusL hole/data detection, 64-bit offsets in seek/tell/stat,
 * truncate to > 4 GiB. */
#include "compat.h"

#define GIB (1024ULL * 1024ULL * 1024ULL)

int main(int argc, char **argv)
{
    test_init(argc, argv);
    VSILFILE *fp = NULL;
    int sparse = VSISupportsSparseFiles(LP(""));
    /* value depends on the scratch filesystem, identical for both builds */
    printf("VSISupportsSparseFiles(scratch) -> %d\n", sparse);
    if (!sparse)
    {
        /* never write multi-GiB files on a filesystem that may allocate
         * them for real */
        printf("(scratch filesystem not reported sparse: scenario skipped)\n");
        return test_finish();
    }

    section("write 1 byte at 5 GiB");
    fp = OPEN_LOCAL("big.bin", "wb");
    write_show(fp, "HEAD");
    SHOWI(VSIFSeekL(fp, 5 * GIB, SEEK_SET));
    show_pos("at 5GiB", fp);
    write_show(fp, "T");
    show_pos("after tail write", fp);
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("SEEK_END", fp);
    CLOSE(fp);
    STAT_LOCAL("big.bin");
    show_stat_ex("LP(\"big.bin\")", LP("big.bin"), 0, VSI_STAT_SIZE_FLAG);

    section("read around 4 GiB boundaries");
    fp = OPEN_LOCAL("big.bin", "rb");
    SHOWI(VSIFSeekL(fp, 4 * GIB - 2, SEEK_SET));
    show_pos("4GiB-2", fp);
    read_show(fp, 1, 4);
    SHOWI(VSIFSeekL(fp, 5 * GIB - 2, SEEK_SET));
    read_show(fp, 1, 8); /* 2 zero bytes, 'T', then EOF */
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("SEEK_END", fp);
    SHOWI(VSIFSeekL(fp, VSIFTellL(fp) - 1, SEEK_SET));
    read_show(fp, 1, 1);
    /* SEEK_CUR across the 32-bit boundary */
    SHOWI(VSIFSeekL(fp, 2 * GIB, SEEK_SET));
    SHOWI(VSIFSeekL(fp, 3 * GIB, SEEK_CUR));
    show_pos("2GiB + 3GiB", fp);
    read_show(fp, 1, 1);
    /* multirange across the file */
    {
        unsigned char a[4] = {0}, b[3] = {0};
        void *p[2] = {a, b};
        vsi_l_offset o[2] = {0, 5 * GIB - 2};
        size_t s[2] = {4, 3};
        SHOWI(VSIFReadMultiRangeL(2, p, o, s, fp));
        hexdump("a", a, 4);
        hexdump("b", b, 3);
    }
    CLOSE(fp);

    section("VSIFGetRangeStatusL on sparse file");
    fp = OPEN_LOCAL("big.bin", "rb");
    {
        /* first block holds data */
        SHOWI(VSIFGetRangeStatusL(fp, 0, 4));
        /* a region in the middle is a hole */
        SHOWI(VSIFGetRangeStatusL(fp, 2 * GIB, 65536));
        SHOWI(VSIFGetRangeStatusL(fp, 1 * GIB, 1 * GIB));
        /* the last byte is data */
        SHOWI(VSIFGetRangeStatusL(fp, 5 * GIB, 1));
        /* range spanning hole and data */
        SHOWI(VSIFGetRangeStatusL(fp, 4 * GIB, 1 * GIB + 1));
    }
    CLOSE(fp);

    section("truncate to > 4 GiB and back");
    fp = OPEN_LOCAL("big.bin", "r+b");
    SHOWI(VSIFTruncateL(fp, 6 * GIB + 3));
    STAT_LOCAL("big.bin");
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("SEEK_END after grow", fp);
    SHOWI(VSIFTruncateL(fp, 4 * GIB + 1));
    STAT_LOCAL("big.bin");
    SHOWI(VSIFSeekL(fp, 4 * GIB, SEEK_SET));
    read_show(fp, 1, 4);
    SHOWI(VSIFTruncateL(fp, 2));
    STAT_LOCAL("big.bin");
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    read_show(fp, 1, 4);
    CLOSE(fp);

    section("dense small file range status");
    MAKE_LOCAL("small.bin", "0123456789");
    fp = OPEN_LOCAL("small.bin", "rb");
    SHOWI(VSIFGetRangeStatusL(fp, 0, 10));
    CLOSE(fp);

    section("VSIIngestFile refuses big file with limit");
    {
        GByte *data = (GByte *)1;
        vsi_l_offset sz = 12345;
        fp = OPEN_LOCAL("big.bin", "r+b");
        SHOWI(VSIFTruncateL(fp, 5 * GIB));
        CLOSE(fp);
        SHOWI(VSIIngestFile(NULL, LP("big.bin"), &data, &sz, 1000));
        printf("  data=%s size=%llu\n", data ? "non-NULL" : "NULL",
               (unsigned long long)sz);
        VSIFree(data);
        show_cplerr("after ingest limit");
    }

    SHOWI(VSIUnlink(LP("big.bin")));
    STAT_LOCAL("big.bin");
    return test_finish();
}
