// SPDX-License-Identifier: MIT
#include "cpu/file_io.h"

#include "cpu/app_memory.h"

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace ds {
namespace {
// pread/pwrite move at most this much per call on Linux anyway.
constexpr uint64_t kMaxIo = 0x7ffff000;
}  // namespace

IoOutcome read_fully(int fd, void *dst, uint64_t size, uint64_t offset) {
    IoOutcome o;
    auto *p = static_cast<uint8_t *>(dst);
    while (o.bytes < size) {
        uint64_t want = size - o.bytes < kMaxIo ? size - o.bytes : kMaxIo;
        ssize_t n = ::pread(fd, p + o.bytes, want, static_cast<off_t>(offset + o.bytes));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            o.status = Status::IoError;
            o.error = errno;
            return o;
        }
        if (n == 0) {
            o.status = Status::EndOfFile;
            return o;
        }
        o.bytes += static_cast<uint64_t>(n);
    }
    return o;
}

IoOutcome write_fully(int fd, const void *src, uint64_t size, uint64_t offset) {
    IoOutcome o;
    auto *p = static_cast<const uint8_t *>(src);
    while (o.bytes < size) {
        uint64_t want = size - o.bytes < kMaxIo ? size - o.bytes : kMaxIo;
        ssize_t n = ::pwrite(fd, p + o.bytes, want, static_cast<off_t>(offset + o.bytes));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            o.status = Status::IoError;
            o.error = errno;
            return o;
        }
        if (n == 0) {
            o.status = Status::IoError;
            o.error = ENOSPC;
            return o;
        }
        o.bytes += static_cast<uint64_t>(n);
    }
    return o;
}

IoOutcome run_host_transfer(const Request &req, uint64_t start, uint64_t length) {
    if (req.memory != Memory::Host) {
        IoOutcome o;
        o.status = Status::Unsupported;
        return o;
    }
    if (req.op == Op::Write)
        return write_fully(req.fd, static_cast<const uint8_t *>(req.src) + start, length, req.offset + start);
    auto *dst = static_cast<uint8_t *>(req.dst) + start;
    if (req.source == Source::Memory)
        return copy_app_memory(dst, static_cast<const uint8_t *>(req.src) + start, length);
    return read_fully(req.fd, dst, length, req.offset + start);
}

}  // namespace ds
