// SPDX-License-Identifier: MIT
// Malformed GDeflate input must end in a clean error, never a crash, a hang or a write outside
// the destination. Hostile tiles are written with the encoder's LaneWriter, which follows the
// decoder's lane schedule, so each case reaches exactly the check it targets.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "gdeflate_test_util.h"
#include "check.h"
#include "ds/gdeflate.h"
#include "gdeflate/format.h"
#include "gdeflate/lane_writer.h"
#include "test_util.h"

namespace gd = ds::gdeflate;
namespace fmt = ds::gdeflate::fmt;

namespace {

using dstest::one_tile_stream;
using dstest::put32;

template <typename Body> std::vector<uint8_t> make_tile(Body body) {
    std::vector<uint8_t> tile(4096);
    gd::LaneWriter w(tile.data(), tile.size());
    body(w);
    tile.resize(w.finish());
    return tile;
}

/// Writes `bits` MSB first (a Huffman code as RFC 1951 sends it).
void put_code(gd::LaneWriter &w, uint32_t code, unsigned len) {
    for (unsigned i = len; i-- > 0;)
        w.put((code >> i) & 1, 1);
}

// The end-of-block turns: every lane once more, with no pending matches.
void end_turns(gd::LaneWriter &w) {
    for (unsigned n = 0; n < fmt::kLanes; ++n)
        w.advance();
}

std::vector<uint8_t> valid_stream(size_t size, uint32_t seed) {
    std::vector<uint8_t> in = dstest::random_bytes(size, seed);
    for (size_t i = 0; i < size; i += 7)
        in[i] = 'x';  // some matches
    std::vector<uint8_t> out(gd::compress_bound(size));
    size_t n = 0;
    gd::encode(in.data(), in.size(), out.data(), out.size(), 6, 1, &n);
    out.resize(n);
    return out;
}

gd::Error decode_guarded(const std::vector<uint8_t> &s, size_t dst_size, unsigned threads = 1) {
    std::vector<uint8_t> dst(dst_size + 64, 0xA5);
    gd::Error e = gd::decode(s.data(), s.size(), dst.data(), dst_size, threads);
    for (size_t i = dst_size; i < dst.size(); ++i)
        if (dst[i] != 0xA5) {
            std::fprintf(stderr, "decoder wrote past the destination at +%zu\n", i - dst_size);
            CHECK(false);
            break;
        }
    return e;
}

#define EXPECT_ERROR(call, err)                                                                                        \
    do {                                                                                                               \
        gd::Error got_ = (call);                                                                                       \
        CHECK_EQ(std::string(gd::error_name(got_)), std::string(gd::error_name(err)));                                 \
    } while (0)

void test_header() {
    std::vector<uint8_t> s = valid_stream(100000, 1);  // 2 tiles
    EXPECT_ERROR(decode_guarded({}, 0), gd::Error::Truncated);
    EXPECT_ERROR(decode_guarded(std::vector<uint8_t>(s.begin(), s.begin() + 7), 100000), gd::Error::Truncated);
    auto bad = s;
    bad[0] = 5;
    bad[1] = 5 ^ 0xFF;
    EXPECT_ERROR(decode_guarded(bad, 100000), gd::Error::BadHeader);  // another codec id
    bad = s;
    bad[1] ^= 1;
    EXPECT_ERROR(decode_guarded(bad, 100000), gd::Error::BadHeader);  // magic != id ^ 0xFF
    bad = s;
    bad[4] = (bad[4] & ~3) | 2;
    EXPECT_ERROR(decode_guarded(bad, 100000), gd::Error::BadHeader);  // tileSizeIdx 2
    bad = s;
    bad[4] |= 0xFC;
    bad[5] = 0xFF;
    bad[6] |= 0x0F;
    EXPECT_ERROR(decode_guarded(bad, 100000), gd::Error::BadHeader);  // lastTileSize >= 64 KiB
    bad = s;
    bad[2] = 0;  // 0 tiles but a last tile size
    EXPECT_ERROR(decode_guarded(bad, 0), gd::Error::BadHeader);
    bad = s;
    bad[2] = 0xFF;
    bad[3] = 0xFF;  // 65535 tiles: the table alone is longer than the stream
    EXPECT_ERROR(decode_guarded(bad, 0), gd::Error::Truncated);
    EXPECT_ERROR(decode_guarded(s, 99999), gd::Error::OutputOverrun);  // destination too small
    EXPECT_ERROR(decode_guarded(s, 100001), gd::Error::SizeMismatch);  // destination too large
}

void test_tile_table() {
    std::vector<uint8_t> s = valid_stream(200000, 2);  // 4 tiles
    size_t data = 8 + 4 * 4, data_size = s.size() - data;
    auto set = [](std::vector<uint8_t> &v, size_t at, uint32_t x) {
        for (int i = 0; i < 4; ++i)
            v[at + i] = uint8_t(x >> (8 * i));
    };
    auto bad = s;
    set(bad, 8 + 4 * 2, uint32_t(data_size + 1));  // tile 2 starts past the data
    EXPECT_ERROR(decode_guarded(bad, 200000), gd::Error::BadTileTable);
    bad = s;
    set(bad, 8 + 4 * 2, 1);  // tile 2 before tile 1: offsets go backwards
    EXPECT_ERROR(decode_guarded(bad, 200000), gd::Error::BadTileTable);
    bad = s;
    set(bad, 8, 0xFFFFFFF0u);  // last tile's size runs past the data
    EXPECT_ERROR(decode_guarded(bad, 200000), gd::Error::BadTileTable);
    bad = std::vector<uint8_t>(s.begin(), s.end() - 1);  // data cut short by one byte
    EXPECT_ERROR(decode_guarded(bad, 200000), gd::Error::BadTileTable);
    (void)data;
}

void test_truncated_tile() {
    // A tile that ends mid-bitstream: the stream says the last tile is 8 bytes long.
    std::vector<uint8_t> s = valid_stream(3000, 3);
    std::vector<uint8_t> tile(s.begin() + 12, s.begin() + 20);
    EXPECT_ERROR(decode_guarded(one_tile_stream(tile, 3000), 3000), gd::Error::Truncated);
    EXPECT_ERROR(decode_guarded(one_tile_stream({}, 3000), 3000), gd::Error::Truncated);
}

void test_block_type() {
    auto tile = make_tile([](gd::LaneWriter &w) {
        w.put(1, 1);
        w.put(3, 2);  // reserved
        w.ensure();
        end_turns(w);
    });
    EXPECT_ERROR(decode_guarded(one_tile_stream(tile, 1), 1), gd::Error::BadBlockType);
}

// Dynamic header with the given precode lengths (in transmission order), then `body`.
template <typename Body>
std::vector<uint8_t> dynamic_tile(unsigned hlit, unsigned hdist, const std::vector<uint8_t> &pre, Body body) {
    return make_tile([&](gd::LaneWriter &w) {
        w.put(1, 1);
        w.put(fmt::kBlockDynamic, 2);
        w.ensure();
        w.put(hlit - 257, 5);
        w.put(hdist - 1, 5);
        w.put(unsigned(pre.size()) - 4, 4);
        w.ensure();
        for (uint8_t l : pre) {
            w.put(l, 3);
            w.advance();
        }
        w.reset();
        body(w);
    });
}

void test_huffman() {
    // 19 precode lengths of 1: over-subscribed.
    auto over = dynamic_tile(257, 1, std::vector<uint8_t>(19, 1), [](gd::LaneWriter &w) { end_turns(w); });
    EXPECT_ERROR(decode_guarded(one_tile_stream(over, 1), 1), gd::Error::BadHuffmanCode);

    // Precode {16: 1 bit, 0: 1 bit} (order 16,17,18,0); the first length is "repeat previous".
    auto rep = dynamic_tile(257, 1, {1, 0, 0, 1}, [](gd::LaneWriter &w) {
        put_code(w, 1, 1);  // canonical: symbol 0 -> '0', symbol 16 -> '1'
        w.put(0, 2);
        w.advance();
        end_turns(w);
    });
    EXPECT_ERROR(decode_guarded(one_tile_stream(rep, 1), 1), gd::Error::BadHuffmanCode);

    // Precode {2: 1 bit, 18: 1 bit}; litlen code = one symbol of length 2: incomplete.
    std::vector<uint8_t> pre(16, 0);
    pre[2] = 1;   // symbol 18 (order index 2)
    pre[15] = 1;  // symbol 2 (order index 15)
    auto incomplete = dynamic_tile(257, 1, pre, [](gd::LaneWriter &w) {
        put_code(w, 0, 1);  // length 2 for litlen symbol 0
        w.advance();
        put_code(w, 1, 1);  // 138 zeros
        w.put(127, 7);
        w.advance();
        put_code(w, 1, 1);  // 119 zeros: 1 + 138 + 119 = 258 = 257 litlen + 1 distance
        w.put(108, 7);
        w.advance();
        end_turns(w);
    });
    EXPECT_ERROR(decode_guarded(one_tile_stream(incomplete, 1), 1), gd::Error::BadHuffmanCode);

    // The precode itself truncated: a header that promises 19 precode lengths, then nothing.
    std::vector<uint8_t> cut = {0x04, 0xFB, 0x01, 0x00};
    put32(cut, 1u | 1u << 2);
    put32(cut, 4);
    put32(cut, 1u | 2u << 1 | 15u << 13);
    EXPECT_ERROR(decode_guarded(cut, 1), gd::Error::Truncated);
}

void test_distance_and_overrun() {
    // Fixed block: 'a', then length 3 at distance 2 (only 1 byte exists).
    auto far = make_tile([](gd::LaneWriter &w) {
        w.put(1, 1);
        w.put(fmt::kBlockFixed, 2);
        w.ensure();
        w.reset();
        put_code(w, 0x30 + 'a', 8);
        w.advance();
        put_code(w, 1, 7);  // symbol 257: length 3
        w.advance();
        put_code(w, 0, 7);  // end of block, then lane 1's deferred distance
        for (unsigned n = 0; n < fmt::kLanes; ++n) {
            if (w.lane() == 1)
                put_code(w, 1, 5);  // distance symbol 1: distance 2
            w.advance();
        }
    });
    EXPECT_ERROR(decode_guarded(one_tile_stream(far, 4), 4), gd::Error::BadDistance);

    // Long match (symbol 285: 3 + 16 extra bits) that overruns a 4-byte tile.
    auto longm = make_tile([](gd::LaneWriter &w) {
        w.put(1, 1);
        w.put(fmt::kBlockFixed, 2);
        w.ensure();
        w.reset();
        put_code(w, 0x30 + 'a', 8);
        w.advance();
        put_code(w, 0xC5, 8);  // symbol 285
        w.put(60000, 16);
        w.advance();
        end_turns(w);
    });
    EXPECT_ERROR(decode_guarded(one_tile_stream(longm, 4), 4), gd::Error::OutputOverrun);

    // A stored block announcing 3 bytes in a 2-byte tile.
    auto stored = make_tile([](gd::LaneWriter &w) {
        w.put(1, 1);
        w.put(0, 2);
        w.ensure();
        w.put(3, 16);
        for (int i = 0; i < 3; ++i) {
            w.put('s', 8);
            w.advance();
        }
        end_turns(w);
    });
    EXPECT_ERROR(decode_guarded(one_tile_stream(stored, 2), 2), gd::Error::OutputOverrun);
    EXPECT_ERROR(decode_guarded(one_tile_stream(stored, 4), 4), gd::Error::SizeMismatch);  // too few bytes
    EXPECT_ERROR(decode_guarded(one_tile_stream(stored, 3), 3), gd::Error::Ok);

    // Non-final empty stored blocks forever, as far as the data goes: must stop at the end.
    auto endless = make_tile([](gd::LaneWriter &w) {
        for (int b = 0; b < 40; ++b) {
            w.reset();
            w.put(0, 1);
            w.put(0, 2);
            w.ensure();
            w.put(0, 16);
            end_turns(w);
        }
    });
    EXPECT_ERROR(decode_guarded(one_tile_stream(endless, 1), 1), gd::Error::Truncated);
}

// The fast turn copies a short match with 16-byte loads and stores (keeping the bytes after it);
// within 16 bytes of the tile's end it must copy exactly. Lanes 1..31 each copy "aaa" on a turn
// that still has input words to refill from (the zero words after the tile's bits), the last
// ones ending 4 bytes before the tile's end, which ends at an inaccessible page.
void test_copy_near_tile_end() {
    auto tile = make_tile([](gd::LaneWriter &w) {
        w.put(1, 1);
        w.put(fmt::kBlockFixed, 2);
        w.ensure();
        w.reset();
        put_code(w, 0x30 + 'a', 8);  // lane 0: 'a'
        w.advance();
        for (unsigned n = 1; n < fmt::kLanes; ++n) {
            put_code(w, 1, 7);  // symbol 257: length 3
            w.advance();
        }
        put_code(w, 0x30 + 'z', 8);  // lane 0: 'z', after the 31 reserved matches
        w.advance();
        for (unsigned n = 1; n < fmt::kLanes; ++n) {
            put_code(w, n == 1 ? 0 : 2, 5);  // distance 1 for the first match, then 3
            w.advance();
        }
        put_code(w, 0, 7);  // end of block
        end_turns(w);
    });
    tile.resize(tile.size() + 512, 0);  // words no lane needs: the copies run on fast turns
    constexpr size_t kSize = 1 + 31 * 3 + 1;
    long page = sysconf(_SC_PAGESIZE);
    void *map = mmap(nullptr, size_t(2 * page), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(map != MAP_FAILED);
    if (map == MAP_FAILED)
        return;
    uint8_t *guard = static_cast<uint8_t *>(map) + page;
    CHECK(mprotect(guard, size_t(page), PROT_NONE) == 0);
    uint8_t *dst = guard - kSize;
    EXPECT_ERROR(gd::decode_tile(tile.data(), tile.size(), dst, kSize), gd::Error::Ok);
    std::vector<uint8_t> want(kSize, 'a');
    want.back() = 'z';
    CHECK(std::vector<uint8_t>(dst, dst + kSize) == want);
    munmap(map, size_t(2 * page));
}

// Every single-byte corruption of a small valid stream: any outcome but a crash or a write
// past the destination (checked by decode_guarded) is fine.
void test_corruption_sweep() {
    std::vector<uint8_t> s = valid_stream(70000, 4);
    size_t errors = 0, oks = 0;
    for (size_t i = 0; i < s.size(); i += (i < 600 ? 1 : 97)) {
        for (uint8_t flip : {uint8_t(0x01), uint8_t(0x80), uint8_t(0xFF)}) {
            auto bad = s;
            bad[i] ^= flip;
            (decode_guarded(bad, 70000, 2) == gd::Error::Ok ? oks : errors)++;
        }
    }
    for (size_t cut = 0; cut < s.size(); cut += 331)
        (decode_guarded(std::vector<uint8_t>(s.begin(), s.begin() + ptrdiff_t(cut)), 70000) == gd::Error::Ok
             ? oks
             : errors)++;
    std::printf("corruption sweep: %zu errors, %zu decoded anyway\n", errors, oks);
    CHECK(errors > 0);
}

}  // namespace

int main() {
    test_header();
    test_tile_table();
    test_truncated_tile();
    test_block_type();
    test_huffman();
    test_distance_and_overrun();
    test_copy_near_tile_end();
    test_corruption_sweep();
    return dstest::finish("gdeflate_hostile_test");
}
