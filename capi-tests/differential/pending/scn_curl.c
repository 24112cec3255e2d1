/* scn_curl.c -- /vsicurl/ against the test HTTP server (NEEDS_HTTP_SERVER):
 * stat of files, directories and missing names; reads, seeks and EOF;
 * multi-range reads; directory listings in Apache, nginx, IIS and FTP-proxy
 * styles; 404s and the errors they leave; redirects (302, 301, to a signed
 * URL, endless); Basic authentication; servers that answer 200 with an HTML
 * error page or ignore Range; the /vsicurl?url= option form. */
#include "http_compat.h"

#define C "/vsicurl/"

static void read_whole(const char *rel)
{
    VSILFILE *fp = open_url(C, rel, "rb");
    if (!fp)
        return;
    unsigned char buf[256];
    size_t n = VSIFReadL(buf, 1, sizeof(buf), fp);
    printf("  read -> %zu eof=%d\n", n, VSIFEofL(fp) ? 1 : 0);
    textdump("data", buf, n < 64 ? n : 64);
    CLOSE(fp);
}

int main(int argc, char **argv)
{
    http_init(argc, argv);

    section("stat");
    show_url_stat(C, "a.bin", 0);
    show_url_stat(C, "small.txt", 0);
    show_url_stat(C, "empty.bin", 0);
    show_url_stat(C, "noext", 0);
    show_url_stat(C, "dir", 0);
    show_url_stat(C, "dir/", 0);
    show_url_stat(C, "dir/sub", 0);
    show_url_stat(C, "missing.bin", 0);
    show_url_stat(C, "missing_noext", 0);
    show_url_stat(C, "dir/y.bin", VSI_STAT_EXISTS_FLAG);
    show_url_stat(C, "dir/y.bin", VSI_STAT_SIZE_FLAG);

    section("read, seek, EOF");
    VSILFILE *fp = open_url(C, "a.bin", "rb");
    show_pos("fresh", fp);
    read_show(fp, 1, 16);
    SHOWI(VSIFSeekL(fp, 50000, SEEK_SET));
    read_show(fp, 4, 4);
    SHOWI(VSIFSeekL(fp, 16, SEEK_CUR));
    read_show(fp, 1, 8);
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("SEEK_END", fp);
    read_show(fp, 1, 1);
    SHOWI(VSIFSeekL(fp, 99990, SEEK_SET));
    read_show(fp, 4, 4); /* 10 bytes left: 2 whole objects, EOF */
    SHOWI(VSIFEofL(fp));
    read_show(fp, 1, 1);
    SHOWI(VSIFSeekL(fp, 200000, SEEK_SET));
    read_show(fp, 1, 1);
    read_sum(fp, 0, 100000);
    read_sum(fp, 12345, 70000);
    read_sum(fp, 16383, 2);
    read_sum(fp, 99999, 5);
    SHOWZ(VSIFWriteL("x", 1, 1, fp));
    SHOWI(VSIFFlushL(fp));
    CLOSE(fp);

    fp = open_url(C, "big.bin", "rb");
    /* sequential reads that grow, then random ones */
    for (int i = 0; i < 8; i++)
        read_sum(fp, (unsigned long long)i * 65536, 65536);
    read_sum(fp, 3000000, 200000);
    read_sum(fp, 1000, 3 << 20);
    CLOSE(fp);

    read_whole("small.txt");
    read_whole("empty.bin");
    read_whole("noext");

    section("multi-range");
    fp = open_url(C, "a.bin", "rb");
    {
        char b1[10], b2[20], b3[5];
        void *bufs[3] = {b1, b2, b3};
        vsi_l_offset offs[3] = {5, 40000, 99995};
        size_t sizes[3] = {10, 20, 5};
        SHOWI(VSIFReadMultiRangeL(3, bufs, offs, sizes, fp));
        hexdump("b1", b1, 10);
        hexdump("b2", b2, 20);
        hexdump("b3", b3, 5);
        show_pos("after multi-range", fp);
    }
    CLOSE(fp);

    section("listings");
    show_url_list(C, "dir", 0);
    show_url_list(C, "dir/", 0);
    show_url_list(C, "nginx/dir", 0);
    show_url_list(C, "iis/dir", 0);
    show_url_list(C, "ftp/dir", 0);
    show_url_list(C, "dir/sub", 0);
    show_url_list(C, "dir/emptydir", 0);
    show_url_list(C, "missingdir", 0);
    show_url_list(C, "a.bin", 0);
    show_url_list(C, "apache/dir", 2);
    /* What the listings taught: files and directories known without HEAD. */
    show_url_stat(C, "nginx/dir/y.bin", 0);
    show_url_stat(C, "nginx/dir/sub", 0);
    show_url_stat(C, "iis/dir/y.bin", 0);
    show_url_stat(C, "ftp/dir/y.bin", 0);
    show_url_stat(C, "dir/x.txt", 0);
    show_url_stat(C, "dir/not_listed.txt", 0);
    {
        VSIDIR *d = VSIOpenDir(U(C, "dir"), 0, NULL);
        printf("VSIOpenDir($BASE/dir) -> %s\n", d ? "dir" : "NULL");
        const VSIDIREntry *e;
        while (d && (e = VSIGetNextDirEntry(d)) != NULL)
        {
            printf("  entry ");
            pstr_url(e->pszName);
            printf(" mode=%s size_known=%d\n",
                   !e->bModeKnown ? "?" : VSI_ISDIR(e->nMode) ? "DIR" : "REG",
                   e->bSizeKnown);
        }
        if (d)
            VSICloseDir(d);
    }

    section("opening names absent from the listing of their directory");
    fp = open_url(C, "dir/not_there.txt", "rb");
    if (fp)
        CLOSE(fp);
    fp = open_url(C, "nginx/dir/y.bin", "rb");
    read_sum(fp, 0, 20000);
    CLOSE(fp);

    section("404 and errors");
    reset_errors();
    fp = open_url(C, "nope/missing.bin", "rb");
    show_cplerr_url("open missing");
    reset_errors();
    fp = VSIFOpenExL(U(C, "nope2/missing.bin"), "rb", TRUE);
    printf("VSIFOpenExL(missing, bSetError=TRUE) -> %s\n", fp ? "handle" : "NULL");
    show_vsierr_url("open missing");
    reset_errors();
    {
        VSIStatBufL st;
        SHOWI(VSIStatExL(U(C, "nope3/missing.bin"), &st, VSI_STAT_SET_ERROR_FLAG));
        show_vsierr_url("stat missing");
    }
    reset_errors();
    fp = open_url(C, "a.bin", "wb");
    show_cplerr_url("open for writing");
    reset_errors();
    fp = open_url(C, "a.bin", "r+b");
    show_cplerr_url("open for update");
    reset_errors();
    SHOWI(VSIMkdir(U(C, "newdir"), 0755));
    SHOWI(VSIUnlink(U(C, "a.bin")));
    SHOWI(VSIRmdir(U(C, "dir/emptydir")));

    section("redirects");
    read_whole("redirect/small.txt");
    read_whole("redirect301/dir/x.txt");
    show_url_stat(C, "redirect/dir/y.bin", 0);
    fp = open_url(C, "signed/a.bin?expires_in=3600", "rb");
    read_sum(fp, 0, 1000);
    read_sum(fp, 60000, 30000);
    CLOSE(fp);
    fp = open_url(C, "signed/big.bin?style=amz&expires_in=3600", "rb");
    read_sum(fp, 2000000, 100000);
    CLOSE(fp);
    reset_errors();
    show_url_stat(C, "loop/0", 0);
    fp = open_url(C, "loop/1", "rb");
    if (fp)
    {
        read_sum(fp, 0, 10);
        CLOSE(fp);
    }

    section("Basic authentication");
    reset_errors();
    show_url_stat(C, "auth/a.bin", 0);
    read_whole("auth/noext");
    CPLSetConfigOption("GDAL_HTTP_USERPWD", "user:pass");
    show_url_stat(C, "auth/small.txt", 0);
    read_whole("auth/small.txt");
    CPLSetConfigOption("GDAL_HTTP_USERPWD", "user:wrong");
    show_url_stat(C, "auth/dir/x.txt", 0);
    CPLSetConfigOption("GDAL_HTTP_USERPWD", NULL);

    section("a 200 HTML error page instead of the file");
    show_url_stat(C, "error200/a.bin", 0);
    read_whole("error200/small.txt");

    section("a server that ignores Range");
    fp = open_url(C, "norange/small.txt", "rb");
    read_sum(fp, 0, 12);
    CLOSE(fp);
    fp = open_url(C, "norange/big.bin", "rb");
    if (fp)
    {
        reset_errors();
        read_sum(fp, 2000000, 100);
        show_cplerr_url("read at 2000000");
        CLOSE(fp);
    }

    section("/vsicurl?url= form");
    {
        char path[2048];
        snprintf(path, sizeof(path), "/vsicurl?url=%s/small.txt", g_base);
        VSIStatBufL st;
        int r = VSIStatL(path, &st);
        printf("stat(/vsicurl?url=$BASE/small.txt) -> %d size=%lld\n", r,
               r == 0 ? (long long)st.st_size : -1LL);
        snprintf(path, sizeof(path), "/vsicurl?use_head=no&list_dir=no&url=%s/dir/x.txt", g_base);
        r = VSIStatL(path, &st);
        printf("stat(/vsicurl?use_head=no&list_dir=no&url=$BASE/dir/x.txt) -> %d size=%lld\n", r,
               r == 0 ? (long long)st.st_size : -1LL);
        reset_errors();
        r = VSIStatL("/vsicurl?list_dir=no", &st);
        printf("stat(/vsicurl?list_dir=no) -> %d\n", r);
    }

    section("cache clearing");
    VSICurlClearCache();
    show_url_stat(C, "a.bin", 0);
    VSICurlPartialClearCache(U(C, "dir"));
    show_url_list(C, "dir", 0);
    return test_finish();
}
