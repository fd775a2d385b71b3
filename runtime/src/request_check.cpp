// SPDX-License-Identifier: MIT
#include "request_check.h"

#include <cstdint>

#include "ds/gacl.h"
#include "ds/gdeflate.h"

namespace ds {
namespace {

constexpr uint64_t kMaxFileOffset = static_cast<uint64_t>(INT64_MAX);  // the last byte any file can have

bool reject(Completion *v, Status status, Field field) {
    v->status = status;
    v->field = field;
    v->bytes = 0;
    return false;
}

}  // namespace

bool check_request(const Request &req, const BackendCaps &caps, Completion *v) {
    if (req.op != Op::Read && req.op != Op::Write)
        return reject(v, Status::InvalidRequest, Field::Op);
    if (req.source != Source::File && req.source != Source::Memory)
        return reject(v, Status::InvalidRequest, Field::Source);
    if (req.memory != Memory::Host && req.memory != Memory::Gpu)
        return reject(v, Status::InvalidRequest, Field::Destination);
    if (req.size == 0)
        return reject(v, Status::InvalidRequest, Field::Size);

    bool reads_file = req.op == Op::Read && req.source == Source::File;
    if ((reads_file || req.op == Op::Write) && req.fd < 0)
        return reject(v, Status::InvalidRequest, Field::Fd);
    // No file reaches offset 2^63 (off_t is signed): a read whose bytes lie at or past it ends past
    // the end of the file, whatever the file. pread would refuse the offset with EINVAL instead.
    if (reads_file && (req.offset > kMaxFileOffset || req.size > kMaxFileOffset - req.offset + 1))
        return reject(v, Status::EndOfFile, Field::None);
    if (req.op == Op::Write && req.source != Source::File)
        return reject(v, Status::InvalidRequest, Field::Source);  // writes go to a file
    if (req.op == Op::Read && req.source == Source::Memory && !req.src)
        return reject(v, Status::InvalidRequest, Field::Source);

    if (req.memory == Memory::Host) {
        if (req.op == Op::Read && !req.dst)
            return reject(v, Status::InvalidRequest, Field::Destination);
        if (req.op == Op::Write && !req.src)
            return reject(v, Status::InvalidRequest, Field::Source);
    } else {
        if (!caps.gpu)
            return reject(v, Status::InvalidRequest, Field::Destination);
        if (req.gpu_buffer == 0)
            return reject(v, Status::InvalidRequest, Field::GpuBuffer);
        // What lands in the buffer: the decoded bytes for a compressed read.
        uint64_t landing = req.compression == Compression::None ? req.size : req.uncompressed_size;
        if (req.gpu_offset > req.gpu_buffer_size || landing > req.gpu_buffer_size - req.gpu_offset)
            return reject(v, Status::InvalidRequest, Field::GpuRange);
    }

    switch (req.compression) {
    case Compression::None: break;
    case Compression::GDeflate:
        // A compressed request is a read that produces uncompressed_size bytes (1 .. the most a
        // GDeflate stream can hold); only then does it matter whether the backend can decode.
        if (req.op != Op::Read || req.uncompressed_size == 0 || req.uncompressed_size > gdeflate::kMaxUncompressed)
            return reject(v, Status::InvalidRequest, Field::Compression);
        if (!caps.gdeflate)
            return reject(v, Status::Unsupported, Field::Compression);
        break;
    case Compression::Zstd:
        // The same rules; a Zstandard stream has no size limit of its own.
        if (req.op != Op::Read || req.uncompressed_size == 0)
            return reject(v, Status::InvalidRequest, Field::Compression);
        if (!caps.zstd)
            return reject(v, Status::Unsupported, Field::Compression);
        break;
    default: return reject(v, Status::InvalidRequest, Field::Compression);
    }

    // A GACL shuffle is undone over the bytes a read produces, a whole number of BCn blocks.
    if (req.transform != Transform::None) {
        if (static_cast<uint8_t>(req.transform) > gacl::kLastTransform || req.op != Op::Read)
            return reject(v, Status::InvalidRequest, Field::Transform);
        uint64_t produced = req.compression == Compression::None ? req.size : req.uncompressed_size;
        if (produced % gacl::block_size(static_cast<gacl::Transform>(req.transform)) != 0)
            return reject(v, Status::InvalidRequest, Field::Transform);
        if (!caps.gacl)
            return reject(v, Status::Unsupported, Field::Transform);
    }
    return true;
}

}  // namespace ds
