/* scn_zip.c -- /vsizip/ reading: path syntaxes (extension scan, chaining
 * without a double slash, {} with nesting, relative and absolute local
 * paths, .kmz/.ods/.xlsx), listing rules (implicit and explicit
 * directories, ignored names, duplicates, ./ and \), stat of members,
 * directories and the root with the single-file rule, stored and
 * deflated members with seeks, zip64, data descriptors, self-extracting
 * archives, UTF-8 / CP437 / Unicode-extra names, DOS times, archives in
 * archives, and damaged archives (truncated, garbage, bad CRC, lying
 * sizes, unsupported method, names with ..). Archives come from
 * archive_fixtures.h (Python's zipfile, see fixtures/). */
#include "archive_scn.h"

int main(int argc, char **argv)
{
    test_init(argc, argv);

    PUT("/vsimem/z/multi.zip", multi_zip);
    PUT("/vsimem/z/one.zip", one_zip);
    PUT("/vsimem/z/one_deflated.zip", one_deflated_zip);
    PUT("/vsimem/z/leaddir.zip", leaddir_zip);
    PUT("/vsimem/z/two.zip", two_zip);
    PUT("/vsimem/z/dironly.zip", dironly_zip);

    section("listing rules");
    ls("/vsizip//vsimem/z/multi.zip");
    ls("/vsizip//vsimem/z/multi.zip/");
    ls("/vsizip//vsimem/z/multi.zip/dir");
    ls("/vsizip//vsimem/z/multi.zip/dir/");
    ls("/vsizip//vsimem/z/multi.zip/impl");
    ls("/vsizip//vsimem/z/multi.zip/impl/sub");
    ls("/vsizip//vsimem/z/multi.zip/win");
    ls("/vsizip//vsimem/z/multi.zip/a.txt");
    ls("/vsizip//vsimem/z/multi.zip/nothere");
    ls("/vsizip//vsimem/z/multi.zip/x");
    lsr("/vsizip//vsimem/z/multi.zip");
    lsr("/vsizip//vsimem/z/multi.zip/impl");
    show_list("VSIReadDirEx(multi.zip, 2)", VSIReadDirEx("/vsizip//vsimem/z/multi.zip", 2), 0);
    show_dir("VSIOpenDir(multi.zip, -1)", VSIOpenDir("/vsizip//vsimem/z/multi.zip", -1, NULL), 0, 1);
    show_dir("VSIOpenDir(multi.zip/impl, 0)", VSIOpenDir("/vsizip//vsimem/z/multi.zip/impl", 0, NULL), 0, 1);

    section("stat of members, directories and the root");
    st("/vsizip//vsimem/z/multi.zip");
    st("/vsizip//vsimem/z/multi.zip/");
    st("/vsizip//vsimem/z/multi.zip/a.txt");
    st("/vsizip//vsimem/z/multi.zip/a.txt/");
    st("/vsizip//vsimem/z/multi.zip/A.TXT");
    st("/vsizip//vsimem/z/multi.zip/Case.txt");
    st("/vsizip//vsimem/z/multi.zip/case.txt");
    st("/vsizip//vsimem/z/multi.zip/dir");
    st("/vsizip//vsimem/z/multi.zip/dir/");
    st("/vsizip//vsimem/z/multi.zip/dir/b.txt");
    st("/vsizip//vsimem/z/multi.zip/impl");
    st("/vsizip//vsimem/z/multi.zip/impl/sub/");
    st("/vsizip//vsimem/z/multi.zip/impl/sub/c.txt");
    st("/vsizip//vsimem/z/multi.zip/dot.txt");
    st("/vsizip//vsimem/z/multi.zip/./dot.txt");
    st("/vsizip//vsimem/z/multi.zip/dup.txt");
    st("/vsizip//vsimem/z/multi.zip/abs.txt");
    st("/vsizip//vsimem/z/multi.zip//abs.txt");
    st("/vsizip//vsimem/z/multi.zip/x//y.txt");
    st("/vsizip//vsimem/z/multi.zip/win/path.txt");
    st("/vsizip//vsimem/z/multi.zip/win\\path.txt");
    st("/vsizip//vsimem/z/multi.zip/empty.txt");
    st("/vsizip//vsimem/z/multi.zip/dir/../a.txt");
    st("/vsizip//vsimem/z/multi.zip/impl/sub/../../a.txt");
    st("/vsizip//vsimem/z/multi.zip/../a.txt");
    st("/vsizip//vsimem/z/multi.zip/nothere");
    st("/vsizip//vsimem/z/one.zip");
    st("/vsizip//vsimem/z/one_deflated.zip");
    st("/vsizip//vsimem/z/leaddir.zip");
    st("/vsizip//vsimem/z/two.zip");
    st("/vsizip//vsimem/z/dironly.zip");
    st("/vsizip//vsimem/z/missing.zip");
    st("/vsizip//vsimem/z");
    st("/vsizip/");
    st("/vsizip");

    section("reading members");
    cat("/vsizip//vsimem/z/multi.zip/a.txt");
    cat("/vsizip//vsimem/z/multi.zip/dir/b.txt");
    cat("/vsizip//vsimem/z/multi.zip/impl/sub/c.txt");
    cat("/vsizip//vsimem/z/multi.zip/dup.txt");
    cat("/vsizip//vsimem/z/multi.zip/dot.txt");
    cat("/vsizip//vsimem/z/multi.zip/win/path.txt");
    cat("/vsizip//vsimem/z/multi.zip/empty.txt");
    cat("/vsizip//vsimem/z/multi.zip/dir");
    cat("/vsizip//vsimem/z/multi.zip/impl");
    cat("/vsizip//vsimem/z/multi.zip/nothere");
    cat("/vsizip//vsimem/z/one.zip");
    cat("/vsizip//vsimem/z/one_deflated.zip");
    cat("/vsizip//vsimem/z/leaddir.zip");
    cat("/vsizip//vsimem/z/dironly.zip");
    cat("/vsizip//vsimem/z/two.zip");
    show_cplerr("two.zip root");
    cat("/vsizip//vsimem/z/multi.zip");
    show_cplerr("multi.zip root");
    try_open("/vsizip//vsimem/z/multi.zip/a.txt", "r+b");
    show_cplerr("r+b");

    section("seeks in stored and deflated members");
    {
        VSILFILE *fp = VSIFOpenL("/vsizip//vsimem/z/multi.zip/dir/b.txt", "rb");
        printf("open deflated -> %s\n", fp ? "handle" : "NULL");
        if (fp)
        {
            pread_show(fp, 0, 20);
            pread_show(fp, 20000, 40);
            pread_show(fp, 1000, 40);
            pread_show(fp, 33990, 40);
            pread_show(fp, 34000, 40);
            pread_show(fp, 50000, 40);
            SHOWI(VSIFSeekL(fp, 0, SEEK_END));
            show_pos("SEEK_END", fp);
            pread_show(fp, 5, 10);
            VSIFCloseL(fp);
        }
        fp = VSIFOpenL("/vsizip//vsimem/z/multi.zip/a.txt", "rb");
        printf("open stored -> %s\n", fp ? "handle" : "NULL");
        if (fp)
        {
            pread_show(fp, 1, 3);
            pread_show(fp, 3, 10);
            pread_show(fp, 10, 3);
            SHOWI(VSIFSeekL(fp, 0, SEEK_END));
            show_pos("SEEK_END", fp);
            read_show(fp, 1, 5);
            SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
            read_show(fp, 1, 5);
            read_show(fp, 1, 1);
            VSIFCloseL(fp);
        }
    }

    section("path syntaxes");
    put_local("local.zip", fx_one_zip, fx_one_zip_len);
    cat("/vsizip/local.zip/only.txt");
    st("/vsizip/local.zip");
    {
        char p[4200];
        snprintf(p, sizeof(p), "/vsizip/%s/only.txt", LP("local.zip"));
        VSIStatBufL s;
        printf("stat(/vsizip/$SCRATCH/local.zip/only.txt) -> %d\n", VSIStatL(p, &s));
        snprintf(p, sizeof(p), "/vsizip/{%s}/only.txt", LP("local.zip"));
        printf("stat(/vsizip/{$SCRATCH/local.zip}/only.txt) -> %d\n", VSIStatL(p, &s));
    }
    VSIMkdir(LP("sub.d"), 0755);
    put_local("sub.d/rel.zip", fx_two_zip, fx_two_zip_len);
    ls("/vsizip/sub.d/rel.zip");
    cat("/vsizip/sub.d/rel.zip/sub/f2.txt");
    cat("/vsizip/vsimem/z/one.zip/only.txt");
    cat("/vsizip/vsimem/z/one.zip");
    st("/vsizip/vsimem/z/multi.zip/dir");
    cat("/vsizip//vsimem/z/ONE.ZIP/only.txt");
    PUT("/vsimem/z/ONE2.ZIP", one_zip);
    cat("/vsizip//vsimem/z/ONE2.ZIP/only.txt");
    PUT("/vsimem/z/arch.bin", two_zip);
    cat("/vsizip//vsimem/z/arch.bin/f1.txt");
    cat("/vsizip/{/vsimem/z/arch.bin}/f1.txt");
    cat("/vsizip/{/vsimem/z/arch.bin}\\f1.txt");
    ls("/vsizip/{/vsimem/z/arch.bin}");
    ls("/vsizip/{/vsimem/z/arch.bin}/");
    st("/vsizip/{/vsimem/z/arch.bin}");
    st("/vsizip/{/vsimem/z/arch.bin}x/f1.txt");
    st("/vsizip/{/vsimem/z/arch.bin");
    st("/vsizip/{/vsimem/z/missing.bin}/f1.txt");
    st("/vsizip/{/vsimem/z}/f1.txt");
    cat("/vsizip/{/vsimem/z/arch.bin}/sub/../f1.txt");
    PUT("/vsimem/z/doc.kmz", one_zip);
    PUT("/vsimem/z/sheet.ods", one_zip);
    PUT("/vsimem/z/book.xlsx", one_zip);
    PUT("/vsimem/z/book.xlsm", one_zip);
    PUT("/vsimem/z/draw.dwf", one_zip);
    PUT("/vsimem/z/a.zipx", one_zip);
    cat("/vsizip//vsimem/z/doc.kmz/only.txt");
    cat("/vsizip//vsimem/z/sheet.ods/only.txt");
    cat("/vsizip//vsimem/z/book.xlsx/only.txt");
    cat("/vsizip//vsimem/z/book.xlsm/only.txt");
    cat("/vsizip//vsimem/z/draw.dwf/only.txt");
    cat("/vsizip//vsimem/z/a.zipx/only.txt");
    cat("/vsizip//vsimem/z/a.zipx");
    CPLSetConfigOption("CPL_VSIL_ZIP_ALLOWED_EXTENSIONS", ".bin, .zipx");
    cat("/vsizip//vsimem/z/arch.bin/f1.txt");
    cat("/vsizip//vsimem/z/a.zipx/only.txt");
    CPLSetConfigOption("CPL_VSIL_ZIP_ALLOWED_EXTENSIONS", NULL);

    section("zip64, data descriptors, self-extracting");
    PUT("/vsimem/z/zip64.zip", zip64_zip);
    PUT("/vsimem/z/dd.zip", dd_zip);
    PUT("/vsimem/z/sfx.zip", sfx_zip);
    ls("/vsizip//vsimem/z/zip64.zip");
    st("/vsizip//vsimem/z/zip64.zip/big1.txt");
    st("/vsizip//vsimem/z/zip64.zip/big2.txt");
    cat("/vsizip//vsimem/z/zip64.zip/big1.txt");
    cat("/vsizip//vsimem/z/zip64.zip/big2.txt");
    ls("/vsizip//vsimem/z/dd.zip");
    st("/vsizip//vsimem/z/dd.zip/dd1.txt");
    cat("/vsizip//vsimem/z/dd.zip/dd1.txt");
    cat("/vsizip//vsimem/z/dd.zip/dd2.txt");
    ls("/vsizip//vsimem/z/sfx.zip");
    cat("/vsizip//vsimem/z/sfx.zip/in_sfx.txt");
    cat("/vsizip//vsimem/z/sfx.zip/d2.txt");

    section("names and times");
    PUT("/vsimem/z/names.zip", names_zip);
    PUT("/vsimem/z/upath.zip", upath_zip);
    lsr("/vsizip//vsimem/z/names.zip");
    cat("/vsizip//vsimem/z/names.zip/caf\xc3\xa9/\xc3\xbc" "ber.txt");
    cat("/vsizip//vsimem/z/names.zip/caf\xc3\xa9.txt");
    st("/vsizip//vsimem/z/names.zip/caf\xc3\xa9");
    CPLSetConfigOption("CPL_ZIP_ENCODING", "ISO-8859-1");
    PUT("/vsimem/z/names_latin1.zip", names_zip);
    lsr("/vsizip//vsimem/z/names_latin1.zip");
    CPLSetConfigOption("CPL_ZIP_ENCODING", NULL);
    lsr("/vsizip//vsimem/z/upath.zip");
    cat("/vsizip//vsimem/z/upath.zip/na\xc3\xafve-unicode.txt");

    section("archives in archives");
    PUT("/vsimem/z/nested.zip", nested_zip);
    lsr("/vsizip//vsimem/z/nested.zip");
    cat("/vsizip//vsizip//vsimem/z/nested.zip/inner.zip/deep.txt");
    cat("/vsizip/vsizip/vsimem/z/nested.zip/inner.zip/deep.txt");
    cat("/vsizip/{/vsizip/{/vsimem/z/nested.zip}/inner.zip}/deep.txt");
    cat("/vsizip/{/vsizip/{/vsimem/z/nested.zip}/inner2.zip}/deep.txt");
    ls("/vsizip//vsizip//vsimem/z/nested.zip/inner.zip");
    st("/vsizip//vsizip//vsimem/z/nested.zip/inner.zip/deep.txt");
    st("/vsizip//vsizip//vsimem/z/nested.zip/inner2.zip/deep.txt");
    cat("/vsitar//vsizip//vsimem/z/nested.zip/inner.tar/in_tar.txt");
    /* EOF semantics of /vsigzip/ are its own scenario's business */
    cat_ex("/vsigzip//vsizip//vsimem/z/nested.zip/data.gz", 0);
    cat("/vsizip//vsisubfile/0_" "10884" ",/vsimem/z/nested.zip/inner.zip");
    cat("/vsizip/{/vsisubfile/0_10884,/vsimem/z/nested.zip}/inner.tar");
    st("/vsizip//vsizip//vsizip//vsizip//vsimem/z/nested.zip/a.zip/b.zip/c.zip/x");
    show_cplerr("deep nesting");
    st("/vsizip//vsimem/z/nested.zip/inner.zip/deep.txt");

    section("damaged archives");
    PUT("/vsimem/z/truncated.zip", truncated_zip);
    PUT("/vsimem/z/garbage.zip", garbage_zip);
    PUT("/vsimem/z/empty.zip", empty_zip);
    PUT("/vsimem/z/badcrc.zip", badcrc_zip);
    PUT("/vsimem/z/liar.zip", liar_zip);
    PUT("/vsimem/z/method.zip", method_zip);
    PUT("/vsimem/z/evil.zip", evil_zip);
    st("/vsizip//vsimem/z/truncated.zip");
    ls("/vsizip//vsimem/z/truncated.zip");
    cat("/vsizip//vsimem/z/truncated.zip/a.txt");
    st("/vsizip//vsimem/z/garbage.zip");
    ls("/vsizip//vsimem/z/garbage.zip");
    cat("/vsizip//vsimem/z/garbage.zip");
    st("/vsizip//vsimem/z/empty.zip");
    ls("/vsizip//vsimem/z/empty.zip");
    cat("/vsizip//vsimem/z/badcrc.zip/a.txt");
    cat("/vsizip//vsimem/z/badcrc.zip/b.txt");
    show_cplerr("bad crc");
    st("/vsizip//vsimem/z/liar.zip/bomb.bin");
    cat("/vsizip//vsimem/z/liar.zip/bomb.bin");
    show_cplerr("lying size");
    cat("/vsizip//vsimem/z/liar.zip/ok.txt");
    ls("/vsizip//vsimem/z/method.zip");
    cat("/vsizip//vsimem/z/method.zip/lzma.bin");
    show_cplerr("method");
    lsr("/vsizip//vsimem/z/evil.zip");
    cat("/vsizip//vsimem/z/evil.zip/safe.txt");

    section("refused operations");
    SHOWI(VSIUnlink("/vsizip//vsimem/z/multi.zip/a.txt"));
    SHOWI(VSIRename("/vsizip//vsimem/z/multi.zip/a.txt", "/vsizip//vsimem/z/multi.zip/b.txt"));
    SHOWI(VSIRmdir("/vsizip//vsimem/z/multi.zip/dir"));

    section("changed archive is read again");
    PUT("/vsimem/z/change.zip", one_zip);
    ls("/vsizip//vsimem/z/change.zip");
    PUT("/vsimem/z/change.zip", two_zip);
    ls("/vsizip//vsimem/z/change.zip");

    VSIRmdirRecursive("/vsimem/z");
    return test_finish();
}
