/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The staging buffer of a queue with a device: one buffer of DSTORAGE_STAGING_BUFFER_SIZE bytes,
 * mapped for the whole life of the queue. The runtime reads (and decodes GDeflate) into it, the
 * application decompresses custom formats into it, and queue_gpu.c copies from it to the
 * destinations.
 *
 * Where the memory lives matters more than anything else on this path. An UPLOAD heap may be
 * write-combined device memory (vkd3d-proton puts upload heaps in host-visible VRAM when the GPU
 * has resizable BAR): every CPU read of it crosses the bus uncached, and a decoder that reads back
 * its own output (GDeflate copies matches from what it wrote) crawls. So the buffer is a CUSTOM
 * heap with write-back CPU pages in system memory (L0), which D3D12 defines as cached host memory
 * the GPU reads over the bus; an UPLOAD heap is the fallback where a device refuses that. Its pages
 * are touched once here, so that first-use page faults are not paid inside the application's loads.
 *
 * Regions are handed out as a ring in the order requests leave for the runtime and freed in any
 * order (when the GPU copy that read them has completed); a region freed at the ring's tail lets
 * the tail move past every freed region behind it. This file calls nobody: whoever waits for space
 * sets queue_state.staging_wait and is woken through queue_state.worker_wake.
 */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

#define STAGING_ALIGNMENT D3D12_TEXTURE_DATA_PLACEMENT_ALIGNMENT

struct staging_region
{
    UINT64 offset, size;
    BOOL freed;
};

struct queue_staging
{
    CRITICAL_SECTION cs;
    ID3D12Resource *resource;
    BYTE *mapped;
    UINT64 size;
    const char *heap;               /* "custom write-back" or "upload", for traces */
    struct staging_region *regions; /* allocation order */
    SIZE_T region_count, region_capacity;
    HRESULT init_hr;
};

static HRESULT create_buffer(ID3D12Device *device, UINT64 size, const D3D12_HEAP_PROPERTIES *heap,
                             ID3D12Resource **resource)
{
    D3D12_RESOURCE_DESC desc = {.Dimension = D3D12_RESOURCE_DIMENSION_BUFFER,
                                .Width = size,
                                .Height = 1,
                                .DepthOrArraySize = 1,
                                .MipLevels = 1,
                                .SampleDesc.Count = 1,
                                .Layout = D3D12_TEXTURE_LAYOUT_ROW_MAJOR};

    return ID3D12Device_CreateCommittedResource(device, heap, D3D12_HEAP_FLAG_NONE, &desc,
                                                D3D12_RESOURCE_STATE_GENERIC_READ, NULL,
                                                &IID_ID3D12Resource, (void **)resource);
}

static HRESULT staging_init(struct queue_object *queue, struct queue_staging *staging)
{
    ID3D12Device *device = queue->state->desc.Device;
    D3D12_HEAP_PROPERTIES cached = {.Type = D3D12_HEAP_TYPE_CUSTOM,
                                    .CPUPageProperty = D3D12_CPU_PAGE_PROPERTY_WRITE_BACK,
                                    .MemoryPoolPreference = D3D12_MEMORY_POOL_L0};
    D3D12_HEAP_PROPERTIES upload = {.Type = D3D12_HEAP_TYPE_UPLOAD};
    D3D12_RANGE no_read = {0, 0};
    const char *choice = getenv("DS_KIT_STAGING_HEAP");
    UINT64 i;
    HRESULT hr = E_FAIL;

    staging->size = dstorage_process.staging_buffer_size;
    if (!choice || strcmp(choice, "upload"))
    {
        staging->heap = "custom write-back";
        hr = create_buffer(device, staging->size, &cached, &staging->resource);
        if (FAILED(hr))
            WARN("queue %p: no write-back custom heap (hr %#lx); staging in an UPLOAD heap.\n",
                 queue, hr);
    }
    if (FAILED(hr))
    {
        staging->heap = "upload";
        hr = create_buffer(device, staging->size, &upload, &staging->resource);
    }
    if (FAILED(hr))
    {
        ERR("Cannot create a %s-byte staging buffer, hr %#lx; lower it with "
            "SetStagingBufferSize.\n",
            debugstr_size(staging->size), hr);
        return hr;
    }
    if (FAILED(hr = ID3D12Resource_Map(staging->resource, 0, &no_read, (void **)&staging->mapped)))
    {
        ERR("Cannot map the staging buffer, hr %#lx.\n", hr);
        ID3D12Resource_Release(staging->resource);
        staging->resource = NULL;
        return hr;
    }
    for (i = 0; i < staging->size; i += 4096) staging->mapped[i] = 0;
    TRACE("queue %p: %s-byte staging buffer (%s heap) mapped at %p.\n", queue,
          debugstr_size(staging->size), staging->heap, staging->mapped);
    return S_OK;
}

HRESULT queue_staging_create(struct queue_object *queue)
{
    struct queue_staging *staging;

    if (!(staging = calloc(1, sizeof(*staging)))) return E_OUTOFMEMORY;
    InitializeCriticalSection(&staging->cs);
    staging->init_hr = staging_init(queue, staging);
    queue->state->staging = staging;
    return staging->init_hr;
}

ID3D12Resource *queue_staging_resource(struct queue_object *queue)
{
    return queue->state->staging ? queue->state->staging->resource : NULL;
}

const char *queue_staging_heap(struct queue_object *queue)
{
    return queue->state->staging && queue->state->staging->resource ? queue->state->staging->heap
                                                                    : "none";
}

/* First fit at the ring's end, else at its start; caller holds staging->cs. */
static BOOL ring_place(struct queue_staging *staging, UINT64 size, UINT64 *offset)
{
    struct staging_region *front, *back;
    UINT64 end;

    if (!staging->region_count)
    {
        if (size > staging->size) return FALSE;
        *offset = 0;
        return TRUE;
    }
    front = &staging->regions[0];
    back = &staging->regions[staging->region_count - 1];
    end = (back->offset + back->size + STAGING_ALIGNMENT - 1) & ~(UINT64)(STAGING_ALIGNMENT - 1);
    if (back->offset >= front->offset)
    {
        if (end + size <= staging->size)
        {
            *offset = end;
            return TRUE;
        }
        if (size <= front->offset)
        {
            *offset = 0;
            return TRUE;
        }
        return FALSE;
    }
    if (end + size <= front->offset)
    {
        *offset = end;
        return TRUE;
    }
    return FALSE;
}

HRESULT queue_staging_reserve(struct queue_object *queue, struct queue_entry *entry, UINT64 size)
{
    struct queue_staging *staging = queue->state->staging;
    struct staging_region *regions;
    UINT64 offset;

    if (!staging) return E_FAIL;
    if (!staging->resource) return FAILED(staging->init_hr) ? staging->init_hr : E_FAIL;
    EnterCriticalSection(&staging->cs);
    if (!ring_place(staging, size, &offset))
    {
        LeaveCriticalSection(&staging->cs);
        return S_FALSE;
    }
    if (staging->region_count == staging->region_capacity)
    {
        SIZE_T capacity = staging->region_capacity ? staging->region_capacity * 2 : 64;
        if (!(regions = realloc(staging->regions, capacity * sizeof(*regions))))
        {
            LeaveCriticalSection(&staging->cs);
            return E_OUTOFMEMORY;
        }
        staging->regions = regions;
        staging->region_capacity = capacity;
    }
    staging->regions[staging->region_count].offset = offset;
    staging->regions[staging->region_count].size = size;
    staging->regions[staging->region_count++].freed = FALSE;
    entry->staging_offset = offset;
    entry->staging_size = size;
    LeaveCriticalSection(&staging->cs);
    return S_OK;
}

void *queue_staging_data(struct queue_object *queue, const struct queue_entry *entry,
                         ID3D12Resource **pin)
{
    struct queue_staging *staging = queue->state->staging;

    if (pin)
    {
        *pin = staging->resource;
        ID3D12Resource_AddRef(staging->resource);
    }
    return staging->mapped + entry->staging_offset;
}

void queue_staging_release(struct queue_object *queue, struct queue_entry *entry)
{
    struct queue_staging *staging = queue->state->staging;
    SIZE_T i, drop = 0;

    if (!entry->staging_size || !staging) return;
    EnterCriticalSection(&staging->cs);
    for (i = 0; i < staging->region_count; ++i)
    {
        if (staging->regions[i].freed || staging->regions[i].offset != entry->staging_offset)
            continue;
        staging->regions[i].freed = TRUE;
        break;
    }
    while (drop < staging->region_count && staging->regions[drop].freed) ++drop;
    if (drop)
    {
        memmove(staging->regions, staging->regions + drop,
                (staging->region_count - drop) * sizeof(*staging->regions));
        staging->region_count -= drop;
    }
    LeaveCriticalSection(&staging->cs);
    entry->staging_size = 0;
    if (InterlockedExchange(&queue->state->staging_wait, FALSE) && queue->state->worker_wake)
        SetEvent(queue->state->worker_wake);
}

void queue_staging_destroy(struct queue_object *queue)
{
    struct queue_staging *staging = queue->state->staging;

    if (!staging) return;
    if (staging->resource) ID3D12Resource_Release(staging->resource);
    DeleteCriticalSection(&staging->cs);
    free(staging->regions);
    free(staging);
    queue->state->staging = NULL;
}
