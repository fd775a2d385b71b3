// SPDX-License-Identifier: MIT
// The CPU backend moves the right bytes: file/memory -> host, host -> file, EOF and errors.
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "check.h"
#include "ds/cpu_backend.h"
#include "test_util.h"

using namespace ds;

static std::unique_ptr<Queue> cpu_queue(uint32_t workers = 4, uint64_t chunk = 1 << 20) {
    CpuBackendConfig bc;
    bc.worker_count = workers;
    bc.chunk_size = chunk;
    QueueConfig qc;
    qc.capacity = 256;
    return Queue::create(make_cpu_backend(bc), qc);
}

static Completion run_one(Queue &q, const Request &r) {
    CHECK_EQ(q.enqueue(r), QueueResult::Ok);
    q.submit();
    return dstest::drain(q, 1).at(0);
}

static void test_file_reads_of_many_sizes() {
    dstest::TempFile f(9u << 20, 7);
    auto q = cpu_queue();
    const uint64_t sizes[] = {1, 7, 4096, 65536, 65537, (1u << 20) + 13, 3u << 20, 9u << 20};
    for (uint64_t size : sizes) {
        uint64_t offset = size == (9u << 20) ? 0 : 12345 % (f.bytes.size() - size + 1);
        std::vector<uint8_t> dst(size, 0xEE);
        Request r;
        r.fd = f.fd;
        r.offset = offset;
        r.size = size;
        r.dst = dst.data();
        Completion c = run_one(*q, r);
        CHECK_EQ(c.status, Status::Ok);
        CHECK_EQ(c.bytes, size);
        CHECK(std::memcmp(dst.data(), f.bytes.data() + offset, size) == 0);
    }
}

static void test_memory_source_read() {
    auto src = dstest::random_bytes(3u << 20, 3);
    std::vector<uint8_t> dst(src.size());
    auto q = cpu_queue();
    Request r;
    r.source = Source::Memory;
    r.src = src.data();
    r.dst = dst.data();
    r.size = src.size();
    Completion c = run_one(*q, r);
    CHECK_EQ(c.status, Status::Ok);
    CHECK(dst == src);
}

static void test_write_to_file() {
    dstest::TempFile f(0, 1);
    auto data = dstest::random_bytes((2u << 20) + 5, 11);
    auto q = cpu_queue();
    Request r;
    r.op = Op::Write;
    r.fd = f.fd;
    r.offset = 100;
    r.src = data.data();
    r.size = data.size();
    Completion c = run_one(*q, r);
    CHECK_EQ(c.status, Status::Ok);
    CHECK_EQ(c.bytes, data.size());
    std::vector<uint8_t> back(data.size());
    CHECK_EQ(pread(f.fd, back.data(), back.size(), 100), static_cast<ssize_t>(back.size()));
    CHECK(back == data);
}

static void test_read_crossing_eof_reports_prefix() {
    dstest::TempFile f(5000, 2);
    auto q = cpu_queue(4, 1024);  // chunked: the short chunk is not the last one submitted
    std::vector<uint8_t> dst(8000);
    Request r;
    r.fd = f.fd;
    r.offset = 1000;
    r.size = 8000;
    r.dst = dst.data();
    Completion c = run_one(*q, r);
    CHECK_EQ(c.status, Status::EndOfFile);
    CHECK_EQ(c.bytes, 4000u);
    CHECK(std::memcmp(dst.data(), f.bytes.data() + 1000, 4000) == 0);
}

static void test_offset_past_eof() {
    dstest::TempFile f(5000, 2);
    auto q = cpu_queue();
    std::vector<uint8_t> dst(10);
    Request r;
    r.fd = f.fd;
    r.offset = 6000;
    r.size = 10;
    r.dst = dst.data();
    Completion c = run_one(*q, r);
    CHECK_EQ(c.status, Status::EndOfFile);
    CHECK_EQ(c.bytes, 0u);
}

static void test_closed_fd_is_io_error() {
    int fd = ::open("/dev/null", O_RDONLY);
    ::close(fd);
    auto q = cpu_queue();
    char dst[4];
    Request r;
    r.fd = fd;
    r.size = 4;
    r.dst = dst;
    Completion c = run_one(*q, r);
    CHECK_EQ(c.status, Status::IoError);
    CHECK_EQ(c.error, EBADF);
}

static void test_stats_count_bytes_and_errors() {
    dstest::TempFile f(4096, 5);
    auto q = cpu_queue();
    std::vector<uint8_t> dst(4096);
    Request ok;
    ok.fd = f.fd;
    ok.size = 4096;
    ok.dst = dst.data();
    Request bad = ok;
    bad.offset = 10000;
    q->enqueue(ok);
    q->enqueue(bad);
    q->submit();
    dstest::drain(*q, 2);
    QueueStats s = q->stats();
    CHECK_EQ(s.requests, 2u);
    CHECK_EQ(s.bytes, 4096u);
    CHECK_EQ(s.errors, 1u);
    CHECK(s.busy_ns > 0);
}

// Each worker is named for top -H and bench_module --threads: "ds-cpu-read".
static void test_workers_are_named() {
    const int before = dstest::threads_named("ds-cpu-read");
    {
        auto q = cpu_queue(3);
        CHECK_EQ(dstest::threads_named("ds-cpu-read") - before, 3);
    }
    CHECK_EQ(dstest::threads_named("ds-cpu-read"), before);
}

int main() {
    test_file_reads_of_many_sizes();
    test_memory_source_read();
    test_write_to_file();
    test_read_crossing_eof_reports_prefix();
    test_offset_past_eof();
    test_closed_fd_is_io_error();
    test_stats_count_bytes_and_errors();
    test_workers_are_named();
    return dstest::finish("cpu_backend_test");
}
