// SPDX-License-Identifier: MIT
// Stream decoding: tiles are independent, so workers take tile indices from one atomic counter.
#include <algorithm>
#include <atomic>
#include <memory>
#include <new>
#include <thread>
#include <vector>

#include "ds/gdeflate.h"
#include "gdeflate/parallel.h"
#include "gdeflate/tile_decoder.h"
#include "gdeflate/tile_stream.h"

namespace ds::gdeflate {
namespace {

struct Job {
    const ParsedStream &stream;
    uint8_t *dst;
    std::atomic<uint32_t> next{0};
    std::atomic<uint8_t> error{uint8_t(Error::Ok)};

    explicit Job(const ParsedStream &s, uint8_t *d) : stream(s), dst(d) {}

    void fail(Error e) {
        uint8_t ok = uint8_t(Error::Ok);
        error.compare_exchange_strong(ok, uint8_t(e));  // the first failure wins
    }

    void work() {
        std::unique_ptr<TileDecoder> dec(new (std::nothrow) TileDecoder);
        if (!dec) {
            fail(Error::OutOfMemory);
            return;
        }
        for (;;) {
            if (error.load(std::memory_order_relaxed) != uint8_t(Error::Ok))
                return;
            uint32_t i = next.fetch_add(1, std::memory_order_relaxed);
            if (i >= stream.info.tiles)
                return;
            TileRange r = tile_range(stream, i);
            Error e =
                dec->run(stream.data + r.offset, r.size, dst + size_t(i) * kTileSize, tile_output_size(stream.info, i));
            if (e != Error::Ok) {
                fail(e);
                return;
            }
        }
    }
};

}  // namespace

Error read_info(const void *src, size_t src_size, StreamInfo *info) {
    ParsedStream s;
    Error e = parse_stream(static_cast<const uint8_t *>(src), src_size, &s);
    if (e == Error::Ok && info)
        *info = s.info;
    return e;
}

Error decode_tile(const void *src, size_t src_size, void *dst, size_t dst_size) {
    if ((!src && src_size) || (!dst && dst_size) || dst_size > kTileSize)
        return Error::InvalidArgument;
    std::unique_ptr<TileDecoder> dec(new (std::nothrow) TileDecoder);
    if (!dec)
        return Error::OutOfMemory;
    return dec->run(static_cast<const uint8_t *>(src), src_size, static_cast<uint8_t *>(dst), dst_size);
}

Error decode(const void *src, size_t src_size, void *dst, size_t dst_size, unsigned threads, uint64_t *produced) {
    if (!dst && dst_size)
        return Error::InvalidArgument;
    ParsedStream s;
    Error e = parse_stream(static_cast<const uint8_t *>(src), src_size, &s);
    if (e != Error::Ok)
        return e;
    if (dst_size != s.info.uncompressed_size)
        return dst_size < s.info.uncompressed_size ? Error::OutputOverrun : Error::SizeMismatch;

    Job job(s, static_cast<uint8_t *>(dst));
    run_tile_workers(threads, s.info.tiles, [&job] { job.work(); });
    e = Error(job.error.load());
    if (e == Error::Ok && produced)
        *produced = s.info.uncompressed_size;
    return e;
}

const char *error_name(Error e) {
    switch (e) {
    case Error::Ok: return "ok";
    case Error::InvalidArgument: return "invalid argument";
    case Error::Truncated: return "stream truncated";
    case Error::BadHeader: return "bad stream header (id, magic or tile size)";
    case Error::BadTileTable: return "tile table points outside the tile data";
    case Error::BadBlockType: return "reserved block type";
    case Error::BadHuffmanCode: return "invalid Huffman code lengths";
    case Error::BadDistance: return "match distance before the start of the tile";
    case Error::OutputOverrun: return "output larger than the destination";
    case Error::SizeMismatch: return "output size differs from the expected size";
    case Error::OutOfMemory: return "out of memory";
    }
    return "unknown gdeflate error";
}

}  // namespace ds::gdeflate
