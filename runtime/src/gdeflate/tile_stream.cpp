// SPDX-License-Identifier: MIT
#include "gdeflate/tile_stream.h"

#include "gdeflate/format.h"

namespace ds::gdeflate {

Error parse_stream(const uint8_t *src, size_t src_size, ParsedStream *out) {
    if (!src && src_size)
        return Error::InvalidArgument;
    if (src_size < kHeaderSize)
        return Error::Truncated;
    if (src[0] != kCodecId || src[1] != (kCodecId ^ 0xFF))
        return Error::BadHeader;
    uint32_t tiles = uint32_t(src[2]) | uint32_t(src[3]) << 8;
    uint32_t bits = load_le32(src + 4);
    uint32_t size_idx = bits & 3;
    uint32_t last = (bits >> 2) & 0x3FFFF;  // reserved bits 20..31 are ignored, as the reference does
    if (size_idx != fmt::kTileSizeIdx64K || last >= kTileSize || (tiles == 0 && last != 0))
        return Error::BadHeader;

    size_t table_bytes = size_t(tiles) * 4;
    if (src_size - kHeaderSize < table_bytes)
        return Error::Truncated;
    out->info.tiles = tiles;
    out->info.uncompressed_size = uint64_t(tiles) * kTileSize - (last ? kTileSize - last : 0);
    out->table = src + kHeaderSize;
    out->data = out->table + table_bytes;
    out->data_size = src_size - kHeaderSize - table_bytes;

    // Entry 0 is the last tile's size, entry i > 0 the offset of tile i (tile 0 starts at 0).
    size_t prev = 0;
    for (uint32_t i = 1; i < tiles; ++i) {
        size_t off = load_le32(out->table + 4 * i);
        if (off < prev || off > out->data_size)
            return Error::BadTileTable;
        prev = off;
    }
    if (tiles && size_t(load_le32(out->table)) > out->data_size - prev)
        return Error::BadTileTable;
    return Error::Ok;
}

TileRange tile_range(const ParsedStream &s, uint32_t i) {
    TileRange r;
    r.offset = i ? load_le32(s.table + 4 * i) : 0;
    size_t end = i + 1 < s.info.tiles ? load_le32(s.table + 4 * (i + 1)) : r.offset + load_le32(s.table);
    r.size = end - r.offset;
    return r;
}

size_t tile_output_size(const StreamInfo &info, uint32_t i) {
    if (i + 1 < info.tiles)
        return kTileSize;
    return size_t(info.uncompressed_size - uint64_t(i) * kTileSize);
}

}  // namespace ds::gdeflate
