/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The custom decompression queue (IDStorageCustomDecompressionQueue1 on the factory).
 *
 * A request with CompressionFormat >= DSTORAGE_CUSTOM_COMPRESSION_0 and a MEMORY destination is
 * enqueued into the runtime as a plain read of its Source size into a buffer this module owns
 * (entry->custom_buffer, passed to the Unix side as unix_request.staging). When that read has
 * completed, the completion thread turns the entry into a custom item: it waits in one
 * process-wide FIFO until GetRequests hands it out, and the original request completes when
 * SetRequestResults gives its HRESULT.
 *
 * Ordering: a status, signal or event entry of a queue fires only after every entry enqueued
 * before it has completed. The runtime already delivers such a marker after the reads before it;
 * a marker that arrives while an earlier custom request of its queue is still outstanding is
 * deferred (queue_state.deferred_*, FIFO) and fired by SetRequestResults once nothing before it
 * is outstanding. One SRW lock guards the items and every queue's deferred list; markers fire
 * under it, so they fire in order. Lock order: custom_lock, then queue_state.cs.
 *
 * Close drops the queue's items that were not handed out yet (they never complete, as nothing
 * completes after Close) and fires (= releases, the queue being closed) its deferred markers.
 * Items already handed out stay, without their entry, so that the application may still read
 * SrcBuffer; their SetRequestResults is accepted (S_OK) and only frees the buffer.
 */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

struct custom_item
{
    struct custom_item *next;
    BOOL handed_out;
    struct queue_object *queue;  /* NULL once the queue was closed */
    struct queue_entry *entry;   /* the original request; NULL once the queue was closed */
    DSTORAGE_CUSTOM_DECOMPRESSION_REQUEST request;
    void *src;                   /* owned */
};

static SRWLOCK custom_lock = SRWLOCK_INIT;
static struct custom_item *items_head, *items_tail;
static UINT64 next_id;
static HANDLE custom_event;

static HANDLE event_handle(void)
{
    if (!custom_event)
    {
        HANDLE created = CreateEventW(NULL, TRUE, FALSE, NULL);
        if (InterlockedCompareExchangePointer(&custom_event, created, NULL)) CloseHandle(created);
    }
    return custom_event;
}

/* Set while some item waits to be handed out; called with custom_lock held. */
static void update_event(void)
{
    struct custom_item *item;

    for (item = items_head; item; item = item->next)
        if (!item->handed_out) break;
    if (item) SetEvent(event_handle());
    else ResetEvent(event_handle());
}

static void unlink_item(struct custom_item *item)
{
    struct custom_item **p, *prev = NULL;

    for (p = &items_head; *p; prev = *p, p = &(*p)->next)
    {
        if (*p != item) continue;
        *p = item->next;
        if (items_tail == item) items_tail = prev;
        return;
    }
}

static BOOL outstanding_before(struct queue_object *queue, UINT64 seq)
{
    struct custom_item *item;

    for (item = items_head; item; item = item->next)
        if (item->queue == queue && item->entry->seq < seq) return TRUE;
    return FALSE;
}

static void release_entry(struct queue_entry *entry)
{
    if (entry->file) IDStorageFile_Release(entry->file);
    if (entry->fence) ID3D12Fence_Release(entry->fence);
    free(entry);
}

/* Fires the deferred markers of the queue that nothing before them holds back any more. */
static void flush_deferred(struct queue_object *queue)
{
    struct queue_state *state = queue->state;
    struct queue_entry *entry;

    while ((entry = state->deferred_head) && !outstanding_before(queue, entry->seq))
    {
        if (!(state->deferred_head = entry->next_deferred)) state->deferred_tail = NULL;
        queue_fire_marker(queue, entry);
    }
}

BOOL custom_request(const DSTORAGE_REQUEST *request)
{
    return request->Options.CompressionFormat >= DSTORAGE_CUSTOM_COMPRESSION_0
            && request->Options.DestinationType == DSTORAGE_REQUEST_DESTINATION_MEMORY;
}

void custom_submit(struct queue_object *queue, struct queue_entry *entry)
{
    const DSTORAGE_REQUEST *r = &entry->request;
    struct custom_item *item;

    AcquireSRWLockExclusive(&custom_lock);
    if (ReadAcquire((LONG *)&queue->state->closed) || !(item = calloc(1, sizeof(*item))))
    {
        ReleaseSRWLockExclusive(&custom_lock);
        free(entry->custom_buffer);
        release_entry(entry);
        return;
    }
    item->queue = queue;
    item->entry = entry;
    item->src = entry->custom_buffer;
    entry->custom_buffer = NULL;
    item->request.Id = ++next_id;
    item->request.CompressionFormat = r->Options.CompressionFormat;
    item->request.Flags = DSTORAGE_CUSTOM_DECOMPRESSION_FLAG_NONE;
    item->request.SrcSize = r->Options.SourceType == DSTORAGE_REQUEST_SOURCE_FILE ? r->Source.File.Size : r->Source.Memory.Size;
    item->request.SrcBuffer = item->src;
    item->request.DstSize = r->UncompressedSize;
    item->request.DstBuffer = r->Destination.Memory.Buffer;
    if (items_tail) items_tail->next = item;
    else items_head = item;
    items_tail = item;
    TRACE("request %s (%s): custom request id %s, format %#x, %s -> %s bytes.\n", wine_dbgstr_longlong(entry->seq),
          debugstr_a(entry->name), wine_dbgstr_longlong(item->request.Id), item->request.CompressionFormat,
          wine_dbgstr_longlong(item->request.SrcSize), wine_dbgstr_longlong(item->request.DstSize));
    SetEvent(event_handle());
    ReleaseSRWLockExclusive(&custom_lock);
}

void custom_marker(struct queue_object *queue, struct queue_entry *entry)
{
    struct queue_state *state = queue->state;

    AcquireSRWLockExclusive(&custom_lock);
    if (!ReadAcquire((LONG *)&state->closed) && (state->deferred_head || outstanding_before(queue, entry->seq)))
    {
        TRACE("entry %s waits for custom requests before it.\n", wine_dbgstr_longlong(entry->seq));
        entry->next_deferred = NULL;
        if (state->deferred_tail) state->deferred_tail->next_deferred = entry;
        else state->deferred_head = entry;
        state->deferred_tail = entry;
    }
    else queue_fire_marker(queue, entry);
    ReleaseSRWLockExclusive(&custom_lock);
}

void custom_drop_queue(struct queue_object *queue)
{
    struct queue_state *state = queue->state;
    struct custom_item *item, *next;
    struct queue_entry *entry;

    AcquireSRWLockExclusive(&custom_lock);
    for (item = items_head; item; item = next)
    {
        next = item->next;
        if (item->queue != queue) continue;
        TRACE("queue closed: custom request id %s dropped.\n", wine_dbgstr_longlong(item->request.Id));
        release_entry(item->entry);
        item->entry = NULL;
        item->queue = NULL;
        if (!item->handed_out)
        {
            unlink_item(item);
            free(item->src);
            free(item);
        }
    }
    while ((entry = state->deferred_head))
    {
        if (!(state->deferred_head = entry->next_deferred)) state->deferred_tail = NULL;
        queue_fire_marker(queue, entry); /* closed: only releases */
    }
    if (custom_event) update_event();
    ReleaseSRWLockExclusive(&custom_lock);
}

HANDLE factory_GetEvent(struct factory_object *factory)
{
    return event_handle();
}

static HRESULT get_requests(UINT32 max, DSTORAGE_CUSTOM_DECOMPRESSION_REQUEST *requests, UINT32 *count)
{
    struct custom_item *item;
    UINT32 n = 0;

    *count = 0;
    if (max && !requests) return E_INVALIDARG;
    AcquireSRWLockExclusive(&custom_lock);
    for (item = items_head; item && n < max; item = item->next)
    {
        if (item->handed_out) continue;
        item->handed_out = TRUE;
        requests[n++] = item->request;
    }
    update_event();
    ReleaseSRWLockExclusive(&custom_lock);
    *count = n;
    TRACE("%u custom request(s) handed out.\n", n);
    return S_OK;
}

HRESULT factory_GetRequests(struct factory_object *factory, UINT32 max, DSTORAGE_CUSTOM_DECOMPRESSION_REQUEST *requests,
                            UINT32 *count)
{
    return get_requests(max, requests, count);
}

HRESULT factory_GetRequests1(struct factory_object *factory, DSTORAGE_GET_REQUEST_FLAGS flags, UINT32 max,
                             DSTORAGE_CUSTOM_DECOMPRESSION_REQUEST *requests, UINT32 *count)
{
    /* Built-in formats (GDeflate) are decoded by ds-runtime and never handed out. */
    if (!(flags & DSTORAGE_GET_REQUEST_FLAG_SELECT_CUSTOM))
    {
        *count = 0;
        return flags & ~DSTORAGE_GET_REQUEST_FLAG_SELECT_ALL ? E_INVALIDARG : S_OK;
    }
    if (flags & ~DSTORAGE_GET_REQUEST_FLAG_SELECT_ALL)
    {
        *count = 0;
        return E_INVALIDARG;
    }
    return get_requests(max, requests, count);
}

HRESULT factory_SetRequestResults(struct factory_object *factory, UINT32 count, DSTORAGE_CUSTOM_DECOMPRESSION_RESULT *results)
{
    struct custom_item *item;
    struct queue_object *queue;
    struct queue_entry *entry;
    HRESULT ret = S_OK;
    UINT32 i;

    if (!count) return S_OK;
    if (!results) return E_INVALIDARG;
    AcquireSRWLockExclusive(&custom_lock);
    for (i = 0; i < count; ++i)
    {
        for (item = items_head; item; item = item->next)
            if (item->handed_out && item->request.Id == results[i].Id) break;
        if (!item)
        {
            WARN("unknown custom request id %s.\n", wine_dbgstr_longlong(results[i].Id));
            ret = E_INVALIDARG;
            continue;
        }
        unlink_item(item);
        if ((queue = item->queue))
        {
            entry = item->entry;
            TRACE("request %s (%s) done: custom id %s, hr %#lx.\n", wine_dbgstr_longlong(entry->seq),
                  debugstr_a(entry->name), wine_dbgstr_longlong(item->request.Id), results[i].Result);
            if (FAILED(results[i].Result) && !ReadAcquire((LONG *)&queue->state->closed))
            {
                queue_add_failure(queue->state, entry->seq, results[i].Result);
                queue_record_failure(queue, results[i].Result, DSTORAGE_COMMAND_TYPE_REQUEST, entry);
            }
            release_entry(entry);
            flush_deferred(queue);
        }
        free(item->src);
        free(item);
    }
    ReleaseSRWLockExclusive(&custom_lock);
    return ret;
}
