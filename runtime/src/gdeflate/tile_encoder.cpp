// SPDX-License-Identifier: MIT
// Symbol-to-lane assignment follows the decoder's schedule (docs/gdeflate.md): the writer moves
// to the next lane after each symbol, and a lane that emitted a length symbol emits the match's
// distance on its next turn, before anything else.
#include "gdeflate/tile_encoder.h"

#include <cstring>

#include "gdeflate/format.h"
#include "gdeflate/huffman_build.h"
#include "gdeflate/lane_writer.h"

namespace ds::gdeflate {
namespace {

// Lengths up to 258 use DEFLATE's symbols 257..284; longer ones use 285 (3 + 16 extra bits).
unsigned length_symbol(unsigned len) {
    if (len > fmt::kMaxShortMatch)
        return fmt::kLongLengthSymbol;
    unsigned s = 0;
    while (s + 1 < 28 && fmt::kLengthBase[s + 1] <= len)
        ++s;
    return 257 + s;
}

unsigned dist_symbol(unsigned dist) {  // 0..31
    unsigned s = 0;
    while (s + 1 < 32 && fmt::kDistBase[s + 1] <= dist)
        ++s;
    return s;
}

struct Code {
    uint8_t litlen_len[fmt::kNumLitLen] = {};
    uint16_t litlen_code[fmt::kNumLitLen] = {};
    uint8_t dist_len[fmt::kNumDist] = {};
    uint16_t dist_code[fmt::kNumDist] = {};
};

struct PrecodeItem {
    uint8_t sym;
    uint8_t extra;
};

struct DynamicHeader {
    unsigned num_litlen = 257;
    unsigned num_dist = 1;
    unsigned num_precode = 4;
    uint8_t pre_len[fmt::kNumPrecode] = {};
    uint16_t pre_code[fmt::kNumPrecode] = {};
    std::vector<PrecodeItem> items;
    uint64_t bits = 0;
};

/// Run-length codes the litlen + distance lengths with precode symbols 16/17/18.
void rle_lengths(const uint8_t *lens, unsigned n, std::vector<PrecodeItem> &out) {
    for (unsigned i = 0; i < n;) {
        unsigned run = 1;
        while (i + run < n && lens[i + run] == lens[i])
            ++run;
        if (lens[i] == 0) {
            unsigned left = run;
            while (left >= 11) {
                unsigned r = left > 138 ? 138 : left;
                out.push_back({18, uint8_t(r - 11)});
                left -= r;
            }
            if (left >= 3) {
                out.push_back({17, uint8_t(left - 3)});
                left = 0;
            }
            while (left--)
                out.push_back({0, 0});
        } else {
            out.push_back({lens[i], 0});
            unsigned left = run - 1;
            while (left >= 3) {
                unsigned r = left > 6 ? 6 : left;
                out.push_back({16, uint8_t(r - 3)});
                left -= r;
            }
            while (left--)
                out.push_back({lens[i], 0});
        }
        i += run;
    }
}

unsigned precode_extra_bits(unsigned sym) { return sym == 16 ? 2 : sym == 17 ? 3 : sym == 18 ? 7 : 0; }

DynamicHeader make_dynamic_header(const Code &c) {
    DynamicHeader h;
    h.num_litlen = fmt::kNumLitLen;
    while (h.num_litlen > 257 && c.litlen_len[h.num_litlen - 1] == 0)
        --h.num_litlen;
    h.num_dist = fmt::kNumDist;
    while (h.num_dist > 1 && c.dist_len[h.num_dist - 1] == 0)
        --h.num_dist;
    uint8_t all[fmt::kNumLitLen + fmt::kNumDist];
    std::memcpy(all, c.litlen_len, h.num_litlen);
    std::memcpy(all + h.num_litlen, c.dist_len, h.num_dist);
    rle_lengths(all, h.num_litlen + h.num_dist, h.items);

    uint32_t freq[fmt::kNumPrecode] = {};
    for (const PrecodeItem &it : h.items)
        ++freq[it.sym];
    build_code_lengths(freq, fmt::kNumPrecode, fmt::kMaxPrecodeLen, h.pre_len);
    build_codes(h.pre_len, fmt::kNumPrecode, h.pre_code);
    h.num_precode = fmt::kNumPrecode;
    while (h.num_precode > 4 && h.pre_len[fmt::kPrecodeOrder[h.num_precode - 1]] == 0)
        --h.num_precode;
    h.bits = 3 + 14 + 3 * h.num_precode;
    for (const PrecodeItem &it : h.items)
        h.bits += h.pre_len[it.sym] + precode_extra_bits(it.sym);
    return h;
}

void make_fixed_code(Code &c) {
    for (unsigned s = 0; s < fmt::kNumLitLen; ++s)
        c.litlen_len[s] = fmt::fixed_litlen_len(s);
    for (unsigned s = 0; s < fmt::kNumDist; ++s)
        c.dist_len[s] = fmt::kFixedDistLen;
    build_codes(c.litlen_len, fmt::kNumLitLen, c.litlen_code);
    build_codes(c.dist_len, fmt::kNumDist, c.dist_code);
}

uint64_t data_bits(const Code &c, const uint32_t *lit_freq, const uint32_t *dist_freq) {
    uint64_t bits = 0;
    for (unsigned s = 0; s < fmt::kNumLitLen; ++s)
        bits += uint64_t(lit_freq[s]) * (c.litlen_len[s] + (s > 256 ? fmt::kLengthExtra[s - 257] : 0));
    for (unsigned s = 0; s < fmt::kNumDist; ++s)
        bits += uint64_t(dist_freq[s]) * (c.dist_len[s] + fmt::kDistExtra[s]);
    return bits;
}

void put_distance(LaneWriter &w, const Code &c, unsigned dist) {
    unsigned s = dist_symbol(dist);
    w.put(c.dist_code[s], c.dist_len[s]);
    w.put(dist - fmt::kDistBase[s], fmt::kDistExtra[s]);
}

void write_stored(LaneWriter &w, const uint8_t *data, size_t size) {
    size_t done = 0;
    do {
        size_t len = size - done > fmt::kMaxStoredLen ? fmt::kMaxStoredLen : size - done;
        bool final_block = done + len == size;
        w.reset();
        w.put(final_block ? 1 : 0, 1);
        w.put(fmt::kBlockStored, 2);
        w.ensure();
        w.put(uint32_t(len), 16);
        for (size_t i = 0; i < len; ++i) {
            w.put(data[done + i], 8);
            w.advance();
        }
        for (unsigned n = 0; n < fmt::kLanes; ++n)  // the decoder's end-of-block turns
            w.advance();
        done += len;
    } while (done < size);
}

void write_huffman(LaneWriter &w, unsigned type, const Code &c, const DynamicHeader *h,
                   const std::vector<Item> &items) {
    w.reset();
    w.put(1, 1);  // one block per tile: always final
    w.put(type, 2);
    w.ensure();
    if (h) {
        w.put(h->num_litlen - 257, 5);
        w.put(h->num_dist - 1, 5);
        w.put(h->num_precode - 4, 4);
        w.ensure();
        for (unsigned i = 0; i < h->num_precode; ++i) {
            w.put(h->pre_len[fmt::kPrecodeOrder[i]], 3);
            w.advance();
        }
        w.reset();
        for (const PrecodeItem &it : h->items) {
            w.put(h->pre_code[it.sym], h->pre_len[it.sym]);
            w.put(it.extra, precode_extra_bits(it.sym));
            w.advance();
        }
    }
    w.reset();
    uint32_t pending = 0;
    uint16_t pending_dist[fmt::kLanes] = {};
    auto flush_pending = [&] {
        while (pending & (1u << w.lane())) {
            pending &= ~(1u << w.lane());
            put_distance(w, c, pending_dist[w.lane()]);
            w.advance();
        }
    };
    for (const Item &it : items) {
        flush_pending();
        if (it.dist == 0) {
            w.put(c.litlen_code[it.len_or_lit], c.litlen_len[it.len_or_lit]);
        } else {
            unsigned s = length_symbol(it.len_or_lit);
            w.put(c.litlen_code[s], c.litlen_len[s]);
            w.put(it.len_or_lit - fmt::kLengthBase[s - 257], fmt::kLengthExtra[s - 257]);
            pending |= 1u << w.lane();
            pending_dist[w.lane()] = it.dist;
        }
        w.advance();
    }
    flush_pending();
    w.put(c.litlen_code[fmt::kEndOfBlock], c.litlen_len[fmt::kEndOfBlock]);  // no advance
    for (unsigned n = 0; n < fmt::kLanes; ++n) {
        if (pending & (1u << w.lane())) {
            pending &= ~(1u << w.lane());
            put_distance(w, c, pending_dist[w.lane()]);
        }
        w.advance();
    }
}

}  // namespace

size_t TileEncoder::run(const uint8_t *data, size_t size, const MatchParams &p, uint8_t *out, size_t cap,
                        BlockChoice force) {
    items_.clear();
    if (force != BlockChoice::Stored)
        matcher_.parse(data, size, p, items_);

    uint32_t lit_freq[fmt::kNumLitLen] = {};
    uint32_t dist_freq[fmt::kNumDist] = {};
    for (const Item &it : items_) {
        if (it.dist == 0) {
            ++lit_freq[it.len_or_lit];
        } else {
            ++lit_freq[length_symbol(it.len_or_lit)];
            ++dist_freq[dist_symbol(it.dist)];
        }
    }
    lit_freq[fmt::kEndOfBlock] = 1;

    Code dyn;
    build_code_lengths(lit_freq, fmt::kNumLitLen, fmt::kMaxCodeLen, dyn.litlen_len);
    build_code_lengths(dist_freq, fmt::kNumDist, fmt::kMaxCodeLen, dyn.dist_len);
    build_codes(dyn.litlen_len, fmt::kNumLitLen, dyn.litlen_code);
    build_codes(dyn.dist_len, fmt::kNumDist, dyn.dist_code);
    DynamicHeader header = make_dynamic_header(dyn);
    Code fixed;
    make_fixed_code(fixed);

    uint64_t dyn_bits = header.bits + data_bits(dyn, lit_freq, dist_freq);
    uint64_t fixed_bits = 3 + data_bits(fixed, lit_freq, dist_freq);
    uint64_t stored_bits = 8 * uint64_t(size) + 19 * (size / fmt::kMaxStoredLen + 1);

    BlockChoice choice = force;
    if (choice == BlockChoice::Auto) {
        choice = BlockChoice::Stored;
        if (fixed_bits < stored_bits)
            choice = BlockChoice::Fixed;
        if (dyn_bits < fixed_bits && dyn_bits < stored_bits)
            choice = BlockChoice::Dynamic;
    }

    if (choice != BlockChoice::Stored) {
        LaneWriter w(out, cap);
        if (choice == BlockChoice::Dynamic)
            write_huffman(w, fmt::kBlockDynamic, dyn, &header, items_);
        else
            write_huffman(w, fmt::kBlockFixed, fixed, nullptr, items_);
        size_t n = w.finish();
        if (!w.overflow())
            return n;
        if (force != BlockChoice::Auto)
            return 0;
    }
    LaneWriter w(out, cap);
    write_stored(w, data, size);
    size_t n = w.finish();
    return w.overflow() ? 0 : n;
}

}  // namespace ds::gdeflate
