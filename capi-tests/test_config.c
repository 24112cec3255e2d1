/*
 * test_config.c -- configuration options: CPLSetConfigOption /
 * CPLGetConfigOption, thread-local options and their precedence (with
 * pthreads), the environment fallback, removal with NULL, and CPLTestBool.
 */
#include "test_common.h"

#include <pthread.h>

/* CPLGetGlobalConfigOption appeared in GDAL 3.8. */
#if HAVE_GLOBAL_CONFIG_GETTER
#define GLOBAL_OPTION(key) CPLGetGlobalConfigOption(key, NULL)
#define CHECK_GLOBAL(key, expected) CHECK_STR(GLOBAL_OPTION(key), expected)
#else
#define CHECK_GLOBAL(key, expected) ((void)0)
#endif

static void test_set_get(void)
{
    CHECK(CPLGetConfigOption("VSITEST_A", NULL) == NULL);
    CHECK_STR(CPLGetConfigOption("VSITEST_A", "default"), "default");

    CPLSetConfigOption("VSITEST_A", "1");
    CHECK_STR(CPLGetConfigOption("VSITEST_A", NULL), "1");
    CHECK_STR(CPLGetConfigOption("VSITEST_A", "default"), "1");
    CHECK_GLOBAL("VSITEST_A", "1");
    CHECK(CPLGetThreadLocalConfigOption("VSITEST_A", NULL) == NULL);

    /* Keys are case-insensitive, as in GDAL. */
    CHECK_STR(CPLGetConfigOption("vsitest_a", NULL), "1");
    CHECK_STR(CPLGetConfigOption("VsiTest_A", NULL), "1");
    CPLSetConfigOption("vsitest_a", "2");
    CHECK_STR(CPLGetConfigOption("VSITEST_A", NULL), "2");

    /* Replacing a value; an empty value is a value. */
    CPLSetConfigOption("VSITEST_A", "3");
    CHECK_STR(CPLGetConfigOption("VSITEST_A", NULL), "3");
    CPLSetConfigOption("VSITEST_A", "");
    CHECK_STR(CPLGetConfigOption("VSITEST_A", "default"), "");

    /* The returned pointer survives changes to other keys. */
    CPLSetConfigOption("VSITEST_A", "stable");
    const char *p = CPLGetConfigOption("VSITEST_A", NULL);
    for (int i = 0; i < 100; i++) {
        char key[32], val[32];
        snprintf(key, sizeof key, "VSITEST_MANY_%d", i);
        snprintf(val, sizeof val, "value-%d", i);
        CPLSetConfigOption(key, val);
    }
    CHECK_STR(p, "stable");
    for (int i = 0; i < 100; i++) {
        char key[32], val[32];
        snprintf(key, sizeof key, "VSITEST_MANY_%d", i);
        snprintf(val, sizeof val, "value-%d", i);
        CHECK_STR(CPLGetConfigOption(key, NULL), val);
        CPLSetConfigOption(key, NULL);
        CHECK(CPLGetConfigOption(key, NULL) == NULL);
    }

    /* NULL removes. */
    CPLSetConfigOption("VSITEST_A", NULL);
    CHECK(CPLGetConfigOption("VSITEST_A", NULL) == NULL);
    CHECK_STR(CPLGetConfigOption("VSITEST_A", "default"), "default");
    CHECK_GLOBAL("VSITEST_A", NULL);
    /* Removing a missing key is harmless. */
    CPLSetConfigOption("VSITEST_NEVER_SET", NULL);
    CHECK(CPLGetConfigOption("VSITEST_NEVER_SET", NULL) == NULL);

    /* Values are bytes: Latin-1 comes back unchanged. */
    CPLSetConfigOption("VSITEST_LATIN1", "caf\xe9");
    CHECK_STR(CPLGetConfigOption("VSITEST_LATIN1", NULL), "caf\xe9");
    CPLSetConfigOption("VSITEST_LATIN1", NULL);

    /* Long values are kept whole. */
    char longval[5000];
    memset(longval, 'v', sizeof longval - 1);
    longval[sizeof longval - 1] = 0;
    CPLSetConfigOption("VSITEST_LONG", longval);
    CHECK_STR(CPLGetConfigOption("VSITEST_LONG", NULL), longval);
    CPLSetConfigOption("VSITEST_LONG", NULL);
}

static void test_thread_local_precedence(void)
{
    CPLSetConfigOption("VSITEST_B", "global");
    CPLSetThreadLocalConfigOption("VSITEST_B", "local");
    CHECK_STR(CPLGetConfigOption("VSITEST_B", NULL), "local");
    CHECK_STR(CPLGetThreadLocalConfigOption("VSITEST_B", NULL), "local");
    CHECK_GLOBAL("VSITEST_B", "global");

    /* Changing the global value does not hide the thread-local one. */
    CPLSetConfigOption("VSITEST_B", "global2");
    CHECK_STR(CPLGetConfigOption("VSITEST_B", NULL), "local");
    CHECK_GLOBAL("VSITEST_B", "global2");

    /* Removing the thread-local value uncovers the global one. */
    CPLSetThreadLocalConfigOption("VSITEST_B", NULL);
    CHECK_STR(CPLGetConfigOption("VSITEST_B", NULL), "global2");
    CHECK(CPLGetThreadLocalConfigOption("VSITEST_B", NULL) == NULL);
    CHECK_STR(CPLGetThreadLocalConfigOption("VSITEST_B", "dflt"), "dflt");

    /* A thread-local value with no global one. */
    CPLSetThreadLocalConfigOption("VSITEST_C", "only-local");
    CHECK_STR(CPLGetConfigOption("VSITEST_C", NULL), "only-local");
    CHECK_GLOBAL("VSITEST_C", NULL);
    CHECK_STR(CPLGetThreadLocalConfigOption("vsitest_c", NULL), "only-local");
    CPLSetThreadLocalConfigOption("VSITEST_C", NULL);
    CHECK(CPLGetConfigOption("VSITEST_C", NULL) == NULL);

    CPLSetConfigOption("VSITEST_B", NULL);
}

/* ------------------------------------------------------------------------ */

typedef struct {
    int index;
    int failures;
    char seen_main_local[64];
} thread_arg;

static pthread_barrier_t g_barrier;

#define T_CHECK(arg, cond)                                                   \
    do {                                                                     \
        if (!(cond)) {                                                       \
            (arg)->failures++;                                               \
            fprintf(stderr, "  thread %d: %s:%d: %s\n", (arg)->index, __FILE__, __LINE__, #cond); \
        }                                                                    \
    } while (0)

static int str_is(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static void *config_thread(void *p)
{
    thread_arg *arg = p;
    char mine[32];
    snprintf(mine, sizeof mine, "thread-%d", arg->index);

    /* The main thread's thread-local value is invisible here; the global
     * value shows through. */
    T_CHECK(arg, str_is(CPLGetConfigOption("VSITEST_T", NULL), "global"));
    T_CHECK(arg, CPLGetThreadLocalConfigOption("VSITEST_T", NULL) == NULL);

    /* Each thread sets its own value... */
    CPLSetThreadLocalConfigOption("VSITEST_T", mine);
    pthread_barrier_wait(&g_barrier);
    /* ...and, once every thread has set one, still sees its own. */
    for (int i = 0; i < 200; i++) {
        T_CHECK(arg, str_is(CPLGetConfigOption("VSITEST_T", NULL), mine));
#if HAVE_GLOBAL_CONFIG_GETTER
        T_CHECK(arg, str_is(CPLGetGlobalConfigOption("VSITEST_T", NULL), "global"));
#endif
    }
    pthread_barrier_wait(&g_barrier);
    /* A global change made by the main thread shows once our local value
     * is removed. */
    pthread_barrier_wait(&g_barrier);
    T_CHECK(arg, str_is(CPLGetConfigOption("VSITEST_T", NULL), mine));
    CPLSetThreadLocalConfigOption("VSITEST_T", NULL);
    T_CHECK(arg, str_is(CPLGetConfigOption("VSITEST_T", NULL), "global-changed"));

    /* Set a thread-local value and exit without removing it: the thread's
     * storage is freed on exit (valgrind checks). */
    CPLSetThreadLocalConfigOption("VSITEST_LEFT_BEHIND", mine);

    /* Concurrent writers of global options must not corrupt each other. */
    for (int i = 0; i < 200; i++) {
        char key[48], val[48];
        snprintf(key, sizeof key, "VSITEST_CONC_%d_%d", arg->index, i % 10);
        snprintf(val, sizeof val, "%d-%d", arg->index, i);
        CPLSetConfigOption(key, val);
        T_CHECK(arg, str_is(CPLGetConfigOption(key, NULL), val));
        CPLSetConfigOption("VSITEST_SHARED", val);
        const char *shared = CPLGetConfigOption("VSITEST_SHARED", NULL);
        T_CHECK(arg, shared != NULL);
    }
    for (int i = 0; i < 10; i++) {
        char key[48];
        snprintf(key, sizeof key, "VSITEST_CONC_%d_%d", arg->index, i);
        CPLSetConfigOption(key, NULL);
    }
    return NULL;
}

static void test_threads(void)
{
    enum { N = 4 };
    pthread_t th[N];
    thread_arg args[N];
    CPLSetConfigOption("VSITEST_T", "global");
    CPLSetThreadLocalConfigOption("VSITEST_T", "main-local");
    REQUIRE(pthread_barrier_init(&g_barrier, NULL, N + 1) == 0);
    for (int i = 0; i < N; i++) {
        memset(&args[i], 0, sizeof args[i]);
        args[i].index = i;
        REQUIRE(pthread_create(&th[i], NULL, config_thread, &args[i]) == 0);
    }
    pthread_barrier_wait(&g_barrier); /* all have set their value */
    CHECK_STR(CPLGetConfigOption("VSITEST_T", NULL), "main-local");
    pthread_barrier_wait(&g_barrier); /* all have checked */
    CPLSetConfigOption("VSITEST_T", "global-changed");
    pthread_barrier_wait(&g_barrier);
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        CHECK_MSG(args[i].failures == 0, "thread %d had %d failures", i, args[i].failures);
    }
    pthread_barrier_destroy(&g_barrier);
    CHECK_STR(CPLGetConfigOption("VSITEST_T", NULL), "main-local");
    CHECK(CPLGetConfigOption("VSITEST_LEFT_BEHIND", NULL) == NULL);
    CHECK(CPLGetConfigOption("VSITEST_SHARED", NULL) != NULL);
    CPLSetThreadLocalConfigOption("VSITEST_T", NULL);
    CPLSetConfigOption("VSITEST_T", NULL);
    CPLSetConfigOption("VSITEST_SHARED", NULL);
    CHECK(CPLGetConfigOption("VSITEST_T", NULL) == NULL);
}

/* ------------------------------------------------------------------------ */

static void test_environment(void)
{
    setenv("VSITEST_ENV", "from-env", 1);
    CHECK_STR(CPLGetConfigOption("VSITEST_ENV", NULL), "from-env");
    CHECK_STR(CPLGetConfigOption("VSITEST_ENV", "default"), "from-env");
    /* The environment is not a global option. */
    CHECK_GLOBAL("VSITEST_ENV", NULL);
    /* Set options take precedence over the environment. */
    CPLSetConfigOption("VSITEST_ENV", "from-option");
    CHECK_STR(CPLGetConfigOption("VSITEST_ENV", NULL), "from-option");
    CPLSetThreadLocalConfigOption("VSITEST_ENV", "from-thread");
    CHECK_STR(CPLGetConfigOption("VSITEST_ENV", NULL), "from-thread");
    CPLSetThreadLocalConfigOption("VSITEST_ENV", NULL);
    /* Removing the option falls back to the environment again. */
    CPLSetConfigOption("VSITEST_ENV", NULL);
    CHECK_STR(CPLGetConfigOption("VSITEST_ENV", NULL), "from-env");
    /* The environment is read at call time. */
    setenv("VSITEST_ENV", "changed-env", 1);
    CHECK_STR(CPLGetConfigOption("VSITEST_ENV", NULL), "changed-env");
    unsetenv("VSITEST_ENV");
    CHECK(CPLGetConfigOption("VSITEST_ENV", NULL) == NULL);
    CHECK_STR(CPLGetConfigOption("VSITEST_ENV", "default"), "default");
    /* An empty environment value is a value. */
    setenv("VSITEST_ENV", "", 1);
    CHECK_STR(CPLGetConfigOption("VSITEST_ENV", "default"), "");
    unsetenv("VSITEST_ENV");
}

/* ------------------------------------------------------------------------ */

static void test_bool(void)
{
    const char *falses[] = {"NO", "no", "No", "FALSE", "false", "False", "OFF", "off", "0"};
    const char *trues[] = {"YES", "yes", "TRUE", "true", "ON", "on", "1", "2", "-1", "whatever",
                           "", "NONE", "n"};
    for (size_t i = 0; i < sizeof falses / sizeof falses[0]; i++)
        CHECK_MSG(CPLTestBool(falses[i]) == FALSE, "CPLTestBool(\"%s\") should be FALSE", falses[i]);
    for (size_t i = 0; i < sizeof trues / sizeof trues[0]; i++)
        CHECK_MSG(CPLTestBool(trues[i]) != FALSE, "CPLTestBool(\"%s\") should be TRUE", trues[i]);
    CHECK_INT(CPLTestBool("YES"), TRUE);
}

/* ------------------------------------------------------------------------ */

static void test_debug_option(void)
{
    capture_reset();
    CPLPushErrorHandler(capture_handler);
    CPLSetConfigOption("CPL_DEBUG", NULL);
    CPLDebug("CAT", "off by default");
    CHECK_INT(g_cap.count, 0);
    CPLSetConfigOption("CPL_DEBUG", "ON");
    CPLDebug("CAT", "value %d", 5);
    CHECK_INT(g_cap.count, 1);
    CHECK_INT(g_cap.cls[0], CE_Debug);
    CHECK_STR(g_cap.msg[0], "CAT: value 5");
    /* CPL_DEBUG naming a category enables that category only. */
    CPLSetConfigOption("CPL_DEBUG", "OTHER");
    CPLDebug("CAT", "filtered");
    CHECK_INT(g_cap.count, 1);
    CPLDebug("OTHER", "passes");
    CHECK_INT(g_cap.count, 2);
    CHECK_STR(g_cap.msg[1], "OTHER: passes");
    /* A thread-local CPL_DEBUG works like any option. */
    CPLSetConfigOption("CPL_DEBUG", "OFF");
    CPLSetThreadLocalConfigOption("CPL_DEBUG", "ON");
    CPLDebug("CAT", "thread-local");
    CHECK_INT(g_cap.count, 3);
    CPLSetThreadLocalConfigOption("CPL_DEBUG", NULL);
    CPLDebug("CAT", "off again");
    CHECK_INT(g_cap.count, 3);
    /* GDAL's rule: CPL_DEBUG=ON or "" enables every category; any other
     * value enables the categories it contains (case-insensitive
     * substring), so YES, TRUE or 1 enable nothing. */
    CPLSetThreadLocalConfigOption("CPL_DEBUG", NULL);
    static const struct {
        const char *value;
        int shown;
    } rules[] = {{"ON", 1},  {"on", 1},     {"", 1},           {"CAT", 1},  {"cat", 1},
                 {"MYCATEGORY", 1}, {"OTHER,CAT", 1}, {"YES", 0}, {"TRUE", 0}, {"1", 0},
                 {"OFF", 0}, {"NO", 0},      {"DOG", 0}};
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        CPLSetConfigOption("CPL_DEBUG", rules[i].value);
        int before = g_cap.count;
        CPLDebug("CAT", "rule %zu", i);
        CHECK_MSG(g_cap.count - before == rules[i].shown,
                  "CPL_DEBUG=\"%s\": CPLDebug(\"CAT\", ...) %s, GDAL %s it", rules[i].value,
                  g_cap.count - before ? "was shown" : "was not shown",
                  rules[i].shown ? "shows" : "does not show");
    }
    CPLSetConfigOption("CPL_DEBUG", NULL);
    int before = g_cap.count;
    CPLDebug("CAT", "unset");
    CHECK_INT(g_cap.count, before);

    /* Debug messages are not errors. */
    CHECK_INT(CPLGetLastErrorType(), CE_None);
    CPLSetConfigOption("CPL_DEBUG", NULL);
    CPLPopErrorHandler();
}

int main(void)
{
    RUN(test_set_get);
    RUN(test_thread_local_precedence);
    RUN(test_threads);
    RUN(test_environment);
    RUN(test_bool);
    RUN(test_debug_option);
    return test_summary("test_config");
}
