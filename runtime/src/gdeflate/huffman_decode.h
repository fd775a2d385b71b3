// SPDX-License-Identifier: MIT
// Canonical Huffman decode tables for the GDeflate decoder: one flat table indexed by the next
// `bits` input bits (LSB-first, as DEFLATE packs codes), so a symbol costs one lookup.
#pragma once

#include <cstdint>

namespace ds::gdeflate {

struct DecodeTable {
    static constexpr unsigned kMaxEntries = 1u << 15;
    unsigned bits = 0;            ///< index width: the longest code length (at least 1)
    uint32_t entry[kMaxEntries];  ///< low 16 bits: symbol; bits 16..23: code length
};

inline uint32_t table_symbol(uint32_t e) { return e & 0xFFFF; }
inline unsigned table_length(uint32_t e) { return e >> 16; }

/// Builds `t` from `count` code lengths (each 0..max_len). Returns false for an over-subscribed
/// code or an incomplete one, except the two incomplete codes DEFLATE decoders accept: no code
/// at all (reads decode symbol 0 with length 1) and one symbol of length 1 (both bit values
/// decode to it).
bool build_decode_table(DecodeTable *t, const uint8_t *lens, unsigned count, unsigned max_len);

}  // namespace ds::gdeflate
