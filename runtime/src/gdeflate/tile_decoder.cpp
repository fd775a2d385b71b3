// SPDX-License-Identifier: MIT
// The lane schedule mirrors the reference decoder exactly (docs/gdeflate.md, "Lane schedule"):
// lane 0 carries block headers; the lane index moves on after every symbol; a length symbol
// reserves its output bytes at once and the lane's *next* turn reads the distance and copies.
#include "gdeflate/tile_decoder.h"

#include <cstring>

#include "gdeflate/lane_reader.h"

namespace ds::gdeflate {
namespace {

struct Pending {
    uint32_t mask = 0;  ///< bit n: lane n owes a distance
    uint32_t length[fmt::kLanes];
    size_t pos[fmt::kLanes];  ///< where that match's bytes go
};

uint32_t decode_symbol(LaneReader &r, const DecodeTable &t) {
    uint32_t e = t.entry[r.peek(t.bits)];
    r.skip(table_length(e));
    return table_symbol(e);
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
        for (uint32_t i = 0; i < len; ++i) {
            dst_[out_++] = uint8_t(r_.take(8));
            r_.advance();
        }
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
        build_decode_table(&d_.litlen, lens, fmt::kNumLitLen, fmt::kMaxCodeLen);
        build_decode_table(&d_.dist, lens + fmt::kNumLitLen, fmt::kNumDist, fmt::kMaxCodeLen);
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
        if (!build_decode_table(&d_.precode, pre_lens, fmt::kNumPrecode, fmt::kMaxPrecodeLen))
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
        if (!build_decode_table(&d_.litlen, lens, num_litlen, fmt::kMaxCodeLen) ||
            !build_decode_table(&d_.dist, lens + num_litlen, num_dist, fmt::kMaxCodeLen))
            return Error::BadHuffmanCode;
        return Error::Ok;
    }

    Error huffman_data() {
        r_.reset();
        for (;;) {
            unsigned lane = r_.lane();
            if (pending_.mask & (1u << lane)) {
                Error e = copy(lane);
                if (e != Error::Ok)
                    return e;
            } else {
                unsigned sym = decode_symbol(r_, d_.litlen);
                if (sym < 256) {
                    if (out_ == cap_)
                        return Error::OutputOverrun;
                    dst_[out_++] = uint8_t(sym);
                } else if (sym == fmt::kEndOfBlock) {
                    return r_.truncated() ? Error::Truncated : Error::Ok;  // no advance
                } else {
                    unsigned len = fmt::kLengthBase[sym - 257] + r_.take(fmt::kLengthExtra[sym - 257]);
                    if (len > cap_ - out_)
                        return Error::OutputOverrun;
                    pending_.mask |= 1u << lane;
                    pending_.length[lane] = len;
                    pending_.pos[lane] = out_;
                    out_ += len;
                }
            }
            if (r_.truncated())
                return Error::Truncated;
            r_.advance();
        }
    }

    // After end-of-block every lane gets one more turn, starting at the end-of-block lane, to
    // finish the matches it still owes.
    Error drain_copies() {
        for (unsigned n = 0; n < fmt::kLanes; ++n) {
            unsigned lane = r_.lane();
            if (pending_.mask & (1u << lane)) {
                Error e = copy(lane);
                if (e != Error::Ok)
                    return e;
            }
            r_.advance();
        }
        return r_.truncated() ? Error::Truncated : Error::Ok;
    }

    Error copy(unsigned lane) {
        pending_.mask &= ~(1u << lane);
        unsigned sym = decode_symbol(r_, d_.dist);
        size_t dist = fmt::kDistBase[sym] + r_.take(fmt::kDistExtra[sym]);
        if (r_.truncated())
            return Error::Truncated;
        size_t pos = pending_.pos[lane];
        if (dist > pos)
            return Error::BadDistance;
        // Every byte before `pos` is final by now: earlier matches ran on earlier turns.
        uint8_t *to = dst_ + pos;
        const uint8_t *from = to - dist;
        uint32_t len = pending_.length[lane];
        if (dist >= len) {
            std::memcpy(to, from, len);
        } else {
            for (uint32_t i = 0; i < len; ++i)  // overlapping: byte by byte repeats the pattern
                to[i] = from[i];
        }
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
