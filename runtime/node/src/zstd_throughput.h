// SPDX-License-Identifier: MIT
// Zstandard CPU decode throughput for the benchmark, measured entirely in C++.
#pragma once

#include <napi.h>

namespace dsnode {

/// zstdThroughput(data, {level = 3, chunkSize = 1 MiB, threads = [1, 0]}) ->
///   {ratio, encodeGbps, chunks, decode: [{threads, gbps}]}; GB/s of uncompressed bytes.
/// `data` is cut into chunkSize pieces, each its own frame (as a game's requests would be);
/// T threads decode the frames (each takes the next undecoded one), 0 meaning one per CPU.
/// Every round's output is compared with the input.
Napi::Value zstd_throughput(const Napi::CallbackInfo &info);

/// zstdEncode(data: Uint8Array, level = 3) -> Buffer holding one Zstandard frame.
Napi::Value zstd_encode(const Napi::CallbackInfo &info);

}  // namespace dsnode
