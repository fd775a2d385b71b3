// SPDX-License-Identifier: MIT
// Building GDeflate streams by hand in tests, and GDeflate requests into GPU buffers.
#pragma once

#include <cstdint>
#include <vector>

#include "ds/request.h"

namespace dstest {

/// A Compression::GDeflate request from `stream` in memory into `buffer` at `gpu_offset`.
inline ds::Request gdeflate_gpu_request(const std::vector<uint8_t> &stream, uint64_t uncompressed_size, uint64_t buffer,
                                        uint64_t buffer_size, uint64_t gpu_offset = 0) {
    ds::Request r;
    r.memory = ds::Memory::Gpu;
    r.compression = ds::Compression::GDeflate;
    r.source = ds::Source::Memory;
    r.src = stream.data();
    r.size = stream.size();
    r.uncompressed_size = uncompressed_size;
    r.gpu_buffer = buffer;
    r.gpu_buffer_size = buffer_size;
    r.gpu_offset = gpu_offset;
    return r;
}

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
