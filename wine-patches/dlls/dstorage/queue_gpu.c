/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * GPU destinations through D3D12 itself ("GPU path: d3d12"), batched.
 *
 * Once a request's bytes are in its staging region (queue_staging.c), its copy is recorded into the
 * queue's open batch: one command list of a COPY queue of the queue's device, holding the
 * CopyBufferRegion / CopyTextureRegion (per subresource, GetCopyableFootprints layout) / CopyTiles
 * of many requests. Buffer copies that continue each other (same buffer, contiguous destination
 * and staging ranges: an asset streamed in file order) become one CopyBufferRegion. Destinations
 * start and end in COMMON (implicit promotion and decay on the copy queue). A batch is closed and
 * executed when it is large enough, when a marker waits behind it, or when its producer says so
 * (queue_gpu_flush: the completion thread after every round of completions); then it signals the
 * path's fence with its own value, and a new batch with its own allocator and list opens at once.
 * Any number of batches may be in flight; their allocators and lists are reused once their fence
 * value has passed.
 *
 * Nothing blocks on a fence. Each executed batch registers the worker's gpu_event for its value;
 * the worker thread calls queue_gpu_poll, which retires every batch whose value has passed: its
 * entries' callbacks run in order (they free the staging regions and complete the requests), then
 * the markers that waited behind it. A marker (status, signal, event) given to
 * queue_gpu_after_copies waits behind the newest batch that is not retired, so it fires only after
 * every copy recorded before it has completed.
 *
 * FENCE_WAIT_BEFORE_GPU_WORK: a request that must wait for the application's fence starts a new
 * batch that remembers the fence; a batch is executed only once that fence has reached the value
 * (and every batch before it has been executed, to keep the order). Until then it waits on the CPU
 * side (the fence's event is registered for gpu_event), never inside the copy queue: so the queue's
 * Close and release drop such a batch at once, and nothing ever waits for a fence that the
 * application may never signal.
 *
 * GDeflate into GPU destinations (where the device offers the DirectStorage GDeflate meta command,
 * gpu_gdeflate.c; DS_KIT_GDEFLATE_PATH=cpu|gpu forces a path): the runtime reads the compressed
 * bytes into the staging region as they are (the region holds those alone), the stream's header and
 * tile table are checked on the CPU (gdeflate_stream.c), and the request joins the open batch's
 * decodes. Before the batch closes (or once it holds as many streams as one execution takes, or as
 * many decoded bytes as the decode buffer holds) one ExecuteMetaCommand decodes them all into the
 * decode buffer, one after another from offset 0, and they are copied into the destinations in the
 * same list, as for plain data. When the batch is executed, its streams' compressed bytes are first
 * copied into the meta command's device-local input ring by an upload list (on the COPY queue,
 * which the batch's COMPUTE list waits for on the GPU, so the upload of one batch overlaps the
 * decodes of the ones before); a batch waits while the ring is full. Once its upload has completed,
 * the batch's streams give their staging regions back (queue_gpu_poll), so the next streams are
 * read while these are decoded: the staging buffer bounds what is being read, not what the GPU
 * decodes. The meta command runs compute work, so batches with decodes are COMPUTE lists executed
 * on a COMPUTE queue of their own (the path's second lane, with its own fence); plain copies stay
 * on the COPY queue (a transfer queue under vkd3d-proton), so offering GPU GDeflate leaves them as
 * they were, unless a COMPUTE batch is open, which they then join. Batches retire in the order they
 * were opened whatever their lane, so markers keep their meaning. A COMPUTE batch is not executed
 * at the end of a round of completions while DECODES_IN_FLIGHT others are in flight: it keeps
 * collecting streams (the GPU decodes tiles in parallel, and an execution of one or two streams
 * leaves it mostly idle) until one of them retires (queue_gpu_poll executes it then) or it holds
 * decode_flush_bytes.
 *
 * Lock order: callers may hold nothing of custom.c; callbacks run without gpu->cs.
 */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

#define STAGING_ALIGNMENT D3D12_TEXTURE_DATA_PLACEMENT_ALIGNMENT
#define TILE_SIZE 65536
#define BATCH_MAX_COPIES 256
#define DESTROY_WAIT_MS 10000
/* GDeflate on the GPU: a COMPUTE batch holds up to this many meta command executions (each up to
 * the meta command's stream limit), and as many copies. */
#define DECODE_BATCH_EXECUTIONS 4
#define DECODE_BATCH_MAX_COPIES (DECODE_BATCH_EXECUTIONS * GPU_GDEFLATE_MAX_STREAMS)
/* While this many COMPUTE batches are in flight, the open one keeps collecting decodes at the end
 * of a round of completions, instead of being executed with the few streams that round brought;
 * it is executed when one of them retires (queue_gpu_poll), or once it holds decode_flush_bytes. */
#define DECODES_IN_FLIGHT 2

enum batch_state
{
    BATCH_OPEN,
    BATCH_WAITING,
    BATCH_IN_FLIGHT
};

struct gpu_batch
{
    struct gpu_batch *next;
    enum batch_state state;
    ID3D12CommandAllocator *allocator;
    ID3D12GraphicsCommandList *list;
    /* COMPUTE batches: the copies of the compressed bytes into the meta command's input ring,
     * recorded when the batch is executed and executed before the list (on the COPY queue, which
     * the list's queue waits for; or first on the COMPUTE queue). */
    ID3D12CommandAllocator *upload_allocator;
    ID3D12GraphicsCommandList *upload_list;
    UINT uploads;              /* meta command executions recorded */
    UINT64 upload_fence_value; /* its upload lane's fence once the upload was executed, else 0 */
    BOOL staging_released;     /* the decodes' staging regions, once the upload completed */
    UINT lane;                 /* LANE_COPY or LANE_COMPUTE */
    UINT64 fence_value;        /* its lane's fence, once executed */
    ID3D12Fence *wait_fence;   /* the application's, FENCE_WAIT_BEFORE_GPU_WORK */
    UINT64 wait_value;
    BOOL wait_registered;
    struct queue_entry *entries, *entries_tail; /* copies recorded, in order, then markers */
    /* A buffer copy not recorded yet: the next one that continues it (same buffer, both ranges
     * contiguous: requests in file order into one buffer) is merged into one CopyBufferRegion. */
    ID3D12Resource *pending_dst;
    UINT64 pending_dst_offset, pending_src_offset, pending_size;
    UINT copies;
    UINT64 bytes;
    HRESULT hr; /* recording or closing failed: every entry gets it */
    /* GPU GDeflate: streams waiting for the batch's next meta command execution, where each lies
     * in the batch's input span, and where it decodes to in the decode buffer (laid out from 0 per
     * execution). */
    struct gpu_gdeflate_batch *decode;
    struct queue_entry *decodes[GPU_GDEFLATE_MAX_STREAMS];
    UINT64 decode_inputs[GPU_GDEFLATE_MAX_STREAMS];
    UINT64 decode_offsets[GPU_GDEFLATE_MAX_STREAMS];
    UINT decode_count;
    UINT64 decode_bytes; /* of the decode buffer, taken by the waiting streams */
};

enum
{
    LANE_COPY,
    LANE_COMPUTE, /* only with GPU GDeflate */
    LANE_COUNT
};

/* A command queue of the path, its fence and the last value signalled on it. */
struct gpu_lane
{
    ID3D12CommandQueue *queue;
    ID3D12Fence *fence;
    UINT64 fence_value;
};

struct queue_gpu
{
    CRITICAL_SECTION cs;
    struct gpu_lane lanes[LANE_COUNT];
    struct gpu_gdeflate *gdeflate; /* NULL: GDeflate is decoded on the CPU */
    UINT64 flush_bytes;            /* a COPY batch is executed once it holds this much staging */
    UINT64 decode_flush_bytes;     /* a COMPUTE batch, once it holds this much */
    BOOL upload_on_copy_queue;     /* GDeflate input uploads: COPY queue (else the COMPUTE queue) */
    struct gpu_batch *head, *tail; /* oldest first; the tail may be open */
    struct gpu_batch *spare[LANE_COUNT]; /* retired, allocator and list kept */
    BOOL dropped; /* Close: waiting batches dropped, nothing executes any more */
};

BOOL queue_gpu_destination(const DSTORAGE_REQUEST *request)
{
    return request->Options.DestinationType != DSTORAGE_REQUEST_DESTINATION_MEMORY &&
           request->Options.DestinationType <=
               DSTORAGE_REQUEST_DESTINATION_MULTIPLE_SUBRESOURCES_RANGE;
}

static D3D12_RESOURCE_DESC resource_desc(ID3D12Resource *resource)
{
    D3D12_RESOURCE_DESC desc;

    resource->lpVtbl->GetDesc(resource, &desc);
    return desc;
}

static UINT subresource_count(const D3D12_RESOURCE_DESC *desc)
{
    UINT layers =
        desc->Dimension == D3D12_RESOURCE_DIMENSION_TEXTURE3D ? 1 : desc->DepthOrArraySize;
    return desc->MipLevels * layers;
}

/* The footprint of a box inside one subresource: a one-mip texture of the box's size. */
static D3D12_RESOURCE_DESC box_desc(ID3D12Resource *resource, const D3D12_BOX *box)
{
    D3D12_RESOURCE_DESC desc = resource_desc(resource);

    desc.Width = box->right - box->left;
    desc.Height = box->bottom - box->top;
    desc.DepthOrArraySize =
        desc.Dimension == D3D12_RESOURCE_DIMENSION_TEXTURE3D ? box->back - box->front : 1;
    desc.MipLevels = 1;
    return desc;
}

static void subresource_range(const DSTORAGE_REQUEST *request, const D3D12_RESOURCE_DESC *desc,
                              UINT *first, UINT *count)
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
        desc =
            box_desc(request->Destination.Texture.Resource, &request->Destination.Texture.Region);
        ID3D12Device_GetCopyableFootprints(device, &desc, 0, 1, 0, NULL, NULL, NULL, &total);
        return total;
    case DSTORAGE_REQUEST_DESTINATION_MULTIPLE_SUBRESOURCES:
    case DSTORAGE_REQUEST_DESTINATION_MULTIPLE_SUBRESOURCES_RANGE:
        if (!request->Destination.MultipleSubresources.Resource) return 0;
        desc = resource_desc(request->Destination.MultipleSubresources.Resource);
        subresource_range(request, &desc, &first, &count);
        if (!count || first + count > subresource_count(&desc)) return 0;
        ID3D12Device_GetCopyableFootprints(device, &desc, first, count, 0, NULL, NULL, NULL,
                                           &total);
        return total;
    case DSTORAGE_REQUEST_DESTINATION_TILES:
        return (UINT64)request->Destination.Tiles.TileRegionSize.NumTiles * TILE_SIZE;
    }
    return 0;
}

/* DS_KIT_GDEFLATE_PATH: "cpu", "gpu" or unset (GPU where the device offers the meta command). */
static HRESULT gdeflate_path_choice(const char **choice)
{
    const char *value = getenv("DS_KIT_GDEFLATE_PATH");

    *choice = value && *value ? value : NULL;
    if (*choice && strcmp(*choice, "cpu") && strcmp(*choice, "gpu"))
    {
        ERR("DS_KIT_GDEFLATE_PATH=%s: use cpu or gpu, or unset it.\n", *choice);
        return E_INVALIDARG;
    }
    return S_OK;
}

static HRESULT gdeflate_path(struct queue_object *queue, struct queue_gpu *gpu)
{
    ID3D12Device *device = queue->state->desc.Device;
    char adapter[160], software_why[256];
    const char *choice, *why;
    HRESULT hr;

    /* The meta command decodes by default where the device offers it on a hardware GPU
     * (docs/wine-module.md, "GDeflate"): on the H200 it outran the CPU decoder at every request
     * size at a fiftieth of its CPU time. On a CPU Vulkan device (lavapipe) its decoder runs
     * emulated on the CPU, a hundred times slower than the CPU decoder, so the CPU decodes there.
     * Like Windows' GPU decompression it trusts the bytes inside a tile; the CPU checks headers and
     * tile tables first. DS_KIT_GDEFLATE_PATH=cpu|gpu forces either. */
    if (FAILED(hr = gdeflate_path_choice(&choice))) return hr;
    why = "DS_KIT_GDEFLATE_PATH=cpu";
    if (!choice &&
        gpu_vulkan_software_device(device, gpu->lanes[LANE_COPY].queue, adapter, sizeof(adapter)))
    {
        snprintf(software_why, sizeof(software_why),
                 "the default on a CPU Vulkan device (%s); DS_KIT_GDEFLATE_PATH=gpu decodes on "
                 "the GPU anyway",
                 adapter);
        why = software_why;
    }
    else if (!choice || !strcmp(choice, "gpu"))
        gpu->gdeflate = gpu_gdeflate_create(device, dstorage_process.staging_buffer_size, &why);
    if (!gpu->gdeflate && choice && !strcmp(choice, "gpu"))
    {
        ERR("DS_KIT_GDEFLATE_PATH=gpu, but device %p cannot decode GDeflate: %s. Unset it (the "
            "CPU decodes then) or use a D3D12 that offers the meta command (vkd3d-proton).\n",
            device, why);
        return E_INVALIDARG;
    }
    if (gpu->gdeflate)
    {
        /* DS_KIT_GDEFLATE_UPLOAD=compute executes the uploads on the decoding COMPUTE queue instead
         * (for comparisons: they then cannot overlap the decodes before them). */
        const char *upload = getenv("DS_KIT_GDEFLATE_UPLOAD");

        if (upload && *upload && strcmp(upload, "copy") && strcmp(upload, "compute"))
        {
            ERR("DS_KIT_GDEFLATE_UPLOAD=%s: use copy or compute, or unset it.\n", upload);
            gpu_gdeflate_destroy(gpu->gdeflate);
            gpu->gdeflate = NULL;
            return E_INVALIDARG;
        }
        gpu->upload_on_copy_queue = !upload || strcmp(upload, "compute");
        TRACE("queue %p: GDeflate path: gpu (DirectStorage meta command, up to %u streams an "
              "execution, input uploaded on the %s queue).\n",
              queue, gpu_gdeflate_max_streams(gpu->gdeflate),
              gpu->upload_on_copy_queue ? "COPY" : "COMPUTE");
    }
    else
        TRACE("queue %p: GDeflate path: cpu (%s).\n", queue, why);
    return S_OK;
}

static HRESULT lane_create(ID3D12Device *device, struct gpu_lane *lane,
                           D3D12_COMMAND_LIST_TYPE type)
{
    D3D12_COMMAND_QUEUE_DESC queue_desc = {.Type = type};
    HRESULT hr;

    if (FAILED(hr = ID3D12Device_CreateCommandQueue(device, &queue_desc, &IID_ID3D12CommandQueue,
                                                    (void **)&lane->queue)))
        return hr;
    return ID3D12Device_CreateFence(device, 0, D3D12_FENCE_FLAG_NONE, &IID_ID3D12Fence,
                                    (void **)&lane->fence);
}

static void lane_destroy(struct gpu_lane *lane)
{
    if (lane->fence) ID3D12Fence_Release(lane->fence);
    if (lane->queue) ID3D12CommandQueue_Release(lane->queue);
    lane->fence = NULL;
    lane->queue = NULL;
}

HRESULT queue_gpu_create(struct queue_object *queue)
{
    ID3D12Device *device = queue->state->desc.Device;
    struct queue_gpu *gpu;
    HRESULT hr;

    if (!device) return S_OK; /* DS_KIT_GPU_PATH and the vulkan path: gpu_vulkan.c */
    if (!(gpu = calloc(1, sizeof(*gpu)))) return E_OUTOFMEMORY;
    InitializeCriticalSection(&gpu->cs);
    /* The COPY lane first: the GDeflate path asks vkd3d-proton about the device through it. */
    if (SUCCEEDED(hr = lane_create(device, &gpu->lanes[LANE_COPY], D3D12_COMMAND_LIST_TYPE_COPY)) &&
        FAILED(hr = gdeflate_path(queue, gpu)))
    {
        lane_destroy(&gpu->lanes[LANE_COPY]);
        DeleteCriticalSection(&gpu->cs);
        free(gpu);
        return hr;
    }
    if (FAILED(hr) || (gpu->gdeflate && FAILED(hr = lane_create(device, &gpu->lanes[LANE_COMPUTE],
                                                                D3D12_COMMAND_LIST_TYPE_COMPUTE))))
    {
        ERR("Cannot create a command queue and a fence on device %p, hr %#lx.\n", device, hr);
        lane_destroy(&gpu->lanes[LANE_COPY]);
        lane_destroy(&gpu->lanes[LANE_COMPUTE]);
        gpu_gdeflate_destroy(gpu->gdeflate);
        DeleteCriticalSection(&gpu->cs);
        free(gpu);
        return hr;
    }
    /* The staging buffer is created now, not inside the first load; a failure leaves the queue
     * usable for memory destinations, GPU destinations then fail. */
    queue_staging_create(queue);
    gpu->flush_bytes = max(dstorage_process.staging_buffer_size / 8, 64 * 1024);
    /* Decode batches hold compressed bytes and gain from many streams per execution (the GPU
     * decodes tiles in parallel); their staging is free again once they are uploaded, so a batch
     * may take three quarters of the ring. */
    gpu->decode_flush_bytes = max(dstorage_process.staging_buffer_size / 4 * 3, 64 * 1024);
    /* Published last (the worker thread starts after this, but a pooled event may wake one). */
    InterlockedExchangePointer((void **)&queue->state->gpu, gpu);
    if (queue->state->vulkan)
        TRACE("queue %p: GPU path: vulkan (%s; staging in %s heap).\n", queue,
              queue->state->gpu_path_note, queue_staging_heap(queue));
    else
        TRACE("queue %p: GPU path: d3d12 (batched COPY queue%s, staging in %s heap%s%s).\n", queue,
              gpu->gdeflate ? " + COMPUTE queue for GDeflate" : "", queue_staging_heap(queue),
              *queue->state->gpu_path_note ? "; " : "", queue->state->gpu_path_note);
    return S_OK;
}

BOOL queue_gpu_decodes_gdeflate(struct queue_object *queue)
{
    struct queue_gpu *gpu =
        InterlockedCompareExchangePointer((void **)&queue->state->gpu, NULL, NULL);

    return gpu && gpu->gdeflate;
}

/* Releases a batch's lists and memory (never in flight). */
static void batch_free(struct gpu_batch *batch)
{
    if (batch->upload_list) ID3D12GraphicsCommandList_Release(batch->upload_list);
    if (batch->upload_allocator) ID3D12CommandAllocator_Release(batch->upload_allocator);
    if (batch->list) ID3D12GraphicsCommandList_Release(batch->list);
    if (batch->allocator) ID3D12CommandAllocator_Release(batch->allocator);
    gpu_gdeflate_batch_destroy(batch->decode);
    free(batch);
}

static HRESULT batch_open(ID3D12Device *device, struct queue_gpu *gpu, UINT lane,
                          struct gpu_batch **out)
{
    D3D12_COMMAND_LIST_TYPE type =
        lane == LANE_COMPUTE ? D3D12_COMMAND_LIST_TYPE_COMPUTE : D3D12_COMMAND_LIST_TYPE_COPY;
    D3D12_COMMAND_LIST_TYPE upload_type =
        gpu->upload_on_copy_queue ? D3D12_COMMAND_LIST_TYPE_COPY : D3D12_COMMAND_LIST_TYPE_COMPUTE;
    struct gpu_batch *batch;
    HRESULT hr;

    if ((batch = gpu->spare[lane]))
    {
        gpu->spare[lane] = batch->next;
        if (FAILED(hr = ID3D12CommandAllocator_Reset(batch->allocator)) ||
            FAILED(hr = ID3D12GraphicsCommandList_Reset(batch->list, batch->allocator, NULL)) ||
            (batch->upload_list &&
             (FAILED(hr = ID3D12CommandAllocator_Reset(batch->upload_allocator)) ||
              FAILED(hr = ID3D12GraphicsCommandList_Reset(batch->upload_list,
                                                          batch->upload_allocator, NULL)))))
        {
            ERR("Resetting a command list failed, hr %#lx.\n", hr);
            batch->next = gpu->spare[lane];
            gpu->spare[lane] = batch;
            return hr;
        }
    }
    else
    {
        if (!(batch = calloc(1, sizeof(*batch)))) return E_OUTOFMEMORY;
        if (FAILED(hr = ID3D12Device_CreateCommandAllocator(
                       device, type, &IID_ID3D12CommandAllocator, (void **)&batch->allocator)) ||
            FAILED(hr = ID3D12Device_CreateCommandList(device, 0, type, batch->allocator, NULL,
                                                       &IID_ID3D12GraphicsCommandList,
                                                       (void **)&batch->list)))
        {
            ERR("Cannot create a command list, hr %#lx.\n", hr);
            if (batch->allocator) ID3D12CommandAllocator_Release(batch->allocator);
            free(batch);
            return hr;
        }
        if (lane == LANE_COMPUTE &&
            (FAILED(hr = ID3D12Device_CreateCommandAllocator(device, upload_type,
                                                             &IID_ID3D12CommandAllocator,
                                                             (void **)&batch->upload_allocator)) ||
             FAILED(hr = ID3D12Device_CreateCommandList(
                        device, 0, upload_type, batch->upload_allocator, NULL,
                        &IID_ID3D12GraphicsCommandList, (void **)&batch->upload_list))))
        {
            ERR("Cannot create the command list for GDeflate uploads, hr %#lx.\n", hr);
            batch_free(batch);
            return hr;
        }
    }
    batch->next = NULL;
    batch->lane = lane;
    batch->state = BATCH_OPEN;
    batch->entries = batch->entries_tail = NULL;
    batch->copies = 0;
    batch->bytes = 0;
    batch->hr = S_OK;
    batch->wait_fence = NULL;
    batch->wait_value = 0;
    batch->wait_registered = FALSE;
    batch->pending_size = 0;
    batch->decode_count = 0;
    batch->decode_bytes = 0;
    batch->uploads = 0;
    batch->upload_fence_value = 0;
    batch->staging_released = FALSE;
    gpu_gdeflate_batch_reset(batch->decode);
    if (gpu->tail)
        gpu->tail->next = batch;
    else
        gpu->head = batch;
    gpu->tail = batch;
    *out = batch;
    return S_OK;
}

static void batch_append(struct gpu_batch *batch, struct queue_entry *entry)
{
    entry->next = NULL;
    if (batch->entries_tail)
        batch->entries_tail->next = entry;
    else
        batch->entries = entry;
    batch->entries_tail = entry;
}

/* The queue GDeflate uploads run on (DS_KIT_GDEFLATE_UPLOAD). */
static struct gpu_lane *upload_lane(struct queue_gpu *gpu)
{
    return &gpu->lanes[gpu->upload_on_copy_queue ? LANE_COPY : LANE_COMPUTE];
}

/* A COMPUTE batch's GDeflate upload, executed just before it (caller holds gpu->cs): its input
 * placed in the ring and copied there, on the COPY queue (beside the decodes of the batches before;
 * the batch's queue waits for it on the GPU) or first on the COMPUTE queue. FALSE while the ring is
 * full: the batch waits, and queue_gpu_poll tries again once a batch has retired. */
static BOOL execute_upload(struct queue_object *queue, struct queue_gpu *gpu,
                           struct gpu_batch *batch)
{
    struct gpu_lane *upload = upload_lane(gpu);
    BOOL wanted = SUCCEEDED(batch->hr) && batch->copies && batch->uploads;
    ID3D12CommandList *list = (ID3D12CommandList *)batch->upload_list;
    HRESULT hr;

    if (wanted && (hr = gpu_gdeflate_batch_upload(gpu->gdeflate, batch->decode, batch->upload_list,
                                                  queue_staging_resource(queue))) != S_OK)
    {
        if (hr == S_FALSE) return FALSE;
        batch->hr = hr;
        wanted = FALSE;
    }
    if (FAILED(hr = ID3D12GraphicsCommandList_Close(batch->upload_list)))
    {
        ERR("Recording the GDeflate uploads failed, hr %#lx.\n", hr);
        if (SUCCEEDED(batch->hr)) batch->hr = hr;
        wanted = FALSE;
    }
    if (!wanted) return TRUE;
    ID3D12CommandQueue_ExecuteCommandLists(upload->queue, 1, &list);
    if (FAILED(
            hr = ID3D12CommandQueue_Signal(upload->queue, upload->fence, ++upload->fence_value)) ||
        (upload != &gpu->lanes[batch->lane] &&
         FAILED(hr = ID3D12CommandQueue_Wait(gpu->lanes[batch->lane].queue, upload->fence,
                                             upload->fence_value))))
    {
        ERR("Ordering the GDeflate uploads before their decodes failed, hr %#lx.\n", hr);
        batch->hr = hr;
        return TRUE;
    }
    batch->upload_fence_value = upload->fence_value;
    TRACE("queue %p: GDeflate input of %u executions uploaded; input ring %s bytes in use.\n",
          queue, batch->uploads, debugstr_size(gpu_gdeflate_ring_used(gpu->gdeflate)));
    /* Its completion gives the staging regions back (queue_gpu_poll). */
    if (FAILED(hr = ID3D12Fence_SetEventOnCompletion(upload->fence, upload->fence_value,
                                                     queue->state->gpu_event)))
        ERR("SetEventOnCompletion failed, hr %#lx.\n", hr);
    return TRUE;
}

/* Executes the closed batches at the head of the waiting ones whose fence has passed. */
static void execute_ready(struct queue_object *queue, struct queue_gpu *gpu)
{
    HANDLE event = queue->state->gpu_event;
    struct gpu_batch *batch;
    struct gpu_lane *lane;
    ID3D12CommandList *list;
    HRESULT hr;

    for (batch = gpu->head; batch; batch = batch->next)
    {
        if (batch->state == BATCH_IN_FLIGHT) continue;
        if (batch->state != BATCH_WAITING || gpu->dropped) return;
        if (batch->wait_fence &&
            ID3D12Fence_GetCompletedValue(batch->wait_fence) < batch->wait_value)
        {
            if (!batch->wait_registered)
            {
                TRACE("queue %p: batch waits for fence %p to reach %s.\n", queue, batch->wait_fence,
                      wine_dbgstr_longlong(batch->wait_value));
                if (FAILED(hr = ID3D12Fence_SetEventOnCompletion(batch->wait_fence,
                                                                 batch->wait_value, event)))
                    ERR("SetEventOnCompletion on the application's fence failed, hr %#lx.\n", hr);
                batch->wait_registered = TRUE;
            }
            return;
        }
        lane = &gpu->lanes[batch->lane];
        if (batch->upload_list && !execute_upload(queue, gpu, batch)) return; /* ring full */
        if (SUCCEEDED(batch->hr) && batch->copies)
        {
            list = (ID3D12CommandList *)batch->list;
            ID3D12CommandQueue_ExecuteCommandLists(lane->queue, 1, &list);
        }
        if (FAILED(hr = ID3D12CommandQueue_Signal(lane->queue, lane->fence, ++lane->fence_value)))
        {
            ERR("Signal on the path's queue failed, hr %#lx.\n", hr);
            if (SUCCEEDED(batch->hr)) batch->hr = hr;
            ID3D12Fence_Signal(lane->fence, lane->fence_value);
        }
        batch->fence_value = lane->fence_value;
        batch->state = BATCH_IN_FLIGHT;
        TRACE("queue %p: batch of %u copies, %s bytes executed, fence value %s.\n", queue,
              batch->copies, debugstr_size(batch->bytes), wine_dbgstr_longlong(batch->fence_value));
        if (FAILED(hr = ID3D12Fence_SetEventOnCompletion(lane->fence, batch->fence_value, event)))
            ERR("SetEventOnCompletion failed, hr %#lx.\n", hr);
    }
}

static void record_pending(struct queue_object *queue, struct gpu_batch *batch)
{
    if (!batch->pending_size) return;
    ID3D12GraphicsCommandList_CopyBufferRegion(
        batch->list, batch->pending_dst, batch->pending_dst_offset, queue_staging_resource(queue),
        batch->pending_src_offset, batch->pending_size);
    batch->pending_size = 0;
}

static void record_copy(ID3D12GraphicsCommandList *list, ID3D12Resource *staging,
                        ID3D12Device *device, const struct queue_entry *entry, UINT64 base);

static UINT64 source_size(const DSTORAGE_REQUEST *request)
{
    return request->Options.SourceType == DSTORAGE_REQUEST_SOURCE_FILE
               ? request->Source.File.Size
               : request->Source.Memory.Size;
}

/* Records one meta command execution for the batch's waiting streams, then their copies out of
 * the decode buffer (caller holds gpu->cs). */
static void record_decodes(struct queue_object *queue, struct queue_gpu *gpu,
                           struct gpu_batch *batch)
{
    struct gpu_gdeflate_stream streams[GPU_GDEFLATE_MAX_STREAMS];
    ID3D12Device *device = queue->state->desc.Device;
    ID3D12Resource *output;
    UINT i;
    HRESULT hr;

    if (!batch->decode_count) return;
    output = gpu_gdeflate_output(gpu->gdeflate);
    record_pending(queue, batch);
    for (i = 0; i < batch->decode_count; ++i)
    {
        streams[i].input_offset = batch->decode_inputs[i];
        streams[i].input_size = source_size(&batch->decodes[i]->request);
        streams[i].output_offset = batch->decode_offsets[i];
    }
    if (FAILED(hr = gpu_gdeflate_record(gpu->gdeflate, batch->list, batch->decode, streams,
                                        batch->decode_count)))
    {
        ERR("Recording the GDeflate meta command failed, hr %#lx.\n", hr);
        if (SUCCEEDED(batch->hr)) batch->hr = hr;
    }
    else
    {
        for (i = 0; i < batch->decode_count; ++i)
            record_copy(batch->list, output, device, batch->decodes[i], batch->decode_offsets[i]);
        gpu_gdeflate_copies_done(gpu->gdeflate, batch->list);
        ++batch->uploads;
    }
    TRACE("queue %p: %u GDeflate streams decoded on the GPU in one execution (%s bytes).\n", queue,
          batch->decode_count, debugstr_size(batch->decode_bytes));
    batch->decode_count = 0;
    batch->decode_bytes = 0;
}

/* Closes the open batch (caller holds gpu->cs); it runs as soon as nothing before it waits. */
static void batch_close(struct queue_object *queue, struct queue_gpu *gpu)
{
    struct gpu_batch *batch = gpu->tail;
    HRESULT hr;

    if (!batch || batch->state != BATCH_OPEN) return;
    record_decodes(queue, gpu, batch);
    record_pending(queue, batch);
    if (FAILED(hr = ID3D12GraphicsCommandList_Close(batch->list)))
    {
        ERR("Recording the copies failed, hr %#lx; check the destination resources and their state "
            "(COMMON).\n",
            hr);
        if (SUCCEEDED(batch->hr)) batch->hr = hr;
    }
    batch->state = BATCH_WAITING;
    execute_ready(queue, gpu);
}

static void record_textures(ID3D12GraphicsCommandList *list, ID3D12Resource *staging,
                            ID3D12Device *device, ID3D12Resource *resource, UINT first, UINT count,
                            UINT64 base)
{
    D3D12_PLACED_SUBRESOURCE_FOOTPRINT footprints[64];
    D3D12_TEXTURE_COPY_LOCATION src = {.pResource = staging,
                                       .Type = D3D12_TEXTURE_COPY_TYPE_PLACED_FOOTPRINT};
    D3D12_TEXTURE_COPY_LOCATION dst = {.pResource = resource,
                                       .Type = D3D12_TEXTURE_COPY_TYPE_SUBRESOURCE_INDEX};
    D3D12_RESOURCE_DESC desc = resource_desc(resource);
    UINT done, n, i;

    for (done = 0; done < count; done += n)
    {
        n = min(count - done, ARRAY_SIZE(footprints));
        ID3D12Device_GetCopyableFootprints(device, &desc, first + done, n, base, footprints, NULL,
                                           NULL, NULL);
        /* GetCopyableFootprints numbers offsets from the first subresource of the whole request. */
        if (done)
        {
            UINT64 skipped = 0;
            ID3D12Device_GetCopyableFootprints(device, &desc, first, done, 0, NULL, NULL, NULL,
                                               &skipped);
            for (i = 0; i < n; ++i)
                footprints[i].Offset +=
                    (skipped + STAGING_ALIGNMENT - 1) & ~(UINT64)(STAGING_ALIGNMENT - 1);
        }
        for (i = 0; i < n; ++i)
        {
            src.PlacedFootprint = footprints[i];
            dst.SubresourceIndex = first + done + i;
            ID3D12GraphicsCommandList_CopyTextureRegion(list, &dst, 0, 0, 0, &src, NULL);
        }
    }
}

/* The copy of one request from `staging` (the staging buffer, or the decode buffer), whose bytes
 * start at base. */
static void record_copy(ID3D12GraphicsCommandList *list, ID3D12Resource *staging,
                        ID3D12Device *device, const struct queue_entry *entry, UINT64 base)
{
    const DSTORAGE_REQUEST *request = &entry->request;
    D3D12_RESOURCE_DESC desc;
    UINT first, count;

    switch (request->Options.DestinationType)
    {
    case DSTORAGE_REQUEST_DESTINATION_BUFFER:
        ID3D12GraphicsCommandList_CopyBufferRegion(list, request->Destination.Buffer.Resource,
                                                   request->Destination.Buffer.Offset, staging,
                                                   base, request->Destination.Buffer.Size);
        break;
    case DSTORAGE_REQUEST_DESTINATION_TEXTURE_REGION:
    {
        const DSTORAGE_DESTINATION_TEXTURE_REGION *texture = &request->Destination.Texture;
        D3D12_TEXTURE_COPY_LOCATION src = {.pResource = staging,
                                           .Type = D3D12_TEXTURE_COPY_TYPE_PLACED_FOOTPRINT};
        D3D12_TEXTURE_COPY_LOCATION dst = {.pResource = texture->Resource,
                                           .Type = D3D12_TEXTURE_COPY_TYPE_SUBRESOURCE_INDEX,
                                           .SubresourceIndex = texture->SubresourceIndex};

        desc = box_desc(texture->Resource, &texture->Region);
        ID3D12Device_GetCopyableFootprints(device, &desc, 0, 1, base, &src.PlacedFootprint, NULL,
                                           NULL, NULL);
        ID3D12GraphicsCommandList_CopyTextureRegion(list, &dst, texture->Region.left,
                                                    texture->Region.top, texture->Region.front,
                                                    &src, NULL);
        break;
    }
    case DSTORAGE_REQUEST_DESTINATION_MULTIPLE_SUBRESOURCES:
    case DSTORAGE_REQUEST_DESTINATION_MULTIPLE_SUBRESOURCES_RANGE:
        desc = resource_desc(request->Destination.MultipleSubresources.Resource);
        subresource_range(request, &desc, &first, &count);
        record_textures(list, staging, device, request->Destination.MultipleSubresources.Resource,
                        first, count, base);
        break;
    case DSTORAGE_REQUEST_DESTINATION_TILES:
        ID3D12GraphicsCommandList_CopyTiles(
            list, request->Destination.Tiles.Resource,
            &request->Destination.Tiles.TiledRegionStartCoordinate,
            &request->Destination.Tiles.TileRegionSize, staging, base,
            D3D12_TILE_COPY_FLAG_LINEAR_BUFFER_TO_SWIZZLED_TILED_RESOURCE);
        break;
    }
}

/* A stream read for the GPU decoder: its container must describe exactly the destination and lie
 * inside the bytes read, or the GPU would read and write outside the stream's ranges. */
static BOOL stream_checked(struct queue_object *queue, struct queue_entry *entry)
{
    const DSTORAGE_REQUEST *request = &entry->request;
    UINT64 size = request->Options.SourceType == DSTORAGE_REQUEST_SOURCE_FILE
                      ? request->Source.File.Size
                      : request->Source.Memory.Size;
    const char *problem;

    if (gdeflate_stream_check(queue_staging_data(queue, entry, NULL), size, entry->footprint_size,
                              &problem))
        return TRUE;
    WARN("request %s (%s): GDeflate stream not decoded: %s.\n", wine_dbgstr_longlong(entry->seq),
         debugstr_a(entry->name), problem);
    return FALSE;
}

/* A stream's room in the decode buffer (placed footprints start 512-byte aligned). */
static UINT64 decode_room(const struct queue_entry *entry)
{
    return (entry->footprint_size + STAGING_ALIGNMENT - 1) & ~(UINT64)(STAGING_ALIGNMENT - 1);
}

/* Whether the open COMPUTE batch can take one more decode (caller holds gpu->cs): the waiting
 * streams' execution, and the one the entry may have to start (when the decode buffer cannot take
 * it beside them), need control memory. */
static BOOL decode_fits(struct queue_gpu *gpu, const struct gpu_batch *batch,
                        const struct queue_entry *entry)
{
    UINT needed = 1;

    if (!batch->decode) return TRUE;
    if (batch->decode_count &&
        batch->decode_bytes + decode_room(entry) > gpu_gdeflate_output_size(gpu->gdeflate))
        ++needed;
    return gpu_gdeflate_batch_room(batch->decode) >= needed;
}

/* Caller holds gpu->cs and made sure of decode_fits. FALSE: no device memory for the meta command
 * (gpu_gdeflate_buffers said why) or no control memory. */
static BOOL add_decode(struct queue_object *queue, struct queue_gpu *gpu, struct gpu_batch *batch,
                       struct queue_entry *entry)
{
    if (FAILED(gpu_gdeflate_buffers(gpu->gdeflate, queue->state->desc.Device))) return FALSE;
    if (!batch->decode && !(batch->decode = gpu_gdeflate_batch_create(
                                gpu->gdeflate, queue->state->desc.Device, DECODE_BATCH_EXECUTIONS)))
        return FALSE;
    /* The decode buffer holds one execution's streams: a stream that does not fit beside those
     * waiting starts the next execution. */
    if (batch->decode_count &&
        batch->decode_bytes + decode_room(entry) > gpu_gdeflate_output_size(gpu->gdeflate))
        record_decodes(queue, gpu, batch);
    batch->decode_inputs[batch->decode_count] = gpu_gdeflate_batch_add_input(
        batch->decode, entry->staging_offset, source_size(&entry->request));
    batch->decode_offsets[batch->decode_count] = batch->decode_bytes;
    batch->decodes[batch->decode_count++] = entry;
    batch->decode_bytes += decode_room(entry);
    if (batch->decode_count == gpu_gdeflate_max_streams(gpu->gdeflate))
        record_decodes(queue, gpu, batch);
    return TRUE;
}

/* The COMPUTE batches executed and not retired (caller holds gpu->cs). */
static UINT decodes_in_flight(const struct queue_gpu *gpu)
{
    const struct gpu_batch *batch;
    UINT count = 0;

    for (batch = gpu->head; batch; batch = batch->next)
        count += batch->state == BATCH_IN_FLIGHT && batch->lane == LANE_COMPUTE;
    return count;
}

void queue_gpu_copy(struct queue_object *queue, struct queue_entry *entry, queue_gpu_done_fn done)
{
    struct queue_gpu *gpu = queue->state->gpu;
    ID3D12Device *device = queue->state->desc.Device;
    ID3D12Fence *wait = entry->flags & DSTORAGE_ENQUEUE_REQUEST_FLAG_FENCE_WAIT_BEFORE_GPU_WORK
                            ? entry->fence
                            : NULL;
    struct gpu_batch *batch;
    HRESULT hr;

    entry->gpu_done = done;
    if (!gpu || !queue_staging_resource(queue))
    {
        done(queue, entry, E_FAIL);
        return;
    }
    if (entry->gpu_decode && !stream_checked(queue, entry))
    {
        done(queue, entry, E_DSTORAGE_DECOMPRESSION_ERROR);
        return;
    }
    EnterCriticalSection(&gpu->cs);
    if (gpu->dropped)
    {
        LeaveCriticalSection(&gpu->cs);
        done(queue, entry, E_DSTORAGE_QUEUE_CLOSED);
        return;
    }
    batch = gpu->tail && gpu->tail->state == BATCH_OPEN ? gpu->tail : NULL;
    /* A decode needs a COMPUTE batch with control memory left; a plain copy goes into whichever
     * batch is open. */
    if (batch && entry->gpu_decode &&
        (batch->lane != LANE_COMPUTE || !decode_fits(gpu, batch, entry)))
    {
        batch_close(queue, gpu);
        batch = NULL;
    }
    if (wait && ID3D12Fence_GetCompletedValue(wait) < entry->fence_value)
    {
        /* This copy and everything after it wait for the application's fence. */
        if (batch && batch->wait_fence != wait)
        {
            batch_close(queue, gpu);
            batch = NULL;
        }
    }
    else
        wait = NULL;
    if (!batch &&
        FAILED(hr = batch_open(device, gpu, entry->gpu_decode ? LANE_COMPUTE : LANE_COPY, &batch)))
    {
        LeaveCriticalSection(&gpu->cs);
        done(queue, entry, hr);
        return;
    }
    if (wait)
    {
        if (!batch->wait_fence) ID3D12Fence_AddRef(batch->wait_fence = wait);
        batch->wait_value = max(batch->wait_value, entry->fence_value);
    }
    if (entry->gpu_decode)
    {
        if (!add_decode(queue, gpu, batch, entry))
        {
            LeaveCriticalSection(&gpu->cs);
            done(queue, entry, E_OUTOFMEMORY);
            return;
        }
    }
    else if (entry->request.Options.DestinationType == DSTORAGE_REQUEST_DESTINATION_BUFFER)
    {
        const DSTORAGE_DESTINATION_BUFFER *dst = &entry->request.Destination.Buffer;

        if (batch->pending_size && batch->pending_dst == dst->Resource &&
            batch->pending_dst_offset + batch->pending_size == dst->Offset &&
            batch->pending_src_offset + batch->pending_size == entry->staging_offset)
            batch->pending_size += dst->Size;
        else
        {
            record_pending(queue, batch);
            batch->pending_dst = dst->Resource;
            batch->pending_dst_offset = dst->Offset;
            batch->pending_src_offset = entry->staging_offset;
            batch->pending_size = dst->Size;
        }
    }
    else
    {
        record_pending(queue, batch);
        record_copy(batch->list, queue_staging_resource(queue), device, entry,
                    entry->staging_offset);
    }
    batch_append(batch, entry);
    ++batch->copies;
    batch->bytes += entry->staging_size;
    if (batch->lane == LANE_COMPUTE
            ? batch->copies >= DECODE_BATCH_MAX_COPIES || batch->bytes >= gpu->decode_flush_bytes
            : batch->copies >= BATCH_MAX_COPIES || batch->bytes >= gpu->flush_bytes)
        batch_close(queue, gpu);
    LeaveCriticalSection(&gpu->cs);
}

void queue_gpu_after_copies(struct queue_object *queue, struct queue_entry *marker,
                            queue_gpu_done_fn done)
{
    struct queue_gpu *gpu = queue->state->gpu;

    marker->gpu_done = done;
    if (gpu)
    {
        EnterCriticalSection(&gpu->cs);
        if (gpu->tail && !(gpu->tail->state == BATCH_OPEN && !gpu->tail->entries))
        {
            batch_append(gpu->tail, marker);
            batch_close(queue, gpu);
            LeaveCriticalSection(&gpu->cs);
            return;
        }
        LeaveCriticalSection(&gpu->cs);
    }
    done(queue, marker, S_OK);
}

/* Whether the open batch should be executed now (caller holds gpu->cs): a COPY batch always; a
 * COMPUTE batch only while fewer than DECODES_IN_FLIGHT are in flight. Else it is executed when one
 * of those retires (queue_gpu_poll): it never waits for anything but the GPU. */
static BOOL open_batch_due(const struct queue_gpu *gpu)
{
    const struct gpu_batch *batch = gpu->tail;

    if (!batch || batch->state != BATCH_OPEN || !batch->entries) return FALSE;
    return batch->lane != LANE_COMPUTE || decodes_in_flight(gpu) < DECODES_IN_FLIGHT;
}

void queue_gpu_flush(struct queue_object *queue)
{
    struct queue_gpu *gpu = queue->state->gpu;

    if (!gpu) return;
    EnterCriticalSection(&gpu->cs);
    if (open_batch_due(gpu)) batch_close(queue, gpu);
    LeaveCriticalSection(&gpu->cs);
}

/* Takes the retired batches off the list (caller holds gpu->cs); all of them with force. */
static struct gpu_batch *take_retired(struct queue_gpu *gpu, BOOL force)
{
    UINT64 completed[LANE_COUNT] = {0};
    struct gpu_batch *list = NULL, **tail = &list, *batch;
    UINT i;

    for (i = 0; i < LANE_COUNT; ++i)
        if (gpu->lanes[i].fence) completed[i] = ID3D12Fence_GetCompletedValue(gpu->lanes[i].fence);
    /* In the order they were opened: a batch retires only after every batch before it. */
    while ((batch = gpu->head) && (force || (batch->state == BATCH_IN_FLIGHT &&
                                             batch->fence_value <= completed[batch->lane])))
    {
        if (!(gpu->head = batch->next)) gpu->tail = NULL;
        batch->next = NULL;
        if (gpu->gdeflate) gpu_gdeflate_batch_retire(gpu->gdeflate, batch->decode);
        *tail = batch;
        tail = &batch->next;
    }
    return list;
}

/* Runs the callbacks of retired batches in order (without gpu->cs), then keeps them as spares. */
static void finish_batches(struct queue_object *queue, struct queue_gpu *gpu,
                           struct gpu_batch *list, HRESULT dropped_hr)
{
    struct queue_entry *entry, *next;
    struct gpu_batch *batch;
    HRESULT hr;

    for (batch = list; batch; batch = batch->next)
    {
        hr = batch->state == BATCH_IN_FLIGHT ? batch->hr : dropped_hr;
        for (entry = batch->entries; entry; entry = next)
        {
            next = entry->next;
            entry->next = NULL;
            entry->gpu_done(queue, entry, hr);
        }
        batch->entries = batch->entries_tail = NULL;
        if (batch->wait_fence) ID3D12Fence_Release(batch->wait_fence);
        batch->wait_fence = NULL;
    }
    EnterCriticalSection(&gpu->cs);
    while ((batch = list))
    {
        list = batch->next;
        /* Lists of a batch that was never executed are still open (an upload list is closed
         * when its batch is executed). */
        if (batch->state == BATCH_OPEN) ID3D12GraphicsCommandList_Close(batch->list);
        if (batch->state != BATCH_IN_FLIGHT && batch->upload_list)
            ID3D12GraphicsCommandList_Close(batch->upload_list);
        batch->next = gpu->spare[batch->lane];
        gpu->spare[batch->lane] = batch;
    }
    LeaveCriticalSection(&gpu->cs);
}

/* The staging regions of streams whose upload into the input ring has completed are free again,
 * while the GPU still decodes them from there (caller holds gpu->cs). */
static void release_uploaded(struct queue_object *queue, struct queue_gpu *gpu)
{
    struct gpu_lane *upload = upload_lane(gpu);
    struct queue_entry *entry;
    struct gpu_batch *batch;
    UINT64 completed;
    UINT count;

    if (!gpu->gdeflate) return;
    completed = ID3D12Fence_GetCompletedValue(upload->fence);
    for (batch = gpu->head; batch; batch = batch->next)
    {
        if (batch->state != BATCH_IN_FLIGHT || batch->staging_released ||
            !batch->upload_fence_value || batch->upload_fence_value > completed)
            continue;
        for (count = 0, entry = batch->entries; entry; entry = entry->next)
        {
            if (entry->kind != ENTRY_REQUEST || !entry->gpu_decode || !entry->staging_size)
                continue;
            queue_staging_release(queue, entry);
            ++count;
        }
        batch->staging_released = TRUE;
        TRACE("queue %p: staging of %u GDeflate streams free once uploaded (fence value %s).\n",
              queue, count, wine_dbgstr_longlong(batch->upload_fence_value));
    }
}

void queue_gpu_poll(struct queue_object *queue)
{
    struct queue_gpu *gpu =
        InterlockedCompareExchangePointer((void **)&queue->state->gpu, NULL, NULL);
    struct gpu_batch *retired;

    if (!gpu) return;
    EnterCriticalSection(&gpu->cs);
    release_uploaded(queue, gpu);
    retired = take_retired(gpu, FALSE);
    /* A COMPUTE batch kept open by queue_gpu_flush runs once fewer decodes are in flight. */
    if (retired && !gpu->dropped && gpu->tail && gpu->tail->lane == LANE_COMPUTE &&
        open_batch_due(gpu))
        batch_close(queue, gpu);
    execute_ready(queue, gpu);
    LeaveCriticalSection(&gpu->cs);
    if (retired) finish_batches(queue, gpu, retired, S_OK);
}

/* Close: the batches that wait for the application's fence are dropped, never executed; what is in
 * flight finishes on the GPU and retires through queue_gpu_poll or queue_gpu_destroy. */
void queue_gpu_close(struct queue_object *queue)
{
    struct queue_gpu *gpu = queue->state->gpu;
    struct gpu_batch *dropped = NULL, **link, *batch;

    if (!gpu) return;
    EnterCriticalSection(&gpu->cs);
    gpu->dropped = TRUE;
    for (link = &gpu->head; (batch = *link);)
    {
        if (batch->state == BATCH_IN_FLIGHT)
        {
            link = &batch->next;
            continue;
        }
        *link = NULL; /* everything from here on was never executed */
        gpu->tail = link == &gpu->head ? NULL : CONTAINING_RECORD(link, struct gpu_batch, next);
        dropped = batch;
        break;
    }
    LeaveCriticalSection(&gpu->cs);
    if (dropped)
    {
        TRACE("queue %p closed: copies that were not executed yet are dropped.\n", queue);
        finish_batches(queue, gpu, dropped, E_DSTORAGE_QUEUE_CLOSED);
    }
}

/* After the queue's threads are gone. Waits (bounded) for the copies in flight, which read the
 * staging buffer; what never got there is dropped. */
/* Waits (bounded) for what was executed on a lane; FALSE when it is still running. */
static BOOL lane_wait(struct gpu_lane *lane)
{
    HANDLE event;
    BOOL done;

    if (!lane->fence || ID3D12Fence_GetCompletedValue(lane->fence) >= lane->fence_value)
        return TRUE;
    event = CreateEventW(NULL, FALSE, FALSE, NULL);
    if (SUCCEEDED(ID3D12Fence_SetEventOnCompletion(lane->fence, lane->fence_value, event)))
        WaitForSingleObject(event, DESTROY_WAIT_MS);
    done = ID3D12Fence_GetCompletedValue(lane->fence) >= lane->fence_value;
    if (done) CloseHandle(event); /* else a registration may still set it: leaked */
    return done;
}

void queue_gpu_destroy(struct queue_object *queue)
{
    struct queue_gpu *gpu = queue->state->gpu;
    struct gpu_batch *batch, *all;
    BOOL leak = FALSE;
    UINT i;

    if (!gpu) return;
    queue_gpu_close(queue);
    for (i = 0; i < LANE_COUNT; ++i)
    {
        if (lane_wait(&gpu->lanes[i])) continue;
        ERR("queue %p: copies still running after %u ms; their staging buffer and lists are "
            "left alive.\n",
            queue, DESTROY_WAIT_MS);
        leak = TRUE;
    }
    EnterCriticalSection(&gpu->cs);
    all = take_retired(gpu, TRUE);
    LeaveCriticalSection(&gpu->cs);
    finish_batches(queue, gpu, all, S_OK);
    if (leak) return;
    for (i = 0; i < LANE_COUNT; ++i)
    {
        while ((batch = gpu->spare[i]))
        {
            gpu->spare[i] = batch->next;
            batch_free(batch);
        }
        lane_destroy(&gpu->lanes[i]);
    }
    gpu_gdeflate_destroy(gpu->gdeflate);
    DeleteCriticalSection(&gpu->cs);
    free(gpu);
    queue->state->gpu = NULL;
    queue_staging_destroy(queue);
}
