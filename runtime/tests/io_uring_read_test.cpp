// SPDX-License-Identifier: MIT
// The io_uring backend moves the right bytes through a real queue: sizes from 1 B to 16 MiB,
// chunked and unchunked, EOF, a closed fd, memory-source reads and writes.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "check.h"
#include "ds/io_uring_backend.h"
#include "test_util.h"

using namespace ds;

static std::unique_ptr<Queue> uring_queue(uint64_t chunk) {
    IoUringBackendConfig bc;
    bc.queue_depth = 64;
    bc.chunk_size = chunk;
    int err = 0;
    auto backend = make_io_uring_backend(bc, &err);
    if (!backend)
        dstest::skip_or_fail("DS_REQUIRE_IO_URING", std::string("io_uring unavailable: ") + std::strerror(-err));
    QueueConfig qc;
    qc.capacity = 256;
    return Queue::create(backend, qc);
}

static Completion run_one(Queue &q, const Request &r) {
    CHECK_EQ(q.enqueue(r), QueueResult::Ok);
    q.submit();
    return dstest::drain(q, 1).at(0);
}

static Request file_read(int fd, uint64_t offset, uint64_t size, void *dst) {
    Request r;
    r.fd = fd;
    r.offset = offset;
    r.size = size;
    r.dst = dst;
    return r;
}

// Many sizes at random offsets, all in flight together, each checked byte for byte.
static void test_sizes_and_offsets(uint64_t chunk) {
    dstest::TempFile f(17u << 20, 11);
    auto q = uring_queue(chunk);
    std::mt19937_64 rng(chunk);
    const uint64_t sizes[] = {1,     2,      511,      4095,           4096,     4097,     65536,
                              65537, 300000, 1u << 20, (1u << 20) + 1, 5u << 20, 16u << 20};
    std::vector<std::vector<uint8_t>> dsts;
    std::vector<uint64_t> offsets;
    for (uint64_t size : sizes) {
        uint64_t offset = rng() % (f.bytes.size() - size + 1);
        offsets.push_back(offset);
        dsts.emplace_back(size, 0xEE);
        Request r = file_read(f.fd, offset, size, dsts.back().data());
        r.user_data = dsts.size() - 1;
        CHECK_EQ(q->enqueue(r), QueueResult::Ok);
    }
    q->submit();
    for (const Completion &c : dstest::drain(*q, dsts.size())) {
        const uint64_t i = c.user_data;
        CHECK_EQ(c.status, Status::Ok);
        CHECK_EQ(c.bytes, sizes[i]);
        if (std::memcmp(dsts[i].data(), f.bytes.data() + offsets[i], sizes[i]) != 0) {
            std::fprintf(stderr, "chunk %llu: bytes differ for size %llu at offset %llu\n", (unsigned long long)chunk,
                         (unsigned long long)sizes[i], (unsigned long long)offsets[i]);
            CHECK(false);
        }
    }
}

static void test_read_crossing_eof() {
    dstest::TempFile f(3u << 20, 5);
    for (uint64_t chunk : {uint64_t(64) << 10, uint64_t(1) << 20}) {
        auto q = uring_queue(chunk);
        const uint64_t offset = f.bytes.size() - 200000;
        std::vector<uint8_t> dst(1u << 20, 0xEE);
        Completion c = run_one(*q, file_read(f.fd, offset, dst.size(), dst.data()));
        CHECK_EQ(c.status, Status::EndOfFile);
        CHECK_EQ(c.bytes, 200000u);
        CHECK(std::memcmp(dst.data(), f.bytes.data() + offset, 200000) == 0);
    }
}

static void test_offset_past_eof() {
    dstest::TempFile f(10000, 6);
    auto q = uring_queue(1 << 20);
    std::vector<uint8_t> dst(4096);
    Completion c = run_one(*q, file_read(f.fd, 20000, dst.size(), dst.data()));
    CHECK_EQ(c.status, Status::EndOfFile);
    CHECK_EQ(c.bytes, 0u);
}

static void test_closed_fd() {
    auto q = uring_queue(1 << 20);
    int fd = ::open("/dev/null", O_RDONLY);
    ::close(fd);  // fd is now a number nobody owns
    std::vector<uint8_t> dst(4096);
    Completion c = run_one(*q, file_read(fd, 0, dst.size(), dst.data()));
    CHECK_EQ(c.status, Status::IoError);
    CHECK_EQ(c.error, EBADF);
}

static void test_memory_source_read() {
    auto src = dstest::random_bytes(3u << 20, 3);
    std::vector<uint8_t> dst(src.size());
    auto q = uring_queue(1 << 20);
    Request r;
    r.source = Source::Memory;
    r.src = src.data();
    r.dst = dst.data();
    r.size = src.size();
    Completion c = run_one(*q, r);
    CHECK_EQ(c.status, Status::Ok);
    CHECK_EQ(c.bytes, src.size());
    CHECK(dst == src);
}

static void test_write_then_read_back() {
    dstest::TempFile f(0, 1);
    auto data = dstest::random_bytes((2u << 20) + 777, 9);
    auto q = uring_queue(256 << 10);  // several write segments
    Request w;
    w.op = Op::Write;
    w.fd = f.fd;
    w.offset = 4096 + 3;
    w.size = data.size();
    w.src = data.data();
    Completion c = run_one(*q, w);
    CHECK_EQ(c.status, Status::Ok);
    CHECK_EQ(c.bytes, data.size());
    std::vector<uint8_t> back(data.size());
    CHECK_EQ(::pread(f.fd, back.data(), back.size(), 4096 + 3), static_cast<ssize_t>(back.size()));
    CHECK(back == data);
}

static void test_write_to_read_only_fd() {
    dstest::TempFile f(4096, 1);
    int ro = ::open(f.path.c_str(), O_RDONLY);
    auto q = uring_queue(1 << 20);
    std::vector<uint8_t> data(100, 1);
    Request w;
    w.op = Op::Write;
    w.fd = ro;
    w.size = data.size();
    w.src = data.data();
    Completion c = run_one(*q, w);
    CHECK_EQ(c.status, Status::IoError);
    CHECK_EQ(c.error, EBADF);
    ::close(ro);
}

int main() {
    test_sizes_and_offsets(64 << 10);
    test_sizes_and_offsets(1 << 20);
    test_read_crossing_eof();
    test_offset_past_eof();
    test_closed_fd();
    test_memory_source_read();
    test_write_then_read_back();
    test_write_to_read_only_fd();
    return dstest::finish("io_uring_read_test");
}
