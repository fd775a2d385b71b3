// SPDX-License-Identifier: MIT
// Known-answer vectors for GDeflate, derived by hand from the format (docs/gdeflate.md), not taken
// from any other implementation. Both were also checked with the reference decoder
// (gdeflate_reference_test's wrapper): it decodes them to the same bytes.
//
// Layout of both: a 1-tile stream = header 04 FB 01 00 | u32 {tileSizeIdx 1, lastTileSize n} |
// u32 table[0] = tile size | tile. A tile starts with one u32 per lane (lanes 0..31); a lane
// whose bit count drops below 32 at the end of its turn gets the next u32 of the tile.
#include <cstdio>
#include <vector>

#include "gdeflate_test_util.h"
#include "check.h"
#include "ds/gdeflate.h"
#include "gdeflate/tile_encoder.h"

namespace gd = ds::gdeflate;

namespace {

using dstest::one_tile_stream;
using dstest::put32;

// Stored block holding "A". Lane 0, LSB first: BFINAL=1 (bit 0), BTYPE=00 (bits 1-2), LEN=1
// (bits 3-18, no NLEN and no byte alignment in GDeflate), then 'A' = 0x41 (bits 19-26):
// 1 | 1 << 3 | 0x41 << 19 = 0x02080009. After the 3 header bits lane 0 holds 29 < 32 bits, so
// the decoder loads word 32 into lane 0 (zero); no other lane ever drops below 32 bits.
// Tile: 33 words = 132 bytes.
std::vector<uint8_t> stored_a() {
    std::vector<uint8_t> tile;
    put32(tile, 0x02080009);
    for (int i = 1; i < 33; ++i)
        put32(tile, 0);
    return one_tile_stream(tile, 1);
}

// Fixed Huffman block holding "aaaaa" = literal 'a', then a match of length 4 at distance 1.
//   lane 0: BFINAL=1, BTYPE=01 (bits 0-2 = 1,1,0); then 'a' (97): fixed code 0x30 + 97 = 0x91 =
//           10010001, sent MSB first as bits 3-10 -> word 1 + 2 + 8 + 64 + 1024 = 0x44B.
//           Lane 0 drops to 29 bits after the header -> loads word 32.
//   lane 1: length 4 = symbol 258, fixed 7-bit code 0000010 -> bit 5 set -> 0x20. It now holds
//           25 bits -> loads word 33 when its turn ends. The distance waits for lane 1's next turn.
//   lane 2: end of block, code 0000000 (7 zero bits) -> 25 bits -> loads word 34 on its next turn.
//   Then every lane gets one more turn starting at lane 2; lane 1's comes last and reads the
//   distance: symbol 0 (distance 1), fixed 5-bit code 00000, in bits 7-11 of lane 1's word.
// Tile: 35 words = 140 bytes.
std::vector<uint8_t> fixed_aaaaa() {
    std::vector<uint8_t> tile;
    put32(tile, 0x44B);
    put32(tile, 0x20);
    for (int i = 2; i < 35; ++i)
        put32(tile, 0);
    return one_tile_stream(tile, 5);
}

void expect_decodes(const std::vector<uint8_t> &stream, const std::string &expected, const char *what) {
    std::vector<uint8_t> out(expected.size());
    gd::Error e = gd::decode(stream.data(), stream.size(), out.data(), out.size(), 1);
    if (!CHECK_EQ(std::string(gd::error_name(e)), std::string("ok")))
        std::fprintf(stderr, "  vector %s\n", what);
    CHECK_EQ(std::string(out.begin(), out.end()), expected);
}

// Our encoder, pinned to the block type, must produce exactly the hand-derived tile bytes.
void expect_encodes(const std::vector<uint8_t> &stream, const std::string &input, gd::BlockChoice kind,
                    const char *what) {
    std::vector<uint8_t> tile(1024);
    gd::TileEncoder enc;
    size_t n = enc.run(reinterpret_cast<const uint8_t *>(input.data()), input.size(), gd::match_params(9), tile.data(),
                       tile.size(), kind);
    tile.resize(n);
    std::vector<uint8_t> expected(stream.begin() + 12, stream.end());
    if (!CHECK(tile == expected))
        std::fprintf(stderr, "  encoder output differs from vector %s (%zu vs %zu bytes)\n", what, n, expected.size());
}

}  // namespace

int main() {
    expect_decodes(stored_a(), "A", "stored 'A'");
    expect_decodes(fixed_aaaaa(), "aaaaa", "fixed 'aaaaa'");
    expect_encodes(stored_a(), "A", gd::BlockChoice::Stored, "stored 'A'");
    expect_encodes(fixed_aaaaa(), "aaaaa", gd::BlockChoice::Fixed, "fixed 'aaaaa'");

    gd::StreamInfo info;
    CHECK_EQ(gd::read_info(fixed_aaaaa().data(), fixed_aaaaa().size(), &info), gd::Error::Ok);
    CHECK_EQ(info.tiles, 1u);
    CHECK_EQ(info.uncompressed_size, uint64_t(5));

    // An empty stream: header only, no tiles, 0 bytes.
    const uint8_t empty[8] = {0x04, 0xFB, 0, 0, 0x01, 0, 0, 0};
    CHECK_EQ(gd::decode(empty, sizeof empty, nullptr, 0, 1), gd::Error::Ok);
    return dstest::finish("gdeflate_known_answer_test");
}
