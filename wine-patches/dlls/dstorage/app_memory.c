/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * MEMORY sources and destinations checked at enqueue against the process's memory map (except
 * the destination of a plain file read, which the kernel checks: see kernel_checked_destination).
 * The runtime copies and decodes with plain loads and stores on its own threads, where a fault
 * would kill the process; a range that Wine knows to be unusable fails the request with
 * E_DSTORAGE_ACCESS_VIOLATION instead (error record included): reserved but not committed,
 * PAGE_NOACCESS or a guard page, or (for a destination) not writable. VirtualQuery walks the range
 * region by region, so a buffer in one allocation costs one call whatever its size.
 *
 * What VirtualQuery reports as MEM_FREE is not refused here: memory mapped by Unix code outside
 * Wine's views looks like that too, and it includes what ID3D12Resource::Map returns for upload
 * and readback heaps (checked with Wine 8.0 + vkd3d + lavapipe), which applications legitimately
 * use as sources and destinations. ds-runtime checks those ranges itself before it touches them
 * (mincore and probes at both ends, docs/runtime.md) and fails a request whose memory is really
 * gone (released, never mapped) with EFAULT, which completes it with the same HRESULT.
 */
#include "dstorage_private.h"

static BOOL protect_allows(DWORD protect, BOOL write)
{
    static const DWORD readable = PAGE_READONLY | PAGE_READWRITE | PAGE_WRITECOPY |
                                  PAGE_EXECUTE_READ | PAGE_EXECUTE_READWRITE |
                                  PAGE_EXECUTE_WRITECOPY;
    static const DWORD writable =
        PAGE_READWRITE | PAGE_WRITECOPY | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY;

    if (protect & (PAGE_GUARD | PAGE_NOACCESS)) return FALSE;
    return !!(protect & (write ? writable : readable));
}

static BOOL range_accessible(const void *ptr, UINT64 size, BOOL write)
{
    ULONG_PTR at = (ULONG_PTR)ptr, end = at + size;
    MEMORY_BASIC_INFORMATION info;

    if (!size) return TRUE;
    if (end < at) return FALSE;
    while (at < end)
    {
        if (!VirtualQuery((void *)at, &info, sizeof(info))) return FALSE;
        if (info.State == MEM_RESERVE) return FALSE;
        if (info.State == MEM_COMMIT && !protect_allows(info.Protect, write)) return FALSE;
        at = (ULONG_PTR)info.BaseAddress + info.RegionSize;
    }
    return TRUE;
}

/* A plain read from a file into memory: the runtime's pread writes the destination through the
 * kernel, which fails the read with EFAULT on any page the process may not write (never mapped,
 * reserved, PAGE_NOACCESS, guard, read-only) instead of faulting, and the request then completes
 * with E_DSTORAGE_ACCESS_VIOLATION all the same. VirtualQuery costs several microseconds a call
 * in Wine (it walks the region's pages to size it), as much as the 64 KiB read itself, so these
 * destinations are left to the kernel. Decoded and unshuffled requests store with plain
 * instructions on the runtime's threads and keep the check. */
static BOOL kernel_checked_destination(const DSTORAGE_REQUEST *request)
{
    return request->Options.SourceType == DSTORAGE_REQUEST_SOURCE_FILE &&
           request->Options.CompressionFormat == DSTORAGE_COMPRESSION_FORMAT_NONE &&
           request->Options.GaclTransformType == DSTORAGE_GACL_SHUFFLE_TRANSFORM_NONE;
}

HRESULT app_memory_check(const DSTORAGE_REQUEST *request, const char **problem)
{
    if (request->Options.SourceType == DSTORAGE_REQUEST_SOURCE_MEMORY &&
        request->Source.Memory.Source &&
        !range_accessible(request->Source.Memory.Source, request->Source.Memory.Size, FALSE))
    {
        *problem =
            "MEMORY source not readable (reserved, not committed; PAGE_NOACCESS or a guard page)";
        return E_DSTORAGE_ACCESS_VIOLATION;
    }
    if (request->Options.DestinationType == DSTORAGE_REQUEST_DESTINATION_MEMORY &&
        request->Destination.Memory.Buffer && !kernel_checked_destination(request) &&
        !range_accessible(request->Destination.Memory.Buffer, request->Destination.Memory.Size,
                          TRUE))
    {
        *problem = "MEMORY destination not writable (reserved, not committed; read-only, "
                   "PAGE_NOACCESS or a guard page)";
        return E_DSTORAGE_ACCESS_VIOLATION;
    }
    return S_OK;
}
