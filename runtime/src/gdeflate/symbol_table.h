// SPDX-License-Identifier: MIT
// The decoder's literal/length and distance tables: laid out as a DecodeTable (huffman_decode.h),
// but an entry holds what a turn does with its symbol rather than the symbol. An entry holds the bits its symbol
// consumes (code length plus extra bits), the code length, and the symbol's value: a literal's byte, or a length's or
// distance's base, to which the extra bits that follow the code are added. A turn is then one lookup, one shift of the
// lane's bits, and no per-symbol base/extra-bit tables.
#pragma once

#include <cstdint>

#include "gdeflate/huffman_decode.h"

namespace ds::gdeflate {

/// Entry: bits 0..4 the bits consumed, bits 5..7 kind flags (none: a length or a distance),
/// bits 8..11 the code length, bits 16..31 the value.
/// Link entry: kLink | subtable index width << 8 | subtable offset << 16.
struct SymbolTable {
    static constexpr uint32_t kLiteral = 1u << 5;
    static constexpr uint32_t kEndOfBlock = 1u << 6;
    static constexpr uint32_t kLink = 1u << 7;
    unsigned bits = 0;  ///< primary index width
    uint32_t mask = 0;  ///< (1 << bits) - 1
    uint32_t entry[DecodeTable::kMaxEntries];
};

inline unsigned entry_consumed(uint32_t e) { return e & 31; }
inline unsigned entry_code_length(uint32_t e) { return (e >> 8) & 15; }
inline unsigned entry_extra_bits(uint32_t e) { return entry_consumed(e) - entry_code_length(e); }
inline uint32_t entry_base(uint32_t e) { return e >> 16; }

/// The symbol's value: its base plus the extra bits after its code in `bits` (the lane's bit
/// buffer before the symbol); a literal's byte (no extra bits).
inline uint32_t entry_value(uint32_t e, uint64_t bits) {
    uint64_t consumed = bits & ((uint64_t(1) << entry_consumed(e)) - 1);
    return entry_base(e) + uint32_t(consumed >> entry_code_length(e));
}

/// build_decode_table() for a literal/length code, with SymbolTable entries.
bool build_litlen_table(SymbolTable *t, const uint8_t *lens, unsigned count, unsigned primary_bits);
/// build_decode_table() for a distance code, with SymbolTable entries.
bool build_dist_table(SymbolTable *t, const uint8_t *lens, unsigned count, unsigned primary_bits);

}  // namespace ds::gdeflate
