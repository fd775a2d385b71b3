// SPDX-License-Identifier: MIT
// ds::vk::StagingRing: hands out ranges of one fixed staging buffer, first in first out,
// but accepts frees in any order. Chunks finish out of order (a short read is freed at once,
// a GPU copy only when its batch retires); the tail only advances over a contiguous run of
// freed blocks, so a slow block holds back reuse behind it but never corrupts anything.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>

namespace ds::vk {

struct RingSpan {
    uint64_t offset = 0;  ///< where the caller may write `size` bytes
    uint64_t id = 0;      ///< pass to free()
};

class StagingRing {
public:
    /// capacity: bytes in the buffer; alignment: every span's offset is a multiple of it.
    StagingRing(uint64_t capacity, uint64_t alignment = 256);

    /// Blocks until `size` bytes (<= capacity) fit. Never fails for a size <= capacity
    /// as long as some other thread eventually frees what it holds.
    RingSpan alloc(uint64_t size);
    /// Non-blocking; false when there is no room right now.
    bool try_alloc(uint64_t size, RingSpan *out);
    /// Blocks until `count` spans fit back to back (sum of sizes <= capacity): out[i+1].offset
    /// == out[i].offset + sizes[i], so copies of neighbouring requests can merge into one
    /// region. Each span is freed on its own.
    void alloc_run(const uint64_t *sizes, size_t count, RingSpan *out);
    void free(uint64_t id);

    uint64_t capacity() const { return capacity_; }
    uint64_t used() const;  ///< bytes held, including wrap padding

private:
    struct Block {
        uint64_t start;  ///< first byte held (wrap padding included)
        uint64_t size;   ///< bytes held from start, wrap and alignment padding included
        bool freed;
    };
    bool place_locked(const uint64_t *sizes, size_t count, RingSpan *out);

    const uint64_t capacity_;
    const uint64_t alignment_;
    mutable std::mutex mutex_;
    std::condition_variable space_freed_;
    std::deque<Block> blocks_;  // allocation order; blocks_[i] has id front_id_ + i
    uint64_t front_id_ = 0;
    uint64_t head_ = 0;  // where the next block starts
    uint64_t used_ = 0;
};

}  // namespace ds::vk
