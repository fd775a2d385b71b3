// SPDX-License-Identifier: MIT
// Encodes one tile (<= 64 KiB) as a raw GDeflate bitstream: LZ77 parse, then whichever of a
// dynamic Huffman, fixed Huffman or stored encoding is smallest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "gdeflate/lz77.h"

namespace ds::gdeflate {

enum class BlockChoice : uint8_t { Auto, Stored, Fixed, Dynamic };

class TileEncoder {
public:
    /// Returns the bitstream size, or 0 when `cap` is too small (a bitstream is never empty).
    /// `force` pins the block type (tests use it to cover each kind).
    size_t run(const uint8_t *data, size_t size, const MatchParams &p, uint8_t *out, size_t cap,
               BlockChoice force = BlockChoice::Auto);

private:
    Matcher matcher_;
    std::vector<Item> items_;
};

}  // namespace ds::gdeflate
