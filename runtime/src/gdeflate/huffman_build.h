// SPDX-License-Identifier: MIT
// Encoder side of Huffman coding: length-limited code lengths from symbol frequencies, and the
// canonical codes (bit-reversed, ready to be written LSB first).
#pragma once

#include <cstdint>

namespace ds::gdeflate {

/// Sets lens[0..count) so that the code is complete and no length exceeds max_len. Symbols
/// with frequency 0 get length 0; when fewer than two symbols are used, one or two get length 1
/// so the code stays complete (every decoder accepts it).
void build_code_lengths(const uint32_t *freq, unsigned count, unsigned max_len, uint8_t *lens);

/// Canonical codes for `lens`, already bit-reversed for LSB-first output.
void build_codes(const uint8_t *lens, unsigned count, uint16_t *codes);

}  // namespace ds::gdeflate
