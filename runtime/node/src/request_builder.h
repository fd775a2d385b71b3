// SPDX-License-Identifier: MIT
// Turns the options of queue.read()/queue.write() into a ds::Request, checking host ranges
// against the JS memory they point into (the runtime cannot see a JS buffer's length).
#pragma once

#include <napi.h>

#include <vector>

#include "ds/request.h"

namespace dsnode {

struct BuiltRequest {
    ds::Request req;
    /// The JS buffers the request points into; held until the request completes.
    std::vector<Napi::Reference<Napi::Value>> keep_alive;
};

/// read({fd, offset, size, source: 'file'|'memory', src, dst | gpu: {buffer, offset, bufferSize},
///       cancelTag, compression: 'none'|'gdeflate'|'zstd', uncompressedSize})
/// write({fd, offset, size, src | gpu: {buffer, offset, bufferSize}, cancelTag})
/// Throws TypeError/RangeError for what JS can get wrong about its own memory; everything the
/// runtime can judge (bad fd, size 0, GPU range) is left to it and comes back as a status.
BuiltRequest build_request(ds::Op op, const Napi::Value &options);

}  // namespace dsnode
