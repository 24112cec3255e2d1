/* scn_mem_dirs.c -- /vsimem/ directories: implicit/explicit directories,
 * mkdir/rmdir codes, path normalisation, readdir shapes (/vsimem order is
 * printed AS RETURNED, not sorted), nMaxFiles+1 rule, VSIReadDirRecursive,
 * VSIOpenDir with depth and PREFIX. */
#include "compat.h"

int main(int argc, char **argv)
{
    test_init(argc, argv);
    VSILFILE *fp = NULL;

    section("root of /vsimem when empty");
    STAT_MEM("/vsimem");
    STAT_MEM("/vsimem/");
    STAT_MEM("/vsimem//");
    show_stat_vmode("/vsimem/");
    LIST_AS_IS(VSIReadDir("/vsimem/"));
    LIST_AS_IS(VSIReadDir("/vsimem"));
    show_dir("VSIOpenDir(\"/vsimem/\", 0, NULL)", VSIOpenDir("/vsimem/", 0, NULL),
             0, 1);

    section("implicit parents from file creation");
    MAKE_MEM("/vsimem/a/b/c.txt", "abc");
    STAT_MEM("/vsimem/a");
    STAT_MEM("/vsimem/a/b");
    STAT_MEM("/vsimem/a/b/c.txt");
    LIST_AS_IS(VSIReadDir("/vsimem/"));
    LIST_AS_IS(VSIReadDir("/vsimem/a"));
    LIST_AS_IS(VSIReadDir("/vsimem/a/b"));
    show_dir("VSIOpenDir(\"/vsimem/a\", -1, NULL)",
             VSIOpenDir("/vsimem/a", -1, NULL), 0, 1);
    LIST_AS_IS(VSIReadDirRecursive("/vsimem/a"));

    section("explicit mkdir: no parents created");
    SHOWI(VSIMkdir("/vsimem/x/y", 0755));
    STAT_MEM("/vsimem/x/y");
    STAT_MEM("/vsimem/x");
    LIST_AS_IS(VSIReadDir("/vsimem/x"));
    /* mkdir of existing dir / existing file */
    SHOWI(VSIMkdir("/vsimem/x/y", 0755));
    SHOWI(VSIMkdir("/vsimem/a/b/c.txt", 0755));
    /* mkdir with trailing slash, normalised */
    SHOWI(VSIMkdir("/vsimem/x/y/", 0755));
    SHOWI(VSIMkdir("/vsimem/m1/", 0755));
    STAT_MEM("/vsimem/m1");
    /* mkdir of the root */
    SHOWI(VSIMkdir("/vsimem/", 0755));
    SHOWI(VSIMkdir("/vsimem", 0755));
    /* mkdir below a file */
    SHOWI(VSIMkdir("/vsimem/a/b/c.txt/sub", 0755));
    STAT_MEM("/vsimem/a/b/c.txt/sub");

    section("VSIMkdirRecursive");
    SHOWI(VSIMkdirRecursive("/vsimem/r1/r2/r3", 0755));
    STAT_MEM("/vsimem/r1");
    STAT_MEM("/vsimem/r1/r2");
    STAT_MEM("/vsimem/r1/r2/r3");
    SHOWI(VSIMkdirRecursive("/vsimem/r1/r2/r3", 0755)); /* existing dir */
    SHOWI(VSIMkdirRecursive("/vsimem/a/b/c.txt", 0755)); /* existing file */
    /* side effect check: were the parents of the file materialised? */
    STAT_MEM("/vsimem/a");
    STAT_MEM("/vsimem/a/b");
    SHOWI(VSIMkdirRecursive("/vsimem/r1/r2/r3/", 0755)); /* trailing slash */
    SHOWI(VSIMkdirRecursive("", 0755));
    SHOWI(VSIMkdirRecursive("/", 0755));
    SHOWI(VSIMkdirRecursive("/vsimem/", 0755));
    SHOWI(VSIMkdirRecursive("/vsimem", 0755));
    LIST_AS_IS(VSIReadDir("/vsimem/r1"));
    LIST_AS_IS(VSIReadDirRecursive("/vsimem/r1"));

    section("path normalisation");
    MAKE_MEM("/vsimem/n/f.txt", "norm");
    STAT_MEM("/vsimem/n/f.txt");
    STAT_MEM("/vsimem/n//f.txt");
    STAT_MEM("/vsimem//n/f.txt");
    STAT_MEM("/vsimem/n/f.txt/");
    STAT_MEM("/vsimem/n/f.txt//");
    STAT_MEM("/vsimem\\n\\f.txt");
    STAT_MEM("/vsimem/n\\f.txt");
    STAT_MEM("/vsimem///n///f.txt");
    STAT_MEM("/vsimem/n/./f.txt");
    STAT_MEM("/vsimem/n/../n/f.txt");
    CONTENT_MEM("/vsimem\\n\\f.txt");
    CONTENT_MEM("/vsimem/n//f.txt/");
    /* writing through a non-normalised name updates the same file */
    MAKE_MEM("/vsimem//n\\f.txt", "rewritten");
    CONTENT_MEM("/vsimem/n/f.txt");
    LIST_AS_IS(VSIReadDir("/vsimem/n"));
    LIST_AS_IS(VSIReadDir("/vsimem/n/"));
    LIST_AS_IS(VSIReadDir("/vsimem//n"));
    LIST_AS_IS(VSIReadDir("/vsimem\\n"));
    /* case-sensitive prefix: /VSIMEM/ is a local path (does not exist) */
    STAT_MEM("/VSIMEM/n/f.txt");
    /* prefix without slash before name is NOT /vsimem/ */
    STAT_MEM("/vsimemn/f.txt");

    section("readdir shapes");
    /* file -> NULL */
    LIST_AS_IS(VSIReadDir("/vsimem/n/f.txt"));
    /* missing -> NULL */
    LIST_AS_IS(VSIReadDir("/vsimem/missing"));
    /* explicit empty dir -> NULL */
    SHOWI(VSIMkdir("/vsimem/emptydir", 0755));
    STAT_MEM("/vsimem/emptydir");
    LIST_AS_IS(VSIReadDir("/vsimem/emptydir"));
    /* OpenDir on empty existing dir: handle yielding nothing */
    show_dir("VSIOpenDir(\"/vsimem/emptydir\", 0, NULL)",
             VSIOpenDir("/vsimem/emptydir", 0, NULL), 0, 1);
    /* OpenDir on a file / missing -> NULL */
    show_dir("VSIOpenDir(\"/vsimem/n/f.txt\", 0, NULL)",
             VSIOpenDir("/vsimem/n/f.txt", 0, NULL), 0, 1);
    show_dir("VSIOpenDir(\"/vsimem/missing\", 0, NULL)",
             VSIOpenDir("/vsimem/missing", 0, NULL), 0, 1);
    /* ReadDirRecursive on file/missing/empty */
    LIST_AS_IS(VSIReadDirRecursive("/vsimem/n/f.txt"));
    LIST_AS_IS(VSIReadDirRecursive("/vsimem/missing"));
    LIST_AS_IS(VSIReadDirRecursive("/vsimem/emptydir"));

    section("nMaxFiles + 1 rule");
    {
        char name[64];
        for (int i = 0; i < 7; i++)
        {
            snprintf(name, sizeof(name), "/vsimem/many/f%d", i);
            VSIFCloseL(VSIFOpenL(name, "wb"));
        }
        SHOWI(VSIMkdir("/vsimem/many/zdir", 0755));
    }
    LIST_AS_IS(VSIReadDirEx("/vsimem/many", 0));
    LIST_AS_IS(VSIReadDirEx("/vsimem/many", 1));
    LIST_AS_IS(VSIReadDirEx("/vsimem/many", 3));
    LIST_AS_IS(VSIReadDirEx("/vsimem/many", 7));
    LIST_AS_IS(VSIReadDirEx("/vsimem/many", 8));
    LIST_AS_IS(VSIReadDirEx("/vsimem/many", 100));
    LIST_AS_IS(VSIReadDirEx("/vsimem/many", -1));

    section("listing order is by key");
    MAKE_MEM("/vsimem/ord/b", "");
    MAKE_MEM("/vsimem/ord/B", "");
    MAKE_MEM("/vsimem/ord/a", "");
    MAKE_MEM("/vsimem/ord/a.b", "");
    MAKE_MEM("/vsimem/ord/a-b", "");
    MAKE_MEM("/vsimem/ord/_", "");
    MAKE_MEM("/vsimem/ord/10", "");
    MAKE_MEM("/vsimem/ord/9", "");
    MAKE_MEM("/vsimem/ord/a/inner", "");
    LIST_AS_IS(VSIReadDir("/vsimem/ord"));

    section("recursive listing and OpenDir depth / PREFIX");
    MAKE_MEM("/vsimem/tree/top.txt", "t");
    MAKE_MEM("/vsimem/tree/d1/one.txt", "11");
    MAKE_MEM("/vsimem/tree/d1/d2/two.txt", "222");
    MAKE_MEM("/vsimem/tree/d1/d2/d3/three.txt", "3333");
    MAKE_MEM("/vsimem/tree/e1/x.bin", "xxxxx");
    SHOWI(VSIMkdir("/vsimem/tree/emptysub", 0755));
    /* make the intermediate dirs explicit (3.6 doesn't create them) */
    SHOWI(VSIMkdirRecursive("/vsimem/tree/d1/d2/d3", 0755));
    SHOWI(VSIMkdir("/vsimem/tree/e1", 0755));
    LIST_AS_IS(VSIReadDirRecursive("/vsimem/tree"));
    LIST_AS_IS(VSIReadDirRecursive("/vsimem/tree/"));
    show_dir("OpenDir(tree, 0)", VSIOpenDir("/vsimem/tree", 0, NULL), 0, 1);
    show_dir("OpenDir(tree, 1)", VSIOpenDir("/vsimem/tree", 1, NULL), 0, 1);
    show_dir("OpenDir(tree, 2)", VSIOpenDir("/vsimem/tree", 2, NULL), 0, 1);
    show_dir("OpenDir(tree, -1)", VSIOpenDir("/vsimem/tree", -1, NULL), 0, 1);
    {
        const char *opts[] = {"PREFIX=d", NULL};
        show_dir("OpenDir(tree, 0, PREFIX=d)",
                 VSIOpenDir("/vsimem/tree", 0, opts), 0, 1);
        show_dir("OpenDir(tree, -1, PREFIX=d)",
                 VSIOpenDir("/vsimem/tree", -1, opts), 0, 1);
        const char *opts2[] = {"PREFIX=d1/d2", NULL};
        show_dir("OpenDir(tree, -1, PREFIX=d1/d2)",
                 VSIOpenDir("/vsimem/tree", -1, opts2), 0, 1);
        const char *opts3[] = {"PREFIX=zzz", NULL};
        show_dir("OpenDir(tree, -1, PREFIX=zzz)",
                 VSIOpenDir("/vsimem/tree", -1, opts3), 0, 1);
        const char *opts4[] = {"NAME_AND_TYPE_ONLY=YES", NULL};
        show_dir("OpenDir(tree, -1, NAME_AND_TYPE_ONLY)",
                 VSIOpenDir("/vsimem/tree", -1, opts4), 0, 0);
    }
    /* implicit-only intermediate dirs in a recursive listing */
    MAKE_MEM("/vsimem/imp/p/q/leaf.txt", "leaf");
    LIST_AS_IS(VSIReadDirRecursive("/vsimem/imp"));
    show_dir("OpenDir(imp, -1)", VSIOpenDir("/vsimem/imp", -1, NULL), 0, 1);

    section("rmdir");
    /* rmdir on empty explicit dir */
    SHOWI(VSIRmdir("/vsimem/emptydir"));
    STAT_MEM("/vsimem/emptydir");
    SHOWI(VSIRmdir("/vsimem/emptydir"));
    /* rmdir of a non-empty dir (spec: 0 in /vsimem, children orphaned) */
    SHOWI(VSIRmdir("/vsimem/r1/r2"));
    STAT_MEM("/vsimem/r1/r2");
    STAT_MEM("/vsimem/r1/r2/r3");
    LIST_AS_IS(VSIReadDir("/vsimem/r1"));
    LIST_AS_IS(VSIReadDir("/vsimem/r1/r2"));
    /* rmdir on a file (spec: Rmdir = Unlink) */
    MAKE_MEM("/vsimem/rmfile.txt", "x");
    SHOWI(VSIRmdir("/vsimem/rmfile.txt"));
    STAT_MEM("/vsimem/rmfile.txt");
    /* rmdir of implicit-only dir */
    SHOWI(VSIRmdir("/vsimem/imp/p"));
    STAT_MEM("/vsimem/imp/p/q/leaf.txt");
    /* rmdir with trailing slash */
    SHOWI(VSIMkdir("/vsimem/ts", 0755));
    SHOWI(VSIRmdir("/vsimem/ts/"));
    STAT_MEM("/vsimem/ts");

    section("rmdir recursive");
    SHOWI(VSIRmdirRecursive("/vsimem/tree"));
    STAT_MEM("/vsimem/tree");
    STAT_MEM("/vsimem/tree/d1/d2/two.txt");
    STAT_MEM("/vsimem/tree/top.txt");
    LIST_AS_IS(VSIReadDir("/vsimem/tree"));
    SHOWI(VSIRmdirRecursive("/vsimem/tree"));
    /* implicit-only dir */
    SHOWI(VSIRmdirRecursive("/vsimem/imp"));
    STAT_MEM("/vsimem/imp/p/q/leaf.txt");
    /* on a file */
    MAKE_MEM("/vsimem/rrfile", "x");
    SHOWI(VSIRmdirRecursive("/vsimem/rrfile"));
    STAT_MEM("/vsimem/rrfile");
    SHOWI(VSIRmdirRecursive(""));
    SHOWI(VSIRmdirRecursive("/"));
    /* a dir whose name prefixes a sibling: /vsimem/pp vs /vsimem/ppq */
    SHOWI(VSIMkdir("/vsimem/pp", 0755));
    MAKE_MEM("/vsimem/pp/in", "1");
    MAKE_MEM("/vsimem/ppq", "2");
    SHOWI(VSIRmdirRecursive("/vsimem/pp"));
    STAT_MEM("/vsimem/pp/in");
    STAT_MEM("/vsimem/ppq");

    section("open a directory as a file");
    SHOWI(VSIMkdir("/vsimem/odir", 0755));
    fp = OPEN_MEM("/vsimem/odir", "rb");
    CLOSE(fp);
    fp = OPEN_MEM("/vsimem/odir", "r+b");
    CLOSE(fp);
    fp = OPEN_MEM("/vsimem/odir", "wb");
    CLOSE(fp);
    STAT_MEM("/vsimem/odir");
    fp = OPEN_MEM("/vsimem/", "rb");
    CLOSE(fp);
    fp = OPEN_MEM("/vsimem", "rb");
    CLOSE(fp);
    /* opening "/vsimem/x/y/" (trailing slash) for write creates file y? */
    fp = OPEN_MEM("/vsimem/tsf/", "wb");
    CLOSE(fp);
    STAT_MEM("/vsimem/tsf");

    section("final listing of root (as returned)");
    LIST_AS_IS(VSIReadDir("/vsimem/"));

    section("rmdir recursive of /vsimem root");
    SHOWI(VSIRmdirRecursive("/vsimem/"));
    LIST_AS_IS(VSIReadDir("/vsimem/"));
    STAT_MEM("/vsimem/ppq");
    STAT_MEM("/vsimem/");

    return test_finish();
}
