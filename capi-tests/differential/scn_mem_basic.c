/* scn_mem_basic.c -- /vsimem/ file handle semantics:
 * access modes, read/write/seek/tell/eof, short reads, zero fill past end,
 * truncate, ReadMultiRange, Printf/Putc, Flush, GetRangeStatus. */
#include "compat.h"

int main(int argc, char **argv)
{
    test_init(argc, argv);
    VSILFILE *fp = NULL;
    VSILFILE *fp2 = NULL;
    unsigned char buf[256];

    section("mode w: create, write, tell");
    fp = OPEN_MEM("/vsimem/basic/a.bin", "wb");
    write_show(fp, "0123456789");
    show_pos("after write", fp);
    SHOWI(VSIFFlushL(fp));
    /* w-only handle cannot read: 0 and (3.10: error flag) -- no EOF */
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    read_show(fp, 1, 4);
    show_pos("after read on w handle", fp);
    CLOSE(fp);
    STAT_MEM("/vsimem/basic/a.bin");

    section("mode r: read, short reads, EOF semantics");
    fp = OPEN_MEM("/vsimem/basic/a.bin", "rb");
    show_pos("fresh", fp);
    /* exact read up to EOF does not set EOF */
    read_show(fp, 1, 10);
    /* next read returns 0 and sets EOF */
    read_show(fp, 1, 1);
    /* successful seek clears EOF */
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    show_pos("after seek 0", fp);
    /* fread-style counts: nSize=3, 4 objects wanted, only 3 complete (9 of 10
     * bytes used + 1 partial byte); tell advances by all bytes (10) */
    read_show(fp, 3, 4);
    /* nSize=4 from offset 2: 8 bytes -> 2 objects, no eof */
    SHOWI(VSIFSeekL(fp, 2, SEEK_SET));
    read_show(fp, 4, 2);
    /* nSize=4 from offset 3: 7 bytes -> 1 complete, partial 3, eof */
    SHOWI(VSIFSeekL(fp, 3, SEEK_SET));
    read_show(fp, 4, 2);
    /* nSize=0 / nCount=0 -> 0, flags untouched (still eof from before) */
    read_show(fp, 0, 5);
    read_show(fp, 5, 0);
    SHOWI(VSIFSeekL(fp, 5, SEEK_SET));
    read_show(fp, 0, 5);
    show_pos("after zero-size read", fp);
    /* r handle cannot write */
    SHOWZ(VSIFWriteL("xx", 1, 2, fp));
    show_pos("after write on r handle", fp);
    SHOWI(VSIFPutcL('z', fp));
    SHOWI(VSIFPrintfL(fp, "%d", 42));
    SHOWI(VSIFTruncateL(fp, 3));
    STAT_MEM("/vsimem/basic/a.bin");
    CLOSE(fp);
    CONTENT_MEM("/vsimem/basic/a.bin");

    section("seek semantics");
    fp = OPEN_MEM("/vsimem/basic/a.bin", "rb");
    /* SEEK_END 0 -> size */
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("SEEK_END 0", fp);
    /* SEEK_CUR forward */
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    SHOWI(VSIFSeekL(fp, 3, SEEK_CUR));
    show_pos("SEEK_CUR 3", fp);
    SHOWI(VSIFSeekL(fp, 2, SEEK_CUR));
    show_pos("SEEK_CUR 2", fp);
    read_show(fp, 1, 2);
    /* backward via SEEK_SET of tell-n */
    SHOWI(VSIFSeekL(fp, VSIFTellL(fp) - 4, SEEK_SET));
    show_pos("tell-4", fp);
    read_show(fp, 1, 1);
    /* SEEK_CUR with two's complement "negative" offset wraps */
    SHOWI(VSIFSeekL(fp, (vsi_l_offset)(-2), SEEK_CUR));
    show_pos("SEEK_CUR -2 (wrapped)", fp);
    read_show(fp, 1, 1);
    /* SEEK_END with positive offset -> beyond EOF */
    SHOWI(VSIFSeekL(fp, 5, SEEK_END));
    show_pos("SEEK_END +5", fp);
    read_show(fp, 1, 1);
    /* seek far beyond EOF on read handle */
    SHOWI(VSIFSeekL(fp, 1000000, SEEK_SET));
    show_pos("SEEK_SET 1e6", fp);
    read_show(fp, 1, 1);
    /* rewind */
    VSIRewindL(fp);
    show_pos("after rewind", fp);
    read_show(fp, 2, 1);
    /* EOF then rewind clears it */
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    read_show(fp, 1, 1);
    VSIRewindL(fp);
    show_pos("rewind after eof", fp);
    /* seek to exactly end: read 0 -> eof */
    SHOWI(VSIFSeekL(fp, 10, SEEK_SET));
    show_pos("at 10", fp);
    read_show(fp, 1, 1);
    /* large offset near UINT64 max */
    SHOWI(VSIFSeekL(fp, (vsi_l_offset)0x7FFFFFFFFFFFFFFFULL, SEEK_SET));
    show_pos("at INT64_MAX", fp);
    read_show(fp, 1, 1);
    CLOSE(fp);
    /* stat unchanged after seeking far on read handle */
    STAT_MEM("/vsimem/basic/a.bin");

    section("write beyond EOF zero fills");
    fp = OPEN_MEM("/vsimem/basic/a.bin", "r+b");
    SHOWI(VSIFSeekL(fp, 14, SEEK_SET));
    write_show(fp, "XY");
    show_pos("after gap write", fp);
    STAT_MEM("/vsimem/basic/a.bin");
    SHOWI(VSIFSeekL(fp, 8, SEEK_SET));
    read_show(fp, 1, 10);
    /* r+ overwrite in the middle */
    SHOWI(VSIFSeekL(fp, 1, SEEK_SET));
    write_show(fp, "ab");
    show_pos("after overwrite", fp);
    /* read after write on same handle (no flush needed) */
    read_show(fp, 1, 3);
    CLOSE(fp);
    CONTENT_MEM("/vsimem/basic/a.bin");

    section("truncate grow / shrink / regrow");
    fp = OPEN_MEM("/vsimem/basic/a.bin", "r+b");
    SHOWI(VSIFSeekL(fp, 6, SEEK_SET));
    /* shrink: position unchanged */
    SHOWI(VSIFTruncateL(fp, 4));
    show_pos("after shrink to 4", fp);
    STAT_MEM("/vsimem/basic/a.bin");
    /* read at 6 (beyond new end) -> 0 eof */
    read_show(fp, 1, 2);
    /* grow: zero filled, old bytes must not reappear */
    SHOWI(VSIFTruncateL(fp, 12));
    show_pos("after grow to 12", fp);
    STAT_MEM("/vsimem/basic/a.bin");
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    read_show(fp, 1, 12);
    /* truncate to same size */
    SHOWI(VSIFTruncateL(fp, 12));
    /* truncate to 0 */
    SHOWI(VSIFTruncateL(fp, 0));
    STAT_MEM("/vsimem/basic/a.bin");
    show_pos("after truncate 0", fp);
    /* write at current position (12) after truncation to 0 -> zero gap */
    write_show(fp, "E");
    STAT_MEM("/vsimem/basic/a.bin");
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    read_show(fp, 1, 13);
    CLOSE(fp);

    section("mode w truncates existing");
    MAKE_MEM("/vsimem/basic/t.txt", "hello world");
    fp = OPEN_MEM("/vsimem/basic/t.txt", "w");
    STAT_MEM("/vsimem/basic/t.txt");
    show_pos("fresh w", fp);
    CLOSE(fp);
    STAT_MEM("/vsimem/basic/t.txt");

    section("mode w+: read and write");
    fp = OPEN_MEM("/vsimem/basic/wp.txt", "w+b");
    write_show(fp, "abcdef");
    SHOWI(VSIFSeekL(fp, 2, SEEK_SET));
    read_show(fp, 1, 10);
    CLOSE(fp);

    section("mode a: starts at end, honours later seeks");
    MAKE_MEM("/vsimem/basic/ap.txt", "12345");
    fp = OPEN_MEM("/vsimem/basic/ap.txt", "ab");
    show_pos("fresh a", fp);
    write_show(fp, "67");
    show_pos("after append", fp);
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    write_show(fp, "X");
    show_pos("after seek 0 write", fp);
    /* a (no +) cannot read */
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    read_show(fp, 1, 3);
    CLOSE(fp);
    CONTENT_MEM("/vsimem/basic/ap.txt");

    section("mode a+: read allowed");
    fp = OPEN_MEM("/vsimem/basic/ap.txt", "a+b");
    show_pos("fresh a+", fp);
    read_show(fp, 1, 1);
    SHOWI(VSIFSeekL(fp, 1, SEEK_SET));
    read_show(fp, 1, 3);
    write_show(fp, "!");
    CLOSE(fp);
    CONTENT_MEM("/vsimem/basic/ap.txt");

    section("mode a creates missing file (and parents)");
    fp = OPEN_MEM("/vsimem/basic/newdir/created_by_a.txt", "a");
    show_pos("fresh a on new file", fp);
    write_show(fp, "A");
    CLOSE(fp);
    STAT_MEM("/vsimem/basic/newdir");
    STAT_MEM("/vsimem/basic/newdir/created_by_a.txt");

    section("mode r+ on missing / r on missing");
    fp = OPEN_MEM("/vsimem/basic/missing.txt", "r+b");
    CLOSE(fp);
    fp = OPEN_MEM("/vsimem/basic/missing.txt", "rb");
    CLOSE(fp);
    fp = OPEN_MEM("/vsimem/basic/missing.txt", "r");
    CLOSE(fp);
    STAT_MEM("/vsimem/basic/missing.txt");

    section("modes without b");
    fp = OPEN_MEM("/vsimem/basic/nob.txt", "w");
    write_show(fp, "nob");
    CLOSE(fp);
    fp = OPEN_MEM("/vsimem/basic/nob.txt", "r+");
    read_show(fp, 1, 1);
    write_show(fp, "X");
    CLOSE(fp);
    CONTENT_MEM("/vsimem/basic/nob.txt");

    section("VSIFPrintfL / VSIFPutcL return values");
    fp = OPEN_MEM("/vsimem/basic/printf.txt", "wb");
    SHOWI(VSIFPrintfL(fp, "%s=%d;", "abc", 12345));
    SHOWI(VSIFPrintfL(fp, "%s", ""));
    SHOWI(VSIFPrintfL(fp, "%05.1f|%x|%c", 3.14159, 255, 'Q'));
    SHOWI(VSIFPutcL('A', fp));
    SHOWI(VSIFPutcL(0x141, fp)); /* written as (unsigned char)0x41 */
    SHOWI(VSIFPutcL(-1, fp));    /* written as 0xff */
    SHOWI(VSIFPutcL(0, fp));
    show_pos("after printf/putc", fp);
    {
        /* long formatted output (> typical internal buffer) */
        char big[3000];
        memset(big, 'L', sizeof(big) - 1);
        big[sizeof(big) - 1] = 0;
        SHOWI(VSIFPrintfL(fp, "[%s]", big));
    }
    SHOWI(VSIFFlushL(fp));
    CLOSE(fp);
    STAT_MEM("/vsimem/basic/printf.txt");
    fp = OPEN_MEM("/vsimem/basic/printf.txt", "rb");
    read_show(fp, 1, 36);
    CLOSE(fp);

    section("VSIFReadMultiRangeL");
    {
        fp = OPEN_MEM("/vsimem/basic/mr.bin", "w+b");
        for (int i = 0; i < 200; i++)
            buf[i] = (unsigned char)i;
        SHOWZ(VSIFWriteL(buf, 1, 200, fp));
        SHOWI(VSIFSeekL(fp, 77, SEEK_SET));
        unsigned char r1[4], r2[3], r3[5];
        void *ptrs[3] = {r1, r2, r3};
        vsi_l_offset offs[3] = {0, 10, 195};
        size_t sizes[3] = {4, 3, 5};
        memset(r1, 0, 4);
        memset(r2, 0, 3);
        memset(r3, 0, 5);
        SHOWI(VSIFReadMultiRangeL(3, ptrs, offs, sizes, fp));
        hexdump("r1", r1, 4);
        hexdump("r2", r2, 3);
        hexdump("r3", r3, 5);
        /* position restored? */
        show_pos("after multirange", fp);
        /* range crossing EOF -> failure */
        vsi_l_offset offs2[2] = {5, 198};
        size_t sizes2[2] = {2, 5};
        memset(r1, 0, 4);
        memset(r3, 0, 5);
        void *ptrs2[2] = {r1, r3};
        SHOWI(VSIFReadMultiRangeL(2, ptrs2, offs2, sizes2, fp));
        hexdump("r1", r1, 2);
        show_pos("after failed multirange", fp);
        /* zero ranges */
        SHOWI(VSIFReadMultiRangeL(0, ptrs, offs, sizes, fp));
        /* single range entirely beyond EOF */
        vsi_l_offset offs3[1] = {500};
        size_t sizes3[1] = {2};
        SHOWI(VSIFReadMultiRangeL(1, ptrs, offs3, sizes3, fp));
        show_pos("after beyond-eof multirange", fp);
        CLOSE(fp);
    }

    section("EOF flag vs write / truncate / flush");
    fp = OPEN_MEM("/vsimem/basic/eofw.bin", "w+b");
    write_show(fp, "abc");
    read_show(fp, 1, 1); /* at end: 0 + EOF */
    write_show(fp, "d"); /* does a write clear EOF? */
    show_pos("after write at eof", fp);
    read_show(fp, 1, 1);
    SHOWI(VSIFTruncateL(fp, 10));
    show_pos("after truncate with eof set", fp);
    SHOWI(VSIFFlushL(fp));
    show_pos("after flush with eof set", fp);
    read_show(fp, 1, 2); /* truncate grew file: read zeros from 4 */
    CLOSE(fp);

    section("size_t overflow in read/write");
    fp = OPEN_MEM("/vsimem/basic/ovf.bin", "w+b");
    write_show(fp, "abcdef");
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    {
        size_t half = ((size_t)-1) / 2 + 1;
        SHOWZ(VSIFReadL(buf, half, 2, fp));
        show_pos("after overflowing read", fp);
        SHOWZ(VSIFWriteL(buf, half, 2, fp));
        show_pos("after overflowing write", fp);
        /* product wraps to a small non-zero value (2) */
        size_t halfp1 = half + 1;
        SHOWZ(VSIFReadL(buf, halfp1, 2, fp));
        show_pos("after overflowing read (wraps to 2)", fp);
        SHOWZ(VSIFWriteL(buf, halfp1, 2, fp));
        show_pos("after overflowing write (wraps to 2)", fp);
    }
    CLOSE(fp);
    STAT_MEM("/vsimem/basic/ovf.bin");

    section("ReadMultiRange with unordered ranges");
    fp = OPEN_MEM("/vsimem/basic/mr.bin", "rb");
    {
        unsigned char x1[2] = {0}, x2[2] = {0};
        void *pp[2] = {x1, x2};
        vsi_l_offset oo[2] = {100, 20};
        size_t ss[2] = {2, 2};
        SHOWI(VSIFReadMultiRangeL(2, pp, oo, ss, fp));
        hexdump("x1", x1, 2);
        hexdump("x2", x2, 2);
        /* zero-size range */
        size_t zz[2] = {0, 2};
        SHOWI(VSIFReadMultiRangeL(2, pp, oo, zz, fp));
    }
    CLOSE(fp);

    section("VSIFGetRangeStatusL on /vsimem/");
    fp = OPEN_MEM("/vsimem/basic/mr.bin", "rb");
    SHOWI(VSIFGetRangeStatusL(fp, 0, 10));
    SHOWI(VSIFGetRangeStatusL(fp, 1000, 10));
    CLOSE(fp);

    section("two handles on same file share data");
    fp = OPEN_MEM("/vsimem/basic/shared.txt", "w+b");
    fp2 = OPEN_MEM("/vsimem/basic/shared.txt", "rb");
    write_show(fp, "shared!");
    /* second handle sees the data written by the first */
    read_show(fp2, 1, 10);
    SHOWI(VSIFSeekL(fp2, 0, SEEK_SET));
    SHOWI(VSIFTruncateL(fp, 3));
    read_show(fp2, 1, 10);
    /* reopening with w truncates under the reader's feet */
    {
        VSILFILE *fp3 = OPEN_MEM("/vsimem/basic/shared.txt", "wb");
        CLOSE(fp3);
    }
    SHOWI(VSIFSeekL(fp2, 0, SEEK_SET));
    read_show(fp2, 1, 10);
    CLOSE(fp2);
    CLOSE(fp);

    section("write with nSize>1 and nSize==0");
    fp = OPEN_MEM("/vsimem/basic/sz.bin", "wb");
    SHOWZ(VSIFWriteL("abcdef", 3, 2, fp));
    show_pos("after 3x2", fp);
    SHOWZ(VSIFWriteL("abcdef", 0, 2, fp));
    SHOWZ(VSIFWriteL("abcdef", 2, 0, fp));
    show_pos("after zero writes", fp);
    CLOSE(fp);
    STAT_MEM("/vsimem/basic/sz.bin");

    section("stat flags");
    show_stat_ex("\"/vsimem/basic/sz.bin\"", "/vsimem/basic/sz.bin", 1,
                 VSI_STAT_EXISTS_FLAG);
    show_stat_ex("\"/vsimem/basic/sz.bin\"", "/vsimem/basic/sz.bin", 1,
                 VSI_STAT_NATURE_FLAG);
    show_stat_ex("\"/vsimem/basic/sz.bin\"", "/vsimem/basic/sz.bin", 1,
                 VSI_STAT_SIZE_FLAG);
    show_stat_ex("\"/vsimem/basic/sz.bin\"", "/vsimem/basic/sz.bin", 1,
                 VSI_STAT_EXISTS_FLAG | VSI_STAT_NATURE_FLAG |
                     VSI_STAT_SIZE_FLAG);
    show_stat_vmode("/vsimem/basic/sz.bin");
    show_stat_vmode("/vsimem/basic");
    reset_errors();
    show_stat_ex("\"/vsimem/basic/nope\"", "/vsimem/basic/nope", 1,
                 VSI_STAT_SET_ERROR_FLAG);
    show_vsierr("stat SET_ERROR on missing");
    show_cplerr("stat SET_ERROR on missing");

    section("misc queries");
    SHOWI(VSIIsCaseSensitiveFS("/vsimem/basic/x"));
    SHOWI(VSISupportsSparseFiles("/vsimem/basic/x"));
    SHOWB(VSIGetDiskFreeSpace("/vsimem/") > 0);
    /* case sensitive keys */
    MAKE_MEM("/vsimem/basic/Case.txt", "C");
    STAT_MEM("/vsimem/basic/Case.txt");
    STAT_MEM("/vsimem/basic/case.txt");
    STAT_MEM("/vsimem/BASIC/Case.txt");

    /* cleanup */
    SHOWI(VSIRmdirRecursive("/vsimem/basic"));
    STAT_MEM("/vsimem/basic");
    (void)buf;
    return test_finish();
}
