// SPDX-License-Identifier: MIT
// Runs a Compression::GDeflate read into host memory: fetch the compressed bytes (req.size from
// the file, or straight from req.src), decode them into req.dst (req.uncompressed_size bytes).
#pragma once

#include "cpu/file_io.h"
#include "ds/request.h"

namespace ds {

/// Status mapping (docs/gdeflate.md): read errors pass through (IoError + errno, EndOfFile with
/// bytes = 0); corrupt data, or a stream whose size differs from uncompressed_size, is IoError
/// with error = EBADMSG; no memory for the compressed copy is IoError with ENOMEM. On success
/// bytes = uncompressed_size. `threads` decoder threads are used for streams of many tiles.
IoOutcome run_gdeflate_read(const Request &req, unsigned threads);

}  // namespace ds
