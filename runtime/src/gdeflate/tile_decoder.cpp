// SPDX-License-Identifier: MIT
// The lane schedule mirrors the reference decoder exactly (docs/gdeflate.md, "Lane schedule"):
// lane 0 carries block headers; the lane index moves on after every symbol; a length symbol
// reserves its output bytes at once and the lane's *next* turn reads the distance and copies.
#include "gdeflate/tile_decoder.h"

#include <cstring>

#include "gdeflate/lane_reader.h"

namespace ds::gdeflate {
namespace {

// Primary table widths: most codes fit, and a table costs 2^bits entries to build per block.
constexpr unsigned kLitLenPrimaryBits = 10;
constexpr unsigned kDistPrimaryBits = 8;

struct Pending {
    uint32_t mask = 0;  ///< bit n: lane n owes a distance
    uint32_t length[fmt::kLanes];
    size_t pos[fmt::kLanes];  ///< where that match's bytes go
};

uint32_t decode_symbol(LaneReader &r, const DecodeTable &t) {
    uint32_t e = table_lookup(t, r.bits());
    r.skip(table_length(e));
    return table_symbol(e);
}

/// A symbol table's lookup with its widths held in registers (see huffman_data()).
struct FastTable {
    const uint32_t *entry;
    uint32_t mask;
    unsigned bits;

    explicit FastTable(const SymbolTable &t) : entry(t.entry), mask(t.mask), bits(t.bits) {}

    uint32_t lookup(uint64_t b) const {
        uint32_t e = entry[b & mask];
        if (e & SymbolTable::kLink) [[unlikely]]
            e = entry[entry_base(e) + (uint32_t(b >> bits) & ((1u << entry_code_length(e)) - 1))];
        return e;
    }
};

/// Copies a match of `len` bytes from `dist` bytes back. Writes nothing outside [to, to + len):
/// the bytes after the match may already hold later symbols of other lanes. Not inlined: the fast
/// turn copies most matches itself (copy_short_match()), and inlined there this one's loops made
/// the stored-block loop 20 % slower (same instructions in that loop, other code generation).
[[gnu::noinline]] void copy_match(uint8_t *to, size_t dist, uint32_t len) {
    const uint8_t *from = to - dist;
    if (dist >= len) {  // no overlap
        if (len >= 8 && len <= 16) {
            uint64_t a, b;
            std::memcpy(&a, from, 8);
            std::memcpy(&b, from + len - 8, 8);
            std::memcpy(to, &a, 8);
            std::memcpy(to + len - 8, &b, 8);
        } else if (len >= 4 && len < 8) {
            uint32_t a, b;
            std::memcpy(&a, from, 4);
            std::memcpy(&b, from + len - 4, 4);
            std::memcpy(to, &a, 4);
            std::memcpy(to + len - 4, &b, 4);
        } else {
            std::memcpy(to, from, len);
        }
        return;
    }
    if (dist == 1) {  // a run of one byte
        std::memset(to, *from, len);
        return;
    }
    uint32_t i = 0;
    if (dist >= 8) {  // each 8-byte step reads only bytes already written
        for (; i + 8 <= len; i += 8) {
            uint64_t v;
            std::memcpy(&v, from + i, 8);
            std::memcpy(to + i, &v, 8);
        }
    }
    for (; i < len; ++i)  // overlapping: byte by byte repeats the pattern
        to[i] = from[i];
}

/// 16 bytes in a vector register (GCC and Clang vector extension).
using Bytes16 = uint8_t __attribute__((vector_size(16)));

/// From offset 16 - n: n bytes of 0xFF, then zeros.
constexpr uint8_t kPrefixMaskSource[32] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                           0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0,    0,    0,    0,    0,    0,
                                           0,    0,    0,    0,    0,    0,    0,    0,    0,    0};

/// A match that fits one 16-byte step: `len` <= 16, its source wholly before it (`dist` >= len)
/// and 16 bytes of the tile's output at `to`. One load from the source and one from the
/// destination, merged by a mask of the first `len` bytes, one store: the bytes after the match
/// (which may already hold later symbols) are stored back as they were, and no branch depends on
/// the length.
inline bool fits_short_copy(size_t dist, uint32_t len, size_t room) { return len <= 16 && dist >= len && room >= 16; }

inline void copy_short_match(uint8_t *to, size_t dist, uint32_t len) {
    Bytes16 from, keep, mask;
    std::memcpy(&from, to - dist, 16);
    std::memcpy(&keep, to, 16);
    std::memcpy(&mask, kPrefixMaskSource + 16 - len, 16);
    Bytes16 merged = (from & mask) | (keep & ~mask);
    std::memcpy(to, &merged, 16);
}

class Tile {
public:
    Tile(TileDecoder &d, const uint8_t *src, size_t src_size, uint8_t *dst, size_t dst_size)
        : d_(d), r_(src, src_size), dst_(dst), cap_(dst_size) {}

    Error run() {
        for (;;) {
            r_.reset();
            unsigned final_block = r_.take(1);
            unsigned type = r_.take(2);
            r_.ensure();
            if (r_.truncated())
                return Error::Truncated;
            Error e = Error::Ok;
            if (type == fmt::kBlockStored)
                e = stored_block();
            else if (type == fmt::kBlockFixed)
                e = fixed_tables();
            else if (type == fmt::kBlockDynamic)
                e = dynamic_tables();
            else
                return Error::BadBlockType;
            if (e == Error::Ok && type != fmt::kBlockStored)
                e = huffman_data();
            if (e == Error::Ok)
                e = drain_copies();
            if (e != Error::Ok)
                return e;
            if (final_block)
                break;
        }
        return out_ == cap_ ? Error::Ok : Error::SizeMismatch;
    }

private:
    // Stored: a 16-bit length in lane 0 (no complement, no byte alignment), then one byte per turn.
    Error stored_block() {
        uint32_t len = r_.take(16);
        if (r_.truncated())
            return Error::Truncated;
        if (len > cap_ - out_)
            return Error::OutputOverrun;
        LaneReader r = r_;  // a local copy: see lane_reader.h
        uint8_t *to = dst_ + out_;
        uint32_t i = 0;
        auto turns = [&](uint32_t until) {
            for (; i < until; ++i) {
                to[i] = uint8_t(r.take(8));
                r.advance();
            }
        };
        // One round turn by turn (the header left lane 0 below the watermark), then whole
        // 128-byte blocks while the input lasts, then the rest turn by turn.
        turns(len < fmt::kLanes ? len : fmt::kLanes);
        if (!r.truncated())
            i += uint32_t(r.stored_blocks(to + i, (len - i) / 128) * 128);
        turns(len);
        r_ = r;
        out_ += len;
        return r_.truncated() ? Error::Truncated : Error::Ok;
    }

    Error fixed_tables() {
        if (d_.fixed_loaded)
            return Error::Ok;
        uint8_t lens[fmt::kNumLitLen + fmt::kNumDist];
        for (unsigned s = 0; s < fmt::kNumLitLen; ++s)
            lens[s] = fmt::fixed_litlen_len(s);
        for (unsigned s = 0; s < fmt::kNumDist; ++s)
            lens[fmt::kNumLitLen + s] = fmt::kFixedDistLen;
        build_litlen_table(&d_.litlen, lens, fmt::kNumLitLen, kLitLenPrimaryBits);
        build_dist_table(&d_.dist, lens + fmt::kNumLitLen, fmt::kNumDist, kDistPrimaryBits);
        d_.fixed_loaded = true;
        return Error::Ok;
    }

    Error dynamic_tables() {
        d_.fixed_loaded = false;
        unsigned num_litlen = r_.take(5) + 257;
        unsigned num_dist = r_.take(5) + 1;
        unsigned num_precode = r_.take(4) + 4;
        r_.ensure();
        uint8_t pre_lens[fmt::kNumPrecode] = {};
        for (unsigned i = 0; i < num_precode; ++i) {  // precode length i sits in lane i
            pre_lens[fmt::kPrecodeOrder[i]] = uint8_t(r_.take(3));
            r_.advance();
        }
        if (r_.truncated())
            return Error::Truncated;
        if (!build_decode_table(&d_.precode, pre_lens, fmt::kNumPrecode, fmt::kMaxPrecodeLen, fmt::kMaxPrecodeLen))
            return Error::BadHuffmanCode;

        r_.reset();
        unsigned total = num_litlen + num_dist;
        uint8_t *lens = d_.lens;
        for (unsigned i = 0; i < total;) {  // one precode symbol (and its extra bits) per turn
            unsigned sym = decode_symbol(r_, d_.precode);
            unsigned rep = 0;
            uint8_t val = 0;
            if (sym < 16) {
                lens[i++] = uint8_t(sym);
            } else if (sym == 16) {
                if (i == 0)
                    return Error::BadHuffmanCode;  // nothing to repeat
                val = lens[i - 1];
                rep = 3 + r_.take(2);
            } else if (sym == 17) {
                rep = 3 + r_.take(3);
            } else {
                rep = 11 + r_.take(7);
            }
            // A repeat may run past `total` (the reference decoder allows it); the excess is
            // ignored, and lens[] has room for the longest overrun.
            for (unsigned k = 0; k < rep; ++k)
                lens[i++] = val;
            r_.advance();
            if (r_.truncated())
                return Error::Truncated;
        }
        if (!build_litlen_table(&d_.litlen, lens, num_litlen, kLitLenPrimaryBits) ||
            !build_dist_table(&d_.dist, lens + num_litlen, num_dist, kDistPrimaryBits))
            return Error::BadHuffmanCode;
        return Error::Ok;
    }

    // The hot loop: the reader, the output position and the pending mask live in locals (the
    // loop is inlined here), and the table widths in registers (FastTable), so the byte stores
    // into the output do not make the compiler reload them. While a whole input word is left no
    // turn can run out of bits (LaneReader::has_word), so those turns take fast_turn().
    Error huffman_data() {
        Hot h{r_, out_, pending_.mask};
        const FastTable litlen(d_.litlen);
        const FastTable dist(d_.dist);
        h.r.reset();
        int status;
        do {
            status = h.r.has_word() ? fast_turn(h, litlen, dist) : checked_turn(h, litlen, dist);
        } while (status == kNextTurn);
        r_ = h.r;
        out_ = h.out;
        pending_.mask = h.owed;
        return Error(status);
    }

    struct Hot {
        LaneReader r;
        size_t out;
        uint32_t owed;  ///< bit n: lane n owes a distance
    };
    static constexpr int kNextTurn = -1;

    /// One lane's turn while LaneReader::has_word() holds (no bit counts to check): a pending
    /// match's distance and copy, or one literal/length symbol. Returns kNextTurn, or the block's
    /// outcome (Ok at end-of-block).
    ///
    /// A literal and a length share one path, without a branch between them: both store their
    /// value's low byte at the output position and record a match for the lane; a literal moves
    /// the output on by one, a length by its length, and only a length marks the match owed. The
    /// byte a length stores is the first of its reserved bytes, which its copy overwrites before
    /// anything reads them (earlier matches are copied on earlier turns).
    [[gnu::always_inline]] inline int fast_turn(Hot &h, const FastTable &litlen, const FastTable &dist) {
        LaneReader &r = h.r;
        unsigned lane = r.lane();
        uint64_t bits = r.bits();
        if (h.owed & (1u << lane)) {
            h.owed &= ~(1u << lane);
            uint32_t e = dist.lookup(bits);
            r.skip_unchecked(entry_consumed(e));
            size_t distance = entry_value(e, bits), pos = pending_.pos[lane];
            uint32_t len = pending_.length[lane];
            if (distance > pos)
                return int(Error::BadDistance);
            // Every byte before `pos` is final by now: earlier matches ran on earlier turns.
            if (fits_short_copy(distance, len, cap_ - pos)) [[likely]]
                copy_short_match(dst_ + pos, distance, len);
            else
                copy_match(dst_ + pos, distance, len);
        } else {
            uint32_t e = litlen.lookup(bits);
            r.skip_unchecked(entry_consumed(e));
            if (e & SymbolTable::kEndOfBlock) [[unlikely]]
                return int(r.truncated() ? Error::Truncated : Error::Ok);  // no advance
            uint32_t value = entry_value(e, bits);
            bool literal = e & SymbolTable::kLiteral;
            size_t step = literal ? 1 : value;
            if (step > cap_ - h.out)
                return int(Error::OutputOverrun);
            dst_[h.out] = uint8_t(value);
            pending_.length[lane] = value;
            pending_.pos[lane] = h.out;
            h.owed |= uint32_t(!literal) << lane;
            h.out += step;
        }
        r.advance_unchecked();
        return kNextTurn;
    }

    /// One lane's turn near the tile's end, where a lane may run out of bits: every step checks,
    /// in the order that decides a hostile stream's outcome.
    int checked_turn(Hot &h, const FastTable &litlen, const FastTable &dist) {
        LaneReader &r = h.r;
        unsigned lane = r.lane();
        if (h.owed & (1u << lane)) {
            h.owed &= ~(1u << lane);
            Error e = copy(r, dist, lane);
            if (e != Error::Ok)
                return int(e);
        } else {
            uint32_t e = litlen.lookup(r.bits());
            r.skip(entry_code_length(e));
            if (e & SymbolTable::kLiteral) {
                if (h.out == cap_)
                    return int(Error::OutputOverrun);
                dst_[h.out++] = uint8_t(entry_base(e));
            } else if (e & SymbolTable::kEndOfBlock) {
                return int(r.truncated() ? Error::Truncated : Error::Ok);  // no advance
            } else {
                uint32_t len = entry_base(e) + r.take(entry_extra_bits(e));
                if (len > cap_ - h.out)
                    return int(Error::OutputOverrun);
                h.owed |= 1u << lane;
                pending_.length[lane] = len;
                pending_.pos[lane] = h.out;
                h.out += len;
            }
        }
        if (r.truncated())
            return int(Error::Truncated);
        r.advance();
        return kNextTurn;
    }

    // After end-of-block every lane gets one more turn, starting at the end-of-block lane, to
    // finish the matches it still owes.
    Error drain_copies() {
        for (unsigned n = 0; n < fmt::kLanes; ++n) {
            unsigned lane = r_.lane();
            if (pending_.mask & (1u << lane)) {
                pending_.mask &= ~(1u << lane);
                Error e = copy(r_, FastTable(d_.dist), lane);
                if (e != Error::Ok)
                    return e;
            }
            r_.advance();
        }
        return r_.truncated() ? Error::Truncated : Error::Ok;
    }

    /// A lane's owed distance (checked) and its match's copy.
    Error copy(LaneReader &r, const FastTable &dist_table, unsigned lane) {
        uint32_t e = dist_table.lookup(r.bits());
        r.skip(entry_code_length(e));
        size_t dist = entry_base(e) + r.take(entry_extra_bits(e));
        if (r.truncated())
            return Error::Truncated;
        return copy_owed_match(lane, dist);
    }

    Error copy_owed_match(unsigned lane, size_t dist) {
        size_t pos = pending_.pos[lane];
        if (dist > pos)
            return Error::BadDistance;
        // Every byte before `pos` is final by now: earlier matches ran on earlier turns.
        copy_match(dst_ + pos, dist, pending_.length[lane]);
        return Error::Ok;
    }

    TileDecoder &d_;
    LaneReader r_;
    uint8_t *dst_;
    size_t cap_;
    size_t out_ = 0;
    Pending pending_;
};

}  // namespace

Error TileDecoder::run(const uint8_t *src, size_t src_size, uint8_t *dst, size_t dst_size) {
    Tile tile(*this, src, src_size, dst, dst_size);
    return tile.run();
}

}  // namespace ds::gdeflate
