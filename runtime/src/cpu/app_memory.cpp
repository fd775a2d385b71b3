// SPDX-License-Identifier: MIT
#include "cpu/app_memory.h"

#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace ds {
namespace {

// process_vm_readv moves at most this much per call (MAX_RW_COUNT), like read().
constexpr uint64_t kMaxCopy = 0x7ffff000;

// Set when the kernel (or a seccomp filter) refuses process_vm_readv: then plain memcpy.
std::atomic<bool> g_unguarded{false};

}  // namespace

IoOutcome copy_app_memory(void *dst, const void *src, uint64_t size) {
    IoOutcome o;
    static const pid_t self = ::getpid();
    auto *d = static_cast<uint8_t *>(dst);
    auto *s = static_cast<const uint8_t *>(src);
    while (o.bytes < size && !g_unguarded.load(std::memory_order_relaxed)) {
        uint64_t want = size - o.bytes < kMaxCopy ? size - o.bytes : kMaxCopy;
        struct iovec local = {d + o.bytes, static_cast<size_t>(want)};
        struct iovec remote = {const_cast<uint8_t *>(s + o.bytes), static_cast<size_t>(want)};
        ssize_t n = ::process_vm_readv(self, &local, 1, &remote, 1, 0);
        if (n > 0) {
            o.bytes += static_cast<uint64_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
            g_unguarded.store(true, std::memory_order_relaxed);
            break;
        }
        // A fault on either side: process_vm_readv stops at the first page it cannot reach.
        o.status = Status::IoError;
        o.error = n < 0 ? errno : EFAULT;
        return o;
    }
    if (o.bytes < size) {
        std::memcpy(d + o.bytes, s + o.bytes, size - o.bytes);
        o.bytes = size;
    }
    return o;
}

IoOutcome clear_app_memory(void *dst, uint64_t size) {
    static const uint8_t zeros[64 * 1024] = {};
    constexpr size_t kIovs = 256;  // 16 MiB per call
    static const pid_t self = ::getpid();
    struct iovec local[kIovs], remote;
    IoOutcome o;
    auto *d = static_cast<uint8_t *>(dst);
    for (auto &v : local)
        v = {const_cast<uint8_t *>(zeros), sizeof(zeros)};
    while (o.bytes < size && !g_unguarded.load(std::memory_order_relaxed)) {
        uint64_t want = size - o.bytes < kIovs * sizeof(zeros) ? size - o.bytes : kIovs * sizeof(zeros);
        size_t iovs = static_cast<size_t>((want + sizeof(zeros) - 1) / sizeof(zeros));
        remote = {d + o.bytes, static_cast<size_t>(want)};
        ssize_t n = ::process_vm_writev(self, local, iovs, &remote, 1, 0);
        if (n > 0) {
            o.bytes += static_cast<uint64_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
            g_unguarded.store(true, std::memory_order_relaxed);
            break;
        }
        o.status = Status::IoError;
        o.error = n < 0 ? errno : EFAULT;
        return o;
    }
    o.bytes = 0;  // nothing was produced
    return o;
}

}  // namespace ds
