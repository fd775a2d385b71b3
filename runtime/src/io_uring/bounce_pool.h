// SPDX-License-Identifier: MIT
// Aligned bounce buffers for unaligned O_DIRECT reads, registered with the ring when the
// kernel allows it (READ_FIXED skips pinning the pages on every read).
#pragma once

#include <cstdint>
#include <vector>

struct io_uring;

namespace ds::uring {

class BouncePool {
public:
    BouncePool() = default;
    ~BouncePool();
    BouncePool(const BouncePool &) = delete;
    BouncePool &operator=(const BouncePool &) = delete;

    /// Allocates count buffers of size bytes (size a multiple of 4096) and tries to register
    /// them. Returns 0 or -ENOMEM. A refused registration (e.g. RLIMIT_MEMLOCK on older
    /// kernels) is not an error: registered() says false and reads use plain READ.
    int init(io_uring *ring, uint32_t count, uint64_t size);
    /// Must run before the ring is torn down, on the thread that owns the ring.
    void unregister(io_uring *ring);

    bool available() const { return !free_.empty(); }
    uint32_t acquire();  ///< requires available()
    void release(uint32_t index) { free_.push_back(index); }
    uint8_t *data(uint32_t index) const { return memory_ + index * size_; }
    uint64_t size() const { return size_; }
    bool registered() const { return registered_; }

private:
    uint8_t *memory_ = nullptr;
    uint64_t size_ = 0;
    bool registered_ = false;
    std::vector<uint32_t> free_;
};

}  // namespace ds::uring
