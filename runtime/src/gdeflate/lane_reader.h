// SPDX-License-Identifier: MIT
// The decoder's view of a GDeflate tile: 32 lanes, each with its own 64-bit bit buffer, refilled
// from one shared input one little-endian u32 at a time, in the order the lanes ask for words.
//
// A lane counts only the real input bits it holds. Once the input is used up a refill adds
// nothing (an encoder may omit trailing words nobody reads: those read as zero bits), and
// consuming more bits than a lane holds is what fails (sticky `truncated`, nothing consumed).
// Every consumed bit is therefore a real input bit, which bounds the work per tile.
//
// The state is a plain value: the decoder's hot loops copy it into a local, so that its stores
// into the output (byte stores may alias anything reachable through a pointer) do not force the
// compiler to reload the lanes after every byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "gdeflate/format.h"

namespace ds::gdeflate {

class LaneReader {
public:
    LaneReader(const uint8_t *in, size_t size) : in_(in), end_(in + size) {
        for (unsigned n = 0; n < fmt::kLanes; ++n) {
            buf_[n] = 0;
            bits_[n] = 0;
            idx_ = n;
            ensure();
        }
        idx_ = 0;
    }

    unsigned lane() const { return idx_; }
    void reset() { idx_ = 0; }
    bool truncated() const { return truncated_; }

    /// Refill the current lane below the watermark (the decoder's ENSURE).
    void ensure() {
        if (bits_[idx_] >= fmt::kLowWatermark)
            return;
        if (has_word()) [[likely]] {  // one unaligned load, no byte loop
            buf_[idx_] |= uint64_t(load_word()) << bits_[idx_];
            bits_[idx_] += fmt::kWordBits;
            in_ += 4;
        } else {  // the last 1..3 bytes of the tile, or none
            for (; in_ < end_; bits_[idx_] += 8)
                buf_[idx_] |= uint64_t(*in_++) << bits_[idx_];
        }
    }

    /// At least one whole word of input is left. Then every lane holds at least 32 bits when
    /// its turn starts (its last ensure() had a word to load), and a turn consumes at most 31
    /// (a 15-bit code and 16 extra bits), so the turn cannot run out: the decoder's fast path
    /// uses the unchecked calls below while this holds.
    bool has_word() const { return end_ - in_ >= 4; }

    /// ADVANCE while has_word(): the refill without a branch (whether a lane refills on a turn
    /// is close to random, and a mispredicted branch costs more than a load that goes unused).
    void advance_unchecked() {
        unsigned have = bits_[idx_];
        uint32_t need = have < fmt::kLowWatermark;
        buf_[idx_] |= uint64_t(load_word() & (0u - need)) << have;
        bits_[idx_] = have + need * fmt::kWordBits;
        in_ += need * 4;
        idx_ = (idx_ + 1) & (fmt::kLanes - 1);
    }

    /// skip() for the fast path (see has_word()).
    void skip_unchecked(unsigned n) {
        buf_[idx_] >>= n;
        bits_[idx_] -= n;
    }

    /// Refill the current lane, then move to the next one (the decoder's ADVANCE).
    void advance() {
        ensure();
        idx_ = (idx_ + 1) & (fmt::kLanes - 1);
    }

    /// The current lane's bit buffer: its next bits, LSB first (zeros past the real ones).
    uint64_t bits() const { return buf_[idx_]; }

    /// The next `n` (<= 32) bits of the current lane, without consuming them.
    uint32_t peek(unsigned n) const { return uint32_t(buf_[idx_]) & ((uint32_t(1) << n) - 1); }

    /// Consumes `n` bits; false (and sticky truncated()) when the lane holds fewer.
    bool skip(unsigned n) {
        if (n > bits_[idx_]) [[unlikely]] {
            truncated_ = true;
            return false;
        }
        buf_[idx_] >>= n;
        bits_[idx_] -= n;
        return true;
    }

    /// Consumes and returns `n` (<= 24) bits; 0 once truncated.
    uint32_t take(unsigned n) {
        uint32_t v = peek(n);
        return skip(n) ? v : 0;
    }

    /// Stored-block bytes (8 bits from each lane in turn, then ADVANCE), 128 at a time: four
    /// rounds of 32 turns. While every lane holds 32..63 bits and 128 input bytes remain, each
    /// lane hands out its low 32 bits over the four rounds and loads exactly one word, in the
    /// round its count drops below the watermark: lanes holding fewer bits load first, ties in
    /// turn order. The counts end where they started, so that load order holds for every block.
    /// Writes `blocks` x 128 bytes or fewer; returns how many blocks it wrote (the caller does the
    /// rest turn by turn).
    size_t stored_blocks(uint8_t *out, size_t blocks) {
        for (unsigned n = 0; n < fmt::kLanes; ++n)
            if (bits_[n] < fmt::kLowWatermark)
                return 0;
        uint8_t order[fmt::kLanes];
        unsigned w = 0;
        for (unsigned round = 0; round < 4; ++round)
            for (unsigned k = 0; k < fmt::kLanes; ++k) {
                unsigned lane = (idx_ + k) & (fmt::kLanes - 1);
                if ((bits_[lane] - fmt::kLowWatermark) / 8 == round)
                    order[w++] = uint8_t(lane);
            }
        constexpr size_t kBlock = 4 * fmt::kLanes;
        size_t done = 0;
        for (; done < blocks && size_t(end_ - in_) >= kBlock; ++done, out += kBlock, in_ += kBlock) {
            for (unsigned k = 0; k < fmt::kLanes; ++k) {
                uint32_t v = uint32_t(buf_[(idx_ + k) & (fmt::kLanes - 1)]);
                out[k] = uint8_t(v);
                out[fmt::kLanes + k] = uint8_t(v >> 8);
                out[2 * fmt::kLanes + k] = uint8_t(v >> 16);
                out[3 * fmt::kLanes + k] = uint8_t(v >> 24);
            }
            for (unsigned i = 0; i < fmt::kLanes; ++i) {
                unsigned lane = order[i];
                uint32_t word;
                std::memcpy(&word, in_ + 4 * i, 4);
                buf_[lane] = (buf_[lane] >> 32) | uint64_t(from_le(word)) << (bits_[lane] - 32);
            }
        }
        return done;
    }

private:
    uint32_t load_word() const {
        uint32_t word;
        std::memcpy(&word, in_, 4);
        return from_le(word);
    }

    static uint32_t from_le(uint32_t w) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        return __builtin_bswap32(w);
#else
        return w;
#endif
    }

    const uint8_t *in_;
    const uint8_t *end_;
    uint64_t buf_[fmt::kLanes];
    unsigned bits_[fmt::kLanes];
    unsigned idx_ = 0;
    bool truncated_ = false;
};

}  // namespace ds::gdeflate
