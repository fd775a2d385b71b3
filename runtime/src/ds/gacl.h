// SPDX-License-Identifier: MIT
// ds::gacl: the Game Asset Conditioning (GACL) shuffle transforms of DirectStorage 1.4 (preview).
// A shuffled BCn buffer holds each field of every block as its own stream, the streams one after
// the other: BC1 (8-byte blocks) color_0 (2 bytes), color_1 (2), indices (4); BC3 (16) alpha_0
// (1), alpha_1 (1), alpha indices (6), color_0 (2), color_1 (2), color indices (4); BC4 (8) red_0
// (1), red_1 (1), red indices (6); BC5 (16) BC4's three fields for red, then for green. The
// runtime undoes the shuffle after decompression. docs/gacl.md says where the definition comes
// from and how it was checked.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ds::gacl {

/// DSTORAGE_GACL_SHUFFLE_TRANSFORM_TYPE's values.
enum class Transform : uint8_t { None = 0, Bc1 = 1, Bc3 = 2, Bc4 = 3, Bc5 = 4 };
inline constexpr uint8_t kLastTransform = 4;

/// Bytes per BCn block (8 or 16; 1 for None). A shuffled buffer is a whole number of blocks.
size_t block_size(Transform t);

/// The shuffle (what the content tool does before compressing): in -> out, size bytes, a
/// multiple of block_size(t); in and out must not overlap. None copies.
void shuffle(Transform t, const uint8_t *in, uint8_t *out, size_t size);
/// Its inverse: out holds the blocks again.
void unshuffle(Transform t, const uint8_t *in, uint8_t *out, size_t size);
/// unshuffle through a temporary copy of data (size bytes); false when that copy cannot be
/// allocated (data is then untouched).
bool unshuffle_in_place(Transform t, uint8_t *data, size_t size);

}  // namespace ds::gacl
