// SPDX-License-Identifier: MIT
// Runs a Compression::Zstd read: fetch the compressed bytes (req.size from the file, read in
// slices, or straight from req.src) and decode them into a host buffer of req.uncompressed_size
// bytes: the request's own destination (CPU backend) or staging (Vulkan backend, GPU
// destinations).
#pragma once

#include "cpu/file_io.h"
#include "ds/request.h"

namespace ds {

/// File sources are read kZstdReadSlice bytes at a time: memory stays bounded by that slice plus
/// the decoder's context, whatever the request's size.
inline constexpr uint64_t kZstdReadSlice = 512 * 1024;

/// Decodes req's stream into out, which holds req.uncompressed_size bytes. Status mapping (as for
/// GDeflate, docs/runtime.md): read errors pass through (IoError + errno, EndOfFile with
/// bytes = 0); corrupt data, or a stream that decodes to more or fewer bytes than
/// uncompressed_size, is IoError with EBADMSG; no memory is IoError with ENOMEM. Nothing is
/// written past out + uncompressed_size. On success bytes = uncompressed_size.
IoOutcome decode_zstd_request(const Request &req, void *out);

/// A read into host memory: checks the application's ranges (EFAULT instead of a fault), then
/// decode_zstd_request into req.dst.
IoOutcome run_zstd_read(const Request &req);

}  // namespace ds
