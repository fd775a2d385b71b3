// SPDX-License-Identifier: MIT
// GDeflate bitstream constants shared by the decoder and the encoder. GDeflate's symbol tables are
// Deflate64's (length symbol 285 is base 3 with 16 extra bits; distance symbols 30 and 31 reach
// 64 KiB), plus the lane parameters (32 lanes, 32-bit words, a lane is refilled below 32 bits).
#pragma once

#include <cstdint>

namespace ds::gdeflate::fmt {

inline constexpr unsigned kLanes = 32;
inline constexpr unsigned kWordBits = 32;      ///< a lane is refilled one little-endian u32 at a time
inline constexpr unsigned kLowWatermark = 32;  ///< refill when a lane holds fewer bits than this

inline constexpr unsigned kBlockStored = 0;
inline constexpr unsigned kBlockFixed = 1;
inline constexpr unsigned kBlockDynamic = 2;

inline constexpr unsigned kNumLitLen = 288;  ///< 286 and 287 decode like 285 (as the reference does)
inline constexpr unsigned kNumDist = 32;
inline constexpr unsigned kNumPrecode = 19;
inline constexpr unsigned kMaxCodeLen = 15;
inline constexpr unsigned kMaxPrecodeLen = 7;
inline constexpr unsigned kEndOfBlock = 256;
inline constexpr unsigned kMinMatch = 3;
inline constexpr unsigned kMaxShortMatch = 258;  ///< longest length with a DEFLATE length symbol
inline constexpr unsigned kMaxMatch = 65535;     ///< the encoder's limit (symbol 285 reaches 65538)
inline constexpr unsigned kMaxDistance = 65536;
inline constexpr unsigned kMaxStoredLen = 65535;

/// Order in which the dynamic block header lists the precode lengths.
inline constexpr uint8_t kPrecodeOrder[kNumPrecode] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                       11, 4,  12, 3, 13, 2, 14, 1, 15};

/// Length symbols 257..287: base length and extra bits (285..287: 3 + 16 bits, Deflate64 style).
inline constexpr uint16_t kLengthBase[31] = {3,  4,  5,  6,  7,  8,  9,  10,  11,  13,  15,  17,  19, 23, 27, 31,
                                             35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 3,  3,  3};
inline constexpr uint8_t kLengthExtra[31] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2,  2,  2, 2,
                                             3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 16, 16, 16};
inline constexpr unsigned kLongLengthSymbol = 285;

/// Distance symbols 0..31: base distance and extra bits.
inline constexpr uint32_t kDistBase[32] = {1,    2,    3,    4,    5,    7,     9,     13,    17,    25,   33,
                                           49,   65,   97,   129,  193,  257,   385,   513,   769,   1025, 1537,
                                           2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577, 32769, 49153};
inline constexpr uint8_t kDistExtra[32] = {0, 0, 0, 0, 1, 1, 2,  2,  3,  3,  4,  4,  5,  5,  6,  6,
                                           7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14};

/// Code lengths of the fixed Huffman block (RFC 1951 3.2.6).
inline constexpr uint8_t fixed_litlen_len(unsigned sym) { return sym < 144 ? 8 : sym < 256 ? 9 : sym < 280 ? 7 : 8; }
inline constexpr uint8_t kFixedDistLen = 5;

/// Container header, little-endian: id, magic, u16 tiles, u32 {tileSizeIdx:2, lastTileSize:18, reserved:12}.
inline constexpr unsigned kTileSizeIdx64K = 1;

}  // namespace ds::gdeflate::fmt
