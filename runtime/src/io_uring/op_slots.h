// SPDX-License-Identifier: MIT
// Preallocated operation slots: one per kernel operation in flight, queue_depth in all.
// The slot index is the SQE's user_data, so completions need no lookup and no allocation.
#pragma once

#include <cstdint>
#include <vector>

#include "io_uring/segment_plan.h"

namespace ds {
struct Work;
}

namespace ds::uring {

enum class OpKind : uint8_t {
    Read,  ///< buffered read (or the fallback of a refused O_DIRECT read)
    Write,
    DirectRead,  ///< O_DIRECT read straight into the destination
    BounceRead,  ///< O_DIRECT aligned over-read into a bounce buffer
};

inline constexpr uint32_t kNoBounce = UINT32_MAX;

struct RingOp {
    Work *work = nullptr;
    bool single = false;  ///< the request has one segment: finish() instead of chunk_done()
    OpKind kind = OpKind::Read;
    int fd = -1;
    int owned_fd = -1;          ///< a buffered reopen of fd for a fallback; closed when done
    uint64_t chunk_start = 0;   ///< segment position within the request
    uint64_t file_offset = 0;   ///< first byte of the segment in the file
    uint64_t length = 0;        ///< bytes the segment delivers
    uint8_t *memory = nullptr;  ///< destination (reads) or source (writes) of the segment
    uint64_t done = 0;          ///< bytes moved so far: of the segment, or of the cover for BounceRead
    uint32_t bounce = kNoBounce;
    BounceCover cover{};  ///< BounceRead only
};

class OpSlots {
public:
    explicit OpSlots(uint32_t count) : ops_(count) {
        free_.reserve(count);
        for (uint32_t i = count; i-- > 0;)
            free_.push_back(i);
    }
    bool available() const { return !free_.empty(); }
    uint32_t size() const { return static_cast<uint32_t>(ops_.size()); }
    bool busy(uint32_t index) const { return ops_[index].work != nullptr; }
    uint32_t in_use() const { return static_cast<uint32_t>(ops_.size() - free_.size()); }
    uint32_t acquire() {
        uint32_t index = free_.back();
        free_.pop_back();
        return index;
    }
    void release(uint32_t index) { free_.push_back(index); }
    RingOp &operator[](uint32_t index) { return ops_[index]; }

private:
    std::vector<RingOp> ops_;
    std::vector<uint32_t> free_;
};

}  // namespace ds::uring
