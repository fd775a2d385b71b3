// SPDX-License-Identifier: MIT
// The decoder's table builder (two-level tables: a primary table and subtables for long codes)
// and its stored-block fast path (128 bytes at a time), against codes and tiles built here.
#include <cstdio>
#include <random>
#include <vector>

#include "check.h"
#include "gdeflate/format.h"
#include "gdeflate/huffman_build.h"
#include "gdeflate/huffman_decode.h"
#include "gdeflate/lane_writer.h"
#include "gdeflate/tile_decoder.h"

namespace gd = ds::gdeflate;
namespace fmt = ds::gdeflate::fmt;

namespace {

// Every symbol's code, with random bits after it, decodes to that symbol and length.
void check_table(const std::vector<uint8_t> &lens, unsigned primary_bits, const char *what) {
    gd::DecodeTable *t = new gd::DecodeTable;
    if (!CHECK(gd::build_decode_table(t, lens.data(), unsigned(lens.size()), fmt::kMaxCodeLen, primary_bits))) {
        std::fprintf(stderr, "  (%s)\n", what);
        delete t;
        return;
    }
    std::vector<uint16_t> codes(lens.size());
    gd::build_codes(lens.data(), unsigned(lens.size()), codes.data());
    std::mt19937_64 rng(1);
    for (unsigned s = 0; s < lens.size(); ++s) {
        if (!lens[s])
            continue;
        for (int k = 0; k < 8; ++k) {
            uint64_t bits = codes[s] | (rng() << lens[s]);
            uint32_t e = gd::table_lookup(*t, bits);
            if (!CHECK_EQ(gd::table_symbol(e), s) || !CHECK_EQ(gd::table_length(e), unsigned(lens[s]))) {
                std::fprintf(stderr, "  (%s, symbol %u, primary %u bits)\n", what, s, primary_bits);
                delete t;
                return;
            }
        }
    }
    delete t;
}

void test_long_codes() {
    // 1, 2, ..., 14, 15, 15: one code of every length, the deepest subtables possible.
    std::vector<uint8_t> chain;
    for (unsigned l = 1; l <= 15; ++l)
        chain.push_back(uint8_t(l));
    chain.push_back(15);
    for (unsigned pb : {1u, 3u, 8u, 10u, 15u})
        check_table(chain, pb, "one code of each length");

    // Huffman lengths of skewed frequencies over 288 and 32 symbols, limited to 15 bits.
    std::mt19937 rng(5);
    for (unsigned count : {288u, 32u, 19u}) {
        for (int round = 0; round < 20; ++round) {
            std::vector<uint32_t> freq(count);
            for (auto &f : freq)
                f = (rng() % 4 == 0) ? 0 : 1u << (rng() % 20);
            std::vector<uint8_t> lens(count);
            gd::build_code_lengths(freq.data(), count, fmt::kMaxCodeLen, lens.data());
            for (unsigned pb : {7u, 8u, 10u})
                check_table(lens, pb, "skewed frequencies");
        }
    }
}

void test_rejected_codes() {
    gd::DecodeTable *t = new gd::DecodeTable;
    std::vector<uint8_t> over = {1, 1, 2};  // over-subscribed
    CHECK(!gd::build_decode_table(t, over.data(), 3, 15, 10));
    std::vector<uint8_t> gap = {2, 2, 2};  // incomplete, and not the one-code case
    CHECK(!gd::build_decode_table(t, gap.data(), 3, 15, 10));
    std::vector<uint8_t> too_long = {1, 8};  // above max_len
    CHECK(!gd::build_decode_table(t, too_long.data(), 2, 7, 7));
    std::vector<uint8_t> one = {0, 0, 1};  // one code of length 1: both bit values decode to it
    CHECK(gd::build_decode_table(t, one.data(), 3, 15, 10));
    CHECK_EQ(gd::table_symbol(gd::table_lookup(*t, 0)), 2u);
    CHECK_EQ(gd::table_symbol(gd::table_lookup(*t, 1)), 2u);
    delete t;
}

// A fixed-Huffman block of `literals` literals, then a stored block of `stored` bytes: the
// literals leave the lanes at different bit counts, so the stored block's word order varies.
void test_stored_after_huffman(unsigned literals, size_t stored) {
    std::vector<uint8_t> expect;
    std::vector<uint8_t> tile(2 * stored + 4096);
    gd::LaneWriter w(tile.data(), tile.size());
    auto put_msb = [&](uint32_t code, unsigned len) {
        for (unsigned i = len; i-- > 0;)
            w.put((code >> i) & 1, 1);
    };
    w.put(0, 1);  // not final
    w.put(fmt::kBlockFixed, 2);
    w.ensure();
    w.reset();
    for (unsigned i = 0; i < literals; ++i) {
        uint8_t lit = uint8_t('a' + i % 26);
        put_msb(0x30 + lit, 8);  // fixed code of literals 0..143
        expect.push_back(lit);
        w.advance();
    }
    put_msb(0, 7);  // end of block
    for (unsigned n = 0; n < fmt::kLanes; ++n)
        w.advance();
    w.reset();
    w.put(1, 1);
    w.put(fmt::kBlockStored, 2);
    w.ensure();
    w.put(uint32_t(stored), 16);
    for (size_t i = 0; i < stored; ++i) {
        uint8_t b = uint8_t(i * 131 + (i >> 8) + literals);
        w.put(b, 8);
        expect.push_back(b);
        w.advance();
    }
    for (unsigned n = 0; n < fmt::kLanes; ++n)
        w.advance();
    CHECK(!w.overflow());
    size_t n = w.finish();
    gd::TileDecoder *dec = new gd::TileDecoder;
    std::vector<uint8_t> out(expect.size());
    CHECK_EQ(dec->run(tile.data(), n, out.data(), out.size()), gd::Error::Ok);
    if (!CHECK(out == expect))
        std::fprintf(stderr, "  (%u literals, then %zu stored bytes)\n", literals, stored);
    // Cut short: the same stored bytes with the tile's last words missing must say truncated.
    CHECK_EQ(dec->run(tile.data(), n / 2, out.data(), out.size()), gd::Error::Truncated);
    delete dec;
}

}  // namespace

int main() {
    test_long_codes();
    test_rejected_codes();
    for (unsigned literals = 0; literals < 70; literals += 3)
        test_stored_after_huffman(literals, 1000 + literals * 37);
    test_stored_after_huffman(5, 65535 - 5);
    return dstest::finish("gdeflate_huffman_decode_test");
}
