// SPDX-License-Identifier: MIT
// Canonical Huffman decode tables for the GDeflate decoder: a primary table indexed by the next
// `bits` input bits (LSB-first, as DEFLATE packs codes) holds every code up to that length; a
// longer code's primary entry links to a subtable indexed by the bits after the primary ones.
// Building stays cheap (a few KiB written per table, not 2^15 entries) and a symbol costs one
// lookup, two for the rare long codes.
#pragma once

#include <cstdint>

namespace ds::gdeflate {

struct DecodeTable {
    /// Room for a primary table of 2^bits entries plus one subtable of at most 2^(15 - bits)
    /// entries per long code; the builder widens the primary table when that could exceed it
    /// (the decoder's widths, 10 bits for 288 symbols and 8 for 32, never need to).
    static constexpr unsigned kMaxEntries = 1u << 15;
    static constexpr uint32_t kLink = 1u << 31;  ///< entry is a subtable link
    unsigned bits = 0;                           ///< primary index width (at least 1)
    uint32_t mask = 0;                           ///< (1 << bits) - 1
    /// Symbol entry: low 16 bits symbol, bits 16..23 code length.
    /// Link entry: kLink | subtable index width << 16 | subtable offset (low 16 bits).
    uint32_t entry[kMaxEntries];
};

inline uint32_t table_symbol(uint32_t e) { return e & 0xFFFF; }
inline unsigned table_length(uint32_t e) { return (e >> 16) & 0xFF; }

/// The entry for the code at the bottom of `bits` (the lane's bit buffer, LSB first).
inline uint32_t table_lookup(const DecodeTable &t, uint64_t bits) {
    uint32_t e = t.entry[bits & t.mask];
    if (e & DecodeTable::kLink) [[unlikely]]
        e = t.entry[(e & 0xFFFF) + (uint32_t(bits >> t.bits) & ((1u << ((e >> 16) & 0xFF)) - 1))];
    return e;
}

/// How build_code_table() writes its entries: a symbol's entry is `symbol[s]` (the symbol number
/// where `symbol` is null) plus its code length times `length_unit`; a link entry is
/// `link_flag | subtable width << link_width_shift | subtable offset << link_offset_shift`.
/// The defaults are DecodeTable's format.
struct EntryFormat {
    const uint32_t *symbol = nullptr;
    uint32_t length_unit = 1u << 16;
    uint32_t link_flag = DecodeTable::kLink;
    unsigned link_width_shift = 16;
    unsigned link_offset_shift = 0;
};

/// build_decode_table() into `entry` (room for DecodeTable::kMaxEntries) in format `f`; the
/// primary table's index width goes to `*bits`.
bool build_code_table(uint32_t *entry, unsigned *bits, const uint8_t *lens, unsigned count, unsigned max_len,
                      unsigned primary_bits, const EntryFormat &f);

/// Builds `t` from `count` code lengths (each 0..max_len), with a primary table of at most
/// `primary_bits` bits (wider when narrower could overflow the entries). Returns false for an over-subscribed code or
/// an incomplete one, except the two incomplete codes DEFLATE decoders accept: no code at all (reads decode symbol 0
/// with length 1) and one symbol of length 1 (both bit values decode to it).
bool build_decode_table(DecodeTable *t, const uint8_t *lens, unsigned count, unsigned max_len, unsigned primary_bits);

}  // namespace ds::gdeflate
