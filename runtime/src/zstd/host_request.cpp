// SPDX-License-Identifier: MIT
#include "zstd/host_request.h"

#include <algorithm>
#include <cerrno>
#include <memory>
#include <new>

#include "cpu/app_memory.h"
#include "ds/zstd.h"

namespace ds {
namespace {

IoOutcome fail(Status s, int32_t error) {
    IoOutcome o;
    o.status = s;
    o.error = error;
    return o;
}

IoOutcome decoded(zstd::Error e, size_t produced, uint64_t expected) {
    if (e == zstd::Error::OutOfMemory)
        return fail(Status::IoError, ENOMEM);
    if (e != zstd::Error::Ok || produced != expected)
        return fail(Status::IoError, EBADMSG);
    IoOutcome o;
    o.bytes = expected;
    return o;
}

}  // namespace

IoOutcome decode_zstd_request(const Request &req, void *out) {
    if (req.op != Op::Read)
        return fail(Status::Unsupported, 0);
    size_t produced = 0;
    zstd::StreamDecoder decoder(out, req.uncompressed_size);
    if (req.source == Source::Memory) {
        zstd::Error e = decoder.feed(req.src, req.size);
        if (e == zstd::Error::Ok)
            e = decoder.finish(&produced);
        return decoded(e, produced, req.uncompressed_size);
    }
    const uint64_t slice = std::min(req.size, kZstdReadSlice);
    std::unique_ptr<uint8_t[]> buffer(new (std::nothrow) uint8_t[slice]);
    if (!buffer)
        return fail(Status::IoError, ENOMEM);
    for (uint64_t at = 0; at < req.size; at += slice) {
        uint64_t n = std::min(slice, req.size - at);
        IoOutcome r = read_fully(req.fd, buffer.get(), n, req.offset + at);
        if (r.status != Status::Ok) {
            r.bytes = 0;  // nothing counts as produced
            return r;
        }
        zstd::Error e = decoder.feed(buffer.get(), n);
        if (e != zstd::Error::Ok)
            return decoded(e, 0, req.uncompressed_size);  // stop reading: the stream is bad
    }
    zstd::Error e = decoder.finish(&produced);
    return decoded(e, produced, req.uncompressed_size);
}

IoOutcome run_zstd_read(const Request &req) {
    if (req.op != Op::Read || req.memory != Memory::Host)
        return fail(Status::Unsupported, 0);
    // The decoder writes the destination (and reads a memory source) with plain stores and loads.
    IoOutcome checked = check_app_memory(req.dst, req.uncompressed_size, true);
    if (checked.status == Status::Ok && req.source == Source::Memory)
        checked = check_app_memory(req.src, req.size, false);
    if (checked.status != Status::Ok)
        return checked;
    return decode_zstd_request(req, req.dst);
}

}  // namespace ds
