// SPDX-License-Identifier: MIT
// read_fully (runtime/src/cpu/file_io.cpp) on a file descriptor opened with O_DIRECT: aligned reads
// go direct; a read whose offset, length or memory the filesystem refuses to do direct (EINVAL)
// is read through a buffered reopen of the same file instead of failing, and the caller's fd is
// left as it was.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#include "check.h"
#include "cpu/file_io.h"
#include "ds/file.h"
#include "test_util.h"

using namespace ds;

namespace {

constexpr uint64_t kFileSize = (1u << 20) + 12345;

struct FreeAligned {
    void operator()(uint8_t *p) const { std::free(p); }
};

void expect_read(int fd, const std::vector<uint8_t> &file, uint8_t *dst, uint64_t size, uint64_t offset,
                 const char *what) {
    std::memset(dst, 0xEE, size);
    IoOutcome io = read_fully(fd, dst, size, offset);
    uint64_t expected = offset < file.size() ? std::min<uint64_t>(size, file.size() - offset) : 0;
    if (!CHECK_EQ(io.bytes, expected) || !CHECK(std::memcmp(dst, file.data() + offset, expected) == 0))
        std::fprintf(stderr, "  %s: status %d, error %d, %llu bytes\n", what, int(io.status), io.error,
                     (unsigned long long)io.bytes);
    CHECK(io.status == (expected == size ? Status::Ok : Status::EndOfFile));
}

}  // namespace

int main() {
    const char *dir = dstest::disk_dir();
    if (!CHECK(dir != nullptr)) {
        std::fprintf(stderr, "no disk-backed writable directory (/var/tmp and . are tmpfs)\n");
        return dstest::finish("cpu_file_io_test");
    }
    dstest::TempFile f(kFileSize, 41, dir);
    bool got_direct = false;
    int fd = open_file(f.path.c_str(), true, &got_direct);
    CHECK(fd >= 0);
    if (!CHECK(got_direct)) {
        std::fprintf(stderr, "%s refuses O_DIRECT: nothing direct to test there\n", dir);
        return dstest::finish("cpu_file_io_test");
    }
    std::unique_ptr<uint8_t, FreeAligned> buffer(static_cast<uint8_t *>(std::aligned_alloc(4096, 2u << 20)));
    uint8_t *aligned = buffer.get();

    expect_read(fd, f.bytes, aligned, 1u << 20, 0, "aligned");
    expect_read(fd, f.bytes, aligned, 65536, 1u << 20, "aligned, past the end");
    // Each of offset, length and memory alone breaks O_DIRECT's alignment rule.
    expect_read(fd, f.bytes, aligned, 65536, 4097, "unaligned offset");
    expect_read(fd, f.bytes, aligned, 10000, 8192, "unaligned length");
    expect_read(fd, f.bytes, aligned + 1, 65536, 8192, "unaligned memory");
    expect_read(fd, f.bytes, aligned + 3, 777, kFileSize - 500, "all three, past the end");

    CHECK(::fcntl(fd, F_GETFL) & O_DIRECT);  // the caller's fd keeps its flags
    ::close(fd);
    return dstest::finish("cpu_file_io_test");
}
