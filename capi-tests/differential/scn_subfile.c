/* scn_subfile.c -- /vsisubfile/<offset>[_<size>],<path>: a window of
 * another file. Path syntax (and its failures), read/seek/tell/EOF inside
 * and at the edges of the window, fread-style counts, stat, update mode
 * clipped to the window, chaining over /vsimem/, local files and another
 * /vsisubfile/, ReadMultiRange, path operations that are refused, and
 * windows beyond 4 GiB (over a sparse local file when the scratch file
 * system supports holes). */
#include "compat.h"

#include <errno.h>

#define GIB (1024ULL * 1024ULL * 1024ULL)

/* errno after a call that GDAL documents to set it */
#define SHOW_ERRNO(label) printf("  [%s] errno=%d\n", label, errno)

static void open_close(const char *shown, const char *path, const char *mode)
{
    VSILFILE *fp = open_show(shown, path, mode);
    if (fp)
        VSIFCloseL(fp);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    VSILFILE *fp = NULL;
    char path[4096];

    MAKE_MEM("/vsimem/sub/base.bin", "0123456789ABCDEFGHIJ");

    section("bounded window: reads, EOF, counts");
    fp = OPEN_MEM("/vsisubfile/5_10,/vsimem/sub/base.bin", "rb");
    show_pos("fresh", fp);
    read_show(fp, 1, 4);
    /* crossing the end: only the remaining bytes, EOF set */
    read_show(fp, 1, 10);
    read_show(fp, 1, 1);
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    show_pos("seek 0", fp);
    /* exactly to the end: no EOF yet */
    read_show(fp, 1, 10);
    read_show(fp, 1, 1);
    /* nSize=3: 3 complete objects, one partial byte, tell at the end */
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    read_show(fp, 3, 4);
    SHOWI(VSIFSeekL(fp, 7, SEEK_SET));
    read_show(fp, 4, 1);
    CLOSE(fp);

    section("bounded window: seeks");
    fp = OPEN_MEM("/vsisubfile/5_10,/vsimem/sub/base.bin", "rb");
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("SEEK_END 0", fp);
    /* GDAL ignores the offset of SEEK_END on a bounded window */
    SHOWI(VSIFSeekL(fp, 3, SEEK_END));
    show_pos("SEEK_END 3", fp);
    SHOWI(VSIFSeekL(fp, (vsi_l_offset)(-3), SEEK_END));
    show_pos("SEEK_END -3", fp);
    SHOWI(VSIFSeekL(fp, 2, SEEK_SET));
    SHOWI(VSIFSeekL(fp, 3, SEEK_CUR));
    show_pos("2 + SEEK_CUR 3", fp);
    read_show(fp, 1, 2);
    SHOWI(VSIFSeekL(fp, (vsi_l_offset)(-4), SEEK_CUR));
    show_pos("SEEK_CUR -4", fp);
    read_show(fp, 1, 2);
    /* beyond the end: seek succeeds, read gives 0 + EOF */
    SHOWI(VSIFSeekL(fp, 100, SEEK_SET));
    show_pos("seek 100", fp);
    read_show(fp, 1, 2);
    SHOWI(VSIFSeekL(fp, 9, SEEK_SET));
    show_pos("seek 9 clears eof", fp);
    read_show(fp, 1, 2);
    VSIRewindL(fp);
    show_pos("rewind", fp);
    CLOSE(fp);

    section("unbounded windows");
    fp = OPEN_MEM("/vsisubfile/15,/vsimem/sub/base.bin", "rb");
    read_show(fp, 1, 8);
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("SEEK_END", fp);
    SHOWI(VSIFSeekL(fp, 2, SEEK_END));
    show_pos("SEEK_END 2", fp);
    CLOSE(fp);
    fp = OPEN_MEM("/vsisubfile/16_0,/vsimem/sub/base.bin", "rb");
    read_show(fp, 1, 8);
    CLOSE(fp);
    fp = OPEN_MEM("/vsisubfile/17_-1,/vsimem/sub/base.bin", "rb");
    read_show(fp, 1, 8);
    CLOSE(fp);
    /* window size running past the end of the file is clamped */
    fp = OPEN_MEM("/vsisubfile/12_100,/vsimem/sub/base.bin", "rb");
    read_show(fp, 1, 12);
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("SEEK_END clamped", fp);
    CLOSE(fp);
    /* window starting exactly at the end */
    fp = OPEN_MEM("/vsisubfile/20_5,/vsimem/sub/base.bin", "rb");
    read_show(fp, 1, 1);
    CLOSE(fp);
    /* no offset digits at all: offset 0 */
    fp = OPEN_MEM("/vsisubfile/,/vsimem/sub/base.bin", "rb");
    read_show(fp, 1, 3);
    CLOSE(fp);
    fp = OPEN_MEM("/vsisubfile/_4,/vsimem/sub/base.bin", "rb");
    read_show(fp, 1, 8);
    CLOSE(fp);
    /* a second '_' once the size is non-zero is ignored */
    fp = OPEN_MEM("/vsisubfile/2_3_4,/vsimem/sub/base.bin", "rb");
    read_show(fp, 1, 8);
    CLOSE(fp);
    /* a size of 0 followed by another '_' takes the second */
    fp = OPEN_MEM("/vsisubfile/2_0_4,/vsimem/sub/base.bin", "rb");
    read_show(fp, 1, 8);
    CLOSE(fp);
    /* leading '+' and spaces are read by strtoull */
    fp = OPEN_MEM("/vsisubfile/+3_ 2,/vsimem/sub/base.bin", "rb");
    read_show(fp, 1, 8);
    CLOSE(fp);

    section("bad paths");
    errno = 0;
    fp = OPEN_MEM("/vsisubfile/5_10/vsimem/sub/base.bin", "rb");
    SHOW_ERRNO("missing comma");
    CLOSE(fp);
    errno = 0;
    fp = OPEN_MEM("/vsisubfile/5", "rb");
    SHOW_ERRNO("no comma at all");
    CLOSE(fp);
    errno = 0;
    fp = OPEN_MEM("/vsisubfile/", "rb");
    SHOW_ERRNO("prefix only");
    CLOSE(fp);
    open_close("\"/vsisubfile\"", "/vsisubfile", "rb");
    open_close("\"/vsisubfile/0,\"", "/vsisubfile/0,", "rb");
    open_close("\"/vsisubfile/21,/vsimem/sub/base.bin\"",
               "/vsisubfile/21,/vsimem/sub/base.bin", "rb");
    open_close("\"/vsisubfile/5_5,/vsimem/sub/missing.bin\"",
               "/vsisubfile/5_5,/vsimem/sub/missing.bin", "rb");
    open_close("\"/vsisubfile/18446744073709551615_2,/vsimem/sub/base.bin\"",
               "/vsisubfile/18446744073709551615_2,/vsimem/sub/base.bin",
               "rb");
    open_close(
        "\"/vsisubfile/18446744073709551615_2,/vsimem/sub/base.bin\" r+",
        "/vsisubfile/18446744073709551615_2,/vsimem/sub/base.bin", "r+b");
    /* strtoull saturates and wraps negatives */
    open_close("\"/vsisubfile/99999999999999999999999,/vsimem/sub/base.bin\"",
               "/vsisubfile/99999999999999999999999,/vsimem/sub/base.bin",
               "rb");
    open_close("\"/vsisubfile/-3,/vsimem/sub/base.bin\"",
               "/vsisubfile/-3,/vsimem/sub/base.bin", "rb");
    reset_errors();
    fp = VSIFOpenExL("/vsisubfile/5_5,/vsimem/sub/missing.bin", "rb", TRUE);
    printf("VSIFOpenExL(missing inner, bSetError) -> %s\n",
           fp ? "handle" : "NULL");
    show_vsierr("missing inner");
    CLOSE(fp);
    reset_errors();
    fp = VSIFOpenExL("/vsisubfile/5_5/vsimem/sub/base.bin", "rb", TRUE);
    printf("VSIFOpenExL(missing comma, bSetError) -> %s\n",
           fp ? "handle" : "NULL");
    show_vsierr("missing comma");
    CLOSE(fp);

    section("stat");
    STAT_MEM("/vsisubfile/5_10,/vsimem/sub/base.bin");
    STAT_MEM("/vsisubfile/5,/vsimem/sub/base.bin");
    STAT_MEM("/vsisubfile/5_100,/vsimem/sub/base.bin");
    STAT_MEM("/vsisubfile/30,/vsimem/sub/base.bin");
    STAT_MEM("/vsisubfile/30_4,/vsimem/sub/base.bin");
    STAT_MEM("/vsisubfile/5_-1,/vsimem/sub/base.bin");
    STAT_MEM("/vsisubfile/5_10,/vsimem/sub/missing.bin");
    STAT_MEM("/vsisubfile/5_10/vsimem/sub/base.bin");
    SHOWI(VSIMkdir("/vsimem/subdir", 0755));
    STAT_MEM("/vsisubfile/0,/vsimem/subdir");
    STAT_MEM("/vsisubfile/0_4,/vsimem/subdir");
    show_stat_vmode("/vsisubfile/5_10,/vsimem/sub/base.bin");
    show_stat_ex("\"/vsisubfile/5_10,...\" SIZE", "/vsisubfile/5_10,/vsimem/sub/base.bin", 1,
                 VSI_STAT_SIZE_FLAG);
    show_stat_ex("\"/vsisubfile/5_10,...\" EXISTS",
                 "/vsisubfile/5_10,/vsimem/sub/base.bin", 1,
                 VSI_STAT_EXISTS_FLAG);

    section("update mode inside the window");
    MAKE_MEM("/vsimem/sub/upd.bin", "0123456789ABCDEFGHIJ");
    fp = OPEN_MEM("/vsisubfile/4_6,/vsimem/sub/upd.bin", "r+b");
    show_pos("fresh", fp);
    write_show(fp, "ab");
    show_pos("after write", fp);
    /* crossing the end: clipped */
    write_show(fp, "cdefgh");
    show_pos("after clipped write", fp);
    /* at the end: nothing */
    write_show(fp, "z");
    SHOWZ(VSIFWriteL("xyxyxy", 2, 3, fp));
    SHOWI(VSIFSeekL(fp, 4, SEEK_SET));
    /* nSize=2 crossing: 2 bytes written, one object */
    SHOWZ(VSIFWriteL("QRST", 2, 2, fp));
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    read_show(fp, 1, 10);
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("SEEK_END", fp);
    SHOWI(VSIFFlushL(fp));
    SHOWI(VSIFTruncateL(fp, 2));
    CLOSE(fp);
    CONTENT_MEM("/vsimem/sub/upd.bin");
    /* "w" becomes "r+": no truncation, the file must exist */
    fp = OPEN_MEM("/vsisubfile/0_3,/vsimem/sub/upd.bin", "wb");
    write_show(fp, "wxyz");
    CLOSE(fp);
    CONTENT_MEM("/vsimem/sub/upd.bin");
    open_close("\"/vsisubfile/0_3,/vsimem/sub/new.bin\" wb",
               "/vsisubfile/0_3,/vsimem/sub/new.bin", "wb");
    STAT_MEM("/vsimem/sub/new.bin");
    /* unbounded update window: writes extend the file */
    fp = OPEN_MEM("/vsisubfile/18,/vsimem/sub/upd.bin", "r+b");
    write_show(fp, "1234");
    show_pos("after extending write", fp);
    /* read-after-EOF, then write clears EOF */
    read_show(fp, 1, 1);
    write_show(fp, "5");
    show_pos("write clears eof", fp);
    CLOSE(fp);
    CONTENT_MEM("/vsimem/sub/upd.bin");
    /* update mode does not validate the offset */
    fp = OPEN_MEM("/vsisubfile/40_4,/vsimem/sub/upd.bin", "r+b");
    show_pos("offset beyond file, r+", fp);
    read_show(fp, 1, 2);
    CLOSE(fp);
    /* read-only window cannot write */
    fp = OPEN_MEM("/vsisubfile/0_4,/vsimem/sub/upd.bin", "rb");
    SHOWZ(VSIFWriteL("no", 1, 2, fp));
    CLOSE(fp);

    section("chaining");
    fp = OPEN_MEM("/vsisubfile/2_5,/vsisubfile/5_10,/vsimem/sub/base.bin", "rb");
    read_show(fp, 1, 8);
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("SEEK_END", fp);
    CLOSE(fp);
    STAT_MEM("/vsisubfile/2_5,/vsisubfile/5_10,/vsimem/sub/base.bin");
    STAT_MEM("/vsisubfile/2,/vsisubfile/5_10,/vsimem/sub/base.bin");
    MAKE_LOCAL("local.bin", "abcdefghijklmnopqrstuvwxyz");
    snprintf(path, sizeof(path), "/vsisubfile/10_6,%s", LP("local.bin"));
    fp = open_show("/vsisubfile/10_6,LP(\"local.bin\")", path, "rb");
    read_show(fp, 1, 8);
    CLOSE(fp);
    show_stat_ex("/vsisubfile/10_6,LP(\"local.bin\")", path, 0, 0);
    snprintf(path, sizeof(path), "/vsisubfile/3_2,%s", LP("local.bin"));
    fp = open_show("/vsisubfile/3_2,LP(\"local.bin\") r+b", path, "r+b");
    write_show(fp, "XYZ");
    CLOSE(fp);
    CONTENT_LOCAL("local.bin");
    snprintf(path, sizeof(path), "/vsisubfile/0_4,%s", LP(""));
    open_close("/vsisubfile/0_4,LP(\"\") (a directory)", path, "r+b");

    section("ReadMultiRange");
    fp = OPEN_MEM("/vsisubfile/5_10,/vsimem/sub/base.bin", "rb");
    SHOWI(VSIFSeekL(fp, 3, SEEK_SET));
    {
        unsigned char a[3] = {0}, b[4] = {0};
        void *p[2] = {a, b};
        vsi_l_offset o[2] = {0, 6};
        size_t s[2] = {3, 4};
        SHOWI(VSIFReadMultiRangeL(2, p, o, s, fp));
        hexdump("a", a, 3);
        hexdump("b", b, 4);
        show_pos("after multirange", fp);
        /* a range past the window fails */
        o[1] = 8;
        SHOWI(VSIFReadMultiRangeL(2, p, o, s, fp));
        show_pos("after failed multirange", fp);
        /* the offset is restored by a seek, which clears EOF */
        SHOWI(VSIFSeekL(fp, 9, SEEK_SET));
        read_show(fp, 1, 4);
        o[1] = 6;
        SHOWI(VSIFReadMultiRangeL(2, p, o, s, fp));
        show_pos("multirange after eof", fp);
    }
    CLOSE(fp);

    section("path operations");
    errno = 0;
    SHOWI(VSIUnlink("/vsisubfile/0_4,/vsimem/sub/base.bin"));
    SHOW_ERRNO("unlink");
    errno = 0;
    SHOWI(VSIMkdir("/vsisubfile/0_4,/vsimem/sub/dir", 0755));
    SHOW_ERRNO("mkdir");
    errno = 0;
    SHOWI(VSIRmdir("/vsisubfile/0_4,/vsimem/sub"));
    SHOW_ERRNO("rmdir");
    LIST_AS_IS(VSIReadDir("/vsisubfile/0,/vsimem/sub"));
    STAT_MEM("/vsimem/sub/base.bin");

    section("windows beyond 4 GiB");
    if (!VSISupportsSparseFiles(LP("")))
    {
        printf("(scratch filesystem not reported sparse: skipped)\n");
    }
    else
    {
        fp = OPEN_LOCAL("big.bin", "wb");
        SHOWI(VSIFSeekL(fp, 5 * GIB, SEEK_SET));
        write_show(fp, "TAIL");
        CLOSE(fp);
        snprintf(path, sizeof(path), "/vsisubfile/%llu_8,%s",
                 (unsigned long long)(5 * GIB - 4), LP("big.bin"));
        fp = open_show("/vsisubfile/(5GiB-4)_8,LP(\"big.bin\")", path, "rb");
        read_show(fp, 1, 16);
        SHOWI(VSIFSeekL(fp, 0, SEEK_END));
        show_pos("SEEK_END", fp);
        CLOSE(fp);
        show_stat_ex("/vsisubfile/(5GiB-4)_8,LP(\"big.bin\")", path, 0, 0);
        snprintf(path, sizeof(path), "/vsisubfile/%llu,%s",
                 (unsigned long long)(4 * GIB + 1), LP("big.bin"));
        fp = open_show("/vsisubfile/(4GiB+1),LP(\"big.bin\")", path, "rb");
        SHOWI(VSIFSeekL(fp, 0, SEEK_END));
        show_pos("SEEK_END", fp);
        SHOWI(VSIFSeekL(fp, 1 * GIB - 2, SEEK_SET));
        read_show(fp, 1, 8);
        CLOSE(fp);
        show_stat_ex("/vsisubfile/(4GiB+1),LP(\"big.bin\")", path, 0, 0);
        /* update a window beyond 4 GiB */
        snprintf(path, sizeof(path), "/vsisubfile/%llu_2,%s",
                 (unsigned long long)(5 * GIB + 1), LP("big.bin"));
        fp = open_show("/vsisubfile/(5GiB+1)_2,LP(\"big.bin\") r+b", path,
                       "r+b");
        write_show(fp, "ai");
        write_show(fp, "x");
        CLOSE(fp);
        fp = OPEN_LOCAL("big.bin", "rb");
        SHOWI(VSIFSeekL(fp, 5 * GIB, SEEK_SET));
        read_show(fp, 1, 8);
        CLOSE(fp);
        SHOWI(VSIUnlink(LP("big.bin")));
    }

    VSIUnlink("/vsimem/sub/base.bin");
    VSIUnlink("/vsimem/sub/upd.bin");
    VSIRmdir("/vsimem/subdir");
    return test_finish();
}
