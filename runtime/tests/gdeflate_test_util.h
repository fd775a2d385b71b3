// SPDX-License-Identifier: MIT
// Building GDeflate streams by hand in tests.
#pragma once

#include <cstdint>
#include <vector>

namespace dstest {

inline void put32(std::vector<uint8_t> &v, uint32_t x) {
    for (int i = 0; i < 4; ++i)
        v.push_back(uint8_t(x >> (8 * i)));
}

/// A one-tile stream: header (id 4, magic 0xFB, 1 tile, tileSizeIdx 1, lastTileSize = size),
/// the tile table (entry 0: the last tile's compressed size), then the tile's bits.
inline std::vector<uint8_t> one_tile_stream(const std::vector<uint8_t> &tile, uint32_t size) {
    std::vector<uint8_t> s = {0x04, 0xFB, 0x01, 0x00};
    put32(s, 1u | size << 2);
    put32(s, uint32_t(tile.size()));
    s.insert(s.end(), tile.begin(), tile.end());
    return s;
}

}  // namespace dstest
