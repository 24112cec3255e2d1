/* scn_sync.c -- VSISync between /vsimem/ and local (file -> dir, file ->
 * file, dir with/without trailing slash, RECURSIVE=NO, missing source,
 * overwrite of changed size, outputs pointer) plus misc filesystem queries
 * (disk free space sign, case sensitivity, sparse support of /vsimem/). */
#include "compat.h"

static void sync_show(const char *label, const char *src, const char *dst,
                      const char *const *opts)
{
    char **outputs = (char **)(void *)1; /* must be reset to NULL */
    reset_errors();
    int r = VSISync(src, dst, opts, NULL, NULL, &outputs);
    printf("VSISync(%s) -> %d outputs=%s\n", label, r,
           outputs == NULL ? "NULL"
                           : (outputs == (char **)(void *)1 ? "untouched"
                                                            : "list"));
    if (outputs && outputs != (char **)(void *)1)
        CSLDestroy(outputs);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);

    section("setup");
    MAKE_MEM("/vsimem/src/a.txt", "AAAA");
    MAKE_MEM("/vsimem/src/sub/b.txt", "BB");
    SHOWI(VSIMkdir("/vsimem/src", 0755));
    SHOWI(VSIMkdir("/vsimem/src/sub", 0755));
    SHOWI(VSIMkdir("/vsimem/src/emptysub", 0755));
    SHOWI(VSIMkdir("/vsimem/dst", 0755));

    section("file -> existing /vsimem/ directory");
    sync_show("a.txt -> /vsimem/dst", "/vsimem/src/a.txt", "/vsimem/dst",
              NULL);
    LIST_AS_IS(VSIReadDirRecursive("/vsimem/dst"));
    CONTENT_MEM("/vsimem/dst/a.txt");

    section("file -> new file path");
    sync_show("a.txt -> /vsimem/dst/renamed.txt", "/vsimem/src/a.txt",
              "/vsimem/dst/renamed.txt", NULL);
    STAT_MEM("/vsimem/dst/renamed.txt");
    STAT_MEM("/vsimem/dst/renamed.txt/a.txt");

    section("directory without trailing slash -> creates dst/src");
    sync_show("/vsimem/src -> /vsimem/dst", "/vsimem/src", "/vsimem/dst",
              NULL);
    LIST_AS_IS(VSIReadDirRecursive("/vsimem/dst"));

    section("directory with trailing slash -> copies content");
    SHOWI(VSIMkdir("/vsimem/dst2", 0755));
    sync_show("/vsimem/src/ -> /vsimem/dst2", "/vsimem/src/", "/vsimem/dst2",
              NULL);
    LIST_AS_IS(VSIReadDirRecursive("/vsimem/dst2"));

    section("RECURSIVE=NO");
    SHOWI(VSIMkdir("/vsimem/dst3", 0755));
    {
        const char *opts[] = {"RECURSIVE=NO", NULL};
        sync_show("/vsimem/src/ -> /vsimem/dst3 RECURSIVE=NO", "/vsimem/src/",
                  "/vsimem/dst3", opts);
    }
    LIST_AS_IS(VSIReadDirRecursive("/vsimem/dst3"));

    section("/vsimem/ -> local");
    sync_show("/vsimem/src/ -> LP(\"\")", "/vsimem/src/", LP(""), NULL);
    LIST_SORTED(VSIReadDirRecursive(LP("")));
    CONTENT_LOCAL("sub/b.txt");
    SHOWI(VSIMkdir(LP("ldst"), 0755));
    sync_show("/vsimem/src -> LP(ldst)", "/vsimem/src", LP("ldst"), NULL);
    LIST_SORTED(VSIReadDirRecursive(LP("ldst")));

    section("local -> /vsimem/");
    SHOWI(VSIMkdir("/vsimem/fromlocal", 0755));
    sync_show("LP(ldst/) -> /vsimem/fromlocal", LP("ldst/"),
              "/vsimem/fromlocal", NULL);
    LIST_AS_IS(VSIReadDirRecursive("/vsimem/fromlocal"));
    CONTENT_MEM("/vsimem/fromlocal/src/sub/b.txt");

    section("changed size is re-copied");
    MAKE_MEM("/vsimem/src/a.txt", "AAAAAAAA longer now");
    sync_show("a.txt -> /vsimem/dst (again)", "/vsimem/src/a.txt",
              "/vsimem/dst", NULL);
    CONTENT_MEM("/vsimem/dst/a.txt");

    section("failures");
    sync_show("missing -> /vsimem/dst", "/vsimem/src/missing.txt",
              "/vsimem/dst", NULL);
    show_cplerr("sync missing");
    sync_show("missing local -> /vsimem/dst", LP("nothing"), "/vsimem/dst",
              NULL);
    show_cplerr("sync missing local");
    /* NULL outputs pointer is allowed */
    SHOWI(VSISync("/vsimem/src/a.txt", "/vsimem/dst", NULL, NULL, NULL,
                  NULL));

    section("misc filesystem queries");
    SHOWB(VSIGetDiskFreeSpace("/vsimem/") > 0);
    SHOWB(VSIGetDiskFreeSpace("/vsimem/src") > 0);
    SHOWB(VSIGetDiskFreeSpace(LP("")) > 0);
    SHOWB(VSIGetDiskFreeSpace(LP("nodir/nosub")) == -1);
    SHOWI(VSIIsCaseSensitiveFS("/vsimem/"));
    SHOWI(VSIIsCaseSensitiveFS(LP("")));
    SHOWI(VSISupportsSparseFiles("/vsimem/"));
    SHOWI(VSISupportsSparseFiles("/vsimem/src/a.txt"));

    return test_finish();
}
