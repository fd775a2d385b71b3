// SPDX-License-Identifier: MIT
// The GDeflate container: header and tile table parsing with every range checked.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ds/gdeflate.h"

namespace ds::gdeflate {

struct ParsedStream {
    StreamInfo info;
    const uint8_t *table = nullptr;  ///< numTiles little-endian u32
    const uint8_t *data = nullptr;   ///< tile data
    size_t data_size = 0;
};

struct TileRange {
    size_t offset = 0;  ///< into the tile data
    size_t size = 0;
};

Error parse_stream(const uint8_t *src, size_t src_size, ParsedStream *out);

/// The compressed range of tile `i`; the tile table was checked by parse_stream.
TileRange tile_range(const ParsedStream &s, uint32_t i);

/// Uncompressed size of tile `i`.
size_t tile_output_size(const StreamInfo &info, uint32_t i);

inline uint32_t load_le32(const uint8_t *p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

inline void store_le32(uint8_t *p, uint32_t v) {
    p[0] = uint8_t(v);
    p[1] = uint8_t(v >> 8);
    p[2] = uint8_t(v >> 16);
    p[3] = uint8_t(v >> 24);
}

}  // namespace ds::gdeflate
