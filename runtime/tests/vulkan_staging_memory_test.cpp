// SPDX-License-Identifier: MIT
// VulkanBackendConfig::staging_memory: the staging ring in the driver's cached memory, in its
// uncached memory, or in this process's own huge pages imported with VK_EXT_external_memory_host.
// Each kind carries file -> GPU reads (64 KiB scattered, 1 MiB, odd sizes, through a buffered and
// an O_DIRECT descriptor of the same file) and a GPU -> file write, which reads staging back on
// the CPU; every byte is checked. Host staging on a device without the extension falls back to the
// driver's memory, and the stats say so.
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "check.h"
#include "ds/file.h"
#include "ds/queue.h"
#include "ds/vulkan_backend.h"
#include "test_util.h"

using namespace ds;
using StagingMemory = VulkanBackendConfig::StagingMemory;

namespace {

constexpr uint64_t kFileSize = (6u << 20) + 4321;
constexpr uint64_t kBufferSize = 8u << 20;

const char *name_of(StagingMemory m) {
    return m == StagingMemory::Host ? "host" : m == StagingMemory::Uncached ? "uncached" : "cached";
}

VulkanBackendConfig staging_config(const VulkanDevice &dev, StagingMemory memory) {
    VulkanBackendConfig bc = dev.backend_config();
    bc.staging_bytes = 4u << 20;  // smaller than the data: the ring wraps
    bc.chunk_size = 256u << 10;
    bc.staging_memory = memory;
    return bc;
}

struct Read {
    uint64_t offset, size, gpu_offset;
};

// Reads into the GPU buffer through `fd`, then checks every range on the GPU.
void read_and_check(VulkanDevice &dev, Queue &q, int fd, const std::vector<uint8_t> &file, uint64_t buf,
                    const std::vector<Read> &reads, const char *what) {
    for (const Read &r : reads) {
        Request req;
        req.memory = Memory::Gpu;
        req.fd = fd;
        req.offset = r.offset;
        req.size = r.size;
        req.gpu_buffer = buf;
        req.gpu_buffer_size = kBufferSize;
        req.gpu_offset = r.gpu_offset;
        CHECK_EQ(q.enqueue(req), QueueResult::Ok);
    }
    q.submit();
    for (const Completion &c : dstest::drain(q, reads.size()))
        CHECK_EQ(c.status, Status::Ok);
    std::vector<uint8_t> got;
    for (const Read &r : reads) {
        got.assign(r.size, 0);
        CHECK(dev.download(buf, r.gpu_offset, got.data(), r.size));
        if (!CHECK(std::memcmp(got.data(), file.data() + r.offset, r.size) == 0))
            std::fprintf(stderr, "  %s: %llu bytes from %llu differ on the GPU\n", what, (unsigned long long)r.size,
                         (unsigned long long)r.offset);
    }
}

// 64 KiB reads to scattered slots, two 1 MiB reads, odd sizes at odd offsets.
std::vector<Read> mixed_reads() {
    std::vector<Read> reads;
    for (uint64_t i = 0; i < 32; ++i)
        reads.push_back({i * 65536, 65536, ((i * 13) % 32) * 65536});
    reads.push_back({2u << 20, 1u << 20, 2u << 20});
    reads.push_back({(4u << 20) + 4096, 1u << 20, 3u << 20});
    reads.push_back({4097, 1000, (4u << 20) + 3});
    reads.push_back({kFileSize - 777, 777, (5u << 20) + 1});
    return reads;
}

// expect_host: whether the ring must be in imported host memory (BackendStats::host_staging_bytes).
void test_kind(VulkanDevice &dev, StagingMemory memory, bool external_memory_host, bool expect_host) {
    const char *dir = dstest::disk_dir();
    dstest::TempFile f(kFileSize, 51, dir);
    uint64_t buf = dev.create_buffer(kBufferSize);
    VulkanBackendConfig bc = staging_config(dev, memory);
    bc.external_memory_host = external_memory_host;
    auto q = dstest::vulkan_queue(bc, 256);
    if (!q) {  // vulkan_queue failed a check and said why
        dev.destroy_buffer(buf);
        return;
    }
    const uint64_t host_bytes = q->backend().stats().host_staging_bytes;
    if (!CHECK_EQ(host_bytes != 0, expect_host))
        std::fprintf(stderr, "  %s: host_staging_bytes %llu\n", name_of(memory), (unsigned long long)host_bytes);
    read_and_check(dev, *q, f.fd, f.bytes, buf, mixed_reads(), name_of(memory));

    // The same reads through O_DIRECT (where the disk allows it): the disk's DMA writes staging.
    bool got_direct = false;
    int direct = open_file(f.path.c_str(), true, &got_direct);
    if (CHECK(direct >= 0)) {
        if (dir)
            CHECK(got_direct);
        read_and_check(dev, *q, direct, f.bytes, buf, mixed_reads(), name_of(memory));
        ::close(direct);
    }

    // GPU -> file: the GPU writes staging, the CPU reads it back.
    dstest::TempFile out(0);
    Request w;
    w.op = Op::Write;
    w.memory = Memory::Gpu;
    w.fd = out.fd;
    w.offset = 0;
    w.size = (3u << 20) + 5;
    w.gpu_buffer = buf;
    w.gpu_buffer_size = kBufferSize;
    w.gpu_offset = 2u << 20;
    CHECK_EQ(q->enqueue(w), QueueResult::Ok);
    q->submit();
    CHECK_EQ(dstest::drain(*q, 1).at(0).status, Status::Ok);
    std::vector<uint8_t> expected(w.size), written(w.size);
    CHECK(dev.download(buf, w.gpu_offset, expected.data(), w.size));
    CHECK_EQ(::pread(out.fd, written.data(), w.size, 0), ssize_t(w.size));
    if (!CHECK(written == expected))
        std::fprintf(stderr, "  %s: the GPU -> file write differs\n", name_of(memory));
    q.reset();
    dev.destroy_buffer(buf);
}

}  // namespace

int main() {
    auto dev = dstest::open_vulkan_device_or_skip();
    const bool host = dev->backend_config().external_memory_host;
    std::printf("device: %s, VK_EXT_external_memory_host %s\n", dev->device_name().c_str(),
                host ? "enabled" : "absent");
    CHECK_EQ(dev->backend_config().staging_memory, host ? StagingMemory::Host : StagingMemory::Cached);
    test_kind(*dev, StagingMemory::Cached, host, false);
    test_kind(*dev, StagingMemory::Uncached, host, false);
    test_kind(*dev, StagingMemory::Host, host, host);
    // Host without the extension: the driver's memory, same bytes.
    test_kind(*dev, StagingMemory::Host, false, false);
    return dstest::finish("vulkan_staging_memory_test");
}
