// SPDX-License-Identifier: MIT
#include "vulkan/host_io.h"

#include <cerrno>
#include <unistd.h>

#include <algorithm>

namespace ds::vk {
namespace {

// Linux transfers at most this much per call; asking for more just returns less.
constexpr uint64_t kMaxPerCall = 0x7ffff000;

}  // namespace

IoResult read_fully(int fd, uint64_t offset, void *dst, uint64_t size) {
    IoResult r;
    auto *out = static_cast<uint8_t *>(dst);
    while (r.bytes < size) {
        size_t want = static_cast<size_t>(std::min(size - r.bytes, kMaxPerCall));
        ssize_t n = ::pread(fd, out + r.bytes, want, static_cast<off_t>(offset + r.bytes));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            r.error = errno;
            break;
        }
        if (n == 0)
            break;  // end of file
        r.bytes += static_cast<uint64_t>(n);
    }
    return r;
}

IoResult write_fully(int fd, uint64_t offset, const void *src, uint64_t size) {
    IoResult r;
    auto *in = static_cast<const uint8_t *>(src);
    while (r.bytes < size) {
        size_t want = static_cast<size_t>(std::min(size - r.bytes, kMaxPerCall));
        ssize_t n = ::pwrite(fd, in + r.bytes, want, static_cast<off_t>(offset + r.bytes));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            r.error = errno;
            break;
        }
        if (n == 0) {
            r.error = EIO;  // the kernel accepted nothing and reported no reason
            break;
        }
        r.bytes += static_cast<uint64_t>(n);
    }
    return r;
}

}  // namespace ds::vk
