/*
 * test_mem.c -- /vsimem/ through the C API: access modes, reads at and past
 * the end, zero fill, truncation, unlink while open, VSIFileFromMemBuffer,
 * VSIGetMemFileBuffer, directories, rename, path normalisation, and the
 * libvsi extension VSIRS_MemGetStats.
 */
#include "test_common.h"

#define D "/vsimem/test_mem"

/* ------------------------------------------------------------------------ */

static void test_open_modes(void)
{
    VSIStatBufL st;
    char buf[64];

    CHECK_INT(VSIMkdir(D "/modes", 0755), 0);
    /* Reading modes never create. */
    CHECK(VSIFOpenL(D "/modes/missing", "r") == NULL);
    CHECK(VSIFOpenL(D "/modes/missing", "rb") == NULL);
    CHECK(VSIFOpenL(D "/modes/missing", "r+") == NULL);
    CHECK(VSIFOpenL(D "/modes/missing", "rb+") == NULL);
    CHECK(!exists(D "/modes/missing"));

    /* "w" creates, "wb" on an existing file truncates. */
    VSILFILE *fp = VSIFOpenL(D "/modes/f.txt", "w");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFWriteL("hello", 1, 5, fp), 5);
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK_INT(VSIStatL(D "/modes/f.txt", &st), 0);
    CHECK_INT(st.st_size, 5);
    /* Virtual handlers report exactly S_IFREG / S_IFDIR, no permission bits. */
    CHECK_INT(st.st_mode, S_IFREG);
    CHECK(st.st_mtime > 0);
    CHECK_INT(VSIStatL(D "/modes", &st), 0);
    CHECK_INT(st.st_mode, S_IFDIR);

    fp = VSIFOpenL(D "/modes/f.txt", "wb");
    REQUIRE(fp != NULL);
    CHECK_INT(stat_size(D "/modes/f.txt"), 0);
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK_INT(stat_size(D "/modes/f.txt"), 0);

    /* "a": starts at the end, but later seeks are honoured (no O_APPEND). */
    CHECK_INT(put_str(D "/modes/a.txt", "hello"), 0);
    fp = VSIFOpenL(D "/modes/a.txt", "a");
    REQUIRE(fp != NULL);
    CHECK_U64(VSIFTellL(fp), 5);
    CHECK_INT(VSIFWriteL(" world", 1, 6, fp), 6);
    CHECK_INT(VSIFSeekL(fp, 0, SEEK_SET), 0);
    CHECK_INT(VSIFWriteL("J", 1, 1, fp), 1);
#if SPEC_NEWER_THAN_3_6
    /* "a" has no read right. */
    CHECK_INT(VSIFSeekL(fp, 0, SEEK_SET), 0);
    CHECK_INT(VSIFReadL(buf, 1, 5, fp), 0);
#endif
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK(file_equals(D "/modes/a.txt", "Jello world"));

    /* "a" creates a missing file; "ab+" can read. */
    fp = VSIFOpenL(D "/modes/a2.txt", "ab+");
    REQUIRE(fp != NULL);
    CHECK_U64(VSIFTellL(fp), 0);
    CHECK_INT(VSIFWriteL("xyz", 1, 3, fp), 3);
    CHECK_INT(VSIFSeekL(fp, 1, SEEK_SET), 0);
    memset(buf, 0, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, 10, fp), 2);
    CHECK_STR(buf, "yz");
    CHECK_INT(VSIFCloseL(fp), 0);

    /* "r": reads, cannot write, content untouched. */
    fp = VSIFOpenL(D "/modes/a.txt", "rb");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFWriteL("XX", 1, 2, fp), 0);
    CHECK_INT(VSIFTruncateL(fp, 1), -1);
    memset(buf, 0, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, sizeof buf, fp), 11);
    CHECK_STR(buf, "Jello world");
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK(file_equals(D "/modes/a.txt", "Jello world"));

    /* "w" only: cannot read; the read fails with the error flag, not EOF. */
    fp = VSIFOpenL(D "/modes/wonly.txt", "wb");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFWriteL("abc", 1, 3, fp), 3);
#if SPEC_NEWER_THAN_3_6
    CHECK_INT(VSIFSeekL(fp, 0, SEEK_SET), 0);
    CHECK_INT(VSIFReadL(buf, 1, 3, fp), 0);
#endif
#if HAVE_VSIFERRORL
    CHECK(VSIFErrorL(fp) != 0);
    CHECK(VSIFEofL(fp) == 0);
    VSIFClearErrL(fp);
    CHECK(VSIFErrorL(fp) == 0);
#endif
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK(file_equals(D "/modes/wonly.txt", "abc"));

    /* "r+": read and write, no truncation. */
    fp = VSIFOpenL(D "/modes/wonly.txt", "r+b");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFReadL(buf, 1, 1, fp), 1);
    CHECK_INT(buf[0], 'a');
    CHECK_INT(VSIFWriteL("Z", 1, 1, fp), 1);
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK(file_equals(D "/modes/wonly.txt", "aZc"));

    /* "w+": truncates, then reads back what it wrote. */
    fp = VSIFOpenL(D "/modes/wonly.txt", "w+b");
    REQUIRE(fp != NULL);
    CHECK_INT(stat_size(D "/modes/wonly.txt"), 0);
    CHECK_INT(VSIFWriteL("12345", 1, 5, fp), 5);
    VSIRewindL(fp);
    memset(buf, 0, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, 5, fp), 5);
    CHECK_STR(buf, "12345");
    CHECK_INT(VSIFCloseL(fp), 0);

    /* A directory cannot be opened as a file. */
    CHECK(VSIFOpenL(D "/modes", "rb") == NULL);
    CHECK(VSIFOpenL(D "/modes", "r+b") == NULL);
#if SPEC_NEWER_THAN_3_6
    /* Not even to write (GDAL 3.6 replaced the directory by a file). */
    CHECK(VSIFOpenL(D "/modes", "wb") == NULL);
    CHECK(VSIFOpenL(D "/modes", "ab") == NULL);
    CHECK(is_dir(D "/modes"));

    /* A file cannot be created below a file (its parent chain cannot be
     * made), nor open a name below a file. */
    CHECK(VSIFOpenL(D "/modes/a.txt/sub", "wb") == NULL);
    CHECK(!exists(D "/modes/a.txt/sub"));
    CHECK(is_file(D "/modes/a.txt"));
#endif
    CHECK(VSIFOpenL(D "/modes/a.txt/sub", "rb") == NULL);

    /* Stat flags: 0 means all; each flag alone still fills mode and size. */
    int flags[] = {0, VSI_STAT_EXISTS_FLAG, VSI_STAT_NATURE_FLAG, VSI_STAT_SIZE_FLAG,
                   VSI_STAT_EXISTS_FLAG | VSI_STAT_NATURE_FLAG | VSI_STAT_SIZE_FLAG};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        memset(&st, 0xab, sizeof st);
        CHECK_INT(VSIStatExL(D "/modes/a.txt", &st, flags[i]), 0);
        CHECK(VSI_ISREG(st.st_mode));
        CHECK_INT(st.st_size, 11);
        CHECK_INT(VSIStatExL(D "/modes/none", &st, flags[i]), -1);
    }

    CHECK_INT(VSIRmdirRecursive(D "/modes"), 0);
    CHECK(!exists(D "/modes"));
    CHECK(!exists(D "/modes/a.txt"));
}

/* ------------------------------------------------------------------------ */

static void test_read_eof_semantics(void)
{
    const char *path = D "/eof.bin";
    CHECK_INT(put_str(path, "0123456789"), 0);
    VSILFILE *fp = VSIFOpenL(path, "rb");
    REQUIRE(fp != NULL);
    char buf[32];

    /* Reading exactly up to the end does not set EOF. */
    CHECK_INT(VSIFReadL(buf, 1, 10, fp), 10);
    CHECK_INT(VSIFEofL(fp), 0);
    CHECK_U64(VSIFTellL(fp), 10);
    /* The next read returns 0 and sets it. */
    CHECK_INT(VSIFReadL(buf, 1, 1, fp), 0);
    CHECK(VSIFEofL(fp) != 0);
#if HAVE_VSIFERRORL
    CHECK_INT(VSIFErrorL(fp), 0);
#endif
    /* A successful seek clears EOF. */
    CHECK_INT(VSIFSeekL(fp, 4, SEEK_SET), 0);
    CHECK_INT(VSIFEofL(fp), 0);

    /* Complete objects only: 6 bytes left, objects of 4 → 1, offset at end. */
    CHECK_INT(VSIFReadL(buf, 4, 3, fp), 1);
    CHECK(VSIFEofL(fp) != 0);
    CHECK_MEM(buf, "456789", 6);
    /* The trailing partial object's bytes were consumed too. */
    CHECK_U64(VSIFTellL(fp), 10);

#if HAVE_VSIFERRORL
    VSIFClearErrL(fp);
    CHECK_INT(VSIFEofL(fp), 0);
#endif

    /* Zero-sized requests read nothing and leave the flags alone. */
    CHECK_INT(VSIFSeekL(fp, 0, SEEK_END), 0);
    CHECK_INT(VSIFReadL(buf, 1, 1, fp), 0);
    CHECK(VSIFEofL(fp) != 0);
    CHECK_INT(VSIFReadL(buf, 0, 5, fp), 0);
    CHECK_INT(VSIFReadL(buf, 5, 0, fp), 0);
    CHECK(VSIFEofL(fp) != 0);
    CHECK_INT(VSIFSeekL(fp, 2, SEEK_SET), 0);
    CHECK_INT(VSIFReadL(buf, 0, 5, fp), 0);
    CHECK_INT(VSIFEofL(fp), 0);
    CHECK_U64(VSIFTellL(fp), 2);

    /* Unsigned offsets: SEEK_END 0 = size; SEEK_CUR with a wrapped
     * "negative" value moves backwards; SEEK_SET Tell()-n as well. */
    CHECK_INT(VSIFSeekL(fp, 0, SEEK_END), 0);
    CHECK_U64(VSIFTellL(fp), 10);
    CHECK_INT(VSIFSeekL(fp, (vsi_l_offset)-3, SEEK_CUR), 0);
    CHECK_U64(VSIFTellL(fp), 7);
    CHECK_INT(VSIFReadL(buf, 1, 1, fp), 1);
    CHECK_INT(buf[0], '7');
    CHECK_INT(VSIFSeekL(fp, VSIFTellL(fp) - 8, SEEK_SET), 0);
    CHECK_U64(VSIFTellL(fp), 0);
    CHECK_INT(VSIFSeekL(fp, 3, SEEK_CUR), 0);
    CHECK_U64(VSIFTellL(fp), 3);
    VSIRewindL(fp);
    CHECK_U64(VSIFTellL(fp), 0);

    /* Past the end: the seek succeeds, the read returns 0 with EOF. */
    CHECK_INT(VSIFSeekL(fp, 1000, SEEK_SET), 0);
    CHECK_U64(VSIFTellL(fp), 1000);
    CHECK_INT(VSIFReadL(buf, 1, 4, fp), 0);
    CHECK(VSIFEofL(fp) != 0);
    CHECK_U64(VSIFTellL(fp), 1000);

    /* An unknown whence fails. */
    CHECK_INT(VSIFSeekL(fp, 0, 42), -1);

    CHECK_INT(VSIFCloseL(fp), 0);

    /* VSIFReadMultiRangeL reads each range and keeps the offset. */
    fp = VSIFOpenL(path, "rb");
    REQUIRE(fp != NULL);
    char r0[3], r1[4];
    void *data[2] = {r0, r1};
    vsi_l_offset offs[2] = {1, 5};
    size_t sizes[2] = {3, 4};
    CHECK_INT(VSIFSeekL(fp, 2, SEEK_SET), 0);
    CHECK_INT(VSIFReadMultiRangeL(2, data, offs, sizes, fp), 0);
    CHECK_MEM(r0, "123", 3);
    CHECK_MEM(r1, "5678", 4);
    CHECK_U64(VSIFTellL(fp), 2);
    offs[1] = 8; /* 4 bytes from 8 runs past the end */
    CHECK_INT(VSIFReadMultiRangeL(2, data, offs, sizes, fp), -1);
    CHECK_INT(VSIFCloseL(fp), 0);

    CHECK_INT(VSIUnlink(path), 0);
}

/* ------------------------------------------------------------------------ */

static void test_zero_fill_and_truncate(void)
{
    const char *path = D "/zero.bin";
    VSILFILE *fp = VSIFOpenL(path, "wb+");
    REQUIRE(fp != NULL);
    unsigned char buf[2048];

    CHECK_INT(VSIFWriteL("abcde", 1, 5, fp), 5);
    /* Writing past the end grows the file; the gap reads as zeros. */
    CHECK_INT(VSIFSeekL(fp, 1000, SEEK_SET), 0);
    CHECK_INT(VSIFWriteL("Z", 1, 1, fp), 1);
    CHECK_U64(VSIFTellL(fp), 1001);
    CHECK_INT(stat_size(path), 1001);
    VSIRewindL(fp);
    memset(buf, 0xee, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, sizeof buf, fp), 1001);
    CHECK_MEM(buf, "abcde", 5);
    int gap_zero = 1;
    for (int i = 5; i < 1000; i++)
        gap_zero &= buf[i] == 0;
    CHECK_MSG(gap_zero, "the gap between the old end and a write past it must read as zeros");
    CHECK_INT(buf[1000], 'Z');

    /* Truncate shrinks; the offset is unchanged. */
    CHECK_INT(VSIFSeekL(fp, 500, SEEK_SET), 0);
    CHECK_INT(VSIFTruncateL(fp, 3), 0);
    CHECK_U64(VSIFTellL(fp), 500);
    CHECK_INT(stat_size(path), 3);
    /* Growing again exposes zeros, not the old bytes. */
    CHECK_INT(VSIFTruncateL(fp, 8), 0);
    CHECK_INT(stat_size(path), 8);
    VSIRewindL(fp);
    memset(buf, 0xee, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, 8, fp), 8);
    CHECK_MEM(buf, "abc\0\0\0\0\0", 8);
    /* Truncate to the same size is fine; to 0 empties the file. */
    CHECK_INT(VSIFTruncateL(fp, 8), 0);
    CHECK_INT(VSIFTruncateL(fp, 0), 0);
    CHECK_INT(stat_size(path), 0);
    /* A large growth: 1 MiB of zeros. */
    CHECK_INT(VSIFTruncateL(fp, 1 << 20), 0);
    CHECK_INT(stat_size(path), 1 << 20);
    CHECK_INT(VSIFSeekL(fp, (1 << 20) - 16, SEEK_SET), 0);
    memset(buf, 0xee, 16);
    CHECK_INT(VSIFReadL(buf, 1, 16, fp), 16);
    CHECK_MEM(buf, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
    CHECK_INT(VSIFFlushL(fp), 0);
    CHECK_INT(VSIFCloseL(fp), 0);

    /* Writes are visible to other handles at once. */
    VSILFILE *w = VSIFOpenL(path, "wb");
    VSILFILE *r = VSIFOpenL(path, "rb");
    REQUIRE(w != NULL && r != NULL);
    CHECK_INT(VSIFWriteL("live", 1, 4, w), 4);
    memset(buf, 0, 8);
    CHECK_INT(VSIFReadL(buf, 1, 8, r), 4);
    CHECK_MEM(buf, "live", 4);
    CHECK_INT(VSIFCloseL(w), 0);
    CHECK_INT(VSIFCloseL(r), 0);

    CHECK_INT(VSIUnlink(path), 0);
    CHECK_INT(VSIUnlink(path), -1);
}

/* ------------------------------------------------------------------------ */

static void test_unlink_while_open(void)
{
    const char *path = D "/unlinked.txt";
    char buf[32];
    CHECK_INT(put_str(path, "old data"), 0);

    VSILFILE *fp = VSIFOpenL(path, "r+b");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIUnlink(path), 0);
    /* The name is gone at once... */
    CHECK(!exists(path));
    CHECK(VSIFOpenL(path, "rb") == NULL);
    char **list = VSIReadDir(D);
    CHECK(!list_has(list, "unlinked.txt"));
    CSLDestroy(list);

    /* ...but the handle keeps reading and writing the detached bytes. */
    memset(buf, 0, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, 3, fp), 3);
    CHECK_STR(buf, "old");
    CHECK_INT(VSIFWriteL(" and more", 1, 9, fp), 9);
    VSIRewindL(fp);
    memset(buf, 0, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, sizeof buf, fp), 12);
    CHECK_STR(buf, "old and more");
    CHECK(VSIFEofL(fp) != 0);

    /* A new file of that name is a different object. */
    CHECK_INT(put_str(path, "new"), 0);
    CHECK(file_equals(path, "new"));
    VSIRewindL(fp);
    memset(buf, 0, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, 3, fp), 3);
    CHECK_STR(buf, "old");
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK(file_equals(path, "new"));
    CHECK_INT(VSIUnlink(path), 0);

    /* Two handles: the bytes live until the last one closes. */
    CHECK_INT(put_str(path, "shared"), 0);
    VSILFILE *a = VSIFOpenL(path, "rb");
    VSILFILE *b = VSIFOpenL(path, "rb");
    REQUIRE(a != NULL && b != NULL);
    CHECK_INT(VSIUnlink(path), 0);
    CHECK_INT(VSIFCloseL(a), 0);
    memset(buf, 0, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, 6, b), 6);
    CHECK_STR(buf, "shared");
    CHECK_INT(VSIFCloseL(b), 0);
}

/* ------------------------------------------------------------------------ */

static void test_from_mem_buffer_borrowed(void)
{
    const char *path = D "/borrowed.bin";
    GByte data[16];
    char buf[32];
    memcpy(data, "0123456789", 10);
    memset(data + 10, '#', 6);

    VSILFILE *fp = VSIFileFromMemBuffer(path, data, 10, FALSE);
    REQUIRE(fp != NULL);
    /* The handle starts at 0 with read and write rights. */
    CHECK_U64(VSIFTellL(fp), 0);
    CHECK_INT(stat_size(path), 10);
    CHECK(is_file(path));

    /* No copy: the caller's changes are visible through reads. */
    data[0] = 'X';
    memset(buf, 0, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, 10, fp), 10);
    CHECK_STR(buf, "X123456789");

    /* Writes inside the length land in the caller's buffer. */
    CHECK_INT(VSIFSeekL(fp, 2, SEEK_SET), 0);
    CHECK_INT(VSIFWriteL("ab", 1, 2, fp), 2);
    CHECK_MEM(data, "X1ab456789", 10);

    /* The file cannot grow past the lent buffer: CPLE_NotSupported. */
    capture_reset();
    CPLErrorReset();
    CPLPushErrorHandler(capture_handler);
    CHECK_INT(VSIFSeekL(fp, 8, SEEK_SET), 0);
    CHECK_INT(VSIFWriteL("toolong", 1, 7, fp), 0);
    CHECK_INT(CPLGetLastErrorNo(), CPLE_NotSupported);
    CHECK_INT(CPLGetLastErrorType(), CE_Failure);
    CHECK_INT(g_cap.count, 1);
    CHECK_INT(g_cap.num[0], CPLE_NotSupported);
    CHECK_INT(stat_size(path), 10);
    CHECK_MEM(data + 10, "######", 6);
    CHECK_INT(VSIFTruncateL(fp, 100), -1);
    CHECK_INT(g_cap.count, 2);
    CPLPopErrorHandler();
    CHECK_INT(stat_size(path), 10);
    CHECK_INT(VSIFCloseL(fp), 0);

    /* VSIGetMemFileBuffer without seizing gives the caller's own pointer. */
    vsi_l_offset len = 0;
    GByte *p = VSIGetMemFileBuffer(path, &len, FALSE);
    CHECK(p == data);
    CHECK_U64(len, 10);
    CHECK(exists(path));

    /* Other handles see the buffer too; a fresh open reads it. */
    CHECK(file_equals(path, "X1ab456789"));

    /* Unlinking leaves the caller's buffer alone (it is not freed: valgrind
     * would flag a free of stack memory). */
    CHECK_INT(VSIUnlink(path), 0);
    CHECK_MEM(data, "X1ab456789", 10);

    /* The typical idiom: close the returned handle at once. */
    memcpy(data, "idiom", 5);
    CHECK_INT(VSIFCloseL(VSIFileFromMemBuffer(path, data, 5, FALSE)), 0);
    CHECK(file_equals(path, "idiom"));
    /* Shrinking a lent buffer zero-fills the discarded tail in place. */
    fp = VSIFOpenL(path, "r+b");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFTruncateL(fp, 2), 0);
    CHECK_INT(stat_size(path), 2);
    CHECK_MEM(data, "id\0\0\0", 5);
    /* ...and it may grow back within the buffer. */
    CHECK_INT(VSIFTruncateL(fp, 5), 0);
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK_INT(stat_size(path), 5);
    CHECK_INT(VSIUnlink(path), 0);

    /* A zero-length lent buffer makes an empty file. */
    fp = VSIFileFromMemBuffer(path, data, 0, FALSE);
    REQUIRE(fp != NULL);
    CHECK_INT(stat_size(path), 0);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CHECK_INT(VSIFWriteL("x", 1, 1, fp), 0);
    CPLPopErrorHandler();
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK_INT(VSIUnlink(path), 0);
}

static void test_from_mem_buffer_owned(void)
{
    const char *path = D "/owned/deep/file.bin";
    GByte *data = VSIMalloc(8);
    REQUIRE(data != NULL);
    memcpy(data, "owned!!!", 8);

    CHECK_INT(VSIMkdir(D "/owned", 0755), 0);
#if !SPEC_NEWER_THAN_3_6
    CHECK_INT(VSIMkdir(D "/owned/deep", 0755), 0);
#endif
    VSILFILE *fp = VSIFileFromMemBuffer(path, data, 8, TRUE);
    REQUIRE(fp != NULL);
    /* Parents are created. */
    CHECK(is_dir(D "/owned/deep"));
    /* An owned buffer may grow. */
    CHECK_INT(VSIFSeekL(fp, 0, SEEK_END), 0);
    unsigned char big[5000];
    fill_pattern(big, sizeof big, 7, 0);
    CHECK_INT(VSIFWriteL(big, 1, sizeof big, fp), sizeof big);
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK_INT(stat_size(path), 8 + sizeof big);
    size_t n = 0;
    char *got = get_file(path, &n);
    REQUIRE(got != NULL);
    CHECK_INT(n, 8 + sizeof big);
    CHECK_MEM(got, "owned!!!", 8);
    CHECK_MEM(got + 8, big, sizeof big);
    free(got);
    /* Unlinking frees the buffer (valgrind reports a leak otherwise). */
    CHECK_INT(VSIUnlink(path), 0);

    /* Replacing an existing name: old handles keep the old content. */
    const char *name = D "/owned/replace.txt";
    CHECK_INT(put_str(name, "first"), 0);
    VSILFILE *old = VSIFOpenL(name, "rb");
    REQUIRE(old != NULL);
    GByte *second = VSIMalloc(6);
    REQUIRE(second != NULL);
    memcpy(second, "second", 6);
    CHECK_INT(VSIFCloseL(VSIFileFromMemBuffer(name, second, 6, TRUE)), 0);
    CHECK(file_equals(name, "second"));
    char buf[16] = {0};
    CHECK_INT(VSIFReadL(buf, 1, sizeof buf - 1, old), 5);
    CHECK_STR(buf, "first");
    CHECK_INT(VSIFCloseL(old), 0);
    CHECK(file_equals(name, "second"));

#if SPEC_NEWER_THAN_3_6
    /* When the parent chain cannot be made (a file is in the way) the call
     * fails before taking the buffer: the caller still frees it. */
    GByte *refused = VSIMalloc(4);
    REQUIRE(refused != NULL);
    memcpy(refused, "nope", 4);
    fp = VSIFileFromMemBuffer(D "/owned/replace.txt/below", refused, 4, TRUE);
    CHECK(fp == NULL);
    if (fp)
        VSIFCloseL(fp);
    else
        VSIFree(refused);
    CHECK(file_equals(name, "second"));
#endif

    /* Anonymous file: no name, lives as long as its handle. */
    GByte *anon = VSIMalloc(4);
    REQUIRE(anon != NULL);
    memcpy(anon, "anon", 4);
    fp = VSIFileFromMemBuffer(NULL, anon, 4, TRUE);
    REQUIRE(fp != NULL);
    memset(buf, 0, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, 8, fp), 4);
    CHECK_STR(buf, "anon");
    CHECK_INT(VSIFWriteL("ymous", 1, 5, fp), 5);
    VSIRewindL(fp);
    memset(buf, 0, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, 15, fp), 9);
    CHECK_STR(buf, "anonymous");
    CHECK_INT(VSIFCloseL(fp), 0); /* frees anon */

    CHECK_INT(VSIRmdirRecursive(D "/owned"), 0);
}

/* ------------------------------------------------------------------------ */

static void test_get_mem_file_buffer(void)
{
    const char *path = D "/getbuf.bin";
    vsi_l_offset len = 12345;
    CHECK_INT(put_str(path, "abcdef"), 0);

    /* Without seizing: the live buffer, the file stays. */
    GByte *p = VSIGetMemFileBuffer(path, &len, FALSE);
    REQUIRE(p != NULL);
    CHECK_U64(len, 6);
    CHECK_MEM(p, "abcdef", 6);
    CHECK(exists(path));
    /* In-place writes are visible through the pointer. */
    VSILFILE *fp = VSIFOpenL(path, "r+b");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFWriteL("AB", 1, 2, fp), 2);
    CHECK_INT(VSIFCloseL(fp), 0);
    p = VSIGetMemFileBuffer(path, NULL, FALSE); /* NULL length pointer is fine */
    REQUIRE(p != NULL);
    CHECK_MEM(p, "ABcdef", 6);
    /* Writing through the pointer is visible to reads. */
    p[5] = 'F';
    CHECK(file_equals(path, "ABcdeF"));

    /* Seizing: the file is gone and the caller owns the buffer. */
    fp = VSIFOpenL(path, "rb");
    REQUIRE(fp != NULL);
    len = 0;
    p = VSIGetMemFileBuffer(path, &len, TRUE);
    REQUIRE(p != NULL);
    CHECK_U64(len, 6);
    CHECK_MEM(p, "ABcdeF", 6);
    CHECK(!exists(path));
    CHECK(VSIGetMemFileBuffer(path, &len, FALSE) == NULL);
    /* A handle still open on it now sees an empty file. */
    char buf[8];
    CHECK_INT(VSIFReadL(buf, 1, 6, fp), 0);
    CHECK_INT(VSIFSeekL(fp, 0, SEEK_END), 0);
    CHECK_U64(VSIFTellL(fp), 0);
    CHECK_INT(VSIFCloseL(fp), 0);
    /* Valgrind flags this if the buffer was not malloc'd / not detached. */
    VSIFree(p);

    /* Seizing a buffer grown by /vsimem/ itself. */
    fp = VSIFOpenL(path, "wb");
    REQUIRE(fp != NULL);
    unsigned char big[70000];
    fill_pattern(big, sizeof big, 3, 0);
    CHECK_INT(VSIFWriteL(big, 1, sizeof big, fp), sizeof big);
    CHECK_INT(VSIFCloseL(fp), 0);
    p = VSIGetMemFileBuffer(path, &len, TRUE);
    REQUIRE(p != NULL);
    CHECK_U64(len, sizeof big);
    CHECK_MEM(p, big, sizeof big);
    VSIFree(p);
    CHECK(!exists(path));

    /* Seizing a lent buffer returns it, but it stays the caller's. */
    GByte lent[4] = {'l', 'e', 'n', 't'};
    CHECK_INT(VSIFCloseL(VSIFileFromMemBuffer(path, lent, 4, FALSE)), 0);
    p = VSIGetMemFileBuffer(path, &len, TRUE);
    CHECK(p == lent);
    CHECK_U64(len, 4);
    CHECK(!exists(path));

    /* Unknown names, NULL and directories give NULL. */
    len = 99;
    CHECK(VSIGetMemFileBuffer(D "/no-such-file", &len, FALSE) == NULL);
    CHECK(VSIGetMemFileBuffer(D "/no-such-file", &len, TRUE) == NULL);
    CHECK(VSIGetMemFileBuffer(NULL, &len, FALSE) == NULL);
    CHECK_INT(VSIMkdir(D "/getbuf-dir", 0755), 0);
    CHECK(VSIGetMemFileBuffer(D "/getbuf-dir", &len, FALSE) == NULL);
    CHECK(is_dir(D "/getbuf-dir"));
    /* GDAL's "unlink and seize" unlinks whatever the name is, directories
     * included (cpl_vsi_mem.cpp erases the entry before looking at data). */
    CHECK(VSIGetMemFileBuffer(D "/getbuf-dir", &len, TRUE) == NULL);
    CHECK(!exists(D "/getbuf-dir"));
    VSIRmdir(D "/getbuf-dir");

    /* An empty file gives a length of 0 (the pointer may be NULL). */
    CHECK_INT(put_file(path, "", 0), 0);
    len = 99;
    p = VSIGetMemFileBuffer(path, &len, FALSE);
    CHECK_U64(len, 0);
    CHECK_INT(VSIUnlink(path), 0);
}

/* ------------------------------------------------------------------------ */

static void test_directories(void)
{
    VSIStatBufL st;

    /* The root always stats as a directory, with or without the slash. */
    CHECK_INT(VSIStatL("/vsimem", &st), 0);
    CHECK(VSI_ISDIR(st.st_mode));
    CHECK_INT(VSIStatL("/vsimem/", &st), 0);
    CHECK(VSI_ISDIR(st.st_mode));

    /* VSIMkdir: an existing path fails; parents are neither needed nor made. */
    CHECK_INT(VSIMkdir(D "/dirs", 0755), 0);
    CHECK_INT(VSIMkdir(D "/dirs", 0755), -1);
    CHECK(is_dir(D "/dirs"));
    CHECK_INT(VSIMkdir(D "/dirs/x/y", 0755), 0);
    CHECK(is_dir(D "/dirs/x/y"));
    CHECK(!exists(D "/dirs/x"));
    CHECK_INT(VSIRmdir(D "/dirs/x/y"), 0);

#if SPEC_NEWER_THAN_3_6
    /* Creating a file creates its parents, which then list and stat. */
    CHECK_INT(put_str(D "/dirs/implicit/b/c.txt", "c"), 0);
    CHECK(is_dir(D "/dirs/implicit"));
    CHECK(is_dir(D "/dirs/implicit/b"));
    char **ilist = VSIReadDir(D "/dirs/implicit");
    CHECK_INT(CSLCount(ilist), 1);
    CHECK(list_has(ilist, "b"));
    CSLDestroy(ilist);
    CHECK_INT(VSIRmdirRecursive(D "/dirs/implicit"), 0);
    CHECK(!exists(D "/dirs/implicit/b/c.txt"));
#endif
    CHECK_INT(VSIMkdirRecursive(D "/dirs/a/b", 0755), 0);
    CHECK_INT(put_str(D "/dirs/a/b/c.txt", "c"), 0);
    char **list = VSIReadDir(D "/dirs/a");
    CHECK_INT(CSLCount(list), 1);
    CHECK(list_has(list, "b"));
    CSLDestroy(list);

    /* VSIMkdirRecursive: existing directory 0, existing file -1, "" -1. */
    CHECK_INT(VSIMkdirRecursive(D "/dirs/m/n/o", 0755), 0);
    CHECK(is_dir(D "/dirs/m"));
    CHECK(is_dir(D "/dirs/m/n"));
    CHECK(is_dir(D "/dirs/m/n/o"));
    CHECK_INT(VSIMkdirRecursive(D "/dirs/m/n/o", 0755), 0);
    CHECK_INT(VSIMkdirRecursive(D "/dirs/a/b/c.txt", 0755), -1);
    CHECK_INT(VSIMkdirRecursive("", 0755), -1);
    CHECK_INT(VSIMkdir(D "/dirs/a/b/c.txt", 0755), -1);

    /* Listing: names only, sorted, one level. */
    CHECK_INT(VSIMkdirRecursive(D "/dirs/list/sub", 0755), 0);
    CHECK_INT(put_str(D "/dirs/list/zeta", "z"), 0);
    CHECK_INT(put_str(D "/dirs/list/alpha", "a"), 0);
    CHECK_INT(put_str(D "/dirs/list/mid", "m"), 0);
    CHECK_INT(put_str(D "/dirs/list/sub/inner", "i"), 0);
    CHECK_INT(VSIMkdir(D "/dirs/list/emptydir", 0755), 0);
    list = VSIReadDir(D "/dirs/list");
    CHECK_INT(CSLCount(list), 5);
    if (CSLCount(list) == 5) {
        CHECK_STR(list[0], "alpha");
        CHECK_STR(list[1], "emptydir");
        CHECK_STR(list[2], "mid");
        CHECK_STR(list[3], "sub");
        CHECK_STR(list[4], "zeta");
    } else {
        dump_list("VSIReadDir(list)", list);
    }
    CSLDestroy(list);
    /* Trailing slash and doubled slashes list the same directory. */
    list = VSIReadDir(D "/dirs//list/");
    CHECK_INT(CSLCount(list), 5);
    CSLDestroy(list);

    /* nMaxFiles: at most nMaxFiles + 1 names, so truncation is visible. */
    list = VSIReadDirEx(D "/dirs/list", 2);
    CHECK_INT(CSLCount(list), 3);
    CSLDestroy(list);
    list = VSIReadDirEx(D "/dirs/list", 10);
    CHECK_INT(CSLCount(list), 5);
    CSLDestroy(list);

    /* An empty or missing directory, or a file, lists as NULL. */
    CHECK(VSIReadDir(D "/dirs/list/emptydir") == NULL);
    CHECK(VSIReadDir(D "/dirs/no-such-dir") == NULL);
    CHECK(VSIReadDir(D "/dirs/list/alpha") == NULL);

    /* The root lists our top directory. */
    list = VSIReadDir("/vsimem/");
    CHECK(list_has(list, "test_mem"));
    CSLDestroy(list);

    /* Recursive listing: relative, depth-first, directories end with '/'. */
    list = VSIReadDirRecursive(D "/dirs/list");
    const char *expected[] = {"alpha", "emptydir/", "mid", "sub/", "sub/inner", "zeta"};
    int n = (int)(sizeof expected / sizeof expected[0]);
    CHECK_INT(CSLCount(list), n);
    for (int i = 0; i < n; i++)
        CHECK_MSG(list_has(list, expected[i]), "VSIReadDirRecursive lacks \"%s\"", expected[i]);
    CHECK(list_index(list, "sub/") >= 0 && list_index(list, "sub/") < list_index(list, "sub/inner"));
    CHECK(!list_has(list, ".") && !list_has(list, ".."));
    if (CSLCount(list) != n)
        dump_list("VSIReadDirRecursive(list)", list);
    CSLDestroy(list);
    CHECK(VSIReadDirRecursive(D "/dirs/list/alpha") == NULL);

    /* VSIOpenDir: NULL on a file, an empty walk on an empty directory. */
    CHECK(VSIOpenDir(D "/dirs/list/alpha", -1, NULL) == NULL);
    CHECK(VSIOpenDir(D "/dirs/no-such-dir", -1, NULL) == NULL);
    VSIDIR *dir = VSIOpenDir(D "/dirs/list/emptydir", -1, NULL);
    CHECK(dir != NULL);
    if (dir) {
        CHECK(VSIGetNextDirEntry(dir) == NULL);
        VSICloseDir(dir);
    }
    /* Depth 0: the top level only, with types and sizes. */
    dir = VSIOpenDir(D "/dirs/list", 0, NULL);
    REQUIRE(dir != NULL);
    int count = 0, saw_sub = 0, saw_inner = 0;
    const VSIDIREntry *e;
    while ((e = VSIGetNextDirEntry(dir)) != NULL) {
        count++;
        if (strcmp(e->pszName, "sub") == 0) {
            saw_sub = 1;
            CHECK(e->bModeKnown && VSI_ISDIR(e->nMode));
        }
        if (strcmp(e->pszName, "alpha") == 0) {
            CHECK(e->bModeKnown && VSI_ISREG(e->nMode));
            CHECK(e->bSizeKnown);
            CHECK_U64(e->nSize, 1);
        }
        if (strstr(e->pszName, "inner"))
            saw_inner = 1;
    }
    VSICloseDir(dir);
    CHECK_INT(count, 5);
    CHECK(saw_sub);
    CHECK(!saw_inner);
    /* Unlimited depth: names relative to the root of the walk. */
    dir = VSIOpenDir(D "/dirs/list", -1, NULL);
    REQUIRE(dir != NULL);
    count = 0;
    saw_inner = 0;
    while ((e = VSIGetNextDirEntry(dir)) != NULL) {
        count++;
        if (strcmp(e->pszName, "sub/inner") == 0)
            saw_inner = 1;
        CHECK(strcmp(e->pszName, ".") != 0 && strcmp(e->pszName, "..") != 0);
    }
    VSICloseDir(dir);
    CHECK_INT(count, 6);
    CHECK(saw_inner);
    /* PREFIX= keeps only matching names. */
    char *opts[] = {"PREFIX=m", NULL};
    dir = VSIOpenDir(D "/dirs/list", 0, (opts_t)opts);
    REQUIRE(dir != NULL);
    count = 0;
    while ((e = VSIGetNextDirEntry(dir)) != NULL) {
        count++;
        CHECK_STR(e->pszName, "mid");
    }
    VSICloseDir(dir);
    CHECK_INT(count, 1);

    /* VSIRmdir removes even a non-empty directory in /vsimem/. */
    CHECK_INT(VSIRmdir(D "/dirs/a"), 0);
    CHECK(!is_dir(D "/dirs/a"));
    CHECK_INT(VSIRmdir(D "/dirs/no-such-dir"), -1);

    /* VSIRmdirRecursive removes the subtree; "" and "/" are refused. */
    CHECK_INT(VSIRmdirRecursive(D "/dirs/list"), 0);
    CHECK(!exists(D "/dirs/list"));
    CHECK(!exists(D "/dirs/list/sub/inner"));
    CHECK(!exists(D "/dirs/list/alpha"));
    CHECK_INT(VSIRmdirRecursive(""), -1);
    CHECK_INT(VSIRmdirRecursive("/"), -1);
    CHECK_INT(VSIRmdirRecursive(D "/dirs"), 0);
    CHECK(!exists(D "/dirs"));
#if SPEC_NEWER_THAN_3_6
    /* Orphans left by VSIRmdir of a non-empty directory go too. */
    CHECK(!exists(D "/dirs/a/b/c.txt"));
#else
    VSIUnlink(D "/dirs/a/b/c.txt");
    VSIRmdir(D "/dirs/a/b");
#endif
    CHECK(!exists(D "/dirs/m/n/o"));
}

/* ------------------------------------------------------------------------ */

static void test_rename(void)
{
    CHECK_INT(VSIMkdirRecursive(D "/ren/tree/sub", 0755), 0);
    CHECK_INT(put_str(D "/ren/a.txt", "A"), 0);
    CHECK_INT(put_str(D "/ren/b.txt", "B"), 0);

    /* Plain rename. */
    CHECK_INT(VSIRename(D "/ren/a.txt", D "/ren/c.txt"), 0);
    CHECK(!exists(D "/ren/a.txt"));
    CHECK(file_equals(D "/ren/c.txt", "A"));
    /* Onto an existing file: replaced. */
    CHECK_INT(VSIRename(D "/ren/c.txt", D "/ren/b.txt"), 0);
    CHECK(file_equals(D "/ren/b.txt", "A"));
    CHECK(!exists(D "/ren/c.txt"));
    /* To itself: success, nothing changes. */
    CHECK_INT(VSIRename(D "/ren/b.txt", D "/ren/b.txt"), 0);
    CHECK(file_equals(D "/ren/b.txt", "A"));
    /* Missing source. */
    CHECK_INT(VSIRename(D "/ren/none", D "/ren/other"), -1);
    CHECK(!exists(D "/ren/other"));
    /* Out of /vsimem/: refused, the file stays. The new name is checked
     * before normalisation, so a backslash spelling is refused too. */
    CHECK_INT(VSIRename(D "/ren/b.txt", "/tmp/vsi-capi-should-not-exist.txt"), -1);
    CHECK(file_equals(D "/ren/b.txt", "A"));
    CHECK_INT(access("/tmp/vsi-capi-should-not-exist.txt", F_OK), -1);
    CHECK_INT(VSIRename(D "/ren/b.txt", "/vsimem\\test_mem\\ren\\bs.txt"), -1);
    CHECK(file_equals(D "/ren/b.txt", "A"));

    /* A directory moves with its whole subtree. */
    CHECK_INT(put_str(D "/ren/tree/x.txt", "x"), 0);
    CHECK_INT(put_str(D "/ren/tree/sub/y.txt", "y"), 0);
    CHECK_INT(VSIRename(D "/ren/tree", D "/ren/moved"), 0);
    CHECK(!exists(D "/ren/tree"));
    CHECK(!exists(D "/ren/tree/x.txt"));
    CHECK(!exists(D "/ren/tree/sub/y.txt"));
    CHECK(is_dir(D "/ren/moved"));
    CHECK(file_equals(D "/ren/moved/x.txt", "x"));
    CHECK(file_equals(D "/ren/moved/sub/y.txt", "y"));
    char **list = VSIReadDir(D "/ren/moved");
    CHECK_INT(CSLCount(list), 2);
    CSLDestroy(list);

    /* A handle open across a rename keeps working on the same bytes. */
    VSILFILE *fp = VSIFOpenL(D "/ren/moved/x.txt", "r+b");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIRename(D "/ren/moved/x.txt", D "/ren/moved/x2.txt"), 0);
    CHECK_INT(VSIFSeekL(fp, 0, SEEK_END), 0);
    CHECK_INT(VSIFWriteL("yz", 1, 2, fp), 2);
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK(file_equals(D "/ren/moved/x2.txt", "xyz"));

    CHECK_INT(VSIRmdirRecursive(D "/ren"), 0);
}

/* ------------------------------------------------------------------------ */

/* Names are bytes, not UTF-8: Latin-1 names stay distinct and list back
 * byte for byte. */
static void test_non_utf8_names(void)
{
    const char *e9 = D "/bytes/caf\xe9.txt"; /* "café" in Latin-1 */
    const char *e8 = D "/bytes/caf\xe8.txt";
    CHECK_INT(VSIMkdir(D "/bytes", 0755), 0);
    CHECK_INT(put_str(e9, "e-acute"), 0);
    CHECK_INT(put_str(e8, "e-grave"), 0);
    CHECK(file_equals(e9, "e-acute"));
    CHECK(file_equals(e8, "e-grave"));
    char **list = VSIReadDir(D "/bytes");
    CHECK_INT(CSLCount(list), 2);
    CHECK(list_has(list, "caf\xe8.txt"));
    CHECK(list_has(list, "caf\xe9.txt"));
    if (CSLCount(list) != 2 || !list_has(list, "caf\xe9.txt"))
        dump_list("VSIReadDir(bytes)", list);
    CSLDestroy(list);
    /* Valid UTF-8 is kept as is too. */
    CHECK_INT(put_str(D "/bytes/caf\xc3\xa9.txt", "utf8"), 0);
    list = VSIReadDir(D "/bytes");
    CHECK(list_has(list, "caf\xc3\xa9.txt"));
    CHECK_INT(CSLCount(list), 3);
    CSLDestroy(list);
    CHECK_INT(VSIRename(e9, D "/bytes/\xff\xfe"), 0);
    CHECK(file_equals(D "/bytes/\xff\xfe", "e-acute"));
    CHECK(!exists(e9));
    CHECK(file_equals(e8, "e-grave"));
    CHECK_INT(VSIRmdirRecursive(D "/bytes"), 0);
}

static void test_normalisation(void)
{
    CHECK_INT(VSIMkdir(D "/norm", 0755), 0);
    CHECK_INT(put_str(D "/norm/f.txt", "N"), 0);
    /* Doubled slashes, backslashes and one trailing slash are the same key. */
    CHECK(file_equals(D "//norm//f.txt", "N"));
    CHECK(file_equals("/vsimem\\test_mem\\norm\\f.txt", "N"));
    CHECK(file_equals(D "/norm/f.txt/", "N"));
    CHECK(is_file(D "/norm/f.txt/"));
    CHECK(is_dir(D "/norm/"));
    CHECK(is_dir("/vsimem\\test_mem\\norm"));
    /* Writes through another spelling hit the same file. */
    CHECK_INT(put_str(D "//norm\\f.txt", "M"), 0);
    CHECK(file_equals(D "/norm/f.txt", "M"));
    char **list = VSIReadDir(D "/norm");
    CHECK_INT(CSLCount(list), 1);
    CSLDestroy(list);
    /* Keys are case-sensitive. */
    CHECK(!exists(D "/NORM/f.txt"));
    CHECK(!exists(D "/norm/F.txt"));
    CHECK(!exists("/VSIMEM/test_mem/norm/f.txt"));
    /* Unlink and rename through another spelling. */
    CHECK_INT(VSIRename(D "//norm/f.txt/", D "\\norm//g.txt"), 0);
    CHECK(file_equals(D "/norm/g.txt", "M"));
    CHECK_INT(VSIUnlink(D "/norm//g.txt"), 0);
    CHECK(!exists(D "/norm/g.txt"));
    CHECK_INT(VSIRmdirRecursive(D "/norm/"), 0);
    CHECK(!exists(D "/norm"));
}

/* ------------------------------------------------------------------------ */
/* VSIRS_MemGetStats (libvsi extension).                                    */
/* ------------------------------------------------------------------------ */

#if IS_LIBVSI
static VSIRSMemStats stats(void)
{
    VSIRSMemStats s;
    memset(&s, 0xff, sizeof s);
    if (!VSIRS_MemGetStats(&s))
        check_failed(__FILE__, __LINE__, "VSIRS_MemGetStats failed");
    return s;
}

#define CHECK_STATS(s, base, dfiles, dused, dunlinked)                       \
    do {                                                                     \
        CHECK_INT((long long)(s).nFiles - (long long)(base).nFiles, dfiles); \
        CHECK_INT((long long)(s).nBytesUsed - (long long)(base).nBytesUsed, dused); \
        CHECK_INT((long long)(s).nUnlinkedOpen - (long long)(base).nUnlinkedOpen, dunlinked); \
    } while (0)

static void test_mem_stats(void)
{
    const char *path = D "/stats/f.bin";
    unsigned char block[1000];
    fill_pattern(block, sizeof block, 11, 0);

    CHECK_INT(VSIRS_MemGetStats(NULL), FALSE);
    CHECK_INT(VSIMkdirRecursive(D "/stats", 0755), 0);
    VSIRSMemStats base = stats();

    /* A 1000-byte file: +1 file, +1000 bytes used. */
    CHECK_INT(put_file(path, block, sizeof block), 0);
    VSIRSMemStats s = stats();
    CHECK_STATS(s, base, 1, 1000, 0);
    CHECK(s.nBytesAllocated >= base.nBytesAllocated + 1000);

    /* Directories are not files. */
    CHECK_INT(VSIMkdir(D "/stats/dir", 0755), 0);
    s = stats();
    CHECK_STATS(s, base, 1, 1000, 0);
    CHECK_INT(VSIRmdir(D "/stats/dir"), 0);

    /* Truncation shows in the bytes used. */
    VSILFILE *fp = VSIFOpenL(path, "r+b");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFTruncateL(fp, 400), 0);
    s = stats();
    CHECK_STATS(s, base, 1, 400, 0);
    CHECK_INT(VSIFTruncateL(fp, 1000), 0);
    s = stats();
    CHECK_STATS(s, base, 1, 1000, 0);

    /* Unlink while open: the file lives on as unlinked-but-open. */
    CHECK_INT(VSIUnlink(path), 0);
    s = stats();
    CHECK_STATS(s, base, 1, 1000, 1);
    /* Close: everything is back to the baseline, bytes freed. */
    CHECK_INT(VSIFCloseL(fp), 0);
    s = stats();
    CHECK_STATS(s, base, 0, 0, 0);
    CHECK_U64(s.nBytesAllocated, base.nBytesAllocated);

    /* Unlink with no handle open: straight back to the baseline. */
    CHECK_INT(put_file(path, block, 10), 0);
    CHECK_STATS(stats(), base, 1, 10, 0);
    CHECK_INT(VSIUnlink(path), 0);
    s = stats();
    CHECK_STATS(s, base, 0, 0, 0);
    CHECK_U64(s.nBytesAllocated, base.nBytesAllocated);

    /* Two handles: still one file; unlinked-open until the last close. */
    CHECK_INT(put_file(path, block, 100), 0);
    VSILFILE *a = VSIFOpenL(path, "rb");
    VSILFILE *b = VSIFOpenL(path, "rb");
    REQUIRE(a != NULL && b != NULL);
    CHECK_STATS(stats(), base, 1, 100, 0);
    CHECK_INT(VSIUnlink(path), 0);
    CHECK_STATS(stats(), base, 1, 100, 1);
    CHECK_INT(VSIFCloseL(a), 0);
    CHECK_STATS(stats(), base, 1, 100, 1);
    CHECK_INT(VSIFCloseL(b), 0);
    CHECK_STATS(stats(), base, 0, 0, 0);

    /* A lent buffer counts as used, not as allocated. */
    GByte lent[500];
    memset(lent, 1, sizeof lent);
    CHECK_INT(VSIFCloseL(VSIFileFromMemBuffer(path, lent, sizeof lent, FALSE)), 0);
    s = stats();
    CHECK_STATS(s, base, 1, 500, 0);
    CHECK_U64(s.nBytesAllocated, base.nBytesAllocated);
    CHECK_INT(VSIUnlink(path), 0);
    CHECK_STATS(stats(), base, 0, 0, 0);

    /* An owned buffer counts as both. */
    GByte *owned = VSIMalloc(300);
    REQUIRE(owned != NULL);
    memset(owned, 2, 300);
    CHECK_INT(VSIFCloseL(VSIFileFromMemBuffer(path, owned, 300, TRUE)), 0);
    s = stats();
    CHECK_STATS(s, base, 1, 300, 0);
    CHECK(s.nBytesAllocated >= base.nBytesAllocated + 300);

    /* Replacing a file held open: the old one becomes unlinked-open. */
    fp = VSIFOpenL(path, "rb");
    REQUIRE(fp != NULL);
    CHECK_INT(put_file(path, block, 20), 0); /* "wb" truncates the same object */
    CHECK_STATS(stats(), base, 1, 20, 0);
    GByte *repl = VSIMalloc(30);
    REQUIRE(repl != NULL);
    memset(repl, 3, 30);
    CHECK_INT(VSIFCloseL(VSIFileFromMemBuffer(path, repl, 30, TRUE)), 0);
    CHECK_STATS(stats(), base, 2, 50, 1);
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK_STATS(stats(), base, 1, 30, 0);

    /* Seizing the buffer: the file is gone, the bytes are the caller's. */
    vsi_l_offset len = 0;
    GByte *p = VSIGetMemFileBuffer(path, &len, TRUE);
    REQUIRE(p != NULL);
    CHECK_U64(len, 30);
    s = stats();
    CHECK_STATS(s, base, 0, 0, 0);
    CHECK_U64(s.nBytesAllocated, base.nBytesAllocated);
    VSIFree(p);

    /* A rename keeps the count. */
    CHECK_INT(put_file(path, block, 1000), 0);
    CHECK_INT(VSIRename(path, D "/stats/g.bin"), 0);
    CHECK_STATS(stats(), base, 1, 1000, 0);
    /* Renaming onto an existing file drops the replaced one. */
    CHECK_INT(put_file(path, block, 10), 0);
    CHECK_STATS(stats(), base, 2, 1010, 0);
    CHECK_INT(VSIRename(D "/stats/g.bin", path), 0);
    CHECK_STATS(stats(), base, 1, 1000, 0);

    /* An anonymous file counts while its handle is open. */
    GByte *anon = VSIMalloc(64);
    REQUIRE(anon != NULL);
    memset(anon, 4, 64);
    fp = VSIFileFromMemBuffer(NULL, anon, 64, TRUE);
    REQUIRE(fp != NULL);
    CHECK_STATS(stats(), base, 2, 1064, 0);
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK_STATS(stats(), base, 1, 1000, 0);

    /* Removing the tree drops everything under it. */
    CHECK_INT(VSIRmdirRecursive(D "/stats"), 0);
    s = stats();
    CHECK_STATS(s, base, 0, 0, 0);
    CHECK_U64(s.nBytesAllocated, base.nBytesAllocated);
}
#endif

/* ------------------------------------------------------------------------ */

static void test_misc(void)
{
    /* /vsimem/ is listed among the prefixes. */
    char **prefixes = VSIGetFileSystemsPrefixes();
    CHECK(list_has(prefixes, "/vsimem/"));
    CSLDestroy(prefixes);

    CHECK_INT(VSIIsCaseSensitiveFS("/vsimem/x"), TRUE);
    CHECK(VSIGetDiskFreeSpace("/vsimem/") != 0);

    /* VSIFGetNativeFileDescriptorL: no descriptor for memory files. */
    VSILFILE *fp = VSIFOpenL(D "/fd.bin", "wb");
    REQUIRE(fp != NULL);
    CHECK(VSIFGetNativeFileDescriptorL(fp) == NULL);
    CHECK_INT(VSIFGetRangeStatusL(fp, 0, 10), VSI_RANGE_STATUS_UNKNOWN);
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK_INT(VSIUnlink(D "/fd.bin"), 0);

    /* VSIUnlinkBatch: one flag per file, freed with VSIFree. */
    CHECK_INT(VSIMkdir(D "/batch", 0755), 0);
    CHECK_INT(put_str(D "/batch/1", "1"), 0);
    CHECK_INT(put_str(D "/batch/2", "2"), 0);
    char *files[] = {D "/batch/1", D "/batch/none", D "/batch/2", NULL};
    int *res = VSIUnlinkBatch((CSLConstList)files);
    REQUIRE(res != NULL);
    CHECK_INT(res[0], TRUE);
    CHECK_INT(res[1], FALSE);
    CHECK_INT(res[2], TRUE);
    VSIFree(res);
    CHECK(!exists(D "/batch/1"));
    CHECK(!exists(D "/batch/2"));
    char *none[] = {NULL};
    CHECK(VSIUnlinkBatch((CSLConstList)none) == NULL);
    CHECK_INT(VSIRmdir(D "/batch"), 0);

    /* VSIIngestFile on a memory file: NUL-terminated, size not counting it. */
    CHECK_INT(put_str(D "/ingest.txt", "ingested"), 0);
    GByte *data = NULL;
    vsi_l_offset size = 0;
    CHECK_INT(VSIIngestFile(NULL, D "/ingest.txt", &data, &size, -1), TRUE);
    CHECK_U64(size, 8);
    CHECK_STR((char *)data, "ingested");
    VSIFree(data);
    data = NULL;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CHECK_INT(VSIIngestFile(NULL, D "/ingest.txt", &data, &size, 4), FALSE);
    CPLPopErrorHandler();
    CHECK(data == NULL);
    VSIFree(data);
    CHECK_INT(VSIUnlink(D "/ingest.txt"), 0);

    /* ||maxlength=N caps how far a file can grow. */
    const char *capped = D "/capped.bin||maxlength=10";
    fp = VSIFOpenL(capped, "wb");
    REQUIRE(fp != NULL);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CHECK_INT(VSIFWriteL("0123456789", 1, 10, fp), 10);
    CHECK_INT(VSIFWriteL("X", 1, 1, fp), 0);
    CPLPopErrorHandler();
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK_INT(stat_size(capped), 10);
    CHECK_INT(VSIUnlink(capped), 0);
}

/* ------------------------------------------------------------------------ */

int main(void)
{
    VSIMkdirRecursive(D, 0755);
    RUN(test_open_modes);
    RUN(test_read_eof_semantics);
    RUN(test_zero_fill_and_truncate);
    RUN(test_unlink_while_open);
    RUN(test_from_mem_buffer_borrowed);
    RUN(test_from_mem_buffer_owned);
    RUN(test_get_mem_file_buffer);
    RUN(test_directories);
    RUN(test_rename);
    RUN(test_normalisation);
    RUN(test_non_utf8_names);
#if IS_LIBVSI
    RUN(test_mem_stats);
#endif
    RUN(test_misc);

    /* Everything this program made is gone. */
    char **left = VSIReadDirRecursive(D);
    CHECK_MSG(left == NULL, "%s is not empty at exit", D);
    if (left)
        dump_list("VSIReadDirRecursive(" D ")", left);
    CSLDestroy(left);
    CHECK_INT(VSIRmdir(D), 0);
    char **list = VSIReadDir("/vsimem/");
    CHECK_MSG(list == NULL, "/vsimem/ is not empty at exit");
    if (list)
        dump_list("VSIReadDir(/vsimem/)", list);
    CSLDestroy(list);
#if IS_LIBVSI
    VSIRSMemStats s;
    VSIRS_MemGetStats(&s);
    CHECK_U64(s.nFiles, 0);
    CHECK_U64(s.nBytesUsed, 0);
    CHECK_U64(s.nUnlinkedOpen, 0);
    CHECK_U64(s.nBytesAllocated, 0);
#endif
    return test_summary("test_mem");
}
