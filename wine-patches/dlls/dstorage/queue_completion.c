/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The completion thread of a queue. It is created with CreateThread, so it is a Wine thread and
 * may make wineserver calls (SetEvent) and COM calls (ID3D12Fence_Signal); it blocks in the
 * queue_wait Unix call and handles completions in the order the runtime delivers them. The runtime
 * delivers a status or signal entry only after every entry enqueued before it. A GPU destination's
 * copy is recorded into the open GPU batch (queue_gpu.c) and the request completes when that batch
 * has completed; a marker waits behind the newest batch, then behind outstanding custom requests
 * (custom.c). After each round of completions the open batch is executed. Nothing here waits for
 * a fence.
 */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

#define WAIT_BATCH 64

/* ds_runtime.h's ds_status values, as unix_completion carries them (the PE side does not include
 * the runtime's header). */
enum
{
    DS_STATUS_OK,
    DS_STATUS_IO_ERROR,
    DS_STATUS_END_OF_FILE,
    DS_STATUS_CANCELLED,
    DS_STATUS_INVALID_REQUEST,
    DS_STATUS_UNSUPPORTED,
    DS_STATUS_DEVICE_ERROR
};

static HRESULT request_result(const struct queue_entry *entry, const struct unix_completion *c)
{
    switch (c->status)
    {
    case DS_STATUS_OK:
    case DS_STATUS_CANCELLED: /* a cancelled request is not a failure */
        return S_OK;
    case DS_STATUS_END_OF_FILE:
        return E_DSTORAGE_END_OF_FILE;
    case DS_STATUS_INVALID_REQUEST:
        return FAILED(entry->invalid) ? entry->invalid : E_INVALIDARG;
    case DS_STATUS_UNSUPPORTED:
        return E_DSTORAGE_DECOMPRESSION_ERROR;
    case DS_STATUS_IO_ERROR:
        /* The CPU backend reports a GDeflate or Zstandard stream it cannot decode (or one whose
         * size differs from UncompressedSize) as EBADMSG. */
        if ((entry->request.Options.CompressionFormat == DSTORAGE_COMPRESSION_FORMAT_GDEFLATE ||
             entry->request.Options.CompressionFormat == DSTORAGE_COMPRESSION_FORMAT_ZSTD) &&
            c->error == 74 /* EBADMSG */)
            return E_DSTORAGE_DECOMPRESSION_ERROR;
        if (c->error == 14 /* EFAULT: an application pointer the runtime cannot reach */)
            return E_DSTORAGE_ACCESS_VIOLATION;
        return c->error == 9 /* EBADF: closed under us */ ? E_DSTORAGE_FILE_NOT_OPEN
                                                          : HRESULT_FROM_WIN32(ERROR_READ_FAULT);
    default:
        return E_FAIL;
    }
}

/* dropped: cancelled, or dropped by Close; it neither completes nor fails. */
static void request_done(struct queue_object *queue, struct queue_entry *entry, HRESULT hr,
                         UINT64 bytes, BOOL dropped)
{
    TRACE("request %s (%s) done: %s bytes, hr %#lx.\n", wine_dbgstr_longlong(entry->seq),
          debugstr_a(entry->name), debugstr_size(bytes), hr);
    if (!dropped)
        stats_request_done(&queue->state->stats, &entry->request, hr, bytes,
                           entry->gpu_decode ? DECODED_BY_GPU : DECODED_BY_RUNTIME);
    if (FAILED(hr) && !ReadAcquire((LONG *)&queue->state->closed))
    {
        queue_add_failure(queue->state, entry->seq, hr);
        queue_record_failure(queue, hr, DSTORAGE_COMMAND_TYPE_REQUEST, entry);
    }
    queue_entry_free(queue, entry);
}

/* queue_gpu_done_fn of a request's copy. */
static void request_copied(struct queue_object *queue, struct queue_entry *entry, HRESULT hr)
{
    if (hr == E_DSTORAGE_QUEUE_CLOSED) /* dropped by Close: nothing completes, nothing fails */
        request_done(queue, entry, S_OK, 0, TRUE);
    else
        request_done(queue, entry, hr, entry->footprint_size, FALSE);
}

/* queue_gpu_done_fn of a marker: the copies before it are done. */
static void marker_after_copies(struct queue_object *queue, struct queue_entry *entry, HRESULT hr)
{
    custom_marker(queue, entry);
}

static void queue_complete(struct queue_object *queue, const struct unix_completion *c)
{
    struct queue_entry *entry = (struct queue_entry *)(ULONG_PTR)c->user_data;
    BOOL closed = ReadAcquire((LONG *)&queue->state->closed);
    HRESULT hr;

    while (!ReadAcquire(&entry->ready)) YieldProcessor();

    if (entry->kind != ENTRY_REQUEST)
    {
        queue_gpu_after_copies(queue, entry, marker_after_copies);
        return;
    }
    hr = request_result(entry, c);
    if (SUCCEEDED(hr) && c->status == DS_STATUS_OK && !closed &&
        FAILED(hr = gpu_vulkan_undo_gacl(queue, entry, c->bytes)))
    {
        request_done(queue, entry, hr, 0, FALSE);
        return;
    }
    if (SUCCEEDED(hr) && c->status == DS_STATUS_OK && !closed)
    {
        /* Read into the module's buffer: the application decompresses it (custom.c), into the
         * destination or, for a GPU destination, into its staging region. */
        if (entry->custom_buffer)
        {
            custom_submit(queue, entry);
            return;
        }
        if (entry->staging_size)
        {
            queue_gpu_copy(queue, entry, request_copied);
            return;
        }
    }
    request_done(queue, entry, hr, c->bytes, c->status == DS_STATUS_CANCELLED);
}

DWORD WINAPI queue_completion_thread(void *arg)
{
    struct queue_object *queue = arg;
    struct unix_completion completions[WAIT_BATCH];
    struct queue_wait_params params;
    UINT32 i;

    TRACE("queue %p: completion thread started.\n", queue);
    for (;;)
    {
        params = (struct queue_wait_params){.queue = queue->handle,
                                            .completions = completions,
                                            .max = WAIT_BATCH,
                                            .timeout_ns = ~(UINT64)0};
        if (FAILED(dstorage_unix_call(unix_queue_wait, &params))) break;
        if (params.count) stats_completion_round(&queue->state->stats);
        for (i = 0; i < params.count; ++i) queue_complete(queue, &completions[i]);
        queue_gpu_flush(queue);
        if (params.closed) break;
    }
    TRACE("queue %p: completion thread done.\n", queue);
    return 0;
}
