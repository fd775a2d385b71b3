// SPDX-License-Identifier: MIT
#include "io_uring/segment_plan.h"

#include <algorithm>

namespace ds::uring {
namespace {

uint64_t align_down(uint64_t v) { return v & ~(kDirectAlign - 1); }
uint64_t align_up(uint64_t v) { return align_down(v + kDirectAlign - 1); }

}  // namespace

Segment SegmentPlan::at(uint64_t pos) const {
    const uint64_t remaining = size - pos;
    if (!direct)
        return {SegmentKind::Plain, pos, std::min(chunk_size, remaining)};

    const uint64_t file_pos = file_offset + pos;
    // Memory and file share their offset within a block: after an unaligned head, every
    // block boundary in the file is also a block boundary in memory, so the middle can go
    // straight to the destination.
    const bool same_phase = (memory % kDirectAlign) == (file_offset % kDirectAlign);
    if (same_phase) {
        if (file_pos % kDirectAlign != 0)  // head: up to the first block boundary
            return {SegmentKind::Bounce, pos, std::min(remaining, kDirectAlign - file_pos % kDirectAlign)};
        const uint64_t whole_blocks = align_down(remaining);
        if (whole_blocks != 0)
            return {SegmentKind::Direct, pos, std::min(chunk_size, whole_blocks)};
        return {SegmentKind::Bounce, pos, remaining};  // tail: less than one block
    }
    // Different phase: no byte can land in place. Each piece is as long as one bounce
    // buffer's aligned over-read allows.
    const uint64_t cover_end = align_down(file_pos) + bounce_size;
    return {SegmentKind::Bounce, pos, std::min(file_offset + size, cover_end) - file_pos};
}

uint32_t SegmentPlan::count() const {
    if (!direct)
        return static_cast<uint32_t>((size + chunk_size - 1) / chunk_size);
    uint32_t n = 0;
    for (uint64_t pos = 0; pos < size; pos += at(pos).length)
        ++n;
    return n;
}

BounceCover bounce_cover(uint64_t file_offset, uint64_t length) {
    const uint64_t start = align_down(file_offset);
    return {start, align_up(file_offset + length) - start};
}

}  // namespace ds::uring
