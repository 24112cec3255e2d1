/* scn_local.c -- local file handle semantics in the scratch dir:
 * access modes (r r+ w w+ a a+, with/without b, invalid modes), short reads
 * and EOF, tell after partial objects, seek beyond EOF + zero fill, SEEK_END,
 * truncate grow/shrink/regrow, read-after-write switching, ReadMultiRange,
 * Printf/Putc, stat of files (incl. trailing slash), opening a directory. */
#include "compat.h"

int main(int argc, char **argv)
{
    test_init(argc, argv);
    VSILFILE *fp = NULL;
    VSILFILE *fp2 = NULL;

    section("open missing file");
    fp = OPEN_LOCAL("missing.txt", "rb");
    CLOSE(fp);
    fp = OPEN_LOCAL("missing.txt", "r+b");
    CLOSE(fp);
    STAT_LOCAL("missing.txt");
    reset_errors();
    fp = VSIFOpenExL(LP("missing.txt"), "rb", TRUE);
    printf("VSIFOpenExL(LP(\"missing.txt\"), \"rb\", TRUE) -> %s\n",
           fp ? "handle" : "NULL");
    show_vsierr("after OpenExL missing");
    show_cplerr("after OpenExL missing");
    VSIErrorReset();
    show_vsierr("after VSIErrorReset");
    fp = VSIFOpenExL(LP("missing.txt"), "rb", FALSE);
    printf("VSIFOpenExL(LP(\"missing.txt\"), \"rb\", FALSE) -> %s\n",
           fp ? "handle" : "NULL");
    show_vsierr("after OpenExL(FALSE) missing");
    /* missing parent directory */
    reset_errors();
    fp = VSIFOpenExL(LP("nodir/x.txt"), "wb", TRUE);
    printf("VSIFOpenExL(LP(\"nodir/x.txt\"), \"wb\", TRUE) -> %s\n",
           fp ? "handle" : "NULL");
    show_vsierr("after OpenExL(wb) in missing dir");

    section("mode w: create, write, read on write-only handle");
    fp = OPEN_LOCAL("a.bin", "wb");
    write_show(fp, "0123456789");
    show_pos("after write", fp);
    SHOWI(VSIFFlushL(fp));
    STAT_LOCAL("a.bin");
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    read_show(fp, 1, 4);
    show_pos("after read on w handle", fp);
    CLOSE(fp);
    STAT_LOCAL("a.bin");

    section("mode r: short reads and EOF");
    fp = OPEN_LOCAL("a.bin", "rb");
    show_pos("fresh", fp);
    read_show(fp, 1, 10); /* exact: no EOF */
    read_show(fp, 1, 1);  /* 0 + EOF */
    read_show(fp, 1, 1);  /* still EOF */
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    show_pos("seek clears eof", fp);
    read_show(fp, 3, 4); /* 3 complete objects, tell = 10 */
    SHOWI(VSIFSeekL(fp, 2, SEEK_SET));
    read_show(fp, 4, 2); /* exactly 8 bytes to end */
    SHOWI(VSIFSeekL(fp, 3, SEEK_SET));
    read_show(fp, 4, 2); /* 1 complete + partial */
    SHOWI(VSIFSeekL(fp, 5, SEEK_SET));
    read_show(fp, 0, 5);
    read_show(fp, 5, 0);
    show_pos("after zero reads", fp);
    /* write on read-only handle */
    SHOWZ(VSIFWriteL("xx", 1, 2, fp));
    show_pos("after write on r handle", fp);
    SHOWI(VSIFPutcL('z', fp));
    SHOWI(VSIFTruncateL(fp, 3));
    STAT_LOCAL("a.bin");
    CLOSE(fp);
    CONTENT_LOCAL("a.bin");

    section("seek semantics");
    fp = OPEN_LOCAL("a.bin", "rb");
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("SEEK_END 0", fp);
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    SHOWI(VSIFSeekL(fp, 3, SEEK_CUR));
    show_pos("SEEK_CUR 3", fp);
    SHOWI(VSIFSeekL(fp, 2, SEEK_CUR));
    show_pos("SEEK_CUR 2", fp);
    read_show(fp, 1, 2);
    SHOWI(VSIFSeekL(fp, VSIFTellL(fp) - 4, SEEK_SET));
    show_pos("tell-4", fp);
    read_show(fp, 1, 1);
    SHOWI(VSIFSeekL(fp, 5, SEEK_END));
    show_pos("SEEK_END +5", fp);
    read_show(fp, 1, 1);
    SHOWI(VSIFSeekL(fp, 1000000, SEEK_SET));
    show_pos("SEEK_SET 1e6", fp);
    read_show(fp, 1, 1);
    VSIRewindL(fp);
    show_pos("after rewind", fp);
    read_show(fp, 2, 1);
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    read_show(fp, 1, 1);
    VSIRewindL(fp);
    show_pos("rewind after eof", fp);
    /* short forward seeks on read-only handles are done by reading */
    SHOWI(VSIFSeekL(fp, 7, SEEK_SET));
    read_show(fp, 1, 1);
    SHOWI(VSIFSeekL(fp, 9, SEEK_SET));
    read_show(fp, 1, 5);
    SHOWI(VSIFSeekL(fp, 9, SEEK_SET));
    show_pos("seek after eof", fp);
    CLOSE(fp);
    STAT_LOCAL("a.bin");

    section("write beyond EOF zero fills");
    fp = OPEN_LOCAL("a.bin", "r+b");
    SHOWI(VSIFSeekL(fp, 14, SEEK_SET));
    write_show(fp, "XY");
    show_pos("after gap write", fp);
    SHOWI(VSIFSeekL(fp, 8, SEEK_SET));
    read_show(fp, 1, 10);
    SHOWI(VSIFSeekL(fp, 1, SEEK_SET));
    write_show(fp, "ab");
    show_pos("after overwrite", fp);
    /* read directly after write (library must interpose a seek) */
    read_show(fp, 1, 3);
    /* and write directly after read */
    write_show(fp, "W");
    show_pos("after write-after-read", fp);
    CLOSE(fp);
    STAT_LOCAL("a.bin");
    CONTENT_LOCAL("a.bin");

    section("truncate grow / shrink / regrow");
    fp = OPEN_LOCAL("a.bin", "r+b");
    SHOWI(VSIFSeekL(fp, 6, SEEK_SET));
    SHOWI(VSIFTruncateL(fp, 4));
    show_pos("after shrink", fp);
    STAT_LOCAL("a.bin");
    read_show(fp, 1, 2);
    SHOWI(VSIFTruncateL(fp, 12));
    show_pos("after grow", fp);
    STAT_LOCAL("a.bin");
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    read_show(fp, 1, 12);
    SHOWI(VSIFTruncateL(fp, 0));
    STAT_LOCAL("a.bin");
    show_pos("after truncate 0", fp);
    write_show(fp, "E");
    /* flush first: stat of a file with unflushed stdio buffers is not part
     * of the contract */
    SHOWI(VSIFFlushL(fp));
    STAT_LOCAL("a.bin");
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    read_show(fp, 1, 13);
    /* truncate with unflushed buffered data */
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    write_show(fp, "buffered");
    SHOWI(VSIFTruncateL(fp, 4));
    STAT_LOCAL("a.bin");
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    read_show(fp, 1, 20);
    CLOSE(fp);
    CONTENT_LOCAL("a.bin");

    section("mode w truncates existing");
    MAKE_LOCAL("t.txt", "hello world");
    fp = OPEN_LOCAL("t.txt", "w");
    STAT_LOCAL("t.txt");
    show_pos("fresh w", fp);
    CLOSE(fp);
    STAT_LOCAL("t.txt");

    section("mode w+");
    fp = OPEN_LOCAL("wp.txt", "w+b");
    write_show(fp, "abcdef");
    SHOWI(VSIFSeekL(fp, 2, SEEK_SET));
    read_show(fp, 1, 10);
    CLOSE(fp);

    section("mode a: always appends (O_APPEND)");
    MAKE_LOCAL("ap.txt", "12345");
    fp = OPEN_LOCAL("ap.txt", "ab");
    show_pos("fresh a", fp);
    write_show(fp, "67");
    show_pos("after append", fp);
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    write_show(fp, "X");
    show_pos("after seek 0 write", fp);
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    read_show(fp, 1, 3);
    CLOSE(fp);
    CONTENT_LOCAL("ap.txt");

    section("mode a+: read anywhere, write appends");
    fp = OPEN_LOCAL("ap.txt", "a+b");
    show_pos("fresh a+", fp);
    read_show(fp, 1, 2);
    SHOWI(VSIFSeekL(fp, 1, SEEK_SET));
    read_show(fp, 1, 3);
    write_show(fp, "!");
    show_pos("after a+ write", fp);
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    read_show(fp, 1, 20);
    CLOSE(fp);
    CONTENT_LOCAL("ap.txt");

    section("mode a creates missing file");
    fp = OPEN_LOCAL("created_by_a.txt", "a");
    show_pos("fresh a on new file", fp);
    write_show(fp, "A");
    CLOSE(fp);
    STAT_LOCAL("created_by_a.txt");

    section("modes without b, r+ overwrite");
    fp = OPEN_LOCAL("nob.txt", "w");
    write_show(fp, "nob");
    CLOSE(fp);
    fp = OPEN_LOCAL("nob.txt", "r+");
    read_show(fp, 1, 1);
    write_show(fp, "X");
    CLOSE(fp);
    CONTENT_LOCAL("nob.txt");
    fp = OPEN_LOCAL("nob.txt", "r");
    read_show(fp, 1, 5);
    CLOSE(fp);

    section("unusual / invalid mode strings");
    MAKE_LOCAL("modes.txt", "modes");
    {
        static const char *modes[] = {"",   "x",  "q",   "rw",  "r+w", "rb+",
                                      "br", "+r", "wx",  "wbx", "re",  "rt",
                                      "R",  "W",  "ab+", "r ",  " r",  NULL};
        for (int i = 0; modes[i]; i++)
        {
            reset_errors();
            VSILFILE *f = VSIFOpenExL(LP("modes.txt"), modes[i], TRUE);
            printf("VSIFOpenExL(LP(\"modes.txt\"), \"%s\", TRUE) -> %s\n",
                   modes[i], f ? "handle" : "NULL");
            if (!f)
                show_vsierr("invalid mode");
            if (f)
            {
                char b[8];
                size_t n = VSIFReadL(b, 1, 5, f);
                printf("  read -> %zu\n", n);
                VSIFCloseL(f);
            }
            STAT_LOCAL("modes.txt");
        }
        /* exclusive create of a new file */
        VSILFILE *f = OPEN_LOCAL("excl_new.txt", "wx");
        if (f)
        {
            write_show(f, "e");
            CLOSE(f);
        }
        STAT_LOCAL("excl_new.txt");
    }

    section("VSIFPrintfL / VSIFPutcL");
    fp = OPEN_LOCAL("printf.txt", "wb");
    SHOWI(VSIFPrintfL(fp, "%s=%d;", "abc", 12345));
    SHOWI(VSIFPrintfL(fp, "%s", ""));
    SHOWI(VSIFPutcL('A', fp));
    SHOWI(VSIFPutcL(0x1ff, fp));
    show_pos("after printf/putc", fp);
    CLOSE(fp);
    CONTENT_LOCAL("printf.txt");

    section("EOF flag vs write / truncate / flush (local)");
    fp = OPEN_LOCAL("eofw.bin", "w+b");
    write_show(fp, "abc");
    read_show(fp, 1, 1);
    write_show(fp, "d");
    show_pos("after write at eof", fp);
    read_show(fp, 1, 1);
    SHOWI(VSIFTruncateL(fp, 10));
    show_pos("after truncate with eof set", fp);
    SHOWI(VSIFFlushL(fp));
    show_pos("after flush with eof set", fp);
    read_show(fp, 1, 2);
    CLOSE(fp);
    CONTENT_LOCAL("eofw.bin");

    section("VSIFReadMultiRangeL on local file");
    {
        unsigned char data[200];
        for (int i = 0; i < 200; i++)
            data[i] = (unsigned char)(255 - i);
        fp = OPEN_LOCAL("mr.bin", "w+b");
        SHOWZ(VSIFWriteL(data, 1, 200, fp));
        SHOWI(VSIFSeekL(fp, 50, SEEK_SET));
        unsigned char r1[4] = {0}, r2[3] = {0}, r3[5] = {0};
        void *ptrs[3] = {r1, r2, r3};
        vsi_l_offset offs[3] = {0, 10, 195};
        size_t sizes[3] = {4, 3, 5};
        SHOWI(VSIFReadMultiRangeL(3, ptrs, offs, sizes, fp));
        hexdump("r1", r1, 4);
        hexdump("r2", r2, 3);
        hexdump("r3", r3, 5);
        show_pos("after multirange", fp);
        vsi_l_offset offs2[1] = {198};
        size_t sizes2[1] = {5};
        SHOWI(VSIFReadMultiRangeL(1, ptrs, offs2, sizes2, fp));
        show_pos("after failing multirange", fp);
        CLOSE(fp);
    }

    section("two handles on the same local file");
    fp = OPEN_LOCAL("shared.txt", "w+b");
    fp2 = OPEN_LOCAL("shared.txt", "rb");
    write_show(fp, "shared!");
    /* not flushed yet: reader may see nothing */
    SHOWI(VSIFFlushL(fp));
    read_show(fp2, 1, 10);
    CLOSE(fp2);
    CLOSE(fp);

    section("stat of files");
    STAT_LOCAL("shared.txt");
    STAT_LOCAL("shared.txt/");
    STAT_LOCAL("shared.txt/.");
    STAT_LOCAL("./shared.txt");
    STAT_LOCAL("");
    show_stat_ex("LP(\"shared.txt\")", LP("shared.txt"), 0,
                 VSI_STAT_EXISTS_FLAG);
    show_stat_ex("LP(\"shared.txt\")", LP("shared.txt"), 0,
                 VSI_STAT_SIZE_FLAG);
    reset_errors();
    show_stat_ex("LP(\"nope\")", LP("nope"), 0,
                 VSI_STAT_EXISTS_FLAG | VSI_STAT_SET_ERROR_FLAG);
    show_vsierr("stat SET_ERROR missing local");
    SHOWI(VSIIsCaseSensitiveFS(LP("shared.txt")));
    SHOWB(VSIGetDiskFreeSpace(LP("")) > 0);
    SHOWLL(VSIGetDiskFreeSpace(LP("no/such/dir")));

    section("opening a directory as a file (local)");
    SHOWI(VSIMkdir(LP("adir"), 0755));
    fp = OPEN_LOCAL("adir", "rb");
    if (fp)
    {
        read_show(fp, 1, 4);
        CLOSE(fp);
    }
    fp = OPEN_LOCAL("adir", "r+b");
    CLOSE(fp);
    fp = OPEN_LOCAL("adir", "wb");
    CLOSE(fp);
    STAT_LOCAL("adir");

    section("file names with special characters");
    MAKE_LOCAL("sp ace.txt", "s");
    MAKE_LOCAL("utf8-\xc3\xa9.txt", "u");
    MAKE_LOCAL("back\\slash.txt", "b");
    STAT_LOCAL("sp ace.txt");
    STAT_LOCAL("utf8-\xc3\xa9.txt");
    STAT_LOCAL("back\\slash.txt");
    STAT_LOCAL("back/slash.txt");

    section("unlink");
    SHOWI(VSIUnlink(LP("sp ace.txt")));
    SHOWI(VSIUnlink(LP("sp ace.txt")));
    SHOWI(VSIUnlink(LP("adir")));
    STAT_LOCAL("sp ace.txt");
    /* unlink while open: handle still works */
    MAKE_LOCAL("ul.txt", "unlinked");
    fp = OPEN_LOCAL("ul.txt", "rb");
    SHOWI(VSIUnlink(LP("ul.txt")));
    STAT_LOCAL("ul.txt");
    read_show(fp, 1, 8);
    CLOSE(fp);

    return test_finish();
}
