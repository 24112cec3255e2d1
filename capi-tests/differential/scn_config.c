/* scn_config.c -- configuration options: set/get/unset, defaults, empty
 * values, key case-insensitivity, thread-local precedence (and isolation
 * between threads), environment fallback, and config options that change
 * VSI behaviour (VSI_CACHE on local read-only handles). */
#include "compat.h"
#include <threads.h>

#define K "VSIDIFF_TEST_KEY"

static void show_opt(const char *label, const char *key, const char *dflt)
{
    const char *v = CPLGetConfigOption(key, dflt);
    printf("CPLGetConfigOption(%s, %s%s%s) [%s] -> ", key, dflt ? "\"" : "",
           dflt ? dflt : "NULL", dflt ? "\"" : "", label);
    pstr(v);
    putchar('\n');
}

static void show_tl(const char *label, const char *key, const char *dflt)
{
    const char *v = CPLGetThreadLocalConfigOption(key, dflt);
    printf("CPLGetThreadLocalConfigOption(%s, %s%s%s) [%s] -> ", key,
           dflt ? "\"" : "", dflt ? dflt : "NULL", dflt ? "\"" : "", label);
    pstr(v);
    putchar('\n');
}

/* what another thread sees */
typedef struct
{
    char global_val[128];
    char tl_val[128];
    char own_tl_val[128];
} thread_result;

static int thread_main(void *arg)
{
    thread_result *r = (thread_result *)arg;
    const char *g = CPLGetConfigOption(K, "(default)");
    const char *t = CPLGetThreadLocalConfigOption(K, "(default)");
    snprintf(r->global_val, sizeof(r->global_val), "%s", g ? g : "(null)");
    snprintf(r->tl_val, sizeof(r->tl_val), "%s", t ? t : "(null)");
    /* set a thread-local value in this thread: must not leak */
    CPLSetThreadLocalConfigOption(K, "from_other_thread");
    const char *o = CPLGetConfigOption(K, "(default)");
    snprintf(r->own_tl_val, sizeof(r->own_tl_val), "%s", o ? o : "(null)");
    return 0;
}

static void run_thread(const char *label)
{
    thread_result r;
    memset(&r, 0, sizeof(r));
    thrd_t t;
    if (thrd_create(&t, thread_main, &r) != thrd_success)
    {
        printf("thread create failed\n");
        return;
    }
    thrd_join(t, NULL);
    printf("[%s] other thread sees: get=%s tl=%s own_tl=%s\n", label,
           r.global_val, r.tl_val, r.own_tl_val);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    unsetenv(K);
    unsetenv("VSIDIFF_ENV_ONLY");

    section("unset key: default or NULL");
    show_opt("unset", K, NULL);
    show_opt("unset", K, "dflt");
    show_opt("unset", K, "");
    show_tl("unset", K, NULL);
    show_tl("unset", K, "tldflt");

    section("global set / overwrite / empty / unset");
    CPLSetConfigOption(K, "v1");
    show_opt("after set v1", K, NULL);
    show_opt("after set v1", K, "dflt");
    show_tl("global only", K, "tldflt");
    CPLSetConfigOption(K, "v2 with spaces = and equals");
    show_opt("after overwrite", K, NULL);
    CPLSetConfigOption(K, "");
    show_opt("after set empty", K, "dflt");
    CPLSetConfigOption(K, NULL);
    show_opt("after unset", K, "dflt");
    CPLSetConfigOption(K, NULL); /* unset twice is harmless */
    show_opt("after double unset", K, NULL);

    section("key case-insensitivity");
    CPLSetConfigOption(K, "upper");
    show_opt("lower-case lookup", "vsidiff_test_key", NULL);
    show_opt("mixed-case lookup", "VsiDiff_Test_Key", NULL);
    CPLSetConfigOption("vsidiff_test_key", "set via lower");
    show_opt("upper after lower set", K, NULL);
    CPLSetConfigOption(K, NULL);
    show_opt("after unset upper", "vsidiff_test_key", "gone");

    section("thread-local precedence");
    CPLSetConfigOption(K, "global");
    CPLSetThreadLocalConfigOption(K, "threadlocal");
    show_opt("both set", K, NULL);
    show_tl("both set", K, NULL);
    run_thread("both set in main");
    show_opt("after other thread set its own TL", K, NULL);
    CPLSetThreadLocalConfigOption(K, "");
    show_opt("TL empty", K, "dflt");
    CPLSetThreadLocalConfigOption(K, NULL);
    show_opt("TL unset", K, NULL);
    show_tl("TL unset", K, "tldflt");
    CPLSetConfigOption(K, NULL);
    show_opt("all unset", K, "dflt");
    CPLSetThreadLocalConfigOption(K, "tl only");
    show_opt("TL only", K, "dflt");
    run_thread("TL only in main");
    CPLSetThreadLocalConfigOption(K, NULL);
    CPLSetConfigOption(K, "global only");
    run_thread("global only");
    CPLSetConfigOption(K, NULL);

    section("environment fallback");
    show_opt("no env", "VSIDIFF_ENV_ONLY", "dflt");
    setenv("VSIDIFF_ENV_ONLY", "from env", 1);
    show_opt("env set", "VSIDIFF_ENV_ONLY", "dflt");
    show_tl("env set", "VSIDIFF_ENV_ONLY", "tldflt");
    /* env lookup is case-sensitive (getenv) */
    show_opt("env set, lower-case key", "vsidiff_env_only", "dflt");
    setenv("VSIDIFF_ENV_ONLY", "changed env", 1);
    show_opt("env changed", "VSIDIFF_ENV_ONLY", "dflt");
    setenv("VSIDIFF_ENV_ONLY", "", 1);
    show_opt("env empty", "VSIDIFF_ENV_ONLY", "dflt");
    setenv("VSIDIFF_ENV_ONLY", "from env", 1);
    CPLSetConfigOption("VSIDIFF_ENV_ONLY", "global wins");
    show_opt("global over env", "VSIDIFF_ENV_ONLY", "dflt");
    CPLSetThreadLocalConfigOption("VSIDIFF_ENV_ONLY", "tl wins");
    show_opt("TL over global over env", "VSIDIFF_ENV_ONLY", "dflt");
    CPLSetThreadLocalConfigOption("VSIDIFF_ENV_ONLY", NULL);
    CPLSetConfigOption("VSIDIFF_ENV_ONLY", NULL);
    show_opt("back to env", "VSIDIFF_ENV_ONLY", "dflt");
    unsetenv("VSIDIFF_ENV_ONLY");
    show_opt("env removed", "VSIDIFF_ENV_ONLY", "dflt");

    section("many keys");
    {
        char key[64], val[64];
        for (int i = 0; i < 50; i++)
        {
            snprintf(key, sizeof(key), "VSIDIFF_MANY_%02d", i);
            snprintf(val, sizeof(val), "value_%d", i * i);
            CPLSetConfigOption(key, val);
        }
        for (int i = 0; i < 50; i += 7)
        {
            snprintf(key, sizeof(key), "VSIDIFF_MANY_%02d", i);
            show_opt("many", key, NULL);
        }
        for (int i = 0; i < 50; i++)
        {
            snprintf(key, sizeof(key), "VSIDIFF_MANY_%02d", i);
            CPLSetConfigOption(key, (i % 2) ? NULL : "even");
        }
        show_opt("many after", "VSIDIFF_MANY_01", "unset");
        show_opt("many after", "VSIDIFF_MANY_02", "unset");
    }

    section("returned pointer stays valid until the key is changed");
    {
        CPLSetConfigOption(K, "stable");
        const char *p1 = CPLGetConfigOption(K, NULL);
        CPLSetConfigOption("VSIDIFF_OTHER", "x");
        printf("value after setting another key: ");
        pstr(p1);
        putchar('\n');
        CPLSetConfigOption("VSIDIFF_OTHER", NULL);
        CPLSetConfigOption(K, NULL);
    }

    section("VSI_CACHE=TRUE wraps local read-only handles");
    {
        VSILFILE *fp;
        char content[100];
        for (int i = 0; i < 100; i++)
            content[i] = (char)('A' + i % 26);
        fp = OPEN_LOCAL("cached.bin", "wb");
        SHOWZ(VSIFWriteL(content, 1, 100, fp));
        CLOSE(fp);
        CPLSetConfigOption("VSI_CACHE", "TRUE");
        CPLSetConfigOption("VSI_CACHE_SIZE", "1000");
        fp = OPEN_LOCAL("cached.bin", "rb");
        read_show(fp, 1, 10);
        SHOWI(VSIFSeekL(fp, 95, SEEK_SET));
        read_show(fp, 1, 10);
        read_show(fp, 1, 1);
        SHOWI(VSIFSeekL(fp, 200, SEEK_SET));
        show_pos("beyond EOF", fp);
        read_show(fp, 1, 1);
        SHOWI(VSIFSeekL(fp, 0, SEEK_END));
        show_pos("SEEK_END", fp);
        SHOWI(VSIFSeekL(fp, 50, SEEK_SET));
        read_show(fp, 4, 3);
        SHOWZ(VSIFWriteL("x", 1, 1, fp));
        CLOSE(fp);
        /* "r+" is not wrapped */
        fp = OPEN_LOCAL("cached.bin", "r+b");
        read_show(fp, 1, 3);
        CLOSE(fp);
        CPLSetConfigOption("VSI_CACHE", NULL);
        CPLSetConfigOption("VSI_CACHE_SIZE", NULL);
    }

    return test_finish();
}
