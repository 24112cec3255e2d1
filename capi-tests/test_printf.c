/*
 * test_printf.c -- VSIFPrintfL (formatted writes, including results far
 * longer than 1024 bytes) and VSIFPutcL, on /vsimem/ and local files.
 */
#include "test_common.h"

#include <stdint.h>

/* Reads back the whole file and compares it with expected (n bytes). */
static void check_content(const char *path, const char *expected, size_t n, int line)
{
    size_t got_n = 0;
    char *got = get_file(path, &got_n);
    g_checks++;
    if (got == NULL || got_n != n || memcmp(got, expected, n) != 0) {
        size_t i = 0;
        while (got && i < got_n && i < n && got[i] == expected[i])
            i++;
        check_failed(__FILE__, line, "%s: %zu bytes, expected %zu; first difference at byte %zu",
                     path, got_n, n, i);
    }
    free(got);
}

static void run_printf_tests(const char *path)
{
    VSILFILE *fp = VSIFOpenL(path, "wb");
    REQUIRE(fp != NULL);
    static char expected[40000];
    size_t elen = 0;
#define APPEND_EXPECTED(...)                                                 \
    elen += (size_t)snprintf(expected + elen, sizeof expected - elen, __VA_ARGS__)

    /* Plain text; the return value is the number of bytes written. */
    CHECK_INT(VSIFPrintfL(fp, "hello"), 5);
    APPEND_EXPECTED("hello");
    /* Conversions of every kind. */
    int r = VSIFPrintfL(fp, "|%d|%5d|%-4d|%u|%ld|%lld|%llu|%x|%X|%o|%c|%s|%.3s|%%|", -42, 7, 3,
                        4000000000u, -123456789L, (long long)INT64_MIN,
                        (unsigned long long)UINT64_MAX, 255u, 0xABCu, 8u, 'Z', "str", "abcdef");
    size_t before = elen;
    APPEND_EXPECTED("|%d|%5d|%-4d|%u|%ld|%lld|%llu|%x|%X|%o|%c|%s|%.3s|%%|", -42, 7, 3,
                    4000000000u, -123456789L, (long long)INT64_MIN, (unsigned long long)UINT64_MAX,
                    255u, 0xABCu, 8u, 'Z', "str", "abcdef");
    CHECK_INT(r, elen - before);
    r = VSIFPrintfL(fp, "%.2f %e %g %10.4f\n", 3.14159, 1e-10, 0.5, -2.0);
    before = elen;
    APPEND_EXPECTED("%.2f %e %g %10.4f\n", 3.14159, 1e-10, 0.5, -2.0);
    CHECK_INT(r, elen - before);
    /* Positional width and precision. */
    r = VSIFPrintfL(fp, "[%*d][%.*f]", 6, 42, 2, 2.71828);
    before = elen;
    APPEND_EXPECTED("[%*d][%.*f]", 6, 42, 2, 2.71828);
    CHECK_INT(r, elen - before);

    /* An empty result writes nothing and returns 0. */
    CHECK_INT(VSIFPrintfL(fp, "%s", ""), 0);
    CHECK_INT(VSIFPrintfL(fp, "%.0s", "ignored"), 0);

    /* Results longer than any small fixed buffer: 1023, 1024, 1025 and
     * several kilobytes, from a long %s and from a long format. */
    static const size_t lens[] = {1023, 1024, 1025, 4096, 5000};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        char *s = malloc(lens[k] + 1);
        REQUIRE(s != NULL);
        for (size_t i = 0; i < lens[k]; i++)
            s[i] = (char)('a' + (i * 7 + k) % 26);
        s[lens[k]] = 0;
        CHECK_INT(VSIFPrintfL(fp, "%s", s), lens[k]);
        APPEND_EXPECTED("%s", s);
        /* With a prefix and suffix around it. */
        r = VSIFPrintfL(fp, "<%zu:%s:%d>", lens[k], s, (int)k);
        before = elen;
        APPEND_EXPECTED("<%zu:%s:%d>", lens[k], s, (int)k);
        CHECK_INT(r, elen - before);
        free(s);
    }
    /* A long result from padding alone. */
    r = VSIFPrintfL(fp, "%03000d", 9);
    CHECK_INT(r, 3000);
    APPEND_EXPECTED("%03000d", 9);
    /* Embedded newlines and bytes above 127 pass through. */
    CHECK_INT(VSIFPrintfL(fp, "line1\nline2\r\n\xc3\xa9\xff"), 16);
    APPEND_EXPECTED("line1\nline2\r\n\xc3\xa9\xff");

    CHECK_U64(VSIFTellL(fp), elen);
    CHECK_INT(VSIFCloseL(fp), 0);
    check_content(path, expected, elen, __LINE__);

    /* VSIFPrintfL writes at the current offset (overwrite in place). */
    fp = VSIFOpenL(path, "r+b");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFPrintfL(fp, "HE%s", "LLO"), 5);
    memcpy(expected, "HELLO", 5);
    CHECK_INT(VSIFSeekL(fp, 0, SEEK_END), 0);
    CHECK_INT(VSIFPrintfL(fp, "%s", "END"), 3);
    APPEND_EXPECTED("END");
    CHECK_INT(VSIFCloseL(fp), 0);
    check_content(path, expected, elen, __LINE__);

    /* On a read-only handle nothing is written and 0 is returned. */
    fp = VSIFOpenL(path, "rb");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFPrintfL(fp, "%s", "nope"), 0);
    CHECK_INT(VSIFCloseL(fp), 0);
    check_content(path, expected, elen, __LINE__);
    CHECK_INT(VSIUnlink(path), 0);
#undef APPEND_EXPECTED
}

static void run_putc_tests(const char *path)
{
    VSILFILE *fp = VSIFOpenL(path, "wb");
    REQUIRE(fp != NULL);
    /* 1 on success (not the character, unlike fputc). */
    CHECK_INT(VSIFPutcL('A', fp), 1);
    CHECK_INT(VSIFPutcL(0, fp), 1);
    /* The value is converted to unsigned char. */
    CHECK_INT(VSIFPutcL(0x100 + 'B', fp), 1);
    CHECK_INT(VSIFPutcL(-1, fp), 1);
    CHECK_INT(VSIFPutcL(255, fp), 1);
    CHECK_INT(VSIFPutcL('\n', fp), 1);
    CHECK_U64(VSIFTellL(fp), 6);
    /* Many single bytes. */
    for (int i = 0; i < 3000; i++)
        CHECK_INT(VSIFPutcL('0' + i % 10, fp), 1);
    CHECK_INT(VSIFCloseL(fp), 0);

    size_t n = 0;
    char *got = get_file(path, &n);
    REQUIRE(got != NULL);
    CHECK_INT(n, 3006);
    CHECK_MEM(got, "A\0B\xff\xff\n", 6);
    int ok = 1;
    for (int i = 0; i < 3000; i++)
        ok &= got[6 + i] == '0' + i % 10;
    CHECK(ok);
    free(got);

    /* At an offset past the end: the gap is zero-filled. */
    fp = VSIFOpenL(path, "r+b");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFSeekL(fp, 4000, SEEK_SET), 0);
    CHECK_INT(VSIFPutcL('Z', fp), 1);
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK_INT(stat_size(path), 4001);

    /* 0 on a read-only handle, and nothing changes. */
    fp = VSIFOpenL(path, "rb");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFPutcL('X', fp), 0);
    CHECK_INT(VSIFCloseL(fp), 0);
    got = get_file(path, &n);
    REQUIRE(got != NULL);
    CHECK_INT(n, 4001);
    CHECK_INT(got[0], 'A');
    CHECK_INT(got[3999], 0);
    CHECK_INT(got[4000], 'Z');
    free(got);
    CHECK_INT(VSIUnlink(path), 0);
}

static void test_printf_vsimem(void)
{
    run_printf_tests("/vsimem/test_printf/printf.txt");
}

static void test_printf_local(void)
{
    run_printf_tests(sp("printf.txt"));
}

static void test_putc_vsimem(void)
{
    run_putc_tests("/vsimem/test_printf/putc.bin");
}

static void test_putc_local(void)
{
    run_putc_tests(sp("putc.bin"));
}

int main(void)
{
    make_scratch("printf");
    VSIMkdirRecursive("/vsimem/test_printf", 0755);
    RUN(test_printf_vsimem);
    RUN(test_printf_local);
    RUN(test_putc_vsimem);
    RUN(test_putc_local);
    CHECK_INT(VSIRmdirRecursive("/vsimem/test_printf"), 0);
    return test_summary("test_printf");
}
