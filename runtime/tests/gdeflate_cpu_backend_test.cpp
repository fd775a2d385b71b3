// SPDX-License-Identifier: MIT
// Compression::GDeflate requests through a queue on the CPU backend: file -> host and memory ->
// host decode byte-exact; corrupt data completes as IoError/EBADMSG; bad uncompressed sizes are
// rejected at submit with InvalidRequest(Compression); neighbours are never disturbed.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "check.h"
#include "ds/cpu_backend.h"
#include "ds/gdeflate.h"
#include "ds/queue.h"
#include "test_util.h"

using namespace ds;
namespace gd = ds::gdeflate;

namespace {

std::vector<uint8_t> compressible(size_t size, uint32_t seed) {
    std::vector<uint8_t> v = dstest::random_bytes(size, seed);
    for (size_t i = 0; i < size; ++i)
        if ((i / 64) % 3)
            v[i] = uint8_t(i / 512);
    return v;
}

std::vector<uint8_t> pack(const std::vector<uint8_t> &in) {
    std::vector<uint8_t> out(gd::compress_bound(in.size()));
    size_t n = 0;
    CHECK_EQ(gd::encode(in.data(), in.size(), out.data(), out.size(), gd::kLevelDefault, 0, &n), gd::Error::Ok);
    out.resize(n);
    return out;
}

struct PackedFile {
    dstest::TempFile file{0, 1};
    std::vector<uint8_t> plain;
    uint64_t offset = 0;  ///< where the stream starts in the file
    uint64_t size = 0;    ///< stream size

    PackedFile(size_t plain_size, uint32_t seed) : plain(compressible(plain_size, seed)) {
        std::vector<uint8_t> packed = pack(plain);
        offset = 4096 + 7;  // the stream need not be aligned
        size = packed.size();
        std::vector<uint8_t> junk(offset, 0xCC);
        CHECK_EQ(pwrite(file.fd, junk.data(), junk.size(), 0), ssize_t(junk.size()));
        CHECK_EQ(pwrite(file.fd, packed.data(), packed.size(), off_t(offset)), ssize_t(packed.size()));
    }
};

Request gdeflate_read(int fd, uint64_t offset, uint64_t size, void *dst, uint64_t uncompressed) {
    Request r;
    r.compression = Compression::GDeflate;
    r.fd = fd;
    r.offset = offset;
    r.size = size;
    r.dst = dst;
    r.uncompressed_size = uncompressed;
    return r;
}

void test_file_to_host() {
    auto q = Queue::create(make_cpu_backend({2, 0}), QueueConfig{});
    const size_t sizes[] = {1, 65536, 65537, 3 << 20};
    std::vector<PackedFile *> files;
    std::vector<std::vector<uint8_t>> dsts;
    for (size_t i = 0; i < 4; ++i) {
        files.push_back(new PackedFile(sizes[i], uint32_t(i) + 1));
        dsts.emplace_back(sizes[i] + 16, 0x5A);
        Request r = gdeflate_read(files[i]->file.fd, files[i]->offset, files[i]->size, dsts[i].data(), sizes[i]);
        r.user_data = i;
        q->enqueue(r);
    }
    q->submit();
    for (const Completion &c : dstest::drain(*q, 4)) {
        size_t i = size_t(c.user_data);
        CHECK_EQ(c.status, Status::Ok);
        CHECK_EQ(c.bytes, uint64_t(sizes[i]));
        CHECK(std::memcmp(dsts[i].data(), files[i]->plain.data(), sizes[i]) == 0);
        CHECK_EQ(dsts[i][sizes[i]], uint8_t(0x5A));  // nothing past uncompressed_size
    }
    CHECK(q->backend().caps().gdeflate);
    for (auto *f : files)
        delete f;
}

void test_memory_to_host() {
    auto q = Queue::create(make_cpu_backend({1, 0}), QueueConfig{});
    std::vector<uint8_t> plain = compressible(200000, 9), packed = pack(plain), dst(plain.size());
    Request r;
    r.compression = Compression::GDeflate;
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
    std::vector<uint8_t> corrupt(f.size);
    CHECK_EQ(pread(f.file.fd, corrupt.data(), corrupt.size(), off_t(f.offset)), ssize_t(corrupt.size()));
    for (size_t i = 200; i < corrupt.size(); i += 50)
        corrupt[i] ^= 0x5A;
    dstest::TempFile bad(0, 2);
    CHECK_EQ(pwrite(bad.fd, corrupt.data(), corrupt.size(), 0), ssize_t(corrupt.size()));

    auto q = Queue::create(make_cpu_backend({2, 0}), QueueConfig{});
    // One destination per request: they run in parallel on the two workers, and decoders write
    // what they decode before they find a bad tile.
    std::vector<std::vector<uint8_t>> dst(7, std::vector<uint8_t>(400000));
    Request reqs[] = {
        gdeflate_read(bad.fd, 0, corrupt.size(), dst[0].data(), 300000),             // 0: corrupt tiles
        gdeflate_read(f.file.fd, f.offset, f.size, dst[1].data(), 300001),           // 1: size differs from the stream
        gdeflate_read(f.file.fd, f.offset, f.size, dst[2].data(), 0),                // 2: no uncompressed size
        gdeflate_read(f.file.fd, f.offset - 1, f.size, dst[3].data(), 300000),       // 3: not a stream (bad header)
        gdeflate_read(f.file.fd, f.offset, f.size + 100000, dst[4].data(), 300000),  // 4: past end of file
        gdeflate_read(f.file.fd, f.offset, f.size, dst[5].data(), 300000),           // 5: good
    };
    reqs[2].user_data = 2;
    for (size_t i = 0; i < 6; ++i) {
        reqs[i].user_data = i;
        q->enqueue(reqs[i]);
    }
    Request w = reqs[5];
    w.op = Op::Write;
    w.src = dst[6].data();
    w.user_data = 6;  // 6: compressed writes are meaningless
    q->enqueue(w);
    q->submit();
    for (const Completion &c : dstest::drain(*q, 7)) {
        switch (c.user_data) {
        case 0:
        case 1:
        case 3:
            CHECK_EQ(c.status, Status::IoError);
            CHECK_EQ(c.error, EBADMSG);
            CHECK_EQ(c.bytes, 0u);
            break;
        case 2:
        case 6:
            CHECK_EQ(c.status, Status::InvalidRequest);
            CHECK_EQ(c.field, Field::Compression);
            break;
        case 4:
            CHECK_EQ(c.status, Status::EndOfFile);
            CHECK_EQ(c.bytes, 0u);
            break;
        case 5:
            CHECK_EQ(c.status, Status::Ok);
            CHECK_EQ(c.bytes, 300000u);
            break;
        }
    }
}

}  // namespace

int main() {
    test_file_to_host();
    test_memory_to_host();
    test_corrupt_and_bad_sizes();
    return dstest::finish("gdeflate_cpu_backend_test");
}
