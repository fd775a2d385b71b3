// SPDX-License-Identifier: MIT
#include "gdeflate/symbol_table.h"

#include <array>

#include "gdeflate/format.h"

namespace ds::gdeflate {
namespace {

/// A symbol's entry before the builder adds its code length (to the bits consumed and as the code
/// length): its value, its kind and its extra bits.
constexpr uint32_t value_entry(uint32_t value, unsigned extra_bits) { return extra_bits | value << 16; }

constexpr std::array<uint32_t, fmt::kNumLitLen> make_litlen_entries() {
    std::array<uint32_t, fmt::kNumLitLen> e{};
    for (unsigned s = 0; s < 256; ++s)
        e[s] = SymbolTable::kLiteral | value_entry(s, 0);
    e[fmt::kEndOfBlock] = SymbolTable::kEndOfBlock;
    for (unsigned s = 257; s < fmt::kNumLitLen; ++s)
        e[s] = value_entry(fmt::kLengthBase[s - 257], fmt::kLengthExtra[s - 257]);
    return e;
}

constexpr std::array<uint32_t, fmt::kNumDist> make_dist_entries() {
    std::array<uint32_t, fmt::kNumDist> e{};
    for (unsigned s = 0; s < fmt::kNumDist; ++s)
        e[s] = value_entry(fmt::kDistBase[s], fmt::kDistExtra[s]);
    return e;
}

constexpr std::array<uint32_t, fmt::kNumLitLen> kLitLenEntries = make_litlen_entries();
constexpr std::array<uint32_t, fmt::kNumDist> kDistEntries = make_dist_entries();

/// The code length is added once to the bits consumed (bits 0..4) and once as the code length
/// (bits 8..11).
EntryFormat symbol_format(const uint32_t *entries) {
    EntryFormat f;
    f.symbol = entries;
    f.length_unit = 1u | 1u << 8;
    f.link_flag = SymbolTable::kLink;
    f.link_width_shift = 8;
    f.link_offset_shift = 16;
    return f;
}

bool build(SymbolTable *t, const uint8_t *lens, unsigned count, unsigned primary_bits, const uint32_t *entries) {
    if (!build_code_table(t->entry, &t->bits, lens, count, fmt::kMaxCodeLen, primary_bits, symbol_format(entries)))
        return false;
    t->mask = (1u << t->bits) - 1;
    return true;
}

}  // namespace

bool build_litlen_table(SymbolTable *t, const uint8_t *lens, unsigned count, unsigned primary_bits) {
    return build(t, lens, count, primary_bits, kLitLenEntries.data());
}

bool build_dist_table(SymbolTable *t, const uint8_t *lens, unsigned count, unsigned primary_bits) {
    return build(t, lens, count, primary_bits, kDistEntries.data());
}

}  // namespace ds::gdeflate
