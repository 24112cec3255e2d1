/*
 * test_local.c -- local files through the C API, in a mkdtemp directory:
 * access modes, EOF and short reads, a >4 GiB sparse file reached by seek,
 * VSIFGetRangeStatusL, directory listings (with "." and ".."), mkdir/rmdir
 * (plain and recursive), rename, VSICopyFile, VSISync, VSIIngestFile and
 * VSIOverwriteFile.
 */
#include "test_common.h"

#include <fcntl.h>
#include <sys/statvfs.h>

/* Writes s to the local file with libc (independent of the API). */
static void libc_put(const char *path, const char *s)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        check_failed(__FILE__, __LINE__, "fopen(%s): %s", path, strerror(errno));
        return;
    }
    fputs(s, f);
    fclose(f);
}

/* ------------------------------------------------------------------------ */

static void test_open_modes(void)
{
    char buf[64];
    const char *f = sp("modes.txt");

    CHECK(VSIFOpenL(sp("missing"), "rb") == NULL);
    CHECK(VSIFOpenL(sp("missing"), "r+b") == NULL);
    CHECK(!exists(sp("missing")));
    /* A missing parent directory is not created. */
    CHECK(VSIFOpenL(sp("nodir/file"), "wb") == NULL);
    CHECK(!exists(sp("nodir")));

    /* "w" creates. */
    VSILFILE *fp = VSIFOpenL(f, "w");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFWriteL("hello", 1, 5, fp), 5);
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK(file_equals(f, "hello"));

    /* Stat: a regular file with permission bits, size and mtime. */
    VSIStatBufL st;
    CHECK_INT(VSIStatL(f, &st), 0);
    CHECK(VSI_ISREG(st.st_mode));
    CHECK((st.st_mode & 0777) != 0);
    CHECK_INT(st.st_size, 5);
    CHECK(st.st_mtime > 0);
    struct stat native;
    CHECK_INT(stat(f, &native), 0);
    CHECK_INT(st.st_mode, native.st_mode);
    CHECK_INT(st.st_ino, native.st_ino);
    /* A trailing slash on a regular file fails (ENOTDIR). */
    CHECK_INT(VSIStatL(sp("modes.txt/"), &st), -1);
    CHECK_INT(VSIStatL(g_scratch, &st), 0);
    CHECK(VSI_ISDIR(st.st_mode));

    /* "a" always appends (O_APPEND), whatever the seek said. */
    fp = VSIFOpenL(f, "ab");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFSeekL(fp, 0, SEEK_SET), 0);
    CHECK_INT(VSIFWriteL(" world", 1, 6, fp), 6);
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK(file_equals(f, "hello world"));

    /* "r": no writes. */
    fp = VSIFOpenL(f, "rb");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFWriteL("XX", 1, 2, fp), 0);
    memset(buf, 0, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, sizeof buf, fp), 11);
    CHECK_STR(buf, "hello world");
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK(file_equals(f, "hello world"));

    /* "r+": in place, no truncation; read-after-write works. */
    fp = VSIFOpenL(f, "r+b");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFWriteL("J", 1, 1, fp), 1);
    memset(buf, 0, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, 4, fp), 4);
    CHECK_STR(buf, "ello");
    CHECK_INT(VSIFWriteL("_", 1, 1, fp), 1);
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK(file_equals(f, "Jello_world"));

    /* "w+": truncates, then reads back. */
    fp = VSIFOpenL(f, "w+b");
    REQUIRE(fp != NULL);
    CHECK_INT(stat_size(f), 0);
    CHECK_INT(VSIFWriteL("abc", 1, 3, fp), 3);
    VSIRewindL(fp);
    memset(buf, 0, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, 10, fp), 3);
    CHECK_STR(buf, "abc");
    CHECK(VSIFEofL(fp) != 0);
    CHECK_INT(VSIFCloseL(fp), 0);

    /* "a+": reads anywhere, writes at the end. */
    fp = VSIFOpenL(f, "a+b");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFWriteL("def", 1, 3, fp), 3);
    CHECK_INT(VSIFSeekL(fp, 1, SEEK_SET), 0);
    memset(buf, 0, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, 2, fp), 2);
    CHECK_STR(buf, "bc");
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK(file_equals(f, "abcdef"));

    /* The native descriptor is the open file's. */
    fp = VSIFOpenL(f, "rb");
    REQUIRE(fp != NULL);
    void *fdp = VSIFGetNativeFileDescriptorL(fp);
    int fd = (int)(intptr_t)fdp;
    CHECK(fd > 2);
    struct stat fst;
    CHECK_INT(fstat(fd, &fst), 0);
    CHECK_INT(fst.st_ino, native.st_ino);
    CHECK_INT(VSIFCloseL(fp), 0);

    CHECK_INT(VSIUnlink(f), 0);
    CHECK_INT(VSIUnlink(f), -1);
    CHECK(!exists(f));
}

/* ------------------------------------------------------------------------ */

static void test_eof_and_short_reads(void)
{
    const char *f = sp("eof.bin");
    libc_put(f, "0123456789");
    VSILFILE *fp = VSIFOpenL(f, "rb");
    REQUIRE(fp != NULL);
    char buf[32];

    CHECK_INT(VSIFReadL(buf, 1, 10, fp), 10);
    CHECK_INT(VSIFEofL(fp), 0);
    CHECK_INT(VSIFReadL(buf, 1, 1, fp), 0);
    CHECK(VSIFEofL(fp) != 0);
#if HAVE_VSIFERRORL
    CHECK_INT(VSIFErrorL(fp), 0);
#endif
    CHECK_INT(VSIFSeekL(fp, 3, SEEK_SET), 0);
    CHECK_INT(VSIFEofL(fp), 0);
    /* 7 bytes left, objects of 3: two complete, the partial third consumed. */
    memset(buf, 0, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 3, 5, fp), 2);
    CHECK(VSIFEofL(fp) != 0);
    CHECK_MEM(buf, "3456789", 7);
    CHECK_U64(VSIFTellL(fp), 10);
#if HAVE_VSIFERRORL
    VSIFClearErrL(fp);
    CHECK_INT(VSIFEofL(fp), 0);
#endif

    /* Unsigned offsets. */
    CHECK_INT(VSIFSeekL(fp, 0, SEEK_END), 0);
    CHECK_U64(VSIFTellL(fp), 10);
    CHECK_INT(VSIFSeekL(fp, VSIFTellL(fp) - 4, SEEK_SET), 0);
    CHECK_INT(VSIFReadL(buf, 1, 1, fp), 1);
    CHECK_INT(buf[0], '6');
    CHECK_INT(VSIFSeekL(fp, 2, SEEK_CUR), 0);
    CHECK_U64(VSIFTellL(fp), 9);
    VSIRewindL(fp);
    CHECK_U64(VSIFTellL(fp), 0);
    /* Small forward seeks (read-ahead path) land where asked. */
    for (int i = 1; i < 10; i += 3) {
        CHECK_INT(VSIFSeekL(fp, (vsi_l_offset)i, SEEK_SET), 0);
        CHECK_INT(VSIFReadL(buf, 1, 1, fp), 1);
        CHECK_INT(buf[0], '0' + i);
    }

    /* Past the end. */
    CHECK_INT(VSIFSeekL(fp, 100, SEEK_SET), 0);
    CHECK_U64(VSIFTellL(fp), 100);
    CHECK_INT(VSIFReadL(buf, 1, 1, fp), 0);
    CHECK(VSIFEofL(fp) != 0);

    /* Multi-range read keeps the offset. */
    CHECK_INT(VSIFSeekL(fp, 5, SEEK_SET), 0);
    char r0[2], r1[3];
    void *data[2] = {r0, r1};
    vsi_l_offset offs[2] = {0, 7};
    size_t sizes[2] = {2, 3};
    CHECK_INT(VSIFReadMultiRangeL(2, data, offs, sizes, fp), 0);
    CHECK_MEM(r0, "01", 2);
    CHECK_MEM(r1, "789", 3);
    CHECK_U64(VSIFTellL(fp), 5);
    CHECK_INT(VSIFCloseL(fp), 0);

    /* Writing past the end leaves a zero-filled gap; truncate grows with
     * zeros and shrinks. */
    fp = VSIFOpenL(f, "r+b");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFSeekL(fp, 20, SEEK_SET), 0);
    CHECK_INT(VSIFWriteL("Z", 1, 1, fp), 1);
    CHECK_INT(VSIFFlushL(fp), 0);
    CHECK_INT(stat_size(f), 21);
    VSIRewindL(fp);
    memset(buf, 0xee, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, 21, fp), 21);
    CHECK_MEM(buf, "0123456789\0\0\0\0\0\0\0\0\0\0Z", 21);
    CHECK_INT(VSIFSeekL(fp, 2, SEEK_SET), 0);
    CHECK_INT(VSIFTruncateL(fp, 4), 0);
    CHECK_U64(VSIFTellL(fp), 2);
    CHECK_INT(VSIFTruncateL(fp, 6), 0);
    CHECK_INT(stat_size(f), 6);
    VSIRewindL(fp);
    memset(buf, 0xee, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, 10, fp), 6);
    CHECK_MEM(buf, "0123\0\0", 6);
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK_INT(VSIUnlink(f), 0);
}

/* ------------------------------------------------------------------------ */

static void test_large_sparse_file(void)
{
    const char *f = sp("sparse.bin");
    const vsi_l_offset five_gib = (vsi_l_offset)5 << 30;
    const vsi_l_offset four_gib = (vsi_l_offset)4 << 30;
    char buf[16];

    struct statvfs vfs;
    CHECK_INT(statvfs(g_scratch, &vfs), 0);
    int sparse = VSISupportsSparseFiles(g_scratch);
    CHECK(sparse == TRUE || sparse == FALSE);
    if (!sparse) {
        fprintf(stderr, "  note: %s does not support sparse files; >4 GiB test skipped\n", g_scratch);
        return;
    }

    VSILFILE *fp = VSIFOpenL(f, "wb+");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFWriteL("HEAD", 1, 4, fp), 4);
    CHECK_INT(VSIFSeekL(fp, five_gib, SEEK_SET), 0);
    CHECK_U64(VSIFTellL(fp), five_gib);
    CHECK_INT(VSIFWriteL("END", 1, 3, fp), 3);
    CHECK_U64(VSIFTellL(fp), five_gib + 3);
    CHECK_INT(VSIFFlushL(fp), 0);
    CHECK_INT(VSIFSeekL(fp, 0, SEEK_END), 0);
    CHECK_U64(VSIFTellL(fp), five_gib + 3);
    CHECK_INT(stat_size(f), (long long)(five_gib + 3));

    /* Offsets above 4 GiB read back exactly. */
    CHECK_INT(VSIFSeekL(fp, five_gib, SEEK_SET), 0);
    memset(buf, 0, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, 10, fp), 3);
    CHECK_STR(buf, "END");
    CHECK(VSIFEofL(fp) != 0);
    CHECK_INT(VSIFSeekL(fp, four_gib + 10, SEEK_SET), 0);
    memset(buf, 0xee, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, 8, fp), 8);
    CHECK_MEM(buf, "\0\0\0\0\0\0\0\0", 8);
    CHECK_U64(VSIFTellL(fp), four_gib + 18);
    /* SEEK_CUR across the 4 GiB line. */
    CHECK_INT(VSIFSeekL(fp, five_gib - four_gib - 18, SEEK_CUR), 0);
    CHECK_U64(VSIFTellL(fp), five_gib);

    /* Range status: the hole in the middle, data at both ends. UNKNOWN is
     * allowed only when the file system does not answer at all. */
    VSIRangeStatus hole = VSIFGetRangeStatusL(fp, (vsi_l_offset)1 << 30, 1 << 20);
    VSIRangeStatus head = VSIFGetRangeStatusL(fp, 0, 4);
    VSIRangeStatus tail = VSIFGetRangeStatusL(fp, five_gib, 3);
    if (hole == VSI_RANGE_STATUS_UNKNOWN) {
        fprintf(stderr, "  note: VSIFGetRangeStatusL gives UNKNOWN here (no FIEMAP?)\n");
        CHECK_INT(head, VSI_RANGE_STATUS_UNKNOWN);
    } else {
        CHECK_INT(hole, VSI_RANGE_STATUS_HOLE);
        CHECK_INT(head, VSI_RANGE_STATUS_DATA);
        CHECK_INT(tail, VSI_RANGE_STATUS_DATA);
    }

    /* Truncating back below 4 GiB. */
    CHECK_INT(VSIFTruncateL(fp, 4), 0);
    CHECK_INT(stat_size(f), 4);
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK(file_equals(f, "HEAD"));
    CHECK_INT(VSIUnlink(f), 0);
}

/* ------------------------------------------------------------------------ */

static void test_directories(void)
{
    /* An empty local directory lists "." and ".." (non-NULL). */
    CHECK_INT(VSIMkdir(sp("d"), 0755), 0);
    char **list = VSIReadDir(sp("d"));
    CHECK_INT(CSLCount(list), 2);
    CHECK(list_has(list, "."));
    CHECK(list_has(list, ".."));
    CSLDestroy(list);

    /* VSIMkdir on an existing path fails; mode is honoured (umask aside). */
    CHECK_INT(VSIMkdir(sp("d"), 0755), -1);
    mode_t old = umask(022);
    CHECK_INT(VSIMkdir(sp("d/private"), 0700), 0);
    umask(old);
    VSIStatBufL st;
    CHECK_INT(VSIStatL(sp("d/private"), &st), 0);
    CHECK(VSI_ISDIR(st.st_mode));
    CHECK_INT(st.st_mode & 0777, 0700);
    /* Parents are not created by VSIMkdir. */
    CHECK_INT(VSIMkdir(sp("d/x/y"), 0755), -1);
    CHECK(!exists(sp("d/x")));

    libc_put(sp("d/a.txt"), "a");
    libc_put(sp("d/b.txt"), "bb");
    CHECK_INT(VSIMkdir(sp("d/sub"), 0755), 0);
    libc_put(sp("d/sub/c.txt"), "ccc");
    CHECK_INT(VSIMkdir(sp("d/sub/deeper"), 0755), 0);
    libc_put(sp("d/sub/deeper/e.txt"), "e");

    /* Raw readdir names, "." and ".." included, in any order. */
    list = VSIReadDir(sp("d"));
    CHECK_INT(CSLCount(list), 6);
    const char *names[] = {".", "..", "a.txt", "b.txt", "sub", "private"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        CHECK_MSG(list_has(list, names[i]), "VSIReadDir lacks \"%s\"", names[i]);
    if (CSLCount(list) != 6)
        dump_list("VSIReadDir(d)", list);
    CSLDestroy(list);
    /* nMaxFiles + 1 rule. */
    list = VSIReadDirEx(sp("d"), 2);
    CHECK_INT(CSLCount(list), 3);
    CSLDestroy(list);
    /* A file or a missing path lists as NULL. */
    CHECK(VSIReadDir(sp("d/a.txt")) == NULL);
    CHECK(VSIReadDir(sp("d/none")) == NULL);

    /* Recursive listing: no dot entries, '/' after directories, a directory
     * just before its contents. */
    list = VSIReadDirRecursive(sp("d"));
    const char *rec[] = {"a.txt", "b.txt", "private/", "sub/", "sub/c.txt", "sub/deeper/",
                         "sub/deeper/e.txt"};
    int nrec = (int)(sizeof rec / sizeof rec[0]);
    CHECK_INT(CSLCount(list), nrec);
    for (int i = 0; i < nrec; i++)
        CHECK_MSG(list_has(list, rec[i]), "VSIReadDirRecursive lacks \"%s\"", rec[i]);
    CHECK(!list_has(list, ".") && !list_has(list, "..") && !list_has(list, "./") &&
          !list_has(list, "../"));
    CHECK(list_index(list, "sub/") < list_index(list, "sub/c.txt"));
    CHECK(list_index(list, "sub/") < list_index(list, "sub/deeper/"));
    CHECK(list_index(list, "sub/deeper/") < list_index(list, "sub/deeper/e.txt"));
    if (CSLCount(list) != nrec)
        dump_list("VSIReadDirRecursive(d)", list);
    CSLDestroy(list);
    CHECK(VSIReadDirRecursive(sp("d/a.txt")) == NULL);

    /* VSIOpenDir: depth limits, no dot entries, sizes and types. */
    VSIDIR *dir = VSIOpenDir(sp("d"), 0, NULL);
    REQUIRE(dir != NULL);
    const VSIDIREntry *e;
    int count = 0;
    while ((e = VSIGetNextDirEntry(dir)) != NULL) {
        count++;
        CHECK(strcmp(e->pszName, ".") != 0 && strcmp(e->pszName, "..") != 0);
        CHECK(strchr(e->pszName, '/') == NULL);
        if (strcmp(e->pszName, "b.txt") == 0) {
            CHECK(e->bModeKnown && VSI_ISREG(e->nMode));
            CHECK(e->bSizeKnown);
            CHECK_U64(e->nSize, 2);
            CHECK(e->bMTimeKnown && e->nMTime > 0);
        }
        if (strcmp(e->pszName, "sub") == 0)
            CHECK(e->bModeKnown && VSI_ISDIR(e->nMode));
    }
    VSICloseDir(dir);
    CHECK_INT(count, 4);
    dir = VSIOpenDir(sp("d"), 1, NULL);
    REQUIRE(dir != NULL);
    count = 0;
    int saw_c = 0, saw_e = 0;
    while ((e = VSIGetNextDirEntry(dir)) != NULL) {
        count++;
        saw_c |= strcmp(e->pszName, "sub/c.txt") == 0;
        saw_e |= strstr(e->pszName, "e.txt") != NULL;
    }
    VSICloseDir(dir);
    CHECK_INT(count, 6);
    CHECK(saw_c);
    CHECK(!saw_e);
    dir = VSIOpenDir(sp("d"), -1, NULL);
    REQUIRE(dir != NULL);
    count = 0;
    while (VSIGetNextDirEntry(dir) != NULL)
        count++;
    VSICloseDir(dir);
    CHECK_INT(count, 7);
    CHECK(VSIOpenDir(sp("d/a.txt"), -1, NULL) == NULL);
    dir = VSIOpenDir(sp("d/private"), -1, NULL);
    CHECK(dir != NULL);
    if (dir) {
        CHECK(VSIGetNextDirEntry(dir) == NULL);
        VSICloseDir(dir);
    }

    /* Rmdir of a non-empty directory fails locally. */
    CHECK_INT(VSIRmdir(sp("d/sub")), -1);
    CHECK(is_dir(sp("d/sub")));
    CHECK_INT(VSIRmdir(sp("d/private")), 0);
    CHECK(!exists(sp("d/private")));
    CHECK_INT(VSIRmdir(sp("d/private")), -1);

    /* VSIMkdirRecursive. */
    CHECK_INT(VSIMkdirRecursive(sp("d/m/n/o"), 0755), 0);
    CHECK(is_dir(sp("d/m/n/o")));
    CHECK_INT(VSIMkdirRecursive(sp("d/m/n/o"), 0755), 0);
    CHECK_INT(VSIMkdirRecursive(sp("d/m/n/o/"), 0755), 0);
    CHECK_INT(VSIMkdirRecursive(sp("d/a.txt"), 0755), -1);
    CHECK_INT(VSIMkdirRecursive(sp("d/a.txt/below"), 0755), -1);
    CHECK_INT(VSIMkdirRecursive("", 0755), -1);
    CHECK_INT(VSIMkdirRecursive("/", 0755), -1);

    /* VSIRmdirRecursive removes everything below. */
    CHECK_INT(VSIRmdirRecursive(sp("d/sub")), 0);
    CHECK(!exists(sp("d/sub")));
    CHECK(!exists(sp("d/sub/deeper/e.txt")));
    CHECK_INT(VSIRmdirRecursive(""), -1);
    CHECK_INT(VSIRmdirRecursive("/"), -1);
    CHECK_INT(VSIRmdirRecursive(sp("d")), 0);
    CHECK(!exists(sp("d")));
    CHECK_INT(VSIRmdirRecursive(sp("d")), -1);
}

/* ------------------------------------------------------------------------ */

static void test_rename(void)
{
    libc_put(sp("r1"), "one");
    libc_put(sp("r2"), "two");
    CHECK_INT(VSIRename(sp("r1"), sp("r3")), 0);
    CHECK(!exists(sp("r1")));
    CHECK(file_equals(sp("r3"), "one"));
    /* rename(2) semantics: the target is replaced. */
    CHECK_INT(VSIRename(sp("r3"), sp("r2")), 0);
    CHECK(file_equals(sp("r2"), "one"));
    CHECK_INT(VSIRename(sp("none"), sp("r4")), -1);
    CHECK(!exists(sp("r4")));
    /* Directories move whole. */
    CHECK_INT(VSIMkdir(sp("rd"), 0755), 0);
    libc_put(sp("rd/f"), "f");
    CHECK_INT(VSIRename(sp("rd"), sp("rd2")), 0);
    CHECK(file_equals(sp("rd2/f"), "f"));
    CHECK(!exists(sp("rd")));
    /* A directory cannot replace a file. */
    CHECK_INT(VSIRename(sp("rd2"), sp("r2")), -1);
    CHECK_INT(VSIRmdirRecursive(sp("rd2")), 0);
    CHECK_INT(VSIUnlink(sp("r2")), 0);
}

/* ------------------------------------------------------------------------ */

#if HAVE_VSICOPYFILE
static int g_progress_calls;
static double g_progress_last;
static int progress_cb(double done, const char *msg, void *data)
{
    (void)msg;
    g_progress_calls++;
    g_progress_last = done;
    return data == NULL ? TRUE : FALSE; /* non-NULL data: cancel */
}

static void test_copy_file(void)
{
    unsigned char big[100000];
    fill_pattern(big, sizeof big, 5, 0);
    CHECK_INT(put_file(sp("src.bin"), big, sizeof big), 0);

    /* Local to local, with progress. */
    g_progress_calls = 0;
    g_progress_last = -1;
    CHECK_INT(VSICopyFile(sp("src.bin"), sp("dst.bin"), NULL, (vsi_l_offset)-1, NULL,
                          progress_cb, NULL),
              0);
    CHECK(g_progress_calls > 0);
    CHECK(g_progress_last == 1.0);
    size_t n = 0;
    char *got = get_file(sp("dst.bin"), &n);
    CHECK_INT(n, sizeof big);
    CHECK_MEM(got, big, sizeof big);
    free(got);

    /* Local to /vsimem/ and back. */
    CHECK_INT(VSICopyFile(sp("src.bin"), "/vsimem/test_local/copy.bin", NULL, (vsi_l_offset)-1,
                          NULL, NULL, NULL),
              0);
    CHECK_INT(stat_size("/vsimem/test_local/copy.bin"), sizeof big);
    CHECK_INT(VSICopyFile("/vsimem/test_local/copy.bin", sp("back.bin"), NULL,
                          (vsi_l_offset)-1, NULL, NULL, NULL),
              0);
    got = get_file(sp("back.bin"), &n);
    CHECK_INT(n, sizeof big);
    CHECK_MEM(got, big, sizeof big);
    free(got);

    /* From an open handle, with the size given: copies from the start. */
    VSILFILE *fp = VSIFOpenL(sp("src.bin"), "rb");
    REQUIRE(fp != NULL);
    CHECK_INT(VSICopyFile(NULL, sp("fromfp.bin"), fp, sizeof big, NULL, NULL, NULL), 0);
    CHECK_INT(stat_size(sp("fromfp.bin")), sizeof big);
    CHECK_INT(VSIFCloseL(fp), 0);

    /* A wrong announced size fails and removes the target. */
    fp = VSIFOpenL(sp("src.bin"), "rb");
    REQUIRE(fp != NULL);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CHECK_INT(VSICopyFile(NULL, sp("wrong.bin"), fp, sizeof big + 10, NULL, NULL, NULL), -1);
    CPLPopErrorHandler();
    CHECK(!exists(sp("wrong.bin")));
    CHECK_INT(VSIFCloseL(fp), 0);

    /* Cancelling through the progress callback fails and removes the target. */
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CHECK_INT(VSICopyFile(sp("src.bin"), sp("cancel.bin"), NULL, (vsi_l_offset)-1, NULL,
                          progress_cb, (void *)1),
              -1);
    CPLPopErrorHandler();
    CHECK(!exists(sp("cancel.bin")));

    /* Missing source, no source at all, no target. */
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CHECK_INT(VSICopyFile(sp("none.bin"), sp("none-copy.bin"), NULL, (vsi_l_offset)-1, NULL,
                          NULL, NULL),
              -1);
    CHECK(!exists(sp("none-copy.bin")));
    CHECK_INT(VSICopyFile(NULL, sp("x.bin"), NULL, 0, NULL, NULL, NULL), -1);
    CHECK(!exists(sp("x.bin")));
    CHECK_INT(VSICopyFile(sp("src.bin"), "", NULL, (vsi_l_offset)-1, NULL, NULL, NULL), -1);
    CHECK_INT(VSICopyFile(sp("src.bin"), NULL, NULL, (vsi_l_offset)-1, NULL, NULL, NULL), -1);
    /* Into a missing directory. */
    CHECK_INT(VSICopyFile(sp("src.bin"), sp("nodir/x.bin"), NULL, (vsi_l_offset)-1, NULL, NULL,
                          NULL),
              -1);
    CPLPopErrorHandler();

    /* An empty file copies as an empty file. */
    CHECK_INT(put_file(sp("empty"), "", 0), 0);
    CHECK_INT(VSICopyFile(sp("empty"), sp("empty2"), NULL, (vsi_l_offset)-1, NULL, NULL, NULL), 0);
    CHECK_INT(stat_size(sp("empty2")), 0);

    VSIUnlink(sp("empty"));
    VSIUnlink(sp("empty2"));
    VSIUnlink(sp("src.bin"));
    VSIUnlink(sp("dst.bin"));
    VSIUnlink(sp("back.bin"));
    VSIUnlink(sp("fromfp.bin"));
    CHECK_INT(VSIRmdirRecursive("/vsimem/test_local"), 0);
}
#endif

/* ------------------------------------------------------------------------ */

static void test_sync(void)
{
    CHECK_INT(VSIMkdirRecursive(sp("sync/src/sub"), 0755), 0);
    libc_put(sp("sync/src/a.txt"), "aaa");
    libc_put(sp("sync/src/sub/b.txt"), "bb");
    CHECK_INT(VSIMkdir(sp("sync/t1"), 0755), 0);
    CHECK_INT(VSIMkdir(sp("sync/t2"), 0755), 0);

    /* "src/" copies the directory's content into the target. */
    char **outputs = (char **)&outputs; /* must be reset to NULL */
    char src_slash[4200];
    snprintf(src_slash, sizeof src_slash, "%s/", sp("sync/src"));
    CHECK_INT(VSISync(src_slash, sp("sync/t1"), NULL, NULL, NULL, &outputs), TRUE);
    CHECK(outputs == NULL);
    CHECK(file_equals(sp("sync/t1/a.txt"), "aaa"));
    CHECK(file_equals(sp("sync/t1/sub/b.txt"), "bb"));

    /* "src" (no slash) creates target/src. */
    CHECK_INT(VSISync(sp("sync/src"), sp("sync/t2"), NULL, NULL, NULL, NULL), TRUE);
    CHECK(file_equals(sp("sync/t2/src/a.txt"), "aaa"));
    CHECK(file_equals(sp("sync/t2/src/sub/b.txt"), "bb"));

    /* Syncing again after a change updates the changed file. */
    libc_put(sp("sync/src/a.txt"), "changed");
    CHECK_INT(VSISync(src_slash, sp("sync/t1"), NULL, NULL, NULL, NULL), TRUE);
    CHECK(file_equals(sp("sync/t1/a.txt"), "changed"));

    /* RECURSIVE=NO: top-level files only. */
    CHECK_INT(VSIMkdir(sp("sync/t3"), 0755), 0);
    char *opts[] = {"RECURSIVE=NO", NULL};
    CHECK_INT(VSISync(src_slash, sp("sync/t3"), (opts_t)opts, NULL, NULL, NULL), TRUE);
    CHECK(file_equals(sp("sync/t3/a.txt"), "changed"));
    CHECK(!exists(sp("sync/t3/sub/b.txt")));

    /* A single file to a file name, and into /vsimem/. */
    CHECK_INT(VSISync(sp("sync/src/a.txt"), sp("sync/single.txt"), NULL, NULL, NULL, NULL), TRUE);
    CHECK(file_equals(sp("sync/single.txt"), "changed"));
    CHECK_INT(VSIMkdir("/vsimem/test_local_sync", 0755), 0);
    CHECK_INT(VSISync(src_slash, "/vsimem/test_local_sync", NULL, NULL, NULL, NULL), TRUE);
    CHECK(file_equals("/vsimem/test_local_sync/sub/b.txt", "bb"));
    CHECK_INT(VSIRmdirRecursive("/vsimem/test_local_sync"), 0);

    /* A missing source fails. */
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CHECK_INT(VSISync(sp("sync/none"), sp("sync/t1"), NULL, NULL, NULL, NULL), FALSE);
    CPLPopErrorHandler();

    CHECK_INT(VSIRmdirRecursive(sp("sync")), 0);
}

/* ------------------------------------------------------------------------ */

static void test_ingest_and_overwrite(void)
{
    libc_put(sp("in.txt"), "ingest me");
    GByte *data = (GByte *)&data;
    vsi_l_offset size = 1234;

    /* By name: the whole file, NUL-terminated. */
    CHECK_INT(VSIIngestFile(NULL, sp("in.txt"), &data, &size, -1), TRUE);
    CHECK_U64(size, 9);
    REQUIRE(data != NULL);
    CHECK_STR((char *)data, "ingest me");
    VSIFree(data);

    /* pnSize may be NULL. */
    data = NULL;
    CHECK_INT(VSIIngestFile(NULL, sp("in.txt"), &data, NULL, -1), TRUE);
    CHECK_STR((char *)data, "ingest me");
    VSIFree(data);

    /* nMaxSize: exactly the size is fine, one less fails. */
    data = NULL;
    CHECK_INT(VSIIngestFile(NULL, sp("in.txt"), &data, &size, 9), TRUE);
    VSIFree(data);
    data = (GByte *)&data;
    size = 1234;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CHECK_INT(VSIIngestFile(NULL, sp("in.txt"), &data, &size, 8), FALSE);
    CHECK(data == NULL);
    CHECK_U64(size, 0);
    /* A missing file fails. */
    data = (GByte *)&data;
    CHECK_INT(VSIIngestFile(NULL, sp("none.txt"), &data, &size, -1), FALSE);
    CHECK(data == NULL);
    CPLPopErrorHandler();

    /* From an open handle: read from the start, the handle stays open. */
    VSILFILE *fp = VSIFOpenL(sp("in.txt"), "rb");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFSeekL(fp, 4, SEEK_SET), 0);
    data = NULL;
    CHECK_INT(VSIIngestFile(fp, NULL, &data, &size, -1), TRUE);
    CHECK_U64(size, 9);
    CHECK_STR((char *)data, "ingest me");
    VSIFree(data);
    VSIRewindL(fp);
    char buf[4] = {0};
    CHECK_INT(VSIFReadL(buf, 1, 3, fp), 3);
    CHECK_STR(buf, "ing");
    CHECK_INT(VSIFCloseL(fp), 0);

    /* An empty file gives an empty, still NUL-terminated buffer. */
    libc_put(sp("empty.txt"), "");
    data = NULL;
    CHECK_INT(VSIIngestFile(NULL, sp("empty.txt"), &data, &size, -1), TRUE);
    CHECK_U64(size, 0);
    CHECK(data != NULL && data[0] == 0);
    VSIFree(data);

    /* VSIOverwriteFile: the target takes the source's exact content, shorter
     * or longer. */
    libc_put(sp("target.txt"), "a much longer original content");
    libc_put(sp("short.txt"), "short");
    fp = VSIFOpenL(sp("target.txt"), "rb+");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIOverwriteFile(fp, sp("short.txt")), TRUE);
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK(file_equals(sp("target.txt"), "short"));

    unsigned char big[10000];
    fill_pattern(big, sizeof big, 9, 0);
    CHECK_INT(put_file(sp("long.bin"), big, sizeof big), 0);
    fp = VSIFOpenL(sp("target.txt"), "rb+");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIOverwriteFile(fp, sp("long.bin")), TRUE);
    CHECK_INT(VSIFCloseL(fp), 0);
    size_t n = 0;
    char *got = get_file(sp("target.txt"), &n);
    CHECK_INT(n, sizeof big);
    CHECK_MEM(got, big, sizeof big);
    free(got);

    /* A missing source fails and leaves the target alone. */
    fp = VSIFOpenL(sp("target.txt"), "rb+");
    REQUIRE(fp != NULL);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CHECK_INT(VSIOverwriteFile(fp, sp("none.txt")), FALSE);
    CPLPopErrorHandler();
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK_INT(stat_size(sp("target.txt")), sizeof big);

    VSIUnlink(sp("in.txt"));
    VSIUnlink(sp("empty.txt"));
    VSIUnlink(sp("target.txt"));
    VSIUnlink(sp("short.txt"));
    VSIUnlink(sp("long.bin"));
}

/* ------------------------------------------------------------------------ */

static void test_misc(void)
{
    CHECK(VSIGetDiskFreeSpace(g_scratch) > 0);
    CHECK_INT(VSIIsCaseSensitiveFS(g_scratch), TRUE);

    /* VSIUnlinkBatch on local files. */
    libc_put(sp("u1"), "1");
    libc_put(sp("u2"), "2");
    char p1[4200], p2[4200], p3[4200];
    snprintf(p1, sizeof p1, "%s", sp("u1"));
    snprintf(p2, sizeof p2, "%s", sp("u-none"));
    snprintf(p3, sizeof p3, "%s", sp("u2"));
    char *files[] = {p1, p2, p3, NULL};
    int *res = VSIUnlinkBatch((CSLConstList)files);
    REQUIRE(res != NULL);
    CHECK_INT(res[0], TRUE);
    CHECK_INT(res[1], FALSE);
    CHECK_INT(res[2], TRUE);
    VSIFree(res);
    CHECK(!exists(p1) && !exists(p3));

    /* Files of different file systems in one batch: refused. */
    libc_put(sp("u3"), "3");
    CHECK_INT(put_str("/vsimem/test_local_u4", "4"), 0);
    char p4[4200];
    snprintf(p4, sizeof p4, "%s", sp("u3"));
    char *mixed[] = {p4, "/vsimem/test_local_u4", NULL};
    CPLPushErrorHandler(CPLQuietErrorHandler);
    res = VSIUnlinkBatch((CSLConstList)mixed);
    CPLPopErrorHandler();
    CHECK(res == NULL);
    VSIFree(res);
    CHECK(exists(p4));
    CHECK(exists("/vsimem/test_local_u4"));
    VSIUnlink(p4);
    VSIUnlink("/vsimem/test_local_u4");

    /* Relative paths resolve against the working directory. */
    char cwd[4096];
    REQUIRE(getcwd(cwd, sizeof cwd) != NULL);
    REQUIRE(chdir(g_scratch) == 0);
    CHECK_INT(put_str("relative.txt", "rel"), 0);
    CHECK(file_equals(sp("relative.txt"), "rel"));
    CHECK(is_file("./relative.txt"));
    char **list = VSIReadDir(".");
    CHECK(list_has(list, "relative.txt"));
    CSLDestroy(list);
    list = VSIReadDir(""); /* "" means "." */
    CHECK(list_has(list, "relative.txt"));
    CSLDestroy(list);
    CHECK_INT(VSIUnlink("relative.txt"), 0);
    REQUIRE(chdir(cwd) == 0);
}

/* Local names are bytes: a Latin-1 name reaches the OS unchanged. */
static void test_non_utf8_names(void)
{
    const char *name = sp("caf\xe9.txt");
    CHECK_INT(put_str(name, "latin1"), 0);
    /* The exact bytes exist on disk (checked with libc)... */
    CHECK_INT(access(name, F_OK), 0);
    /* ...and no mangled (U+FFFD) name was made instead. */
    CHECK_INT(access(sp("caf\xef\xbf\xbd.txt"), F_OK), -1);
    CHECK(file_equals(name, "latin1"));
    char **list = VSIReadDir(g_scratch);
    CHECK(list_has(list, "caf\xe9.txt"));
    CSLDestroy(list);
    /* A file made by libc with such a name is found. */
    libc_put(sp("na\xefve"), "naive");
    CHECK(file_equals(sp("na\xefve"), "naive"));
    CHECK_INT(VSIUnlink(sp("na\xefve")), 0);
    CHECK_INT(access(sp("na\xefve"), F_OK), -1);
    CHECK_INT(VSIUnlink(name), 0);
    CHECK_INT(access(name, F_OK), -1);
    /* Leftovers when names are mangled, so later checks stay meaningful. */
    unlink(name);
    unlink(sp("na\xefve"));
    unlink(sp("caf\xef\xbf\xbd.txt"));
    unlink(sp("na\xef\xbf\xbdve"));
}

/* ------------------------------------------------------------------------ */

int main(void)
{
    make_scratch("local");
    RUN(test_open_modes);
    RUN(test_eof_and_short_reads);
    RUN(test_large_sparse_file);
    RUN(test_directories);
    RUN(test_rename);
#if HAVE_VSICOPYFILE
    RUN(test_copy_file);
#endif
    RUN(test_sync);
    RUN(test_ingest_and_overwrite);
    RUN(test_misc);
    RUN(test_non_utf8_names);

    /* Nothing left behind in the scratch directory. */
    char **left = VSIReadDir(g_scratch);
    CHECK_INT(CSLCount(left), 2); /* "." and ".." */
    if (CSLCount(left) != 2)
        dump_list("left in scratch", left);
    CSLDestroy(left);
    return test_summary("test_local");
}
