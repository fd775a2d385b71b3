// SPDX-License-Identifier: MIT
// Vulkan backend GDeflate reads: compressed file/memory -> GPU buffer (and host), checked byte
// for byte through VulkanDevice::download. Runs on the default device (transfer queue: CPU
// decode into staging) and on a compute-queue device, where VK_NV_memory_decompression decodes
// on the GPU if the driver has it. Prints which path ran ("gdeflate path: cpu|nv"). The compute
// shader path is switched off here; vulkan_gdeflate_shader_test covers it.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "check.h"
#include "ds/gdeflate.h"
#include "ds/queue.h"
#include "ds/vulkan_backend.h"
#include "gdeflate_test_util.h"
#include "test_util.h"

using namespace ds;

static std::vector<uint8_t> compressible(uint64_t size, uint32_t seed) {
    std::vector<uint8_t> v = dstest::random_bytes(size, seed);
    for (uint64_t i = 0; i < size; ++i)
        v[i] = (i / 97) % 3 == 0 ? v[i] : static_cast<uint8_t>('a' + (i % 13));
    return v;
}

static std::vector<uint8_t> encode(const std::vector<uint8_t> &raw) {
    std::vector<uint8_t> out(gdeflate::compress_bound(raw.size()));
    size_t written = 0;
    CHECK_EQ(gdeflate::encode(raw.data(), raw.size(), out.data(), out.size(), gdeflate::kLevelDefault, 0, &written),
             gdeflate::Error::Ok);
    out.resize(written);
    return out;
}

static Completion run_one(Queue &q, const Request &r) {
    CHECK_EQ(q.enqueue(r), QueueResult::Ok);
    q.submit();
    return dstest::drain(q, 1).at(0);
}

static void write_file(int fd, const std::vector<uint8_t> &bytes, uint64_t offset) {
    CHECK(ftruncate(fd, 0) == 0);
    CHECK_EQ(pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset)), static_cast<ssize_t>(bytes.size()));
}

static void run_device(VulkanDevice &dev, const char *label) {
    VulkanBackendConfig bc = dev.backend_config();
    bc.staging_bytes = 16u << 20;
    bc.shader_decompression = false;  // the compute shader has vulkan_gdeflate_shader_test
    std::string why;
    auto backend = make_vulkan_backend(bc, &why);
    if (!CHECK(backend != nullptr)) {
        std::fprintf(stderr, "make_vulkan_backend: %s\n", why.c_str());
        return;
    }
    CHECK(backend->caps().gdeflate);
    QueueConfig qc;
    qc.capacity = 64;
    auto q = Queue::create(backend, qc);

    dstest::TempFile f(1, 5);
    const uint64_t buf_size = (3u << 20) + (1u << 20);
    uint64_t buf = dev.create_buffer(buf_size);
    CHECK(buf != 0);
    const uint64_t sizes[] = {1, 65535, 65536, 65537, 3u << 20};
    uint32_t seed = 100;
    for (int kind = 0; kind < 2; ++kind) {
        for (uint64_t size : sizes) {
            std::vector<uint8_t> raw = kind ? compressible(size, seed++) : dstest::random_bytes(size, seed++);
            std::vector<uint8_t> packed = encode(raw);
            const uint64_t file_offset = 333, gpu_offset = 4096;
            write_file(f.fd, packed, file_offset);
            for (int from_memory = 0; from_memory < 2; ++from_memory) {
                Request r = dstest::gdeflate_gpu_request(packed, size, buf, buf_size, gpu_offset);
                if (!from_memory) {
                    r.source = Source::File;
                    r.src = nullptr;
                    r.fd = f.fd;
                    r.offset = file_offset;
                }
                Completion c = run_one(*q, r);
                CHECK_EQ(c.status, Status::Ok);
                CHECK_EQ(c.bytes, size);
                std::vector<uint8_t> got(size);
                CHECK(dev.download(buf, gpu_offset, got.data(), size));
                if (!CHECK(std::memcmp(got.data(), raw.data(), size) == 0))
                    std::fprintf(stderr, "  %s: %s size %llu from %s differs on the GPU\n", label,
                                 kind ? "compressible" : "random", static_cast<unsigned long long>(size),
                                 from_memory ? "memory" : "file");
            }
        }
    }

    // Host destination: decoded straight into dst.
    {
        std::vector<uint8_t> raw = compressible(200000, 7), packed = encode(raw), got(raw.size());
        Request r;
        r.source = Source::Memory;
        r.src = packed.data();
        r.size = packed.size();
        r.compression = Compression::GDeflate;
        r.uncompressed_size = raw.size();
        r.dst = got.data();
        Completion c = run_one(*q, r);
        CHECK_EQ(c.status, Status::Ok);
        CHECK_EQ(c.bytes, raw.size());
        CHECK(got == raw);
    }

    // Corrupt header, and a size that differs from the stream's: IoError EBADMSG.
    {
        std::vector<uint8_t> raw = compressible(70000, 8), packed = encode(raw);
        for (int variant = 0; variant < 3; ++variant) {
            std::vector<uint8_t> bad = packed;
            uint64_t usize = raw.size();
            if (variant == 0)
                bad[1] ^= 0xFF;  // magic
            else if (variant == 1)
                bad[gdeflate::kHeaderSize + 7] = 0xFF;  // tile 1 offset far past the data
            else
                usize -= 1;
            Completion c = run_one(*q, dstest::gdeflate_gpu_request(bad, usize, buf, buf_size));
            CHECK_EQ(c.status, Status::IoError);
            CHECK_EQ(c.error, EBADMSG);
            CHECK_EQ(c.bytes, 0u);
        }
    }

    // Decoded size past the buffer: InvalidRequest(GpuRange); past the ring: InvalidRequest(Compression).
    {
        std::vector<uint8_t> raw(5u << 20, 0), packed = encode(raw);
        Completion c = run_one(*q, dstest::gdeflate_gpu_request(packed, raw.size(), buf, buf_size));
        CHECK_EQ(c.status, Status::InvalidRequest);
        CHECK(c.field == Field::GpuRange);
    }

    BackendStats s = q->backend().stats();
    bool nv = s.gdeflate_gpu_decodes > 0;
    std::printf("%s: gdeflate path: %s (cpu decodes %llu, gpu decodes %llu, nv enabled on device: %s, transfer-only "
                "queue: %s)\n",
                label, nv ? "nv" : "cpu", static_cast<unsigned long long>(s.gdeflate_cpu_decodes),
                static_cast<unsigned long long>(s.gdeflate_gpu_decodes), dev.memory_decompression() ? "yes" : "no",
                dev.transfer_only_queue() ? "yes" : "no");
    if (nv)
        CHECK(s.gdeflate_gpu_decodes >= 20);  // every GPU-destination round trip above
    else
        CHECK(s.gdeflate_cpu_decodes >= 21);
    if (dev.memory_decompression() && !dev.transfer_only_queue())
        CHECK(nv);
    q.reset();
    dev.destroy_buffer(buf);
}

// Where both GPU decoders can take a request (NVIDIA with a compute queue), prefer_shader_decode
// picks which one does: the shader by default, VK_NV_memory_decompression when it is false.
static void check_decoder_preference(VulkanDevice &dev) {
    if (!dev.memory_decompression() || dev.transfer_only_queue()) {
        std::printf("decoder preference: not checked (no VK_NV_memory_decompression on a compute queue)\n");
        return;
    }
    const uint64_t size = 3u << 20, buf_size = 4u << 20;
    std::vector<uint8_t> raw = compressible(size, 77), packed = encode(raw);
    uint64_t buf = dev.create_buffer(buf_size);
    for (bool prefer_shader : {true, false}) {
        VulkanBackendConfig bc = dev.backend_config();
        bc.prefer_shader_decode = prefer_shader;
        auto q = dstest::vulkan_queue(bc, 8);
        if (!q)
            continue;
        CHECK_EQ(q->backend().caps().gdeflate_gpu, prefer_shader ? GpuDecode::Shader : GpuDecode::Nv);
        Completion c = run_one(*q, dstest::gdeflate_gpu_request(packed, size, buf, buf_size));
        CHECK_EQ(c.status, Status::Ok);
        std::vector<uint8_t> got(size);
        CHECK(dev.download(buf, 0, got.data(), size));
        CHECK(got == raw);
        BackendStats s = q->backend().stats();
        CHECK_EQ(s.gdeflate_shader_decodes, prefer_shader ? 1u : 0u);
        CHECK_EQ(s.gdeflate_gpu_decodes, prefer_shader ? 0u : 1u);
    }
    dev.destroy_buffer(buf);
}

int main() {
    auto dev = dstest::open_vulkan_device_or_skip();
    std::printf("device: %s\n", dev->device_name().c_str());
    run_device(*dev, "default queue");
    dev.reset();

    VulkanDeviceOptions opts;
    opts.prefer_compute_queue = true;
    std::string why;
    auto compute = VulkanDevice::create(&why, dstest::test_device_options(opts));
    if (CHECK(compute != nullptr)) {
        run_device(*compute, "compute queue");
        check_decoder_preference(*compute);
    } else
        std::fprintf(stderr, "compute-queue device: %s\n", why.c_str());
    return dstest::finish("vulkan_gdeflate_test");
}
