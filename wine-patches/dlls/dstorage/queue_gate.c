/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Gates, and the queue's worker thread.
 *
 * EnqueueRequests with DSTORAGE_ENQUEUE_REQUEST_FLAG_FENCE_WAIT_BEFORE_SOURCE_ACCESS may not read
 * its sources before the fence reaches the value, and may not block the caller (the application
 * may signal that fence from work it submits afterwards). When the fence is not there yet, the
 * call appends a gate (ENTRY_GATE) to the queue's held list, and its requests after it. From then
 * on everything enqueued on the queue joins the held list in order (requests, status, signal and
 * event entries, and Submit as ENTRY_SUBMIT), so that no entry overtakes one enqueued before it.
 * Held entries hold their slots (Query, enqueue blocking when full) but nothing of the runtime,
 * and no staging space: GPU destinations reserve theirs when they leave the list.
 *
 * The worker thread (a Wine thread, CreateThread) waits on two events: worker_wake and gate_event.
 * For the gate at the head of the list it calls ID3D12Fence_SetEventOnCompletion(gate_event) once;
 * when the fence is reached it hands the held entries to the runtime in order, up to the next gate
 * whose fence is not reached. A request that finds the staging buffer full stays at the head; the
 * runtime is submitted, and the next region freed wakes the worker (staging_wait). Submit entries
 * become runtime submits there, so held work still runs only after the application's Submit (or
 * an automatic submission: held entries count towards it as if they were in the runtime).
 *
 * CancelRequestsWithTag frees the matching held requests (cancelled requests are not failures);
 * Close drops the whole list, as the runtime drops unsubmitted entries: nothing of it completes.
 *
 * D3D12 keeps a fence's event registration until the value is reached, so a gate event is never
 * closed: queues take it from and give it back to a process-wide pool. A stale registration can
 * only set it spuriously, and the worker checks the fence value after every wake.
 *
 * The worker also runs the GPU copies of custom-format requests into GPU destinations once the
 * application has set their results (custom_run_copies): those copies may wait on the
 * application's fence (FENCE_WAIT_BEFORE_GPU_WORK), so they never run on the application's thread.
 *
 * IDStorageQueue::Submit and CancelRequestsWithTag live here too (hand-written in policy.json): both
 * act on the held list before they reach the runtime.
 */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

/* --- the gate event pool --- */

static SRWLOCK pool_lock = SRWLOCK_INIT;
static HANDLE *pool;
static SIZE_T pool_count, pool_capacity;

static HANDLE gate_event_get(void)
{
    HANDLE event = NULL;

    AcquireSRWLockExclusive(&pool_lock);
    if (pool_count) event = pool[--pool_count];
    ReleaseSRWLockExclusive(&pool_lock);
    return event ? event : CreateEventW(NULL, FALSE, FALSE, NULL);
}

static void gate_event_put(HANDLE event)
{
    HANDLE *grown;
    SIZE_T capacity;

    AcquireSRWLockExclusive(&pool_lock);
    if (pool_count == pool_capacity)
    {
        capacity = pool_capacity ? pool_capacity * 2 : 8;
        if ((grown = realloc(pool, capacity * sizeof(*pool))))
        {
            pool = grown;
            pool_capacity = capacity;
        }
    }
    /* Out of memory: the handle stays open, unused (closing it could let a stale registration set
     * whatever object gets its value next). */
    if (pool_count < pool_capacity) pool[pool_count++] = event;
    ReleaseSRWLockExclusive(&pool_lock);
}

/* --- the held list; callers hold enqueue_cs --- */

static void held_append(struct queue_state *state, struct queue_entry *entry)
{
    entry->next = NULL;
    if (state->held_tail) state->held_tail->next = entry;
    else state->held_head = entry;
    state->held_tail = entry;
}

static struct queue_entry *held_pop(struct queue_state *state)
{
    struct queue_entry *entry = state->held_head;

    if (!(state->held_head = entry->next)) state->held_tail = NULL;
    entry->next = NULL;
    return entry;
}

static void held_push_front(struct queue_state *state, struct queue_entry *entry)
{
    if (!(entry->next = state->held_head)) state->held_tail = entry;
    state->held_head = entry;
}

static BOOL held_submit(struct queue_state *state)
{
    struct queue_entry *entry;

    if (state->held_tail->kind == ENTRY_SUBMIT) return TRUE;
    if (!(entry = calloc(1, sizeof(*entry)))) return FALSE;
    entry->kind = ENTRY_SUBMIT;
    held_append(state, entry);
    state->held_unsubmitted = 0;
    return TRUE;
}

void queue_gate_add(struct queue_object *queue, ID3D12Fence *fence, UINT64 value)
{
    struct queue_state *state = queue->state;
    struct queue_entry *gate;

    if (ReadAcquire((LONG *)&state->closed)) return; /* its requests fail with QUEUE_CLOSED */
    if (!(gate = queue_entry_create(queue, ENTRY_GATE)))
    {
        ERR("Out of memory; the requests will not wait for fence %p.\n", fence);
        return;
    }
    gate->fence = fence;
    gate->fence_value = value;
    ID3D12Fence_AddRef(fence);
    TRACE("queue %p: gate %s, fence %p, value %s.\n", queue, wine_dbgstr_longlong(gate->seq), fence,
          wine_dbgstr_longlong(value));
    held_append(state, gate);
    queue_worker_wake(queue);
}

BOOL queue_gate_hold(struct queue_object *queue, struct queue_entry *entry)
{
    struct queue_state *state = queue->state;
    struct queue_query_params query = { .queue = queue->handle };

    if (!state->held_head || ReadAcquire((LONG *)&state->closed)) return FALSE;
    TRACE("queue %p: entry %s held behind a gate.\n", queue, wine_dbgstr_longlong(entry->seq));
    held_append(state, entry);
    ++state->held_unsubmitted;
    /* The runtime submits by itself once half its capacity waits unsubmitted; count held entries
     * as if they were there: submit what the runtime has and what is held so far. */
    if (SUCCEEDED(dstorage_unix_call(unix_queue_query, &query)) && state->held_unsubmitted >= query.until_auto_submit
            && held_submit(state))
    {
        TRACE("queue %p: automatic submission with %u entries held.\n", queue, query.until_auto_submit);
        queue_submit_runtime(queue);
    }
    return TRUE;
}

UINT32 queue_gate_unsubmitted(struct queue_object *queue)
{
    return queue->state->held_head ? queue->state->held_unsubmitted : 0;
}

struct queue_entry *queue_gate_detach(struct queue_object *queue)
{
    struct queue_state *state = queue->state;
    struct queue_entry *list = state->held_head;

    state->held_head = state->held_tail = NULL;
    state->held_unsubmitted = 0;
    return list;
}

void queue_gate_free_list(struct queue_object *queue, struct queue_entry *list)
{
    struct queue_entry *next;

    for (; list; list = next)
    {
        next = list->next;
        if (list->kind != ENTRY_GATE && list->kind != ENTRY_SUBMIT)
            TRACE("queue %p closed: held entry %s dropped.\n", queue, wine_dbgstr_longlong(list->seq));
        queue_entry_free(queue, list);
    }
}

/* Held entries after the last held Submit. */
static void recount_unsubmitted(struct queue_state *state)
{
    struct queue_entry *entry;

    state->held_unsubmitted = 0;
    for (entry = state->held_head; entry; entry = entry->next)
    {
        if (entry->kind == ENTRY_SUBMIT) state->held_unsubmitted = 0;
        else if (entry->kind != ENTRY_GATE) ++state->held_unsubmitted;
    }
}

/* The worker: hands the held entries to the runtime, in order, up to a gate still closed. */
static void gate_release(struct queue_object *queue)
{
    struct queue_state *state = queue->state;
    struct queue_batch batch;
    struct queue_entry *entry;

    batch.count = 0;
    EnterCriticalSection(&state->enqueue_cs);
    while (state->held_head)
    {
        entry = held_pop(state);
        switch (entry->kind)
        {
        case ENTRY_GATE:
            if (ID3D12Fence_GetCompletedValue(entry->fence) < entry->fence_value)
            {
                held_push_front(state, entry);
                if (state->gate_registered != entry->seq)
                {
                    HRESULT hr = ID3D12Fence_SetEventOnCompletion(entry->fence, entry->fence_value, state->gate_event);
                    if (FAILED(hr)) ERR("SetEventOnCompletion failed, hr %#lx; gate %s stays closed.\n", hr,
                                        wine_dbgstr_longlong(entry->seq));
                    state->gate_registered = entry->seq;
                }
                goto done;
            }
            TRACE("queue %p: gate %s open (fence %p reached %s).\n", queue, wine_dbgstr_longlong(entry->seq),
                  entry->fence, wine_dbgstr_longlong(entry->fence_value));
            queue_entry_free(queue, entry);
            break;
        case ENTRY_SUBMIT:
            queue_batch_flush(queue, &batch);
            queue_submit_runtime(queue);
            free(entry);
            break;
        case ENTRY_REQUEST:
            if (queue_batch_add(queue, &batch, entry) == S_OK) break;
            /* Staging is full: let what uses it run; the next region freed wakes us. */
            held_push_front(state, entry);
            queue_batch_flush(queue, &batch);
            queue_submit_runtime(queue);
            InterlockedExchange(&state->staging_wait, TRUE);
            entry = held_pop(state);
            if (queue_batch_add(queue, &batch, entry) == S_OK) break;
            held_push_front(state, entry);
            TRACE("queue %p: held request %s waits for staging space.\n", queue, wine_dbgstr_longlong(entry->seq));
            goto done;
        default:
            queue_batch_flush(queue, &batch);
            queue_send_marker(queue, entry);
            break;
        }
    }
done:
    queue_batch_flush(queue, &batch);
    recount_unsubmitted(state);
    LeaveCriticalSection(&state->enqueue_cs);
}

void queue_gate_staging_freed(struct queue_object *queue)
{
    if (InterlockedExchange(&queue->state->staging_wait, FALSE)) queue_worker_wake(queue);
}

static DWORD WINAPI worker_thread(void *arg)
{
    struct queue_object *queue = arg;
    struct queue_state *state = queue->state;
    HANDLE events[2] = { state->worker_wake, state->gate_event };

    TRACE("queue %p: worker thread started.\n", queue);
    for (;;)
    {
        WaitForMultipleObjects(ARRAY_SIZE(events), events, FALSE, INFINITE);
        if (ReadAcquire((LONG *)&state->worker_stop)) break;
        custom_run_copies(queue);
        if (ReadAcquire((LONG *)&state->closed)) continue;
        gate_release(queue);
    }
    TRACE("queue %p: worker thread done.\n", queue);
    return 0;
}

HRESULT queue_worker_start(struct queue_object *queue)
{
    struct queue_state *state = queue->state;

    if (!(state->worker_wake = CreateEventW(NULL, FALSE, FALSE, NULL)) || !(state->gate_event = gate_event_get())
            || !(state->worker = CreateThread(NULL, 0, worker_thread, queue, 0, NULL)))
    {
        DWORD error = GetLastError();

        ERR("Cannot start the worker thread, error %lu.\n", error);
        return error ? HRESULT_FROM_WIN32(error) : E_OUTOFMEMORY;
    }
    return S_OK;
}

void queue_worker_wake(struct queue_object *queue)
{
    if (queue->state->worker_wake) SetEvent(queue->state->worker_wake);
}

/* After the completion thread is gone: nothing wakes the worker any more. */
void queue_worker_stop(struct queue_object *queue)
{
    struct queue_state *state = queue->state;

    if (state->worker)
    {
        WriteRelease((LONG *)&state->worker_stop, TRUE);
        SetEvent(state->worker_wake);
        WaitForSingleObject(state->worker, INFINITE);
        CloseHandle(state->worker);
        state->worker = NULL;
    }
    if (state->worker_wake) CloseHandle(state->worker_wake);
    state->worker_wake = NULL;
    if (state->gate_event) gate_event_put(state->gate_event);
    state->gate_event = NULL;
}

/* --- IDStorageQueue::Submit and CancelRequestsWithTag --- */

void queue_Submit(struct queue_object *queue)
{
    struct queue_state *state = queue->state;

    EnterCriticalSection(&state->enqueue_cs);
    /* What is held runs once its gate opens; what the runtime has, now. */
    if (state->held_head && !held_submit(state)) ERR("Out of memory; held entries wait for the next Submit.\n");
    LeaveCriticalSection(&state->enqueue_cs);
    queue_submit_runtime(queue);
}

void queue_CancelRequestsWithTag(struct queue_object *queue, UINT64 mask, UINT64 value)
{
    struct queue_cancel_params params = { .queue = queue->handle, .mask = mask, .value = value };
    struct queue_state *state = queue->state;
    struct queue_entry *entry, **link, *cancelled = NULL, *next;
    UINT count = 0;

    EnterCriticalSection(&state->enqueue_cs);
    state->held_tail = NULL;
    for (link = &state->held_head; (entry = *link);)
    {
        if (entry->kind == ENTRY_REQUEST && (entry->request.CancellationTag & mask) == value)
        {
            *link = entry->next;
            entry->next = cancelled;
            cancelled = entry;
            ++count;
            continue;
        }
        state->held_tail = entry;
        link = &entry->next;
    }
    recount_unsubmitted(state);
    LeaveCriticalSection(&state->enqueue_cs);
    if (count) TRACE("queue %p: %u held request(s) cancelled.\n", queue, count);
    /* A cancelled request completes without failure: nothing to report, its slot is free. */
    for (entry = cancelled; entry; entry = next)
    {
        next = entry->next;
        queue_entry_free(queue, entry);
    }
    dstorage_unix_call(unix_queue_cancel, &params);
}
