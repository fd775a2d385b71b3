// SPDX-License-Identifier: MIT
// libFuzzer target for the Zstandard request path (src/zstd/host_request.cpp over libzstd).
// Input: byte 0-1 = the request's uncompressed size - 1 (1 .. 64 KiB), byte 2 = how the stream is
// delivered, then the stream. Each input runs as
//   1. a memory-source request and a file-source request (a memfd), into a destination of exactly
//      the uncompressed size (ASan catches any byte written past it); both must agree, and a
//      success must match ds::zstd::decompress of the same bytes;
//   2. the incremental decoder fed in pieces of the size byte 2 picks, which must agree with 1;
//   3. data to compress: compress (level from byte 2), decompress, compare. A mismatch aborts.
// Any crash, sanitizer report, hang or abort is a bug. Build and run: runtime/fuzz/run.sh zstd_request <seconds>.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "ds/zstd.h"
#include "zstd/host_request.h"

namespace zs = ds::zstd;

namespace {

int stream_file() {
    static int fd = memfd_create("zstd_request_fuzz", 0);
    if (fd < 0)
        std::abort();
    return fd;
}

ds::Request request(const uint8_t *stream, size_t size, uint64_t uncompressed, bool from_file) {
    ds::Request r;
    r.compression = ds::Compression::Zstd;
    r.size = size;
    r.uncompressed_size = uncompressed;
    if (from_file) {
        r.source = ds::Source::File;
        r.fd = stream_file();
        r.offset = 3;  // the stream is not at the start of the file
    } else {
        r.source = ds::Source::Memory;
        r.src = stream;
    }
    return r;
}

void as_request(const uint8_t *data, size_t size) {
    const uint64_t uncompressed = (uint64_t(data[0]) | uint64_t(data[1]) << 8) + 1;
    const uint8_t *stream = data + 3;
    const size_t stream_size = size - 3;
    // Exactly sized heap buffers: a write past the destination is an ASan report.
    std::unique_ptr<uint8_t[]> from_memory(new uint8_t[uncompressed]), from_file(new uint8_t[uncompressed]);
    ds::IoOutcome m = ds::decode_zstd_request(request(stream, stream_size, uncompressed, false), from_memory.get());

    int fd = stream_file();
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != ssize_t(size))
        std::abort();
    ds::IoOutcome f = ds::decode_zstd_request(request(stream, stream_size, uncompressed, true), from_file.get());
    if (m.status != f.status || m.error != f.error || m.bytes != f.bytes)
        std::abort();
    if (m.status == ds::Status::Ok) {
        if (m.bytes != uncompressed || std::memcmp(from_memory.get(), from_file.get(), uncompressed) != 0)
            std::abort();
        std::unique_ptr<uint8_t[]> whole(new uint8_t[uncompressed]);
        size_t produced = 0;
        if (zs::decompress(stream, stream_size, whole.get(), uncompressed, &produced) != zs::Error::Ok ||
            produced != uncompressed || std::memcmp(whole.get(), from_memory.get(), uncompressed) != 0)
            std::abort();
    } else if (m.status != ds::Status::IoError || m.bytes != 0) {
        std::abort();  // bad data is IoError (EBADMSG), with nothing produced
    }

    // The same stream in pieces: same verdict, same bytes.
    size_t piece = 1 + data[2] % 64;
    std::unique_ptr<uint8_t[]> pieces(new uint8_t[uncompressed]);
    zs::StreamDecoder d(pieces.get(), uncompressed);
    zs::Error e = zs::Error::Ok;
    for (size_t at = 0; at < stream_size && e == zs::Error::Ok; at += piece)
        e = d.feed(stream + at, std::min(piece, stream_size - at));
    size_t produced = 0;
    if (e == zs::Error::Ok)
        e = d.finish(&produced);
    bool pieces_ok = e == zs::Error::Ok && produced == uncompressed;
    if (pieces_ok != (m.status == ds::Status::Ok))
        std::abort();
    if (pieces_ok && std::memcmp(pieces.get(), from_memory.get(), uncompressed) != 0)
        std::abort();
}

void round_trip(const uint8_t *data, size_t size) {
    int level = 1 + data[2] % 6;  // the higher levels are slow and add no decoder coverage
    std::vector<uint8_t> packed(zs::compress_bound(size));
    size_t written = 0;
    if (zs::compress(data, size, level, packed.data(), packed.size(), &written, 1) != zs::Error::Ok)
        std::abort();
    std::vector<uint8_t> out(size ? size : 1);
    size_t produced = 0;
    if (zs::decompress(packed.data(), written, out.data(), size, &produced) != zs::Error::Ok || produced != size ||
        std::memcmp(out.data(), data, size) != 0)
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 4)
        return 0;
    as_request(data, size);
    round_trip(data, size);
    return 0;
}
