// SPDX-License-Identifier: MIT
// Whole-range pread/pwrite for the Vulkan backend's worker threads: retries EINTR and
// partial transfers, stops at end of file.
#pragma once

#include <cstdint>

namespace ds::vk {

struct IoResult {
    uint64_t bytes = 0;  ///< bytes moved before EOF or the error
    int error = 0;       ///< errno of the failure, 0 when none
};

/// Reads until `size` bytes, end of file (bytes < size, error 0) or an error.
IoResult read_fully(int fd, uint64_t offset, void *dst, uint64_t size);
/// Writes all `size` bytes or reports the error (ENOSPC, EIO, ...).
IoResult write_fully(int fd, uint64_t offset, const void *src, uint64_t size);

}  // namespace ds::vk
