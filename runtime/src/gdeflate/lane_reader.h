// SPDX-License-Identifier: MIT
// The decoder's view of a GDeflate tile: 32 lanes, each with its own 64-bit bit buffer, refilled
// from one shared input one little-endian u32 at a time, in the order the lanes ask for words.
//
// A refill past the end of the input loads zero "phantom" bits instead of failing, because an
// encoder may omit trailing words nobody reads; consuming a phantom bit is what fails (sticky
// `truncated`). Every consumed bit is therefore a real input bit, which bounds the work per tile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "gdeflate/format.h"

namespace ds::gdeflate {

class LaneReader {
public:
    LaneReader(const uint8_t *in, size_t size) : in_(in), size_(size) {
        for (unsigned n = 0; n < fmt::kLanes; ++n) {
            buf_[n] = 0;
            bits_[n] = 0;
            phantom_[n] = 0;
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
        uint32_t word = 0;
        unsigned real = 0;
        if (size_ - pos_ >= 4) {  // the common case: one unaligned load, no byte loop
            uint8_t b[4];
            std::memcpy(b, in_ + pos_, 4);
            word = uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
            pos_ += 4;
            real = 32;
        } else {  // the last 1..3 bytes of the tile, or none
            for (; pos_ < size_; real += 8)
                word |= uint32_t(in_[pos_++]) << real;
        }
        buf_[idx_] |= uint64_t(word) << bits_[idx_];
        bits_[idx_] += fmt::kWordBits;
        phantom_[idx_] += fmt::kWordBits - real;
    }

    /// Refill the current lane, then move to the next one (the decoder's ADVANCE).
    void advance() {
        ensure();
        idx_ = (idx_ + 1) % fmt::kLanes;
    }

    /// The next `n` (<= 32) bits of the current lane, without consuming them.
    uint32_t peek(unsigned n) const { return uint32_t(buf_[idx_]) & ((uint32_t(1) << n) - 1); }

    /// Consumes `n` bits; false (and sticky truncated()) when they would include phantom bits.
    bool skip(unsigned n) {
        if (n > bits_[idx_] - phantom_[idx_]) {
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

private:
    const uint8_t *in_;
    size_t size_;
    size_t pos_ = 0;
    uint64_t buf_[fmt::kLanes];
    unsigned bits_[fmt::kLanes];
    unsigned phantom_[fmt::kLanes];
    unsigned idx_ = 0;
    bool truncated_ = false;
};

}  // namespace ds::gdeflate
