// SPDX-License-Identifier: MIT
// Host-side ceilings the benchmark compares the runtime against.
#pragma once

#include <napi.h>

namespace dsnode {

/// memcpyCeilingGbps(size, {minSeconds = 0.2}) -> best single-thread memcpy GB/s over `size` bytes.
Napi::Value memcpy_ceiling_gbps(const Napi::CallbackInfo &info);

}  // namespace dsnode
