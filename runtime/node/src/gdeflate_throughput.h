// SPDX-License-Identifier: MIT
// GDeflate codec throughput for the benchmark, measured entirely in C++.
#pragma once

#include <napi.h>

namespace dsnode {

/// gdeflateThroughput({size, level = 9, threads = [1, 0]}) ->
///   {ratio, encodeGbps, decode: [{threads, gbps}]}; GB/s of uncompressed bytes.
/// The data is half text-like (compressible), half random, in 64 KiB alternation.
Napi::Value gdeflate_throughput(const Napi::CallbackInfo &info);

/// gdeflateEncode(data: Uint8Array, level = 9) -> Buffer holding a GDeflate tile stream.
Napi::Value gdeflate_encode(const Napi::CallbackInfo &info);

/// gdeflateSampleData(size, kind = 'mixed') -> Buffer of the benchmark's half-compressible data,
/// or with 'text' its text-like data (short matches and literals, about 3.7:1).
Napi::Value gdeflate_sample_data(const Napi::CallbackInfo &info);

}  // namespace dsnode
