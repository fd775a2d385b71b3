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

/*
 * Slots. Every entry the application enqueues holds one from enqueue until it has completed
 * (fired, failed, cancelled, or dropped by Close), wherever it waits: in the runtime, behind a
 * gate, for the application's custom decompression, or deferred behind such a request. Enqueueing
 * blocks while all are taken. The runtime's own queue has as many slots and frees each before we
 * do, so it never blocks. After Close nothing waits: what is enqueued then fails with QUEUE_CLOSED.
 *
 * A full queue wakes a waiting enqueue only once slot_wake_free slots are free again (up to 64,
 * queue_entry.c), not at every completion: an application that enqueues faster than requests
 * complete would otherwise sleep and wake once per request, and a wake-up costs more than a
 * 64 KiB request (a futex round trip, an IPI in a VM). Since the slots the application keeps
 * (behind a gate, in its custom decompression) may never all come back by themselves, the waiter
 * also looks again every SLOT_RECHECK_MS and takes any free slot: never a lost wake-up, at most
 * that much later than one slot was free.
 *
 * Before an enqueue waits, the runtime submits what it holds unsubmitted (an automatic
 * submission, as the one at half the capacity): those entries can only run, and free slots, once
 * submitted. Without it a full queue refills in bursts of half its capacity, each submitted only
 * when the last of its slots was refilled. (Its effect on the H200 was not measured apart from the
 * vulkan path's larger ring, which is what took 64 KiB requests from 8 to 37 GB/s.)
 */
#define SLOT_RECHECK_MS 1

static BOOL slot_take(struct queue_object *queue, struct queue_entry *entry, BOOL wait)
{
    struct queue_state *state = queue->state;

    EnterCriticalSection(&state->slot_cs);
    if (wait && state->slots_used >= state->desc.Capacity) stats_slot_wait(&state->stats);
    while (state->slots_used >= state->desc.Capacity && !ReadAcquire((LONG *)&state->closed) &&
           wait)
    {
        ++state->slot_waiters;
        SleepConditionVariableCS(&state->slot_freed, &state->slot_cs, SLOT_RECHECK_MS);
        --state->slot_waiters;
    }
    if (state->slots_used < state->desc.Capacity || ReadAcquire((LONG *)&state->closed))
    {
        if (!state->slots_used++) stats_queue_busy(&state->stats);
        entry->slot = TRUE;
    }
    LeaveCriticalSection(&state->slot_cs);
    return entry->slot;
}

static struct queue_entry *request_entry(struct queue_object *queue,
                                         const DSTORAGE_REQUEST *request, ID3D12Fence *fence,
                                         UINT64 fence_value, DSTORAGE_ENQUEUE_REQUEST_FLAGS flags)
{
    struct queue_entry *entry;

    if (!(entry = queue_entry_create(queue, ENTRY_REQUEST))) return NULL;
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
    if (SUCCEEDED(enqueue_check(queue->state->desc.Device, entry)) && queue->state->desc.Device &&
        queue_gpu_destination(request))
    {
        entry->footprint_size = queue_gpu_staged_size(queue, request);
        /* A GACL shuffle is undone after the decode, on the CPU: such a request decodes there. */
        entry->gpu_decode =
            request->Options.CompressionFormat == DSTORAGE_COMPRESSION_FORMAT_GDEFLATE &&
            request->Options.GaclTransformType == DSTORAGE_GACL_SHUFFLE_TRANSFORM_NONE &&
            !custom_format(request) && queue_gpu_decodes_gdeflate(queue);
    }
    return entry;
}

/*
 * enqueue_cs keeps the order of everything that reaches the runtime or the held list. It is let go
 * only to wait for a slot (after what this call holds went to the runtime): the worker needs it to
 * open gates, and other threads may go on enqueueing. A GPU destination that finds no staging room
 * never blocks here: it is held back (queue_gate.c) with everything after it, and the worker hands
 * it over once a completed copy frees a region.
 */
static void enqueue_requests(struct queue_object *queue, const DSTORAGE_REQUEST *requests,
                             UINT count, ID3D12Fence *fence, UINT64 fence_value,
                             DSTORAGE_ENQUEUE_REQUEST_FLAGS flags)
{
    struct queue_state *state = queue->state;
    struct queue_batch batch;
    struct queue_entry *entry;
    BOOL gate;
    UINT i;

    gate = fence && (flags & DSTORAGE_ENQUEUE_REQUEST_FLAG_FENCE_WAIT_BEFORE_SOURCE_ACCESS) &&
           ID3D12Fence_GetCompletedValue(fence) < fence_value;
    batch.count = 0;
    EnterCriticalSection(&state->enqueue_cs);
    if (gate) queue_gate_add(queue, fence, fence_value);
    for (i = 0; i < count; ++i)
    {
        if (!(entry = request_entry(queue, &requests[i], fence, fence_value, flags)))
        {
            ERR("Out of memory; request %u dropped.\n", i);
            continue;
        }
        if (!slot_take(queue, entry, FALSE))
        {
            /* Full: what the runtime holds unsubmitted starts now (see slot_take). */
            queue_batch_flush(queue, &batch);
            queue_submit_runtime(queue);
            LeaveCriticalSection(&state->enqueue_cs);
            TRACE("queue %p full, waiting for a slot.\n", queue);
            slot_take(queue, entry, TRUE);
            EnterCriticalSection(&state->enqueue_cs);
        }
        if (queue_gate_hold(queue, entry)) continue;
        if (queue_batch_add(queue, &batch, entry) == S_FALSE)
        {
            queue_batch_flush(queue, &batch);
            queue_gate_hold_for_staging(queue, entry);
        }
    }
    queue_batch_flush(queue, &batch);
    LeaveCriticalSection(&state->enqueue_cs);
}

void queue_EnqueueRequest(struct queue_object *queue, const DSTORAGE_REQUEST *request)
{
    if (!request) return;
    enqueue_requests(queue, request, 1, NULL, 0, 0);
}

/* FENCE_WAIT_BEFORE_SOURCE_ACCESS does not block: the requests wait behind a gate (queue_gate.c).
 */
void queue_EnqueueRequests(struct queue_object *queue, const DSTORAGE_REQUEST *requests, UINT count,
                           ID3D12Fence *fence, UINT64 fence_value,
                           DSTORAGE_ENQUEUE_REQUEST_FLAGS flags)
{
    if (!requests || !count) return;
    enqueue_requests(queue, requests, count, fence, fence_value, flags);
}

static void enqueue_marker(struct queue_object *queue, struct queue_entry *entry)
{
    struct queue_state *state = queue->state;

    if (!slot_take(queue, entry, FALSE))
    {
        queue_submit_runtime(queue); /* full: what the runtime holds starts now (see slot_take) */
        slot_take(queue, entry, TRUE);
    }
    EnterCriticalSection(&state->enqueue_cs);
    if (!queue_gate_hold(queue, entry)) queue_send_marker(queue, entry);
    LeaveCriticalSection(&state->enqueue_cs);
}

void queue_EnqueueStatus(struct queue_object *queue, IDStorageStatusArray *array, UINT32 index)
{
    struct queue_entry *entry;

    if (!(entry = queue_entry_create(queue, ENTRY_STATUS))) return;
    entry->status_array = array;
    entry->status_index = index;
    if (!array)
    {
        queue_entry_reject(queue, entry, E_DSTORAGE_INVALID_STATUS_ARRAY,
                           DSTORAGE_COMMAND_TYPE_STATUS);
        return;
    }
    IDStorageStatusArray_AddRef(array);
    if (index >= status_array_capacity(array))
    {
        queue_entry_reject(queue, entry, E_DSTORAGE_INDEX_BOUND, DSTORAGE_COMMAND_TYPE_STATUS);
        return;
    }
    status_array_set(array, index, E_PENDING);
    enqueue_marker(queue, entry);
}

void queue_EnqueueSignal(struct queue_object *queue, ID3D12Fence *fence, UINT64 value)
{
    struct queue_entry *entry;

    if (!(entry = queue_entry_create(queue, ENTRY_SIGNAL))) return;
    entry->fence_value = value;
    if (!fence)
    {
        queue_entry_reject(queue, entry, E_DSTORAGE_INVALID_FENCE, DSTORAGE_COMMAND_TYPE_SIGNAL);
        return;
    }
    entry->fence = fence;
    ID3D12Fence_AddRef(fence);
    enqueue_marker(queue, entry);
}

void queue_EnqueueSetEvent(struct queue_object *queue, HANDLE event)
{
    struct queue_entry *entry;

    if (!(entry = queue_entry_create(queue, ENTRY_EVENT))) return;
    entry->event = event;
    if (!event)
    {
        queue_entry_reject(queue, entry, E_INVALIDARG, DSTORAGE_COMMAND_TYPE_EVENT);
        return;
    }
    enqueue_marker(queue, entry);
}

/* Held entries are dropped like the runtime's unsubmitted ones: they never complete, nothing fires.
 */
void queue_Close(struct queue_object *queue)
{
    struct queue_close_params params = {.queue = queue->handle};
    struct queue_state *state = queue->state;
    struct queue_entry *held;

    TRACE("queue %p (%s).\n", queue, debugstr_a(state->name));
    EnterCriticalSection(&state->enqueue_cs);
    WriteRelease((LONG *)&state->closed, TRUE);
    held = queue_gate_detach(queue);
    LeaveCriticalSection(&state->enqueue_cs);
    EnterCriticalSection(&state->slot_cs);
    WakeAllConditionVariable(&state->slot_freed);
    LeaveCriticalSection(&state->slot_cs);
    if (queue->handle) dstorage_unix_call(unix_queue_close, &params);
    queue_gate_free_list(queue, held);
    queue_gpu_close(queue);
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
    struct queue_query_params params = {.queue = queue->handle};
    struct queue_state *state = queue->state;
    UINT32 used, empty, held;

    if (!info) return;
    memset(info, 0, sizeof(*info));
    info->Desc = state->desc;
    if (FAILED(dstorage_unix_call(unix_queue_query, &params))) return;
    EnterCriticalSection(&state->slot_cs);
    used = state->slots_used;
    LeaveCriticalSection(&state->slot_cs);
    EnterCriticalSection(&state->enqueue_cs);
    held = queue_gate_unsubmitted(queue);
    LeaveCriticalSection(&state->enqueue_cs);
    /* Windows keeps one slot back: an empty queue of capacity N reports N - 1 empty slots. */
    empty = used < state->desc.Capacity ? state->desc.Capacity - used : 0;
    info->EmptySlotCount = empty ? empty - 1 : 0;
    /* Held entries count towards the automatic submission as if they were in the runtime. */
    info->RequestCountUntilAutoSubmit =
        params.until_auto_submit > held ? params.until_auto_submit - held : 0;
}

void queue_destroy(struct queue_object *queue)
{
    struct queue_state *state = queue->state;

    TRACE("queue %p.\n", queue);
    if (queue->handle)
    {
        struct queue_destroy_params params = {.queue = queue->handle};

        queue_Close(queue);
        if (state->thread)
        {
            WaitForSingleObject(state->thread, INFINITE);
            CloseHandle(state->thread);
        }
        queue_worker_stop(queue);
        custom_drop_queue(queue);
        dstorage_unix_call(unix_queue_destroy, &params);
        InterlockedDecrement(&dstorage_process.queue_count);
        gpu_vulkan_count_decodes(queue);
        stats_queue_report(queue, state->name, &state->stats);
    }
    queue_gpu_destroy(queue);
    gpu_vulkan_destroy(queue);
    if (state->desc.Device) ID3D12Device_Release(state->desc.Device);
    if (state->error_event) CloseHandle(state->error_event);
    DeleteCriticalSection(&state->cs);
    DeleteCriticalSection(&state->slot_cs);
    DeleteCriticalSection(&state->enqueue_cs);
    free(state->failures);
    free(state->name);
    free(state);
    free(queue);
}
