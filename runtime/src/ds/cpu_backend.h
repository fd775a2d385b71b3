// SPDX-License-Identifier: MIT
// The CPU backend: a thread pool of pread/pwrite/memcpy. Host memory only.
#pragma once

#include <cstdint>
#include <memory>

#include "ds/backend.h"

namespace ds {

/// Upper bound on CPU workers: more threads than this only add contention (and a caller asking for
/// 100,000 would exhaust the process's thread limit); larger counts are clamped to it.
constexpr uint32_t kMaxCpuWorkers = 256;

struct CpuBackendConfig {
    uint32_t worker_count = 0;       ///< 0: one per online CPU (at most 64); clamped to kMaxCpuWorkers
    uint64_t chunk_size = 4u << 20;  ///< larger requests are split across workers
};

std::shared_ptr<Backend> make_cpu_backend(const CpuBackendConfig &config = {});

}  // namespace ds
