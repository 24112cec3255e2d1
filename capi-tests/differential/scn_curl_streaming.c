/* scn_curl_streaming.c -- /vsicurl_streaming/ against the test HTTP server
 * (NEEDS_HTTP_SERVER): stat, sequential reads, seeks back into the first
 * megabyte and past it, forward seeks, SEEK_END, EOF, missing files, refused
 * writes, redirects, Basic authentication, HTML error pages, no listing. */
#include "http_compat.h"

#define S "/vsicurl_streaming/"

int main(int argc, char **argv)
{
    http_init(argc, argv);

    section("stat");
    show_url_stat(S, "a.bin", 0);
    show_url_stat(S, "small.txt", 0);
    show_url_stat(S, "empty.bin", 0);
    show_url_stat(S, "dir", 0);
    show_url_stat(S, "missing.bin", 0);
    show_url_stat(S, "dir/y.bin", VSI_STAT_EXISTS_FLAG);
    show_url_stat(S, "dir/x.txt", VSI_STAT_SIZE_FLAG);
    show_url_stat(S, "dir/x.txt", VSI_STAT_CACHE_ONLY);

    section("sequential reads");
    VSILFILE *fp = open_url(S, "big.bin", "rb");
    show_pos("fresh", fp);
    read_show(fp, 1, 16);
    for (int i = 0; i < 4; i++)
        read_sum(fp, 16 + (unsigned long long)i * 300000, 300000);
    section("seeks back into the first megabyte");
    read_sum(fp, 0, 1000);
    read_sum(fp, 500000, 600000); /* straddles the first megabyte */
    section("forward seek, then back past the first megabyte");
    read_sum(fp, 2500000, 1000);
    read_sum(fp, 1500000, 1000);
    read_sum(fp, 3000000, 200000); /* up to the end */
    read_show(fp, 1, 1);
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("SEEK_END", fp);
    read_show(fp, 1, 1);
    SHOWI(VSIFSeekL(fp, 10, SEEK_SET));
    read_show(fp, 2, 3);
    SHOWI(VSIFSeekL(fp, 5, SEEK_CUR));
    read_show(fp, 1, 4);
    SHOWZ(VSIFWriteL("x", 1, 1, fp));
    CLOSE(fp);

    fp = open_url(S, "a.bin", "rb");
    read_sum(fp, 0, 200000);
    read_show(fp, 1, 1);
    SHOWI(VSIFEofL(fp));
    SHOWI(VSIFSeekL(fp, 99990, SEEK_SET));
    read_show(fp, 4, 4);
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("SEEK_END", fp);
    {
        char b1[10], b2[20];
        void *bufs[2] = {b1, b2};
        vsi_l_offset offs[2] = {5, 40000};
        size_t sizes[2] = {10, 20};
        SHOWI(VSIFReadMultiRangeL(2, bufs, offs, sizes, fp));
        hexdump("b1", b1, 10);
        hexdump("b2", b2, 20);
    }
    CLOSE(fp);

    fp = open_url(S, "small.txt", "rb");
    read_show(fp, 1, 100);
    CLOSE(fp);
    fp = open_url(S, "empty.bin", "rb");
    if (fp)
    {
        read_show(fp, 1, 10);
        CLOSE(fp);
    }

    section("missing files, writes");
    reset_errors();
    fp = open_url(S, "nope/missing.bin", "rb");
    show_cplerr_url("open missing");
    fp = open_url(S, "a.bin", "wb");
    show_cplerr_url("open for writing");
    reset_errors();
    fp = open_url(S, "a.bin", "r+b");
    show_cplerr_url("open for update");
    reset_errors();
    show_url_list(S, "dir", 0);

    section("redirects, authentication, error pages");
    fp = open_url(S, "redirect/a.bin", "rb");
    read_sum(fp, 0, 100000);
    CLOSE(fp);
    fp = open_url(S, "signed/small.txt?expires_in=3600", "rb");
    read_show(fp, 1, 12);
    CLOSE(fp);
    fp = open_url(S, "loop/0", "rb");
    if (fp)
        CLOSE(fp);
    fp = open_url(S, "auth/small.txt", "rb");
    if (fp)
        CLOSE(fp);
    CPLSetConfigOption("GDAL_HTTP_USERPWD", "user:pass");
    fp = open_url(S, "auth/dir/x.txt", "rb");
    read_show(fp, 1, 7);
    CLOSE(fp);
    CPLSetConfigOption("GDAL_HTTP_USERPWD", NULL);
    fp = open_url(S, "error200/a.bin", "rb");
    read_sum(fp, 0, 1000);
    CLOSE(fp);
    return test_finish();
}
