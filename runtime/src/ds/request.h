// SPDX-License-Identifier: MIT
// ds::Request and ds::Completion: what a caller asks the runtime to move, and what it gets back.
#pragma once

#include <cstdint>

namespace ds {

/// Direction of a request, relative to the file (or memory) side.
enum class Op : uint8_t {
    Read = 0,   ///< file range or memory range -> host memory or GPU buffer
    Write = 1,  ///< host memory or GPU buffer -> file range
};

/// Where a read takes its bytes from.
enum class Source : uint8_t {
    File = 0,    ///< fd + offset
    Memory = 1,  ///< src pointer
};

/// The non-file side of a request: a read's destination, a write's source.
enum class Memory : uint8_t {
    Host = 0,  ///< dst (reads) / src (writes)
    Gpu = 1,   ///< gpu_buffer + gpu_offset, an opaque VkBuffer handle
};

enum class Compression : uint8_t {
    None = 0,
    GDeflate = 1,  ///< decoded by backends with caps().gdeflate (CPU); others complete it as Unsupported
    Zstd = 2,      ///< Zstandard frames, decoded by backends with caps().zstd; others: Unsupported
};

/// A shuffle undone after the bytes land (DirectStorage 1.4 GACL; src/ds/gacl.h).
enum class Transform : uint8_t {
    None = 0,
    GaclBc1 = 1,
    GaclBc3 = 2,
    GaclBc4 = 3,
    GaclBc5 = 4,  ///< the last one; backends with caps().gacl undo them, others: Unsupported
};

/// One transfer. Plain data: the queue copies it at enqueue time.
struct Request {
    Op op = Op::Read;
    Source source = Source::File;  ///< reads only
    Memory memory = Memory::Host;  ///< read destination / write source
    Compression compression = Compression::None;

    int fd = -1;                     ///< file side (Source::File reads, all writes)
    uint64_t offset = 0;             ///< byte offset in the file
    uint64_t size = 0;               ///< bytes to move (compressed size when compressed)
    uint64_t uncompressed_size = 0;  ///< compressed requests: bytes produced

    const void *src = nullptr;  ///< Source::Memory reads, Memory::Host writes
    void *dst = nullptr;        ///< Memory::Host reads

    uint64_t gpu_buffer = 0;       ///< VkBuffer handle (Memory::Gpu)
    uint64_t gpu_offset = 0;       ///< byte offset in gpu_buffer
    uint64_t gpu_buffer_size = 0;  ///< whole size of gpu_buffer, so the range can be checked

    uint64_t cancel_tag = 0;  ///< matched by Queue::cancel(mask, value)
    uint64_t user_data = 0;   ///< returned untouched in the completion

    Transform transform = Transform::None;  ///< reads: undone over the bytes produced, in place
};

enum class Status : uint8_t {
    Ok = 0,
    IoError = 1,    ///< errno in Completion::error
    EndOfFile = 2,  ///< short read: bytes says how many arrived
    Cancelled = 3,
    InvalidRequest = 4,  ///< Completion::field names the culprit
    Unsupported = 5,     ///< valid, but this backend or build cannot do it
    DeviceError = 6,     ///< the GPU failed (lost device, failed submit); VkResult in error
};

/// The request field an InvalidRequest completion blames.
enum class Field : uint8_t {
    None = 0,
    Op,
    Fd,
    Size,
    Source,
    Destination,
    GpuBuffer,
    GpuRange,
    Compression,
    Transform,
};

/// What an entry in the completion stream is.
enum class EntryKind : uint8_t {
    Request = 0,  ///< a request finished
    Signal = 1,   ///< every entry enqueued before this signal has completed
    Status = 2,   ///< checkpoint: the first failure since the previous checkpoint (or Ok)
};

struct Completion {
    EntryKind kind = EntryKind::Request;
    Status status = Status::Ok;
    Field field = Field::None;
    int32_t error = 0;              ///< errno for IoError, VkResult for DeviceError
    uint64_t bytes = 0;             ///< bytes transferred (produced, for compressed requests)
    uint64_t user_data = 0;         ///< the request's, signal's or checkpoint's user_data
    uint64_t failed_user_data = 0;  ///< checkpoints: user_data of the first failed request
};

const char *status_name(Status s);
const char *field_name(Field f);

}  // namespace ds
