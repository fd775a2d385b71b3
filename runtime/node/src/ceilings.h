// SPDX-License-Identifier: MIT
// Host-side ceilings the benchmark compares the runtime against.
#pragma once

#include <napi.h>

namespace dsnode {

/// memcpyCeilingGbps(size, {minSeconds = 0.2}) -> best single-thread memcpy GB/s over `size` bytes.
Napi::Value memcpy_ceiling_gbps(const Napi::CallbackInfo &info);

/// preadCeiling(fd, {size, span, count, threads, slots}) -> {gbps, requestsPerSecond, cpuSecondsPerGB, threads}:
/// `count` plain pread()s of `size` bytes at offsets i * size (wrapping at `span`), on `threads`
/// threads (0: one per CPU) that take the next index from one atomic counter, into a ring of
/// `slots` destinations (default 1024, as runReads uses). What a thread pool does at the least
/// per request: the ceiling for the CPU backend's host rows.
Napi::Value pread_ceiling(const Napi::CallbackInfo &info);

}  // namespace dsnode
