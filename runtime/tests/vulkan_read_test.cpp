// SPDX-License-Identifier: MIT
// Vulkan backend reads: file and memory -> GPU buffer, checked byte for byte through
// VulkanDevice::download (a path independent of the backend); chunking past the staging ring;
// end of file; host-memory destinations.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "check.h"
#include "ds/queue.h"
#include "ds/vulkan_backend.h"
#include "test_util.h"

using namespace ds;

static std::unique_ptr<Queue> vulkan_queue(VulkanDevice &dev, uint64_t staging = 16u << 20, uint64_t chunk = 1u << 20) {
    VulkanBackendConfig bc = dev.backend_config();
    bc.staging_bytes = staging;
    bc.chunk_size = chunk;
    return dstest::vulkan_queue(bc, 256);
}

static Completion run_one(Queue &q, const Request &r) {
    CHECK_EQ(q.enqueue(r), QueueResult::Ok);
    q.submit();
    return dstest::drain(q, 1).at(0);
}

static Request gpu_read(int fd, uint64_t offset, uint64_t size, uint64_t buffer, uint64_t buffer_size,
                        uint64_t gpu_offset) {
    Request r;
    r.memory = Memory::Gpu;
    r.fd = fd;
    r.offset = offset;
    r.size = size;
    r.gpu_buffer = buffer;
    r.gpu_buffer_size = buffer_size;
    r.gpu_offset = gpu_offset;
    return r;
}

static bool gpu_matches(VulkanDevice &dev, uint64_t buffer, uint64_t gpu_offset, const uint8_t *expected,
                        uint64_t size) {
    std::vector<uint8_t> got(size);
    if (!CHECK(dev.download(buffer, gpu_offset, got.data(), size)))
        return false;
    return std::memcmp(got.data(), expected, size) == 0;
}

static void test_file_to_gpu_sizes(VulkanDevice &dev) {
    dstest::TempFile f(3u << 20, 11);
    const uint64_t buf_size = 4u << 20;
    uint64_t buf = dev.create_buffer(buf_size);
    CHECK(buf != 0);
    auto q = vulkan_queue(dev);
    const uint64_t sizes[] = {1, 4096, 65536, (1u << 20) + 13};
    for (uint64_t size : sizes) {
        uint64_t offset = 777, gpu_offset = 4099;
        Completion c = run_one(*q, gpu_read(f.fd, offset, size, buf, buf_size, gpu_offset));
        CHECK_EQ(c.status, Status::Ok);
        CHECK_EQ(c.bytes, size);
        if (!CHECK(gpu_matches(dev, buf, gpu_offset, f.bytes.data() + offset, size)))
            std::fprintf(stderr, "  size %llu differs on the GPU\n", static_cast<unsigned long long>(size));
    }
    CHECK(q->backend().stats().gpu_copies >= 4);
    dev.destroy_buffer(buf);
}

// A request five times the ring is split into chunks that reuse the ring, not rejected.
static void test_request_larger_than_ring(VulkanDevice &dev) {
    dstest::TempFile f(5u << 20, 12);
    uint64_t buf = dev.create_buffer(f.bytes.size());
    auto q = vulkan_queue(dev, 1u << 20, 256u << 10);
    Completion c = run_one(*q, gpu_read(f.fd, 0, f.bytes.size(), buf, f.bytes.size(), 0));
    CHECK_EQ(c.status, Status::Ok);
    CHECK_EQ(c.bytes, f.bytes.size());
    CHECK(gpu_matches(dev, buf, 0, f.bytes.data(), f.bytes.size()));
    CHECK(q->backend().stats().staging_bytes >= f.bytes.size());
    dev.destroy_buffer(buf);
}

static void test_memory_to_gpu(VulkanDevice &dev) {
    auto src = dstest::random_bytes((2u << 20) + 5, 13);
    uint64_t buf = dev.create_buffer(src.size());
    auto q = vulkan_queue(dev);
    Request r = gpu_read(-1, 0, src.size(), buf, src.size(), 0);
    r.source = Source::Memory;
    r.src = src.data();
    Completion c = run_one(*q, r);
    CHECK_EQ(c.status, Status::Ok);
    CHECK(gpu_matches(dev, buf, 0, src.data(), src.size()));
    dev.destroy_buffer(buf);
}

// The contiguous prefix before end of file arrives and is reported, even when the short
// chunk is not the request's last.
static void test_read_across_eof(VulkanDevice &dev) {
    dstest::TempFile f((1u << 20) + 100, 14);
    const uint64_t size = 2u << 20, offset = 1000;
    uint64_t buf = dev.create_buffer(size);
    auto q = vulkan_queue(dev, 4u << 20, 256u << 10);
    Completion c = run_one(*q, gpu_read(f.fd, offset, size, buf, size, 0));
    CHECK_EQ(c.status, Status::EndOfFile);
    uint64_t expect = f.bytes.size() - offset;
    CHECK_EQ(c.bytes, expect);
    CHECK(gpu_matches(dev, buf, 0, f.bytes.data() + offset, expect));

    c = run_one(*q, gpu_read(f.fd, f.bytes.size() + 4096, 4096, buf, size, 0));
    CHECK_EQ(c.status, Status::EndOfFile);
    CHECK_EQ(c.bytes, 0u);
    dev.destroy_buffer(buf);
}

static void test_host_destinations(VulkanDevice &dev) {
    dstest::TempFile f((3u << 20) + 3, 15);
    auto q = vulkan_queue(dev);
    std::vector<uint8_t> dst(f.bytes.size());
    Request r;
    r.fd = f.fd;
    r.size = f.bytes.size();
    r.dst = dst.data();
    Completion c = run_one(*q, r);
    CHECK_EQ(c.status, Status::Ok);
    CHECK(dst == f.bytes);

    std::vector<uint8_t> copy(f.bytes.size());
    r = Request{};
    r.source = Source::Memory;
    r.src = f.bytes.data();
    r.dst = copy.data();
    r.size = copy.size();
    c = run_one(*q, r);
    CHECK_EQ(c.status, Status::Ok);
    CHECK(copy == f.bytes);
}

static void test_bad_fd_is_io_error(VulkanDevice &dev) {
    uint64_t buf = dev.create_buffer(4096);
    auto q = vulkan_queue(dev);
    int dir = ::open("/", O_RDONLY | O_DIRECTORY);  // pread on a directory: EISDIR
    Completion c = run_one(*q, gpu_read(dir, 0, 4096, buf, 4096, 0));
    CHECK_EQ(c.status, Status::IoError);
    CHECK_EQ(c.error, EISDIR);
    ::close(dir);
    dev.destroy_buffer(buf);
}

int main() {
    auto dev = dstest::open_vulkan_device_or_skip();
    std::printf("device: %s\n", dev->device_name().c_str());
    test_file_to_gpu_sizes(*dev);
    test_request_larger_than_ring(*dev);
    test_memory_to_gpu(*dev);
    test_read_across_eof(*dev);
    test_host_destinations(*dev);
    test_bad_fd_is_io_error(*dev);
    return dstest::finish("vulkan_read_test");
}
