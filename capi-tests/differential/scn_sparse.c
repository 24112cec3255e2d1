/* scn_sparse.c -- /vsisparse/<path to XML>: a virtual file assembled from
 * windows of other files (SubfileRegion, relative and absolute Filename)
 * and constant bytes (ConstantRegion), zeros elsewhere. Reads within and
 * across regions, Length (explicit, derived, cutting regions), EOF and
 * seeks, element names in any case, stat, refused access modes and path
 * operations, missing region files, short regions, malformed XML, a region
 * that refers to its own description (GDAL bounds the nesting at 32), a
 * 10 GB description (offsets beyond 4 GiB cost nothing), /vsisubfile/ over
 * /vsisparse/ and ReadMultiRange across regions. */
#include "compat.h"

#include <errno.h>

#define GIB (1024ULL * 1024ULL * 1024ULL)

/* Parser messages come from different XML parsers: compare the class and
 * number of the CPLError only. */
static void CPL_STDCALL class_only_handler(CPLErr eClass, CPLErrorNum no,
                                           const char *msg)
{
    (void)msg;
    printf("handler: class=%d no=%d (message not compared)\n", (int)eClass,
           (int)no);
}

static void make_text(const char *path, const char *text)
{
    VSILFILE *fp = VSIFOpenL(path, "wb");
    if (fp)
    {
        VSIFWriteL(text, 1, strlen(text), fp);
        VSIFCloseL(fp);
    }
}

/* Open, read up to n bytes from offset, print, close. */
static void read_at(const char *shown, const char *path, vsi_l_offset off,
                    size_t n)
{
    VSILFILE *fp = VSIFOpenL(path, "rb");
    printf("read_at(%s, %llu, %zu): open %s\n", shown,
           (unsigned long long)off, n, fp ? "ok" : "failed");
    if (!fp)
        return;
    VSIFSeekL(fp, off, SEEK_SET);
    read_show(fp, 1, n);
    VSIFCloseL(fp);
}

/* VSIFOpenExL with bSetError: result and the VSI error recorded. */
static void open_ex(const char *shown, const char *path)
{
    reset_errors();
    VSILFILE *fp = VSIFOpenExL(path, "rb", TRUE);
    printf("VSIFOpenExL(%s, \"rb\", TRUE) -> %s\n", shown,
           fp ? "handle" : "NULL");
    show_vsierr(shown);
    if (fp)
        VSIFCloseL(fp);
}

static void open_only(const char *shown, const char *path, const char *mode)
{
    errno = 0;
    VSILFILE *fp = VSIFOpenL(path, mode);
    printf("VSIFOpenL(%s, \"%s\") -> %s errno=%d\n", shown, mode,
           fp ? "handle" : "NULL", fp ? 0 : errno);
    if (fp)
        VSIFCloseL(fp);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    VSILFILE *fp = NULL;
    char xml[8192];
    char path[4096];

    MAKE_MEM("/vsimem/sp/data.bin", "0123456789ABCDEFGHIJ");
    MAKE_LOCAL("abs.bin", "abcdefghijklmnopqrstuvwxyz");

    section("basic description");
    snprintf(xml, sizeof(xml),
             "<VSISparseFile>\n"
             "  <Length>60</Length>\n"
             "  <SubfileRegion>\n"
             "    <Filename relative=\"1\">data.bin</Filename>\n"
             "    <DestinationOffset>10</DestinationOffset>\n"
             "    <SourceOffset>5</SourceOffset>\n"
             "    <RegionLength>8</RegionLength>\n"
             "  </SubfileRegion>\n"
             "  <ConstantRegion>\n"
             "    <DestinationOffset>18</DestinationOffset>\n"
             "    <RegionLength>4</RegionLength>\n"
             "    <Value>255</Value>\n"
             "  </ConstantRegion>\n"
             "  <SubfileRegion>\n"
             "    <Filename relative=\"0\">%s</Filename>\n"
             "    <DestinationOffset>30</DestinationOffset>\n"
             "    <SourceOffset>20</SourceOffset>\n"
             "    <RegionLength>6</RegionLength>\n"
             "  </SubfileRegion>\n"
             "</VSISparseFile>\n",
             LP("abs.bin"));
    make_text("/vsimem/sp/a.xml", xml);
    fp = OPEN_MEM("/vsisparse//vsimem/sp/a.xml", "rb");
    show_pos("fresh", fp);
    read_show(fp, 1, 64);
    read_show(fp, 1, 1);
    /* reads that start inside a region and run on */
    SHOWI(VSIFSeekL(fp, 12, SEEK_SET));
    read_show(fp, 1, 4);
    read_show(fp, 1, 8);
    SHOWI(VSIFSeekL(fp, 34, SEEK_SET));
    read_show(fp, 1, 4);
    /* fread-style counts across the end */
    SHOWI(VSIFSeekL(fp, 52, SEEK_SET));
    read_show(fp, 3, 3);
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("SEEK_END", fp);
    SHOWI(VSIFSeekL(fp, 5, SEEK_END));
    show_pos("SEEK_END 5", fp);
    read_show(fp, 1, 1);
    SHOWI(VSIFSeekL(fp, 0, SEEK_SET));
    SHOWI(VSIFSeekL(fp, 15, SEEK_CUR));
    show_pos("SEEK_CUR 15", fp);
    SHOWI(VSIFSeekL(fp, (vsi_l_offset)(-2), SEEK_CUR));
    show_pos("SEEK_CUR -2", fp);
    read_show(fp, 1, 3);
    SHOWZ(VSIFWriteL("xx", 1, 2, fp));
    SHOWI(VSIFTruncateL(fp, 2));
    SHOWI(VSIFFlushL(fp));
    SHOWI(VSIFGetNativeFileDescriptorL(fp) == NULL);
    CLOSE(fp);

    section("a read that starts in a hole and spans regions");
    /* GDAL 3.6 fills the whole request with zeros (a known bug) */
    read_at("a.xml", "/vsisparse//vsimem/sp/a.xml", 2, 20);
    read_at("a.xml", "/vsisparse//vsimem/sp/a.xml", 22, 12);
    /* and a read that reaches a hole through other regions */
    read_at("a.xml", "/vsisparse//vsimem/sp/a.xml", 10, 30);

    section("stat");
    STAT_MEM("/vsisparse//vsimem/sp/a.xml");
    show_stat_vmode("/vsisparse//vsimem/sp/a.xml");
    show_stat_ex("\"/vsisparse//vsimem/sp/a.xml\" SIZE",
                 "/vsisparse//vsimem/sp/a.xml", 1, VSI_STAT_SIZE_FLAG);
    STAT_MEM("/vsisparse//vsimem/sp/missing.xml");
    STAT_MEM("/vsisparse//vsimem/sp/data.bin");
    STAT_MEM("/vsisparse/");
    STAT_MEM("/vsisparse");

    section("access modes");
    open_only("a.xml", "/vsisparse//vsimem/sp/a.xml", "r");
    open_only("a.xml", "/vsisparse//vsimem/sp/a.xml", "RB");
    open_only("a.xml", "/vsisparse//vsimem/sp/a.xml", "r+b");
    open_only("a.xml", "/vsisparse//vsimem/sp/a.xml", "rb+");
    open_only("a.xml", "/vsisparse//vsimem/sp/a.xml", "wb");
    open_only("a.xml", "/vsisparse//vsimem/sp/a.xml", "a");
    open_only("missing.xml", "/vsisparse//vsimem/sp/missing.xml", "rb");
    STAT_MEM("/vsimem/sp/a.xml");

    section("derived Length, Length cutting regions, case of names");
    make_text("/vsimem/sp/derived.xml",
              "<vsisparsefile>"
              "<constantregion><destinationoffset>4</destinationoffset>"
              "<regionlength>3</regionlength><value>65</value>"
              "</constantregion>"
              "<SUBFILEREGION><FILENAME RELATIVE=\"1\">data.bin</FILENAME>"
              "<DESTINATIONOFFSET>9</DESTINATIONOFFSET>"
              "<SOURCEOFFSET>0</SOURCEOFFSET>"
              "<REGIONLENGTH>3</REGIONLENGTH></SUBFILEREGION>"
              "</vsisparsefile>");
    STAT_MEM("/vsisparse//vsimem/sp/derived.xml");
    read_at("derived", "/vsisparse//vsimem/sp/derived.xml", 0, 16);
    read_at("derived", "/vsisparse//vsimem/sp/derived.xml", 4, 3);
    read_at("derived", "/vsisparse//vsimem/sp/derived.xml", 9, 8);
    make_text("/vsimem/sp/cut.xml",
              "<Root><Length>6</Length>"
              "<ConstantRegion><DestinationOffset>2</DestinationOffset>"
              "<RegionLength>10</RegionLength><Value>66</Value>"
              "</ConstantRegion></Root>");
    STAT_MEM("/vsisparse//vsimem/sp/cut.xml");
    read_at("cut", "/vsisparse//vsimem/sp/cut.xml", 0, 16);
    read_at("cut", "/vsisparse//vsimem/sp/cut.xml", 2, 16);
    /* overlapping regions: the first listed wins */
    make_text("/vsimem/sp/overlap.xml",
              "<VSISparseFile>"
              "<ConstantRegion><DestinationOffset>0</DestinationOffset>"
              "<RegionLength>4</RegionLength><Value>49</Value>"
              "</ConstantRegion>"
              "<ConstantRegion><DestinationOffset>2</DestinationOffset>"
              "<RegionLength>4</RegionLength><Value>50</Value>"
              "</ConstantRegion></VSISparseFile>");
    read_at("overlap", "/vsisparse//vsimem/sp/overlap.xml", 0, 8);
    /* other elements and text are ignored; missing numbers are 0 */
    make_text("/vsimem/sp/misc.xml",
              "<VSISparseFile>text<Comment>x</Comment>"
              "<ConstantRegion><RegionLength>2</RegionLength>"
              "<Value>300</Value></ConstantRegion>"
              "<ConstantRegion><DestinationOffset>2</DestinationOffset>"
              "<RegionLength>2</RegionLength><Value>-1</Value>"
              "</ConstantRegion>"
              "<ConstantRegion><DestinationOffset>4</DestinationOffset>"
              "<RegionLength>2</RegionLength></ConstantRegion>"
              "<ConstantRegion><DestinationOffset> 6 </DestinationOffset>"
              "<RegionLength>+2</RegionLength><Value> 7</Value>"
              "</ConstantRegion>"
              "</VSISparseFile>");
    read_at("misc", "/vsisparse//vsimem/sp/misc.xml", 0, 10);
    /* an empty description is an empty file */
    make_text("/vsimem/sp/empty.xml", "<VSISparseFile/>");
    STAT_MEM("/vsisparse//vsimem/sp/empty.xml");
    read_at("empty", "/vsisparse//vsimem/sp/empty.xml", 0, 4);

    section("missing and short region files");
    make_text("/vsimem/sp/broken.xml",
              "<VSISparseFile><Length>12</Length>"
              "<ConstantRegion><DestinationOffset>0</DestinationOffset>"
              "<RegionLength>4</RegionLength><Value>67</Value>"
              "</ConstantRegion>"
              "<SubfileRegion><Filename relative=\"1\">nope.bin</Filename>"
              "<DestinationOffset>4</DestinationOffset>"
              "<RegionLength>4</RegionLength></SubfileRegion>"
              "</VSISparseFile>");
    fp = OPEN_MEM("/vsisparse//vsimem/sp/broken.xml", "rb");
    read_show(fp, 1, 4);
    reset_errors();
    read_show(fp, 1, 4);
    show_vsierr("missing region file");
    SHOWI(VSIFSeekL(fp, 8, SEEK_SET));
    read_show(fp, 1, 4);
    /* a read that starts well and runs into the missing file */
    SHOWI(VSIFSeekL(fp, 2, SEEK_SET));
    read_show(fp, 1, 4);
    CLOSE(fp);
    make_text("/vsimem/sp/short.xml",
              "<VSISparseFile>"
              "<SubfileRegion><Filename relative=\"1\">data.bin</Filename>"
              "<DestinationOffset>0</DestinationOffset>"
              "<SourceOffset>16</SourceOffset>"
              "<RegionLength>8</RegionLength></SubfileRegion>"
              "</VSISparseFile>");
    fp = OPEN_MEM("/vsisparse//vsimem/sp/short.xml", "rb");
    read_show(fp, 1, 8);
    CLOSE(fp);

    section("XML declaration, comments, odd numbers");
    make_text("/vsimem/sp/decl.xml",
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<VSISparseFile><Length>4</Length>"
              "<ConstantRegion><RegionLength>2</RegionLength>"
              "<Value>69</Value></ConstantRegion></VSISparseFile>");
    STAT_MEM("/vsisparse//vsimem/sp/decl.xml");
    read_at("decl", "/vsisparse//vsimem/sp/decl.xml", 0, 4);
    make_text("/vsimem/sp/comment.xml",
              "<!-- a comment --><VSISparseFile><Length>4</Length>"
              "<ConstantRegion><RegionLength>2</RegionLength>"
              "<Value>70</Value></ConstantRegion></VSISparseFile>");
    STAT_MEM("/vsisparse//vsimem/sp/comment.xml");
    read_at("comment", "/vsisparse//vsimem/sp/comment.xml", 0, 4);
    make_text("/vsimem/sp/dotslash.xml",
              "<VSISparseFile><SubfileRegion>"
              "<Filename relative=\"yes\">/vsimem/sp/data.bin</Filename>"
              "<RegionLength>2</RegionLength></SubfileRegion>"
              "<SubfileRegion><Filename relative=\"2\">./data.bin</Filename>"
              "<DestinationOffset>2</DestinationOffset>"
              "<RegionLength>2</RegionLength></SubfileRegion>"
              "<ConstantRegion><DestinationOffset>4</DestinationOffset>"
              "<RegionLength>2</RegionLength><Value>abc</Value>"
              "</ConstantRegion>"
              "</VSISparseFile>");
    read_at("dotslash", "/vsisparse//vsimem/sp/dotslash.xml", 0, 6);
    /* not XML at all */
    STAT_MEM("/vsisparse//vsimem/sp/data.bin");
    read_at("data.bin", "/vsisparse//vsimem/sp/data.bin", 0, 4);

    section("hostile numbers");
    make_text("/vsimem/sp/neg.xml",
              "<VSISparseFile><Length>10</Length><ConstantRegion>"
              "<DestinationOffset>-5</DestinationOffset>"
              "<RegionLength>4</RegionLength><Value>71</Value>"
              "</ConstantRegion></VSISparseFile>");
    open_ex("neg.xml", "/vsisparse//vsimem/sp/neg.xml");
    make_text("/vsimem/sp/huge.xml",
              "<VSISparseFile><Length>99999999999999999999999</Length>"
              "</VSISparseFile>");
    open_ex("huge.xml", "/vsisparse//vsimem/sp/huge.xml");
    make_text("/vsimem/sp/max.xml",
              "<VSISparseFile><Length>18446744073709551615</Length>"
              "<ConstantRegion>"
              "<DestinationOffset>18446744073709551610</DestinationOffset>"
              "<RegionLength>5</RegionLength><Value>72</Value>"
              "</ConstantRegion></VSISparseFile>");
    fp = OPEN_MEM("/vsisparse//vsimem/sp/max.xml", "rb");
    SHOWI(VSIFSeekL(fp, 18446744073709551600ULL, SEEK_SET));
    read_show(fp, 1, 16);
    read_show(fp, 1, 16);
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("SEEK_END", fp);
    CLOSE(fp);
    make_text("/vsimem/sp/wrap.xml",
              "<VSISparseFile><ConstantRegion>"
              "<DestinationOffset>18446744073709551610</DestinationOffset>"
              "<RegionLength>10</RegionLength><Value>73</Value>"
              "</ConstantRegion></VSISparseFile>");
    open_ex("wrap.xml", "/vsisparse//vsimem/sp/wrap.xml");

    section("malformed descriptions");
    CPLPushErrorHandler(class_only_handler);
    make_text("/vsimem/sp/bad1.xml", "<VSISparseFile><Length>5</Len>");
    open_only("bad1.xml", "/vsisparse//vsimem/sp/bad1.xml", "rb");
    STAT_MEM("/vsisparse//vsimem/sp/bad1.xml");
    make_text("/vsimem/sp/bad2.xml", "");
    open_only("bad2.xml (empty)", "/vsisparse//vsimem/sp/bad2.xml", "rb");
    make_text("/vsimem/sp/bad3.xml", "<VSISparseFile><Length>5");
    open_only("bad3.xml (unclosed)", "/vsisparse//vsimem/sp/bad3.xml", "rb");
    CPLPopErrorHandler();
    /* the region's Filename must be text */
    make_text("/vsimem/sp/nofile.xml",
              "<VSISparseFile><SubfileRegion><Filename><x/></Filename>"
              "<RegionLength>4</RegionLength></SubfileRegion>"
              "</VSISparseFile>");
    read_at("nofile", "/vsisparse//vsimem/sp/nofile.xml", 0, 4);

    section("a region that refers to its own description");
    make_text("/vsimem/sp/self.xml",
              "<VSISparseFile><Length>8</Length>"
              "<SubfileRegion>"
              "<Filename>/vsisparse//vsimem/sp/self.xml</Filename>"
              "<DestinationOffset>0</DestinationOffset>"
              "<RegionLength>8</RegionLength></SubfileRegion>"
              "</VSISparseFile>");
    fp = OPEN_MEM("/vsisparse//vsimem/sp/self.xml", "rb");
    reset_errors();
    read_show(fp, 1, 8);
    show_vsierr("self reference");
    CLOSE(fp);
    STAT_MEM("/vsisparse//vsimem/sp/self.xml");
    /* a self reference that lands on a constant region terminates */
    make_text("/vsimem/sp/selfok.xml",
              "<VSISparseFile>"
              "<ConstantRegion><DestinationOffset>0</DestinationOffset>"
              "<RegionLength>4</RegionLength><Value>68</Value>"
              "</ConstantRegion>"
              "<SubfileRegion>"
              "<Filename>/vsisparse//vsimem/sp/selfok.xml</Filename>"
              "<DestinationOffset>4</DestinationOffset>"
              "<SourceOffset>1</SourceOffset>"
              "<RegionLength>3</RegionLength></SubfileRegion>"
              "</VSISparseFile>");
    read_at("selfok", "/vsisparse//vsimem/sp/selfok.xml", 0, 8);

    section("10 GB description");
    make_text("/vsimem/sp/big.xml",
              "<VSISparseFile><Length>10737418240</Length>"
              "<ConstantRegion><DestinationOffset>5368709120</DestinationOffset>"
              "<RegionLength>4</RegionLength><Value>90</Value>"
              "</ConstantRegion>"
              "<SubfileRegion><Filename relative=\"1\">data.bin</Filename>"
              "<DestinationOffset>9663676416</DestinationOffset>"
              "<SourceOffset>10</SourceOffset>"
              "<RegionLength>10</RegionLength></SubfileRegion>"
              "</VSISparseFile>");
    STAT_MEM("/vsisparse//vsimem/sp/big.xml");
    fp = OPEN_MEM("/vsisparse//vsimem/sp/big.xml", "rb");
    SHOWI(VSIFSeekL(fp, 5 * GIB - 2, SEEK_SET));
    read_show(fp, 1, 8);
    SHOWI(VSIFSeekL(fp, 9 * GIB + 8, SEEK_SET));
    read_show(fp, 1, 4);
    SHOWI(VSIFSeekL(fp, 0, SEEK_END));
    show_pos("SEEK_END", fp);
    SHOWI(VSIFSeekL(fp, 10 * GIB - 3, SEEK_SET));
    read_show(fp, 1, 8);
    {
        unsigned char a[4] = {0}, b[6] = {0}, c[2] = {0};
        void *p[3] = {a, b, c};
        vsi_l_offset o[3] = {100, 5 * GIB + 1, 9 * GIB + 6};
        size_t s[3] = {4, 6, 2};
        SHOWI(VSIFReadMultiRangeL(3, p, o, s, fp));
        hexdump("a", a, 4);
        hexdump("b", b, 6);
        hexdump("c", c, 2);
        show_pos("after multirange", fp);
        o[2] = 10 * GIB - 1;
        SHOWI(VSIFReadMultiRangeL(3, p, o, s, fp));
    }
    CLOSE(fp);
    snprintf(path, sizeof(path), "/vsisubfile/%llu_8,/vsisparse//vsimem/sp/big.xml",
             (unsigned long long)(9 * GIB + 6));
    fp = open_show("/vsisubfile/(9GiB+6)_8,/vsisparse/big.xml", path, "rb");
    read_show(fp, 1, 8);
    CLOSE(fp);
    show_stat_ex("/vsisubfile/(9GiB+6)_8,/vsisparse/big.xml", path, 1, 0);

    section("chaining: description and regions in /vsisubfile/");
    {
        const char *inner_xml =
            "<VSISparseFile><SubfileRegion>"
            "<Filename>/vsisubfile/3_4,/vsimem/sp/data.bin</Filename>"
            "<DestinationOffset>1</DestinationOffset>"
            "<RegionLength>4</RegionLength></SubfileRegion>"
            "</VSISparseFile>";
        snprintf(xml, sizeof(xml), "JUNK%sJUNK", inner_xml);
        make_text("/vsimem/sp/wrapped.bin", xml);
        snprintf(path, sizeof(path), "/vsisparse//vsisubfile/4_%zu,/vsimem/sp/wrapped.bin",
                 strlen(inner_xml));
        read_at("sparse over subfile", path, 1, 8);
        read_at("sparse over subfile", path, 0, 8);
    }
    snprintf(xml, sizeof(xml),
             "<VSISparseFile><SubfileRegion><Filename>%s</Filename>"
             "<RegionLength>3</RegionLength></SubfileRegion>"
             "<SubfileRegion><Filename>/vsimem/sp/data.bin</Filename>"
             "<DestinationOffset>3</DestinationOffset>"
             "<RegionLength>3</RegionLength></SubfileRegion>"
             "</VSISparseFile>",
             LP("abs.bin"));
    make_text(LP("local.xml"), xml);
    snprintf(path, sizeof(path), "/vsisparse/%s", LP("local.xml"));
    read_at("/vsisparse/LP(\"local.xml\")", path, 0, 8);
    show_stat_ex("/vsisparse/LP(\"local.xml\")", path, 0, 0);

    section("path operations");
    errno = 0;
    SHOWI(VSIUnlink("/vsisparse//vsimem/sp/a.xml"));
    printf("  errno=%d\n", errno);
    errno = 0;
    SHOWI(VSIMkdir("/vsisparse//vsimem/sp/d", 0755));
    printf("  errno=%d\n", errno);
    errno = 0;
    SHOWI(VSIRmdir("/vsisparse//vsimem/sp"));
    printf("  errno=%d\n", errno);
    LIST_AS_IS(VSIReadDir("/vsisparse//vsimem/sp"));
    STAT_MEM("/vsimem/sp/a.xml");

    return test_finish();
}
