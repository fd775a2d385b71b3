/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The checks of a request only the PE side can make, at enqueue: application memory against the
 * process's memory map (app_memory.c), GPU destinations against their resource (destination.c).
 * The result travels to the Unix side as unix_request.pe_check, where mapping.json's rows turn a
 * failure into a placeholder that fails with it (slot and ordering kept, error record filled).
 * Nothing sizes, stages or copies a destination that failed here.
 */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

HRESULT enqueue_check(ID3D12Device *device, struct queue_entry *entry)
{
    const char *problem = NULL;

    entry->pe_check = app_memory_check(&entry->request, &problem);
    if (SUCCEEDED(entry->pe_check) && device && queue_gpu_destination(&entry->request))
        entry->pe_check = destination_check(device, &entry->request, &problem);
    if (FAILED(entry->pe_check))
        WARN("request %s: %s, hr %#lx.\n", debugstr_a(entry->name), problem, entry->pe_check);
    return entry->pe_check;
}
