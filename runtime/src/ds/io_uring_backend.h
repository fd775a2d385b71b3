// SPDX-License-Identifier: MIT
// The io_uring backend: many requests in flight from one submission thread. Host memory only.
#pragma once

#include <cstdint>
#include <memory>

#include "ds/backend.h"

namespace ds {

struct IoUringBackendConfig {
    uint32_t queue_depth = 256;                ///< SQ entries, and the cap on operations in flight
    uint64_t chunk_size = 1u << 20;            ///< larger requests are issued as several operations
    uint32_t bounce_buffers = 32;              ///< registered, aligned buffers for O_DIRECT heads and tails
    uint64_t bounce_buffer_size = 256u << 10;  ///< bytes each (rounded up to 4096)
    /// Buffered operations at least this large run on the kernel's io-wq workers (IOSQE_ASYNC),
    /// so page-cache copies use every core instead of only the ring thread. 0: never.
    uint64_t async_min_size = 64u << 10;

    // Fault injection, for tests only: production callers leave these at zero.
    int inject_submit_error = 0;        ///< pretend the first io_uring_submit carrying requests failed with this -errno
    bool inject_direct_einval = false;  ///< treat every O_DIRECT read as refused with EINVAL (exercises the fallback)
};

/// nullptr (and *error set to a negative errno) when io_uring is unavailable: not built in
/// (-ENOSYS), or refused by the kernel or a seccomp policy.
std::shared_ptr<Backend> make_io_uring_backend(const IoUringBackendConfig &config = {}, int *error = nullptr);

}  // namespace ds
