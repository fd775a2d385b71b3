// SPDX-License-Identifier: MIT
#include "gdeflate/huffman_decode.h"

#include "gdeflate/format.h"

namespace ds::gdeflate {
namespace {

uint32_t reverse_bits(uint32_t code, unsigned len) {
    uint32_t r = 0;
    for (unsigned i = 0; i < len; ++i) {
        r = (r << 1) | (code & 1);
        code >>= 1;
    }
    return r;
}

void fill_all(DecodeTable *t, unsigned sym) {
    t->bits = 1;
    t->entry[0] = t->entry[1] = sym | (1u << 16);
}

}  // namespace

bool build_decode_table(DecodeTable *t, const uint8_t *lens, unsigned count, unsigned max_len) {
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
        fill_all(t, 0);
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
                fill_all(t, s);
        return true;
    }

    // Canonical codes: shorter codes first, symbols in order within one length.
    uint32_t next_code[fmt::kMaxCodeLen + 1] = {};
    uint32_t code = 0;
    for (unsigned l = 1; l <= longest; ++l) {
        next_code[l] = code;
        code = (code + len_count[l]) << 1;
    }

    t->bits = longest;
    for (unsigned s = 0; s < count; ++s) {
        unsigned l = lens[s];
        if (l == 0)
            continue;
        uint32_t rev = reverse_bits(next_code[l]++, l);
        uint32_t e = s | (uint32_t(l) << 16);
        for (uint32_t i = rev; i < space; i += 1u << l)
            t->entry[i] = e;
    }
    return true;
}

}  // namespace ds::gdeflate
