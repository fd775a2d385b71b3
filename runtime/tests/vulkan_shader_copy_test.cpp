// SPDX-License-Identifier: MIT
// VulkanBackendConfig::shader_copies: small upload regions copied by one compute dispatch per
// batch (runtime/shaders/scatter_copy.comp) instead of a copy-engine region each. Each round
// below reads into a GPU buffer filled with a pattern and compares the whole buffer with what it
// must hold, so a byte written outside a destination fails as surely as a wrong byte inside one;
// the stats say which way each region went (16-byte and 4-byte shader loops, a shader copy with a
// copy-engine tail, and the cases the shader must leave to vkCmdCopyBuffer). Then the same from
// imported file windows (FileStaging::Mapped), and with shader_copies off.
#include <cstring>

#include "check.h"
#include "ds/queue.h"
#include "ds/vulkan_backend.h"
#include "test_util.h"

using namespace ds;

namespace {

constexpr uint64_t kBuffer = 8u << 20;
constexpr uint8_t kPattern = 0xA5;

struct Read {
    uint64_t offset, size, gpu_offset;
};

struct Fixture {
    VulkanDevice &dev;
    const std::vector<uint8_t> &file;
    int fd;
    uint64_t buf;
    std::vector<uint8_t> image;  // what the whole GPU buffer must hold
};

std::unique_ptr<Queue> make_queue(VulkanDevice &dev, bool shader_copies, bool mapped) {
    VulkanBackendConfig bc = dev.backend_config();
    bc.staging_bytes = 16u << 20;
    bc.shader_copies = shader_copies && bc.shader_copies;
    if (mapped) {
        bc.file_staging = VulkanBackendConfig::FileStaging::Mapped;
        bc.mapped_window_bytes = 4u << 20;
    }
    return dstest::vulkan_queue(bc, 256);
}

// Runs the reads in one submit; returns how the stats moved (shader regions, copy-engine regions).
std::pair<uint64_t, uint64_t> round(Fixture &f, Queue &q, const std::vector<Read> &reads) {
    const BackendStats before = q.backend().stats();
    for (const Read &r : reads) {
        Request req;
        req.memory = Memory::Gpu;
        req.fd = f.fd;
        req.offset = r.offset;
        req.size = r.size;
        req.gpu_buffer = f.buf;
        req.gpu_buffer_size = kBuffer;
        req.gpu_offset = r.gpu_offset;
        CHECK_EQ(q.enqueue(req), QueueResult::Ok);
        std::memcpy(f.image.data() + r.gpu_offset, f.file.data() + r.offset, r.size);
    }
    q.submit();
    for (const Completion &c : dstest::drain(q, reads.size()))
        CHECK_EQ(c.status, Status::Ok);
    std::vector<uint8_t> got(kBuffer);
    CHECK(f.dev.download(f.buf, 0, got.data(), kBuffer));
    for (uint64_t i = 0; i < kBuffer; ++i) {
        if (got[i] != f.image[i]) {
            CHECK(false);
            std::fprintf(stderr, "  GPU byte %llu is %u, expected %u\n", (unsigned long long)i, got[i], f.image[i]);
            break;
        }
    }
    const BackendStats after = q.backend().stats();
    return {after.shader_copies - before.shader_copies, after.gpu_copies - before.gpu_copies};
}

// 64 reads of 64 KiB into destinations in reverse order: file neighbours are not neighbours on the GPU.
std::vector<Read> scattered(uint64_t file_base, uint64_t gpu_base) {
    std::vector<Read> reads;
    for (uint64_t k = 0; k < 64; ++k)
        reads.push_back({file_base + k * 65536, 65536, gpu_base + (63 - k) * 65536});
    return reads;
}

void test_regions(VulkanDevice &dev, const dstest::TempFile &file) {
    uint64_t buf = dev.create_buffer(kBuffer);
    Fixture f{dev, file.bytes, file.fd, buf, std::vector<uint8_t>(kBuffer, kPattern)};
    CHECK(dev.upload(buf, 0, f.image.data(), kBuffer));
    auto q = make_queue(dev, true, false);

    // 16-byte loop. Two readers may stage neighbours in reverse order, which makes them adjacent
    // on both sides: such a pair merges into one region of 128 KiB, still a shader copy.
    auto moved = round(f, *q, scattered(0, 0));
    CHECK(moved.first >= 32u && moved.first <= 64u);
    CHECK_EQ(moved.second, 0u);
    moved = round(f, *q, {{1u << 20, 65532, (4u << 20) + 4}});  // 4-byte loop: dst not 16-aligned
    CHECK_EQ(moved.first, 1u);
    CHECK_EQ(moved.second, 0u);
    moved = round(f, *q, {{3u << 20, 1001, (5u << 20) + 8}});  // 1000 bytes by the shader, 1 by the copy engine
    CHECK_EQ(moved.first, 1u);
    CHECK_EQ(moved.second, 1u);
    moved = round(f, *q, {{(3u << 20) + 7, 4096, (5u << 20) + 4099}});  // odd destination: copy engine
    CHECK_EQ(moved.first, 0u);
    CHECK_EQ(moved.second, 1u);
    moved = round(f, *q, {{2u << 20, 2, (5u << 20) + 16384}});  // below one word: copy engine
    CHECK_EQ(moved.first, 0u);
    CHECK_EQ(moved.second, 1u);
    moved = round(f, *q, {{4u << 20, 1u << 20, 6u << 20}});  // above shader_copy_max_bytes: copy engine
    CHECK_EQ(moved.first, 0u);
    CHECK_EQ(moved.second, 1u);
    // A mix in one batch: both kinds in one command buffer, nothing outside the ranges touched.
    std::vector<Read> mix = scattered(5u << 20, 0);
    mix.push_back({(6u << 20) + 3, 777, (4u << 20) + 65536 + 12});
    mix.push_back({7u << 20, 512u << 10, (7u << 20)});
    moved = round(f, *q, mix);
    CHECK(moved.first >= 64u);
    std::printf("shader copies: %llu regions in all, copy-engine regions %llu\n",
                (unsigned long long)q->backend().stats().shader_copies,
                (unsigned long long)q->backend().stats().gpu_copies);
    q.reset();

    // Off: every region goes to the copy engine, the bytes are the same.
    auto off = make_queue(dev, false, false);
    moved = round(f, *off, scattered(1u << 20, 0));
    CHECK_EQ(moved.first, 0u);
    CHECK(moved.second >= 32u && moved.second <= 64u);
    off.reset();

    // From imported file windows: no staging and no copy-engine region.
    if (dev.backend_config().external_memory_host) {
        auto mapped = make_queue(dev, true, true);
        moved = round(f, *mapped, scattered(2u << 20, 0));
        CHECK_EQ(mapped->backend().stats().mapped_reads, 64u);
        CHECK_EQ(moved.first, 64u);
        CHECK_EQ(moved.second, 0u);
    }
    dev.destroy_buffer(buf);
}

}  // namespace

int main() {
    if (!dstest::shader_copies_allowed()) {
        std::printf("skipped: DS_TEST_SHADER_COPIES=0 (the ASan run: see dstest::shader_copies_allowed)\n");
        return 77;
    }
    VulkanDeviceOptions options;
    options.prefer_compute_queue = true;  // shader copies need a queue with compute
    auto dev = dstest::open_vulkan_device_or_skip(options);
    const bool usable = dev->backend_config().shader_copies;
    std::printf("device: %s, bufferDeviceAddress %s\n", dev->device_name().c_str(), usable ? "enabled" : "absent");
    // Every driver this project runs on (lavapipe, NVIDIA) has bufferDeviceAddress.
    if (CHECK(usable)) {
        dstest::TempFile file(12u << 20, 31);
        test_regions(*dev, file);
    }
    return dstest::finish("vulkan_shader_copy_test");
}
