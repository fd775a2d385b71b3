// SPDX-License-Identifier: MIT
// Requests a careless or hostile caller can make: application pointers the process cannot reach
// (memory sources, memory destinations, GDeflate from or into them) fail the request with
// IoError/EFAULT instead of killing the process with SIGSEGV on a worker thread, and file offsets
// at or past 2^63 end past the end of the file instead of failing with EINVAL.
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "check.h"
#include "ds/cpu_backend.h"
#include "ds/gdeflate.h"
#include "test_util.h"

using namespace ds;

namespace {

constexpr size_t kPage = 4096;

/// A readable+writable page followed by a PROT_NONE one, a read-only page, and an address that is
/// never mapped (below vm.mmap_min_addr; a page unmapped by the test could be reused by the next
/// thread stack or allocation).
struct BadMemory {
    BadMemory() {
        auto *p = static_cast<uint8_t *>(
            mmap(nullptr, 2 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        CHECK(p != MAP_FAILED);
        good = p;
        none = p + kPage;
        gone = reinterpret_cast<uint8_t *>(uintptr_t{0x8000});
        CHECK_EQ(mprotect(none, kPage, PROT_NONE), 0);
        readonly = static_cast<uint8_t *>(mmap(nullptr, kPage, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    }
    ~BadMemory() {
        munmap(good, 2 * kPage);
        munmap(readonly, kPage);
    }
    uint8_t *good, *none, *gone, *readonly;
};

std::unique_ptr<Queue> cpu_queue() {
    CpuBackendConfig bc;
    bc.worker_count = 2;
    QueueConfig qc;
    qc.capacity = 64;
    return Queue::create(make_cpu_backend(bc), qc);
}

Completion run_one(Queue &q, const Request &r) {
    CHECK_EQ(q.enqueue(r), QueueResult::Ok);
    q.submit();
    return dstest::drain(q, 1).at(0);
}

Request memory_copy(const void *src, void *dst, uint64_t size) {
    Request r;
    r.source = Source::Memory;
    r.src = src;
    r.dst = dst;
    r.size = size;
    return r;
}

void expect_fault(const Completion &c, const char *what) {
    if (c.status != Status::IoError || c.error != EFAULT)
        std::fprintf(stderr, "case '%s':\n", what);
    CHECK_EQ(c.status, Status::IoError);
    CHECK_EQ(c.error, EFAULT);
}

}  // namespace

static void test_memory_sources_and_destinations_out_of_reach() {
    BadMemory m;
    auto q = cpu_queue();
    std::vector<uint8_t> ok(2 * kPage, 0x5A), dst(2 * kPage, 0);
    expect_fault(run_one(*q, memory_copy(m.none, dst.data(), 100)), "source in a PROT_NONE page");
    expect_fault(run_one(*q, memory_copy(m.gone, dst.data(), 100)), "source at an address never mapped");
    expect_fault(run_one(*q, memory_copy(reinterpret_cast<void *>(16), dst.data(), 100)), "source at address 16");
    expect_fault(run_one(*q, memory_copy(ok.data(), m.none, 100)), "destination in a PROT_NONE page");
    expect_fault(run_one(*q, memory_copy(ok.data(), m.readonly, 100)), "destination in a read-only page");
    // A range that starts in good memory and runs into the protected page.
    expect_fault(run_one(*q, memory_copy(m.good + kPage - 10, dst.data(), 20)), "source running into a PROT_NONE page");
    // The queue and its workers are still fine: a good copy after all that.
    Completion c = run_one(*q, memory_copy(ok.data(), dst.data(), ok.size()));
    CHECK_EQ(c.status, Status::Ok);
    CHECK_EQ(c.bytes, ok.size());
    CHECK(dst == ok);
}

static void test_file_read_into_unreachable_destination() {
    BadMemory m;
    dstest::TempFile f(kPage, 3);
    auto q = cpu_queue();
    Request r;
    r.fd = f.fd;
    r.size = 100;
    r.dst = m.none;
    expect_fault(run_one(*q, r), "file read into a PROT_NONE page");
}

static void test_gdeflate_from_and_into_unreachable_memory() {
    BadMemory m;
    std::vector<uint8_t> plain = dstest::random_bytes(3 * 65536 + 100, 11);
    for (size_t i = 0; i < plain.size(); i += 3)
        plain[i] = 0;  // compressible
    std::vector<uint8_t> packed(gdeflate::compress_bound(plain.size()));
    size_t packed_size = 0;
    CHECK(gdeflate::encode(plain.data(), plain.size(), packed.data(), packed.size(), 1, 1, &packed_size) ==
          gdeflate::Error::Ok);
    auto q = cpu_queue();
    std::vector<uint8_t> dst(plain.size(), 0xEE);

    Request r = memory_copy(m.gone, dst.data(), packed_size);
    r.compression = Compression::GDeflate;
    r.uncompressed_size = plain.size();
    expect_fault(run_one(*q, r), "GDeflate from an unmapped source");

    r.src = packed.data();
    r.dst = m.none;
    expect_fault(run_one(*q, r), "GDeflate into a PROT_NONE destination");
    r.dst = m.readonly;
    expect_fault(run_one(*q, r), "GDeflate into a read-only destination");

    r.dst = dst.data();
    Completion c = run_one(*q, r);
    CHECK_EQ(c.status, Status::Ok);
    CHECK_EQ(c.bytes, plain.size());
    CHECK(dst == plain);
}

static void test_file_offsets_past_two_to_the_63() {
    dstest::TempFile f(kPage, 5);
    auto q = cpu_queue();
    std::vector<uint8_t> dst(kPage, 0xEE);
    const struct {
        uint64_t offset;
        uint64_t size;
    } cases[] = {
        {uint64_t{1} << 63, 16},      {UINT64_MAX, 1}, {UINT64_MAX - 15, 32},  // offset + size wraps around
        {(uint64_t{1} << 63) - 1, 2},                                          // the second byte is past 2^63 - 1
        {(uint64_t{1} << 62), 16},  // far past this file's end: an ordinary end of file
    };
    for (const auto &k : cases) {
        Request r;
        r.fd = f.fd;
        r.offset = k.offset;
        r.size = k.size;
        r.dst = dst.data();
        Completion c = run_one(*q, r);
        if (c.status != Status::EndOfFile)
            std::fprintf(stderr, "offset %llu size %llu: error %d\n", static_cast<unsigned long long>(k.offset),
                         static_cast<unsigned long long>(k.size), c.error);
        CHECK_EQ(c.status, Status::EndOfFile);
        CHECK_EQ(c.bytes, 0u);
    }
    CHECK(dst == std::vector<uint8_t>(kPage, 0xEE));
}

int main() {
    test_memory_sources_and_destinations_out_of_reach();
    test_file_read_into_unreachable_destination();
    test_gdeflate_from_and_into_unreachable_memory();
    test_file_offsets_past_two_to_the_63();
    return dstest::finish("hostile_request_test");
}
