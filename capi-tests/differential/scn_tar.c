/* scn_tar.c -- /vsitar/ reading: ustar (with the name prefix field), GNU
 * long names and long links, pax headers, .tar / .tgz / .tar.gz, listing
 * rules and stat as for every archive, the single-file rule, seeks inside
 * members, read-only access, tar inside tar and inside zip, and damaged
 * archives (truncated, bad size field, garbage). Archives come from
 * archive_fixtures.h (Python's tarfile and gzip, see fixtures/). */
#include "archive_scn.h"

static void seeks(const char *path)
{
    VSILFILE *fp = VSIFOpenL(path, "rb");
    printf("seeks in ");
    pstr(path);
    printf(" -> %s\n", fp ? "handle" : "NULL");
    if (!fp)
        return;
    pread_show(fp, 0, 12);
    pread_show(fp, 700, 20);
    pread_show(fp, 100, 20);
    pread_show(fp, 1490, 20);
    pread_show(fp, 1500, 20);
    pread_show(fp, 4000, 20);
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("SEEK_END", fp);
    read_show(fp, 1, 4);
    SHOWI(VSIFSeekL(fp, 1496, SEEK_SET));
    read_show(fp, 1, 4);
    read_show(fp, 1, 1);
    VSIFCloseL(fp);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);

    PUT("/vsimem/t/ustar.tar", ustar_tar);
    PUT("/vsimem/t/gnu.tar", gnu_tar);
    PUT("/vsimem/t/pax.tar", pax_tar);
    PUT("/vsimem/t/one.tar", one_tar);
    PUT("/vsimem/t/two.tar", two_tar);
    PUT("/vsimem/t/a.tgz", tgz);
    PUT("/vsimem/t/a.tar.gz", tgz);
    PUT("/vsimem/t/one.tgz", one_tgz);

    section("ustar");
    ls("/vsitar//vsimem/t/ustar.tar");
    lsr("/vsitar//vsimem/t/ustar.tar");
    ls("/vsitar//vsimem/t/ustar.tar/dir");
    ls("/vsitar//vsimem/t/ustar.tar/impl/sub/");
    show_dir("VSIOpenDir(ustar.tar, -1)", VSIOpenDir("/vsitar//vsimem/t/ustar.tar", -1, NULL), 0, 1);
    st("/vsitar//vsimem/t/ustar.tar");
    st("/vsitar//vsimem/t/ustar.tar/a.txt");
    st("/vsitar//vsimem/t/ustar.tar/dir");
    st("/vsitar//vsimem/t/ustar.tar/dir/");
    st("/vsitar//vsimem/t/ustar.tar/dir/b.txt");
    st("/vsitar//vsimem/t/ustar.tar/impl/sub");
    st("/vsitar//vsimem/t/ustar.tar/empty.txt");
    st("/vsitar//vsimem/t/ustar.tar/link");
    st("/vsitar//vsimem/t/ustar.tar/dot.txt");
    st("/vsitar//vsimem/t/ustar.tar/nothere");
    cat("/vsitar//vsimem/t/ustar.tar/a.txt");
    cat("/vsitar//vsimem/t/ustar.tar/dir/b.txt");
    cat("/vsitar//vsimem/t/ustar.tar/impl/sub/c.txt");
    cat("/vsitar//vsimem/t/ustar.tar/dot.txt");
    cat("/vsitar//vsimem/t/ustar.tar/empty.txt");
    cat("/vsitar//vsimem/t/ustar.tar/dir");
    cat("/vsitar//vsimem/t/ustar.tar/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
        "dddddddddddddddddddddddddddddddddddddddddddddddd/prefixed.txt");
    cat("/vsitar//vsimem/t/ustar.tar");
    seeks("/vsitar//vsimem/t/ustar.tar/dir/b.txt");

    section("GNU long names and links");
    lsr("/vsitar//vsimem/t/gnu.tar");
    cat("/vsitar//vsimem/t/gnu.tar/gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg"
        "gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg/gnu_long_name.txt");
    st("/vsitar//vsimem/t/gnu.tar/lnk");

    section("pax");
    lsr("/vsitar//vsimem/t/pax.tar");
    cat("/vsitar//vsimem/t/pax.tar/a.txt");
    cat("/vsitar//vsimem/t/pax.tar/caf\xc3\xa9.txt");

    section("single member and read-only");
    st("/vsitar//vsimem/t/one.tar");
    cat("/vsitar//vsimem/t/one.tar");
    st("/vsitar//vsimem/t/two.tar");
    cat("/vsitar//vsimem/t/two.tar");
    show_cplerr("two.tar root");
    try_open("/vsitar//vsimem/t/one.tar/only.txt", "r+b");
    show_cplerr("r+b");
    try_open("/vsitar//vsimem/t/one.tar/new.txt", "wb");
    show_cplerr("wb");
    SHOWI(VSIMkdir("/vsitar//vsimem/t/one.tar/d", 0755));
    SHOWI(VSIUnlink("/vsitar//vsimem/t/one.tar/only.txt"));

    section("tgz and tar.gz");
    lsr("/vsitar//vsimem/t/a.tgz");
    lsr("/vsitar//vsimem/t/a.tar.gz");
    st("/vsitar//vsimem/t/a.tgz/dir/b.txt");
    cat("/vsitar//vsimem/t/a.tgz/a.txt");
    cat("/vsitar//vsimem/t/a.TAR.GZ/a.txt");
    cat("/vsitar//vsimem/t/a.tar.gz/dir/b.txt");
    cat("/vsitar//vsimem/t/one.tgz");
    st("/vsitar//vsimem/t/one.tgz");
    seeks("/vsitar//vsimem/t/a.tgz/dir/b.txt");
    cat("/vsitar//vsigzip//vsimem/t/a.tgz/a.txt");
    cat("/vsitar/{/vsigzip//vsimem/t/a.tgz}/a.txt");

    section("path syntaxes and nesting");
    put_local("local.tar", fx_one_tar, fx_one_tar_len);
    cat("/vsitar/local.tar/only.txt");
    cat("/vsitar/vsimem/t/one.tar/only.txt");
    PUT("/vsimem/t/tar.bin", one_tar);
    cat("/vsitar/{/vsimem/t/tar.bin}/only.txt");
    cat("/vsitar//vsimem/t/tar.bin/only.txt");
    PUT("/vsimem/t/nested.zip", nested_zip);
    cat("/vsitar//vsizip//vsimem/t/nested.zip/inner.tar/in_tar.txt");
    st("/vsitar//vsizip//vsimem/t/nested.zip/inner.tar");
    cat("/vsitar/{/vsisubfile/0_10240,/vsimem/t/one.tar}/only.txt");
    cat("/vsizip//vsimem/t/one.tar/only.txt");

    section("damaged archives");
    PUT("/vsimem/t/truncated.tar", truncated_tar);
    PUT("/vsimem/t/badsize.tar", badsize_tar);
    PUT("/vsimem/t/garbage.tar", garbage_tar);
    lsr("/vsitar//vsimem/t/truncated.tar");
    cat("/vsitar//vsimem/t/truncated.tar/dir/b.txt");
    st("/vsitar//vsimem/t/truncated.tar/impl/sub/c.txt");
    lsr("/vsitar//vsimem/t/badsize.tar");
    show_cplerr("bad size");
    cat("/vsitar//vsimem/t/badsize.tar/ok.txt");
    st("/vsitar//vsimem/t/garbage.tar");
    ls("/vsitar//vsimem/t/garbage.tar");
    cat("/vsitar//vsimem/t/garbage.tar");

    VSIRmdirRecursive("/vsimem/t");
    return test_finish();
}
