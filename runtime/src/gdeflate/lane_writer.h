// SPDX-License-Identifier: MIT
// The encoder's side of the lanes. It runs a model of the decoder's bit counts (the same
// ensure/advance calls, in the same order), so each time the model decoder would load a word
// for a lane, the writer reserves the next 4 output bytes for that lane. A lane's bits then
// fill its reserved words in order. That reproduces the decoder's read order exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "gdeflate/format.h"

namespace ds::gdeflate {

class LaneWriter {
public:
    LaneWriter(uint8_t *out, size_t cap) : out_(out), cap_(cap) {
        for (unsigned n = 0; n < fmt::kLanes; ++n) {
            idx_ = n;
            ensure();
        }
        idx_ = 0;
    }

    unsigned lane() const { return idx_; }
    void reset() { idx_ = 0; }
    bool overflow() const { return overflow_; }

    /// Appends `n` (<= 32) bits, LSB first, to the current lane.
    void put(uint32_t bits, unsigned n) {
        Lane &l = lanes_[idx_];
        l.acc |= uint64_t(bits) << l.acc_bits;
        l.acc_bits += n;
        l.model_bits -= n;  // the model decoder always holds >= 32 bits when a turn starts
        if (l.acc_bits >= fmt::kWordBits) {
            write_word(l, uint32_t(l.acc));
            l.acc >>= fmt::kWordBits;
            l.acc_bits -= fmt::kWordBits;
        }
    }

    void ensure() {
        Lane &l = lanes_[idx_];
        if (l.model_bits >= fmt::kLowWatermark)
            return;
        l.model_bits += fmt::kWordBits;
        size_t at = next_;
        if (cap_ - next_ < 4) {
            overflow_ = true;
            at = kNoSlot;
        } else {
            std::memset(out_ + at, 0, 4);
            next_ += 4;
        }
        l.slot[(l.head + l.count) % kSlots] = at;
        ++l.count;
    }

    void advance() {
        ensure();
        idx_ = (idx_ + 1) % fmt::kLanes;
    }

    /// Writes every lane's partial word; returns the stream size (words nobody fills stay zero).
    size_t finish() {
        for (Lane &l : lanes_) {
            if (l.acc_bits) {
                write_word(l, uint32_t(l.acc));
                l.acc = 0;
                l.acc_bits = 0;
            }
        }
        return next_;
    }

private:
    static constexpr unsigned kSlots = 4;  // at most 2 reserved words are ever outstanding
    static constexpr size_t kNoSlot = SIZE_MAX;

    struct Lane {
        uint64_t acc = 0;
        unsigned acc_bits = 0;
        unsigned model_bits = 0;  ///< bits the model decoder holds for this lane
        size_t slot[kSlots];
        unsigned head = 0;
        unsigned count = 0;
    };

    void write_word(Lane &l, uint32_t w) {
        if (l.count == 0) {  // cannot happen while the model holds; fail loudly rather than corrupt
            overflow_ = true;
            return;
        }
        size_t at = l.slot[l.head];
        l.head = (l.head + 1) % kSlots;
        --l.count;
        if (at == kNoSlot)
            return;
        out_[at] = uint8_t(w);
        out_[at + 1] = uint8_t(w >> 8);
        out_[at + 2] = uint8_t(w >> 16);
        out_[at + 3] = uint8_t(w >> 24);
    }

    uint8_t *out_;
    size_t cap_;
    size_t next_ = 0;
    Lane lanes_[fmt::kLanes];
    unsigned idx_ = 0;
    bool overflow_ = false;
};

}  // namespace ds::gdeflate
