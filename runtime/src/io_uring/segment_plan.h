// SPDX-License-Identifier: MIT
// How one request is cut into kernel operations ("segments").
//
// A segment is identified by its position in the request, so the ring thread can walk a
// request lazily (no per-request list) and still know the count up front for begin_chunks.
#pragma once

#include <cstdint>

namespace ds::uring {

/// O_DIRECT needs file offset, length and memory address aligned to the logical block size.
/// 4096 covers every common device (512e and 4Kn disks, NVMe, and page-based filesystems).
inline constexpr uint64_t kDirectAlign = 4096;

enum class SegmentKind : uint8_t {
    Plain,   ///< buffered fd (or a write): straight between file and memory
    Direct,  ///< O_DIRECT, every edge aligned: straight into the destination
    Bounce,  ///< O_DIRECT, unaligned: aligned over-read into a bounce buffer, then memcpy
};

struct Segment {
    SegmentKind kind;
    uint64_t start;   ///< position within the request
    uint64_t length;  ///< bytes of the request this segment delivers
};

struct SegmentPlan {
    uint64_t file_offset = 0;
    uint64_t size = 0;
    uintptr_t memory = 0;      ///< destination (reads) or source (writes) address
    bool direct = false;       ///< the fd has O_DIRECT
    uint64_t chunk_size = 0;   ///< multiple of kDirectAlign
    uint64_t bounce_size = 0;  ///< multiple of kDirectAlign, at least kDirectAlign

    /// The segment that starts at request position pos (pos < size).
    Segment at(uint64_t pos) const;
    /// How many segments cover the request.
    uint32_t count() const;
};

/// The aligned file range a Bounce segment reads: [cover_start, cover_start + cover_length).
struct BounceCover {
    uint64_t cover_start;
    uint64_t cover_length;
};
BounceCover bounce_cover(uint64_t file_offset, uint64_t length);

}  // namespace ds::uring
