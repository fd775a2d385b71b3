// SPDX-License-Identifier: MIT
// ds::gacl: the stream layout of each transform on two hand-written blocks (the layout Microsoft's
// GACL defines: docs/gacl.md), shuffle/unshuffle round trips on random data of many sizes, and
// GACL requests through the CPU backend (plain, GDeflate and Zstandard reads from files and
// memory) giving back the unshuffled blocks; bad transforms and sizes are refused at submit.
#include <unistd.h>

#include <cstring>
#include <vector>

#include "check.h"
#include "ds/cpu_backend.h"
#include "ds/gacl.h"
#include "ds/gdeflate.h"
#include "ds/queue.h"
#include "ds/zstd.h"
#include "ds_runtime.h"
#include "test_util.h"

using namespace ds;
namespace gc = ds::gacl;

namespace {

// Two blocks whose bytes name themselves: block b byte i = 0x10 * b + i.
std::vector<uint8_t> two_blocks(size_t block) {
    std::vector<uint8_t> v(2 * block);
    for (size_t b = 0; b < 2; ++b)
        for (size_t i = 0; i < block; ++i)
            v[b * block + i] = uint8_t(0x10 * b + i);
    return v;
}

void test_layouts() {
    struct Case {
        gc::Transform t;
        std::vector<uint8_t> shuffled;
    } cases[] = {
        // BC1: color_0 ×2, color_1 ×2, indices ×2.
        {gc::Transform::Bc1,
         {0x00, 0x01, 0x10, 0x11, 0x02, 0x03, 0x12, 0x13, 0x04, 0x05, 0x06, 0x07, 0x14, 0x15, 0x16, 0x17}},
        // BC4: red_0, red_1, 6 index bytes.
        {gc::Transform::Bc4,
         {0x00, 0x10, 0x01, 0x11, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17}},
        // BC3: alpha_0, alpha_1, alpha indices (6), color_0 (2), color_1 (2), color indices (4).
        {gc::Transform::Bc3,
         {0x00, 0x10, 0x01, 0x11, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
          0x08, 0x09, 0x18, 0x19, 0x0a, 0x0b, 0x1a, 0x1b, 0x0c, 0x0d, 0x0e, 0x0f, 0x1c, 0x1d, 0x1e, 0x1f}},
        // BC5: BC4's streams for red (bytes 0-7), then for green (bytes 8-15).
        {gc::Transform::Bc5,
         {0x00, 0x10, 0x01, 0x11, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
          0x08, 0x18, 0x09, 0x19, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f}},
    };
    for (const Case &c : cases) {
        size_t block = gc::block_size(c.t);
        std::vector<uint8_t> plain = two_blocks(block), out(plain.size()), back(plain.size());
        CHECK_EQ(c.shuffled.size(), plain.size());
        gc::shuffle(c.t, plain.data(), out.data(), plain.size());
        if (!CHECK(out == c.shuffled))
            std::fprintf(stderr, "  transform %d: shuffle differs from the hand-written layout\n", int(c.t));
        gc::unshuffle(c.t, out.data(), back.data(), out.size());
        CHECK(back == plain);
    }
    CHECK_EQ(gc::block_size(gc::Transform::None), 1u);
}

void test_round_trips() {
    for (uint8_t t = 1; t <= gc::kLastTransform; ++t) {
        auto tr = static_cast<gc::Transform>(t);
        for (size_t blocks : {size_t(0), size_t(1), size_t(3), size_t(4096), size_t(100003)}) {
            size_t size = blocks * gc::block_size(tr);
            std::vector<uint8_t> plain = dstest::random_bytes(size, uint32_t(size + t)), shuffled(size), back(size);
            gc::shuffle(tr, plain.data(), shuffled.data(), size);
            gc::unshuffle(tr, shuffled.data(), back.data(), size);
            CHECK(back == plain);
            CHECK(gc::unshuffle_in_place(tr, shuffled.data(), size));
            CHECK(shuffled == plain);
        }
    }
}

std::vector<uint8_t> zstd_pack(const std::vector<uint8_t> &in) {
    std::vector<uint8_t> out(zstd::compress_bound(in.size()));
    size_t n = 0;
    CHECK_EQ(zstd::compress(in.data(), in.size(), 1, out.data(), out.size(), &n, 1), zstd::Error::Ok);
    out.resize(n);
    return out;
}

std::vector<uint8_t> gdeflate_pack(const std::vector<uint8_t> &in) {
    std::vector<uint8_t> out(gdeflate::compress_bound(in.size()));
    size_t n = 0;
    CHECK_EQ(gdeflate::encode(in.data(), in.size(), out.data(), out.size(), 1, 1, &n), gdeflate::Error::Ok);
    out.resize(n);
    return out;
}

void test_requests() {
    auto q = Queue::create(make_cpu_backend({2, 0}), QueueConfig{});
    CHECK(q->backend().caps().gacl);
    const size_t size = 1 << 20;  // larger than one chunk of a plain read: must not be split
    std::vector<uint8_t> blocks = dstest::random_bytes(size, 5);
    struct Job {
        Transform transform;
        Compression compression;
        bool from_file;
        std::vector<uint8_t> stream, dst;
        dstest::TempFile *file = nullptr;
    };
    std::vector<Job> jobs;
    for (uint8_t t = 1; t <= 4; ++t)
        for (Compression c : {Compression::None, Compression::GDeflate, Compression::Zstd})
            for (bool from_file : {false, true}) {
                Job j{static_cast<Transform>(t), c, from_file, {}, std::vector<uint8_t>(size + 16, 0xEE)};
                std::vector<uint8_t> shuffled(size);
                gc::shuffle(static_cast<gc::Transform>(t), blocks.data(), shuffled.data(), size);
                j.stream = c == Compression::None       ? shuffled
                           : c == Compression::GDeflate ? gdeflate_pack(shuffled)
                                                        : zstd_pack(shuffled);
                jobs.push_back(std::move(j));
            }
    for (size_t i = 0; i < jobs.size(); ++i) {
        Job &j = jobs[i];
        Request r;
        r.compression = j.compression;
        r.transform = j.transform;
        r.size = j.stream.size();
        r.uncompressed_size = j.compression == Compression::None ? 0 : size;
        r.dst = j.dst.data();
        r.user_data = i;
        if (j.from_file) {
            j.file = new dstest::TempFile(0, uint32_t(i));
            CHECK_EQ(pwrite(j.file->fd, j.stream.data(), j.stream.size(), 0), ssize_t(j.stream.size()));
            r.fd = j.file->fd;
        } else {
            r.source = Source::Memory;
            r.src = j.stream.data();
        }
        q->enqueue(r);
    }
    q->submit();
    for (const Completion &c : dstest::drain(*q, jobs.size())) {
        Job &j = jobs[c.user_data];
        CHECK_EQ(c.status, Status::Ok);
        if (!CHECK(std::memcmp(j.dst.data(), blocks.data(), size) == 0))
            std::fprintf(stderr, "  transform %d compression %d file %d: blocks differ\n", int(j.transform),
                         int(j.compression), int(j.from_file));
        CHECK_EQ(j.dst[size], uint8_t(0xEE));
    }
    for (Job &j : jobs)
        delete j.file;

    // Refused at submit: an unknown transform, a size that is not whole blocks, a write.
    std::vector<uint8_t> dst(64);
    Request bad;
    bad.source = Source::Memory;
    bad.src = blocks.data();
    bad.dst = dst.data();
    bad.size = 64;
    bad.transform = static_cast<Transform>(5);
    q->enqueue(bad);
    bad.transform = Transform::GaclBc3;
    bad.size = 40;  // 2.5 BC3 blocks
    bad.user_data = 1;
    q->enqueue(bad);
    q->submit();
    for (const Completion &c : dstest::drain(*q, 2)) {
        CHECK_EQ(c.status, Status::InvalidRequest);
        CHECK_EQ(c.field, Field::Transform);
    }
}

}  // namespace

// ds_gacl_unshuffle (the C ABI, for callers whose backend does not undo shuffles: the Wine module's
// GPU path vulkan): the inverse of gacl::shuffle for each transform; refuses what it cannot undo.
static void test_c_abi_unshuffle() {
    for (int t = DS_TRANSFORM_GACL_BC1; t <= DS_TRANSFORM_GACL_BC5; ++t) {
        auto transform = static_cast<gacl::Transform>(t);
        const size_t size = gacl::block_size(transform) * 37;
        std::vector<uint8_t> blocks = dstest::random_bytes(size, 60 + t), shuffled(size);
        gacl::shuffle(transform, blocks.data(), shuffled.data(), size);
        CHECK(shuffled != blocks);
        CHECK_EQ(ds_gacl_unshuffle(t, shuffled.data(), size), 1);
        CHECK(shuffled == blocks);
        CHECK_EQ(ds_gacl_unshuffle(t, shuffled.data(), size - 4), 0);  // not whole blocks
        CHECK(shuffled == blocks);                                     // untouched
    }
    uint8_t byte = 0;
    CHECK_EQ(ds_gacl_unshuffle(DS_TRANSFORM_NONE, &byte, 0), 0);
    CHECK_EQ(ds_gacl_unshuffle(DS_TRANSFORM_GACL_BC5 + 1, &byte, 0), 0);
    CHECK_EQ(ds_gacl_unshuffle(DS_TRANSFORM_GACL_BC1, nullptr, 8), 0);
    CHECK_EQ(ds_gacl_unshuffle(DS_TRANSFORM_GACL_BC1, nullptr, 0), 1);
}

int main() {
    test_c_abi_unshuffle();
    test_layouts();
    test_round_trips();
    if (zstd::available())
        test_requests();
    return dstest::finish("gacl_shuffle_test");
}
