// SPDX-License-Identifier: MIT
#include "gdeflate/symbol_table.h"

#include "gdeflate/format.h"

namespace ds::gdeflate {
namespace {

uint32_t value_entry(uint32_t value, unsigned code_length, unsigned extra_bits) {
    return (code_length + extra_bits) | code_length << 8 | value << 16;
}

uint32_t link_entry(uint32_t e) {
    uint32_t offset = e & 0xFFFF, width = (e >> 16) & 0xFF;
    return SymbolTable::kLink | width << 8 | offset << 16;
}

uint32_t litlen_entry(uint32_t e) {
    unsigned sym = table_symbol(e), len = table_length(e);
    if (sym < 256)
        return SymbolTable::kLiteral | value_entry(sym, len, 0);
    if (sym == fmt::kEndOfBlock)
        return SymbolTable::kEndOfBlock | value_entry(0, len, 0);
    return value_entry(fmt::kLengthBase[sym - 257], len, fmt::kLengthExtra[sym - 257]);
}

uint32_t dist_entry(uint32_t e) {
    unsigned sym = table_symbol(e);
    return value_entry(fmt::kDistBase[sym], table_length(e), fmt::kDistExtra[sym]);
}

template <typename Resolve> void resolve(SymbolTable *out, const DecodeTable &t, Resolve resolve_symbol) {
    out->bits = t.bits;
    out->mask = t.mask;
    for (uint32_t i = 0; i < t.size; ++i) {
        uint32_t e = t.entry[i];
        out->entry[i] = (e & DecodeTable::kLink) ? link_entry(e) : resolve_symbol(e);
    }
}

}  // namespace

void resolve_litlen_table(SymbolTable *out, const DecodeTable &t) { resolve(out, t, litlen_entry); }

void resolve_dist_table(SymbolTable *out, const DecodeTable &t) { resolve(out, t, dist_entry); }

}  // namespace ds::gdeflate
