/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The held list: entries that may not go to the runtime yet, in enqueue order.
 *
 * Two things start it. EnqueueRequests with
 * DSTORAGE_ENQUEUE_REQUEST_FLAG_FENCE_WAIT_BEFORE_SOURCE_ACCESS may not read its sources before the
 * fence reaches the value, and may not block the caller (the application may signal that fence from
 * work it submits afterwards): when the fence is not there yet, the call appends a gate
 * (ENTRY_GATE) and its requests after it. And a GPU destination that finds no room in the staging
 * buffer is held (queue_gate_hold_for_staging) instead of blocking the application: staging is
 * taken when a request leaves for the runtime, never at enqueue. From then on everything enqueued
 * on the queue joins the held list in order (requests, status, signal and event entries, and Submit
 * as ENTRY_SUBMIT), so that no entry overtakes one enqueued before it. Held entries hold their
 * slots (Query, enqueue blocking when full) but nothing of the runtime.
 *
 * The worker thread (queue_worker.c) calls queue_gate_release: for the gate at the head of the list
 * it registers the fence's event (gate_event) once; when the fence is reached it hands the held
 * entries to the runtime in order, up to the next gate whose fence is not reached. A request that
 * finds no staging room stays at the head, with staging_wait set: the next region freed wakes the
 * worker. The runtime is submitted then only when a held Submit follows (the application asked
 * for it already). Submit entries become runtime submits there, so held work runs only after the
 * application's Submit (or an automatic submission: held entries count towards it as if they were
 * in the runtime).
 *
 * CancelRequestsWithTag frees the matching held requests (cancelled requests are not failures);
 * Close drops the whole list, as the runtime drops unsubmitted entries: nothing of it completes.
 *
 * IDStorageQueue::Submit and CancelRequestsWithTag live here too (hand-written in policy.json):
 * both act on the held list before they reach the runtime.
 */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

/* --- the held list; callers hold enqueue_cs --- */

static void held_append(struct queue_state *state, struct queue_entry *entry)
{
    entry->next = NULL;
    if (state->held_tail)
        state->held_tail->next = entry;
    else
        state->held_head = entry;
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
    ++state->held_submits;
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
    queue_wake_worker(state);
}

/* Appends to the held list and counts it towards the automatic submission. */
static void hold(struct queue_object *queue, struct queue_entry *entry)
{
    struct queue_state *state = queue->state;
    struct queue_query_params query = {.queue = queue->handle};

    held_append(state, entry);
    ++state->held_unsubmitted;
    /* The runtime submits by itself once half its capacity waits unsubmitted; count held entries
     * as if they were there: submit what the runtime has and what is held so far. */
    if (SUCCEEDED(dstorage_unix_call(unix_queue_query, &query)) &&
        state->held_unsubmitted >= query.until_auto_submit && held_submit(state))
    {
        TRACE("queue %p: automatic submission with %u entries held.\n", queue,
              query.until_auto_submit);
        queue_submit_runtime(queue);
    }
}

BOOL queue_gate_hold(struct queue_object *queue, struct queue_entry *entry)
{
    struct queue_state *state = queue->state;

    if (!state->held_head || ReadAcquire((LONG *)&state->closed)) return FALSE;
    TRACE("queue %p: entry %s held behind a gate.\n", queue, wine_dbgstr_longlong(entry->seq));
    hold(queue, entry);
    return TRUE;
}

void queue_gate_hold_for_staging(struct queue_object *queue, struct queue_entry *entry)
{
    TRACE("queue %p: request %s waits for staging room.\n", queue,
          wine_dbgstr_longlong(entry->seq));
    hold(queue, entry);
    queue_wake_worker(
        queue->state); /* it retries with staging_wait set, so no region freed is missed */
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
    state->held_submits = 0;
    return list;
}

void queue_gate_free_list(struct queue_object *queue, struct queue_entry *list)
{
    struct queue_entry *next;

    for (; list; list = next)
    {
        next = list->next;
        if (list->kind != ENTRY_GATE && list->kind != ENTRY_SUBMIT)
            TRACE("queue %p closed: held entry %s dropped.\n", queue,
                  wine_dbgstr_longlong(list->seq));
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
        if (entry->kind == ENTRY_SUBMIT)
            state->held_unsubmitted = 0;
        else if (entry->kind != ENTRY_GATE)
            ++state->held_unsubmitted;
    }
}

/* The worker: hands the held entries to the runtime, in order, up to a gate still closed. */
void queue_gate_release(struct queue_object *queue)
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
                    HRESULT hr = ID3D12Fence_SetEventOnCompletion(entry->fence, entry->fence_value,
                                                                  state->gate_event);
                    if (FAILED(hr))
                        ERR("SetEventOnCompletion failed, hr %#lx; gate %s stays closed.\n", hr,
                            wine_dbgstr_longlong(entry->seq));
                    state->gate_registered = entry->seq;
                }
                goto done;
            }
            TRACE("queue %p: gate %s open (fence %p reached %s).\n", queue,
                  wine_dbgstr_longlong(entry->seq), entry->fence,
                  wine_dbgstr_longlong(entry->fence_value));
            queue_entry_free(queue, entry);
            break;
        case ENTRY_SUBMIT:
            --state->held_submits;
            queue_batch_flush(queue, &batch);
            queue_submit_runtime(queue);
            free(entry);
            break;
        case ENTRY_REQUEST:
            if (queue_batch_add(queue, &batch, entry) == S_OK) break;
            /* No staging room: the next region freed wakes us. What uses it runs once submitted: if
             * the application has submitted past this entry, so may we (nothing starts earlier than
             * the application asked for, and nothing waits for a Submit that already happened). */
            held_push_front(state, entry);
            queue_batch_flush(queue, &batch);
            if (state->held_submits) queue_submit_runtime(queue);
            InterlockedExchange(&state->staging_wait, TRUE);
            entry = held_pop(state);
            if (queue_batch_add(queue, &batch, entry) == S_OK) break;
            held_push_front(state, entry);
            TRACE("queue %p: held request %s waits for staging space.\n", queue,
                  wine_dbgstr_longlong(entry->seq));
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

/* --- IDStorageQueue::Submit and CancelRequestsWithTag --- */

void queue_Submit(struct queue_object *queue)
{
    struct queue_state *state = queue->state;

    EnterCriticalSection(&state->enqueue_cs);
    /* What is held runs once its gate opens; what the runtime has, now. */
    if (state->held_head && !held_submit(state))
        ERR("Out of memory; held entries wait for the next Submit.\n");
    LeaveCriticalSection(&state->enqueue_cs);
    queue_submit_runtime(queue);
}

void queue_CancelRequestsWithTag(struct queue_object *queue, UINT64 mask, UINT64 value)
{
    struct queue_cancel_params params = {.queue = queue->handle, .mask = mask, .value = value};
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
