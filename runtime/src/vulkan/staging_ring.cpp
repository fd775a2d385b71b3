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

bool StagingRing::place_locked(uint64_t size, RingSpan *out) {
    size = (size + alignment_ - 1) / alignment_ * alignment_;
    if (size == 0 || size > capacity_)
        return false;
    if (blocks_.empty())
        head_ = 0;  // empty: start over at the beginning, so any size <= capacity fits
    uint64_t tail = blocks_.empty() ? 0 : blocks_.front().start;
    uint64_t start = 0, held = 0;
    if (blocks_.empty()) {
        start = 0;
        held = size;
    } else if (head_ > tail) {
        // Free: [head_, capacity_) and [0, tail).
        if (head_ + size <= capacity_) {
            start = head_;
            held = size;
        } else if (size <= tail) {
            start = 0;                             // data goes at the beginning...
            held = capacity_ - head_ + size;       // ...and this block also holds the padding
        } else {
            return false;
        }
    } else {
        // Wrapped (head_ <= tail) and not empty: free is [head_, tail).
        if (head_ + size > tail)
            return false;
        start = head_;
        held = size;
    }
    blocks_.push_back(Block{head_, held, false});
    used_ += held;
    head_ = (start + size) % capacity_;
    out->offset = start;
    out->id = front_id_ + blocks_.size() - 1;
    return true;
}

bool StagingRing::try_alloc(uint64_t size, RingSpan *out) {
    std::lock_guard<std::mutex> lock(mutex_);
    return place_locked(size, out);
}

RingSpan StagingRing::alloc(uint64_t size) {
    RingSpan span;
    std::unique_lock<std::mutex> lock(mutex_);
    space_freed_.wait(lock, [&] { return place_locked(size, &span); });
    return span;
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
