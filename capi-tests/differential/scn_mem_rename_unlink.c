/* scn_mem_rename_unlink.c -- /vsimem/ rename and unlink:
 * file rename, overwrite of target, rename of directories (subtree moves),
 * rename onto non-/vsimem/ paths, rename to itself, missing source,
 * handles open across rename, VSIUnlink / VSIUnlinkBatch. */
#include "compat.h"

int main(int argc, char **argv)
{
    test_init(argc, argv);
    VSILFILE *fp = NULL;

    section("rename a file");
    MAKE_MEM("/vsimem/rn/src.txt", "source");
    SHOWI(VSIRename("/vsimem/rn/src.txt", "/vsimem/rn/dst.txt"));
    STAT_MEM("/vsimem/rn/src.txt");
    STAT_MEM("/vsimem/rn/dst.txt");
    CONTENT_MEM("/vsimem/rn/dst.txt");
    LIST_AS_IS(VSIReadDir("/vsimem/rn"));

    section("rename overwrites an existing target");
    MAKE_MEM("/vsimem/rn/other.txt", "other content");
    SHOWI(VSIRename("/vsimem/rn/dst.txt", "/vsimem/rn/other.txt"));
    STAT_MEM("/vsimem/rn/dst.txt");
    CONTENT_MEM("/vsimem/rn/other.txt");

    section("rename to itself / missing source");
    SHOWI(VSIRename("/vsimem/rn/other.txt", "/vsimem/rn/other.txt"));
    CONTENT_MEM("/vsimem/rn/other.txt");
    SHOWI(VSIRename("/vsimem/rn/other.txt", "/vsimem//rn/other.txt/"));
    CONTENT_MEM("/vsimem/rn/other.txt");
    SHOWI(VSIRename("/vsimem/rn/missing.txt", "/vsimem/rn/x.txt"));
    STAT_MEM("/vsimem/rn/x.txt");

    section("rename with non-normalised names");
    SHOWI(VSIRename("/vsimem\\rn\\other.txt", "/vsimem//rn//norm.txt"));
    STAT_MEM("/vsimem/rn/other.txt");
    STAT_MEM("/vsimem/rn/norm.txt");

    section("rename into a missing directory (parents not created)");
    SHOWI(VSIRename("/vsimem/rn/norm.txt", "/vsimem/rn/newparent/moved.txt"));
    STAT_MEM("/vsimem/rn/newparent");
    STAT_MEM("/vsimem/rn/newparent/moved.txt");
    LIST_AS_IS(VSIReadDir("/vsimem/rn/newparent"));

    section("rename onto a non-/vsimem/ path fails");
    MAKE_MEM("/vsimem/rn/stay.txt", "stay");
    SHOWI(VSIRename("/vsimem/rn/stay.txt", LP("escaped.txt")));
    STAT_MEM("/vsimem/rn/stay.txt");
    STAT_LOCAL("escaped.txt");
    SHOWI(VSIRename("/vsimem/rn/stay.txt", "/vsimemX/stay.txt"));
    SHOWI(VSIRename("/vsimem/rn/stay.txt", "/VSIMEM/stay.txt"));
    SHOWI(VSIRename("/vsimem/rn/stay.txt", "/vsimem"));
    STAT_MEM("/vsimem/rn/stay.txt");
    /* and from local onto /vsimem/: local handler does rename(2) -> fails */
    MAKE_LOCAL("local.txt", "local");
    SHOWI(VSIRename(LP("local.txt"), "/vsimem/rn/fromlocal.txt"));
    STAT_LOCAL("local.txt");
    STAT_MEM("/vsimem/rn/fromlocal.txt");

    section("rename a directory subtree");
    SHOWI(VSIMkdir("/vsimem/tree", 0755));
    SHOWI(VSIMkdir("/vsimem/tree/sub", 0755));
    MAKE_MEM("/vsimem/tree/a.txt", "A");
    MAKE_MEM("/vsimem/tree/sub/b.txt", "BB");
    MAKE_MEM("/vsimem/treesibling.txt", "not in tree");
    SHOWI(VSIMkdir("/vsimem/moved", 0755));
    SHOWI(VSIRename("/vsimem/tree", "/vsimem/moved/tree2"));
    STAT_MEM("/vsimem/tree");
    STAT_MEM("/vsimem/tree/a.txt");
    STAT_MEM("/vsimem/tree/sub/b.txt");
    STAT_MEM("/vsimem/moved/tree2");
    STAT_MEM("/vsimem/moved/tree2/a.txt");
    STAT_MEM("/vsimem/moved/tree2/sub");
    STAT_MEM("/vsimem/moved/tree2/sub/b.txt");
    STAT_MEM("/vsimem/treesibling.txt");
    LIST_AS_IS(VSIReadDirRecursive("/vsimem/moved"));

    section("rename a directory onto an existing directory");
    SHOWI(VSIMkdir("/vsimem/d1", 0755));
    MAKE_MEM("/vsimem/d1/only_in_d1", "1");
    SHOWI(VSIMkdir("/vsimem/d2", 0755));
    MAKE_MEM("/vsimem/d2/only_in_d2", "2");
    SHOWI(VSIRename("/vsimem/d1", "/vsimem/d2"));
    STAT_MEM("/vsimem/d1");
    STAT_MEM("/vsimem/d2");
    STAT_MEM("/vsimem/d2/only_in_d1");
    STAT_MEM("/vsimem/d2/only_in_d2");
    LIST_AS_IS(VSIReadDir("/vsimem/d2"));

    section("rename a file onto an existing directory");
    MAKE_MEM("/vsimem/file_over_dir", "F");
    SHOWI(VSIMkdir("/vsimem/dir_target", 0755));
    MAKE_MEM("/vsimem/dir_target/child", "c");
    SHOWI(VSIRename("/vsimem/file_over_dir", "/vsimem/dir_target"));
    STAT_MEM("/vsimem/file_over_dir");
    STAT_MEM("/vsimem/dir_target");
    STAT_MEM("/vsimem/dir_target/child");

    /* NOTE: renaming a directory into its own subtree
     * (VSIRename("/vsimem/self", "/vsimem/self/inner")) loops forever in
     * GDAL 3.6.2, so it is deliberately not exercised here. */

    section("open handle survives rename");
    MAKE_MEM("/vsimem/h/open.txt", "opened");
    fp = OPEN_MEM("/vsimem/h/open.txt", "r+b");
    SHOWI(VSIRename("/vsimem/h/open.txt", "/vsimem/h/renamed.txt"));
    read_show(fp, 1, 3);
    write_show(fp, "XXX");
    CLOSE(fp);
    CONTENT_MEM("/vsimem/h/renamed.txt");
    STAT_MEM("/vsimem/h/open.txt");

    section("unlink");
    MAKE_MEM("/vsimem/u/f1", "1");
    SHOWI(VSIUnlink("/vsimem/u/f1"));
    SHOWI(VSIUnlink("/vsimem/u/f1"));
    SHOWI(VSIUnlink("/vsimem/u/never"));
    MAKE_MEM("/vsimem/u/f2", "2");
    SHOWI(VSIUnlink("/vsimem//u\\f2/"));
    STAT_MEM("/vsimem/u/f2");
    /* unlink of a directory key (spec: works on dirs too) */
    SHOWI(VSIMkdir("/vsimem/u/dir", 0755));
    MAKE_MEM("/vsimem/u/dir/child", "c");
    SHOWI(VSIUnlink("/vsimem/u/dir"));
    STAT_MEM("/vsimem/u/dir");
    STAT_MEM("/vsimem/u/dir/child");
    /* unlink root */
    SHOWI(VSIUnlink("/vsimem/"));
    STAT_MEM("/vsimem/");

    section("VSIUnlinkBatch");
    {
        MAKE_MEM("/vsimem/ub/a", "a");
        MAKE_MEM("/vsimem/ub/b", "b");
        char *files[] = {(char *)"/vsimem/ub/a", (char *)"/vsimem/ub/missing",
                         (char *)"/vsimem/ub/b", NULL};
        int *res = VSIUnlinkBatch(files);
        printf("VSIUnlinkBatch(a, missing, b) -> %s\n",
               res ? "array" : "NULL");
        if (res)
            printf("  results: %d %d %d\n", res[0], res[1], res[2]);
        VSIFree(res);
        STAT_MEM("/vsimem/ub/a");
        STAT_MEM("/vsimem/ub/b");

        /* empty list -> NULL */
        char *empty[] = {NULL};
        reset_errors();
        res = VSIUnlinkBatch(empty);
        printf("VSIUnlinkBatch(empty) -> %s\n", res ? "array" : "NULL");
        VSIFree(res);
        show_cplerr("after empty batch");

        /* mixed handlers -> error + NULL */
        MAKE_MEM("/vsimem/ub/c", "c");
        MAKE_LOCAL("batch_local.txt", "l");
        char *mixed[] = {(char *)"/vsimem/ub/c", (char *)LP("batch_local.txt"),
                         NULL};
        reset_errors();
        res = VSIUnlinkBatch(mixed);
        printf("VSIUnlinkBatch(mixed) -> %s\n", res ? "array" : "NULL");
        VSIFree(res);
        show_cplerr("after mixed batch");
        STAT_MEM("/vsimem/ub/c");
        STAT_LOCAL("batch_local.txt");

        /* single entry */
        char *single[] = {(char *)"/vsimem/ub/c", NULL};
        res = VSIUnlinkBatch(single);
        printf("VSIUnlinkBatch(single) -> %s", res ? "array" : "NULL");
        if (res)
            printf(" [%d]", res[0]);
        putchar('\n');
        VSIFree(res);
        STAT_MEM("/vsimem/ub/c");

        /* local-only batch */
        MAKE_LOCAL("batch2.txt", "2");
        char *locals[] = {(char *)LP("batch_local.txt"),
                          (char *)LP("batch2.txt"), (char *)LP("nonexist"),
                          NULL};
        res = VSIUnlinkBatch(locals);
        printf("VSIUnlinkBatch(local x3) -> %s", res ? "array" : "NULL");
        if (res)
            printf(" [%d %d %d]", res[0], res[1], res[2]);
        putchar('\n');
        VSIFree(res);
        STAT_LOCAL("batch_local.txt");
        STAT_LOCAL("batch2.txt");
    }

    section("final state");
    LIST_AS_IS(VSIReadDir("/vsimem/"));
    LIST_AS_IS(VSIReadDirRecursive("/vsimem/"));
    SHOWI(VSIUnlink(LP("local.txt")));
    return test_finish();
}
