/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* IDStorageQueue3, application side: enqueueing, Close, Query and the error record. */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

#define ENQUEUE_BATCH 32

static struct queue_entry *entry_create(struct queue_object *queue, enum entry_kind kind)
{
    struct queue_entry *entry;

    if (!(entry = calloc(1, sizeof(*entry)))) return NULL;
    entry->kind = kind;
    entry->seq = InterlockedIncrement64(&queue->state->next_seq);
    return entry;
}

void queue_record_failure(struct queue_object *queue, HRESULT hr, DSTORAGE_COMMAND_TYPE type,
                          const struct queue_entry *entry)
{
    struct queue_state *state = queue->state;
    DSTORAGE_ERROR_FIRST_FAILURE *first = &state->record.FirstFailure;

    WARN("queue %p (%s): command type %d failed, hr %#lx.\n", queue, debugstr_a(state->name), type, hr);
    EnterCriticalSection(&state->cs);
    if (!state->record.FailureCount++)
    {
        memset(first, 0, sizeof(*first));
        first->HResult = hr;
        first->CommandType = type;
        switch (type)
        {
        case DSTORAGE_COMMAND_TYPE_REQUEST:
            if (entry->request.Options.SourceType == DSTORAGE_REQUEST_SOURCE_FILE && entry->file)
                lstrcpynW(first->Request.Filename, file_path(entry->file), MAX_PATH);
            memcpy(first->Request.RequestName, entry->name, sizeof(entry->name));
            first->Request.Request = entry->request;
            break;
        case DSTORAGE_COMMAND_TYPE_STATUS:
            first->Status.StatusArray = entry->status_array;
            first->Status.Index = entry->status_index;
            break;
        case DSTORAGE_COMMAND_TYPE_SIGNAL:
            first->Signal.Fence = entry->fence;
            first->Signal.Value = entry->fence_value;
            break;
        case DSTORAGE_COMMAND_TYPE_EVENT:
            first->Event.Handle = entry->event;
            break;
        default:
            break;
        }
    }
    LeaveCriticalSection(&state->cs);
    SetEvent(state->error_event);
}

/* The entry never reached the runtime: fail it on the spot and free it. */
static void entry_reject(struct queue_object *queue, struct queue_entry *entry, HRESULT hr,
                         DSTORAGE_COMMAND_TYPE type)
{
    queue_record_failure(queue, hr, type, entry);
    if (entry->staging_size) queue_gpu_copy(queue, entry, FALSE);
    free(entry->custom_buffer);
    if (entry->file) IDStorageFile_Release(entry->file);
    if (entry->status_array) IDStorageStatusArray_Release(entry->status_array);
    if (entry->fence) ID3D12Fence_Release(entry->fence);
    free(entry);
}

static void send_requests(struct queue_object *queue, struct unix_request *reqs, struct queue_entry **entries,
                          UINT count)
{
    struct queue_enqueue_params params;
    UINT done = 0, i;
    HRESULT hr;

    while (done < count)
    {
        params = (struct queue_enqueue_params){ .queue = queue->handle, .requests = reqs + done, .count = count - done };
        if (FAILED(hr = dstorage_unix_call(unix_queue_enqueue, &params))) params.result = hr;
        for (i = done; i < done + params.enqueued; ++i)
        {
            if (i == done + params.enqueued - 1 && FAILED(params.result)) entries[i]->invalid = params.result;
            WriteRelease(&entries[i]->ready, 1);
        }
        done += params.enqueued;
        if (FAILED(params.result) && done < count && (params.result == E_DSTORAGE_QUEUE_CLOSED || params.enqueued == 0
                || entries[done - 1]->invalid != params.result))
        {
            /* The queue refused the rest (closed): they fail here. */
            for (i = done; i < count; ++i)
                entry_reject(queue, entries[i], params.result, DSTORAGE_COMMAND_TYPE_REQUEST);
            return;
        }
    }
}

static void enqueue_requests(struct queue_object *queue, const DSTORAGE_REQUEST *requests, UINT count,
                             ID3D12Fence *fence, UINT64 fence_value, DSTORAGE_ENQUEUE_REQUEST_FLAGS flags)
{
    struct unix_request reqs[ENQUEUE_BATCH];
    struct queue_entry *entries[ENQUEUE_BATCH];
    struct queue_state *state = queue->state;
    struct queue_submit_params submit = { .queue = queue->handle };
    UINT64 size, address;
    UINT n = 0, i;
    HRESULT hr;

    for (i = 0; i < count; ++i)
    {
        const DSTORAGE_REQUEST *request = &requests[i];
        struct queue_entry *entry;

        if (!(entry = entry_create(queue, ENTRY_REQUEST)))
        {
            ERR("Out of memory; request %u dropped.\n", i);
            continue;
        }
        entry->request = *request;
        entry->request.Name = NULL;
        if (request->Name) lstrcpynA(entry->name, request->Name, sizeof(entry->name));
        if (request->Options.SourceType == DSTORAGE_REQUEST_SOURCE_FILE && request->Source.File.Source)
        {
            entry->file = request->Source.File.Source;
            IDStorageFile_AddRef(entry->file);
        }
        if (fence && (flags & DSTORAGE_ENQUEUE_REQUEST_FLAG_FENCE_WAIT_BEFORE_GPU_WORK))
        {
            entry->fence = fence;
            entry->fence_value = fence_value;
            entry->flags = flags;
            ID3D12Fence_AddRef(fence);
        }
        memset(&reqs[n], 0, sizeof(reqs[n]));
        reqs[n].request = entry->request;
        reqs[n].file = file_unix_handle(entry->file);
        reqs[n].user_data = (UINT64)(ULONG_PTR)entry;
        if (custom_request(request))
        {
            /* The runtime reads the compressed bytes into a buffer of ours (see custom.c). */
            size = request->Options.SourceType == DSTORAGE_REQUEST_SOURCE_FILE
                    ? request->Source.File.Size : request->Source.Memory.Size;
            if ((entry->custom_buffer = malloc(size ? size : 1)))
                reqs[n].staging = (UINT64)(ULONG_PTR)entry->custom_buffer;
        }
        else if (state->desc.Device && queue_gpu_destination(request)
                && (size = queue_gpu_staged_size(queue, request)))
        {
            reqs[n].footprint_size = size;
            if (size <= dstorage_process.staging_buffer_size)
            {
                hr = queue_gpu_reserve(queue, entry, size, FALSE, &address);
                if (hr == S_FALSE)
                {
                    /* Staging is full: hand over what we hold, let it run, then wait for space. */
                    send_requests(queue, reqs, entries, n);
                    n = 0;
                    dstorage_unix_call(unix_queue_submit, &submit);
                    memset(&reqs[0], 0, sizeof(reqs[0]));
                    reqs[0].request = entry->request;
                    reqs[0].file = file_unix_handle(entry->file);
                    reqs[0].user_data = (UINT64)(ULONG_PTR)entry;
                    reqs[0].footprint_size = size;
                    hr = queue_gpu_reserve(queue, entry, size, TRUE, &address);
                }
                if (hr == S_OK) reqs[n].staging = address;
            }
        }
        entries[n++] = entry;
        if (n == ENQUEUE_BATCH)
        {
            send_requests(queue, reqs, entries, n);
            n = 0;
        }
    }
    if (n) send_requests(queue, reqs, entries, n);
}

void queue_EnqueueRequest(struct queue_object *queue, const DSTORAGE_REQUEST *request)
{
    if (!request) return;
    enqueue_requests(queue, request, 1, NULL, 0, 0);
}

void queue_EnqueueRequests(struct queue_object *queue, const DSTORAGE_REQUEST *requests, UINT count,
                           ID3D12Fence *fence, UINT64 fence_value, DSTORAGE_ENQUEUE_REQUEST_FLAGS flags)
{
    if (!requests || !count) return;
    if (fence && (flags & DSTORAGE_ENQUEUE_REQUEST_FLAG_FENCE_WAIT_BEFORE_SOURCE_ACCESS)
            && ID3D12Fence_GetCompletedValue(fence) < fence_value)
    {
        /* Sources may not be read before the fence: wait here, before anything reaches the runtime. */
        HANDLE event = CreateEventW(NULL, FALSE, FALSE, NULL);
        TRACE("waiting for fence %p to reach %s before reading sources.\n", fence, wine_dbgstr_longlong(fence_value));
        if (SUCCEEDED(ID3D12Fence_SetEventOnCompletion(fence, fence_value, event)))
            WaitForSingleObject(event, INFINITE);
        CloseHandle(event);
    }
    enqueue_requests(queue, requests, count, fence, fence_value, flags);
}

static void enqueue_marker(struct queue_object *queue, struct queue_entry *entry, DSTORAGE_COMMAND_TYPE type)
{
    struct queue_enqueue_signal_params signal = { .queue = queue->handle, .user_data = (UINT64)(ULONG_PTR)entry };
    struct queue_enqueue_status_params status = { .queue = queue->handle, .user_data = (UINT64)(ULONG_PTR)entry };
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
    if (result) entry_reject(queue, entry, E_DSTORAGE_QUEUE_CLOSED, type);
}

void queue_EnqueueStatus(struct queue_object *queue, IDStorageStatusArray *array, UINT32 index)
{
    struct queue_entry *entry;

    if (!(entry = entry_create(queue, ENTRY_STATUS))) return;
    entry->status_array = array;
    entry->status_index = index;
    if (!array)
    {
        entry_reject(queue, entry, E_DSTORAGE_INVALID_STATUS_ARRAY, DSTORAGE_COMMAND_TYPE_STATUS);
        return;
    }
    IDStorageStatusArray_AddRef(array);
    if (index >= status_array_capacity(array))
    {
        entry_reject(queue, entry, E_DSTORAGE_INDEX_BOUND, DSTORAGE_COMMAND_TYPE_STATUS);
        return;
    }
    status_array_set(array, index, E_PENDING);
    enqueue_marker(queue, entry, DSTORAGE_COMMAND_TYPE_STATUS);
}

void queue_EnqueueSignal(struct queue_object *queue, ID3D12Fence *fence, UINT64 value)
{
    struct queue_entry *entry;

    if (!(entry = entry_create(queue, ENTRY_SIGNAL))) return;
    entry->fence_value = value;
    if (!fence)
    {
        entry_reject(queue, entry, E_DSTORAGE_INVALID_FENCE, DSTORAGE_COMMAND_TYPE_SIGNAL);
        return;
    }
    entry->fence = fence;
    ID3D12Fence_AddRef(fence);
    enqueue_marker(queue, entry, DSTORAGE_COMMAND_TYPE_SIGNAL);
}

void queue_EnqueueSetEvent(struct queue_object *queue, HANDLE event)
{
    struct queue_entry *entry;

    if (!(entry = entry_create(queue, ENTRY_EVENT))) return;
    entry->event = event;
    if (!event)
    {
        entry_reject(queue, entry, E_INVALIDARG, DSTORAGE_COMMAND_TYPE_EVENT);
        return;
    }
    enqueue_marker(queue, entry, DSTORAGE_COMMAND_TYPE_EVENT);
}

void queue_Close(struct queue_object *queue)
{
    struct queue_close_params params = { .queue = queue->handle };

    TRACE("queue %p (%s).\n", queue, debugstr_a(queue->state->name));
    WriteRelease((LONG *)&queue->state->closed, TRUE);
    if (queue->handle) dstorage_unix_call(unix_queue_close, &params);
    custom_drop_queue(queue);
}

HANDLE queue_GetErrorEvent(struct queue_object *queue)
{
    return queue->state->error_event;
}

void queue_RetrieveErrorRecord(struct queue_object *queue, DSTORAGE_ERROR_RECORD *record)
{
    struct queue_state *state = queue->state;

    if (!record) return;
    EnterCriticalSection(&state->cs);
    *record = state->record;
    memset(&state->record, 0, sizeof(state->record));
    state->record.FirstFailure.CommandType = DSTORAGE_COMMAND_TYPE_NONE;
    LeaveCriticalSection(&state->cs);
}

void queue_Query(struct queue_object *queue, DSTORAGE_QUEUE_INFO *info)
{
    struct queue_query_params params = { .queue = queue->handle };

    if (!info) return;
    memset(info, 0, sizeof(*info));
    info->Desc = queue->state->desc;
    if (FAILED(dstorage_unix_call(unix_queue_query, &params))) return;
    /* Windows keeps one slot back: an empty queue of capacity N reports N - 1 empty slots. */
    info->EmptySlotCount = params.empty_slots ? params.empty_slots - 1 : 0;
    info->RequestCountUntilAutoSubmit = params.until_auto_submit;
}

void queue_destroy(struct queue_object *queue)
{
    struct queue_state *state = queue->state;

    TRACE("queue %p.\n", queue);
    if (queue->handle)
    {
        struct queue_destroy_params params = { .queue = queue->handle };

        queue_Close(queue);
        if (state->thread)
        {
            WaitForSingleObject(state->thread, INFINITE);
            CloseHandle(state->thread);
        }
        custom_drop_queue(queue);
        dstorage_unix_call(unix_queue_destroy, &params);
        InterlockedDecrement(&dstorage_process.queue_count);
    }
    queue_gpu_destroy(queue);
    if (state->desc.Device) ID3D12Device_Release(state->desc.Device);
    if (state->error_event) CloseHandle(state->error_event);
    DeleteCriticalSection(&state->cs);
    free(state->failures);
    free(state->name);
    free(state);
    free(queue);
}
