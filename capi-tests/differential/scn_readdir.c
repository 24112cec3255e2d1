/* scn_readdir.c -- local directories in the scratch dir:
 * VSIReadDir/VSIReadDirEx shapes (incl. "." and ".."; listings SORTED since
 * readdir order is unspecified), nMaxFiles+1 rule (count only), mkdir/rmdir
 * return codes, VSIMkdirRecursive / VSIRmdirRecursive, rename of files and
 * directories, VSIReadDirRecursive (sorted), VSIOpenDir with depth, PREFIX
 * and NAME_AND_TYPE_ONLY (sorted). */
#include "compat.h"

/* print only the count of a list (order-independent) */
static void list_count(const char *label, char **l)
{
    printf("%s -> %s count=%d\n", label, l ? "list" : "NULL", CSLCount(l));
    CSLDestroy(l);
}
#define LIST_COUNT(expr) list_count(#expr, (expr))

int main(int argc, char **argv)
{
    test_init(argc, argv);

    section("empty scratch dir");
    LIST_SORTED(VSIReadDir(LP("")));
    LIST_SORTED(VSIReadDir(LP("/")));
    show_dir("VSIOpenDir(LP(\"\"), 0, NULL)", VSIOpenDir(LP(""), 0, NULL), 1,
             1);
    LIST_SORTED(VSIReadDirRecursive(LP("")));

    section("mkdir return codes");
    SHOWI(VSIMkdir(LP("d"), 0755));
    SHOWI(VSIMkdir(LP("d"), 0755));       /* existing -> -1 */
    SHOWI(VSIMkdir(LP("x/y"), 0755));     /* missing parent -> -1 */
    SHOWI(VSIMkdir(LP("d/"), 0755));      /* existing with slash */
    SHOWI(VSIMkdir(LP("d/sub/"), 0755));  /* trailing slash new */
    STAT_LOCAL("d/sub");
    MAKE_LOCAL("file.txt", "content");
    SHOWI(VSIMkdir(LP("file.txt"), 0755)); /* on a file -> -1 */
    SHOWI(VSIMkdir(LP("file.txt/sub"), 0755));
    STAT_LOCAL("x");
    STAT_LOCAL("d");
    STAT_LOCAL("d/");
    STAT_LOCAL("d/.");
    STAT_LOCAL("d/sub/..");

    section("VSIMkdirRecursive");
    SHOWI(VSIMkdirRecursive(LP("r1/r2/r3"), 0755));
    STAT_LOCAL("r1");
    STAT_LOCAL("r1/r2");
    STAT_LOCAL("r1/r2/r3");
    SHOWI(VSIMkdirRecursive(LP("r1/r2/r3"), 0755)); /* existing dir -> 0 */
    SHOWI(VSIMkdirRecursive(LP("r1/r2/r3/"), 0755));
    SHOWI(VSIMkdirRecursive(LP("file.txt"), 0755)); /* existing file -> -1 */
    SHOWI(VSIMkdirRecursive(LP("file.txt/below"), 0755));
    SHOWI(VSIMkdirRecursive("", 0755));
    SHOWI(VSIMkdirRecursive("/", 0755));
    SHOWI(VSIMkdirRecursive(LP(""), 0755)); /* scratch itself exists */

    section("readdir shapes");
    LIST_SORTED(VSIReadDir(LP("d")));
    LIST_SORTED(VSIReadDir(LP("d/")));
    LIST_SORTED(VSIReadDir(LP("d/sub"))); /* empty dir: "." and ".." */
    LIST_SORTED(VSIReadDir(LP("missing")));
    LIST_SORTED(VSIReadDir(LP("file.txt")));
    LIST_SORTED(VSIReadDirEx(LP("d/sub"), 0));
    LIST_SORTED(VSIReadDirEx(LP("d/sub"), 1));

    section("nMaxFiles + 1 rule (counts only: local order unspecified)");
    {
        char rel[64];
        SHOWI(VSIMkdir(LP("many"), 0755));
        for (int i = 0; i < 10; i++)
        {
            snprintf(rel, sizeof(rel), "many/f%02d", i);
            VSIFCloseL(VSIFOpenL(LP(rel), "wb"));
        }
    }
    LIST_SORTED(VSIReadDir(LP("many")));
    LIST_COUNT(VSIReadDirEx(LP("many"), 0));
    LIST_COUNT(VSIReadDirEx(LP("many"), 1));
    LIST_COUNT(VSIReadDirEx(LP("many"), 5));
    LIST_COUNT(VSIReadDirEx(LP("many"), 11));
    LIST_COUNT(VSIReadDirEx(LP("many"), 12));
    LIST_COUNT(VSIReadDirEx(LP("many"), 13));
    LIST_COUNT(VSIReadDirEx(LP("many"), 100));

    section("rmdir return codes");
    SHOWI(VSIRmdir(LP("d"))); /* non-empty -> -1 locally */
    STAT_LOCAL("d");
    SHOWI(VSIRmdir(LP("d/sub")));
    STAT_LOCAL("d/sub");
    SHOWI(VSIRmdir(LP("d/sub"))); /* missing -> -1 */
    SHOWI(VSIRmdir(LP("file.txt"))); /* file -> -1 */
    STAT_LOCAL("file.txt");
    SHOWI(VSIMkdir(LP("ts"), 0755));
    SHOWI(VSIRmdir(LP("ts/")));
    STAT_LOCAL("ts");

    section("VSIRmdirRecursive");
    MAKE_LOCAL("r1/top.txt", "t");
    MAKE_LOCAL("r1/r2/mid.txt", "mm");
    MAKE_LOCAL("r1/r2/r3/low.txt", "lll");
    SHOWI(VSIMkdir(LP("r1/empty"), 0755));
    SHOWI(VSIRmdirRecursive(LP("r1")));
    STAT_LOCAL("r1");
    SHOWI(VSIRmdirRecursive(LP("r1"))); /* missing */
    SHOWI(VSIRmdirRecursive(LP("file.txt"))); /* file */
    STAT_LOCAL("file.txt");
    SHOWI(VSIRmdirRecursive(""));
    SHOWI(VSIRmdirRecursive("/"));
    SHOWI(VSIMkdir(LP("lonely"), 0755));
    SHOWI(VSIRmdirRecursive(LP("lonely/"))); /* empty, trailing slash */
    STAT_LOCAL("lonely");

    section("rename files and directories");
    MAKE_LOCAL("src.txt", "source");
    SHOWI(VSIRename(LP("src.txt"), LP("dst.txt")));
    STAT_LOCAL("src.txt");
    CONTENT_LOCAL("dst.txt");
    MAKE_LOCAL("other.txt", "other");
    SHOWI(VSIRename(LP("dst.txt"), LP("other.txt"))); /* overwrite */
    CONTENT_LOCAL("other.txt");
    SHOWI(VSIRename(LP("other.txt"), LP("other.txt"))); /* itself */
    SHOWI(VSIRename(LP("missing"), LP("x.txt")));       /* missing src */
    SHOWI(VSIRename(LP("other.txt"), LP("nodir/x.txt"))); /* missing dir */
    STAT_LOCAL("other.txt");
    SHOWI(VSIMkdir(LP("dd"), 0755));
    MAKE_LOCAL("dd/inner.txt", "inner");
    SHOWI(VSIRename(LP("dd"), LP("dd2")));
    STAT_LOCAL("dd");
    STAT_LOCAL("dd2/inner.txt");
    SHOWI(VSIMkdir(LP("nonempty"), 0755));
    MAKE_LOCAL("nonempty/f", "f");
    SHOWI(VSIRename(LP("dd2"), LP("nonempty"))); /* onto non-empty dir */
    SHOWI(VSIMkdir(LP("emptytarget"), 0755));
    SHOWI(VSIRename(LP("dd2"), LP("emptytarget"))); /* onto empty dir */
    STAT_LOCAL("emptytarget/inner.txt");
    SHOWI(VSIRename(LP("other.txt"), LP("emptytarget"))); /* file onto dir */
    SHOWI(VSIRename(LP("emptytarget"), LP("other.txt"))); /* dir onto file */
    SHOWI(VSIRename(LP("emptytarget"), LP("emptytarget/sub"))); /* into self */
    /* local -> /vsimem/: handler chosen from oldpath (local) -> fails */
    SHOWI(VSIRename(LP("other.txt"), "/vsimem/other.txt"));
    STAT_MEM("/vsimem/other.txt");
    STAT_LOCAL("other.txt");

    section("VSIReadDirRecursive (sorted)");
    SHOWI(VSIMkdirRecursive(LP("tree/d1/d2/d3"), 0755));
    SHOWI(VSIMkdir(LP("tree/e1"), 0755));
    SHOWI(VSIMkdir(LP("tree/emptysub"), 0755));
    MAKE_LOCAL("tree/top.txt", "t");
    MAKE_LOCAL("tree/d1/one.txt", "11");
    MAKE_LOCAL("tree/d1/d2/two.txt", "222");
    MAKE_LOCAL("tree/d1/d2/d3/three.txt", "3333");
    MAKE_LOCAL("tree/e1/x.bin", "xxxxx");
    LIST_SORTED(VSIReadDirRecursive(LP("tree")));
    LIST_SORTED(VSIReadDirRecursive(LP("tree/")));
    LIST_SORTED(VSIReadDirRecursive(LP("tree/e1")));
    LIST_SORTED(VSIReadDirRecursive(LP("tree/emptysub")));
    LIST_SORTED(VSIReadDirRecursive(LP("tree/top.txt")));
    LIST_SORTED(VSIReadDirRecursive(LP("nothere")));
    /* depth-first property: each directory appears before its content.
     * Checked without printing the (unspecified) order. */
    {
        char **l = VSIReadDirRecursive(LP("tree"));
        int ok = 1;
        for (int i = 0; l && l[i]; i++)
        {
            const char *slash = strrchr(l[i], '/');
            size_t len = strlen(l[i]);
            if (slash && (size_t)(slash - l[i]) != len - 1)
            {
                /* entry inside a dir: its parent dir must appear earlier */
                char parent[1024];
                size_t pl = (size_t)(slash - l[i]) + 1;
                memcpy(parent, l[i], pl);
                parent[pl] = 0;
                int found = 0;
                for (int j = 0; j < i; j++)
                    if (strcmp(l[j], parent) == 0)
                        found = 1;
                if (!found)
                    ok = 0;
            }
        }
        printf("recursive listing: parents before children -> %s\n",
               ok ? "yes" : "no");
        CSLDestroy(l);
    }

    section("VSIOpenDir depth / PREFIX / NAME_AND_TYPE_ONLY (sorted)");
    show_dir("OpenDir(tree, 0)", VSIOpenDir(LP("tree"), 0, NULL), 1, 1);
    show_dir("OpenDir(tree, 1)", VSIOpenDir(LP("tree"), 1, NULL), 1, 1);
    show_dir("OpenDir(tree, 2)", VSIOpenDir(LP("tree"), 2, NULL), 1, 1);
    show_dir("OpenDir(tree, -1)", VSIOpenDir(LP("tree"), -1, NULL), 1, 1);
    show_dir("OpenDir(tree/, -1)", VSIOpenDir(LP("tree/"), -1, NULL), 1, 1);
    {
        const char *o1[] = {"PREFIX=d", NULL};
        show_dir("OpenDir(tree, 0, PREFIX=d)", VSIOpenDir(LP("tree"), 0, o1),
                 1, 1);
        show_dir("OpenDir(tree, -1, PREFIX=d)",
                 VSIOpenDir(LP("tree"), -1, o1), 1, 1);
        const char *o2[] = {"PREFIX=d1/d2", NULL};
        show_dir("OpenDir(tree, -1, PREFIX=d1/d2)",
                 VSIOpenDir(LP("tree"), -1, o2), 1, 1);
        const char *o3[] = {"PREFIX=t", NULL};
        show_dir("OpenDir(tree, -1, PREFIX=t)",
                 VSIOpenDir(LP("tree"), -1, o3), 1, 1);
        const char *o4[] = {"PREFIX=nomatch", NULL};
        show_dir("OpenDir(tree, -1, PREFIX=nomatch)",
                 VSIOpenDir(LP("tree"), -1, o4), 1, 1);
        const char *o5[] = {"NAME_AND_TYPE_ONLY=YES", NULL};
        show_dir("OpenDir(tree, -1, NAME_AND_TYPE_ONLY)",
                 VSIOpenDir(LP("tree"), -1, o5), 1, 0);
    }
    show_dir("OpenDir(tree/emptysub, -1)",
             VSIOpenDir(LP("tree/emptysub"), -1, NULL), 1, 1);
    show_dir("OpenDir(tree/top.txt, 0)", VSIOpenDir(LP("tree/top.txt"), 0, NULL),
             1, 1);
    show_dir("OpenDir(nothere, 0)", VSIOpenDir(LP("nothere"), 0, NULL), 1, 1);
    /* dot entries never returned by OpenDir */
    {
        VSIDIR *dir = VSIOpenDir(LP("tree"), 0, NULL);
        const VSIDIREntry *e;
        int dots = 0, n = 0;
        while (dir && (e = VSIGetNextDirEntry(dir)) != NULL)
        {
            n++;
            if (strcmp(e->pszName, ".") == 0 || strcmp(e->pszName, "..") == 0)
                dots++;
        }
        if (dir)
            VSICloseDir(dir);
        printf("OpenDir(tree,0): entries=%d dot entries=%d\n", n, dots);
    }
    /* entry fields for a file: mode/size known flags */
    {
        VSIDIR *dir = VSIOpenDir(LP("tree/e1"), 0, NULL);
        const VSIDIREntry *e = dir ? VSIGetNextDirEntry(dir) : NULL;
        if (e)
            printf("entry: name=%s isreg=%d modeKnown=%d sizeKnown=%d "
                   "size=%llu mtimeKnown=%d extra=%s\n",
                   e->pszName, VSI_ISREG(e->nMode) ? 1 : 0, e->bModeKnown,
                   e->bSizeKnown, (unsigned long long)e->nSize,
                   e->bMTimeKnown, e->papszExtra ? "non-NULL" : "NULL");
        /* next call returns NULL, and again NULL */
        printf("next -> %s\n",
               dir && VSIGetNextDirEntry(dir) ? "entry" : "NULL");
        printf("next -> %s\n",
               dir && VSIGetNextDirEntry(dir) ? "entry" : "NULL");
        if (dir)
            VSICloseDir(dir);
    }

    section("final cleanup");
    SHOWI(VSIRmdirRecursive(LP("tree")));
    LIST_SORTED(VSIReadDir(LP("")));
    return test_finish();
}
