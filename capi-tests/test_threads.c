/*
 * test_threads.c -- concurrency: several threads each writing and reading
 * back their own /vsimem/ file at once, several threads reading one file at
 * once through their own handles, listings and stats racing with creation,
 * and per-thread last errors and error handlers.
 *
 * Sizes are modest so the program also runs quickly under valgrind.
 */
#include "test_common.h"

#include <pthread.h>

enum { NTHREADS = 4 };

typedef struct {
    int index;
    int failures;
} targ;

#define T_CHECK(arg, cond)                                                   \
    do {                                                                     \
        if (!(cond)) {                                                       \
            if ((arg)->failures++ < 10)                                      \
                fprintf(stderr, "  thread %d: %s:%d: %s\n", (arg)->index, __FILE__, __LINE__, \
                        #cond);                                              \
        }                                                                    \
    } while (0)

static pthread_barrier_t g_start;

/* ------------------------------------------------------------------------ */
/* Each thread: its own file, written in uneven chunks, read back, rewritten
 * in place, grown, truncated, renamed, unlinked. */

enum { FILE_SIZE = 200000, ROUNDS = 3 };

static void *writer_thread(void *p)
{
    targ *arg = p;
    char path[128], renamed[128];
    unsigned char *buf = malloc(FILE_SIZE), *back = malloc(FILE_SIZE);
    T_CHECK(arg, buf && back);
    if (!buf || !back) {
        free(buf);
        free(back);
        return NULL;
    }
    pthread_barrier_wait(&g_start);

    for (int round = 0; round < ROUNDS; round++) {
        unsigned seed = (unsigned)(arg->index * 100 + round);
        snprintf(path, sizeof path, "/vsimem/test_threads/own/t%d/r%d.bin", arg->index, round);
        snprintf(renamed, sizeof renamed, "/vsimem/test_threads/own/t%d/done%d.bin", arg->index,
                 round);
        fill_pattern(buf, FILE_SIZE, seed, 0);

        VSILFILE *fp = VSIFOpenL(path, "wb+");
        T_CHECK(arg, fp != NULL);
        if (!fp)
            break;
        /* Uneven chunk sizes: 1, 7, 4093, ... */
        size_t off = 0, chunk = 1;
        while (off < FILE_SIZE) {
            size_t n = chunk < FILE_SIZE - off ? chunk : FILE_SIZE - off;
            T_CHECK(arg, VSIFWriteL(buf + off, 1, n, fp) == n);
            off += n;
            chunk = chunk * 7 % 10007 + 1;
        }
        T_CHECK(arg, VSIFTellL(fp) == FILE_SIZE);

        /* Read back through the same handle, in reverse-order blocks. */
        memset(back, 0, FILE_SIZE);
        for (long start = FILE_SIZE - 4096; start > -4096; start -= 4096) {
            size_t s = start < 0 ? 0 : (size_t)start;
            size_t n = (size_t)(start + 4096) - s;
            T_CHECK(arg, VSIFSeekL(fp, s, SEEK_SET) == 0);
            T_CHECK(arg, VSIFReadL(back + s, 1, n, fp) == n);
        }
        T_CHECK(arg, memcmp(buf, back, FILE_SIZE) == 0);

        /* Overwrite the middle, grow, shrink. */
        T_CHECK(arg, VSIFSeekL(fp, 1000, SEEK_SET) == 0);
        T_CHECK(arg, VSIFWriteL("THREAD", 1, 6, fp) == 6);
        memcpy(buf + 1000, "THREAD", 6);
        T_CHECK(arg, VSIFTruncateL(fp, FILE_SIZE * 2) == 0);
        T_CHECK(arg, VSIFTruncateL(fp, FILE_SIZE) == 0);
        T_CHECK(arg, VSIFCloseL(fp) == 0);

        /* A fresh handle sees the final content. */
        VSIStatBufL st;
        T_CHECK(arg, VSIStatL(path, &st) == 0 && st.st_size == FILE_SIZE);
        fp = VSIFOpenL(path, "rb");
        T_CHECK(arg, fp != NULL);
        if (fp) {
            memset(back, 0, FILE_SIZE);
            T_CHECK(arg, VSIFReadL(back, 1, FILE_SIZE, fp) == FILE_SIZE);
            T_CHECK(arg, memcmp(buf, back, FILE_SIZE) == 0);
            T_CHECK(arg, VSIFCloseL(fp) == 0);
        }
        T_CHECK(arg, VSIRename(path, renamed) == 0);
        T_CHECK(arg, VSIStatL(path, &st) != 0);
        T_CHECK(arg, VSIStatL(renamed, &st) == 0 && st.st_size == FILE_SIZE);

        /* Seize the buffer of every other round, unlink the rest. */
        if (round % 2 == 0) {
            vsi_l_offset len = 0;
            GByte *data = VSIGetMemFileBuffer(renamed, &len, TRUE);
            T_CHECK(arg, data != NULL && len == FILE_SIZE);
            if (data)
                T_CHECK(arg, memcmp(data, buf, FILE_SIZE) == 0);
            VSIFree(data);
        } else {
            T_CHECK(arg, VSIUnlink(renamed) == 0);
        }
        T_CHECK(arg, VSIStatL(renamed, &st) != 0);
    }
    free(buf);
    free(back);
    return NULL;
}

static void test_own_files(void)
{
    pthread_t th[NTHREADS];
    targ args[NTHREADS];
    REQUIRE(pthread_barrier_init(&g_start, NULL, NTHREADS) == 0);
    for (int i = 0; i < NTHREADS; i++) {
        char dir[128];
        snprintf(dir, sizeof dir, "/vsimem/test_threads/own/t%d", i);
        CHECK_INT(VSIMkdirRecursive(dir, 0755), 0);
    }
    for (int i = 0; i < NTHREADS; i++) {
        args[i].index = i;
        args[i].failures = 0;
        REQUIRE(pthread_create(&th[i], NULL, writer_thread, &args[i]) == 0);
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(th[i], NULL);
        CHECK_MSG(args[i].failures == 0, "writer thread %d: %d failures", i, args[i].failures);
    }
    pthread_barrier_destroy(&g_start);
    for (int i = 0; i < NTHREADS; i++) {
        char dir[128];
        snprintf(dir, sizeof dir, "/vsimem/test_threads/own/t%d", i);
        CHECK(VSIReadDir(dir) == NULL); /* every file was removed */
    }
    CHECK_INT(VSIRmdirRecursive("/vsimem/test_threads/own"), 0);
}

/* ------------------------------------------------------------------------ */
/* Many readers of one file, each with its own handle, at pseudo-random
 * offsets; plus one thread stat'ing and listing all along. */

enum { SHARED_SIZE = 1 << 20, READS = 300 };
static const char *SHARED = "/vsimem/test_threads/shared.bin";
static unsigned char *g_shared_expected;

static void *reader_thread(void *p)
{
    targ *arg = p;
    VSILFILE *fp = VSIFOpenL(SHARED, "rb");
    T_CHECK(arg, fp != NULL);
    pthread_barrier_wait(&g_start);
    if (!fp)
        return NULL;
    unsigned char buf[8192];
    uint32_t x = 12345u + (uint32_t)arg->index * 7919u;
    for (int i = 0; i < READS; i++) {
        x = x * 1103515245u + 12345u;
        size_t off = (x >> 4) % SHARED_SIZE;
        size_t len = 1 + (x >> 20) % sizeof buf;
        size_t expect = off + len > SHARED_SIZE ? SHARED_SIZE - off : len;
        T_CHECK(arg, VSIFSeekL(fp, off, SEEK_SET) == 0);
        size_t got = VSIFReadL(buf, 1, len, fp);
        T_CHECK(arg, got == expect);
        T_CHECK(arg, memcmp(buf, g_shared_expected + off, got) == 0);
        T_CHECK(arg, VSIFTellL(fp) == off + got);
    }
    /* Whole-file read at the end. */
    unsigned char *all = malloc(SHARED_SIZE);
    if (all) {
        VSIRewindL(fp);
        T_CHECK(arg, VSIFReadL(all, 1, SHARED_SIZE, fp) == SHARED_SIZE);
        T_CHECK(arg, memcmp(all, g_shared_expected, SHARED_SIZE) == 0);
        free(all);
    }
    T_CHECK(arg, VSIFCloseL(fp) == 0);
    return NULL;
}

static void *stat_thread(void *p)
{
    targ *arg = p;
    pthread_barrier_wait(&g_start);
    /* A fixed number of rounds (not "until the readers are done": under
     * valgrind's serialised scheduling that could starve them). */
    for (int i = 0; i < 100; i++) {
        VSIStatBufL st;
        T_CHECK(arg, VSIStatL(SHARED, &st) == 0 && st.st_size == SHARED_SIZE);
        char **list = VSIReadDir("/vsimem/test_threads");
        T_CHECK(arg, list_has(list, "shared.bin"));
        CSLDestroy(list);
        /* Create and remove side files while readers run. */
        char side[96];
        snprintf(side, sizeof side, "/vsimem/test_threads/side%d", i % 4);
        T_CHECK(arg, put_str(side, "side") == 0);
        T_CHECK(arg, VSIUnlink(side) == 0);
    }
    return NULL;
}

static void test_shared_readers(void)
{
    g_shared_expected = malloc(SHARED_SIZE);
    REQUIRE(g_shared_expected != NULL);
    fill_pattern(g_shared_expected, SHARED_SIZE, 77, 0);
    CHECK_INT(put_file(SHARED, g_shared_expected, SHARED_SIZE), 0);

    pthread_t th[NTHREADS + 1];
    targ args[NTHREADS + 1];
    REQUIRE(pthread_barrier_init(&g_start, NULL, NTHREADS + 1) == 0);
    for (int i = 0; i <= NTHREADS; i++) {
        args[i].index = i;
        args[i].failures = 0;
        REQUIRE(pthread_create(&th[i], NULL, i < NTHREADS ? reader_thread : stat_thread,
                               &args[i]) == 0);
    }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    pthread_join(th[NTHREADS], NULL);
    for (int i = 0; i <= NTHREADS; i++)
        CHECK_MSG(args[i].failures == 0, "%s thread %d: %d failures",
                  i < NTHREADS ? "reader" : "stat", i, args[i].failures);
    pthread_barrier_destroy(&g_start);

    /* The file is unchanged. */
    size_t n = 0;
    char *got = get_file(SHARED, &n);
    CHECK_INT(n, SHARED_SIZE);
    CHECK_MEM(got, g_shared_expected, SHARED_SIZE);
    free(got);
    CHECK_INT(VSIUnlink(SHARED), 0);
    free(g_shared_expected);
}

/* ------------------------------------------------------------------------ */
/* One writer appending while readers read the stable prefix. */

static VSILFILE *g_growing_writer;
static const char *GROWING = "/vsimem/test_threads/growing.bin";
enum { PREFIX = 4096, APPENDS = 200 };

static void *growing_reader(void *p)
{
    targ *arg = p;
    VSILFILE *fp = VSIFOpenL(GROWING, "rb");
    T_CHECK(arg, fp != NULL);
    pthread_barrier_wait(&g_start);
    if (!fp)
        return NULL;
    unsigned char buf[PREFIX];
    for (int i = 0; i < 100; i++) {
        T_CHECK(arg, VSIFSeekL(fp, 0, SEEK_SET) == 0);
        T_CHECK(arg, VSIFReadL(buf, 1, PREFIX, fp) == PREFIX);
        int ok = 1;
        for (size_t j = 0; j < PREFIX; j++)
            ok &= buf[j] == pattern_byte(1, j);
        T_CHECK(arg, ok);
        /* The size only grows. */
        VSIStatBufL st;
        T_CHECK(arg, VSIStatL(GROWING, &st) == 0 && st.st_size >= PREFIX);
    }
    T_CHECK(arg, VSIFCloseL(fp) == 0);
    return NULL;
}

static void test_writer_and_readers(void)
{
    unsigned char prefix[PREFIX];
    fill_pattern(prefix, PREFIX, 1, 0);
    g_growing_writer = VSIFOpenL(GROWING, "wb");
    REQUIRE(g_growing_writer != NULL);
    CHECK_INT(VSIFWriteL(prefix, 1, PREFIX, g_growing_writer), PREFIX);
    CHECK_INT(VSIFFlushL(g_growing_writer), 0);

    pthread_t th[NTHREADS];
    targ args[NTHREADS];
    REQUIRE(pthread_barrier_init(&g_start, NULL, NTHREADS + 1) == 0);
    for (int i = 0; i < NTHREADS; i++) {
        args[i].index = i;
        args[i].failures = 0;
        REQUIRE(pthread_create(&th[i], NULL, growing_reader, &args[i]) == 0);
    }
    pthread_barrier_wait(&g_start);
    unsigned char chunk[1000];
    memset(chunk, 0xab, sizeof chunk);
    for (int i = 0; i < APPENDS; i++)
        CHECK_INT(VSIFWriteL(chunk, 1, sizeof chunk, g_growing_writer), sizeof chunk);
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(th[i], NULL);
        CHECK_MSG(args[i].failures == 0, "growing reader %d: %d failures", i, args[i].failures);
    }
    pthread_barrier_destroy(&g_start);
    CHECK_INT(VSIFCloseL(g_growing_writer), 0);
    CHECK_INT(stat_size(GROWING), PREFIX + APPENDS * 1000);
    CHECK_INT(VSIUnlink(GROWING), 0);
}

/* ------------------------------------------------------------------------ */
/* Last errors and handler stacks are per thread. */

static __thread int t_handler_calls;
static void counting_handler(CPLErr c, CPLErrorNum n, const char *m)
{
    (void)c, (void)n, (void)m;
    t_handler_calls++;
}

static void *error_thread(void *p)
{
    targ *arg = p;
    char msg[64];
    snprintf(msg, sizeof msg, "error from thread %d", arg->index);
    CPLPushErrorHandler(counting_handler);
    pthread_barrier_wait(&g_start);
    for (int i = 0; i < 50; i++) {
        CPLError(CE_Failure, CPLE_AppDefined + arg->index, "%s", msg);
        VSIError(VSIE_FileError, "%s", msg);
        T_CHECK(arg, CPLGetLastErrorNo() == CPLE_AppDefined + arg->index);
        T_CHECK(arg, strcmp(CPLGetLastErrorMsg(), msg) == 0);
        T_CHECK(arg, strcmp(VSIGetLastErrorMsg(), msg) == 0);
        /* A failing open records this thread's own VSI error. */
        char path[64];
        snprintf(path, sizeof path, "/vsimem/test_threads/missing%d", arg->index);
        T_CHECK(arg, VSIFOpenExL(path, "rb", TRUE) == NULL);
        T_CHECK(arg, VSIGetLastErrorNo() == VSIE_FileError);
    }
    T_CHECK(arg, t_handler_calls == 50);
    CPLPopErrorHandler();
    /* The thread exits with errors recorded: freed with the thread. */
    return NULL;
}

static void test_per_thread_errors(void)
{
    pthread_t th[NTHREADS];
    targ args[NTHREADS];
    CPLErrorReset();
    VSIErrorReset();
    t_handler_calls = 0;
    REQUIRE(pthread_barrier_init(&g_start, NULL, NTHREADS) == 0);
    for (int i = 0; i < NTHREADS; i++) {
        args[i].index = i;
        args[i].failures = 0;
        REQUIRE(pthread_create(&th[i], NULL, error_thread, &args[i]) == 0);
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(th[i], NULL);
        CHECK_MSG(args[i].failures == 0, "error thread %d: %d failures", i, args[i].failures);
    }
    pthread_barrier_destroy(&g_start);
    /* Nothing leaked into the main thread. */
    CHECK_INT(CPLGetLastErrorNo(), CPLE_None);
    CHECK_STR(CPLGetLastErrorMsg(), "");
    CHECK_INT(VSIGetLastErrorNo(), VSIE_None);
    CHECK_INT(t_handler_calls, 0);
}

int main(void)
{
    CHECK_INT(VSIMkdirRecursive("/vsimem/test_threads", 0755), 0);
    RUN(test_own_files);
    RUN(test_shared_readers);
    RUN(test_writer_and_readers);
    RUN(test_per_thread_errors);
    CHECK(VSIReadDir("/vsimem/test_threads") == NULL);
    CHECK_INT(VSIRmdirRecursive("/vsimem/test_threads"), 0);
#if IS_LIBVSI
    VSIRSMemStats s;
    CHECK(VSIRS_MemGetStats(&s));
    CHECK_U64(s.nFiles, 0);
    CHECK_U64(s.nBytesUsed, 0);
    CHECK_U64(s.nUnlinkedOpen, 0);
#endif
    return test_summary("test_threads");
}
