// SPDX-License-Identifier: MIT
#include "vulkan/staging_ring.h"

#include <cassert>

namespace ds::vk {

StagingRing::StagingRing(uint64_t capacity, uint64_t alignment)
    : capacity_(capacity - capacity % alignment), alignment_(alignment) {}

uint64_t StagingRing::used() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return used_;
}

bool StagingRing::place_locked(const uint64_t *sizes, size_t count, RingSpan *out) {
    uint64_t total = 0;
    for (size_t i = 0; i < count; ++i)
        total += sizes[i];
    // Spans inside a run are packed; only the run as a whole is aligned.
    const uint64_t size = (total + alignment_ - 1) / alignment_ * alignment_;
    if (size == 0 || size > capacity_)
        return false;
    if (blocks_.empty())
        head_ = 0;  // empty: start over at the beginning, so any size <= capacity fits
    uint64_t tail = blocks_.empty() ? 0 : blocks_.front().start;
    uint64_t start = 0, padding = 0;
    if (blocks_.empty()) {
        start = 0;
    } else if (head_ > tail) {
        // Free: [head_, capacity_) and [0, tail).
        if (head_ + size <= capacity_) {
            start = head_;
        } else if (size <= tail) {
            start = 0;                    // data goes at the beginning...
            padding = capacity_ - head_;  // ...and the first block also holds the skipped end
        } else {
            return false;
        }
    } else {
        // Wrapped (head_ <= tail) and not empty: free is [head_, tail).
        if (head_ + size > tail)
            return false;
        start = head_;
    }
    uint64_t offset = start;
    for (size_t i = 0; i < count; ++i) {
        uint64_t held = sizes[i];
        if (i == 0)
            held += padding;
        if (i + 1 == count)
            held += size - total;  // alignment padding
        blocks_.push_back(Block{i == 0 ? head_ : offset, held, false});
        out[i].offset = offset;
        out[i].id = front_id_ + blocks_.size() - 1;
        offset += sizes[i];
    }
    used_ += padding + size;
    head_ = (start + size) % capacity_;
    return true;
}

bool StagingRing::try_alloc(uint64_t size, RingSpan *out) {
    std::lock_guard<std::mutex> lock(mutex_);
    return place_locked(&size, 1, out);
}

RingSpan StagingRing::alloc(uint64_t size) {
    RingSpan span;
    alloc_run(&size, 1, &span);
    return span;
}

void StagingRing::alloc_run(const uint64_t *sizes, size_t count, RingSpan *out) {
    std::unique_lock<std::mutex> lock(mutex_);
    space_freed_.wait(lock, [&] { return place_locked(sizes, count, out); });
}

void StagingRing::free(uint64_t id) {
    bool advanced = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        assert(id >= front_id_ && id - front_id_ < blocks_.size());
        blocks_[id - front_id_].freed = true;
        while (!blocks_.empty() && blocks_.front().freed) {
            used_ -= blocks_.front().size;
            blocks_.pop_front();
            ++front_id_;
            advanced = true;
        }
    }
    if (advanced)
        space_freed_.notify_all();
}

}  // namespace ds::vk
