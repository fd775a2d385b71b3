// SPDX-License-Identifier: MIT
#include "io_uring/bounce_pool.h"

#include <liburing.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstdlib>

#include "io_uring/segment_plan.h"

namespace ds::uring {

BouncePool::~BouncePool() { std::free(memory_); }

int BouncePool::init(io_uring *ring, uint32_t count, uint64_t size) {
    void *mem = nullptr;
    if (posix_memalign(&mem, kDirectAlign, count * size) != 0)
        return -ENOMEM;
    memory_ = static_cast<uint8_t *>(mem);
    size_ = size;
    free_.reserve(count);
    for (uint32_t i = count; i-- > 0;)
        free_.push_back(i);

    std::vector<iovec> iovecs(count);
    for (uint32_t i = 0; i < count; ++i)
        iovecs[i] = {data(i), size};
    registered_ = io_uring_register_buffers(ring, iovecs.data(), count) == 0;
    return 0;
}

void BouncePool::unregister(io_uring *ring) {
    if (registered_)
        io_uring_unregister_buffers(ring);
    registered_ = false;
}

uint32_t BouncePool::acquire() {
    uint32_t index = free_.back();
    free_.pop_back();
    return index;
}

}  // namespace ds::uring
