// SPDX-License-Identifier: MIT
// Checks of the application's pointers (memory sources, memory destinations of memory sources,
// GDeflate from or into memory) before the runtime copies with memcpy or decodes into them: a
// range the process cannot reach fails the request with IoError/EFAULT instead of raising
// SIGSEGV on a runtime worker thread.
#pragma once

#include <cstdint>

#include "cpu/file_io.h"

namespace ds {

/// Checks [p, p + size) before the caller reads it (write: writes it) with plain loads and stores.
/// mincore() over the whole range finds any page that is not mapped at all (ENOMEM), and a one-byte
/// process_vm_readv (write: process_vm_writev of a zero byte, the caller overwrites it anyway) at
/// its first and last page finds a range whose mapping forbids the access (PROT_NONE, read-only);
/// a failed probe is confirmed in /proc/self/maps, because the kernel's probe refuses device
/// memory (VM_IO/VM_PFNMAP mappings of GPU heaps) that plain loads and stores reach fine.
/// Cost: a page-table walk and two or three syscalls, under 1% of a 4 MiB memcpy.
/// Not covered: a protected page strictly inside an otherwise accessible range (the Wine module
/// checks every region with VirtualQuery at enqueue), and memory unmapped after the check.
/// Where seccomp refuses process_vm_* (EPERM/ENOSYS), only the mincore part applies.
IoOutcome check_app_memory(const void *p, uint64_t size, bool write);

/// memcpy of application memory, after check_app_memory on both sides.
IoOutcome copy_app_memory(void *dst, const void *src, uint64_t size);

}  // namespace ds
