// SPDX-License-Identifier: MIT
// ds::gdeflate: CPU codec for GDeflate tile streams (the DirectStorage 1.1+ compression format).
// A stream is an 8-byte header, a table of u32 tile offsets, then independent 64 KiB tiles; each
// tile is a DEFLATE bitstream whose bits are spread over 32 interleaved lanes. docs/gdeflate.md
// describes the format as implemented and the decoder's safety rules.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ds::gdeflate {

inline constexpr uint8_t kCodecId = 4;  ///< header byte 0; byte 1 is kCodecId ^ 0xFF
inline constexpr size_t kHeaderSize = 8;
inline constexpr size_t kTileSize = 64 * 1024;  ///< uncompressed bytes per tile (tileSizeIdx 1)
inline constexpr uint32_t kMaxTiles = 65535;
inline constexpr uint64_t kMaxUncompressed = uint64_t(kMaxTiles) * kTileSize;

/// Why a call failed. Every malformed input maps to one of these; none crashes or hangs.
enum class Error : uint8_t {
    Ok = 0,
    InvalidArgument,  ///< null pointer with a non-zero size, bad level, size above kMaxUncompressed
    Truncated,        ///< the stream (or a tile) ends before the data it announces
    BadHeader,        ///< wrong id/magic, tileSizeIdx != 1, tile count inconsistent with the sizes
    BadTileTable,     ///< a tile offset or size points outside the tile data, or offsets go backwards
    BadBlockType,     ///< block type 3 (reserved)
    BadHuffmanCode,   ///< over-subscribed, incomplete or over-long code lengths, bad repeat code
    BadDistance,      ///< a match reaches before the start of the tile
    OutputOverrun,    ///< a tile produces more bytes than it should, or dst is too small
    SizeMismatch,     ///< a tile produces fewer bytes than its size, or dst size != stream size
    OutOfMemory,
};

const char *error_name(Error e);

/// Compression levels: 1 (fastest) .. 12 (best ratio).
inline constexpr int kLevelFastest = 1;
inline constexpr int kLevelDefault = 9;
inline constexpr int kLevelBestRatio = 12;

struct StreamInfo {
    uint32_t tiles = 0;
    uint64_t uncompressed_size = 0;
};

/// Parses and checks the header and tile table only (no decoding).
Error read_info(const void *src, size_t src_size, StreamInfo *info);

/// Decodes a whole tile stream into dst; dst_size must equal the stream's uncompressed size.
/// `threads` workers decode tiles in parallel (0: one per hardware thread, capped at the tile count).
/// On failure dst holds unspecified bytes. `produced` (optional) gets the bytes written on success.
Error decode(const void *src, size_t src_size, void *dst, size_t dst_size, unsigned threads,
             uint64_t *produced = nullptr);

/// Decodes one raw tile bitstream (no container) that must produce exactly dst_size bytes.
Error decode_tile(const void *src, size_t src_size, void *dst, size_t dst_size);

/// Worst-case stream size for `size` input bytes: tiles × (64 KiB + 4 + 832 + 32) + 16.
size_t compress_bound(size_t size);

/// Encodes src into a tile stream. `threads` as for decode. *written gets the stream size.
/// Fails with InvalidArgument for a level outside 1..12 or size > kMaxUncompressed, and with
/// OutputOverrun when dst_cap is below what the stream needs (compress_bound always suffices).
Error encode(const void *src, size_t size, void *dst, size_t dst_cap, int level, unsigned threads, size_t *written);

}  // namespace ds::gdeflate
