/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The worker thread of a queue (a Wine thread, CreateThread). It waits on three auto-reset events:
 * worker_wake (a gate was added, staging room was freed, the queue is going away), gate_event (the
 * fence of the held list's first gate was reached) and gpu_event (a batch of GPU copies completed,
 * or the application's fence that a batch waits for was reached). Each wake it retires GPU
 * batches and executes those that may run (queue_gpu_poll), then hands held entries to the runtime
 * (queue_gate_release).
 *
 * D3D12 keeps a fence's event registration until the value is reached, so gate_event and gpu_event
 * are never closed: queues take them from and give them back to a process-wide pool. A stale
 * registration can only set one spuriously, and both consumers check fence values after every wake.
 */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

static SRWLOCK pool_lock = SRWLOCK_INIT;
static HANDLE *pool;
static SIZE_T pool_count, pool_capacity;

static HANDLE fence_event_get(void)
{
    HANDLE event = NULL;

    AcquireSRWLockExclusive(&pool_lock);
    if (pool_count) event = pool[--pool_count];
    ReleaseSRWLockExclusive(&pool_lock);
    return event ? event : CreateEventW(NULL, FALSE, FALSE, NULL);
}

static void fence_event_put(HANDLE event)
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

static DWORD WINAPI worker_thread(void *arg)
{
    struct queue_object *queue = arg;
    struct queue_state *state = queue->state;
    HANDLE events[3] = {state->worker_wake, state->gate_event, state->gpu_event};

    TRACE("queue %p: worker thread started.\n", queue);
    for (;;)
    {
        WaitForMultipleObjects(ARRAY_SIZE(events), events, FALSE, INFINITE);
        if (ReadAcquire((LONG *)&state->worker_stop)) break;
        queue_gpu_poll(queue);
        if (ReadAcquire((LONG *)&state->closed)) continue;
        queue_gate_release(queue);
    }
    TRACE("queue %p: worker thread done.\n", queue);
    return 0;
}

HRESULT queue_worker_start(struct queue_object *queue)
{
    struct queue_state *state = queue->state;

    if (!(state->worker_wake = CreateEventW(NULL, FALSE, FALSE, NULL)) ||
        !(state->gate_event = fence_event_get()) || !(state->gpu_event = fence_event_get()) ||
        !(state->worker = CreateThread(NULL, 0, worker_thread, queue, 0, NULL)))
    {
        DWORD error = GetLastError();

        ERR("Cannot start the worker thread, error %lu.\n", error);
        return error ? HRESULT_FROM_WIN32(error) : E_OUTOFMEMORY;
    }
    return S_OK;
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
    if (state->gate_event) fence_event_put(state->gate_event);
    state->gate_event = NULL;
    if (state->gpu_event) fence_event_put(state->gpu_event);
    state->gpu_event = NULL;
}
