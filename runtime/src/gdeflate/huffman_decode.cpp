// SPDX-License-Identifier: MIT
#include "gdeflate/huffman_decode.h"

#include <array>

#include "gdeflate/format.h"

namespace ds::gdeflate {
namespace {

constexpr std::array<uint8_t, 256> make_byte_reverse() {
    std::array<uint8_t, 256> r{};
    for (unsigned b = 0; b < 256; ++b) {
        unsigned v = 0;
        for (unsigned i = 0; i < 8; ++i)
            v |= ((b >> i) & 1u) << (7 - i);
        r[b] = uint8_t(v);
    }
    return r;
}
constexpr std::array<uint8_t, 256> kByteReverse = make_byte_reverse();

/// The low `len` (<= 16) bits of `code`, reversed: a code sent MSB first becomes a table index.
uint32_t reverse_bits(uint32_t code, unsigned len) {
    uint32_t r16 = uint32_t(kByteReverse[code & 0xFF]) << 8 | kByteReverse[(code >> 8) & 0xFF];
    return r16 >> (16 - len);
}

uint32_t symbol_entry(const EntryFormat &f, unsigned sym, unsigned len) {
    return (f.symbol ? f.symbol[sym] : sym) + len * f.length_unit;
}

void fill_all(uint32_t *entry, unsigned *bits, const EntryFormat &f, unsigned sym) {
    *bits = 1;
    entry[0] = entry[1] = symbol_entry(f, sym, 1);
}

}  // namespace

bool build_decode_table(DecodeTable *t, const uint8_t *lens, unsigned count, unsigned max_len, unsigned primary_bits) {
    if (!build_code_table(t->entry, &t->bits, lens, count, max_len, primary_bits, EntryFormat{}))
        return false;
    t->mask = (1u << t->bits) - 1;
    return true;
}

bool build_code_table(uint32_t *entry, unsigned *bits, const uint8_t *lens, unsigned count, unsigned max_len,
                      unsigned primary_bits, const EntryFormat &f) {
    unsigned len_count[fmt::kMaxCodeLen + 1] = {};
    unsigned longest = 0;
    for (unsigned s = 0; s < count; ++s) {
        if (lens[s] > max_len)
            return false;
        ++len_count[lens[s]];
        if (lens[s] > longest)
            longest = lens[s];
    }
    if (longest == 0) {
        fill_all(entry, bits, f, 0);
        return true;
    }
    // Kraft sum in units of 2^-longest: the code must fill the space exactly.
    uint32_t used = 0;
    for (unsigned l = 1; l <= longest; ++l)
        used += len_count[l] << (longest - l);
    uint32_t space = 1u << longest;
    if (used > space)
        return false;
    if (used < space) {
        if (longest != 1 || len_count[1] != 1)
            return false;
        for (unsigned s = 0; s < count; ++s)
            if (lens[s] == 1)
                fill_all(entry, bits, f, s);
        return true;
    }

    // Canonical codes: shorter codes first, symbols in order within one length. `order` lists
    // the symbols in that order (a counting sort by length).
    uint32_t next_code[fmt::kMaxCodeLen + 1] = {};
    unsigned first[fmt::kMaxCodeLen + 2] = {};
    uint32_t code = 0;
    for (unsigned l = 1; l <= longest; ++l) {
        next_code[l] = code;
        code = (code + len_count[l]) << 1;
        first[l + 1] = first[l] + len_count[l];
    }
    uint16_t order[fmt::kNumLitLen];
    for (unsigned s = 0; s < count; ++s)
        if (lens[s])
            order[first[lens[s]]++] = uint16_t(s);
    unsigned coded = first[longest];  // after the sort, first[l] is where length l ends

    unsigned pb = longest < primary_bits ? longest : primary_bits;
    while (pb < longest && (1u << pb) + coded * (1u << (longest - pb)) > DecodeTable::kMaxEntries)
        ++pb;
    uint32_t primary = 1u << pb;
    *bits = pb;

    // Codes that fit the primary table: each fills every index whose low `l` bits are its code.
    unsigned i = 0;
    for (; i < coded; ++i) {
        unsigned s = order[i], l = lens[s];
        if (l > pb)
            break;
        uint32_t e = symbol_entry(f, s, l);
        for (uint32_t k = reverse_bits(next_code[l]++, l); k < primary; k += 1u << l)
            entry[k] = e;
    }
    if (i == coded)
        return true;

    // Longer codes: those sharing their first `pb` bits are consecutive in canonical order and
    // the last of them is the longest, which sets the width of their subtable.
    uint8_t sub_len[DecodeTable::kMaxEntries];  // indexed by primary entry; only written ones are read
    uint32_t probe[fmt::kMaxCodeLen + 1];
    for (unsigned l = 0; l <= fmt::kMaxCodeLen; ++l)
        probe[l] = next_code[l];
    for (unsigned j = i; j < coded; ++j) {
        unsigned l = lens[order[j]];
        uint32_t c = probe[l]++;
        sub_len[reverse_bits(c >> (l - pb), pb)] = uint8_t(l - pb);
    }
    uint32_t next_sub = primary, base = 0, size = 0;
    int current = -1;
    for (; i < coded; ++i) {
        unsigned s = order[i], l = lens[s];
        uint32_t c = next_code[l]++;
        uint32_t p = reverse_bits(c >> (l - pb), pb);
        unsigned extra = l - pb;
        if (int(p) != current) {  // a new prefix: its subtable starts here
            current = int(p);
            base = next_sub;
            size = 1u << sub_len[p];
            entry[p] = f.link_flag | uint32_t(sub_len[p]) << f.link_width_shift | base << f.link_offset_shift;
            next_sub += size;
        }
        uint32_t e = symbol_entry(f, s, l);
        for (uint32_t k = reverse_bits(c, extra); k < size; k += 1u << extra)
            entry[base + k] = e;
    }
    return true;
}

}  // namespace ds::gdeflate
