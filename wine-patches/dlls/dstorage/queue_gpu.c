/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * GPU destinations through D3D12 itself: the runtime reads into a mapped UPLOAD-heap buffer (the
 * staging buffer, DSTORAGE_STAGING_BUFFER_SIZE bytes, one per queue), then the completion thread
 * records CopyBufferRegion / CopyTextureRegion (per subresource, GetCopyableFootprints layout) /
 * CopyTiles on a COPY queue of the queue's device and waits for its fence. Destinations start and
 * end in COMMON (implicit promotion and decay on the copy queue).
 *
 * Staging regions are handed out as a ring in enqueue order and freed in completion order. Copies
 * run on the completion thread, and on the worker thread for custom formats (the application
 * decompressed into the region); copy_cs keeps them one at a time on the one command list.
 */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

#define STAGING_ALIGNMENT D3D12_TEXTURE_DATA_PLACEMENT_ALIGNMENT
#define TILE_SIZE 65536

struct staging_region
{
    UINT64 offset, size;
    BOOL freed;
};

struct queue_gpu
{
    CRITICAL_SECTION cs; /* the ring */
    CRITICAL_SECTION copy_cs; /* the command list, allocator and fence */
    CONDITION_VARIABLE freed;
    ID3D12Resource *staging;
    BYTE *mapped;
    UINT64 size;
    struct staging_region *regions; /* allocation order */
    SIZE_T region_count, region_capacity;
    ID3D12CommandQueue *copy_queue;
    ID3D12CommandAllocator *allocator;
    ID3D12GraphicsCommandList *list;
    ID3D12Fence *fence;
    UINT64 fence_value;
    HANDLE event;
};

BOOL queue_gpu_destination(const DSTORAGE_REQUEST *request)
{
    return request->Options.DestinationType != DSTORAGE_REQUEST_DESTINATION_MEMORY
            && request->Options.DestinationType <= DSTORAGE_REQUEST_DESTINATION_MULTIPLE_SUBRESOURCES_RANGE;
}

static D3D12_RESOURCE_DESC resource_desc(ID3D12Resource *resource)
{
    D3D12_RESOURCE_DESC desc;

    resource->lpVtbl->GetDesc(resource, &desc);
    return desc;
}

static UINT subresource_count(const D3D12_RESOURCE_DESC *desc)
{
    UINT layers = desc->Dimension == D3D12_RESOURCE_DIMENSION_TEXTURE3D ? 1 : desc->DepthOrArraySize;
    return desc->MipLevels * layers;
}

/* The footprint of a box inside one subresource: a one-mip texture of the box's size. */
static D3D12_RESOURCE_DESC box_desc(ID3D12Resource *resource, const D3D12_BOX *box)
{
    D3D12_RESOURCE_DESC desc = resource_desc(resource);

    desc.Width = box->right - box->left;
    desc.Height = box->bottom - box->top;
    desc.DepthOrArraySize = desc.Dimension == D3D12_RESOURCE_DIMENSION_TEXTURE3D ? box->back - box->front : 1;
    desc.MipLevels = 1;
    return desc;
}

static void subresource_range(const DSTORAGE_REQUEST *request, const D3D12_RESOURCE_DESC *desc, UINT *first, UINT *count)
{
    if (request->Options.DestinationType == DSTORAGE_REQUEST_DESTINATION_MULTIPLE_SUBRESOURCES)
    {
        *first = request->Destination.MultipleSubresources.FirstSubresource;
        *count = *first < subresource_count(desc) ? subresource_count(desc) - *first : 0;
    }
    else
    {
        *first = request->Destination.MultipleSubresourcesRange.FirstSubresource;
        *count = request->Destination.MultipleSubresourcesRange.NumSubresources;
    }
}

UINT64 queue_gpu_staged_size(struct queue_object *queue, const DSTORAGE_REQUEST *request)
{
    ID3D12Device *device = queue->state->desc.Device;
    D3D12_RESOURCE_DESC desc;
    UINT64 total = 0;
    UINT first, count;

    switch (request->Options.DestinationType)
    {
    case DSTORAGE_REQUEST_DESTINATION_BUFFER:
        return request->Destination.Buffer.Size;
    case DSTORAGE_REQUEST_DESTINATION_TEXTURE_REGION:
        if (!request->Destination.Texture.Resource) return 0;
        desc = box_desc(request->Destination.Texture.Resource, &request->Destination.Texture.Region);
        ID3D12Device_GetCopyableFootprints(device, &desc, 0, 1, 0, NULL, NULL, NULL, &total);
        return total;
    case DSTORAGE_REQUEST_DESTINATION_MULTIPLE_SUBRESOURCES:
    case DSTORAGE_REQUEST_DESTINATION_MULTIPLE_SUBRESOURCES_RANGE:
        if (!request->Destination.MultipleSubresources.Resource) return 0;
        desc = resource_desc(request->Destination.MultipleSubresources.Resource);
        subresource_range(request, &desc, &first, &count);
        if (!count || first + count > subresource_count(&desc)) return 0;
        ID3D12Device_GetCopyableFootprints(device, &desc, first, count, 0, NULL, NULL, NULL, &total);
        return total;
    case DSTORAGE_REQUEST_DESTINATION_TILES:
        return (UINT64)request->Destination.Tiles.TileRegionSize.NumTiles * TILE_SIZE;
    }
    return 0;
}

static HRESULT gpu_init(struct queue_object *queue, struct queue_gpu *gpu)
{
    ID3D12Device *device = queue->state->desc.Device;
    D3D12_HEAP_PROPERTIES heap = { .Type = D3D12_HEAP_TYPE_UPLOAD };
    D3D12_RESOURCE_DESC desc = { .Dimension = D3D12_RESOURCE_DIMENSION_BUFFER, .Width = dstorage_process.staging_buffer_size,
                                 .Height = 1, .DepthOrArraySize = 1, .MipLevels = 1, .SampleDesc.Count = 1,
                                 .Layout = D3D12_TEXTURE_LAYOUT_ROW_MAJOR };
    D3D12_COMMAND_QUEUE_DESC queue_desc = { .Type = D3D12_COMMAND_LIST_TYPE_COPY };
    D3D12_RANGE no_read = { 0, 0 };
    HRESULT hr;

    gpu->size = desc.Width;
    if (FAILED(hr = ID3D12Device_CreateCommittedResource(device, &heap, D3D12_HEAP_FLAG_NONE, &desc,
            D3D12_RESOURCE_STATE_GENERIC_READ, NULL, &IID_ID3D12Resource, (void **)&gpu->staging)))
    {
        ERR("Cannot create a %s-byte upload staging buffer, hr %#lx; lower it with SetStagingBufferSize.\n",
            wine_dbgstr_longlong(gpu->size), hr);
        return hr;
    }
    if (FAILED(hr = ID3D12Resource_Map(gpu->staging, 0, &no_read, (void **)&gpu->mapped))) return hr;
    if (FAILED(hr = ID3D12Device_CreateCommandQueue(device, &queue_desc, &IID_ID3D12CommandQueue, (void **)&gpu->copy_queue)))
        return hr;
    if (FAILED(hr = ID3D12Device_CreateCommandAllocator(device, D3D12_COMMAND_LIST_TYPE_COPY,
            &IID_ID3D12CommandAllocator, (void **)&gpu->allocator)))
        return hr;
    if (FAILED(hr = ID3D12Device_CreateCommandList(device, 0, D3D12_COMMAND_LIST_TYPE_COPY, gpu->allocator, NULL,
            &IID_ID3D12GraphicsCommandList, (void **)&gpu->list)))
        return hr;
    ID3D12GraphicsCommandList_Close(gpu->list);
    if (FAILED(hr = ID3D12Device_CreateFence(device, 0, D3D12_FENCE_FLAG_NONE, &IID_ID3D12Fence, (void **)&gpu->fence)))
        return hr;
    gpu->event = CreateEventW(NULL, FALSE, FALSE, NULL);
    TRACE("queue %p: %s-byte staging buffer mapped at %p.\n", queue, wine_dbgstr_longlong(gpu->size), gpu->mapped);
    return S_OK;
}

static struct queue_gpu *gpu_get(struct queue_object *queue)
{
    struct queue_gpu *gpu;

    if ((gpu = InterlockedCompareExchangePointer((void **)&queue->state->gpu, NULL, NULL))) return gpu;
    if (!(gpu = calloc(1, sizeof(*gpu)))) return NULL;
    InitializeCriticalSection(&gpu->cs);
    InitializeCriticalSection(&gpu->copy_cs);
    InitializeConditionVariable(&gpu->freed);
    if (InterlockedCompareExchangePointer((void **)&queue->state->gpu, gpu, NULL))
    {
        DeleteCriticalSection(&gpu->cs);
        DeleteCriticalSection(&gpu->copy_cs);
        free(gpu);
        return queue->state->gpu;
    }
    return gpu;
}

/* First fit at the ring's end, else at its start; caller holds gpu->cs. */
static BOOL ring_place(struct queue_gpu *gpu, UINT64 size, UINT64 *offset)
{
    struct staging_region *front, *back;
    UINT64 end;

    if (!gpu->region_count)
    {
        if (size > gpu->size) return FALSE;
        *offset = 0;
        return TRUE;
    }
    front = &gpu->regions[0];
    back = &gpu->regions[gpu->region_count - 1];
    end = (back->offset + back->size + STAGING_ALIGNMENT - 1) & ~(UINT64)(STAGING_ALIGNMENT - 1);
    if (back->offset >= front->offset)
    {
        if (end + size <= gpu->size) { *offset = end; return TRUE; }
        if (size <= front->offset) { *offset = 0; return TRUE; }
        return FALSE;
    }
    if (end + size <= front->offset) { *offset = end; return TRUE; }
    return FALSE;
}

HRESULT queue_gpu_reserve(struct queue_object *queue, struct queue_entry *entry, UINT64 size, BOOL wait,
                          UINT64 *address)
{
    struct queue_gpu *gpu = gpu_get(queue);
    struct staging_region *regions;
    UINT64 offset;
    HRESULT hr = S_OK;

    if (!gpu) return E_OUTOFMEMORY;
    EnterCriticalSection(&gpu->cs);
    if (!gpu->staging && FAILED(hr = gpu_init(queue, gpu)))
    {
        LeaveCriticalSection(&gpu->cs);
        return hr;
    }
    while (!ring_place(gpu, size, &offset))
    {
        if (!wait)
        {
            LeaveCriticalSection(&gpu->cs);
            return S_FALSE;
        }
        TRACE("staging buffer full, waiting for %s bytes.\n", wine_dbgstr_longlong(size));
        SleepConditionVariableCS(&gpu->freed, &gpu->cs, INFINITE);
    }
    if (gpu->region_count == gpu->region_capacity)
    {
        SIZE_T capacity = gpu->region_capacity ? gpu->region_capacity * 2 : 64;
        if (!(regions = realloc(gpu->regions, capacity * sizeof(*regions))))
        {
            LeaveCriticalSection(&gpu->cs);
            return E_OUTOFMEMORY;
        }
        gpu->regions = regions;
        gpu->region_capacity = capacity;
    }
    gpu->regions[gpu->region_count].offset = offset;
    gpu->regions[gpu->region_count].size = size;
    gpu->regions[gpu->region_count++].freed = FALSE;
    entry->staging_offset = offset;
    entry->staging_size = size;
    *address = (UINT64)(ULONG_PTR)(gpu->mapped + offset);
    LeaveCriticalSection(&gpu->cs);
    return S_OK;
}

void *queue_gpu_staging_data(struct queue_object *queue, const struct queue_entry *entry, ID3D12Resource **pin)
{
    struct queue_gpu *gpu = queue->state->gpu;

    if (pin)
    {
        *pin = gpu->staging;
        ID3D12Resource_AddRef(gpu->staging);
    }
    return gpu->mapped + entry->staging_offset;
}

static void ring_free(struct queue_object *queue, struct queue_gpu *gpu, UINT64 offset)
{
    SIZE_T i, drop = 0;

    EnterCriticalSection(&gpu->cs);
    for (i = 0; i < gpu->region_count; ++i)
        if (!gpu->regions[i].freed && gpu->regions[i].offset == offset) { gpu->regions[i].freed = TRUE; break; }
    while (drop < gpu->region_count && gpu->regions[drop].freed) ++drop;
    if (drop)
    {
        memmove(gpu->regions, gpu->regions + drop, (gpu->region_count - drop) * sizeof(*gpu->regions));
        gpu->region_count -= drop;
    }
    LeaveCriticalSection(&gpu->cs);
    WakeAllConditionVariable(&gpu->freed);
    queue_gate_staging_freed(queue);
}

static void record_textures(struct queue_gpu *gpu, ID3D12Device *device, ID3D12Resource *resource,
                            UINT first, UINT count, UINT64 base)
{
    D3D12_PLACED_SUBRESOURCE_FOOTPRINT footprints[64];
    D3D12_TEXTURE_COPY_LOCATION src = { .pResource = gpu->staging, .Type = D3D12_TEXTURE_COPY_TYPE_PLACED_FOOTPRINT };
    D3D12_TEXTURE_COPY_LOCATION dst = { .pResource = resource, .Type = D3D12_TEXTURE_COPY_TYPE_SUBRESOURCE_INDEX };
    D3D12_RESOURCE_DESC desc = resource_desc(resource);
    UINT done, n, i;

    for (done = 0; done < count; done += n)
    {
        n = min(count - done, ARRAY_SIZE(footprints));
        ID3D12Device_GetCopyableFootprints(device, &desc, first + done, n, base, footprints, NULL, NULL, NULL);
        /* GetCopyableFootprints numbers offsets from the first subresource of the whole request. */
        if (done)
        {
            UINT64 skipped = 0;
            ID3D12Device_GetCopyableFootprints(device, &desc, first, done, 0, NULL, NULL, NULL, &skipped);
            for (i = 0; i < n; ++i) footprints[i].Offset += (skipped + STAGING_ALIGNMENT - 1) & ~(UINT64)(STAGING_ALIGNMENT - 1);
        }
        for (i = 0; i < n; ++i)
        {
            src.PlacedFootprint = footprints[i];
            dst.SubresourceIndex = first + done + i;
            ID3D12GraphicsCommandList_CopyTextureRegion(gpu->list, &dst, 0, 0, 0, &src, NULL);
        }
    }
}

static void record_copy(struct queue_gpu *gpu, ID3D12Device *device, const struct queue_entry *entry)
{
    const DSTORAGE_REQUEST *request = &entry->request;
    UINT64 base = entry->staging_offset;
    D3D12_RESOURCE_DESC desc;
    UINT first, count;

    switch (request->Options.DestinationType)
    {
    case DSTORAGE_REQUEST_DESTINATION_BUFFER:
        ID3D12GraphicsCommandList_CopyBufferRegion(gpu->list, request->Destination.Buffer.Resource,
                request->Destination.Buffer.Offset, gpu->staging, base, request->Destination.Buffer.Size);
        break;
    case DSTORAGE_REQUEST_DESTINATION_TEXTURE_REGION:
    {
        const DSTORAGE_DESTINATION_TEXTURE_REGION *texture = &request->Destination.Texture;
        D3D12_TEXTURE_COPY_LOCATION src = { .pResource = gpu->staging, .Type = D3D12_TEXTURE_COPY_TYPE_PLACED_FOOTPRINT };
        D3D12_TEXTURE_COPY_LOCATION dst = { .pResource = texture->Resource, .Type = D3D12_TEXTURE_COPY_TYPE_SUBRESOURCE_INDEX,
                                            .SubresourceIndex = texture->SubresourceIndex };

        desc = box_desc(texture->Resource, &texture->Region);
        ID3D12Device_GetCopyableFootprints(device, &desc, 0, 1, base, &src.PlacedFootprint, NULL, NULL, NULL);
        ID3D12GraphicsCommandList_CopyTextureRegion(gpu->list, &dst, texture->Region.left, texture->Region.top,
                texture->Region.front, &src, NULL);
        break;
    }
    case DSTORAGE_REQUEST_DESTINATION_MULTIPLE_SUBRESOURCES:
    case DSTORAGE_REQUEST_DESTINATION_MULTIPLE_SUBRESOURCES_RANGE:
        desc = resource_desc(request->Destination.MultipleSubresources.Resource);
        subresource_range(request, &desc, &first, &count);
        record_textures(gpu, device, request->Destination.MultipleSubresources.Resource, first, count, base);
        break;
    case DSTORAGE_REQUEST_DESTINATION_TILES:
        ID3D12GraphicsCommandList_CopyTiles(gpu->list, request->Destination.Tiles.Resource,
                &request->Destination.Tiles.TiledRegionStartCoordinate, &request->Destination.Tiles.TileRegionSize,
                gpu->staging, base, D3D12_TILE_COPY_FLAG_LINEAR_BUFFER_TO_SWIZZLED_TILED_RESOURCE);
        break;
    }
}

HRESULT queue_gpu_copy(struct queue_object *queue, struct queue_entry *entry, BOOL copy)
{
    struct queue_gpu *gpu = queue->state->gpu;
    ID3D12Device *device = queue->state->desc.Device;
    ID3D12CommandList *list;
    HRESULT hr = S_OK;

    if (!gpu) return E_FAIL;
    if (copy)
    {
        EnterCriticalSection(&gpu->copy_cs);
        if (FAILED(hr = ID3D12CommandAllocator_Reset(gpu->allocator))
                || FAILED(hr = ID3D12GraphicsCommandList_Reset(gpu->list, gpu->allocator, NULL)))
            goto done;
        record_copy(gpu, device, entry);
        if (FAILED(hr = ID3D12GraphicsCommandList_Close(gpu->list)))
        {
            ERR("Recording the copy failed, hr %#lx; check the destination resource and its state (COMMON).\n", hr);
            goto done;
        }
        if (entry->fence && (entry->flags & DSTORAGE_ENQUEUE_REQUEST_FLAG_FENCE_WAIT_BEFORE_GPU_WORK))
            ID3D12CommandQueue_Wait(gpu->copy_queue, entry->fence, entry->fence_value);
        list = (ID3D12CommandList *)gpu->list;
        ID3D12CommandQueue_ExecuteCommandLists(gpu->copy_queue, 1, &list);
        if (FAILED(hr = ID3D12CommandQueue_Signal(gpu->copy_queue, gpu->fence, ++gpu->fence_value))
                || FAILED(hr = ID3D12Fence_SetEventOnCompletion(gpu->fence, gpu->fence_value, gpu->event)))
            goto done;
        WaitForSingleObject(gpu->event, INFINITE);
done:
        LeaveCriticalSection(&gpu->copy_cs);
    }
    ring_free(queue, gpu, entry->staging_offset);
    entry->staging_size = 0;
    return hr;
}

void queue_gpu_destroy(struct queue_object *queue)
{
    struct queue_gpu *gpu = queue->state->gpu;

    if (!gpu) return;
    if (gpu->fence) ID3D12Fence_Release(gpu->fence);
    if (gpu->list) ID3D12GraphicsCommandList_Release(gpu->list);
    if (gpu->allocator) ID3D12CommandAllocator_Release(gpu->allocator);
    if (gpu->copy_queue) ID3D12CommandQueue_Release(gpu->copy_queue);
    if (gpu->staging) ID3D12Resource_Release(gpu->staging);
    if (gpu->event) CloseHandle(gpu->event);
    DeleteCriticalSection(&gpu->cs);
    DeleteCriticalSection(&gpu->copy_cs);
    free(gpu->regions);
    free(gpu);
    queue->state->gpu = NULL;
}
