// SPDX-License-Identifier: MIT
// A GDeflate stream above 1 GiB, streamed: its tiles are generated, encoded and appended to a
// file batch by batch (never the whole input in memory), the header and tile table are written
// last, then one Compression::GDeflate request on the CPU backend decodes all of it and every
// tile is checked against a regenerated copy. The tiles mix incompressible, text-like, run and
// long-distance-match content, and the encoder level cycles through fastest / default / best.
// Label "large": the sanitizer builds leave it out (docs/gdeflate.md, "Tests").
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <vector>

#include "check.h"
#include "ds/cpu_backend.h"
#include "ds/gdeflate.h"
#include "ds/queue.h"
#include "gdeflate/parallel.h"
#include "gdeflate/tile_encoder.h"
#include "gdeflate/tile_stream.h"
#include "test_util.h"

using namespace ds;
namespace gd = ds::gdeflate;

namespace {

constexpr uint64_t kPlainSize = (1280ull << 20) + 4097;  // 1.25 GiB and a partial last tile
constexpr uint32_t kTiles = uint32_t((kPlainSize + gd::kTileSize - 1) / gd::kTileSize);
constexpr uint32_t kBatch = 256;  // tiles encoded per batch (16 MiB)
constexpr int kLevels[] = {gd::kLevelFastest, gd::kLevelDefault, gd::kLevelBestRatio};

uint64_t mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

size_t tile_size(uint32_t i) {
    return size_t(std::min<uint64_t>(gd::kTileSize, kPlainSize - uint64_t(i) * gd::kTileSize));
}

/// Tile `i`'s plain bytes; the content kind rotates with the tile index.
void make_tile(uint32_t i, uint8_t *out) {
    static const char *words[] = {"asset ", "mesh ", "texture ", "mip ", "lod ", "shader ", "\n", "0x1F "};
    size_t n = tile_size(i);
    uint64_t s = mix(i + 1);
    switch (i % 5) {
    case 0:  // incompressible
        for (size_t k = 0; k < n; ++k)
            out[k] = uint8_t(mix(s + k / 8) >> (8 * (k % 8)));
        break;
    case 1:  // text-like: short matches, skewed literals
        for (size_t k = 0; k < n;) {
            s = mix(s);
            for (const char *w = words[s % 8]; *w && k < n; ++w)
                out[k++] = uint8_t(*w);
        }
        break;
    case 2:  // long runs of a few values: the longest matches and overlapping copies
        for (size_t k = 0; k < n; ++k)
            out[k] = uint8_t((k / (1 + s % 4093)) * 7);
        break;
    case 3:  // a random 1 KiB block repeated with sparse changes: far distances
        for (size_t k = 0; k < n; ++k)
            out[k] = uint8_t(mix(s + (k % 1024)) >> 5);
        for (size_t k = s % 997; k < n; k += 1499)
            out[k] ^= 0x5A;
        break;
    default:  // half random, half zero
        for (size_t k = 0; k < n; ++k)
            out[k] = (k / 4096) % 2 ? 0 : uint8_t(mix(s ^ k));
        break;
    }
}

/// Encodes tiles [first, first + count) on every hardware thread into per-tile buffers.
bool encode_batch(uint32_t first, uint32_t count, int level, std::vector<std::vector<uint8_t>> &out) {
    out.assign(count, {});
    std::atomic<uint32_t> next{0};
    std::atomic<bool> failed{false};
    auto work = [&] {
        gd::TileEncoder enc;
        std::vector<uint8_t> plain(gd::kTileSize), scratch(gd::kTileSize + 1024);
        const gd::MatchParams params = gd::match_params(level);
        for (uint32_t k; (k = next.fetch_add(1)) < count;) {
            uint32_t i = first + k;
            make_tile(i, plain.data());
            size_t bytes = enc.run(plain.data(), tile_size(i), params, scratch.data(), scratch.size());
            if (bytes == 0)
                failed = true;
            out[k].assign(scratch.begin(), scratch.begin() + ptrdiff_t(bytes));
        }
    };
    gd::run_tile_workers(0, count, work);
    return !failed;
}

/// Writes the stream to `fd` batch by batch; returns its size (0 on failure).
uint64_t write_stream(int fd) {
    const uint64_t data_start = gd::kHeaderSize + 4ull * kTiles;
    std::vector<uint8_t> table(4ull * kTiles);
    std::vector<std::vector<uint8_t>> batch;
    uint64_t off = 0;  // into the tile data
    uint32_t last_size = 0;
    for (uint32_t first = 0; first < kTiles; first += kBatch) {
        uint32_t count = std::min(kBatch, kTiles - first);
        int level = kLevels[(first / kBatch) % 3];
        if (!CHECK(encode_batch(first, count, level, batch)))
            return 0;
        std::vector<uint8_t> joined;
        for (uint32_t k = 0; k < count; ++k) {
            uint32_t i = first + k;
            if (i > 0)
                gd::store_le32(table.data() + 4ull * i, uint32_t(off + joined.size()));
            last_size = uint32_t(batch[k].size());
            joined.insert(joined.end(), batch[k].begin(), batch[k].end());
        }
        if (!CHECK_EQ(pwrite(fd, joined.data(), joined.size(), off_t(data_start + off)), ssize_t(joined.size())))
            return 0;
        off += joined.size();
    }
    CHECK(off <= UINT32_MAX);  // tile offsets are 32-bit
    gd::store_le32(table.data(), last_size);
    uint8_t header[gd::kHeaderSize] = {gd::kCodecId, uint8_t(gd::kCodecId ^ 0xFF), uint8_t(kTiles),
                                       uint8_t(kTiles >> 8)};
    gd::store_le32(header + 4, 1u | uint32_t(kPlainSize % gd::kTileSize) << 2);
    if (!CHECK_EQ(pwrite(fd, header, sizeof header, 0), ssize_t(sizeof header)) ||
        !CHECK_EQ(pwrite(fd, table.data(), table.size(), off_t(gd::kHeaderSize)), ssize_t(table.size())))
        return 0;
    return data_start + off;
}

void test_large_stream_through_cpu_backend() {
    dstest::TempFile file(0, 1);
    uint64_t stream_size = write_stream(file.fd);
    if (!CHECK(stream_size > 0))
        return;
    std::printf("  %u tiles, %llu bytes -> %llu compressed (%.1f%%)\n", kTiles, (unsigned long long)kPlainSize,
                (unsigned long long)stream_size, 100.0 * double(stream_size) / double(kPlainSize));

    const uint64_t guard = 64;
    std::vector<uint8_t> dst(kPlainSize + guard, 0xEE);
    auto q = Queue::create(make_cpu_backend({2, 0}), QueueConfig{});
    Request r;
    r.compression = Compression::GDeflate;
    r.fd = file.fd;
    r.offset = 0;
    r.size = stream_size;
    r.dst = dst.data();
    r.uncompressed_size = kPlainSize;
    q->enqueue(r);
    q->submit();
    std::vector<Completion> done = dstest::drain(*q, 1, 600000);
    if (!CHECK_EQ(done.size(), size_t(1)))
        return;
    CHECK_EQ(done[0].status, Status::Ok);
    CHECK_EQ(done[0].bytes, kPlainSize);

    std::vector<uint8_t> want(gd::kTileSize);
    uint32_t bad = 0;
    for (uint32_t i = 0; i < kTiles; ++i) {
        make_tile(i, want.data());
        if (std::memcmp(dst.data() + uint64_t(i) * gd::kTileSize, want.data(), tile_size(i)) != 0 && bad++ < 5)
            std::fprintf(stderr, "  tile %u (kind %u) differs\n", i, i % 5);
    }
    CHECK_EQ(bad, 0u);
    CHECK(std::all_of(dst.end() - ptrdiff_t(guard), dst.end(), [](uint8_t b) { return b == 0xEE; }));
}

}  // namespace

int main() {
    static_assert(kPlainSize > (1ull << 30), "the issue asks for a stream above 1 GiB");
    static_assert(kTiles <= gd::kMaxTiles);
    test_large_stream_through_cpu_backend();
    return dstest::finish("gdeflate_large_test");
}
