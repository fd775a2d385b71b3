// SPDX-License-Identifier: MIT
// O_DIRECT through the io_uring backend: unaligned offsets, sizes and destinations, EOF inside
// an aligned over-read, tmpfs, and the buffered fallback when O_DIRECT reads are refused.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

#include "check.h"
#include "ds/file.h"
#include "ds/io_uring_backend.h"
#include "test_util.h"

using namespace ds;

namespace {

constexpr uint64_t kFileSize = (3u << 20) + 1234;  // ends mid-block: EOF inside over-reads

struct Case {
    uint64_t offset;
    uint64_t size;
    uint32_t misalign;  // destination address modulo 4096
};

struct Setup {
    std::shared_ptr<Backend> backend;
    std::unique_ptr<Queue> queue;
};

Setup make(IoUringBackendConfig bc) {
    int err = 0;
    Setup s;
    s.backend = make_io_uring_backend(bc, &err);
    if (!s.backend)
        dstest::skip_or_fail("DS_REQUIRE_IO_URING", std::string("io_uring unavailable: ") + std::strerror(-err));
    QueueConfig qc;
    qc.capacity = 512;
    s.queue = Queue::create(s.backend, qc);
    return s;
}

// A destination whose address is exactly `misalign` past a 4096 boundary.
struct Destination {
    explicit Destination(uint64_t size, uint32_t misalign) : storage(size + 3 * 4096, 0xEE) {
        // One guard block in front, so dst[-1] exists even when misalign is 0.
        uintptr_t base = (reinterpret_cast<uintptr_t>(storage.data()) + 2 * 4096 - 1) & ~uintptr_t(4095);
        ptr = reinterpret_cast<uint8_t *>(base) + misalign;
    }
    std::vector<uint8_t> storage;
    uint8_t *ptr;
};

void run_cases(Queue &q, int fd, const std::vector<uint8_t> &content, const std::vector<Case> &cases,
               const char *what) {
    std::vector<Destination> dsts;
    dsts.reserve(cases.size());
    for (size_t i = 0; i < cases.size(); ++i) {
        dsts.emplace_back(cases[i].size, cases[i].misalign);
        Request r;
        r.fd = fd;
        r.offset = cases[i].offset;
        r.size = cases[i].size;
        r.dst = dsts.back().ptr;
        r.user_data = i;
        CHECK_EQ(q.enqueue(r), QueueResult::Ok);
    }
    q.submit();
    for (const Completion &c : dstest::drain(q, cases.size())) {
        const Case &k = cases[c.user_data];
        const uint64_t avail = k.offset >= content.size() ? 0 : std::min<uint64_t>(k.size, content.size() - k.offset);
        const Status want = avail == k.size ? Status::Ok : Status::EndOfFile;
        bool ok = CHECK_EQ(c.status, want);
        ok = CHECK_EQ(c.bytes, avail) && ok;
        const uint8_t *dst = dsts[c.user_data].ptr;
        if (avail && std::memcmp(dst, content.data() + k.offset, avail) != 0) {
            CHECK(!"bytes differ");
            ok = false;
        }
        // Aligned over-reads never spill outside the destination. (Inside it, past `bytes`,
        // a direct read may leave the zeros the kernel reads after EOF: that is allowed.)
        if (dst[-1] != 0xEE || dst[k.size] != 0xEE) {
            CHECK(!"wrote outside the destination");
            ok = false;
        }
        if (!ok)
            std::fprintf(stderr, "  %s: case offset=%llu size=%llu misalign=%u\n", what, (unsigned long long)k.offset,
                         (unsigned long long)k.size, k.misalign);
    }
}

std::vector<Case> edge_cases() {
    const uint64_t end = kFileSize;
    return {
        {0, 1u << 20, 0},                          // aligned everywhere: straight into dst
        {100, 10000, 100},                         // same phase: head, middle, tail
        {100, 10000, 0},                           // different phase: bounce only
        {3 * 4096 + 7, 700000, 1},                 // several bounce buffers' worth
        {5, 1, 17},                                // one byte
        {4095, 2, 4095},                           // two bytes across a block boundary
        {(3u << 20) - 8192, 1u << 20, 0},          // aligned read that EOF cuts mid-block
        {end - 5000, 20000, (end - 5000) % 4096},  // same phase, crossing EOF
        {end - 1000, 500, 3},                      // ends before EOF inside the last partial block
        {end - 1000, 1000, 0},                     // ends exactly at EOF
        {end, 4096, 0},                            // at EOF
        {end + 10000, 100, 9},                     // past EOF
        {0, kFileSize, 0},                         // whole file, unaligned end
    };
}

std::vector<Case> random_cases(uint32_t seed, size_t n) {
    std::mt19937_64 rng(seed);
    std::vector<Case> out;
    for (size_t i = 0; i < n; ++i) {
        Case k;
        k.offset = rng() % (kFileSize + 8192);
        k.size = 1 + rng() % ((i % 4 == 0) ? (2u << 20) : 20000);
        k.misalign = (i % 3 == 0) ? static_cast<uint32_t>(k.offset % 4096) : static_cast<uint32_t>(rng() % 4096);
        out.push_back(k);
    }
    return out;
}

int open_fd_count() {
    int n = 0;
    if (DIR *d = ::opendir("/proc/self/fd")) {
        while (::readdir(d))
            ++n;
        ::closedir(d);
    }
    return n;
}

void test_direct_on_disk(IoUringBackendConfig bc, const char *label) {
    const char *dir = dstest::disk_dir();
    if (!dir) {
        std::fprintf(stderr, "no disk-backed writable directory (/var/tmp and . are tmpfs)\n");
        CHECK(false);
        return;
    }
    dstest::TempFile f(kFileSize, 21, dir);
    bool got_direct = false;
    int fd = open_file(f.path.c_str(), true, &got_direct);
    CHECK(fd >= 0);
    if (!got_direct) {
        std::fprintf(stderr, "%s refuses O_DIRECT: nothing direct to test there\n", dir);
        CHECK(got_direct);
        ::close(fd);
        return;
    }
    Setup s = make(bc);
    run_cases(*s.queue, fd, f.bytes, edge_cases(), label);
    run_cases(*s.queue, fd, f.bytes, random_cases(bc.queue_depth, 300), label);
    BackendStats st = s.backend->stats();
    CHECK(st.direct_reads >= edge_cases().size() + 300);
    CHECK_EQ(st.buffered_fallbacks, 0u);
    s.queue.reset();
    ::close(fd);
}

// Kernels since 6.6 accept O_DIRECT on tmpfs; older ones refuse the open. Either way the
// bytes must be right: through direct reads, or through open_file's buffered fallback.
void test_tmpfs() {
    if (!dstest::is_tmpfs("/dev/shm")) {
        std::fprintf(stderr, "/dev/shm is not tmpfs here: tmpfs case not run\n");
        return;
    }
    dstest::TempFile f(kFileSize, 22, "/dev/shm");
    bool got_direct = true;
    int fd = open_file(f.path.c_str(), true, &got_direct);
    CHECK(fd >= 0);
    std::printf("tmpfs: open_file gave %s\n", got_direct ? "O_DIRECT" : "a buffered fd");
    Setup s = make({});
    run_cases(*s.queue, fd, f.bytes, edge_cases(), "tmpfs");
    CHECK_EQ(s.backend->stats().direct_reads, got_direct ? edge_cases().size() : 0u);
    s.queue.reset();
    ::close(fd);
}

// The kernel refusing an O_DIRECT read: every read falls back to a buffered reopen.
void test_refused_direct_falls_back() {
    const char *dir = dstest::disk_dir();
    if (!dir) {
        CHECK(!"no disk-backed writable directory");
        return;
    }
    dstest::TempFile f(kFileSize, 23, dir);
    bool got_direct = false;
    int fd = open_file(f.path.c_str(), true, &got_direct);
    CHECK(fd >= 0);
    CHECK(got_direct);
    IoUringBackendConfig bc;
    bc.inject_direct_einval = true;
    Setup s = make(bc);
    const int fds_before = open_fd_count();
    run_cases(*s.queue, fd, f.bytes, edge_cases(), "fallback");
    run_cases(*s.queue, fd, f.bytes, random_cases(5, 100), "fallback");
    BackendStats st = s.backend->stats();
    CHECK(st.buffered_fallbacks >= edge_cases().size());  // every request has at least one segment
    // The fallback reopened the file: no reopened fd is left, and the caller's fd keeps O_DIRECT.
    CHECK_EQ(open_fd_count(), fds_before);
    s.queue.reset();
    CHECK((::fcntl(fd, F_GETFL) & O_DIRECT) != 0);
    ::close(fd);
}

}  // namespace

int main() {
    test_direct_on_disk({}, "defaults");
    IoUringBackendConfig tight;  // small pieces, few bounce buffers: exercises waiting for them
    tight.queue_depth = 8;
    tight.chunk_size = 64 << 10;
    tight.bounce_buffers = 2;
    tight.bounce_buffer_size = 8192;
    test_direct_on_disk(tight, "tight");
    test_tmpfs();
    test_refused_direct_falls_back();
    return dstest::finish("io_uring_direct_test");
}
