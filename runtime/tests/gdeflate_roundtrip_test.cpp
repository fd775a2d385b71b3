// SPDX-License-Identifier: MIT
// GDeflate encode -> decode round trips: tile-boundary sizes, several MiB, incompressible and
// highly compressible data, every level, each block type forced, and 1..4 decode threads.
#include <cstdio>
#include <vector>

#include "check.h"
#include "ds/gdeflate.h"
#include "gdeflate/tile_decoder.h"
#include "gdeflate/tile_encoder.h"
#include "test_util.h"

namespace gd = ds::gdeflate;

namespace {

std::vector<uint8_t> text_like(size_t size, uint32_t seed) {
    static const char *words[] = {"tile ", "stream ", "lane ", "huffman ", "deflate ", "copy ", "\n", "0123 "};
    std::vector<uint8_t> v;
    v.reserve(size);
    uint32_t x = seed * 2654435761u + 1;
    while (v.size() < size) {
        x = x * 1103515245u + 12345u;
        for (const char *w = words[(x >> 16) % 8]; *w && v.size() < size; ++w)
            v.push_back(uint8_t(*w));
    }
    return v;
}

bool round_trip(const std::vector<uint8_t> &in, int level, unsigned threads, const char *what) {
    std::vector<uint8_t> packed(gd::compress_bound(in.size()));
    size_t written = 0;
    gd::Error e = gd::encode(in.data(), in.size(), packed.data(), packed.size(), level, threads, &written);
    if (!CHECK_EQ(gd::error_name(e), std::string("ok"))) {
        std::fprintf(stderr, "  encode of %s (%zu bytes, level %d) failed\n", what, in.size(), level);
        return false;
    }
    CHECK(written <= packed.size());
    gd::StreamInfo info;
    CHECK_EQ(gd::read_info(packed.data(), written, &info), gd::Error::Ok);
    CHECK_EQ(info.uncompressed_size, uint64_t(in.size()));
    std::vector<uint8_t> out(in.size() + 1, 0xEE);
    uint64_t produced = 0;
    e = gd::decode(packed.data(), written, out.data(), in.size(), threads, &produced);
    if (!CHECK_EQ(std::string(gd::error_name(e)), std::string("ok"))) {
        std::fprintf(stderr, "  decode of %s (%zu bytes, level %d) failed\n", what, in.size(), level);
        return false;
    }
    CHECK_EQ(produced, uint64_t(in.size()));
    CHECK_EQ(out[in.size()], uint8_t(0xEE));  // nothing written past the end
    out.resize(in.size());
    if (!CHECK(out == in)) {
        std::fprintf(stderr, "  %s (%zu bytes, level %d): output differs\n", what, in.size(), level);
        return false;
    }
    return true;
}

void test_sizes() {
    const size_t sizes[] = {0, 1, 2, 3, 31, 32, 33, 100, 65535, 65536, 65537, 131072, 200000};
    for (size_t n : sizes) {
        round_trip(dstest::random_bytes(n, uint32_t(n) + 1), gd::kLevelDefault, 2, "random");
        round_trip(text_like(n, 3), gd::kLevelDefault, 2, "text");
        round_trip(std::vector<uint8_t>(n, 0x41), gd::kLevelFastest, 1, "one byte repeated");
    }
}

void test_levels() {
    std::vector<uint8_t> text = text_like(300000, 7);
    std::vector<uint8_t> noise = dstest::random_bytes(140000, 9);
    size_t prev_size = SIZE_MAX;
    for (int level = gd::kLevelFastest; level <= gd::kLevelBestRatio; ++level) {
        round_trip(text, level, 2, "text");
        round_trip(noise, level, 2, "random");
        std::vector<uint8_t> packed(gd::compress_bound(text.size()));
        size_t written = 0;
        gd::encode(text.data(), text.size(), packed.data(), packed.size(), level, 2, &written);
        std::printf("level %2d: text %zu -> %zu bytes\n", level, text.size(), written);
        (void)prev_size;
        prev_size = written;
    }
    size_t w = 0;
    std::vector<uint8_t> out(64);
    CHECK_EQ(gd::encode(text.data(), 10, out.data(), out.size(), 0, 1, &w), gd::Error::InvalidArgument);
    CHECK_EQ(gd::encode(text.data(), 10, out.data(), out.size(), 13, 1, &w), gd::Error::InvalidArgument);
}

void test_compressible_ratio() {
    std::vector<uint8_t> zeros(4 << 20, 0);
    std::vector<uint8_t> packed(gd::compress_bound(zeros.size()));
    size_t written = 0;
    CHECK_EQ(gd::encode(zeros.data(), zeros.size(), packed.data(), packed.size(), gd::kLevelDefault, 0, &written),
             gd::Error::Ok);
    CHECK(written < zeros.size() / 50);
    std::vector<uint8_t> noise = dstest::random_bytes(1 << 20, 5);
    CHECK_EQ(gd::encode(noise.data(), noise.size(), packed.data(), packed.size(), gd::kLevelDefault, 0, &written),
             gd::Error::Ok);
    CHECK(written <= gd::compress_bound(noise.size()));
    CHECK(written > noise.size());  // stored tiles: a little overhead, never more than the bound
}

void test_many_mib_threads() {
    std::vector<uint8_t> in = text_like(6 << 20, 11);
    for (size_t i = 0; i < in.size(); i += 4099)
        in[i] = uint8_t(i >> 7);  // break up the repetition a little
    for (unsigned threads : {1u, 2u, 4u})
        round_trip(in, gd::kLevelFastest, threads, "6 MiB text");
}

void test_forced_block_types() {
    const std::vector<uint8_t> inputs[] = {text_like(65536, 1), dstest::random_bytes(65536, 2), text_like(17, 4),
                                           std::vector<uint8_t>(65536, 0)};
    const gd::BlockChoice kinds[] = {gd::BlockChoice::Stored, gd::BlockChoice::Fixed, gd::BlockChoice::Dynamic};
    gd::TileEncoder enc;
    gd::TileDecoder *dec = new gd::TileDecoder;
    std::vector<uint8_t> buf(200000);
    for (const auto &in : inputs) {
        for (gd::BlockChoice k : kinds) {
            size_t n = enc.run(in.data(), in.size(), gd::match_params(6), buf.data(), buf.size(), k);
            if (!CHECK(n > 0))
                continue;
            std::vector<uint8_t> out(in.size());
            CHECK_EQ(dec->run(buf.data(), n, out.data(), out.size()), gd::Error::Ok);
            CHECK(out == in);
        }
    }
    delete dec;
}

}  // namespace

int main() {
    test_sizes();
    test_forced_block_types();
    test_levels();
    test_compressible_ratio();
    test_many_mib_threads();
    return dstest::finish("gdeflate_roundtrip_test");
}
