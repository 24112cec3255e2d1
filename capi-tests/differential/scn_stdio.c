/* scn_stdio.c -- /vsistdout/ (VSIStdoutSetRedirection with a callback and
 * its stream, the default fwrite on stdout, tell, the seeks allowed, reads
 * refused), /vsistdout_redirect/ to /vsimem/, and /vsistdin/ through the
 * CPL_VSISTDIN_FILE test hook (prefix kept for seeking back, forward
 * seeks, SEEK_END, stat, buffer limits, names, modes, empty and unreadable
 * input). Standard input itself is never read. */
#include "compat.h"

/* ------------------------------------------------------------------------ */
/* Redirection callbacks: capture into a buffer, check the stream.           */

static int g_marker1, g_marker2;
static char g_cap1[4096], g_cap2[4096];
static size_t g_cap1_len, g_cap2_len;
static size_t g_cb_limit = (size_t)-1; /* bytes accepted per call */

static size_t capture(char *cap, size_t *len, const void *p, size_t size,
                      size_t nmemb)
{
    size_t total = size * nmemb;
    size_t take = total < g_cb_limit ? total : g_cb_limit;
    if (*len + take > 4096)
        take = 4096 - *len;
    memcpy(cap + *len, p, take);
    *len += take;
    return size ? take / size : 0;
}

static size_t cb1(const void *p, size_t size, size_t nmemb, FILE *stream)
{
    printf("  cb1: %zu bytes, stream %s\n", size * nmemb,
           stream == (FILE *)&g_marker1 ? "is marker1" : "is NOT marker1");
    return capture(g_cap1, &g_cap1_len, p, size, nmemb);
}

static size_t cb2(const void *p, size_t size, size_t nmemb, FILE *stream)
{
    printf("  cb2: %zu bytes, stream %s\n", size * nmemb,
           stream == (FILE *)&g_marker2 ? "is marker2" : "is NOT marker2");
    return capture(g_cap2, &g_cap2_len, p, size, nmemb);
}

/* ------------------------------------------------------------------------ */

static void make_pattern(const char *rel, int n)
{
    VSILFILE *fp = VSIFOpenL(LP(rel), "wb");
    for (int i = 0; i < n; i++)
    {
        unsigned char c = (unsigned char)(i % 251);
        VSIFWriteL(&c, 1, 1, fp);
    }
    VSIFCloseL(fp);
    printf("pattern file LP(\"%s\"): %d bytes, byte i = i %% 251\n", rel, n);
}

static void stdin_from(const char *rel)
{
    CPLSetConfigOption("CPL_VSISTDIN_FILE", LP(rel));
    printf("CPL_VSISTDIN_FILE = LP(\"%s\")\n", rel);
}

#define SETCFG(k, v)                                                           \
    do                                                                         \
    {                                                                          \
        CPLSetConfigOption(k, v);                                              \
        printf("config %s = %s\n", k, (v) ? (const char *)(v) : "(unset)");    \
    } while (0)

int main(int argc, char **argv)
{
    test_init(argc, argv);
    VSILFILE *fp = NULL, *fp2 = NULL;

    section("prefixes");
    {
        char **list = VSIGetFileSystemsPrefixes();
        const char *want[] = {"/vsistdin/", "/vsistdin?", "/vsistdout/",
                              "/vsistdout_redirect/"};
        for (int w = 0; w < 4; w++)
        {
            int found = 0;
            for (int i = 0; list && list[i]; i++)
                if (strcmp(list[i], want[w]) == 0)
                    found = 1;
            printf("prefix %s registered: %s\n", want[w], found ? "yes" : "no");
        }
        CSLDestroy(list);
    }

    section("/vsistdout/ through a callback");
    VSIStdoutSetRedirection(cb1, (FILE *)&g_marker1);
    fp = OPEN_MEM("/vsistdout/", "wb");
    write_show(fp, "hello ");
    SHOWU(VSIFTellL(fp));
    SHOWZ(VSIFWriteL("abcdefghijkl", 4, 3, fp));
    SHOWU(VSIFTellL(fp));
    SHOWI(VSIFPrintfL(fp, "n=%d;", 42));
    SHOWI(VSIFPutcL('!', fp));
    SHOWU(VSIFTellL(fp));
    reset_errors();
    SHOWI(VSIFSeekL(fp, 0, SEEK_CUR));
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    SHOWI(VSIFSeekL(fp, 24, SEEK_SET));
    show_cplerr("no-op seeks");
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    show_cplerr("seek back");
    reset_errors();
    SHOWI(VSIFSeekL(fp, 1, SEEK_CUR));
    SHOWI(VSIFSeekL(fp, 1, SEEK_END));
    SHOWI(VSIFSeekL(fp, 25, SEEK_SET));
    show_pos("after refused seeks", fp);
    reset_errors();
    read_show(fp, 1, 4);
    show_cplerr("read");
    reset_errors();
    read_show(fp, 0, 4);
    read_show(fp, 4, 0);
    show_cplerr("empty reads");
    SHOWI(VSIFEofL(fp));
    SHOWI(VSIFFlushL(fp));
    CLOSE(fp);
    textdump("captured", g_cap1, g_cap1_len);

    section("/vsistdout/ short writes from the callback");
    g_cap1_len = 0;
    fp = OPEN_MEM("/vsistdout/", "wb");
    g_cb_limit = 3;
    write_show(fp, "abcdef");
    SHOWU(VSIFTellL(fp));
    g_cb_limit = 0;
    reset_errors();
    write_show(fp, "ghi");
    show_cplerr("write refused by the callback");
    SHOWU(VSIFTellL(fp));
    g_cb_limit = (size_t)-1;
    write_show(fp, "jkl");
    SHOWU(VSIFTellL(fp));
    CLOSE(fp);
    textdump("captured", g_cap1, g_cap1_len);

    section("/vsistdout/ redirection changed while a handle is open");
    g_cap1_len = 0;
    fp = OPEN_MEM("/vsistdout/", "wb");
    fp2 = OPEN_MEM("/vsistdout/other-name-same-stream", "ab");
    write_show(fp, "one,");
    VSIStdoutSetRedirection(cb2, (FILE *)&g_marker2);
    printf("redirected to cb2\n");
    write_show(fp, "two,");
    write_show(fp2, "three");
    SHOWU(VSIFTellL(fp));
    SHOWU(VSIFTellL(fp2));
    CLOSE(fp);
    CLOSE(fp2);
    textdump("captured by cb1", g_cap1, g_cap1_len);
    textdump("captured by cb2", g_cap2, g_cap2_len);

    section("/vsistdout/ modes and stat");
    reset_errors();
    fp = OPEN_MEM("/vsistdout/", "rb");
    show_cplerr("rb");
    CLOSE(fp);
    reset_errors();
    fp = OPEN_MEM("/vsistdout/", "w+b");
    show_cplerr("w+b");
    CLOSE(fp);
    reset_errors();
    fp = OPEN_MEM("/vsistdout/", "r+");
    CLOSE(fp);
    fp = OPEN_MEM("/vsistdout/", "a");
    CLOSE(fp);
    STAT_MEM("/vsistdout/");
    STAT_MEM("/vsistdout/x");
    SHOWP(fp, VSIFOpenL("/vsistdout", "wb"));
    CLOSE(fp);

    section("/vsistdout/ to the real stdout (fwrite, stdout)");
    VSIStdoutSetRedirection(fwrite, stdout);
    fp = OPEN_MEM("/vsistdout/", "wb");
    write_show(fp, "[text written to /vsistdout/]\n");
    SHOWU(VSIFTellL(fp));
    SHOWI(VSIFFlushL(fp));
    SHOWI(VSIFPrintfL(fp, "[printf to /vsistdout/ %d]\n", 7));
    CLOSE(fp);
    /* a callback given stdout as its stream: flush/close flush stdout */
    VSIStdoutSetRedirection(cb1, stdout);
    g_cap1_len = 0;
    fp = OPEN_MEM("/vsistdout/", "wb");
    write_show(fp, "via cb1");
    SHOWI(VSIFFlushL(fp));
    CLOSE(fp);
    VSIStdoutSetRedirection(fwrite, stdout);

    section("/vsistdout_redirect/ to /vsimem/");
    fp = OPEN_MEM("/vsistdout_redirect//vsimem/redir/out.txt", "wb");
    write_show(fp, "first ");
    SHOWU(VSIFTellL(fp));
    write_show(fp, "second");
    SHOWU(VSIFTellL(fp));
    reset_errors();
    SHOWI(VSIFSeekL(fp, 0, SEEK_CUR));
    show_cplerr("seek (0, SEEK_CUR)");
    SHOWI(VSIFSeekL(fp, 12, SEEK_SET));
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    show_pos("after refused seeks", fp);
    reset_errors();
    read_show(fp, 1, 1);
    show_cplerr("read");
    SHOWI(VSIFEofL(fp));
    SHOWI(VSIFFlushL(fp));
    CLOSE(fp);
    CONTENT_MEM("/vsimem/redir/out.txt");
    STAT_MEM("/vsistdout_redirect//vsimem/redir/out.txt");
    STAT_MEM("/vsimem/redir/out.txt");
    fp = OPEN_MEM("/vsistdout_redirect//vsimem/redir/out.txt", "ab");
    write_show(fp, "+more");
    CLOSE(fp);
    CONTENT_MEM("/vsimem/redir/out.txt");
    reset_errors();
    fp = OPEN_MEM("/vsistdout_redirect//vsimem/redir/out.txt", "rb");
    show_cplerr("rb");
    fp = OPEN_MEM("/vsistdout_redirect//vsimem/redir/out.txt", "r+b");
    fp = OPEN_MEM("/vsistdout_redirect/", "wb");
    CLOSE(fp);
    {
        char path[4200];
        snprintf(path, sizeof(path), "/vsistdout_redirect/%s", LP("no/such/dir/f"));
        fp = open_show("/vsistdout_redirect/ + LP(\"no/such/dir/f\")", path, "wb");
        CLOSE(fp);
        snprintf(path, sizeof(path), "/vsistdout_redirect/%s", LP("local.txt"));
        fp = open_show("/vsistdout_redirect/ + LP(\"local.txt\")", path, "wb");
        write_show(fp, "to a local file");
        CLOSE(fp);
        CONTENT_LOCAL("local.txt");
    }
    VSIUnlink("/vsimem/redir/out.txt");

    section("/vsistdin/ from a file: reads, seeks back into the prefix, forward seeks, SEEK_END");
    make_pattern("in.bin", 3000);
    stdin_from("in.bin");
    /* GDAL's own tests use these two together: each open starts over */
    SETCFG("CPL_VSISTDIN_RESET_POSITION", "YES");
    SETCFG("CPL_VSISTDIN_FILE_CLOSE", "YES");
    fp = OPEN_MEM("/vsistdin/", "rb");
    read_show(fp, 1, 10);
    read_show(fp, 1, 5);
    SHOWI(VSIFSeekL(fp, 2, SEEK_SET));
    read_show(fp, 1, 4);
    SHOWI(VSIFSeekL(fp, 2000, SEEK_SET));
    show_pos("forward", fp);
    read_show(fp, 1, 4);
    SHOWI(VSIFSeekL(fp, 100, SEEK_SET));
    read_show(fp, 1, 4);
    SHOWI(VSIFSeekL(fp, (vsi_l_offset)-10, SEEK_CUR));
    read_show(fp, 2, 3);
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("end", fp);
    read_show(fp, 1, 4);
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("end again", fp);
    SHOWI(VSIFSeekL(fp, 2990, SEEK_SET));
    read_show(fp, 4, 3);
    reset_errors();
    SHOWI(VSIFSeekL(fp, 5, SEEK_END));
    show_cplerr("SEEK_END with an offset");
    show_pos("after", fp);
    reset_errors();
    SHOWI(VSIFSeekL(fp, 4000, SEEK_SET));
    show_cplerr("seek past the end");
    show_pos("after", fp);
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    read_show(fp, 1, 3);
    reset_errors();
    write_show(fp, "x");
    show_cplerr("write");
    CLOSE(fp);

    section("/vsistdin/ stat");
    show_stat_ex("\"/vsistdin/\"", "/vsistdin/", 1, VSI_STAT_EXISTS_FLAG);
    show_stat_ex("\"/vsistdin/\"", "/vsistdin/", 1, VSI_STAT_NATURE_FLAG);
    show_stat_ex("\"/vsistdin/\"", "/vsistdin/", 1, 0);
    show_stat_ex("\"/vsistdin/\"", "/vsistdin/", 1, VSI_STAT_SIZE_FLAG);
    show_stat_vmode("/vsistdin/");
    STAT_MEM("/vsistdin?buffer_limit=10");
    STAT_MEM("/vsistdin/x");
    STAT_MEM("/vsistdin");

    section("/vsistdin/ handles share the prefix");
    SETCFG("CPL_VSISTDIN_FILE_CLOSE", "NO");
    fp = OPEN_MEM("/vsistdin/", "rb");
    read_show(fp, 1, 100);
    SETCFG("CPL_VSISTDIN_RESET_POSITION", "NO");
    fp2 = OPEN_MEM("/vsistdin/", "rb");
    show_pos("fp2", fp2);
    read_show(fp2, 1, 8);
    read_show(fp, 1, 4);
    SHOWI(VSIFSeekL(fp2, 500, SEEK_SET));
    read_show(fp2, 1, 4);
    read_show(fp, 1, 4);
    show_pos("fp", fp);
    SETCFG("CPL_VSISTDIN_FILE_CLOSE", "YES");
    SETCFG("CPL_VSISTDIN_RESET_POSITION", "YES");
    CLOSE(fp2);
    CLOSE(fp);

    section("/vsistdin/ the buffer limit only grows");
    fp = OPEN_MEM("/vsistdin?buffer_limit=200", "rb");
    SETCFG("CPL_VSISTDIN_RESET_POSITION", "NO");
    SETCFG("CPL_VSISTDIN_FILE_CLOSE", "NO");
    fp2 = OPEN_MEM("/vsistdin?buffer_limit=10", "rb");
    read_show(fp2, 1, 300);
    SHOWI(VSIFSeekL(fp2, 150, SEEK_SET));
    read_show(fp2, 1, 4);
    SETCFG("CPL_VSISTDIN_FILE_CLOSE", "YES");
    SETCFG("CPL_VSISTDIN_RESET_POSITION", "YES");
    CLOSE(fp2);
    CLOSE(fp);

    section("/vsistdin/ past the buffer limit");
    fp = OPEN_MEM("/vsistdin?buffer_limit=1000", "rb");
    read_show(fp, 1, 1500);
    SHOWI(VSIFSeekL(fp, 500, SEEK_SET));
    read_show(fp, 1, 10);
    reset_errors();
    read_show(fp, 1, 600);
    show_cplerr("read across the limit");
    reset_errors();
    SHOWI(VSIFSeekL(fp, 1200, SEEK_SET));
    show_cplerr("seek back past the limit");
    show_pos("after", fp);
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("end", fp);
    SHOWI(VSIFSeekL(fp, 999, SEEK_SET));
    read_show(fp, 1, 1);
    CLOSE(fp);
    SETCFG("CPL_VSISTDIN_BUFFER_LIMIT", "100");
    fp = OPEN_MEM("/vsistdin/", "rb");
    read_show(fp, 1, 150);
    SHOWI(VSIFSeekL(fp, 50, SEEK_SET));
    reset_errors();
    read_show(fp, 1, 60);
    show_cplerr("read across the limit (config)");
    read_show(fp, 1, 50);
    CLOSE(fp);
    SETCFG("CPL_VSISTDIN_BUFFER_LIMIT", "1MB");
    fp = OPEN_MEM("/vsistdin/", "rb");
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("end", fp);
    SHOWI(VSIFSeekL(fp, 2500, SEEK_SET));
    read_show(fp, 1, 4);
    CLOSE(fp);
    SETCFG("CPL_VSISTDIN_BUFFER_LIMIT", NULL);
    fp = OPEN_MEM("/vsistdin?buffer_limit=-1", "rb");
    read_show(fp, 1, 3000);
    SHOWI(VSIFSeekL(fp, 1, SEEK_SET));
    read_show(fp, 1, 2);
    CLOSE(fp);

    section("/vsistdin/ forward moves after the limit (libvsi allows them)");
    fp = OPEN_MEM("/vsistdin?buffer_limit=1000", "rb");
    read_show(fp, 1, 1500);
    reset_errors();
    SHOWI(VSIFSeekL(fp, 0, SEEK_CUR));
    SHOWI(VSIFSeekL(fp, 2500, SEEK_SET));
    show_cplerr("forward seek after the limit");
    read_show(fp, 1, 4);
    CLOSE(fp);

    section("/vsistdin/ names and options");
    reset_errors();
    fp = OPEN_MEM("/vsistdin/foo", "rb");
    CLOSE(fp);
    fp = OPEN_MEM("/vsistdin?foo.bar=1", "rb");
    CLOSE(fp);
    fp = OPEN_MEM("/vsistdin", "rb");
    CLOSE(fp);
    show_cplerr("silent refusals");
    fp = OPEN_MEM("/vsistdin?foo=bar", "rb");
    show_cplerr("unknown option");
    CLOSE(fp);
    fp = OPEN_MEM("/vsistdin/?buffer%5Flimit=2000&x&&y=1", "rb");
    CLOSE(fp);
    fp = OPEN_MEM("/vsistdin?BUFFER_LIMIT=5", "rb");
    CLOSE(fp);

    section("/vsistdin/ modes");
    reset_errors();
    fp = OPEN_MEM("/vsistdin/", "wb");
    show_cplerr("wb");
    reset_errors();
    fp = OPEN_MEM("/vsistdin/", "r+b");
    show_cplerr("r+b");
    fp = OPEN_MEM("/vsistdin/", "ab");
    CLOSE(fp);
    fp = OPEN_MEM("/vsistdin/", "r");
    CLOSE(fp);

    section("/vsistdin/ disabled");
    SETCFG("CPL_ALLOW_VSISTDIN", "NO");
    reset_errors();
    fp = OPEN_MEM("/vsistdin/", "rb");
    show_cplerr("open");
    reset_errors();
    STAT_MEM("/vsistdin/");
    show_cplerr("stat");
    SETCFG("CPL_ALLOW_VSISTDIN", NULL);

    section("/vsistdin/ ingest");
    {
        GByte *data = NULL;
        vsi_l_offset sz = 0;
        SHOWI(VSIIngestFile(NULL, "/vsistdin/", &data, &sz, -1));
        printf("  size=%llu\n", (unsigned long long)sz);
        int ok = 1;
        for (vsi_l_offset i = 0; data && i < sz; i++)
            if (data[i] != (GByte)(i % 251))
                ok = 0;
        printf("  content ok=%d\n", ok);
        VSIFree(data);
        data = NULL;
        reset_errors();
        SHOWI(VSIIngestFile(NULL, "/vsistdin/", &data, &sz, 100));
        show_cplerr("ingest over the limit");
        VSIFree(data);
    }

    section("/vsistdin/ empty input");
    MAKE_LOCAL("empty.bin", "");
    stdin_from("empty.bin");
    fp = OPEN_MEM("/vsistdin/", "rb");
    read_show(fp, 1, 10);
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("end", fp);
    CLOSE(fp);
    STAT_MEM("/vsistdin/");

    section("/vsistdin/ missing file");
    stdin_from("missing.bin");
    reset_errors();
    fp = OPEN_MEM("/vsistdin/", "rb");
    CLOSE(fp);
    STAT_MEM("/vsistdin/");
    show_cplerr("missing");

    section("/vsistdin/ unreadable input (a directory)");
    stdin_from("");
    reset_errors();
    fp = OPEN_MEM("/vsistdin/", "rb");
    read_show(fp, 1, 10);
    show_cplerr("read");
    show_vsierr("read");
    CLOSE(fp);
    STAT_MEM("/vsistdin/");

    SETCFG("CPL_VSISTDIN_FILE", NULL);
    SETCFG("CPL_VSISTDIN_RESET_POSITION", NULL);
    SETCFG("CPL_VSISTDIN_FILE_CLOSE", NULL);
    return test_finish();
}
