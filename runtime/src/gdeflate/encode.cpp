// SPDX-License-Identifier: MIT
// Stream encoding: tiles are compressed in parallel into per-tile buffers, then the header, the
// tile table and the tiles are laid out back to back.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "ds/gdeflate.h"
#include "gdeflate/format.h"
#include "gdeflate/parallel.h"
#include "gdeflate/tile_encoder.h"
#include "gdeflate/tile_stream.h"

namespace ds::gdeflate {
namespace {

constexpr size_t kTileBound = kTileSize + 4 + 832 + 32;  // per-tile share of compress_bound

struct EncodeJob {
    const uint8_t *src;
    size_t size;
    uint32_t tiles;
    MatchParams params;
    std::vector<std::vector<uint8_t>> out;
    std::atomic<uint32_t> next{0};
    std::atomic<bool> failed{false};

    void work() {
        try {
            TileEncoder enc;
            std::vector<uint8_t> scratch(kTileBound);
            for (;;) {
                uint32_t i = next.fetch_add(1, std::memory_order_relaxed);
                if (i >= tiles || failed.load(std::memory_order_relaxed))
                    return;
                size_t at = size_t(i) * kTileSize;
                size_t n = std::min(kTileSize, size - at);
                size_t bytes = enc.run(src + at, n, params, scratch.data(), scratch.size());
                if (bytes == 0) {
                    failed = true;
                    return;
                }
                out[i].assign(scratch.begin(), scratch.begin() + ptrdiff_t(bytes));
            }
        } catch (...) {
            failed = true;
        }
    }
};

}  // namespace

size_t compress_bound(size_t size) {
    size_t tiles = std::max<size_t>(1, std::min<size_t>(kMaxTiles, (size + kTileSize - 1) / kTileSize));
    return tiles * kTileBound + kHeaderSize + 8;
}

Error encode(const void *src, size_t size, void *dst, size_t dst_cap, int level, unsigned threads, size_t *written) {
    if ((!src && size) || (!dst && dst_cap) || !written || level < kLevelFastest || level > kLevelBestRatio ||
        size > kMaxUncompressed)
        return Error::InvalidArgument;
    uint32_t tiles = uint32_t((size + kTileSize - 1) / kTileSize);
    size_t last = size % kTileSize;

    EncodeJob job{static_cast<const uint8_t *>(src), size, tiles, match_params(level), {}, {}, {}};
    try {
        job.out.resize(tiles);
    } catch (...) {
        return Error::OutOfMemory;
    }
    run_tile_workers(threads, tiles, [&job] { job.work(); });
    if (job.failed)
        return Error::OutOfMemory;  // a tile never exceeds kTileBound, so only allocation can fail

    size_t total = kHeaderSize + size_t(tiles) * 4;
    for (const auto &t : job.out)
        total += t.size();
    if (total > dst_cap)
        return Error::OutputOverrun;
    if (total - kHeaderSize - size_t(tiles) * 4 > UINT32_MAX)
        return Error::InvalidArgument;  // tile offsets are 32-bit

    uint8_t *d = static_cast<uint8_t *>(dst);
    d[0] = kCodecId;
    d[1] = kCodecId ^ 0xFF;
    d[2] = uint8_t(tiles);
    d[3] = uint8_t(tiles >> 8);
    store_le32(d + 4, fmt::kTileSizeIdx64K | uint32_t(last) << 2);
    uint8_t *table = d + kHeaderSize;
    uint8_t *data = table + size_t(tiles) * 4;
    size_t off = 0;
    for (uint32_t i = 0; i < tiles; ++i) {
        store_le32(table + 4 * i, i == 0 ? uint32_t(job.out[tiles - 1].size()) : uint32_t(off));
        std::memcpy(data + off, job.out[i].data(), job.out[i].size());
        off += job.out[i].size();
    }
    *written = total;
    return Error::Ok;
}

}  // namespace ds::gdeflate
