/*
 * test_gzip.c -- /vsigzip/ through the C API: a file written through
 * /vsigzip/ reads back whole and at random offsets (also from two handles
 * and two threads at once), stat gives the uncompressed size and writes
 * the .properties file, damaged files fail without crashing, and (libvsi
 * extension) VSIRS_ArchiveIndexMemory reports the random-access index.
 * Run under valgrind by run.sh, this also checks the inflate code's use of
 * memory.
 */
#include "test_common.h"

#include <pthread.h>

#define DIR "/vsimem/test_gzip"
#define GZ DIR "/a.gz"
#define N (3u << 20)

static unsigned char *g_plain;

static void make_plain(void)
{
    static const char *words[] = {"alpha ", "beta ", "gamma\n", "delta ", "raster ",
                                  "band ", "tile ", "42 ", "vsi ", "gzip "};
    g_plain = malloc(N);
    uint64_t s = 88172645463325252ull;
    size_t i = 0;
    while (i < N) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        for (const char *w = words[s % 10]; *w && i < N; w++)
            g_plain[i++] = (unsigned char)*w;
    }
}

static void test_write_then_read_back(void)
{
    VSILFILE *fp = VSIFOpenL("/vsigzip/" GZ, "wb");
    REQUIRE(fp != NULL);
    for (size_t off = 0; off < N; off += 100000)
        CHECK_INT(VSIFWriteL(g_plain + off, 1, N - off < 100000 ? N - off : 100000, fp),
                  N - off < 100000 ? N - off : 100000);
    CHECK_U64(VSIFTellL(fp), N);
    CHECK_INT(VSIFCloseL(fp), 0);

    size_t n = 0;
    char *back = get_file("/vsigzip/" GZ, &n);
    REQUIRE(back != NULL);
    CHECK_INT(n, N);
    CHECK(memcmp(back, g_plain, N) == 0);
    free(back);
}

static void test_random_reads(void)
{
    VSILFILE *a = VSIFOpenL("/vsigzip/" GZ, "rb");
    VSILFILE *b = VSIFOpenL("/vsigzip/" GZ, "rb");
    REQUIRE(a != NULL && b != NULL);
    unsigned char buf[5000];
    uint64_t rng = 42;
    for (int i = 0; i < 200; i++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        VSILFILE *fp = (i & 1) ? a : b;
        size_t off = (size_t)((rng >> 11) % (N - sizeof buf));
        CHECK_INT(VSIFSeekL(fp, off, SEEK_SET), 0);
        CHECK_INT(VSIFReadL(buf, 1, sizeof buf, fp), sizeof buf);
        CHECK(memcmp(buf, g_plain + off, sizeof buf) == 0);
    }
    CHECK_INT(VSIFSeekL(a, 0, SEEK_END), 0);
    CHECK_U64(VSIFTellL(a), N);
    CHECK_INT(VSIFCloseL(a), 0);
    CHECK_INT(VSIFCloseL(b), 0);
}

static void *reader_thread(void *arg)
{
    uint64_t rng = (uint64_t)(uintptr_t)arg;
    VSILFILE *fp = VSIFOpenL("/vsigzip/" GZ, "rb");
    if (fp == NULL)
        return (void *)1;
    unsigned char buf[4096];
    uintptr_t bad = 0;
    for (int i = 0; i < 100; i++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        size_t off = (size_t)((rng >> 11) % (N - sizeof buf));
        if (VSIFSeekL(fp, off, SEEK_SET) != 0 || VSIFReadL(buf, 1, sizeof buf, fp) != sizeof buf ||
            memcmp(buf, g_plain + off, sizeof buf) != 0)
            bad++;
    }
    VSIFCloseL(fp);
    return (void *)bad;
}

static void test_threads(void)
{
    pthread_t t[2];
    for (uintptr_t i = 0; i < 2; i++)
        REQUIRE(pthread_create(&t[i], NULL, reader_thread, (void *)(i + 7)) == 0);
    for (int i = 0; i < 2; i++) {
        void *bad = NULL;
        pthread_join(t[i], &bad);
        CHECK(bad == NULL);
    }
}

static void test_stat_and_properties(void)
{
    CHECK_INT(put_file(DIR "/b.gz", NULL, 0), 0);
    VSIStatBufL st;
    /* An empty file is not gzip. */
    CHECK(VSIStatL("/vsigzip/" DIR "/b.gz", &st) != 0);
    CHECK(VSIFOpenL("/vsigzip/" DIR "/b.gz", "rb") == NULL);

    /* A fresh copy: stat decodes it, then writes the sizes next to it. */
    size_t n = 0;
    char *gz = get_file(GZ, &n);
    REQUIRE(gz != NULL);
    CHECK_INT(put_file(DIR "/c.gz", gz, n), 0);
    CHECK_INT(VSIStatL("/vsigzip/" DIR "/c.gz", &st), 0);
    CHECK_U64(st.st_size, N);
    char want[128];
    snprintf(want, sizeof want, "compressed_size=%zu\nuncompressed_size=%u\n", n, N);
    CHECK(file_equals(DIR "/c.gz.properties", want));

    /* A damaged copy fails cleanly (libvsi: stat fails; GDAL reports the
     * bytes it could decode). */
    gz[n - 8] ^= 0xff;
    CHECK_INT(put_file(DIR "/d.gz", gz, n), 0);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    int r = VSIStatL("/vsigzip/" DIR "/d.gz", &st);
    VSILFILE *fp = VSIFOpenL("/vsigzip/" DIR "/d.gz", "rb");
    REQUIRE(fp != NULL);
    char *buf = malloc(N + 10);
    size_t got = VSIFReadL(buf, 1, N + 10, fp);
    CPLPopErrorHandler();
    CHECK_INT(got, N);
    CHECK(memcmp(buf, g_plain, N) == 0);
    if (IS_LIBVSI)
        CHECK(r != 0);
    CHECK_INT(VSIFCloseL(fp), 0);
    free(buf);
    free(gz);
}

#if IS_LIBVSI
static void test_index_memory(void)
{
    GUIntBig before = VSIRS_ArchiveIndexMemory();
    VSIStatBufL st;
    CHECK_INT(VSIStatL("/vsigzip/" GZ, &st), 0);
    /* The index of a 3 MiB file holds a few windows, far under the limit. */
    CHECK(VSIRS_ArchiveIndexMemory() >= before);
    CHECK(VSIRS_ArchiveIndexMemory() < ((GUIntBig)32 << 20) * 17);
}
#endif

int main(void)
{
    make_plain();
    VSIMkdirRecursive(DIR, 0755);
    RUN(test_write_then_read_back);
    RUN(test_random_reads);
    RUN(test_threads);
    RUN(test_stat_and_properties);
#if IS_LIBVSI
    RUN(test_index_memory);
#endif
    VSIRmdirRecursive(DIR);
    free(g_plain);
    return test_summary("test_gzip");
}
