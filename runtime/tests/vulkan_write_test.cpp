// SPDX-License-Identifier: MIT
// Vulkan backend writes: GPU buffer -> file through read-back staging, and host memory -> file.
#include <unistd.h>

#include <cstring>

#include "check.h"
#include "ds/queue.h"
#include "ds/vulkan_backend.h"
#include "test_util.h"

using namespace ds;

static std::unique_ptr<Queue> vulkan_queue(VulkanDevice &dev) {
    VulkanBackendConfig bc = dev.backend_config();
    bc.staging_bytes = 1u << 20;  // smaller than the write: read-back must be chunked too
    bc.chunk_size = 256u << 10;
    return dstest::vulkan_queue(bc, QueueConfig{}.capacity);
}

static std::vector<uint8_t> file_content(int fd, uint64_t offset, uint64_t size) {
    std::vector<uint8_t> out(size);
    CHECK_EQ(::pread(fd, out.data(), size, static_cast<off_t>(offset)), static_cast<ssize_t>(size));
    return out;
}

static void test_gpu_to_file(VulkanDevice &dev) {
    const uint64_t size = (3u << 20) + 17, gpu_offset = 100, file_offset = 5000;
    auto data = dstest::random_bytes(size, 31);
    uint64_t buf = dev.create_buffer(size + gpu_offset);
    CHECK(dev.upload(buf, gpu_offset, data.data(), size));
    dstest::TempFile out(0);
    auto q = vulkan_queue(dev);
    Request r;
    r.op = Op::Write;
    r.memory = Memory::Gpu;
    r.fd = out.fd;
    r.offset = file_offset;
    r.size = size;
    r.gpu_buffer = buf;
    r.gpu_buffer_size = size + gpu_offset;
    r.gpu_offset = gpu_offset;
    CHECK_EQ(q->enqueue(r), QueueResult::Ok);
    q->submit();
    Completion c = dstest::drain(*q, 1).at(0);
    CHECK_EQ(c.status, Status::Ok);
    CHECK_EQ(c.bytes, size);
    CHECK(file_content(out.fd, file_offset, size) == data);
    dev.destroy_buffer(buf);
}

// An upload and a read-back of the same bytes in one submission: the read-back sees the upload.
static void test_read_then_write_back(VulkanDevice &dev) {
    dstest::TempFile in(1u << 20, 32);
    dstest::TempFile out(0);
    uint64_t buf = dev.create_buffer(in.bytes.size());
    auto q = vulkan_queue(dev);
    Request rd;
    rd.memory = Memory::Gpu;
    rd.fd = in.fd;
    rd.size = in.bytes.size();
    rd.gpu_buffer = buf;
    rd.gpu_buffer_size = in.bytes.size();
    CHECK_EQ(q->enqueue(rd), QueueResult::Ok);
    CHECK_EQ(q->enqueue_signal(1), QueueResult::Ok);
    q->submit();
    auto first = dstest::drain(*q, 2);
    CHECK_EQ(first.at(0).status, Status::Ok);
    Request wr = rd;
    wr.op = Op::Write;
    wr.fd = out.fd;
    CHECK_EQ(q->enqueue(wr), QueueResult::Ok);
    q->submit();
    CHECK_EQ(dstest::drain(*q, 1).at(0).status, Status::Ok);
    CHECK(file_content(out.fd, 0, in.bytes.size()) == in.bytes);
    dev.destroy_buffer(buf);
}

static void test_host_to_file(VulkanDevice &dev) {
    auto data = dstest::random_bytes((2u << 20) + 9, 33);
    dstest::TempFile out(0);
    auto q = vulkan_queue(dev);
    Request r;
    r.op = Op::Write;
    r.fd = out.fd;
    r.offset = 3;
    r.size = data.size();
    r.src = data.data();
    CHECK_EQ(q->enqueue(r), QueueResult::Ok);
    q->submit();
    Completion c = dstest::drain(*q, 1).at(0);
    CHECK_EQ(c.status, Status::Ok);
    CHECK(file_content(out.fd, 3, data.size()) == data);
}

int main() {
    auto dev = dstest::open_vulkan_device_or_skip();
    test_gpu_to_file(*dev);
    test_read_then_write_back(*dev);
    test_host_to_file(*dev);
    return dstest::finish("vulkan_write_test");
}
