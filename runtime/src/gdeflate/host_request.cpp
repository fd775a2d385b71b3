// SPDX-License-Identifier: MIT
#include "gdeflate/host_request.h"

#include <algorithm>
#include <cerrno>
#include <memory>
#include <new>

#include "cpu/app_memory.h"
#include "ds/gdeflate.h"

namespace ds {
namespace {

// Below this many tiles, starting helper threads costs more than it saves.
constexpr uint32_t kTilesPerExtraThread = 8;

IoOutcome fail(Status s, int32_t error) {
    IoOutcome o;
    o.status = s;
    o.error = error;
    return o;
}

}  // namespace

IoOutcome run_gdeflate_read(const Request &req, unsigned threads) {
    if (req.op != Op::Read || req.memory != Memory::Host)
        return fail(Status::Unsupported, 0);
    // The compressed bytes are read (file) or copied (memory, through the kernel so that a bad
    // application pointer fails with EFAULT) into our own buffer: the decoder reads only that.
    std::unique_ptr<uint8_t[]> copy(new (std::nothrow) uint8_t[req.size]);
    if (!copy)
        return fail(Status::IoError, ENOMEM);
    IoOutcome r = req.source == Source::File ? read_fully(req.fd, copy.get(), req.size, req.offset)
                                             : copy_app_memory(copy.get(), req.src, req.size);
    if (r.status != Status::Ok) {
        r.bytes = 0;  // nothing was produced
        return r;
    }
    const uint8_t *packed = copy.get();

    gdeflate::StreamInfo info;
    if (gdeflate::read_info(packed, req.size, &info) != gdeflate::Error::Ok ||
        info.uncompressed_size != req.uncompressed_size)
        return fail(Status::IoError, EBADMSG);
    unsigned use = std::clamp<unsigned>(info.tiles / kTilesPerExtraThread, 1, threads ? threads : 1);
    // The decoder writes req.dst directly: make sure it can be written first.
    if ((r = clear_app_memory(req.dst, req.uncompressed_size)).status != Status::Ok)
        return r;
    gdeflate::Error e = gdeflate::decode(packed, req.size, req.dst, req.uncompressed_size, use);
    if (e == gdeflate::Error::OutOfMemory)
        return fail(Status::IoError, ENOMEM);
    if (e != gdeflate::Error::Ok)
        return fail(Status::IoError, EBADMSG);
    IoOutcome o;
    o.bytes = req.uncompressed_size;
    return o;
}

}  // namespace ds
