// SPDX-License-Identifier: MIT
// ds::zstd and its C ABI: round trips at every DSTORAGE_COMPRESSION level, several frames and
// skippable frames decode as zstd(1) does, and every damaged input (truncated, corrupt, too small
// a destination) fails with its own error without writing past the destination.
#include <cstring>
#include <vector>

#include "check.h"
#include "ds/zstd.h"
#include "ds_runtime.h"
#include "test_util.h"

namespace zs = ds::zstd;

namespace {

std::vector<uint8_t> compressible(size_t size, uint32_t seed) {
    std::vector<uint8_t> v = dstest::random_bytes(size, seed);
    for (size_t i = 0; i < size; ++i)
        if ((i / 64) % 3)
            v[i] = uint8_t(i / 512);
    return v;
}

std::vector<uint8_t> pack(const std::vector<uint8_t> &in, int level = zs::kLevelDefault, unsigned threads = 1) {
    std::vector<uint8_t> out(zs::compress_bound(in.size()));
    size_t n = 0;
    CHECK_EQ(zs::compress(in.data(), in.size(), level, out.data(), out.size(), &n, threads), zs::Error::Ok);
    out.resize(n);
    return out;
}

void test_round_trips() {
    const size_t sizes[] = {0, 1, 4096, 200000, 3 << 20};
    for (int level : {zs::kLevelFastest, zs::kLevelDefault, zs::kLevelBestRatio}) {
        for (size_t size : sizes) {
            if (level == zs::kLevelBestRatio && size > 200000)
                continue;  // slow and proves nothing more
            std::vector<uint8_t> plain = compressible(size, uint32_t(size + level)), packed = pack(plain, level);
            CHECK(packed.size() <= zs::compress_bound(size));
            // dst_cap is larger than needed; libzstd may use the spare bytes, never those past dst_cap.
            std::vector<uint8_t> out(size + 128, 0xA5);
            size_t got = 1;
            CHECK_EQ(zs::decompress(packed.data(), packed.size(), out.data(), size + 64, &got), zs::Error::Ok);
            CHECK_EQ(got, size);
            CHECK(size == 0 || std::memcmp(out.data(), plain.data(), size) == 0);
            CHECK_EQ(out[size + 64], uint8_t(0xA5));
        }
    }
    // Worker threads give a stream that decodes the same.
    std::vector<uint8_t> plain = compressible(4 << 20, 3), packed = pack(plain, zs::kLevelDefault, 4),
                         out(plain.size());
    size_t got = 0;
    CHECK_EQ(zs::decompress(packed.data(), packed.size(), out.data(), out.size(), &got), zs::Error::Ok);
    CHECK(out == plain);
}

void test_frames() {
    std::vector<uint8_t> a = compressible(70000, 1), b = compressible(5000, 2);
    std::vector<uint8_t> stream = pack(a);
    // A skippable frame (magic 0x184D2A50..5F, u32 size, payload) between two data frames.
    const uint8_t skippable[] = {0x53, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 'd', 's', 'k'};
    stream.insert(stream.end(), skippable, skippable + sizeof(skippable));
    std::vector<uint8_t> second = pack(b);
    stream.insert(stream.end(), second.begin(), second.end());
    std::vector<uint8_t> out(a.size() + b.size());
    size_t got = 0;
    CHECK_EQ(zs::decompress(stream.data(), stream.size(), out.data(), out.size(), &got), zs::Error::Ok);
    CHECK_EQ(got, out.size());
    CHECK(std::memcmp(out.data(), a.data(), a.size()) == 0);
    CHECK(std::memcmp(out.data() + a.size(), b.data(), b.size()) == 0);
}

void test_damaged() {
    std::vector<uint8_t> plain = compressible(300000, 7), packed = pack(plain);
    std::vector<uint8_t> out(plain.size() + 16, 0x3C);
    size_t got = 99;
    // Truncated: every cut inside the frame.
    for (size_t cut : {size_t(1), size_t(5), packed.size() / 2, packed.size() - 1}) {
        zs::Error e = zs::decompress(packed.data(), cut, out.data(), plain.size(), &got);
        if (!CHECK(e == zs::Error::Truncated || e == zs::Error::Corrupt))
            std::fprintf(stderr, "  cut at %zu: %s\n", cut, zs::error_name(e));
        CHECK_EQ(got, 0u);
    }
    CHECK_EQ(zs::decompress(packed.data(), 0, out.data(), plain.size(), &got), zs::Error::Truncated);
    // Too small a destination: no byte past it is touched.
    std::fill(out.begin(), out.end(), 0x3C);
    CHECK_EQ(zs::decompress(packed.data(), packed.size(), out.data(), plain.size() - 1, &got),
             zs::Error::OutputOverrun);
    CHECK_EQ(out[plain.size() - 1], uint8_t(0x3C));
    // Corrupt: flipped bytes in the blocks or the checksum.
    std::vector<uint8_t> bad = packed;
    bad[bad.size() - 2] ^= 0xFF;  // the checksum
    CHECK_EQ(zs::decompress(bad.data(), bad.size(), out.data(), plain.size(), &got), zs::Error::Corrupt);
    bad = packed;
    for (size_t i = 40; i < bad.size(); i += 97)
        bad[i] ^= 0x5A;
    CHECK(zs::decompress(bad.data(), bad.size(), out.data(), out.size(), &got) != zs::Error::Ok);
    // Not Zstandard at all.
    std::vector<uint8_t> junk = dstest::random_bytes(1000, 4);
    CHECK_EQ(zs::decompress(junk.data(), junk.size(), out.data(), out.size(), &got), zs::Error::Corrupt);
    // Trailing bytes after a complete frame are not a frame.
    bad = packed;
    bad.push_back(0);
    CHECK(zs::decompress(bad.data(), bad.size(), out.data(), out.size(), &got) != zs::Error::Ok);
    // Arguments.
    CHECK_EQ(zs::decompress(nullptr, 10, out.data(), out.size(), &got), zs::Error::InvalidArgument);
    CHECK_EQ(zs::compress(plain.data(), plain.size(), 0, out.data(), out.size(), &got, 1), zs::Error::InvalidArgument);
    CHECK_EQ(zs::compress(plain.data(), plain.size(), 20, out.data(), out.size(), &got, 1), zs::Error::InvalidArgument);
    CHECK_EQ(zs::compress(plain.data(), plain.size(), 1, out.data(), 10, &got, 1), zs::Error::OutputOverrun);
}

void test_stream_decoder_pieces() {
    std::vector<uint8_t> plain = compressible(1 << 20, 11), packed = pack(plain), out(plain.size());
    for (size_t piece : {size_t(1), size_t(7), size_t(4096), size_t(1) << 20}) {
        std::fill(out.begin(), out.end(), 0);
        zs::StreamDecoder d(out.data(), out.size());
        for (size_t at = 0; at < packed.size(); at += piece)
            CHECK_EQ(d.feed(packed.data() + at, std::min(piece, packed.size() - at)), zs::Error::Ok);
        size_t got = 0;
        CHECK_EQ(d.finish(&got), zs::Error::Ok);
        CHECK_EQ(got, plain.size());
        CHECK(out == plain);
    }
    // A pre-1.0 ("legacy", v0.7 magic 0xFD2FB527) frame after a good one: refused whole and in every
    // piece size alike (libzstd built with legacy support accepted it whole and refused it in pieces;
    // the fuzz target found that).
    std::vector<uint8_t> legacy = packed;
    for (uint8_t b : {0x27, 0xB5, 0x2F, 0xFD, 0x24, 0x01, 0x00, 0x00, 0x00})
        legacy.push_back(b);
    size_t whole = 0;
    CHECK_EQ(zs::decompress(legacy.data(), legacy.size(), out.data(), out.size(), &whole), zs::Error::Corrupt);
    for (size_t piece : {size_t(1), size_t(2), size_t(3), size_t(4096)}) {
        zs::StreamDecoder d(out.data(), out.size());
        zs::Error e = zs::Error::Ok;
        for (size_t at = 0; at < legacy.size() && e == zs::Error::Ok; at += piece)
            e = d.feed(legacy.data() + at, std::min(piece, legacy.size() - at));
        size_t got = 0;
        if (e == zs::Error::Ok)
            e = d.finish(&got);
        CHECK_EQ(e, zs::Error::Corrupt);
    }
    // A magic cut short is a truncated stream.
    {
        zs::StreamDecoder d(out.data(), out.size());
        CHECK_EQ(d.feed(packed.data(), 2), zs::Error::Ok);
        size_t got = 0;
        CHECK_EQ(d.finish(&got), zs::Error::Truncated);
    }
    // The input stops inside the frame: finish says so.
    zs::StreamDecoder d(out.data(), out.size());
    CHECK_EQ(d.feed(packed.data(), packed.size() - 3), zs::Error::Ok);
    size_t got = 0;
    CHECK_EQ(d.finish(&got), zs::Error::Truncated);
}

void test_c_abi() {
    std::vector<uint8_t> plain = compressible(100000, 5);
    std::vector<uint8_t> packed(ds_zstd_compress_bound(plain.size()));
    size_t n = 0;
    CHECK_EQ(ds_zstd_compress(plain.data(), plain.size(), DS_ZSTD_LEVEL_FASTEST, packed.data(), packed.size(), &n, 0),
             DS_ZSTD_OK);
    std::vector<uint8_t> out(plain.size() * 2);
    size_t got = 0;
    CHECK_EQ(ds_zstd_decompress(packed.data(), n, out.data(), out.size(), &got), DS_ZSTD_OK);
    CHECK_EQ(got, plain.size());
    CHECK(std::memcmp(out.data(), plain.data(), plain.size()) == 0);
    CHECK_EQ(ds_zstd_decompress(packed.data(), n, out.data(), plain.size() - 1, &got), DS_ZSTD_OUTPUT_OVERRUN);
    CHECK_EQ(got, 0u);
    CHECK(std::strlen(ds_zstd_error_name(DS_ZSTD_CORRUPT)) > 0);
    CHECK(std::strcmp(ds_zstd_error_name(static_cast<ds_zstd_error>(42)), "unknown") == 0);
}

}  // namespace

int main() {
    if (!zs::available())
        dstest::skip_or_fail("DS_REQUIRE_ZSTD", "built without libzstd (DS_WITH_ZSTD=OFF)");
    test_round_trips();
    test_frames();
    test_damaged();
    test_stream_decoder_pieces();
    test_c_abi();
    return dstest::finish("zstd_codec_test");
}
