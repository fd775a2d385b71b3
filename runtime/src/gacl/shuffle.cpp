// SPDX-License-Identifier: MIT
// Both directions walk the same table: for each block, each field's bytes move between the block
// and the field's stream, which starts at blocks × (the widths of the fields before it).
#include <cstring>
#include <memory>
#include <new>

#include "ds/gacl.h"

namespace ds::gacl {
namespace {

struct Layout {
    size_t block = 1;
    size_t fields = 0;
    uint8_t width[6] = {};  ///< bytes of each field within a block, in block order = stream order
};

Layout layout(Transform t) {
    switch (t) {
    case Transform::Bc1: return {8, 3, {2, 2, 4}};
    case Transform::Bc3: return {16, 6, {1, 1, 6, 2, 2, 4}};
    case Transform::Bc4: return {8, 3, {1, 1, 6}};
    case Transform::Bc5: return {16, 6, {1, 1, 6, 1, 1, 6}};
    case Transform::None: break;
    }
    return {};
}

// One field of every block; W is a constant so each copy is a single load and store.
template <size_t W, bool kToStreams>
void move_field(const uint8_t *in, uint8_t *out, size_t blocks, size_t block, size_t stream_start,
                size_t within_block) {
    for (size_t b = 0; b < blocks; ++b) {
        uint8_t *to = kToStreams ? out + stream_start + b * W : out + b * block + within_block;
        const uint8_t *from = kToStreams ? in + b * block + within_block : in + stream_start + b * W;
        std::memcpy(to, from, W);
    }
}

template <bool kToStreams> void move_fields(Transform t, const uint8_t *in, uint8_t *out, size_t size) {
    const Layout l = layout(t);
    if (l.fields == 0) {
        std::memcpy(out, in, size);
        return;
    }
    const size_t blocks = size / l.block;
    size_t stream_start = 0, within_block = 0;
    for (size_t f = 0; f < l.fields; ++f) {
        const size_t w = l.width[f];
        switch (w) {
        case 1: move_field<1, kToStreams>(in, out, blocks, l.block, stream_start, within_block); break;
        case 2: move_field<2, kToStreams>(in, out, blocks, l.block, stream_start, within_block); break;
        case 4: move_field<4, kToStreams>(in, out, blocks, l.block, stream_start, within_block); break;
        default: move_field<6, kToStreams>(in, out, blocks, l.block, stream_start, within_block); break;
        }
        stream_start += blocks * w;
        within_block += w;
    }
}

}  // namespace

size_t block_size(Transform t) { return layout(t).block; }

void shuffle(Transform t, const uint8_t *in, uint8_t *out, size_t size) { move_fields<true>(t, in, out, size); }

void unshuffle(Transform t, const uint8_t *in, uint8_t *out, size_t size) { move_fields<false>(t, in, out, size); }

bool unshuffle_in_place(Transform t, uint8_t *data, size_t size) {
    if (t == Transform::None || size == 0)
        return true;
    std::unique_ptr<uint8_t[]> copy(new (std::nothrow) uint8_t[size]);
    if (!copy)
        return false;
    std::memcpy(copy.get(), data, size);
    unshuffle(t, copy.get(), data, size);
    return true;
}

}  // namespace ds::gacl
