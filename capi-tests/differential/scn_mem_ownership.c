/* scn_mem_ownership.c -- /vsimem/ buffer ownership:
 * VSIFileFromMemBuffer with/without ownership, NULL (anonymous) name,
 * VSIGetMemFileBuffer with/without seize, unlink while open, replacing
 * existing files, maxlength suffix. */
#include "compat.h"

int main(int argc, char **argv)
{
    test_init(argc, argv);
    VSILFILE *fp = NULL;
    VSILFILE *fp2 = NULL;

    section("FileFromMemBuffer without ownership: no copy");
    static GByte ext[16] = "ABCDEFGHIJ";
    SHOWP(fp, VSIFileFromMemBuffer("/vsimem/own/ext.bin", ext, 10, FALSE));
    show_pos("returned handle", fp);
    /* returned handle is readable and writable, offset 0 */
    read_show(fp, 1, 3);
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    write_show(fp, "ab");
    /* the write landed in the caller's buffer */
    textdump("ext", ext, 10);
    CLOSE(fp);
    STAT_MEM("/vsimem/own/ext.bin");
    /* mutating the caller buffer is visible through a new handle */
    ext[5] = '#';
    CONTENT_MEM("/vsimem/own/ext.bin");
    fp = OPEN_MEM("/vsimem/own/ext.bin", "r+b");
    /* write inside the length succeeds */
    SHOWI(VSIFSeekL(fp, 8, SEEK_SET));
    write_show(fp, "yz");
    show_pos("after write up to end", fp);
    /* write growing the file fails (cannot extend non-owned buffer) */
    write_show(fp, "!");
    show_pos("after refused growth", fp);
    SHOWI(VSIFSeekL(fp, 9, SEEK_SET));
    write_show(fp, "12"); /* crosses end -> refused as a whole? */
    show_pos("after crossing write", fp);
    STAT_MEM("/vsimem/own/ext.bin");
    /* truncate grow refused, shrink allowed and zero-fills caller buffer */
    SHOWI(VSIFTruncateL(fp, 20));
    STAT_MEM("/vsimem/own/ext.bin");
    SHOWI(VSIFTruncateL(fp, 6));
    STAT_MEM("/vsimem/own/ext.bin");
    textdump("ext after shrink", ext, 10);
    /* regrow inside the original allocation exposes zeros */
    SHOWI(VSIFTruncateL(fp, 9));
    STAT_MEM("/vsimem/own/ext.bin");
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    read_show(fp, 1, 12);
    CLOSE(fp);

    section("GetMemFileBuffer without seize: live pointer");
    {
        vsi_l_offset len = 12345;
        GByte *p = VSIGetMemFileBuffer("/vsimem/own/ext.bin", &len, FALSE);
        printf("VSIGetMemFileBuffer(ext.bin, &len, FALSE) -> %s len=%llu\n",
               p == ext ? "caller buffer" : (p ? "other pointer" : "NULL"),
               (unsigned long long)len);
        /* NULL length pointer allowed */
        p = VSIGetMemFileBuffer("/vsimem/own/ext.bin", NULL, FALSE);
        printf("VSIGetMemFileBuffer(ext.bin, NULL, FALSE) -> %s\n",
               p == ext ? "caller buffer" : (p ? "other pointer" : "NULL"));
        STAT_MEM("/vsimem/own/ext.bin");
    }

    section("GetMemFileBuffer seize of non-owned buffer");
    {
        vsi_l_offset len = 999;
        GByte *p = VSIGetMemFileBuffer("/vsimem/own/ext.bin", &len, TRUE);
        printf("VSIGetMemFileBuffer(ext.bin, &len, TRUE) -> %s len=%llu\n",
               p == ext ? "caller buffer" : (p ? "other pointer" : "NULL"),
               (unsigned long long)len);
        /* file is gone */
        STAT_MEM("/vsimem/own/ext.bin");
        /* caller must not free: it is our static buffer */
    }

    section("FileFromMemBuffer with ownership: growth allowed");
    {
        GByte *owned = (GByte *)VSIMalloc(5);
        memcpy(owned, "hello", 5);
        SHOWP(fp, VSIFileFromMemBuffer("/vsimem/own/owned.bin", owned, 5,
                                       TRUE));
        SHOWI(VSIFSeekL(fp, 0, SEEK_END));
        write_show(fp, " world, growing past the original allocation");
        show_pos("after growth", fp);
        CLOSE(fp);
        STAT_MEM("/vsimem/own/owned.bin");
        CONTENT_MEM("/vsimem/own/owned.bin");
        /* no seize: pointer to live content */
        vsi_l_offset len = 0;
        GByte *p = VSIGetMemFileBuffer("/vsimem/own/owned.bin", &len, FALSE);
        printf("GetMemFileBuffer(owned, FALSE) -> %s len=%llu\n",
               p ? "non-NULL" : "NULL", (unsigned long long)len);
        if (p)
            textdump("live", p, (size_t)len);
        /* seize: caller frees with VSIFree, file disappears */
        p = VSIGetMemFileBuffer("/vsimem/own/owned.bin", &len, TRUE);
        printf("GetMemFileBuffer(owned, TRUE) -> %s len=%llu\n",
               p ? "non-NULL" : "NULL", (unsigned long long)len);
        if (p)
            textdump("seized", p, (size_t)len);
        VSIFree(p);
        STAT_MEM("/vsimem/own/owned.bin");
        /* second seize -> NULL, length untouched? */
        len = 777;
        p = VSIGetMemFileBuffer("/vsimem/own/owned.bin", &len, TRUE);
        printf("GetMemFileBuffer(owned again, TRUE) -> %s len=%llu\n",
               p ? "non-NULL" : "NULL", (unsigned long long)len);
    }

    section("seize while a handle is open");
    {
        MAKE_MEM("/vsimem/own/seize_open.txt", "0123456789");
        fp = OPEN_MEM("/vsimem/own/seize_open.txt", "r+b");
        read_show(fp, 1, 3);
        vsi_l_offset len = 0;
        GByte *p =
            VSIGetMemFileBuffer("/vsimem/own/seize_open.txt", &len, TRUE);
        printf("GetMemFileBuffer(seize_open, TRUE) -> %s len=%llu\n",
               p ? "non-NULL" : "NULL", (unsigned long long)len);
        if (p)
            textdump("seized", p, (size_t)len);
        VSIFree(p);
        STAT_MEM("/vsimem/own/seize_open.txt");
        /* the still open handle now sees an empty file */
        read_show(fp, 1, 3);
        SHOWI(VSIFSeekL(fp, 0, SEEK_END));
        show_pos("SEEK_END on seized", fp);
        /* writing to the detached object still works */
        SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
        write_show(fp, "new");
        SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
        read_show(fp, 1, 5);
        CLOSE(fp);
        STAT_MEM("/vsimem/own/seize_open.txt");
    }

    section("GetMemFileBuffer on missing / directory / empty file");
    {
        vsi_l_offset len = 4242;
        GByte *p = VSIGetMemFileBuffer("/vsimem/own/nope", &len, FALSE);
        printf("GetMemFileBuffer(nope) -> %s len=%llu\n",
               p ? "non-NULL" : "NULL", (unsigned long long)len);
        SHOWI(VSIMkdir("/vsimem/own/adir", 0755));
        len = 4242;
        p = VSIGetMemFileBuffer("/vsimem/own/adir", &len, FALSE);
        printf("GetMemFileBuffer(adir, FALSE) -> %s len=%llu\n",
               p ? "non-NULL" : "NULL", (unsigned long long)len);
        STAT_MEM("/vsimem/own/adir");
        MAKE_MEM("/vsimem/own/empty", "");
        len = 4242;
        p = VSIGetMemFileBuffer("/vsimem/own/empty", &len, FALSE);
        printf("GetMemFileBuffer(empty, FALSE) -> %s len=%llu\n",
               p ? "non-NULL" : "NULL", (unsigned long long)len);
        len = 4242;
        p = VSIGetMemFileBuffer(NULL, &len, FALSE);
        printf("GetMemFileBuffer(NULL) -> %s len=%llu\n",
               p ? "non-NULL" : "NULL", (unsigned long long)len);
        /* normalised name lookup */
        MAKE_MEM("/vsimem/own/norm.txt", "N");
        len = 0;
        p = VSIGetMemFileBuffer("/vsimem//own\\norm.txt/", &len, FALSE);
        printf("GetMemFileBuffer(non-normalised) -> %s len=%llu\n",
               p ? "non-NULL" : "NULL", (unsigned long long)len);
    }

    section("FileFromMemBuffer replaces an existing file");
    {
        MAKE_MEM("/vsimem/own/rep.txt", "old content");
        fp2 = OPEN_MEM("/vsimem/own/rep.txt", "rb");
        GByte *nb = (GByte *)VSIMalloc(3);
        memcpy(nb, "NEW", 3);
        SHOWP(fp, VSIFileFromMemBuffer("/vsimem/own/rep.txt", nb, 3, TRUE));
        CLOSE(fp);
        STAT_MEM("/vsimem/own/rep.txt");
        CONTENT_MEM("/vsimem/own/rep.txt");
        /* the old handle still reads the old data */
        read_show(fp2, 1, 20);
        CLOSE(fp2);
    }

    section("FileFromMemBuffer zero length / copy not taken");
    {
        SHOWP(fp, VSIFileFromMemBuffer("/vsimem/own/zero.bin", NULL, 0,
                                       FALSE));
        if (fp)
        {
            read_show(fp, 1, 1);
            CLOSE(fp);
        }
        STAT_MEM("/vsimem/own/zero.bin");
    }

    section("FileFromMemBuffer on directory-ish names");
    {
        static GByte d1[4] = "abc";
        /* parent dirs */
        SHOWP(fp,
              VSIFileFromMemBuffer("/vsimem/own/deep/er/f.bin", d1, 3, FALSE));
        CLOSE(fp);
        STAT_MEM("/vsimem/own/deep");
        STAT_MEM("/vsimem/own/deep/er");
        STAT_MEM("/vsimem/own/deep/er/f.bin");
        /* trailing slash / double slash normalised */
        SHOWP(fp, VSIFileFromMemBuffer("/vsimem//own/slash.bin/", d1, 3,
                                       FALSE));
        CLOSE(fp);
        STAT_MEM("/vsimem/own/slash.bin");
    }

    section("anonymous FileFromMemBuffer (NULL name)");
    {
        GByte *an = (GByte *)VSIMalloc(6);
        memcpy(an, "anon!!", 6);
        SHOWP(fp, VSIFileFromMemBuffer(NULL, an, 6, TRUE));
        if (fp)
        {
            read_show(fp, 1, 10);
            SHOWI(VSIFSeekL(fp, 0, SEEK_END));
            write_show(fp, "+more");
            SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
            read_show(fp, 1, 16);
            CLOSE(fp);
        }
        /* nothing registered */
        LIST_AS_IS(VSIReadDir("/vsimem/"));
    }

    section("unlink while open");
    {
        MAKE_MEM("/vsimem/own/ul.txt", "keep me alive");
        fp = OPEN_MEM("/vsimem/own/ul.txt", "r+b");
        SHOWI(VSIUnlink("/vsimem/own/ul.txt"));
        STAT_MEM("/vsimem/own/ul.txt");
        /* handle still reads old data */
        read_show(fp, 1, 4);
        /* and writes */
        SHOWI(VSIFSeekL(fp, 0, SEEK_END));
        write_show(fp, "++");
        SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
        read_show(fp, 1, 20);
        /* new file with same name is independent */
        MAKE_MEM("/vsimem/own/ul.txt", "fresh");
        CONTENT_MEM("/vsimem/own/ul.txt");
        SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
        read_show(fp, 1, 20);
        SHOWI(VSIFTruncateL(fp, 2));
        CLOSE(fp);
        CONTENT_MEM("/vsimem/own/ul.txt");
        /* unlinking again works, then fails */
        SHOWI(VSIUnlink("/vsimem/own/ul.txt"));
        SHOWI(VSIUnlink("/vsimem/own/ul.txt"));
    }

    section("||maxlength= suffix");
    {
        fp = OPEN_MEM("/vsimem/own/max.bin||maxlength=5", "wb");
        write_show(fp, "abc");
        write_show(fp, "def");
        show_pos("after exceeding maxlength", fp);
        SHOWI(VSIFTruncateL(fp, 10));
        SHOWI(VSIFTruncateL(fp, 5));
        CLOSE(fp);
        STAT_MEM("/vsimem/own/max.bin||maxlength=5");
        STAT_MEM("/vsimem/own/max.bin");
        CONTENT_MEM("/vsimem/own/max.bin||maxlength=5");
    }

    section("VSIMalloc family");
    {
        void *m = VSIMalloc(16);
        printf("VSIMalloc(16) -> %s\n", m ? "non-NULL" : "NULL");
        memset(m, 0x11, 16);
        m = VSIRealloc(m, 64);
        printf("VSIRealloc(m, 64) -> %s\n", m ? "non-NULL" : "NULL");
        hexdump("kept", m, 16);
        VSIFree(m);
        GByte *c = (GByte *)VSICalloc(4, 8);
        printf("VSICalloc(4, 8) -> %s\n", c ? "non-NULL" : "NULL");
        hexdump("calloc", c, 32);
        VSIFree(c);
        char *s = VSIStrdup("dup me");
        SHOWS(s);
        VSIFree(s);
        s = VSIStrdup("");
        SHOWS(s);
        VSIFree(s);
        VSIFree(NULL);
        printf("VSIFree(NULL) ok\n");
        m = VSIRealloc(NULL, 8);
        printf("VSIRealloc(NULL, 8) -> %s\n", m ? "non-NULL" : "NULL");
        VSIFree(m);
        /* a VSIMalloc'd buffer handed to FileFromMemBuffer(TRUE) and freed by
         * the library on unlink */
        GByte *b = (GByte *)VSIMalloc(4);
        memcpy(b, "free", 4);
        VSIFCloseL(VSIFileFromMemBuffer("/vsimem/own/freed.bin", b, 4, TRUE));
        SHOWI(VSIUnlink("/vsimem/own/freed.bin"));
        /* a malloc'd buffer (libc) is also acceptable */
        b = (GByte *)malloc(4);
        memcpy(b, "libc", 4);
        VSIFCloseL(VSIFileFromMemBuffer("/vsimem/own/libc.bin", b, 4, TRUE));
        CONTENT_MEM("/vsimem/own/libc.bin");
        /* seized buffer freeable with plain free() */
        vsi_l_offset len = 0;
        GByte *sz = VSIGetMemFileBuffer("/vsimem/own/libc.bin", &len, TRUE);
        printf("seized libc.bin len=%llu\n", (unsigned long long)len);
        free(sz);
    }

    LIST_AS_IS(VSIReadDir("/vsimem/own"));

    section("FileFromMemBuffer named /vsimem/ itself (last: may poison root)");
    {
        static GByte d2[4] = "abc";
        /* spec (3.10): name normalising to /vsimem/ -> NULL */
        SHOWP(fp, VSIFileFromMemBuffer("/vsimem/", d2, 3, FALSE));
        CLOSE(fp);
        STAT_MEM("/vsimem/");
        STAT_MEM("/vsimem");
        STAT_MEM("/vsimem/own/rep.txt");
        LIST_AS_IS(VSIReadDir("/vsimem/"));
        LIST_AS_IS(VSIReadDir("/vsimem/own"));
        SHOWI(VSIUnlink("/vsimem/"));
        STAT_MEM("/vsimem/");
        STAT_MEM("/vsimem/own/rep.txt");
    }
    return test_finish();
}
