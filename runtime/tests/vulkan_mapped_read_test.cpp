// SPDX-License-Identifier: MIT
// VulkanBackendConfig::FileStaging::Mapped: file -> GPU buffer reads copied straight from
// imported file mappings (VK_EXT_external_memory_host), checked byte for byte through
// VulkanDevice::download. Covers reuse of a kept import, eviction under a small budget, chunks
// across two windows and past the end of the file (both take the staging ring), a file changed
// after it was imported, and the fallback when the device lacks the extension.
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "check.h"
#include "ds/queue.h"
#include "ds/vulkan_backend.h"
#include "test_util.h"
#include "vk_test_dispatch.h"
#include "vulkan/file_mapping_imports.h"

using namespace ds;

namespace {

constexpr uint64_t kWindow = 1u << 20;

std::unique_ptr<Queue> mapped_queue(VulkanDevice &dev, uint64_t budget = 3 * kWindow,
                                    VulkanBackendConfig::FileStaging how = VulkanBackendConfig::FileStaging::Mapped) {
    VulkanBackendConfig bc = dev.backend_config();
    bc.staging_bytes = 8u << 20;
    bc.chunk_size = 256u << 10;
    bc.file_staging = how;
    bc.mapped_window_bytes = kWindow;
    bc.mapped_budget_bytes = budget;
    return dstest::vulkan_queue(bc, 256);
}

Request gpu_read(int fd, uint64_t offset, uint64_t size, uint64_t buffer, uint64_t buffer_size, uint64_t gpu_offset) {
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

bool gpu_matches(VulkanDevice &dev, uint64_t buffer, uint64_t gpu_offset, const uint8_t *expected, uint64_t size) {
    std::vector<uint8_t> got(size);
    if (!CHECK(dev.download(buffer, gpu_offset, got.data(), size)))
        return false;
    return std::memcmp(got.data(), expected, size) == 0;
}

struct Read {
    uint64_t offset, size, gpu_offset;
};

// Reads `reads` in one submit; each must complete with `status` and its bytes, and match.
void run_reads(VulkanDevice &dev, Queue &q, int fd, const std::vector<uint8_t> &file, uint64_t buf, uint64_t buf_size,
               const std::vector<Read> &reads) {
    for (const Read &r : reads)
        CHECK_EQ(q.enqueue(gpu_read(fd, r.offset, r.size, buf, buf_size, r.gpu_offset)), QueueResult::Ok);
    q.submit();
    auto done = dstest::drain(q, reads.size());
    for (const Completion &c : done)
        CHECK_EQ(c.status, Status::Ok);
    for (const Read &r : reads)
        if (!CHECK(gpu_matches(dev, buf, r.gpu_offset, file.data() + r.offset, r.size)))
            std::fprintf(stderr, "  read at %llu (%llu bytes) differs on the GPU\n", (unsigned long long)r.offset,
                         (unsigned long long)r.size);
}

void test_mapped_reads(VulkanDevice &dev) {
    const bool mapped = dev.backend_config().external_memory_host;
    dstest::TempFile f(5 * kWindow + 12345, 21);  // 5 windows and a partial sixth
    const uint64_t buf_size = 8u << 20;
    uint64_t buf = dev.create_buffer(buf_size);
    auto q = mapped_queue(dev, 8 * kWindow);
    std::vector<Read> reads;
    uint64_t gpu = 0;
    for (uint64_t off = 0; off + 65536 <= f.bytes.size(); off += 3 * 65536 + 4096) {
        reads.push_back({off, 65536, gpu});
        gpu += 65536;
    }
    reads.push_back({kWindow - 1000, 5000, gpu});  // across two windows: staging
    gpu += 8192;
    reads.push_back({5 * kWindow + 100, 12000, gpu});  // in the partial last window
    uint64_t in_one_window = 0;                        // the others take staging
    for (const Read &r : reads)
        in_one_window += r.offset / kWindow == (r.offset + r.size - 1) / kWindow;
    CHECK(in_one_window < reads.size() - 1);  // the 64 KiB steps cross a window boundary too
    run_reads(dev, *q, f.fd, f.bytes, buf, buf_size, reads);
    BackendStats s = q->backend().stats();
    std::printf("mapped reads %llu of %zu, imports %llu\n", (unsigned long long)s.mapped_reads, reads.size(),
                (unsigned long long)s.mapped_imports);
    if (mapped) {
        CHECK_EQ(s.mapped_reads, in_one_window);
        CHECK_EQ(s.mapped_imports, 6u);
    }
    // The same reads again: the kept imports are reused, none is made.
    run_reads(dev, *q, f.fd, f.bytes, buf, buf_size, reads);
    if (mapped) {
        CHECK_EQ(q->backend().stats().mapped_reads, 2 * in_one_window);
        CHECK_EQ(q->backend().stats().mapped_imports, 6u);
    }

    // A budget of two windows: an idle import is dropped for the next (least recently used
    // first). (Whether a third read finds both in use depends on when the first two retire:
    // test_budget_in_use checks that case with the imports held.)
    {
        auto small = mapped_queue(dev, 2 * kWindow);
        for (uint64_t w : {0, 1, 2, 3, 0})
            run_reads(dev, *small, f.fd, f.bytes, buf, buf_size, {{w * kWindow + 4096, 65536, 0}});
        if (mapped) {
            CHECK_EQ(small->backend().stats().mapped_reads, 5u);
            CHECK_EQ(small->backend().stats().mapped_imports, 5u);
        }
        run_reads(dev, *small, f.fd, f.bytes, buf, buf_size,
                  {{0, 65536, 0}, {kWindow, 65536, 65536}, {2 * kWindow, 65536, 131072}});
        if (mapped) {
            const uint64_t mapped_reads = small->backend().stats().mapped_reads;
            CHECK(mapped_reads == 7u || mapped_reads == 8u);
        }
    }

    // Past the end of the file: staging, and the request reports EndOfFile with what it read.
    CHECK_EQ(q->enqueue(gpu_read(f.fd, f.bytes.size() - 100, 4096, buf, buf_size, 0)), QueueResult::Ok);
    q->submit();
    Completion c = dstest::drain(*q, 1).at(0);
    CHECK_EQ(c.status, Status::EndOfFile);
    CHECK_EQ(c.bytes, 100u);
    CHECK(gpu_matches(dev, buf, 0, f.bytes.data() + f.bytes.size() - 100, 100));

    // The file changes after its window was imported: the next read sees the new bytes.
    std::this_thread::sleep_for(std::chrono::milliseconds(30));  // a new modification time
    std::vector<uint8_t> fresh = dstest::random_bytes(65536, 99);
    CHECK_EQ(pwrite(f.fd, fresh.data(), fresh.size(), 0), ssize_t(fresh.size()));
    std::memcpy(f.bytes.data(), fresh.data(), fresh.size());
    run_reads(dev, *q, f.fd, f.bytes, buf, buf_size, {{0, 65536, 0}});
    if (mapped)
        CHECK_EQ(q->backend().stats().mapped_imports, 7u);  // window 0 again, from the new file
    dev.destroy_buffer(buf);
}

// FileStaging::Auto: chunks of at least mapped_min_bytes (256 KiB) are mapped, smaller ones staged.
void test_auto(VulkanDevice &dev) {
    const bool mapped = dev.backend_config().external_memory_host;
    dstest::TempFile f(2 * kWindow, 23);
    uint64_t buf = dev.create_buffer(2 * kWindow);
    auto q = mapped_queue(dev, 3 * kWindow, VulkanBackendConfig::FileStaging::Auto);
    // Two 256 KiB chunks (chunk_size) and one of 64 KiB, each inside one window.
    run_reads(dev, *q, f.fd, f.bytes, buf, 2 * kWindow, {{0, 512u << 10, 0}, {kWindow + 4096, 65536, kWindow}});
    BackendStats s = q->backend().stats();
    if (mapped) {
        CHECK_EQ(s.mapped_reads, 2u);
        CHECK_EQ(s.staging_bytes, 65536u);
    }
    dev.destroy_buffer(buf);
}

// A device without VK_EXT_external_memory_host: Mapped falls back to staging, bytes still right.
void test_fallback_without_extension() {
    VulkanDeviceOptions o;
    o.external_memory_host = false;
    std::string why;
    auto dev = VulkanDevice::create(&why, dstest::test_device_options(o));
    if (!CHECK(dev != nullptr))
        return;
    CHECK(!dev->backend_config().external_memory_host);
    dstest::TempFile f(2 * kWindow, 22);
    uint64_t buf = dev->create_buffer(2 * kWindow);
    auto q = mapped_queue(*dev);
    run_reads(*dev, *q, f.fd, f.bytes, buf, 2 * kWindow, {{0, kWindow, 0}, {kWindow, kWindow, kWindow}});
    CHECK_EQ(q->backend().stats().mapped_reads, 0u);
    dev->destroy_buffer(buf);
}

}  // namespace

// The import budget with every window in use: acquire() says no at once (the reader then takes
// staging) instead of waiting; once a window is released, its import makes room for the next.
void test_budget_in_use(VulkanDevice &dev) {
    VulkanBackendConfig bc = dev.backend_config();
    if (!bc.external_memory_host)
        return;
    vk::Dispatch vk;
    std::string why = dstest::load_dispatch(bc, &vk);
    if (!CHECK(why.empty()))
        return;
    dstest::TempFile f(4 * kWindow, 22);
    vk::FileMappingImports imports(vk, reinterpret_cast<VkDevice>(bc.device), kWindow, 2 * kWindow, false);
    if (!CHECK(imports.usable(true, &why))) {
        std::fprintf(stderr, "  %s\n", why.c_str());
        return;
    }
    vk::MappedSource first, second, third;
    CHECK(imports.acquire(f.fd, 4096, 65536, &first));
    CHECK(imports.acquire(f.fd, kWindow + 4096, 65536, &second));
    const auto before = std::chrono::steady_clock::now();
    CHECK(!imports.acquire(f.fd, 2 * kWindow + 4096, 65536, &third));  // both windows in use
    CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(1));
    CHECK_EQ(imports.imports(), 2u);
    imports.release(first.window);
    CHECK(imports.acquire(f.fd, 2 * kWindow + 4096, 65536, &third));  // the idle one made room
    CHECK_EQ(imports.imports(), 3u);
    imports.release(second.window);
    imports.release(third.window);
}

int main() {
    auto dev = dstest::open_vulkan_device_or_skip();
    std::printf("device: %s, VK_EXT_external_memory_host %s\n", dev->device_name().c_str(),
                dev->backend_config().external_memory_host ? "enabled" : "absent");
    test_mapped_reads(*dev);
    test_budget_in_use(*dev);
    test_auto(*dev);
    test_fallback_without_extension();
    return dstest::finish("vulkan_mapped_read_test");
}
