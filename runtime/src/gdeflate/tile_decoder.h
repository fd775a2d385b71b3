// SPDX-License-Identifier: MIT
// Decodes one GDeflate tile (a raw 32-lane bitstream, no container) into a caller buffer.
// The scratch tables are large (about 390 KiB), so a worker allocates one TileDecoder and reuses it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ds/gdeflate.h"
#include "gdeflate/format.h"
#include "gdeflate/huffman_decode.h"
#include "gdeflate/symbol_table.h"

namespace ds::gdeflate {

struct TileDecoder {
    SymbolTable litlen;
    SymbolTable dist;
    DecodeTable precode;
    bool fixed_loaded = false;                            ///< litlen/dist currently hold the fixed codes
    uint8_t lens[fmt::kNumLitLen + fmt::kNumDist + 138];  ///< room for a repeat that overruns

    /// Decodes `src` so that it produces exactly `dst_size` bytes.
    Error run(const uint8_t *src, size_t src_size, uint8_t *dst, size_t dst_size);
};

}  // namespace ds::gdeflate
