// SPDX-License-Identifier: MIT
// Many small requests in one submission: all land at their GPU offsets, and they are batched
// (far fewer vkQueueSubmit calls than requests).
#include <cstring>
#include <random>

#include "check.h"
#include "ds/queue.h"
#include "ds/vulkan_backend.h"
#include "test_util.h"

using namespace ds;

static void test_two_thousand_small_reads(VulkanDevice &dev) {
    const uint32_t count = 2000;
    const uint64_t slot = 4096;  // each request owns one slot of the GPU buffer
    dstest::TempFile f(8u << 20, 21);
    const uint64_t buf_size = count * slot;
    uint64_t buf = dev.create_buffer(buf_size);
    CHECK(buf != 0);

    VulkanBackendConfig bc = dev.backend_config();
    bc.staging_bytes = 4u << 20;  // smaller than the batch: the ring must recycle
    std::string why;
    auto backend = make_vulkan_backend(bc, &why);
    if (!CHECK(backend != nullptr)) {
        std::fprintf(stderr, "make_vulkan_backend: %s\n", why.c_str());
        return;
    }
    QueueConfig qc;
    qc.capacity = 4096;
    qc.auto_submit = false;
    auto q = Queue::create(backend, qc);

    std::mt19937_64 rng(5);
    std::vector<uint64_t> offsets(count), sizes(count);
    for (uint32_t i = 0; i < count; ++i) {
        sizes[i] = 1 + rng() % slot;
        offsets[i] = rng() % (f.bytes.size() - sizes[i]);
        Request r;
        r.memory = Memory::Gpu;
        r.fd = f.fd;
        r.offset = offsets[i];
        r.size = sizes[i];
        r.gpu_buffer = buf;
        r.gpu_buffer_size = buf_size;
        r.gpu_offset = i * slot;
        r.user_data = i;
        CHECK_EQ(q->enqueue(r), QueueResult::Ok);
    }
    q->submit();
    auto done = dstest::drain(*q, count);
    CHECK_EQ(done.size(), static_cast<size_t>(count));
    std::vector<int> seen(count, 0);
    for (const Completion &c : done) {
        CHECK_EQ(c.status, Status::Ok);
        if (c.user_data < count) {
            ++seen[c.user_data];
            CHECK_EQ(c.bytes, sizes[c.user_data]);
        }
    }
    for (uint32_t i = 0; i < count; ++i)
        CHECK_EQ(seen[i], 1);

    std::vector<uint8_t> gpu(buf_size);
    CHECK(dev.download(buf, 0, gpu.data(), buf_size));
    uint32_t wrong = 0;
    for (uint32_t i = 0; i < count; ++i)
        wrong += std::memcmp(gpu.data() + i * slot, f.bytes.data() + offsets[i], sizes[i]) != 0;
    CHECK_EQ(wrong, 0u);

    BackendStats s = backend->stats();
    CHECK(s.gpu_copies >= 1 && s.gpu_copies <= count);  // neighbours may share a region
    CHECK(s.submits >= 1);
    CHECK(s.submits < count / 4);  // batched, not one submit per request
    std::printf("%u requests in %llu submits\n", count, static_cast<unsigned long long>(s.submits));
    q.reset();
    dev.destroy_buffer(buf);
}

// Requests for neighbouring file and GPU ranges, submitted together, are copied with far fewer
// regions than requests (the GPU pays per region).
static void test_neighbours_share_regions(VulkanDevice &dev) {
    const uint32_t count = 256;
    const uint64_t size = 16u << 10;
    dstest::TempFile f(count * size, 22);
    uint64_t buf = dev.create_buffer(f.bytes.size());
    auto backend = make_vulkan_backend(dev.backend_config());
    CHECK(backend != nullptr);
    QueueConfig qc;
    qc.capacity = 1024;
    qc.auto_submit = false;
    auto q = Queue::create(backend, qc);
    for (uint32_t i = 0; i < count; ++i) {
        Request r;
        r.memory = Memory::Gpu;
        r.fd = f.fd;
        r.offset = i * size;
        r.size = size;
        r.gpu_buffer = buf;
        r.gpu_buffer_size = f.bytes.size();
        r.gpu_offset = i * size;
        CHECK_EQ(q->enqueue(r), QueueResult::Ok);
    }
    q->submit();
    for (const Completion &c : dstest::drain(*q, count))
        CHECK_EQ(c.status, Status::Ok);
    std::vector<uint8_t> gpu(f.bytes.size());
    CHECK(dev.download(buf, 0, gpu.data(), gpu.size()));
    CHECK(gpu == f.bytes);
    uint64_t regions = backend->stats().gpu_copies;
    std::printf("%u neighbouring requests in %llu regions\n", count, static_cast<unsigned long long>(regions));
    CHECK(regions < count / 2);
    q.reset();
    dev.destroy_buffer(buf);
}

int main() {
    auto dev = dstest::open_vulkan_device_or_skip();
    test_two_thousand_small_reads(*dev);
    test_neighbours_share_regions(*dev);
    return dstest::finish("vulkan_batch_test");
}
