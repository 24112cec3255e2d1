/*
 * test_crypt.c -- /vsicrypt/ through the C API: VSISetCryptKey and the
 * key= option, VSIFOpenL/VSIFWriteL/VSIFReadL/VSIFSeekL/VSIFTruncateL on
 * encrypted files, GDAL's on-disk format byte for byte, the errors of a
 * wrong key, a missing key, a damaged header and a truncated file (with no
 * key in any message), and chaining over /vsimem/ and local files.
 *
 * GDAL builds without Crypto++ (Debian's) have no /vsicrypt/: built against
 * such a GDAL (check-against-gdal.sh) the program says so and checks nothing.
 */
#include "test_common.h"

#define KEY "DONT_USE_IN_PROD"
#define DIR "/vsimem/test_crypt"

/* Written by tests/vectors/crypt_vectors.cpp with Crypto++ (the library
 * GDAL's /vsicrypt/ uses): key KEY, IV "0123456789ABCDEF", mode CBC,
 * sector size 32, free text "my free text", a key check, and 96 bytes of
 * payload 'a'..'z' repeated. */
static const unsigned char k_cryptopp_cbc_file[] = {
    0x56, 0x53, 0x49, 0x43, 0x52, 0x59, 0x50, 0x54, 0x4a, 0x00, 0x01, 0x00,
    0x20, 0x00, 0x00, 0x00, 0x10, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36,
    0x37, 0x38, 0x39, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x0c, 0x00, 0x6d,
    0x79, 0x20, 0x66, 0x72, 0x65, 0x65, 0x20, 0x74, 0x65, 0x78, 0x74, 0x10,
    0x20, 0x48, 0x66, 0x68, 0x57, 0x8f, 0x60, 0x38, 0x8f, 0xbb, 0x3e, 0x7e,
    0xe6, 0x4f, 0x37, 0x36, 0x60, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0xb7, 0x24, 0x79, 0xfa, 0xa8, 0x7c, 0x6a, 0x14, 0xcb, 0x03,
    0x4c, 0xcd, 0x8b, 0x0a, 0x8a, 0x53, 0xfb, 0xe9, 0xf9, 0x2a, 0x27, 0xe0,
    0xa7, 0x0e, 0x50, 0x63, 0x5a, 0x5c, 0xe7, 0x36, 0x47, 0xc6, 0x12, 0x11,
    0xdb, 0xe6, 0xea, 0xc5, 0xca, 0x47, 0xb2, 0xa3, 0xe5, 0xb2, 0x10, 0xe1,
    0xdc, 0x3b, 0x10, 0x9c, 0xa1, 0xac, 0xf6, 0x5d, 0x5e, 0x9f, 0x66, 0x1d,
    0x26, 0x03, 0xe1, 0x50, 0xc3, 0xea, 0xb5, 0xdc, 0x32, 0xdd, 0xb3, 0xd1,
    0xcf, 0xa2, 0x93, 0x89, 0x70, 0xbd, 0x24, 0x97, 0x2e, 0xc9, 0x26, 0xce,
    0xa8, 0x6f, 0x26, 0x16, 0xa4, 0xa1, 0x40, 0xd2, 0x79, 0x07, 0x0a, 0x14,
    0x8f, 0xa7,
};

static void payload96(char *out)
{
    for (int i = 0; i < 96; i++)
        out[i] = (char)('a' + i % 26);
}

/* True when the last CPL error message mentions `needle` and not the key. */
static int last_error_has(const char *needle)
{
    const char *msg = CPLGetLastErrorMsg();
    int ok = strstr(msg, needle) != NULL && strstr(msg, KEY) == NULL && strstr(msg, "dont_use") == NULL;
    if (!ok)
        fprintf(stderr, "  note: last error \"%s\", expected to mention \"%s\"\n", msg, needle);
    return ok;
}

static void test_set_crypt_key_round_trip(void)
{
    VSISetCryptKey((const GByte *)KEY, 16);
    VSILFILE *fp = VSIFOpenL("/vsicrypt/add_key_check=yes,file=" DIR "/a.bin", "wb+");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFWriteL("hello", 1, 5, fp), 5);
    CHECK_INT(VSIFSeekL(fp, 0, SEEK_SET), 0);
    char buf[8] = {0};
    CHECK_INT(VSIFReadL(buf, 1, 5, fp), 5);
    CHECK_MEM(buf, "hello", 5);
    CHECK_INT(VSIFCloseL(fp), 0);

    CHECK(file_equals("/vsicrypt/" DIR "/a.bin", "hello"));
    CHECK_INT(stat_size("/vsicrypt/" DIR "/a.bin"), 5);
    /* Header (46 bytes + a 16-byte key check) and one 512-byte sector. */
    CHECK_INT(stat_size(DIR "/a.bin"), 46 + 16 + 512);
    /* The key= option works alongside. */
    CHECK(file_equals("/vsicrypt/key=" KEY ",file=" DIR "/a.bin", "hello"));

    /* "wb+" again through the global key. */
    fp = VSIFOpenL("/vsicrypt/" DIR "/a.bin", "wb+");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFWriteL("hello2", 1, 6, fp), 6);
    CHECK_INT(VSIFCloseL(fp), 0);
    CHECK(file_equals("/vsicrypt/" DIR "/a.bin", "hello2"));

    /* A 3-byte key: too short to create, invalid to read. */
    VSISetCryptKey((const GByte *)"bbc", 3);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CHECK(VSIFOpenL("/vsicrypt/" DIR "/a.bin", "rb") == NULL);
    CHECK(VSIFOpenL("/vsicrypt/" DIR "/b.bin", "wb+") == NULL);
    CHECK(last_error_has("Key is too short"));
    /* Cleared: no key at all. */
    VSISetCryptKey(NULL, 0);
    CPLErrorReset();
    CHECK(VSIFOpenL("/vsicrypt/" DIR "/a.bin", "wb+") == NULL);
    CHECK(last_error_has("Encryption key not defined"));
    CPLPopErrorHandler();
    CHECK(!exists(DIR "/b.bin"));
    VSIUnlink(DIR "/a.bin");
}

static void test_gdal_format_byte_for_byte(void)
{
    char payload[96];
    payload96(payload);
    const char *path = "/vsicrypt/key=" KEY ",iv=0123456789ABCDEF,sector_size=32,"
                       "freetext=my free text,add_key_check=yes,file=" DIR "/exact.bin";
    VSILFILE *fp = VSIFOpenL(path, "wb");
    REQUIRE(fp != NULL);
    /* In pieces that straddle sectors. */
    CHECK_INT(VSIFWriteL(payload, 1, 10, fp), 10);
    CHECK_INT(VSIFWriteL(payload + 10, 1, 50, fp), 50);
    CHECK_INT(VSIFWriteL(payload + 60, 1, 36, fp), 36);
    CHECK_INT(VSIFCloseL(fp), 0);
    vsi_l_offset n = 0;
    GByte *bytes = VSIGetMemFileBuffer(DIR "/exact.bin", &n, FALSE);
    REQUIRE(bytes != NULL);
    CHECK_U64(n, sizeof k_cryptopp_cbc_file);
    CHECK_MEM(bytes, k_cryptopp_cbc_file, sizeof k_cryptopp_cbc_file);

    /* And it reads the Crypto++ file back. */
    CHECK_INT(put_file(DIR "/pp.bin", k_cryptopp_cbc_file, sizeof k_cryptopp_cbc_file), 0);
    size_t got_n = 0;
    char *got = get_file("/vsicrypt/key=" KEY ",file=" DIR "/pp.bin", &got_n);
    REQUIRE(got != NULL);
    CHECK_INT(got_n, 96);
    CHECK_MEM(got, payload, 96);
    free(got);
    VSIUnlink(DIR "/exact.bin");
    VSIUnlink(DIR "/pp.bin");
}

static void test_every_mode(void)
{
    static const char *modes[] = {"CBC", "CFB", "OFB", "CTR", "CBC_CTS"};
    unsigned char data[3000], back[3100];
    fill_pattern(data, sizeof data, 7, 0);
    for (int m = 0; m < 5; m++) {
        char path[256];
        snprintf(path, sizeof path, "/vsicrypt/key=" KEY ",mode=%s,sector_size=64,file=" DIR "/mode.bin", modes[m]);
        CHECK_INT(put_file(path, data, sizeof data), 0);
        VSILFILE *fp = VSIFOpenL(path, "rb");
        REQUIRE(fp != NULL);
        CHECK_INT(VSIFReadL(back, 1, sizeof back, fp), sizeof data);
        CHECK(VSIFEofL(fp));
        CHECK_MEM(back, data, sizeof data);
        /* Random access. */
        CHECK_INT(VSIFSeekL(fp, 1000, SEEK_SET), 0);
        CHECK_INT(VSIFReadL(back, 1, 100, fp), 100);
        CHECK_MEM(back, data + 1000, 100);
        CHECK_INT(VSIFCloseL(fp), 0);
        CHECK_INT(stat_size(path), sizeof data);
        CHECK_INT(stat_size(DIR "/mode.bin"), 46 + 47 * 64);
    }
    VSIUnlink(DIR "/mode.bin");
}

static void test_wrong_key_and_damaged_header(void)
{
    const char *file = DIR "/checked.bin";
    CHECK_INT(put_str("/vsicrypt/key=" KEY ",add_key_check=yes,file=" DIR "/checked.bin", "secret data"), 0);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    VSIErrorReset();
    VSILFILE *fp = VSIFOpenExL("/vsicrypt/key=dont_use_in_prod,file=" DIR "/checked.bin", "rb", TRUE);
    CHECK(fp == NULL);
    CHECK_INT(CPLGetLastErrorNo(), CPLE_AppDefined);
    CHECK(last_error_has("Bad key"));
#if IS_LIBVSI
    /* GDAL's handler ignores bSetError; libvsi also records it. */
    CHECK(strstr(VSIGetLastErrorMsg(), "Bad key") != NULL);
    CHECK(strstr(VSIGetLastErrorMsg(), "dont_use") == NULL);
#endif
    VSIStatBufL st;
    CHECK(VSIStatL("/vsicrypt/key=dont_use_in_prod,file=" DIR "/checked.bin", &st) != 0);

    /* Not an encrypted file. */
    CHECK_INT(put_str(file, "just some plain text that is long enough"), 0);
    CPLErrorReset();
    CHECK(VSIFOpenL("/vsicrypt/key=" KEY ",file=" DIR "/checked.bin", "rb") == NULL);
    CHECK(last_error_has("Invalid signature"));

    /* Every byte of a header set to 0, 127, 255: never a crash. */
    CHECK_INT(put_str("/vsicrypt/key=" KEY ",add_key_check=yes,file=" DIR "/checked.bin", "hello"), 0);
    size_t n = 0;
    char *good = get_file(file, &n);
    REQUIRE(good != NULL);
    CHECK_INT(n, 46 + 16 + 512);
    for (size_t i = 0; i < 62; i++) {
        static const unsigned char vals[] = {0, 127, 255};
        for (int v = 0; v < 3; v++) {
            char *bad = malloc(n);
            REQUIRE(bad != NULL);
            memcpy(bad, good, n);
            bad[i] = (char)vals[v];
            CHECK_INT(put_file(file, bad, n), 0);
            free(bad);
            fp = VSIFOpenL("/vsicrypt/key=" KEY ",file=" DIR "/checked.bin", "rb");
            if (fp != NULL) {
                char buf[600];
                (void)VSIFReadL(buf, 1, sizeof buf, fp);
                VSIFCloseL(fp);
            } else {
                CHECK(CPLGetLastErrorMsg()[0] != 0);
            }
        }
    }
    /* Every truncation of the header. */
    for (size_t cut = 0; cut < 62; cut++) {
        CHECK_INT(put_file(file, good, cut), 0);
        CHECK_MSG(VSIFOpenL("/vsicrypt/key=" KEY ",file=" DIR "/checked.bin", "rb") == NULL, "cut at %zu", cut);
    }
    free(good);
    CPLPopErrorHandler();
    VSIUnlink(file);
}

static void test_truncated_file(void)
{
    const char *path = "/vsicrypt/key=" KEY ",file=" DIR "/trunc.bin";
    unsigned char data[1500], back[1500];
    fill_pattern(data, sizeof data, 3, 0);
    CHECK_INT(put_file(path, data, sizeof data), 0);
    size_t n = 0;
    char *good = get_file(DIR "/trunc.bin", &n);
    REQUIRE(good != NULL);
    CHECK_INT(n, 46 + 3 * 512);
    /* Cut inside the last sector. */
    CHECK_INT(put_file(DIR "/trunc.bin", good, 46 + 2 * 512 + 100), 0);
    free(good);

    VSILFILE *fp = VSIFOpenL(path, "rb");
    REQUIRE(fp != NULL);
    CHECK_INT(VSIFReadL(back, 1, 1024, fp), 1024);
    CHECK_MEM(back, data, 1024);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    VSIErrorReset();
    CHECK(VSIFReadL(back, 1, 476, fp) < 476);
#if IS_LIBVSI
    /* A clear error, not a silent end of file. */
    CHECK(VSIFErrorL(fp));
    CHECK(!VSIFEofL(fp));
    CHECK(strstr(VSIGetLastErrorMsg(), "Truncated /vsicrypt/ file") != NULL);
    CHECK(strstr(VSIGetLastErrorMsg(), KEY) == NULL);
    /* A whole-file read fails the same way. */
    CHECK_INT(VSIFSeekL(fp, 0, SEEK_SET), 0);
    CHECK_INT(VSIFReadL(back, 1, sizeof back, fp), 0);
    CHECK(last_error_has("Truncated"));
#endif
    CPLPopErrorHandler();
    CHECK_INT(VSIFCloseL(fp), 0);
    VSIUnlink(DIR "/trunc.bin");
}

/* Seeded writes, reads and shrinking truncations, the same on /vsicrypt/
 * and on /vsimem/. */
static void test_random_operations_match_vsimem(void)
{
    const char *tpath = "/vsicrypt/key=" KEY ",sector_size=32,mode=CBC_CTS,file=" DIR "/rand.bin";
    const char *rpath = DIR "/rand_ref.bin";
    VSILFILE *t = VSIFOpenL(tpath, "wb+");
    VSILFILE *r = VSIFOpenL(rpath, "wb+");
    REQUIRE(t != NULL && r != NULL);
    uint32_t x = 12345;
#define NEXT() (x = x * 1103515245u + 12345u, (x >> 8))
    unsigned char a[200], b[200];
    for (int i = 0; i < 400; i++) {
        unsigned op = NEXT() % 8;
        vsi_l_offset off = NEXT() % 1500;
        size_t len = 1 + NEXT() % 150;
        if (op < 4) {
            for (size_t k = 0; k < len; k++)
                a[k] = (unsigned char)NEXT();
            VSIFSeekL(t, off, SEEK_SET);
            VSIFSeekL(r, off, SEEK_SET);
            CHECK_INT(VSIFWriteL(a, 1, len, t), len);
            VSIFWriteL(a, 1, len, r);
        } else if (op < 7) {
            VSIFSeekL(t, off, SEEK_SET);
            VSIFSeekL(r, off, SEEK_SET);
            size_t na = VSIFReadL(a, 1, len, t);
            size_t nb = VSIFReadL(b, 1, len, r);
            CHECK_MSG(na == nb && memcmp(a, b, na) == 0, "op %d: read of %zu at %llu", i, len,
                      (unsigned long long)off);
            CHECK_INT(VSIFEofL(t), VSIFEofL(r));
        } else {
            VSIFSeekL(r, 0, SEEK_END);
            vsi_l_offset size = VSIFTellL(r);
            vsi_l_offset to = size ? NEXT() % size : 0;
            CHECK_INT(VSIFTruncateL(t, to), 0);
            VSIFTruncateL(r, to);
        }
    }
#undef NEXT
    CHECK_INT(VSIFCloseL(t), 0);
    CHECK_INT(VSIFCloseL(r), 0);
    size_t nt = 0, nr = 0;
    char *ct = get_file(tpath, &nt);
    char *cr = get_file(rpath, &nr);
    REQUIRE(ct != NULL && cr != NULL);
    CHECK_INT(nt, nr);
    CHECK_MEM(ct, cr, nr < nt ? nr : nt);
    free(ct);
    free(cr);
    VSIUnlink(DIR "/rand.bin");
    VSIUnlink(rpath);
}

static void test_chaining(void)
{
    /* Over a local file. */
    char path[4200];
    snprintf(path, sizeof path, "/vsicrypt/key=" KEY ",mode=CTR,file=%s", sp("local.bin"));
    CHECK_INT(put_str(path, "on the local disk"), 0);
    CHECK(file_equals(path, "on the local disk"));
    CHECK_INT(stat_size(sp("local.bin")), 46 + 512);
    CHECK_INT(VSIUnlink(path), 0);
    CHECK(!exists(sp("local.bin")));
    /* Over itself, with another key inside. */
    const char *twice = "/vsicrypt/key=" KEY ",file=/vsicrypt/key=ANOTHER_KEY_0123,file=" DIR "/twice.bin";
    CHECK_INT(put_str(twice, "two layers"), 0);
    CHECK(file_equals(twice, "two layers"));
    CHECK_INT(stat_size("/vsicrypt/key=ANOTHER_KEY_0123,file=" DIR "/twice.bin"), 46 + 512);
    VSIUnlink(DIR "/twice.bin");
}

static void test_install_is_idempotent(void)
{
    VSIInstallCryptFileHandler();
    VSIInstallCryptFileHandler();
    char **prefixes = VSIGetFileSystemsPrefixes();
    CHECK(list_has(prefixes, "/vsicrypt/"));
    CSLDestroy(prefixes);
    CHECK_INT(put_str("/vsicrypt/key=" KEY ",file=" DIR "/inst.bin", "x"), 0);
    CHECK(file_equals("/vsicrypt/key=" KEY ",file=" DIR "/inst.bin", "x"));
    VSIUnlink(DIR "/inst.bin");
}

int main(void)
{
    make_scratch("crypt");
    VSIMkdirRecursive(DIR, 0755);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    VSILFILE *probe = VSIFOpenL("/vsicrypt/key=" KEY ",file=" DIR "/probe.bin", "wb");
    CPLPopErrorHandler();
    if (probe == NULL) {
        /* Only GDAL builds without Crypto++ get here. */
        fprintf(stderr, "test_crypt: /vsicrypt/ not available (%s): nothing checked\n", CPLGetLastErrorMsg());
        CHECK(!IS_LIBVSI);
        return test_summary("test_crypt");
    }
    VSIFCloseL(probe);
    VSIUnlink(DIR "/probe.bin");

    RUN(test_set_crypt_key_round_trip);
    RUN(test_gdal_format_byte_for_byte);
    RUN(test_every_mode);
    RUN(test_wrong_key_and_damaged_header);
    RUN(test_truncated_file);
    RUN(test_random_operations_match_vsimem);
    RUN(test_chaining);
    RUN(test_install_is_idempotent);
    VSIRmdirRecursive(DIR);
    CHECK(!exists(DIR));
    return test_summary("test_crypt");
}
