/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Queue entries: their life (create, free with everything they hold), the slots they take, and how
 * they end: failures into the error record and the per-status failure list, markers fired. Every
 * other queue file uses these; this one uses only the staging buffer.
 */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

struct queue_entry *queue_entry_create(struct queue_object *queue, enum entry_kind kind)
{
    struct queue_entry *entry;

    if (!(entry = calloc(1, sizeof(*entry)))) return NULL;
    entry->kind = kind;
    entry->seq = InterlockedIncrement64(&queue->state->next_seq);
    return entry;
}

void queue_slot_release(struct queue_object *queue, struct queue_entry *entry)
{
    struct queue_state *state = queue->state;
    BOOL wake;

    if (!entry->slot) return;
    entry->slot = FALSE;
    EnterCriticalSection(&state->slot_cs);
    if (!--state->slots_used) stats_queue_idle(&state->stats);
    /* A full queue's waiters wake once a batch of slots is free (queue.c, slot_take). */
    wake = state->slot_waiters && state->desc.Capacity - state->slots_used >= state->slot_wake_free;
    LeaveCriticalSection(&state->slot_cs);
    if (wake) WakeAllConditionVariable(&state->slot_freed);
}

void queue_entry_free(struct queue_object *queue, struct queue_entry *entry)
{
    queue_staging_release(queue, entry);
    free(entry->custom_buffer);
    if (entry->file) IDStorageFile_Release(entry->file);
    if (entry->status_array) IDStorageStatusArray_Release(entry->status_array);
    if (entry->fence) ID3D12Fence_Release(entry->fence);
    queue_slot_release(queue, entry);
    free(entry);
}

void queue_record_failure(struct queue_object *queue, HRESULT hr, DSTORAGE_COMMAND_TYPE type,
                          const struct queue_entry *entry)
{
    struct queue_state *state = queue->state;
    DSTORAGE_ERROR_FIRST_FAILURE *first = &state->record.FirstFailure;

    WARN("queue %p (%s): command type %d failed, hr %#lx.\n", queue, debugstr_a(state->name), type,
         hr);
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
void queue_entry_reject(struct queue_object *queue, struct queue_entry *entry, HRESULT hr,
                        DSTORAGE_COMMAND_TYPE type)
{
    queue_record_failure(queue, hr, type, entry);
    if (type == DSTORAGE_COMMAND_TYPE_REQUEST)
        stats_request_done(&queue->state->stats, &entry->request, hr, 0, DECODED_BY_RUNTIME);
    queue_entry_free(queue, entry);
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
        else
            state->failures[kept++] = state->failures[i];
    }
    state->failure_count = kept;
    LeaveCriticalSection(&state->cs);
    return hr;
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
            queue_record_failure(queue, HRESULT_FROM_WIN32(GetLastError()),
                                 DSTORAGE_COMMAND_TYPE_EVENT, entry);
        break;
    default:
        break;
    }
    queue_entry_free(queue, entry);
}
