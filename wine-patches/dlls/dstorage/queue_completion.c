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
 * delivers a status or signal entry only after every entry enqueued before it; GPU copies run
 * synchronously here, so an earlier request's copy has finished before a later signal fires. (Custom
 * formats into GPU destinations are copied by the queue's worker thread once the application has
 * decompressed them; custom.c holds later markers back until then.)
 */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

#define WAIT_BATCH 64

/* ds_runtime.h's ds_status values, as unix_completion carries them (the PE side does not include
 * the runtime's header). */
enum { DS_STATUS_OK, DS_STATUS_IO_ERROR, DS_STATUS_END_OF_FILE, DS_STATUS_CANCELLED,
       DS_STATUS_INVALID_REQUEST, DS_STATUS_UNSUPPORTED, DS_STATUS_DEVICE_ERROR };

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
        /* The CPU backend reports a GDeflate stream it cannot decode (or one whose size differs
         * from UncompressedSize) as EBADMSG. */
        if (entry->request.Options.CompressionFormat == DSTORAGE_COMPRESSION_FORMAT_GDEFLATE && c->error == 74 /* EBADMSG */)
            return E_DSTORAGE_DECOMPRESSION_ERROR;
        if (c->error == 14 /* EFAULT: an application pointer the runtime cannot reach */) return E_DSTORAGE_ACCESS_VIOLATION;
        return c->error == 9 /* EBADF: closed under us */ ? E_DSTORAGE_FILE_NOT_OPEN : HRESULT_FROM_WIN32(ERROR_READ_FAULT);
    default:
        return E_FAIL;
    }
}

void queue_add_failure(struct queue_state *state, UINT64 seq, HRESULT hr)
{
    struct queue_failure *failures;
    SIZE_T capacity;

    EnterCriticalSection(&state->cs);
    if (state->failure_count == state->failure_capacity)
    {
        capacity = state->failure_capacity ? state->failure_capacity * 2 : 16;
        if (!(failures = realloc(state->failures, capacity * sizeof(*failures))))
        {
            LeaveCriticalSection(&state->cs);
            return;
        }
        state->failures = failures;
        state->failure_capacity = capacity;
    }
    state->failures[state->failure_count].seq = seq;
    state->failures[state->failure_count++].hr = hr;
    LeaveCriticalSection(&state->cs);
}

/* The first failure, in enqueue order, among the requests enqueued before status entry seq;
 * those failures are consumed, later ones stay for the next status entry. */
static HRESULT take_failure(struct queue_state *state, UINT64 seq)
{
    UINT64 first = ~(UINT64)0;
    HRESULT hr = S_OK;
    SIZE_T i, kept = 0;

    EnterCriticalSection(&state->cs);
    for (i = 0; i < state->failure_count; ++i)
    {
        if (state->failures[i].seq < seq)
        {
            if (state->failures[i].seq < first)
            {
                first = state->failures[i].seq;
                hr = state->failures[i].hr;
            }
        }
        else state->failures[kept++] = state->failures[i];
    }
    state->failure_count = kept;
    LeaveCriticalSection(&state->cs);
    return hr;
}

void queue_complete(struct queue_object *queue, const struct unix_completion *c)
{
    struct queue_entry *entry = (struct queue_entry *)(ULONG_PTR)c->user_data;
    struct queue_state *state = queue->state;
    BOOL closed = ReadAcquire((LONG *)&state->closed);
    HRESULT hr;

    while (!ReadAcquire(&entry->ready)) YieldProcessor();

    switch (entry->kind)
    {
    case ENTRY_REQUEST:
        hr = request_result(entry, c);
        if (entry->custom_buffer)
        {
            if (SUCCEEDED(hr) && c->status == DS_STATUS_OK && !closed)
            {
                /* Read into the module's buffer: the application decompresses it (custom.c), into
                 * the destination or, for a GPU destination, into its staging region. */
                custom_submit(queue, entry);
                return;
            }
        }
        else if (entry->staging_size)
        {
            BOOL copy = SUCCEEDED(hr) && c->status == DS_STATUS_OK && !closed;
            HRESULT copy_hr = queue_gpu_copy(queue, entry, copy);
            if (copy && FAILED(copy_hr)) hr = copy_hr;
        }
        TRACE("request %s (%s) done: status %s, %s bytes, hr %#lx.\n", wine_dbgstr_longlong(entry->seq),
              debugstr_a(entry->name), c->status == DS_STATUS_OK ? "ok" : "failed",
              wine_dbgstr_longlong(c->bytes), hr);
        if (FAILED(hr) && !closed)
        {
            queue_add_failure(state, entry->seq, hr);
            queue_record_failure(queue, hr, DSTORAGE_COMMAND_TYPE_REQUEST, entry);
        }
        break;
    default:
        custom_marker(queue, entry);
        return;
    }
    queue_entry_free(queue, entry);
}

void queue_fire_marker(struct queue_object *queue, struct queue_entry *entry)
{
    struct queue_state *state = queue->state;
    BOOL closed = ReadAcquire((LONG *)&state->closed);
    HRESULT hr;

    /* The entry completes now: whoever it wakes finds its slot free. */
    queue_slot_release(queue, entry);
    switch (entry->kind)
    {
    case ENTRY_STATUS:
        hr = take_failure(state, entry->seq);
        TRACE("status array %p[%u] = %#lx.\n", entry->status_array, entry->status_index, hr);
        if (!closed) status_array_set(entry->status_array, entry->status_index, hr);
        break;
    case ENTRY_SIGNAL:
        TRACE("fence %p <- %s.\n", entry->fence, wine_dbgstr_longlong(entry->fence_value));
        if (!closed && FAILED(hr = ID3D12Fence_Signal(entry->fence, entry->fence_value)))
            queue_record_failure(queue, hr, DSTORAGE_COMMAND_TYPE_SIGNAL, entry);
        break;
    case ENTRY_EVENT:
        TRACE("event %p set.\n", entry->event);
        if (!closed && !SetEvent(entry->event))
            queue_record_failure(queue, HRESULT_FROM_WIN32(GetLastError()), DSTORAGE_COMMAND_TYPE_EVENT, entry);
        break;
    default:
        break;
    }
    queue_entry_free(queue, entry);
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
        params = (struct queue_wait_params){ .queue = queue->handle, .completions = completions,
                                             .max = WAIT_BATCH, .timeout_ns = ~(UINT64)0 };
        if (FAILED(dstorage_unix_call(unix_queue_wait, &params))) break;
        for (i = 0; i < params.count; ++i) queue_complete(queue, &completions[i]);
        if (params.closed) break;
    }
    TRACE("queue %p: completion thread done.\n", queue);
    return 0;
}
