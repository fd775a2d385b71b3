// SPDX-License-Identifier: MIT
// Copies that touch the application's pointers (memory sources, memory destinations of memory
// sources, GDeflate sources in memory) without faulting: an unmapped or protected address fails
// the request with IoError/EFAULT instead of raising SIGSEGV on a runtime thread.
#pragma once

#include <cstdint>

#include "cpu/file_io.h"

namespace ds {

/// Copies size bytes from src to dst (both application memory). The kernel does the copy
/// (process_vm_readv on our own pid), so a bad address on either side returns EFAULT; bytes
/// says how much arrived. Where the system refuses the call (seccomp: EPERM/ENOSYS) this falls
/// back, once and for the whole process, to memcpy.
IoOutcome copy_app_memory(void *dst, const void *src, uint64_t size);

/// Makes sure dst can take size bytes before code that writes it directly (the GDeflate decoder)
/// runs: the kernel clears it (process_vm_writev from a zero page), so an address that cannot be
/// written gives IoError/EFAULT. The destination's content is undefined until the request
/// completes anyway. Same fallback as copy_app_memory (then nothing is checked).
IoOutcome clear_app_memory(void *dst, uint64_t size);

}  // namespace ds
