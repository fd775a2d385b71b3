// SPDX-License-Identifier: MIT
// Compression::Zstd requests through a queue on the CPU backend: file -> host (read in slices
// larger and smaller than kZstdReadSlice) and memory -> host decode byte-exact; a corrupt stream,
// or one that decodes to more or fewer bytes than uncompressed_size, completes as IoError/EBADMSG
// and writes nothing past the destination; bad sizes are rejected at submit.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "check.h"
#include "ds/cpu_backend.h"
#include "ds/queue.h"
#include "ds/zstd.h"
#include "test_util.h"
#include "zstd/host_request.h"

using namespace ds;
namespace zs = ds::zstd;

namespace {

std::vector<uint8_t> compressible(size_t size, uint32_t seed) {
    std::vector<uint8_t> v = dstest::random_bytes(size, seed);
    for (size_t i = 0; i < size; ++i)
        if ((i / 64) % 3)
            v[i] = uint8_t(i / 512);
    return v;
}

std::vector<uint8_t> pack(const std::vector<uint8_t> &in) {
    std::vector<uint8_t> out(zs::compress_bound(in.size()));
    size_t n = 0;
    CHECK_EQ(zs::compress(in.data(), in.size(), zs::kLevelFastest, out.data(), out.size(), &n, 1), zs::Error::Ok);
    out.resize(n);
    return out;
}

struct PackedFile {
    dstest::TempFile file{0, 1};
    std::vector<uint8_t> plain, packed;
    uint64_t offset = 4096 + 7;  ///< the stream need not be aligned

    PackedFile(size_t plain_size, uint32_t seed) : plain(compressible(plain_size, seed)), packed(pack(plain)) {
        std::vector<uint8_t> junk(offset, 0xCC);
        CHECK_EQ(pwrite(file.fd, junk.data(), junk.size(), 0), ssize_t(junk.size()));
        CHECK_EQ(pwrite(file.fd, packed.data(), packed.size(), off_t(offset)), ssize_t(packed.size()));
    }
};

Request zstd_read(int fd, uint64_t offset, uint64_t size, void *dst, uint64_t uncompressed) {
    Request r;
    r.compression = Compression::Zstd;
    r.fd = fd;
    r.offset = offset;
    r.size = size;
    r.dst = dst;
    r.uncompressed_size = uncompressed;
    return r;
}

void test_file_to_host() {
    auto q = Queue::create(make_cpu_backend({2, 0}), QueueConfig{});
    CHECK(q->backend().caps().zstd);
    // The last one compresses to more than one read slice (random data barely shrinks).
    const size_t sizes[] = {1, 65536, 3 << 20, 0};
    std::vector<std::unique_ptr<PackedFile>> files;
    std::vector<std::vector<uint8_t>> dsts;
    for (size_t i = 0; i < 4; ++i) {
        if (sizes[i])
            files.push_back(std::make_unique<PackedFile>(sizes[i], uint32_t(i) + 1));
        else {
            files.push_back(std::make_unique<PackedFile>(0, 1));
            files[i]->plain = dstest::random_bytes(3 * kZstdReadSlice, 77);
            files[i]->packed = pack(files[i]->plain);
            CHECK(files[i]->packed.size() > 2 * kZstdReadSlice);
            CHECK_EQ(
                pwrite(files[i]->file.fd, files[i]->packed.data(), files[i]->packed.size(), off_t(files[i]->offset)),
                ssize_t(files[i]->packed.size()));
        }
        size_t plain = files[i]->plain.size();
        dsts.emplace_back(plain + 16, 0x5A);
        Request r = zstd_read(files[i]->file.fd, files[i]->offset, files[i]->packed.size(), dsts[i].data(), plain);
        r.user_data = i;
        q->enqueue(r);
    }
    q->submit();
    for (const Completion &c : dstest::drain(*q, 4)) {
        size_t i = size_t(c.user_data), plain = files[i]->plain.size();
        CHECK_EQ(c.status, Status::Ok);
        CHECK_EQ(c.bytes, uint64_t(plain));
        CHECK(std::memcmp(dsts[i].data(), files[i]->plain.data(), plain) == 0);
        CHECK_EQ(dsts[i][plain], uint8_t(0x5A));  // nothing past uncompressed_size
    }
}

void test_memory_to_host() {
    auto q = Queue::create(make_cpu_backend({1, 0}), QueueConfig{});
    std::vector<uint8_t> plain = compressible(200000, 9), packed = pack(plain), dst(plain.size());
    Request r;
    r.compression = Compression::Zstd;
    r.source = Source::Memory;
    r.src = packed.data();
    r.size = packed.size();
    r.dst = dst.data();
    r.uncompressed_size = plain.size();
    q->enqueue(r);
    q->submit();
    auto done = dstest::drain(*q, 1);
    CHECK_EQ(done[0].status, Status::Ok);
    CHECK(dst == plain);
}

void test_corrupt_and_bad_sizes() {
    PackedFile f(300000, 5);
    std::vector<uint8_t> corrupt = f.packed;
    for (size_t i = 200; i < corrupt.size(); i += 50)
        corrupt[i] ^= 0x5A;
    dstest::TempFile bad(0, 2);
    CHECK_EQ(pwrite(bad.fd, corrupt.data(), corrupt.size(), 0), ssize_t(corrupt.size()));

    auto q = Queue::create(make_cpu_backend({2, 0}), QueueConfig{});
    // One destination per request, each with a guard after its uncompressed_size.
    const uint64_t expected[] = {300000, 300001, 299999, 0, 300000, 300000, 300000, 300000};
    std::vector<std::vector<uint8_t>> dsts;
    for (uint64_t e : expected)
        dsts.emplace_back(e + 64, 0xEE);
    const uint64_t size = f.packed.size();
    Request reqs[] = {
        zstd_read(bad.fd, 0, size, dsts[0].data(), 300000),                     // 0: corrupt blocks
        zstd_read(f.file.fd, f.offset, size, dsts[1].data(), 300001),           // 1: stream is shorter
        zstd_read(f.file.fd, f.offset, size, dsts[2].data(), 299999),           // 2: stream is longer
        zstd_read(f.file.fd, f.offset, size, dsts[3].data(), 0),                // 3: no uncompressed size
        zstd_read(f.file.fd, f.offset - 1, size, dsts[4].data(), 300000),       // 4: not a stream
        zstd_read(f.file.fd, f.offset, size + 100000, dsts[5].data(), 300000),  // 5: past end of file
        zstd_read(f.file.fd, f.offset, size - 10, dsts[6].data(), 300000),      // 6: cut short
        zstd_read(f.file.fd, f.offset, size, dsts[7].data(), 300000),           // 7: good
    };
    for (size_t i = 0; i < 8; ++i) {
        reqs[i].user_data = i;
        q->enqueue(reqs[i]);
    }
    q->submit();
    for (const Completion &c : dstest::drain(*q, 8)) {
        size_t i = size_t(c.user_data);
        switch (i) {
        case 0:
        case 1:
        case 2:
        case 4:
        case 6:
            CHECK_EQ(c.status, Status::IoError);
            CHECK_EQ(c.error, EBADMSG);
            CHECK_EQ(c.bytes, 0u);
            break;
        case 3:
            CHECK_EQ(c.status, Status::InvalidRequest);
            CHECK_EQ(c.field, Field::Compression);
            break;
        case 5:
            CHECK_EQ(c.status, Status::EndOfFile);
            CHECK_EQ(c.bytes, 0u);
            break;
        case 7:
            CHECK_EQ(c.status, Status::Ok);
            CHECK_EQ(c.bytes, 300000u);
            CHECK(std::memcmp(dsts[7].data(), f.plain.data(), 300000) == 0);
            break;
        }
        for (size_t g = expected[i]; g < dsts[i].size(); ++g)
            if (!CHECK_EQ(dsts[i][g], uint8_t(0xEE)))
                break;  // written outside the destination
    }
}

void test_bounded_read_slices() {
    // A file source larger than one slice decodes through slices; a request whose compressed
    // size is far above the slice still uses only the slice (checked by decoding a 64 MiB
    // stream of zeros, 2 KiB compressed, and a stream padded by skippable frames).
    std::vector<uint8_t> zeros(64 << 20, 0);
    std::vector<uint8_t> packed = pack(zeros);
    CHECK(packed.size() < kZstdReadSlice);
    std::vector<uint8_t> pad(kZstdReadSlice + 8, 0);
    const uint8_t magic[] = {0x50, 0x2A, 0x4D, 0x18};
    std::memcpy(pad.data(), magic, 4);
    uint32_t payload = uint32_t(pad.size() - 8);
    std::memcpy(pad.data() + 4, &payload, 4);
    std::vector<uint8_t> stream = pad;
    stream.insert(stream.end(), packed.begin(), packed.end());
    stream.insert(stream.end(), pad.begin(), pad.end());
    dstest::TempFile f(0, 3);
    CHECK_EQ(pwrite(f.fd, stream.data(), stream.size(), 0), ssize_t(stream.size()));
    std::vector<uint8_t> dst(zeros.size(), 1);
    Request r = zstd_read(f.fd, 0, stream.size(), dst.data(), dst.size());
    IoOutcome o = decode_zstd_request(r, dst.data());
    CHECK_EQ(o.status, Status::Ok);
    CHECK(dst == zeros);
}

}  // namespace

int main() {
    if (!zs::available())
        dstest::skip_or_fail("DS_REQUIRE_ZSTD", "built without libzstd (DS_WITH_ZSTD=OFF)");
    test_file_to_host();
    test_memory_to_host();
    test_corrupt_and_bad_sizes();
    test_bounded_read_slices();
    return dstest::finish("zstd_cpu_backend_test");
}
