#if 0
#pragma makedep unix
#endif
/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Unix side of a queue: ds-runtime queue creation, request translation and enqueue, and the
 * blocking wait the PE completion thread sits in.
 *
 * A request that fails validation still takes its slot: it is enqueued as a zero-size read that
 * the runtime completes with DS_STATUS_INVALID_REQUEST, so status entries, signals and events
 * after it keep the reference's ordering. queue_enqueue stops after such a request and reports
 * its HRESULT; 'enqueued' then counts it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ntstatus.h"
#define WIN32_NO_STATUS
#include "windef.h"
#include "winbase.h"
#include "winternl.h"
#include "unix_private_gen.h"
#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

NTSTATUS queue_create(void *args)
{
    struct queue_create_params *params = args;
    ds_queue_desc desc = {.capacity = params->capacity, .auto_submit = 1};
    struct unix_queue *object;
    ds_result res;

    if (!(object = calloc(1, sizeof(*object)))) return STATUS_NO_MEMORY;
    if ((res = ds_queue_create(unix_backend_from_handle(params->backend)->backend, &desc,
                               &object->queue)) != DS_OK)
    {
        ERR("ds_queue_create(capacity %u) failed: %d.\n", params->capacity, res);
        free(object);
        params->result = res == DS_ERR_NO_MEMORY ? E_OUTOFMEMORY : E_FAIL;
        return STATUS_SUCCESS;
    }
    object->caps = params->caps;
    params->queue = unix_queue_to_handle(object);
    params->result = S_OK;
    return STATUS_SUCCESS;
}

NTSTATUS queue_destroy(void *args)
{
    struct queue_destroy_params *params = args;
    struct unix_queue *object = unix_queue_from_handle(params->queue);

    if (!object) return STATUS_SUCCESS;
    ds_queue_destroy(object->queue);
    free(object);
    return STATUS_SUCCESS;
}

static ds_result enqueue_placeholder(ds_queue *queue, UINT64 user_data)
{
    ds_request placeholder = {.op = DS_OP_READ,
                              .source = DS_SOURCE_MEMORY,
                              .memory = DS_MEMORY_HOST,
                              .fd = -1,
                              .size = 0,
                              .user_data = user_data};

    return ds_queue_enqueue(queue, &placeholder);
}

NTSTATUS queue_enqueue(void *args)
{
    struct queue_enqueue_params *params = args;
    struct unix_queue *object = unix_queue_from_handle(params->queue);
    const struct unix_request *req;
    const char *rule;
    ds_request out;
    ds_result res;
    HRESULT hr;
    UINT32 i;
    int fd;

    params->result = S_OK;
    for (i = 0; i < params->count; ++i)
    {
        req = &params->requests[i];
        fd = -1;
        if (req->request.Options.SourceType == DSTORAGE_REQUEST_SOURCE_FILE && req->file)
            fd = __atomic_load_n(&unix_file_from_handle(req->file)->fd, __ATOMIC_SEQ_CST);
        if (FAILED(hr = dstorage_check_request(req, &object->caps, fd, &rule)))
        {
            TRACE("request %u fails rule %s, hr %#x.\n", i, rule, (unsigned int)hr);
            res = enqueue_placeholder(object->queue, req->user_data);
            params->result = res == DS_ERR_QUEUE_CLOSED ? E_DSTORAGE_QUEUE_CLOSED : hr;
            params->enqueued = res == DS_OK ? i + 1 : i;
            return STATUS_SUCCESS;
        }
        dstorage_translate_request(req, &object->caps, fd, &out);
        if (req->request.Options.CompressionFormat >= DSTORAGE_CUSTOM_COMPRESSION_0)
        {
            /* Custom format (validation made sure the PE side gave a buffer): read the compressed
             * bytes as they are into that buffer; the application decompresses them through the
             * custom decompression queue, into the memory destination or into a GPU destination's
             * staging region, which the PE side then copies from. */
            out.memory = DS_MEMORY_HOST;
            out.compression = DS_COMPRESSION_NONE;
            out.transform = DS_TRANSFORM_NONE; /* rule gacl_with_application_decompression */
            out.uncompressed_size = out.size;
            out.dst = (void *)(ULONG_PTR)req->staging;
            out.gpu_buffer = out.gpu_offset = out.gpu_buffer_size = 0;
        }
        else if (req->staging)
        {
            /* D3D12 path: read into the mapped upload-heap region; the PE side records the copy. */
            out.memory = DS_MEMORY_HOST;
            out.dst = (void *)(ULONG_PTR)req->staging;
            out.gpu_buffer = out.gpu_offset = out.gpu_buffer_size = 0;
        }
        if ((res = ds_queue_enqueue(object->queue, &out)) != DS_OK)
        {
            params->result = res == DS_ERR_QUEUE_CLOSED ? E_DSTORAGE_QUEUE_CLOSED : E_FAIL;
            params->enqueued = i;
            return STATUS_SUCCESS;
        }
    }
    params->enqueued = params->count;
    return STATUS_SUCCESS;
}

NTSTATUS queue_wait(void *args)
{
    struct queue_wait_params *params = args;
    struct unix_queue *object = unix_queue_from_handle(params->queue);
    size_t count = 0;
    ds_result res;

    res = ds_queue_wait(object->queue, (ds_completion *)params->completions, params->max, &count,
                        params->timeout_ns);
    params->count = res == DS_OK ? count : 0;
    params->closed = res == DS_ERR_QUEUE_CLOSED;
    return STATUS_SUCCESS;
}

NTSTATUS queue_query(void *args)
{
    struct queue_query_params *params = args;
    ds_queue_info info;

    ds_queue_get_info(unix_queue_from_handle(params->queue)->queue, &info);
    params->empty_slots = info.empty_slots;
    params->until_auto_submit = info.until_auto_submit;
    return STATUS_SUCCESS;
}

NTSTATUS queue_get_stats(void *args)
{
    struct queue_get_stats_params *params = args;

    ds_queue_get_stats(unix_queue_from_handle(params->queue)->queue,
                       (ds_queue_stats *)&params->stats);
    return STATUS_SUCCESS;
}

/* GPU path d3d12 and queues without a device: GDeflate and Zstandard are decoded on the CPU (into
 * memory destinations, or into the staging buffer that GPU destinations are copied from):
 * CPU_FALLBACK; where the D3D12 meta command decodes GDeflate into GPU destinations (caps
 * meta_gdeflate, gpu_gdeflate.c): GPU_OPTIMIZED | USES_COMPUTE_QUEUE. GPU path vulkan: GDeflate
 * into GPU buffers is decoded by the driver's VK_NV_memory_decompression where vkd3d-proton's
 * device has it (caps gpu_gdeflate 2): GPU_OPTIMIZED | USES_COMPUTE_QUEUE; else by the runtime's
 * own compute shader (the fallback shader, gpu_gdeflate 1): GPU_FALLBACK | USES_COMPUTE_QUEUE
 * (memory and texture destinations are still decoded on the CPU). Other formats: NONE. */
NTSTATUS queue_get_compression_support(void *args)
{
    struct queue_get_compression_support_params *params = args;
    struct unix_queue *object = unix_queue_from_handle(params->queue);
    BOOL decoded =
        (params->format == DSTORAGE_COMPRESSION_FORMAT_GDEFLATE && object->caps.gdeflate) ||
        (params->format == DSTORAGE_COMPRESSION_FORMAT_ZSTD && object->caps.zstd);

    if (!decoded)
        params->support = DSTORAGE_COMPRESSION_SUPPORT_NONE;
    else if (params->format == DSTORAGE_COMPRESSION_FORMAT_GDEFLATE &&
             (object->caps.meta_gdeflate || object->caps.gpu_gdeflate == 2))
        params->support = DSTORAGE_COMPRESSION_SUPPORT_GPU_OPTIMIZED |
                          DSTORAGE_COMPRESSION_SUPPORT_USES_COMPUTE_QUEUE;
    else if (params->format == DSTORAGE_COMPRESSION_FORMAT_GDEFLATE && object->caps.gpu_gdeflate)
        params->support = DSTORAGE_COMPRESSION_SUPPORT_GPU_FALLBACK |
                          DSTORAGE_COMPRESSION_SUPPORT_USES_COMPUTE_QUEUE;
    else
        params->support = DSTORAGE_COMPRESSION_SUPPORT_CPU_FALLBACK;
    return STATUS_SUCCESS;
}
