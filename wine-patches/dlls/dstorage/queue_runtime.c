/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Handing entries to the runtime (the queue_enqueue, queue_enqueue_status/signal and queue_submit
 * Unix calls), in order, ENQUEUE_BATCH requests a call. A GPU destination takes its staging region
 * here, when it leaves for the runtime, never earlier: when there is no room, queue_batch_add says
 * so and the caller holds the entry back (queue_gate.c) instead of blocking.
 */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

static void send_requests(struct queue_object *queue, struct unix_request *reqs,
                          struct queue_entry **entries, UINT count)
{
    struct queue_enqueue_params params;
    UINT done = 0, i;
    HRESULT hr;

    while (done < count)
    {
        params = (struct queue_enqueue_params){
            .queue = queue->handle, .requests = reqs + done, .count = count - done};
        if (FAILED(hr = dstorage_unix_call(unix_queue_enqueue, &params))) params.result = hr;
        for (i = done; i < done + params.enqueued; ++i)
        {
            if (i == done + params.enqueued - 1 && FAILED(params.result))
                entries[i]->invalid = params.result;
            WriteRelease(&entries[i]->ready, 1);
        }
        done += params.enqueued;
        if (FAILED(params.result) && done < count &&
            (params.result == E_DSTORAGE_QUEUE_CLOSED || params.enqueued == 0 ||
             entries[done - 1]->invalid != params.result))
        {
            /* The queue refused the rest (closed): they fail here. */
            for (i = done; i < count; ++i)
                queue_entry_reject(queue, entries[i], params.result, DSTORAGE_COMMAND_TYPE_REQUEST);
            return;
        }
    }
}

/* GPU destinations (custom formats into them included) take a region of the staging buffer as they
 * leave for the runtime. S_FALSE: no room now (nothing was done). */
static UINT64 source_size(const DSTORAGE_REQUEST *request)
{
    return request->Options.SourceType == DSTORAGE_REQUEST_SOURCE_FILE
               ? request->Source.File.Size
               : request->Source.Memory.Size;
}

static HRESULT stage(struct queue_object *queue, struct queue_entry *entry)
{
    UINT64 size = entry->footprint_size;
    HRESULT hr;

    if (!custom_format(&entry->request) && gpu_vulkan_buffer(queue, entry))
    {
        entry->gpu_decode = FALSE; /* the runtime decodes it on this path */
        return S_OK;               /* straight into its VkBuffer */
    }
    /* Decoded on the GPU: the region holds the compressed bytes only (the decoded ones go to the
     * decode buffer, laid out per execution: gpu_gdeflate.c). A stream larger than the staging
     * buffer (incompressible data) is decoded on the CPU instead, which needs room for the decoded
     * bytes; so is one that decodes to more than the staging size (the decode buffer is never
     * smaller), which then fails as oversized like any such request. */
    if (entry->gpu_decode && size && !entry->staging_size)
    {
        if (source_size(&entry->request) > dstorage_process.staging_buffer_size ||
            size > dstorage_process.staging_buffer_size)
            entry->gpu_decode = FALSE;
        else
            size = max(source_size(&entry->request), 1);
    }
    if (entry->staging_size || entry->staging_failed || !size ||
        size > dstorage_process.staging_buffer_size)
        return S_OK; /* nothing to reserve; an oversized request fails validation */
    if ((hr = queue_staging_reserve(queue, entry, size)) == S_FALSE) return S_FALSE;
    if (FAILED(hr)) entry->staging_failed = TRUE;
    return S_OK;
}

static void build_request(struct queue_object *queue, struct queue_entry *entry,
                          struct unix_request *req)
{
    const DSTORAGE_REQUEST *request = &entry->request;
    UINT64 size;

    memset(req, 0, sizeof(*req));
    req->request = *request;
    req->file = file_unix_handle(entry->file);
    req->user_data = (UINT64)(ULONG_PTR)entry;
    req->footprint_size = entry->footprint_size;
    req->pe_check = entry->pe_check;
    if (custom_format(request))
    {
        /* The runtime reads the compressed bytes into a buffer of ours (custom.c); the application
         * decompresses into the destination (memory, or the GPU destination's staging region).
         * Without a buffer the Unix side fails the request (rule custom_compression). */
        size = source_size(request);
        if (!entry->custom_buffer && !entry->staging_failed)
            entry->custom_buffer = malloc(size ? size : 1);
        req->staging = (UINT64)(ULONG_PTR)entry->custom_buffer;
        /* GDeflate handed to the application (DSTORAGE_DISABLE_BUILTIN_CPU_DECOMPRESSION): the Unix
         * side reads it as it reads a custom format, and does not decode it. */
        if (request->Options.CompressionFormat < DSTORAGE_CUSTOM_COMPRESSION_0)
            req->request.Options.CompressionFormat = DSTORAGE_CUSTOM_COMPRESSION_0;
    }
    else if (entry->staging_size)
    {
        req->staging = (UINT64)(ULONG_PTR)queue_staging_data(queue, entry, NULL);
        /* Decoded on the GPU: the Unix side reads the compressed bytes as they are (as it reads a
         * custom format) into the staging region. */
        if (entry->gpu_decode)
            req->request.Options.CompressionFormat = DSTORAGE_CUSTOM_COMPRESSION_0;
    }
    else if (gpu_vulkan_buffer(queue, entry))
        gpu_vulkan_resolve(queue, entry, req);
    /* GPU path vulkan: its backend leaves GACL shuffles alone; the module undoes them. */
    if (entry->gacl_by_module) req->request.Options.GaclTransformType = 0;
}

HRESULT queue_batch_add(struct queue_object *queue, struct queue_batch *batch,
                        struct queue_entry *entry)
{
    gpu_vulkan_mark_gacl(queue, entry);
    if (stage(queue, entry) == S_FALSE) return S_FALSE;
    build_request(queue, entry, &batch->reqs[batch->count]);
    batch->entries[batch->count++] = entry;
    if (batch->count == ENQUEUE_BATCH) queue_batch_flush(queue, batch);
    return S_OK;
}

void queue_batch_flush(struct queue_object *queue, struct queue_batch *batch)
{
    if (batch->count) send_requests(queue, batch->reqs, batch->entries, batch->count);
    batch->count = 0;
}

void queue_submit_runtime(struct queue_object *queue)
{
    struct queue_submit_params params = {.queue = queue->handle};

    dstorage_unix_call(unix_queue_submit, &params);
}

void queue_send_marker(struct queue_object *queue, struct queue_entry *entry)
{
    struct queue_enqueue_signal_params signal = {.queue = queue->handle,
                                                 .user_data = (UINT64)(ULONG_PTR)entry};
    struct queue_enqueue_status_params status = {.queue = queue->handle,
                                                 .user_data = (UINT64)(ULONG_PTR)entry};
    static const DSTORAGE_COMMAND_TYPE types[] = {[ENTRY_STATUS] = DSTORAGE_COMMAND_TYPE_STATUS,
                                                  [ENTRY_SIGNAL] = DSTORAGE_COMMAND_TYPE_SIGNAL,
                                                  [ENTRY_EVENT] = DSTORAGE_COMMAND_TYPE_EVENT};
    INT32 result;

    WriteRelease(&entry->ready, 1);
    if (entry->kind == ENTRY_STATUS)
    {
        dstorage_unix_call(unix_queue_enqueue_status, &status);
        result = status.result;
    }
    else
    {
        dstorage_unix_call(unix_queue_enqueue_signal, &signal);
        result = signal.result;
    }
    if (result) queue_entry_reject(queue, entry, E_DSTORAGE_QUEUE_CLOSED, types[entry->kind]);
}
