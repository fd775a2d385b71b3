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
    const uint8_t *packed = static_cast<const uint8_t *>(req.src);
    std::unique_ptr<uint8_t[]> copy;
    // The decoder reads the source and writes the destination with plain loads and stores: check
    // the application's ranges first (a bad pointer fails with EFAULT instead of SIGSEGV).
    IoOutcome checked = check_app_memory(req.dst, req.uncompressed_size, true);
    if (checked.status == Status::Ok && req.source == Source::Memory)
        checked = check_app_memory(req.src, req.size, false);
    if (checked.status != Status::Ok)
        return checked;
    if (req.source == Source::File) {
        copy.reset(new (std::nothrow) uint8_t[req.size]);
        if (!copy)
            return fail(Status::IoError, ENOMEM);
        IoOutcome r = read_fully(req.fd, copy.get(), req.size, req.offset);
        if (r.status != Status::Ok) {
            r.bytes = 0;  // nothing was produced
            return r;
        }
        packed = copy.get();
    }

    gdeflate::StreamInfo info;
    if (gdeflate::read_info(packed, req.size, &info) != gdeflate::Error::Ok ||
        info.uncompressed_size != req.uncompressed_size)
        return fail(Status::IoError, EBADMSG);
    unsigned use = std::clamp<unsigned>(info.tiles / kTilesPerExtraThread, 1, threads ? threads : 1);
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
