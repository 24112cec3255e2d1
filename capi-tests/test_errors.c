/*
 * test_errors.c -- failure paths of the C API: NULL arguments, unknown
 * access modes, writes on read-only handles, huge offsets, directories
 * opened as files, over-long paths, the VSI last-error API, and the CPL
 * error handler stack (push/pop/set, CPLQuietErrorHandler, and the exact
 * "ERROR n: msg" output of CPLDefaultErrorHandler on stderr).
 */
#include "test_common.h"

#include <fcntl.h>

/* ------------------------------------------------------------------------ */
/* NULL arguments (libvsi contract: never crash, report CPLE_ObjectNull,    */
/* return GDAL's failure value). GDAL itself crashes on many of these.      */
/* ------------------------------------------------------------------------ */

#if IS_LIBVSI
/* Evaluates `call` after resetting the CPL error and checks that the result
 * satisfies `ok` and that CPLE_ObjectNull was raised. */
#define NULL_ARG(type, call, ok)                                             \
    do {                                                                     \
        CPLErrorReset();                                                     \
        type r = call;                                                       \
        (void)r;                                                             \
        CHECK_MSG(ok, "%s: unexpected result", #call);                       \
        CHECK_MSG(CPLGetLastErrorNo() == CPLE_ObjectNull,                    \
                  "%s: CPLGetLastErrorNo() == %d, expected CPLE_ObjectNull", #call, \
                  CPLGetLastErrorNo());                                      \
        CHECK_MSG(CPLGetLastErrorType() == CE_Failure, "%s: error class %d", #call, \
                  CPLGetLastErrorType());                                    \
        CHECK_MSG(CPLGetLastErrorMsg()[0] != 0, "%s: empty error message", #call); \
    } while (0)

#define NULL_ARG_VOID(call)                                                  \
    do {                                                                     \
        CPLErrorReset();                                                     \
        call;                                                                \
        CHECK_MSG(CPLGetLastErrorNo() == CPLE_ObjectNull,                    \
                  "%s: CPLGetLastErrorNo() == %d, expected CPLE_ObjectNull", #call, \
                  CPLGetLastErrorNo());                                      \
    } while (0)

static void test_null_arguments(void)
{
    /* The messages go to the handler: keep them quiet but counted. */
    capture_reset();
    CPLPushErrorHandler(capture_handler);

    const char *path = "/vsimem/test_errors/null.bin";
    CHECK_INT(put_str(path, "0123456789"), 0);
    VSILFILE *fp = VSIFOpenL(path, "r+b");
    REQUIRE(fp != NULL);
    char buf[16];
    VSIStatBufL st;
    GByte *data = NULL;
    vsi_l_offset size = 0;
    VSILFILE *nullfp = NULL;
    /* Through a volatile so the compiler cannot see the NULL format. */
    const char *volatile nullstr = NULL;

    /* Opening. */
    NULL_ARG(VSILFILE *, VSIFOpenL(NULL, "rb"), r == NULL);
    NULL_ARG(VSILFILE *, VSIFOpenL(path, NULL), r == NULL);
    NULL_ARG(VSILFILE *, VSIFOpenExL(NULL, "rb", TRUE), r == NULL);
    NULL_ARG(VSILFILE *, VSIFOpenExL(path, NULL, FALSE), r == NULL);
    NULL_ARG(VSILFILE *, VSIFOpenEx2L(NULL, "rb", TRUE, NULL), r == NULL);
    NULL_ARG(VSILFILE *, VSIFOpenEx2L(path, NULL, TRUE, NULL), r == NULL);

    /* Handle functions with a NULL handle. */
    NULL_ARG(int, VSIFCloseL(nullfp), r == -1);
    NULL_ARG(int, VSIFSeekL(nullfp, 0, SEEK_SET), r == -1);
    NULL_ARG(vsi_l_offset, VSIFTellL(nullfp), r == 0);
    NULL_ARG_VOID(VSIRewindL(nullfp));
    NULL_ARG(size_t, VSIFReadL(buf, 1, 1, nullfp), r == 0);
    NULL_ARG(size_t, VSIFWriteL("x", 1, 1, nullfp), r == 0);
    NULL_ARG(int, VSIFEofL(nullfp), r == 0);
    NULL_ARG(int, VSIFErrorL(nullfp), r == 0);
    NULL_ARG_VOID(VSIFClearErrL(nullfp));
    NULL_ARG(int, VSIFTruncateL(nullfp, 0), r == -1);
    NULL_ARG(int, VSIFFlushL(nullfp), r == -1);
    NULL_ARG(int, VSIFPutcL('x', nullfp), r == 0);
    NULL_ARG(int, VSIFPrintfL(nullfp, "%d", 1), r == 0);
    NULL_ARG(VSIRangeStatus, VSIFGetRangeStatusL(nullfp, 0, 1), r == VSI_RANGE_STATUS_UNKNOWN);
    NULL_ARG(void *, VSIFGetNativeFileDescriptorL(nullfp), r == NULL);
    {
        void *pdata[1] = {buf};
        vsi_l_offset offs[1] = {0};
        size_t sizes[1] = {1};
        NULL_ARG(int, VSIFReadMultiRangeL(1, pdata, offs, sizes, nullfp), r == -1);
        NULL_ARG(int, VSIFReadMultiRangeL(1, NULL, offs, sizes, fp), r == -1);
        NULL_ARG(int, VSIFReadMultiRangeL(1, pdata, NULL, sizes, fp), r == -1);
        NULL_ARG(int, VSIFReadMultiRangeL(1, pdata, offs, NULL, fp), r == -1);
    }
    NULL_ARG(int, VSIOverwriteFile(nullfp, path), r == FALSE);
    NULL_ARG(int, VSIOverwriteFile(fp, NULL), r == FALSE);
    NULL_ARG(int, VSIIngestFile(NULL, NULL, &data, &size, -1), r == FALSE && data == NULL);
    NULL_ARG(int, VSIIngestFile(NULL, path, NULL, &size, -1), r == FALSE);

    /* NULL buffers with a non-zero size. */
    NULL_ARG(size_t, VSIFReadL(NULL, 1, 4, fp), r == 0);
    NULL_ARG(size_t, VSIFWriteL(NULL, 1, 4, fp), r == 0);
    /* A NULL buffer with a zero size is not an error. */
    CPLErrorReset();
    CHECK_INT(VSIFReadL(NULL, 0, 4, fp), 0);
    CHECK_INT(VSIFWriteL(NULL, 4, 0, fp), 0);
    CHECK_INT(CPLGetLastErrorNo(), CPLE_None);
    /* A NULL format writes nothing. */
    CHECK_INT(VSIFPrintfL(fp, nullstr), 0);

    /* Path functions. */
    NULL_ARG(int, VSIStatL(NULL, &st), r == -1);
    NULL_ARG(int, VSIStatL(path, NULL), r == -1);
    NULL_ARG(int, VSIStatExL(NULL, &st, 0), r == -1);
    NULL_ARG(int, VSIStatExL(path, NULL, VSI_STAT_SIZE_FLAG), r == -1);
    NULL_ARG(char **, VSIReadDir(NULL), r == NULL);
    NULL_ARG(char **, VSIReadDirEx(NULL, 5), r == NULL);
    NULL_ARG(char **, VSIReadDirRecursive(NULL), r == NULL);
    NULL_ARG(VSIDIR *, VSIOpenDir(NULL, -1, NULL), r == NULL);
    NULL_ARG(const VSIDIREntry *, VSIGetNextDirEntry(NULL), r == NULL);
    NULL_ARG(int, VSIMkdir(NULL, 0755), r == -1);
    NULL_ARG(int, VSIMkdirRecursive(NULL, 0755), r == -1);
    NULL_ARG(int, VSIRmdir(NULL), r == -1);
    NULL_ARG(int, VSIRmdirRecursive(NULL), r == -1);
    NULL_ARG(int, VSIUnlink(NULL), r == -1);
    NULL_ARG(int, VSIRename(NULL, path), r == -1);
    NULL_ARG(int, VSIRename(path, NULL), r == -1);
    NULL_ARG(int, VSISync(NULL, "/vsimem/test_errors/s", NULL, NULL, NULL, NULL), r == FALSE);
    NULL_ARG(int, VSISync(path, NULL, NULL, NULL, NULL, NULL), r == FALSE);
    NULL_ARG(VSILFILE *, VSIFileFromMemBuffer("/vsimem/test_errors/nodata", NULL, 10, FALSE),
             r == NULL);
    NULL_ARG(int, VSIRS_MemGetStats(NULL), r == FALSE);
    CHECK(!exists("/vsimem/test_errors/nodata"));

    /* NULLs with a defined meaning: no error needed, GDAL's result. */
    CHECK(VSIGetMemFileBuffer(NULL, &size, FALSE) == NULL);
    CHECK(VSIGetMemFileBuffer(NULL, &size, TRUE) == NULL);
    CHECK(VSIUnlinkBatch(NULL) == NULL);
    CHECK_INT(VSIGetDiskFreeSpace(NULL), -1);
    CHECK_INT(VSISupportsSparseFiles(NULL), FALSE);
    (void)VSIIsCaseSensitiveFS(NULL);
    VSICloseDir(NULL);
    VSIFree(NULL);
    CSLDestroy(NULL);
    CHECK_INT(CSLCount(NULL), 0);
    CHECK(CSLFetchNameValue(NULL, "KEY") == NULL);
    char **list = CSLAddString(NULL, "first");
    CHECK_INT(CSLCount(list), 1);
    CHECK(CSLAddString(list, NULL) == list);
    CHECK_INT(CSLCount(list), 1);
    CHECK(CSLFetchNameValue(list, NULL) == NULL);
    CSLDestroy(list);
    char *dup = VSIStrdup(NULL);
    CHECK_STR(dup, "");
    VSIFree(dup);
    CHECK(CPLGetConfigOption(NULL, "dflt") != NULL);
    CPLSetConfigOption(NULL, "x");
    CPLSetThreadLocalConfigOption(NULL, "x");
    (void)CPLTestBool(NULL);

    /* A zero-length file from a NULL buffer is fine. */
    VSILFILE *empty = VSIFileFromMemBuffer("/vsimem/test_errors/empty", NULL, 0, FALSE);
    CHECK(empty != NULL);
    if (empty) {
        CHECK_INT(VSIFReadL(buf, 1, 1, empty), 0);
        CHECK(VSIFEofL(empty) != 0);
        CHECK_INT(VSIFCloseL(empty), 0);
    }
    CHECK_INT(stat_size("/vsimem/test_errors/empty"), 0);
    CHECK_INT(VSIUnlink("/vsimem/test_errors/empty"), 0);

    /* Error functions with NULL messages record an empty message. */
    VSIError(VSIE_FileError, nullstr);
    CHECK_INT(VSIGetLastErrorNo(), VSIE_FileError);
    CHECK_STR(VSIGetLastErrorMsg(), "");
    VSIErrorReset();
    capture_reset();
    CPLError(CE_Warning, CPLE_AppDefined, nullstr);
    CHECK_INT(CPLGetLastErrorNo(), CPLE_AppDefined);
    CHECK_STR(CPLGetLastErrorMsg(), "");
    CHECK_INT(g_cap.count, 1);
    CPLDebug(nullstr, nullstr);
    VSIRS_VSIErrorMsg(VSIE_FileError, NULL);
    CHECK_STR(VSIGetLastErrorMsg(), "");
    VSIRS_CPLErrorMsg(CE_Failure, CPLE_FileIO, NULL);
    CHECK_STR(CPLGetLastErrorMsg(), "");
    VSIRS_CPLDebugMsg(NULL, NULL);

    CPLPopErrorHandler();
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK_INT(VSIRmdirRecursive("/vsimem/test_errors"), 0);
    CPLErrorReset();
    VSIErrorReset();
}
#endif

/* ------------------------------------------------------------------------ */

static void test_access_modes(void)
{
    const char *local = sp("modes.txt");
    const char *mem = "/vsimem/test_errors/modes.txt";
    CHECK_INT(put_str(local, "local"), 0);
    CHECK_INT(put_str(mem, "memory"), 0);

    /* Local files take the mode to fopen: invalid modes fail (EINVAL). */
    errno = 0;
    CHECK(VSIFOpenL(local, "z") == NULL);
    CHECK(VSIFOpenL(local, "") == NULL);
    CHECK(VSIFOpenL(sp("new.txt"), "q") == NULL);
    CHECK(!exists(sp("new.txt")));
    CHECK(file_equals(local, "local"));

    /* /vsimem/: a missing file is only created by modes with 'w' or 'a'. */
    CHECK(VSIFOpenL("/vsimem/test_errors/new", "q") == NULL);
    CHECK(VSIFOpenL("/vsimem/test_errors/new", "") == NULL);
    CHECK(VSIFOpenL("/vsimem/test_errors/new", "+") == NULL);
    CHECK(!exists("/vsimem/test_errors/new"));
    /* On an existing file an unknown mode opens a handle that grants
     * neither reading nor writing (GDAL: reading needs 'r' or '+', writing
     * 'w', '+' or 'a'). */
    VSILFILE *fp = VSIFOpenL(mem, "q");
    CHECK(fp != NULL);
    if (fp != NULL) {
        char buf[8];
        CHECK_INT(VSIFWriteL("X", 1, 1, fp), 0);
#if SPEC_NEWER_THAN_3_6
        CHECK_INT(VSIFReadL(buf, 1, 1, fp), 0);
#else
        (void)buf;
#endif
        CHECK_INT(VSIFCloseL(fp), 0);
    }
    CHECK(file_equals(mem, "memory"));

    /* Writes on read-only handles fail, and leave the content alone. */
    fp = VSIFOpenL(local, "rb");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFWriteL("XYZ", 1, 3, fp), 0);
    CHECK_INT(VSIFPutcL('X', fp), 0);
    CHECK_INT(VSIFPrintfL(fp, "%s", "XYZ"), 0);
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK(file_equals(local, "local"));

    fp = VSIFOpenL(mem, "rb");
    REQUIRE(fp != NULL);
    errno = 0;
    CHECK_INT(VSIFWriteL("XYZ", 1, 3, fp), 0);
    CHECK_INT(errno, EACCES);
#if HAVE_VSIFERRORL
    /* A refused write does not set the (read) error flag. */
    CHECK_INT(VSIFErrorL(fp), 0);
#endif
    CHECK_INT(VSIFPutcL('X', fp), 0);
    CHECK_INT(VSIFTruncateL(fp, 0), -1);
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK(file_equals(mem, "memory"));

    CHECK_INT(VSIUnlink(local), 0);
    CHECK_INT(VSIUnlink(mem), 0);
}

/* ------------------------------------------------------------------------ */

static void test_huge_offsets(void)
{
    const char *mem = "/vsimem/test_errors/huge.bin";
    CHECK_INT(put_str(mem, "small"), 0);
    char buf[8];

    /* /vsimem/: any offset is a valid position; reads there hit EOF. */
    VSILFILE *fp = VSIFOpenL(mem, "r+b");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFSeekL(fp, VSI_L_OFFSET_MAX, SEEK_SET), 0);
    CHECK_U64(VSIFTellL(fp), VSI_L_OFFSET_MAX);
    CHECK_INT(VSIFReadL(buf, 1, 4, fp), 0);
    CHECK(VSIFEofL(fp) != 0);
    /* A write whose end overflows 64 bits fails without touching the file. */
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CHECK_INT(VSIFWriteL("abcd", 1, 4, fp), 0);
    CHECK_INT(stat_size(mem), 5);
    /* A write needing exabytes fails cleanly (out of memory, no abort). */
    CPLErrorReset();
    CHECK_INT(VSIFSeekL(fp, (vsi_l_offset)1 << 62, SEEK_SET), 0);
    CHECK_INT(VSIFWriteL("abcd", 1, 4, fp), 0);
    CHECK_INT(CPLGetLastErrorNo(), CPLE_OutOfMemory);
    CHECK_INT(VSIFTruncateL(fp, (vsi_l_offset)1 << 62), -1);
    CPLPopErrorHandler();
    CHECK_INT(stat_size(mem), 5);
    /* The handle is still usable. */
    VSIRewindL(fp);
    memset(buf, 0, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, 5, fp), 5);
    CHECK_STR(buf, "small");
    /* SEEK_END/SEEK_CUR arithmetic wraps like unsigned 64-bit. */
    CHECK_INT(VSIFSeekL(fp, (vsi_l_offset)-1, SEEK_END), 0);
    CHECK_U64(VSIFTellL(fp), 4);
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK_INT(VSIUnlink(mem), 0);

    /* Local: offsets beyond what off_t (or the file system) holds fail and
     * leave the position alone; a read does not crash. */
    const char *local = sp("huge.bin");
    CHECK_INT(put_str(local, "small"), 0);
    fp = VSIFOpenL(local, "r+b");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFSeekL(fp, 2, SEEK_SET), 0);
    CHECK_INT(VSIFSeekL(fp, VSI_L_OFFSET_MAX, SEEK_SET), -1);
    CHECK_INT(VSIFSeekL(fp, (vsi_l_offset)1 << 63, SEEK_SET), -1);
    CHECK_U64(VSIFTellL(fp), 2);
    memset(buf, 0, sizeof buf);
    CHECK_INT(VSIFReadL(buf, 1, 3, fp), 3);
    CHECK_STR(buf, "all");
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK(file_equals(local, "small"));
    CHECK_INT(VSIUnlink(local), 0);
}

/* ------------------------------------------------------------------------ */

static void test_directory_as_file(void)
{
    /* /vsimem/: a directory never opens as a file. */
    CHECK_INT(VSIMkdirRecursive("/vsimem/test_errors/adir", 0755), 0);
    CHECK(VSIFOpenL("/vsimem/test_errors/adir", "rb") == NULL);
    CHECK(VSIFOpenL("/vsimem/test_errors/adir", "r+b") == NULL);
    CHECK(VSIFOpenL("/vsimem/test_errors/adir/", "rb") == NULL);
    CHECK(VSIFOpenL("/vsimem", "rb") == NULL);
    CHECK(VSIFOpenL("/vsimem/", "rb") == NULL);
    CHECK(is_dir("/vsimem/test_errors/adir"));
    CHECK_INT(VSIRmdir("/vsimem/test_errors/adir"), 0);

    /* Local: fopen() of a directory for writing fails (EISDIR); "rb"
     * succeeds on Linux (as in GDAL) but reading it fails. */
    CHECK_INT(VSIMkdir(sp("ldir"), 0755), 0);
    CHECK(VSIFOpenL(sp("ldir"), "wb") == NULL);
    CHECK(VSIFOpenL(sp("ldir"), "r+b") == NULL);
    CHECK(VSIFOpenL(sp("ldir"), "ab") == NULL);
    CHECK(is_dir(sp("ldir")));
    VSILFILE *fp = VSIFOpenL(sp("ldir"), "rb");
    CHECK(fp != NULL);
    if (fp != NULL) {
        char buf[4];
        CHECK_INT(VSIFReadL(buf, 1, 4, fp), 0);
#if HAVE_VSIFERRORL
        CHECK(VSIFErrorL(fp) != 0);
#endif
        CHECK_INT(VSIFCloseL(fp), 0);
    }
    /* Unlink does not remove a directory; rmdir does. */
    CHECK_INT(VSIUnlink(sp("ldir")), -1);
    CHECK_INT(VSIRmdir(sp("ldir")), 0);
    /* Rmdir does not remove a file. */
    CHECK_INT(put_str(sp("lfile"), "f"), 0);
    CHECK_INT(VSIRmdir(sp("lfile")), -1);
    CHECK_INT(VSIUnlink(sp("lfile")), 0);
}

/* ------------------------------------------------------------------------ */

static void test_long_paths(void)
{
    enum { LEN = 9000 };
    char *lp = malloc(LEN + 64);
    REQUIRE(lp != NULL);
    VSIStatBufL st;

    for (int k = 0; k < 2; k++) {
        /* /vsimem/aaaa... and <scratch>/aaaa... */
        int n = snprintf(lp, LEN, "%s/", k == 0 ? "/vsimem/test_errors" : g_scratch);
        memset(lp + n, 'a', LEN - n);
        lp[LEN] = 0;

        CPLPushErrorHandler(CPLQuietErrorHandler);
        CHECK(VSIFOpenL(lp, "rb") == NULL);
        CHECK(VSIFOpenL(lp, "wb") == NULL);
        /* Asked to (bSetError), libvsi says why; GDAL returns NULL silently. */
        VSIErrorReset();
        CHECK(VSIFOpenExL(lp, "rb", TRUE) == NULL);
#if IS_LIBVSI
        CHECK_MSG(VSIGetLastErrorMsg()[0] != 0, "no VSI error message for a %d-char path", LEN);
        CHECK(VSIGetLastErrorNo() != VSIE_None);
#endif
        VSIErrorReset();
        CHECK(VSIFOpenExL(lp, "wb", TRUE) == NULL);
#if IS_LIBVSI
        CHECK_MSG(VSIGetLastErrorMsg()[0] != 0, "no VSI error message for a %d-char path", LEN);
#endif
        CHECK(VSIFOpenEx2L(lp, "wb", TRUE, NULL) == NULL);
        CHECK_INT(VSIStatL(lp, &st), -1);
        CHECK(!exists(lp));
        CHECK(VSIReadDir(lp) == NULL);
        if (k == 0) {
            /* Only opening has the 8192 limit: /vsimem/ makes the dir. */
            CHECK_INT(VSIMkdir(lp, 0755), 0);
            CHECK(is_dir(lp));
            CHECK_INT(VSIRmdir(lp), 0);
        } else {
            CHECK_INT(VSIMkdir(lp, 0755), -1); /* ENAMETOOLONG */
        }
        CPLPopErrorHandler();
    }
    free(lp);

    /* A path just under the limit works in /vsimem/ (no OS limit there). */
    char *ok = malloc(8100);
    REQUIRE(ok != NULL);
    int n = snprintf(ok, 64, "/vsimem/test_errors/");
    memset(ok + n, 'b', 8000 - n);
    ok[8000] = 0;
    CHECK_INT(put_str(ok, "long"), 0);
    CHECK(file_equals(ok, "long"));
    CHECK_INT(VSIUnlink(ok), 0);
    free(ok);
}

/* ------------------------------------------------------------------------ */

static void test_vsi_last_error(void)
{
    VSIErrorReset();
    CHECK_INT(VSIGetLastErrorNo(), VSIE_None);
    CHECK(VSIGetLastErrorMsg() != NULL);
    CHECK_STR(VSIGetLastErrorMsg(), "");

    /* bSetError records VSIE_FileError with a message naming the problem. */
    const char *missing = sp("no-such-file.txt");
    CHECK(VSIFOpenExL(missing, "rb", TRUE) == NULL);
    CHECK_INT(VSIGetLastErrorNo(), VSIE_FileError);
    CHECK_MSG(strstr(VSIGetLastErrorMsg(), "no-such-file.txt") != NULL,
              "VSI error message \"%s\" does not name the file", VSIGetLastErrorMsg());
    CHECK_MSG(strstr(VSIGetLastErrorMsg(), "No such file or directory") != NULL,
              "VSI error message \"%s\" lacks strerror(ENOENT)", VSIGetLastErrorMsg());
    VSIErrorReset();
    CHECK_INT(VSIGetLastErrorNo(), VSIE_None);
    CHECK_STR(VSIGetLastErrorMsg(), "");

    CHECK(VSIFOpenExL("/vsimem/test_errors/none", "rb", TRUE) == NULL);
    CHECK_INT(VSIGetLastErrorNo(), VSIE_FileError);
    CHECK(VSIGetLastErrorMsg()[0] != 0);
    VSIErrorReset();

    /* VSIError formats and records; it never prints nor touches CPL. */
    CPLErrorReset();
    capture_reset();
    CPLPushErrorHandler(capture_handler);
    VSIError(VSIE_HttpError, "code %d from %s", 404, "server");
    CHECK_INT(VSIGetLastErrorNo(), VSIE_HttpError);
    CHECK_STR(VSIGetLastErrorMsg(), "code 404 from server");
    CHECK_INT(g_cap.count, 0);
    CHECK_INT(CPLGetLastErrorNo(), CPLE_None);
    /* Long messages are kept whole. */
    char longmsg[3000];
    memset(longmsg, 'm', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = 0;
    VSIError(VSIE_FileError, "%s", longmsg);
    CHECK_INT(strlen(VSIGetLastErrorMsg()), sizeof longmsg - 1);
    CPLPopErrorHandler();
    VSIErrorReset();
    /* A successful operation does not clear it... (GDAL keeps the last
     * error until reset or replaced). */
    VSIError(VSIE_FileError, "sticky");
    CHECK(exists(g_scratch));
    CHECK_STR(VSIGetLastErrorMsg(), "sticky");
    VSIErrorReset();
}

/* ------------------------------------------------------------------------ */

static int g_a_calls, g_b_calls, g_c_calls;
static char g_last_msg[256];
static void handler_a(CPLErr c, CPLErrorNum n, const char *m)
{
    (void)c, (void)n;
    g_a_calls++;
    snprintf(g_last_msg, sizeof g_last_msg, "A:%s", m);
}
static void handler_b(CPLErr c, CPLErrorNum n, const char *m)
{
    (void)c, (void)n;
    g_b_calls++;
    snprintf(g_last_msg, sizeof g_last_msg, "B:%s", m);
}
static void handler_c(CPLErr c, CPLErrorNum n, const char *m)
{
    (void)c, (void)n;
    g_c_calls++;
    snprintf(g_last_msg, sizeof g_last_msg, "C:%s", m);
}

static void test_error_handlers(void)
{
    CPLErrorReset();
    CHECK_INT(CPLGetLastErrorNo(), CPLE_None);
    CHECK_INT(CPLGetLastErrorType(), CE_None);
    CHECK_STR(CPLGetLastErrorMsg(), "");

    /* A raised error is recorded and goes to the top handler. */
    capture_reset();
    CPLPushErrorHandler(capture_handler);
    CPLError(CE_Failure, CPLE_AppDefined, "hello %d %s", 42, "world");
    CHECK_INT(CPLGetLastErrorNo(), CPLE_AppDefined);
    CHECK_INT(CPLGetLastErrorType(), CE_Failure);
    CHECK_STR(CPLGetLastErrorMsg(), "hello 42 world");
    CHECK_INT(g_cap.count, 1);
    CHECK_INT(g_cap.cls[0], CE_Failure);
    CHECK_INT(g_cap.num[0], CPLE_AppDefined);
    CHECK_STR(g_cap.msg[0], "hello 42 world");
    /* Warnings are recorded too. */
    CPLError(CE_Warning, CPLE_NotSupported, "careful");
    CHECK_INT(CPLGetLastErrorType(), CE_Warning);
    CHECK_INT(CPLGetLastErrorNo(), CPLE_NotSupported);
    CHECK_INT(g_cap.count, 2);
    CHECK_INT(g_cap.cls[1], CE_Warning);
    /* A message longer than any fixed buffer arrives whole. */
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    CPLError(CE_Failure, CPLE_FileIO, "%s!", big);
    CHECK_INT(strlen(CPLGetLastErrorMsg()), sizeof big);
    CHECK_INT(CPLGetLastErrorMsg()[sizeof big - 1], '!');
    /* Messages are bytes: Latin-1 text arrives unchanged. */
    capture_reset();
    CPLError(CE_Failure, CPLE_AppDefined, "caf\xe9 %s", "na\xefve");
    CHECK_STR(CPLGetLastErrorMsg(), "caf\xe9 na\xefve");
    CHECK_STR(g_cap.msg[0], "caf\xe9 na\xefve");
    VSIError(VSIE_FileError, "caf\xe9");
    CHECK_STR(VSIGetLastErrorMsg(), "caf\xe9");
    VSIErrorReset();
    CPLErrorReset();
    CHECK_INT(CPLGetLastErrorNo(), CPLE_None);
    CHECK_INT(CPLGetLastErrorType(), CE_None);
    CHECK_STR(CPLGetLastErrorMsg(), "");
    CPLPopErrorHandler();

    /* The stack: the last pushed handler gets the errors. */
    g_a_calls = g_b_calls = g_c_calls = 0;
    CPLPushErrorHandler(handler_a);
    CPLPushErrorHandler(handler_b);
    CPLError(CE_Failure, CPLE_AppDefined, "one");
    CHECK_INT(g_b_calls, 1);
    CHECK_INT(g_a_calls, 0);
    CHECK_STR(g_last_msg, "B:one");
    CPLPopErrorHandler();
    CPLError(CE_Failure, CPLE_AppDefined, "two");
    CHECK_INT(g_a_calls, 1);
    CHECK_INT(g_b_calls, 1);
    CHECK_STR(g_last_msg, "A:two");

    /* CPLSetErrorHandler: the process-wide handler under the stack. The
     * first call returns the default handler. */
    CPLErrorHandler prev = CPLSetErrorHandler(handler_c);
    CHECK(prev == CPLDefaultErrorHandler);
    CPLError(CE_Failure, CPLE_AppDefined, "three");
    CHECK_INT(g_a_calls, 2); /* the pushed handler still wins */
    CHECK_INT(g_c_calls, 0);
    CPLPopErrorHandler();
    CPLError(CE_Failure, CPLE_AppDefined, "four");
    CHECK_INT(g_c_calls, 1);
    CHECK_STR(g_last_msg, "C:four");
    prev = CPLSetErrorHandler(CPLDefaultErrorHandler);
    CHECK(prev == handler_c);
    prev = CPLSetErrorHandler(CPLDefaultErrorHandler);
    CHECK(prev == CPLDefaultErrorHandler);

    /* The quiet handler swallows the message but the error is recorded. */
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLError(CE_Failure, CPLE_OpenFailed, "quiet %s", "please");
    CHECK_INT(CPLGetLastErrorNo(), CPLE_OpenFailed);
    CHECK_STR(CPLGetLastErrorMsg(), "quiet please");
    CPLPopErrorHandler();
    CHECK_INT(g_a_calls + g_b_calls, 3);
    CHECK_INT(g_c_calls, 1);
    CPLErrorReset();

    /* Handlers and last errors are per thread: see test_threads. */
}

/* Runs fn with stderr redirected to a file; returns what was written
 * (malloc'd). */
static char *capture_stderr(void (*fn)(void))
{
    char tmpl[1100];
    snprintf(tmpl, sizeof tmpl, "%s/stderr-XXXXXX", g_scratch);
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return NULL;
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    fn();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    off_t size = lseek(fd, 0, SEEK_END);
    char *out = calloc(1, (size_t)size + 1);
    if (out && size > 0 && pread(fd, out, (size_t)size, 0) != size) {
        free(out);
        out = NULL;
    }
    close(fd);
    unlink(tmpl);
    return out;
}

static void emit_default(void)
{
    CPLError(CE_Failure, CPLE_AppDefined, "msg %d", 1);
    CPLError(CE_Warning, CPLE_NotSupported, "careful");
    CPLError(CE_Failure, CPLE_OpenFailed, "%s", "open failed");
    CPLDefaultErrorHandler(CE_Failure, CPLE_FileIO, "direct call");
    CPLDefaultErrorHandler(CE_Warning, CPLE_AppDefined, "direct warning");
}

static void emit_quiet(void)
{
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLError(CE_Failure, CPLE_AppDefined, "must not be printed");
    CPLError(CE_Warning, CPLE_AppDefined, "must not be printed either");
    CPLPopErrorHandler();
}

static void emit_vsierror(void)
{
    VSIError(VSIE_FileError, "VSIError never prints");
    VSIErrorReset();
}

static void emit_debug(void)
{
    CPLSetConfigOption("CPL_DEBUG", "OFF");
    CPLDebug("TEST", "hidden");
    CPLSetConfigOption("CPL_DEBUG", "ON");
    CPLDebug("TEST", "shown %d", 7);
    CPLSetConfigOption("CPL_DEBUG", NULL);
}

static void emit_after_set_null(void)
{
    CPLErrorHandler prev = CPLSetErrorHandler(NULL);
    CPLError(CE_Failure, CPLE_AppDefined, "not reported");
    CPLSetErrorHandler(prev);
}

static void test_default_handler_output(void)
{
    CPLSetErrorHandler(CPLDefaultErrorHandler);
    char *out = capture_stderr(emit_default);
    CHECK_STR(out, "ERROR 1: msg 1\n"
                   "Warning 6: careful\n"
                   "ERROR 4: open failed\n"
                   "ERROR 3: direct call\n"
                   "Warning 1: direct warning\n");
    free(out);
    CHECK_INT(CPLGetLastErrorNo(), CPLE_OpenFailed);
    CHECK_STR(CPLGetLastErrorMsg(), "open failed");
    CPLErrorReset();

    out = capture_stderr(emit_quiet);
    CHECK_STR(out, "");
    free(out);
    CPLErrorReset();

    out = capture_stderr(emit_vsierror);
    CHECK_STR(out, "");
    free(out);

    /* CPLSetErrorHandler(NULL) turns reporting off (the error is still
     * recorded); the default handler is restored by setting it again. */
    out = capture_stderr(emit_after_set_null);
    CHECK_STR(out, "");
    free(out);
    CHECK_STR(CPLGetLastErrorMsg(), "not reported");
    CPLErrorReset();

    /* CPLDebug prints "CATEGORY: message" only when CPL_DEBUG is on, and
     * does not change the last error. */
    CPLErrorReset();
    out = capture_stderr(emit_debug);
    CHECK_STR(out, "TEST: shown 7\n");
    free(out);
    CHECK_INT(CPLGetLastErrorNo(), CPLE_None);
    CHECK_INT(CPLGetLastErrorType(), CE_None);
}

/* ------------------------------------------------------------------------ */

int main(void)
{
    make_scratch("errors");
    VSIMkdirRecursive("/vsimem/test_errors", 0755);
#if IS_LIBVSI
    RUN(test_null_arguments);
#endif
    RUN(test_access_modes);
    RUN(test_huge_offsets);
    RUN(test_directory_as_file);
    RUN(test_long_paths);
    RUN(test_vsi_last_error);
    RUN(test_error_handlers);
    RUN(test_default_handler_output);
    VSIRmdirRecursive("/vsimem/test_errors");
    CHECK(!exists("/vsimem/test_errors"));
    return test_summary("test_errors");
}
