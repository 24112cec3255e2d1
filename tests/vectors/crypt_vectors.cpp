// Reference vectors for /vsicrypt/, computed with Crypto++ (the library
// GDAL's /vsicrypt/ uses) through the same calls GDAL makes: an
// *_Mode_ExternalCipher over the block cipher, fed the whole sector through
// a StreamTransformationFilter with NO_PADDING. The file format (header,
// sector IVs, key check) is written here from GDAL's documentation of it.
//
// The printed values are pasted as literals into src/fs/crypt/cipher.rs,
// src/fs/crypt/header.rs and tests/crypt.rs. Not part of the build:
//
//   apt-get install libcrypto++-dev
//   g++ -O1 -o /tmp/crypt_vectors tests/vectors/crypt_vectors.cpp -lcryptopp
//   /tmp/crypt_vectors
#include <crypto++/aes.h>
#include <crypto++/des.h>
#include <crypto++/filters.h>
#include <crypto++/modes.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

using namespace CryptoPP;
typedef std::vector<unsigned char> Bytes;

enum Mode { CBC, CFB, OFB, CTR, CBC_CTS };
static const char *mode_name[] = {"CBC", "CFB", "OFB", "CTR", "CBC_CTS"};

static Bytes sector_iv(const Bytes &iv, uint64_t offset)
{
    Bytes out(iv);
    for (size_t i = 0; i < out.size() && i < 8; i++) {
        out[i] ^= (unsigned char)(offset & 0xff);
        offset >>= 8;
    }
    return out;
}

static Bytes run(StreamTransformation &m, const Bytes &in)
{
    std::string out;
    StreamTransformationFilter f(m, new StringSink(out), StreamTransformationFilter::NO_PADDING);
    f.Put(in.data(), in.size());
    f.MessageEnd();
    return Bytes(out.begin(), out.end());
}

static Bytes encrypt(BlockCipher &enc, Mode mode, const Bytes &iv, const Bytes &in)
{
    switch (mode) {
    case CBC: { CBC_Mode_ExternalCipher::Encryption m(enc, iv.data()); return run(m, in); }
    case CFB: { CFB_Mode_ExternalCipher::Encryption m(enc, iv.data()); return run(m, in); }
    case OFB: { OFB_Mode_ExternalCipher::Encryption m(enc, iv.data()); return run(m, in); }
    case CTR: { CTR_Mode_ExternalCipher::Encryption m(enc, iv.data()); return run(m, in); }
    default: { CBC_CTS_Mode_ExternalCipher::Encryption m(enc, iv.data()); return run(m, in); }
    }
}

static Bytes decrypt(BlockCipher &enc, BlockCipher &dec, Mode mode, const Bytes &iv, const Bytes &in)
{
    switch (mode) {
    case CBC: { CBC_Mode_ExternalCipher::Decryption m(dec, iv.data()); return run(m, in); }
    case CFB: { CFB_Mode_ExternalCipher::Decryption m(enc, iv.data()); return run(m, in); }
    case OFB: { OFB_Mode_ExternalCipher::Decryption m(enc, iv.data()); return run(m, in); }
    case CTR: { CTR_Mode_ExternalCipher::Decryption m(enc, iv.data()); return run(m, in); }
    default: { CBC_CTS_Mode_ExternalCipher::Decryption m(dec, iv.data()); return run(m, in); }
    }
}

static void print(const char *name, const Bytes &b)
{
    printf("%s (%zu bytes):\n   ", name, b.size());
    for (size_t i = 0; i < b.size(); i++) {
        printf(" 0x%02x,", b[i]);
        if (i % 16 == 15 && i + 1 < b.size())
            printf("\n   ");
    }
    printf("\n");
}

static Bytes seq(size_t n, unsigned start, unsigned step)
{
    Bytes b(n);
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char)(start + i * step);
    return b;
}

static Bytes str(const char *s) { return Bytes(s, s + strlen(s)); }

static const unsigned char KEY_CHECK[32] = {
    0xDB, 0x31, 0xB9, 0x1B, 0xD3, 0x1C, 0xFA, 0x3E, 0x84, 0x06, 0xC1, 0x42, 0xC3, 0xEC, 0xCD, 0x9A,
    0x02, 0x36, 0x22, 0x15, 0x58, 0x88, 0x74, 0x65, 0x00, 0x2F, 0x98, 0xBC, 0x69, 0x22, 0xE1, 0x63};

static Bytes key_check(BlockCipher &enc, const Bytes &iv)
{
    size_t n = enc.BlockSize() < 32 ? enc.BlockSize() : 32;
    return encrypt(enc, CBC, sector_iv(iv, ~(uint64_t)0), Bytes(KEY_CHECK, KEY_CHECK + n));
}

static void le16(Bytes &out, unsigned v) { out.push_back(v & 0xff); out.push_back(v >> 8); }

// A whole /vsicrypt/ file: header then sectors; bytes of the last sector
// past the payload are `fill` before encryption (GDAL puts random bytes).
static Bytes make_file(BlockCipher &enc, int alg, Mode mode, unsigned sector, const Bytes &iv,
                       const Bytes &freetext, bool add_check, const Bytes &payload, unsigned char fill)
{
    Bytes check = add_check ? key_check(enc, iv) : Bytes();
    Bytes h = str("VSICRYPT");
    size_t size = 8 + 2 + 1 + 1 + 2 + 1 + 1 + 1 + iv.size() + 2 + freetext.size() + 1 + check.size() + 8 + 2;
    le16(h, (unsigned)size);
    h.push_back(1);
    h.push_back(0);
    le16(h, sector);
    h.push_back((unsigned char)alg);
    h.push_back((unsigned char)mode);
    h.push_back((unsigned char)iv.size());
    h.insert(h.end(), iv.begin(), iv.end());
    le16(h, (unsigned)freetext.size());
    h.insert(h.end(), freetext.begin(), freetext.end());
    h.push_back((unsigned char)check.size());
    h.insert(h.end(), check.begin(), check.end());
    uint64_t n = payload.size();
    for (int i = 0; i < 8; i++)
        h.push_back((unsigned char)(n >> (8 * i)));
    le16(h, 0);
    for (size_t off = 0; off < payload.size(); off += sector) {
        Bytes plain(sector, fill);
        for (size_t i = 0; i < sector && off + i < payload.size(); i++)
            plain[i] = payload[off + i];
        Bytes c = encrypt(enc, mode, sector_iv(iv, off), plain);
        h.insert(h.end(), c.begin(), c.end());
    }
    return h;
}

int main()
{
    const Bytes iv16 = seq(16, 0xa0, 1);
    const Bytes plain64 = seq(64, 3, 7);
    const uint64_t offset = 0x0102030405060708ULL;

    print("sector_iv(a0..af, 0x0102030405060708)", sector_iv(iv16, offset));

    // AES, every mode, 64-byte sector at `offset`, three key sizes.
    for (size_t klen : {16, 24, 32}) {
        AES::Encryption enc(seq(klen, 0, 1).data(), klen);
        AES::Decryption dec(seq(klen, 0, 1).data(), klen);
        for (int m = CBC; m <= CBC_CTS; m++) {
            Bytes c = encrypt(enc, (Mode)m, sector_iv(iv16, offset), plain64);
            if (decrypt(enc, dec, (Mode)m, sector_iv(iv16, offset), c) != plain64)
                printf("ROUND TRIP FAILED\n");
            char name[64];
            snprintf(name, sizeof name, "AES-%zu %s", klen * 8, mode_name[m]);
            print(name, c);
        }
        char name[64];
        snprintf(name, sizeof name, "AES-%zu key check, iv a0..af", klen * 8);
        print(name, key_check(enc, iv16));
    }
    // CBC_CTS over exactly two blocks, and CTR carrying over the whole block.
    {
        AES::Encryption enc(seq(16, 0, 1).data(), 16);
        print("AES-128 CBC_CTS 32 bytes, iv a0..af", encrypt(enc, CBC_CTS, iv16, seq(32, 3, 7)));
        print("AES-128 CTR 48 bytes, iv ff*16", encrypt(enc, CTR, Bytes(16, 0xff), seq(48, 3, 7)));
        Bytes iv = Bytes(16, 0);
        for (int i = 8; i < 16; i++) iv[i] = 0xff;
        print("AES-128 CTR 32 bytes, iv 00*8 ff*8", encrypt(enc, CTR, iv, seq(32, 3, 7)));
    }
    // Triple DES (8-byte blocks), 32-byte sector.
    {
        const Bytes iv8 = seq(8, 0xa0, 1);
        DES_EDE2::Encryption e2(seq(16, 0x10, 3).data(), 16);
        DES_EDE2::Decryption d2(seq(16, 0x10, 3).data(), 16);
        DES_EDE3::Encryption e3(seq(24, 0x10, 3).data(), 24);
        DES_EDE3::Decryption d3(seq(24, 0x10, 3).data(), 24);
        for (int m = CBC; m <= CBC_CTS; m++) {
            Bytes c2 = encrypt(e2, (Mode)m, iv8, seq(32, 3, 7));
            Bytes c3 = encrypt(e3, (Mode)m, iv8, seq(32, 3, 7));
            if (decrypt(e2, d2, (Mode)m, iv8, c2) != seq(32, 3, 7) || decrypt(e3, d3, (Mode)m, iv8, c3) != seq(32, 3, 7))
                printf("ROUND TRIP FAILED\n");
            char name[64];
            snprintf(name, sizeof name, "DES_EDE2 %s", mode_name[m]);
            print(name, c2);
            snprintf(name, sizeof name, "DES_EDE3 %s", mode_name[m]);
            print(name, c3);
        }
        print("DES_EDE3 key check, iv a0..a7", key_check(e3, iv8));
    }
    // Whole files, key "DONT_USE_IN_PROD", IV "0123456789ABCDEF".
    {
        Bytes key = str("DONT_USE_IN_PROD");
        AES::Encryption enc(key.data(), key.size());
        Bytes iv = str("0123456789ABCDEF");
        Bytes payload96;
        for (int i = 0; i < 96; i++) payload96.push_back((unsigned char)('a' + i % 26));
        print("file CBC, sector 32, freetext, key check, 96 bytes",
              make_file(enc, 0, CBC, 32, iv, str("my free text"), true, payload96, 0));
        print("file CBC_CTS, sector 32, 96 bytes",
              make_file(enc, 0, CBC_CTS, 32, iv, Bytes(), false, payload96, 0));
        Bytes payload100 = payload96;
        for (int i = 0; i < 4; i++) payload100.push_back((unsigned char)('0' + i));
        print("file CTR, sector 32, 100 bytes, tail 0x5a",
              make_file(enc, 0, CTR, 32, iv, Bytes(), false, payload100, 0x5a));
        print("file empty, default options, iv 0123456789ABCDEF",
              make_file(enc, 0, CBC, 512, iv, Bytes(), false, Bytes(), 0));
    }
    return 0;
}
