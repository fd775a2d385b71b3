// SPDX-License-Identifier: MIT
// Vulkan backend Zstandard reads: compressed file/memory -> GPU buffer (decoded by a reader into
// staging, then copied) and -> host, checked byte for byte through VulkanDevice::download; corrupt
// or mis-sized streams complete as IoError/EBADMSG and leave the GPU buffer's bytes around the
// destination alone; a decoded size past the buffer or the staging ring is refused.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "check.h"
#include "ds/queue.h"
#include "ds/vulkan_backend.h"
#include "ds/zstd.h"
#include "test_util.h"

using namespace ds;

namespace {

std::vector<uint8_t> compressible(uint64_t size, uint32_t seed) {
    std::vector<uint8_t> v = dstest::random_bytes(size, seed);
    for (uint64_t i = 0; i < size; ++i)
        v[i] = (i / 97) % 3 == 0 ? v[i] : static_cast<uint8_t>('a' + (i % 13));
    return v;
}

std::vector<uint8_t> pack(const std::vector<uint8_t> &raw) {
    std::vector<uint8_t> out(zstd::compress_bound(raw.size()));
    size_t written = 0;
    CHECK_EQ(zstd::compress(raw.data(), raw.size(), zstd::kLevelDefault, out.data(), out.size(), &written, 1),
             zstd::Error::Ok);
    out.resize(written);
    return out;
}

Completion run_one(Queue &q, const Request &r) {
    CHECK_EQ(q.enqueue(r), QueueResult::Ok);
    q.submit();
    return dstest::drain(q, 1).at(0);
}

Request gpu_request(const std::vector<uint8_t> &stream, uint64_t uncompressed, uint64_t buf, uint64_t buf_size,
                    uint64_t gpu_offset) {
    Request r;
    r.memory = Memory::Gpu;
    r.compression = Compression::Zstd;
    r.source = Source::Memory;
    r.src = stream.data();
    r.size = stream.size();
    r.uncompressed_size = uncompressed;
    r.gpu_buffer = buf;
    r.gpu_buffer_size = buf_size;
    r.gpu_offset = gpu_offset;
    return r;
}

}  // namespace

int main() {
    if (!zstd::available())
        dstest::skip_or_fail("DS_REQUIRE_ZSTD", "built without libzstd (DS_WITH_ZSTD=OFF)");
    auto dev = dstest::open_vulkan_device_or_skip();
    VulkanBackendConfig bc = dev->backend_config();
    bc.staging_bytes = 16u << 20;
    std::string why;
    auto backend = make_vulkan_backend(bc, &why);
    if (!CHECK(backend != nullptr)) {
        std::fprintf(stderr, "make_vulkan_backend: %s\n", why.c_str());
        return dstest::finish("vulkan_zstd_test");
    }
    CHECK(backend->caps().zstd);
    QueueConfig qc;
    qc.capacity = 64;
    auto q = Queue::create(backend, qc);

    dstest::TempFile f(1, 5);
    const uint64_t buf_size = 4u << 20, gpu_offset = 4096;
    uint64_t buf = dev->create_buffer(buf_size);
    CHECK(buf != 0);
    uint32_t seed = 100;
    for (uint64_t size : {uint64_t(1), uint64_t(65537), uint64_t(3u << 20)}) {
        std::vector<uint8_t> raw = compressible(size, seed++), packed = pack(raw);
        CHECK(ftruncate(f.fd, 0) == 0);
        CHECK_EQ(pwrite(f.fd, packed.data(), packed.size(), 333), ssize_t(packed.size()));
        for (int from_memory = 0; from_memory < 2; ++from_memory) {
            Request r = gpu_request(packed, size, buf, buf_size, gpu_offset);
            if (!from_memory) {
                r.source = Source::File;
                r.src = nullptr;
                r.fd = f.fd;
                r.offset = 333;
            }
            Completion c = run_one(*q, r);
            CHECK_EQ(c.status, Status::Ok);
            CHECK_EQ(c.bytes, size);
            std::vector<uint8_t> got(size);
            CHECK(dev->download(buf, gpu_offset, got.data(), size));
            if (!CHECK(std::memcmp(got.data(), raw.data(), size) == 0))
                std::fprintf(stderr, "  size %llu from %s differs on the GPU\n", static_cast<unsigned long long>(size),
                             from_memory ? "memory" : "file");
        }
    }

    // Host destination: decoded straight into dst.
    {
        std::vector<uint8_t> raw = compressible(200000, 7), packed = pack(raw), got(raw.size());
        Request r;
        r.source = Source::Memory;
        r.src = packed.data();
        r.size = packed.size();
        r.compression = Compression::Zstd;
        r.uncompressed_size = raw.size();
        r.dst = got.data();
        Completion c = run_one(*q, r);
        CHECK_EQ(c.status, Status::Ok);
        CHECK_EQ(c.bytes, raw.size());
        CHECK(got == raw);
    }

    // Corrupt and mis-sized streams: IoError EBADMSG; the buffer around the destination is intact.
    {
        std::vector<uint8_t> raw = compressible(70000, 8), packed = pack(raw);
        std::vector<uint8_t> before(buf_size);
        CHECK(dev->download(buf, 0, before.data(), buf_size));
        for (int variant = 0; variant < 3; ++variant) {
            std::vector<uint8_t> bad = packed;
            uint64_t usize = raw.size();
            if (variant == 0)
                for (size_t i = 20; i < bad.size(); i += 31)
                    bad[i] ^= 0x5A;
            else if (variant == 1)
                usize -= 1;
            else
                usize += 1;
            Completion c = run_one(*q, gpu_request(bad, usize, buf, buf_size, 8192));
            CHECK_EQ(c.status, Status::IoError);
            CHECK_EQ(c.error, EBADMSG);
            CHECK_EQ(c.bytes, 0u);
        }
        std::vector<uint8_t> after(buf_size);
        CHECK(dev->download(buf, 0, after.data(), buf_size));
        CHECK(after == before);  // failed requests are never copied
    }

    // Decoded size past the buffer: GpuRange; past the 16 MiB staging ring: Compression.
    {
        std::vector<uint8_t> raw(5u << 20, 0), packed = pack(raw);
        Completion c = run_one(*q, gpu_request(packed, raw.size(), buf, buf_size, 0));
        CHECK_EQ(c.status, Status::InvalidRequest);
        CHECK(c.field == Field::GpuRange);
        std::vector<uint8_t> huge(20u << 20, 0), huge_packed = pack(huge);
        uint64_t big = dev->create_buffer(huge.size());
        c = run_one(*q, gpu_request(huge_packed, huge.size(), big, huge.size(), 0));
        CHECK_EQ(c.status, Status::InvalidRequest);
        CHECK(c.field == Field::Compression);
        dev->destroy_buffer(big);
    }
    q.reset();
    dev->destroy_buffer(buf);
    return dstest::finish("vulkan_zstd_test");
}
