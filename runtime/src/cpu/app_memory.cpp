// SPDX-License-Identifier: MIT
#include "cpu/app_memory.h"

#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ds {
namespace {

constexpr uintptr_t kPage = 4096;
constexpr size_t kVecPages = 4096;  // mincore() result vector: 16 MiB of address space per call

// Set when the kernel (or a seccomp filter) refuses process_vm_readv/writev.
std::atomic<bool> g_no_vm_calls{false};

IoOutcome fault(int error) {
    IoOutcome o;
    o.status = Status::IoError;
    o.error = error;
    return o;
}

bool mapped(uintptr_t begin, uintptr_t end) {
    unsigned char vec[kVecPages];
    for (uintptr_t at = begin & ~(kPage - 1); at < end;) {
        uintptr_t len = end - at < kVecPages * kPage ? end - at : kVecPages * kPage;
        if (::mincore(reinterpret_cast<void *>(at), len, vec) != 0 && errno == ENOMEM)
            return false;
        at += (len + kPage - 1) & ~(kPage - 1);
    }
    return true;
}

// The probes below go through get_user_pages, which refuses mappings of device memory
// (VM_IO/VM_PFNMAP: what GPU drivers hand out for mapped heaps) although the CPU can load and store
// there. So a failed probe is confirmed against /proc/self/maps: only an address that no mapping
// covers, or whose mapping lacks the permission, is a fault. This runs only on the failure path.
bool mapping_allows(uintptr_t addr, bool write) {
    FILE *maps = std::fopen("/proc/self/maps", "re");
    if (!maps)
        return false;
    char line[512];
    bool allowed = false;
    while (std::fgets(line, sizeof(line), maps)) {
        unsigned long long begin = 0, end = 0;
        char perms[5] = {};
        if (std::sscanf(line, "%llx-%llx %4s", &begin, &end, perms) != 3)
            continue;
        if (addr < begin || addr >= end)
            continue;
        allowed = perms[0] == 'r' && (!write || perms[1] == 'w');
        break;
    }
    std::fclose(maps);
    return allowed;
}

// One byte at each of the given addresses through the kernel, in one call: false when an
// access would fault.
bool touch(const uintptr_t *addrs, size_t count, bool write) {
    static const pid_t self = ::getpid();
    unsigned char bytes[2] = {0, 0};
    struct iovec local = {bytes, count};
    struct iovec remote[2];
    for (size_t i = 0; i < count; ++i)
        remote[i] = {reinterpret_cast<void *>(addrs[i]), 1};
    for (;;) {
        ssize_t n = write ? ::process_vm_writev(self, &local, 1, remote, count, 0)
                          : ::process_vm_readv(self, &local, 1, remote, count, 0);
        if (n == static_cast<ssize_t>(count))
            return true;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
            g_no_vm_calls.store(true, std::memory_order_relaxed);
            return true;
        }
        return false;
    }
}

}  // namespace

IoOutcome check_app_memory(const void *p, uint64_t size, bool write) {
    auto begin = reinterpret_cast<uintptr_t>(p);
    if (size == 0)
        return IoOutcome{};
    if (begin + size < begin)
        return fault(EFAULT);  // wraps around the address space
    uintptr_t last = begin + size - 1;
    // The pages between the first and the last: only mapped-ness is checked there.
    if (last - begin >= 2 * kPage && !mapped(begin, last + 1))
        return fault(EFAULT);
    const uintptr_t ends[2] = {begin, last};
    size_t count = (last & ~(kPage - 1)) != (begin & ~(kPage - 1)) ? 2 : 1;
    if (!g_no_vm_calls.load(std::memory_order_relaxed) && !touch(ends, count, write)) {
        for (size_t i = 0; i < count; ++i)
            if (!mapping_allows(ends[i], write))
                return fault(EFAULT);
    }
    return IoOutcome{};
}

IoOutcome copy_app_memory(void *dst, const void *src, uint64_t size) {
    IoOutcome o = check_app_memory(src, size, false);
    if (o.status == Status::Ok)
        o = check_app_memory(dst, size, true);
    if (o.status != Status::Ok)
        return o;
    std::memcpy(dst, src, size);
    o.bytes = size;
    return o;
}

}  // namespace ds
