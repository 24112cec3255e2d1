/* scn_errors.c -- CPL error API (CPLError, handlers, push/pop, reset, last
 * error state), VSI error API (VSIGetLastErrorNo/Msg, VSIErrorReset,
 * bSetError opens), and bad input: very long paths, empty paths, unknown mode
 * strings, invalid whence, operations on wrong handle kinds. */
#include "compat.h"

static int g_counter = 0;
static void CPL_STDCALL counting_handler(CPLErr eClass, CPLErrorNum no,
                                         const char *msg)
{
    g_counter++;
    printf("counting_handler #%d: class=%d no=%d msg=", g_counter, (int)eClass,
           (int)no);
    pstr(msg);
    putchar('\n');
}

/* handler printing only the message length and its ends */
static void CPL_STDCALL len_handler(CPLErr eClass, CPLErrorNum no,
                                    const char *msg)
{
    size_t n = strlen(msg);
    printf("len_handler: class=%d no=%d len=%zu first=%c last=%c\n",
           (int)eClass, (int)no, n, n ? msg[0] : '-', n ? msg[n - 1] : '-');
}

/* handler that itself inspects the last-error state while being called */
static void CPL_STDCALL inspecting_handler(CPLErr eClass, CPLErrorNum no,
                                           const char *msg)
{
    printf("inspecting_handler: class=%d no=%d msg=", (int)eClass, (int)no);
    pstr(msg);
    printf(" | last: type=%d no=%d msg=", (int)CPLGetLastErrorType(),
           (int)CPLGetLastErrorNo());
    pstr(CPLGetLastErrorMsg());
    putchar('\n');
}

static char *make_long(const char *prefix, size_t total)
{
    char *s = (char *)malloc(total + 1);
    size_t pl = strlen(prefix);
    memcpy(s, prefix, pl);
    for (size_t i = pl; i < total; i++)
        s[i] = (i % 100 == 99) ? '/' : 'a';
    s[total] = 0;
    /* avoid a trailing slash */
    if (s[total - 1] == '/')
        s[total - 1] = 'z';
    return s;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    VSILFILE *fp = NULL;

    section("initial state");
    show_cplerr("initial");
    show_vsierr("initial");
    SHOWB(CPLGetLastErrorMsg() != NULL);
    SHOWB(VSIGetLastErrorMsg() != NULL);

    section("CPLError through the custom handler");
    CPLError(CE_Failure, CPLE_AppDefined, "failure %d %s", 42, "text");
    show_cplerr("after failure");
    CPLError(CE_Warning, CPLE_NotSupported, "a warning");
    show_cplerr("after warning");
    CPLError(CE_Failure, CPLE_FileIO, "%s", "percent %d literal");
    show_cplerr("after %s");
    CPLError(CE_Failure, CPLE_OpenFailed, "%s", "");
    show_cplerr("after empty msg");
    CPLError(CE_Debug, CPLE_None, "debug class via CPLError");
    show_cplerr("after CE_Debug");
    CPLError(CE_None, CPLE_None, "class none");
    show_cplerr("after CE_None");
    CPLError(CE_Failure, 9999, "unknown error number");
    show_cplerr("after no=9999");
    CPLError(CE_Warning, CPLE_AWSError, "aws no");
    show_cplerr("after AWSError");
    {
        /* long message (2000 chars) */
        char big[2001];
        memset(big, 'M', 2000);
        big[2000] = 0;
        CPLPushErrorHandler(len_handler);
        CPLError(CE_Failure, CPLE_AppDefined, "%s", big);
        CPLPopErrorHandler();
        printf("  last msg len=%zu\n", strlen(CPLGetLastErrorMsg()));
        printf("  last type=%d no=%d\n", (int)CPLGetLastErrorType(),
               (int)CPLGetLastErrorNo());
    }
    {
        /* multi line message */
        CPLError(CE_Warning, CPLE_AppDefined, "line1\nline2");
        show_cplerr("after multi-line");
    }

    section("CPLErrorReset");
    CPLErrorReset();
    show_cplerr("after reset");
    CPLErrorReset();
    show_cplerr("after double reset");

    section("error constants");
    printf("CE_None=%d CE_Debug=%d CE_Warning=%d CE_Failure=%d CE_Fatal=%d\n",
           CE_None, CE_Debug, CE_Warning, CE_Failure, CE_Fatal);
    printf("CPLE: None=%d AppDefined=%d OutOfMemory=%d FileIO=%d "
           "OpenFailed=%d IllegalArg=%d NotSupported=%d AssertionFailed=%d "
           "NoWriteAccess=%d UserInterrupt=%d ObjectNull=%d HttpResponse=%d "
           "AWSBucketNotFound=%d AWSObjectNotFound=%d AWSAccessDenied=%d "
           "AWSInvalidCredentials=%d AWSSignatureDoesNotMatch=%d "
           "AWSError=%d\n",
           CPLE_None, CPLE_AppDefined, CPLE_OutOfMemory, CPLE_FileIO,
           CPLE_OpenFailed, CPLE_IllegalArg, CPLE_NotSupported,
           CPLE_AssertionFailed, CPLE_NoWriteAccess, CPLE_UserInterrupt,
           CPLE_ObjectNull, CPLE_HttpResponse, CPLE_AWSBucketNotFound,
           CPLE_AWSObjectNotFound, CPLE_AWSAccessDenied,
           CPLE_AWSInvalidCredentials, CPLE_AWSSignatureDoesNotMatch,
           CPLE_AWSError);
    printf("VSIE: None=%d FileError=%d HttpError=%d AWSError=%d "
           "AWSAccessDenied=%d AWSBucketNotFound=%d AWSObjectNotFound=%d "
           "AWSInvalidCredentials=%d AWSSignatureDoesNotMatch=%d\n",
           VSIE_None, VSIE_FileError, VSIE_HttpError, VSIE_AWSError,
           VSIE_AWSAccessDenied, VSIE_AWSBucketNotFound,
           VSIE_AWSObjectNotFound, VSIE_AWSInvalidCredentials,
           VSIE_AWSSignatureDoesNotMatch);
    printf("VSI_STAT: EXISTS=%d NATURE=%d SIZE=%d SET_ERROR=%d\n",
           VSI_STAT_EXISTS_FLAG, VSI_STAT_NATURE_FLAG, VSI_STAT_SIZE_FLAG,
           VSI_STAT_SET_ERROR_FLAG);
    printf("VSI_RANGE_STATUS: UNKNOWN=%d DATA=%d HOLE=%d\n",
           VSI_RANGE_STATUS_UNKNOWN, VSI_RANGE_STATUS_DATA,
           VSI_RANGE_STATUS_HOLE);
    printf("sizeof(vsi_l_offset)=%zu sizeof(GIntBig)=%zu sizeof(GByte)=%zu "
           "sizeof(VSIDIREntry)=%zu\n",
           sizeof(vsi_l_offset), sizeof(GIntBig), sizeof(GByte),
           sizeof(VSIDIREntry));
    printf("VSIDIREntry offsets: name=%zu mode=%zu size=%zu mtime=%zu "
           "modeKnown=%zu sizeKnown=%zu mtimeKnown=%zu extra=%zu\n",
           offsetof(VSIDIREntry, pszName), offsetof(VSIDIREntry, nMode),
           offsetof(VSIDIREntry, nSize), offsetof(VSIDIREntry, nMTime),
           offsetof(VSIDIREntry, bModeKnown),
           offsetof(VSIDIREntry, bSizeKnown),
           offsetof(VSIDIREntry, bMTimeKnown),
           offsetof(VSIDIREntry, papszExtra));
    printf("sizeof(VSIStatBufL)=%zu\n", sizeof(VSIStatBufL));

    section("handler stack: push / pop");
    CPLPushErrorHandler(print_handler2);
    CPLError(CE_Failure, CPLE_AppDefined, "to handler2");
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLError(CE_Failure, CPLE_IllegalArg, "quiet one");
    show_cplerr("after quiet");
    CPLError(CE_Warning, CPLE_IllegalArg, "quiet warning");
    show_cplerr("after quiet warning");
    CPLPushErrorHandler(counting_handler);
    CPLError(CE_Failure, CPLE_AppDefined, "count 1");
    CPLError(CE_Warning, CPLE_AppDefined, "count 2");
    CPLPopErrorHandler();
    CPLError(CE_Failure, CPLE_AppDefined, "quiet again");
    CPLPopErrorHandler();
    CPLError(CE_Failure, CPLE_AppDefined, "back to handler2");
    CPLPopErrorHandler();
    CPLError(CE_Failure, CPLE_AppDefined, "back to global handler");
    /* popping an empty stack is harmless */
    CPLPopErrorHandler();
    CPLError(CE_Failure, CPLE_AppDefined, "still global handler");
    /* handler sees the new state already recorded */
    CPLPushErrorHandler(inspecting_handler);
    CPLErrorReset();
    CPLError(CE_Warning, CPLE_FileIO, "inspect me");
    CPLPopErrorHandler();
    show_cplerr("after inspecting");

    section("CPLSetErrorHandler returns the previous handler");
    {
        CPLErrorHandler prev = CPLSetErrorHandler(counting_handler);
        printf("previous == print_handler -> %s\n",
               prev == print_handler ? "yes" : "no");
        CPLError(CE_Failure, CPLE_AppDefined, "via counting");
        prev = CPLSetErrorHandler(CPLQuietErrorHandler);
        printf("previous == counting_handler -> %s\n",
               prev == counting_handler ? "yes" : "no");
        CPLError(CE_Failure, CPLE_AppDefined, "silenced globally");
        show_cplerr("after global quiet");
        /* a pushed handler takes precedence over the global one */
        CPLPushErrorHandler(print_handler2);
        CPLError(CE_Failure, CPLE_AppDefined, "pushed over quiet global");
        CPLPopErrorHandler();
        /* NULL global handler: errors still recorded */
        prev = CPLSetErrorHandler(NULL);
        printf("previous == CPLQuietErrorHandler -> %s\n",
               prev == CPLQuietErrorHandler ? "yes" : "no");
        CPLError(CE_Failure, CPLE_FileIO, "no handler at all");
        show_cplerr("after NULL handler");
        prev = CPLSetErrorHandler(print_handler);
        printf("previous == NULL -> %s\n", prev == NULL ? "yes" : "no");
        /* default handler writes to stderr (not part of the transcript) */
        CPLPushErrorHandler(CPLDefaultErrorHandler);
        CPLError(CE_Warning, CPLE_AppDefined, "to stderr");
        CPLPopErrorHandler();
        show_cplerr("after default handler");
        printf("counting handler calls: %d\n", g_counter);
    }

    section("VSI error API");
    VSIErrorReset();
    show_vsierr("reset");
    reset_errors();
    fp = VSIFOpenExL("/vsimem/err/missing", "rb", TRUE);
    printf("VSIFOpenExL(\"/vsimem/err/missing\", \"rb\", TRUE) -> %s\n",
           fp ? "handle" : "NULL");
    show_vsierr("mem missing");
    show_cplerr("mem missing");
    /* a successful call does not clear the VSI error */
    MAKE_MEM("/vsimem/err/ok", "ok");
    fp = VSIFOpenExL("/vsimem/err/ok", "rb", TRUE);
    printf("VSIFOpenExL(ok, rb, TRUE) -> %s\n", fp ? "handle" : "NULL");
    show_vsierr("after successful open");
    CLOSE(fp);
    VSIErrorReset();
    show_vsierr("after reset");
    /* VSIFOpenEx2L with options (ignored by these handlers) */
    {
        char *opts[] = {(char *)"FOO=BAR", (char *)"WRITE_THROUGH=YES", NULL};
        fp = VSIFOpenEx2L("/vsimem/err/ok", "rb", TRUE, opts);
        printf("VSIFOpenEx2L(ok, rb, TRUE, opts) -> %s\n",
               fp ? "handle" : "NULL");
        CLOSE(fp);
        fp = VSIFOpenEx2L(LP("ex2.txt"), "wb", TRUE, opts);
        printf("VSIFOpenEx2L(LP(ex2.txt), wb, TRUE, opts) -> %s\n",
               fp ? "handle" : "NULL");
        CLOSE(fp);
        fp = VSIFOpenEx2L("/vsimem/err/missing", "rb", TRUE, NULL);
        printf("VSIFOpenEx2L(missing, rb, TRUE, NULL) -> %s\n",
               fp ? "handle" : "NULL");
        show_vsierr("Ex2 missing");
        VSIErrorReset();
        fp = VSIFOpenEx2L("/vsimem/err/missing", "rb", FALSE, NULL);
        printf("VSIFOpenEx2L(missing, rb, FALSE, NULL) -> %s\n",
               fp ? "handle" : "NULL");
        show_vsierr("Ex2 missing no seterror");
    }
    /* local: permission denied (skip if running as root) */
    {
        MAKE_LOCAL("noperm.txt", "secret");
        VSILFILE *w = VSIFOpenL(LP("noperm.txt"), "rb");
        VSIFCloseL(w);
        /* make unreadable via a sub directory with no permissions is not
         * portable to root; only report whether it failed consistently */
    }
    /* VSI errors from stat with SET_ERROR flag on /vsimem */
    reset_errors();
    {
        VSIStatBufL st;
        int r = VSIStatExL("/vsimem/err/nope", &st,
                           VSI_STAT_EXISTS_FLAG | VSI_STAT_SET_ERROR_FLAG);
        printf("VSIStatExL(nope, EXISTS|SET_ERROR) -> %d\n", r);
        show_vsierr("stat set error");
    }

    section("very long paths");
    {
        char *p9000 = make_long("/vsimem/", 9000);
        reset_errors();
        fp = VSIFOpenL(p9000, "wb");
        printf("VSIFOpenL(/vsimem/ 9000 chars, wb) -> %s\n",
               fp ? "handle" : "NULL");
        CLOSE(fp);
        fp = VSIFOpenExL(p9000, "rb", TRUE);
        printf("VSIFOpenExL(/vsimem/ 9000 chars, rb, TRUE) -> %s\n",
               fp ? "handle" : "NULL");
        show_vsierr("9000 open");
        VSIStatBufL st;
        printf("VSIStatL(/vsimem/ 9000 chars) -> %d\n", VSIStatL(p9000, &st));
        printf("VSIMkdir(/vsimem/ 9000 chars) -> %d\n", VSIMkdir(p9000, 0755));
        printf("VSIStatL(/vsimem/ 9000 chars) after mkdir -> %d\n",
               VSIStatL(p9000, &st));
        printf("VSIRmdir(/vsimem/ 9000 chars) -> %d\n", VSIRmdir(p9000));
        printf("VSIUnlink(/vsimem/ 9000 chars) -> %d\n", VSIUnlink(p9000));
        free(p9000);

        /* boundary: 8191 vs 8192 chars */
        char *p8191 = make_long("/vsimem/", 8191);
        char *p8192 = make_long("/vsimem/", 8192);
        fp = VSIFOpenL(p8191, "wb");
        printf("VSIFOpenL(/vsimem/ 8191 chars, wb) -> %s\n",
               fp ? "handle" : "NULL");
        CLOSE(fp);
        printf("VSIStatL(8191) -> %d\n", VSIStatL(p8191, &st));
        fp = VSIFOpenL(p8192, "wb");
        printf("VSIFOpenL(/vsimem/ 8192 chars, wb) -> %s\n",
               fp ? "handle" : "NULL");
        CLOSE(fp);
        printf("VSIStatL(8192) -> %d\n", VSIStatL(p8192, &st));
        free(p8191);
        free(p8192);

        /* local: absolute path that is far too long */
        char *l9000 = make_long(LP("x"), 9000);
        reset_errors();
        fp = VSIFOpenExL(l9000, "rb", TRUE);
        printf("VSIFOpenExL(local 9000 chars, rb, TRUE) -> %s\n",
               fp ? "handle" : "NULL");
        show_vsierr("local 9000 open");
        printf("VSIStatL(local 9000 chars) -> %d\n", VSIStatL(l9000, &st));
        fp = VSIFOpenL(l9000, "wb");
        printf("VSIFOpenL(local 9000 chars, wb) -> %s\n",
               fp ? "handle" : "NULL");
        CLOSE(fp);
        printf("VSIMkdir(local 9000 chars) -> %d\n", VSIMkdir(l9000, 0755));
        printf("VSIUnlink(local 9000 chars) -> %d\n", VSIUnlink(l9000));
        char **l = VSIReadDir(l9000);
        printf("VSIReadDir(local 9000 chars) -> %s\n", l ? "list" : "NULL");
        CSLDestroy(l);
        free(l9000);
        /* a single component longer than NAME_MAX (255) */
        char *comp = make_long("", 300);
        for (size_t i = 0; i < 300; i++)
            comp[i] = 'c';
        char rel[400];
        snprintf(rel, sizeof(rel), "%s", comp);
        reset_errors();
        fp = VSIFOpenExL(LP(rel), "wb", TRUE);
        printf("VSIFOpenExL(local 300-char component, wb, TRUE) -> %s\n",
               fp ? "handle" : "NULL");
        show_vsierr("long component");
        CLOSE(fp);
        free(comp);
    }

    section("empty paths");
    {
        VSIStatBufL st;
        SHOWI(VSIStatL("", &st));
        fp = VSIFOpenL("", "rb");
        printf("VSIFOpenL(\"\", rb) -> %s\n", fp ? "handle" : "NULL");
        CLOSE(fp);
        fp = VSIFOpenL("", "wb");
        printf("VSIFOpenL(\"\", wb) -> %s\n", fp ? "handle" : "NULL");
        CLOSE(fp);
        SHOWI(VSIMkdir("", 0755));
        SHOWI(VSIRmdir(""));
        SHOWI(VSIUnlink(""));
        SHOWI(VSIRename("", ""));
        /* "" lists the current directory (run.sh runs inside scratch) */
        LIST_SORTED(VSIReadDir(""));
    }

    section("unknown / odd mode strings on /vsimem/");
    {
        MAKE_MEM("/vsimem/err/m.txt", "modes");
        static const char *modes[] = {"",   "x",  "q",  "rw", "br", "+",
                                      "+r", "R",  "W",  "rt", "wx", "b",
                                      "ab+", "r+w", NULL};
        for (int i = 0; modes[i]; i++)
        {
            fp = VSIFOpenL("/vsimem/err/m.txt", modes[i]);
            printf("VSIFOpenL(m.txt, \"%s\") -> %s", modes[i],
                   fp ? "handle" : "NULL");
            if (fp)
            {
                char b[8];
                size_t n = VSIFReadL(b, 1, 5, fp);
                size_t w = VSIFWriteL("Z", 1, 1, fp);
                printf(" read=%zu write=%zu", n, w);
                VSIFCloseL(fp);
            }
            putchar('\n');
            CONTENT_MEM("/vsimem/err/m.txt");
            /* restore content */
            MAKE_MEM("/vsimem/err/m.txt", "modes");
        }
        /* same odd modes on a missing file */
        static const char *cmodes[] = {"", "x", "q", "+", "b", "W", "wx", NULL};
        for (int i = 0; cmodes[i]; i++)
        {
            fp = VSIFOpenL("/vsimem/err/created.txt", cmodes[i]);
            printf("VSIFOpenL(created.txt (missing), \"%s\") -> %s\n",
                   cmodes[i], fp ? "handle" : "NULL");
            CLOSE(fp);
            STAT_MEM("/vsimem/err/created.txt");
            VSIUnlink("/vsimem/err/created.txt");
        }
    }

    section("invalid whence");
    fp = OPEN_MEM("/vsimem/err/ok", "rb");
    SHOWI(VSIFSeekL(fp, 1, 3));
    show_pos("after invalid whence (mem)", fp);
    SHOWI(VSIFSeekL(fp, 1, 99));
    CLOSE(fp);

    section("write on read-only, read on write-only");
    MAKE_LOCAL("ro.txt", "readonly");
    fp = OPEN_LOCAL("ro.txt", "rb");
    reset_errors();
    SHOWZ(VSIFWriteL("abc", 1, 3, fp));
    SHOWI(VSIFPrintfL(fp, "x%d", 1));
    SHOWI(VSIFPutcL('c', fp));
    SHOWI(VSIFFlushL(fp));
    SHOWI(VSIFTruncateL(fp, 0));
    show_cplerr("write on local ro");
    read_show(fp, 1, 8);
    CLOSE(fp);
    CONTENT_LOCAL("ro.txt");
    fp = OPEN_LOCAL("wo.txt", "wb");
    write_show(fp, "data");
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    read_show(fp, 1, 4);
    show_cplerr("read on local wo");
    CLOSE(fp);
    fp = OPEN_MEM("/vsimem/err/wo.txt", "wb");
    write_show(fp, "data");
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    read_show(fp, 1, 4);
    show_cplerr("read on mem wo");
    CLOSE(fp);

    section("open directory as a file");
    SHOWI(VSIMkdir("/vsimem/err/dir", 0755));
    reset_errors();
    fp = VSIFOpenExL("/vsimem/err/dir", "rb", TRUE);
    printf("VSIFOpenExL(/vsimem/err/dir, rb, TRUE) -> %s\n",
           fp ? "handle" : "NULL");
    show_vsierr("open mem dir");
    CLOSE(fp);
    SHOWI(VSIMkdir(LP("ldir"), 0755));
    reset_errors();
    fp = VSIFOpenExL(LP("ldir"), "wb", TRUE);
    printf("VSIFOpenExL(LP(ldir), wb, TRUE) -> %s\n", fp ? "handle" : "NULL");
    show_vsierr("open local dir wb");
    CLOSE(fp);
    reset_errors();
    fp = VSIFOpenExL(LP("ldir/"), "rb", TRUE);
    printf("VSIFOpenExL(LP(ldir/), rb, TRUE) -> %s\n", fp ? "handle" : "NULL");
    CLOSE(fp);
    reset_errors();
    fp = VSIFOpenExL(LP("ro.txt/"), "rb", TRUE);
    printf("VSIFOpenExL(LP(ro.txt/), rb, TRUE) -> %s\n",
           fp ? "handle" : "NULL");
    show_vsierr("file with trailing slash");
    CLOSE(fp);

    section("VSIGetFileSystemsPrefixes is callable (content not printed)");
    {
        char **l = VSIGetFileSystemsPrefixes();
        int has_mem = 0;
        for (int i = 0; l && l[i]; i++)
            if (strcmp(l[i], "/vsimem/") == 0)
                has_mem = 1;
        printf("prefixes list contains /vsimem/ -> %d\n", has_mem);
        CSLDestroy(l);
    }
    CSLDestroy(NULL);
    printf("CSLDestroy(NULL) ok\n");
    SHOWI(CSLCount(NULL));
    {
        char *l[] = {(char *)"a", (char *)"b", (char *)"c", NULL};
        SHOWI(CSLCount(l));
    }

    return test_finish();
}
