// SPDX-License-Identifier: MIT
#include "cpu/file_io.h"

#include "cpu/app_memory.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

namespace ds {
namespace {
// pread/pwrite move at most this much per call on Linux anyway.
constexpr uint64_t kMaxIo = 0x7ffff000;

// A buffered description of the file behind an O_DIRECT fd (the caller's flags stay as they
// are), for a read whose offset, length or memory the filesystem refused to do direct. -1 when
// the fd is not O_DIRECT (the EINVAL was about something else) or the reopen fails.
int buffered_reopen(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || !(flags & O_DIRECT))
        return -1;
    char path[48];
    std::snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return ::open(path, O_RDONLY | O_CLOEXEC);
}
}  // namespace

IoOutcome read_fully(int fd, void *dst, uint64_t size, uint64_t offset) {
    IoOutcome o;
    auto *p = static_cast<uint8_t *>(dst);
    int buffered = -1;  // set once an O_DIRECT read was refused: the rest goes through it
    while (o.bytes < size) {
        uint64_t want = size - o.bytes < kMaxIo ? size - o.bytes : kMaxIo;
        ssize_t n = ::pread(buffered >= 0 ? buffered : fd, p + o.bytes, want, static_cast<off_t>(offset + o.bytes));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EINVAL && buffered < 0 && (buffered = buffered_reopen(fd)) >= 0)
                continue;  // unaligned for O_DIRECT: read it buffered
            o.status = Status::IoError;
            o.error = errno;
            break;
        }
        if (n == 0) {
            o.status = Status::EndOfFile;
            break;
        }
        o.bytes += static_cast<uint64_t>(n);
    }
    if (buffered >= 0)
        ::close(buffered);
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
