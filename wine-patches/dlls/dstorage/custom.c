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
 * A request with CompressionFormat >= DSTORAGE_CUSTOM_COMPRESSION_0 is enqueued into the runtime as
 * a plain read of its Source size into a buffer this module owns (entry->custom_buffer, passed to
 * the Unix side as unix_request.staging). When that read has completed, the completion thread
 * turns the entry into a custom item: it waits in one process-wide FIFO until GetRequests hands it
 * out, and the original request completes when SetRequestResults gives its HRESULT.
 *
 * DstBuffer is the MEMORY destination itself, or for a GPU destination (BUFFER, TEXTURE_REGION,
 * MULTIPLE_SUBRESOURCES(_RANGE), TILES) the request's region of the queue's staging buffer
 * (queue_staging.c), taken when the request left for the runtime like any GPU request's and laid
 * out as GetCopyableFootprints says (Flags DEST_IN_UPLOAD_HEAP: it is GPU-visible staging memory).
 * A successful result then records the same copy an uncompressed request gets into the queue's
 * open GPU batch (queue_gpu.c, on the caller's thread: recording never blocks); the request
 * completes once that batch has completed (copy_done). The item keeps a reference on the staging
 * resource while the application may write DstBuffer, so a queue released meanwhile does not unmap
 * it.
 *
 * Ordering: a status, signal or event entry of a queue fires only after every entry enqueued
 * before it has completed. The runtime already delivers such a marker after the reads before it;
 * a marker that arrives while an earlier custom request of its queue is still outstanding (not
 * handed out, handed out, or being copied) is deferred (queue_state.deferred_*, FIFO) and fired
 * once nothing before it is outstanding. One SRW lock guards the items and every queue's deferred
 * list; markers fire under it, so they fire in order. Lock order: custom_lock, then queue_state.cs.
 *
 * Close drops the queue's items that were not handed out yet or wait for their copy (they never
 * complete, as nothing completes after Close) and fires (= releases, the queue being closed) its
 * deferred markers. Items already handed out stay, without their entry, so that the application may
 * still use SrcBuffer and DstBuffer; their SetRequestResults is accepted (S_OK) and only frees
 * them. An item being copied is finished by its copy_done, which runs before the queue's release
 * returns.
 */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

enum item_state
{
    ITEM_WAITING,    /* read, not handed out yet */
    ITEM_HANDED_OUT, /* the application decompresses it */
    ITEM_COPYING,    /* result set; its GPU copy is recorded or running */
};

struct custom_item
{
    struct custom_item *next;
    enum item_state state;
    struct queue_object *queue; /* NULL once the queue was closed */
    struct queue_entry *entry;  /* the original request; NULL once the queue was closed */
    DSTORAGE_CUSTOM_DECOMPRESSION_REQUEST request;
    void *src;               /* owned */
    ID3D12Resource *staging; /* GPU destinations: keeps DstBuffer mapped */
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
        if (item->state == ITEM_WAITING) break;
    if (item)
        SetEvent(event_handle());
    else
        ResetEvent(event_handle());
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

static void free_item(struct custom_item *item)
{
    if (item->staging) ID3D12Resource_Release(item->staging);
    free(item->src);
    free(item);
}

static BOOL outstanding_before(struct queue_object *queue, UINT64 seq)
{
    struct custom_item *item;

    for (item = items_head; item; item = item->next)
        if (item->queue == queue && item->entry->seq < seq) return TRUE;
    return FALSE;
}

/* Fires the deferred markers of the queue that nothing before them holds back any more. */
static void flush_deferred(struct queue_object *queue)
{
    struct queue_state *state = queue->state;
    struct queue_entry *entry;

    while ((entry = state->deferred_head) && !outstanding_before(queue, entry->seq))
    {
        if (!(state->deferred_head = entry->next)) state->deferred_tail = NULL;
        queue_fire_marker(queue, entry);
    }
}

/* The request is done with hr (custom_lock held); frees the item. */
static void complete_item(struct custom_item *item, HRESULT hr)
{
    struct queue_object *queue = item->queue;
    struct queue_entry *entry = item->entry;

    unlink_item(item);
    if (queue)
    {
        TRACE("request %s (%s) done: custom id %s, hr %#lx.\n", wine_dbgstr_longlong(entry->seq),
              debugstr_a(entry->name), wine_dbgstr_longlong(item->request.Id), hr);
        if (FAILED(hr) && !ReadAcquire((LONG *)&queue->state->closed))
        {
            queue_add_failure(queue->state, entry->seq, hr);
            queue_record_failure(queue, hr, DSTORAGE_COMMAND_TYPE_REQUEST, entry);
        }
        stats_request_done(&queue->state->stats, &entry->request, hr,
                           entry->request.UncompressedSize, DECODED_BY_APPLICATION);
        queue_entry_free(queue, entry);
        flush_deferred(queue);
    }
    free_item(item);
}

/* DSTORAGE_CONFIGURATION1.NumBuiltInCpuDecompressionThreads =
 * DSTORAGE_DISABLE_BUILTIN_CPU_DECOMPRESSION: the application decodes GDeflate itself, through this
 * queue (GetRequests1(SELECT_BUILTIN)). The configuration cannot change while a queue exists, so
 * enqueue may read it unlocked. */
static BOOL builtin_decompression_disabled(void)
{
    return dstorage_process.config.NumBuiltInCpuDecompressionThreads ==
           DSTORAGE_DISABLE_BUILTIN_CPU_DECOMPRESSION;
}

BOOL custom_format(const DSTORAGE_REQUEST *request)
{
    if (request->Options.CompressionFormat >= DSTORAGE_CUSTOM_COMPRESSION_0) return TRUE;
    return (request->Options.CompressionFormat == DSTORAGE_COMPRESSION_FORMAT_GDEFLATE ||
            request->Options.CompressionFormat == DSTORAGE_COMPRESSION_FORMAT_ZSTD) &&
           builtin_decompression_disabled();
}

static BOOL selected(const struct custom_item *item, DSTORAGE_GET_REQUEST_FLAGS flags)
{
    return item->request.CompressionFormat >= DSTORAGE_CUSTOM_COMPRESSION_0
               ? !!(flags & DSTORAGE_GET_REQUEST_FLAG_SELECT_CUSTOM)
               : !!(flags & DSTORAGE_GET_REQUEST_FLAG_SELECT_BUILTIN);
}

void custom_submit(struct queue_object *queue, struct queue_entry *entry)
{
    const DSTORAGE_REQUEST *r = &entry->request;
    struct custom_item *item;

    AcquireSRWLockExclusive(&custom_lock);
    if (ReadAcquire((LONG *)&queue->state->closed) || !(item = calloc(1, sizeof(*item))))
    {
        ReleaseSRWLockExclusive(&custom_lock);
        queue_entry_free(queue, entry);
        return;
    }
    item->queue = queue;
    item->entry = entry;
    item->src = entry->custom_buffer;
    entry->custom_buffer = NULL;
    item->request.Id = ++next_id;
    item->request.CompressionFormat = r->Options.CompressionFormat;
    item->request.SrcSize = r->Options.SourceType == DSTORAGE_REQUEST_SOURCE_FILE
                                ? r->Source.File.Size
                                : r->Source.Memory.Size;
    item->request.SrcBuffer = item->src;
    item->request.DstSize = r->UncompressedSize;
    if (entry->staging_size)
    {
        item->request.Flags = DSTORAGE_CUSTOM_DECOMPRESSION_FLAG_DEST_IN_UPLOAD_HEAP;
        item->request.DstBuffer = queue_staging_data(queue, entry, &item->staging);
    }
    else
    {
        item->request.Flags = DSTORAGE_CUSTOM_DECOMPRESSION_FLAG_NONE;
        item->request.DstBuffer = r->Destination.Memory.Buffer;
    }
    if (items_tail)
        items_tail->next = item;
    else
        items_head = item;
    items_tail = item;
    TRACE("request %s (%s): custom request id %s, format %#x, %s -> %s bytes%s.\n",
          wine_dbgstr_longlong(entry->seq), debugstr_a(entry->name),
          wine_dbgstr_longlong(item->request.Id), item->request.CompressionFormat,
          debugstr_size(item->request.SrcSize), debugstr_size(item->request.DstSize),
          entry->staging_size ? " (upload heap)" : "");
    SetEvent(event_handle());
    ReleaseSRWLockExclusive(&custom_lock);
}

void custom_marker(struct queue_object *queue, struct queue_entry *entry)
{
    struct queue_state *state = queue->state;

    AcquireSRWLockExclusive(&custom_lock);
    if (!ReadAcquire((LONG *)&state->closed) &&
        (state->deferred_head || outstanding_before(queue, entry->seq)))
    {
        TRACE("entry %s waits for custom requests before it.\n", wine_dbgstr_longlong(entry->seq));
        entry->next = NULL;
        if (state->deferred_tail)
            state->deferred_tail->next = entry;
        else
            state->deferred_head = entry;
        state->deferred_tail = entry;
    }
    else
        queue_fire_marker(queue, entry);
    ReleaseSRWLockExclusive(&custom_lock);
}

/* queue_gpu_done_fn of a custom request's copy into its GPU destination. */
static void copy_done(struct queue_object *queue, struct queue_entry *entry, HRESULT hr)
{
    struct custom_item *item;

    AcquireSRWLockExclusive(&custom_lock);
    for (item = items_head; item; item = item->next)
        if (item->state == ITEM_COPYING && item->entry == entry) break;
    if (!item)
    {
        ERR("No custom request for entry %p.\n", entry);
        ReleaseSRWLockExclusive(&custom_lock);
        return;
    }
    if (!item->queue)
    {
        /* Closed meanwhile: the entry is ours to free, nothing completes. */
        queue_entry_free(queue, entry);
        item->entry = NULL;
    }
    complete_item(item, hr == E_DSTORAGE_QUEUE_CLOSED ? S_OK : hr);
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
        TRACE("queue closed: custom request id %s dropped.\n",
              wine_dbgstr_longlong(item->request.Id));
        item->queue = NULL;
        switch (item->state)
        {
        case ITEM_COPYING:
            break; /* copy_done frees the entry */
        case ITEM_HANDED_OUT:
            queue_entry_free(queue, item->entry);
            item->entry = NULL;
            break;
        default:
            queue_entry_free(queue, item->entry);
            item->entry = NULL;
            unlink_item(item);
            free_item(item);
            break;
        }
    }
    while ((entry = state->deferred_head))
    {
        if (!(state->deferred_head = entry->next)) state->deferred_tail = NULL;
        queue_fire_marker(queue, entry); /* closed: only releases */
    }
    if (custom_event) update_event();
    ReleaseSRWLockExclusive(&custom_lock);
}

HANDLE factory_GetEvent(struct factory_object *factory)
{
    return event_handle();
}

static HRESULT get_requests(DSTORAGE_GET_REQUEST_FLAGS flags, UINT32 max,
                            DSTORAGE_CUSTOM_DECOMPRESSION_REQUEST *requests, UINT32 *count)
{
    struct custom_item *item;
    UINT32 n = 0;

    *count = 0;
    if (max && !requests) return E_INVALIDARG;
    AcquireSRWLockExclusive(&custom_lock);
    for (item = items_head; item && n < max; item = item->next)
    {
        if (item->state != ITEM_WAITING || !selected(item, flags)) continue;
        item->state = ITEM_HANDED_OUT;
        requests[n++] = item->request;
    }
    update_event();
    ReleaseSRWLockExclusive(&custom_lock);
    *count = n;
    TRACE("%u custom request(s) handed out.\n", n);
    return S_OK;
}

HRESULT factory_GetRequests(struct factory_object *factory, UINT32 max,
                            DSTORAGE_CUSTOM_DECOMPRESSION_REQUEST *requests, UINT32 *count)
{
    /* Everything: built-in formats are here only when the application disabled their decoding. */
    return get_requests(DSTORAGE_GET_REQUEST_FLAG_SELECT_ALL, max, requests, count);
}

HRESULT factory_GetRequests1(struct factory_object *factory, DSTORAGE_GET_REQUEST_FLAGS flags,
                             UINT32 max, DSTORAGE_CUSTOM_DECOMPRESSION_REQUEST *requests,
                             UINT32 *count)
{
    /* Built-in formats (GDeflate) are decoded by ds-runtime and handed out (SELECT_BUILTIN) only
     * under DSTORAGE_DISABLE_BUILTIN_CPU_DECOMPRESSION. */
    if (flags & ~DSTORAGE_GET_REQUEST_FLAG_SELECT_ALL)
    {
        *count = 0;
        return E_INVALIDARG;
    }
    return get_requests(flags, max, requests, count);
}

HRESULT factory_SetRequestResults(struct factory_object *factory, UINT32 count,
                                  DSTORAGE_CUSTOM_DECOMPRESSION_RESULT *results)
{
    struct copy
    {
        struct queue_object *queue;
        struct queue_entry *entry;
    } * copies;
    struct custom_item *item;
    struct queue_object *queue;
    UINT32 i, copy_count = 0;
    HRESULT ret = S_OK;

    if (!count) return S_OK;
    if (!results) return E_INVALIDARG;
    if (!(copies = malloc(count * sizeof(*copies)))) return E_OUTOFMEMORY;
    AcquireSRWLockExclusive(&custom_lock);
    for (i = 0; i < count; ++i)
    {
        for (item = items_head; item; item = item->next)
            if (item->state == ITEM_HANDED_OUT && item->request.Id == results[i].Id) break;
        if (!item)
        {
            WARN("unknown custom request id %s.\n", wine_dbgstr_longlong(results[i].Id));
            ret = E_INVALIDARG;
            continue;
        }
        if ((queue = item->queue) && SUCCEEDED(results[i].Result) && item->entry->staging_size &&
            !ReadAcquire((LONG *)&queue->state->closed))
        {
            /* Decompressed into the staging region: the copy is recorded below, outside the lock
             * (copy_done takes it); a reference keeps the queue alive until then. */
            TRACE("custom id %s: copy to the GPU destination recorded.\n",
                  wine_dbgstr_longlong(item->request.Id));
            item->state = ITEM_COPYING;
            queue_object_AddRef(queue);
            copies[copy_count].queue = queue;
            copies[copy_count++].entry = item->entry;
            continue;
        }
        complete_item(item, results[i].Result);
    }
    ReleaseSRWLockExclusive(&custom_lock);
    for (i = 0; i < copy_count; ++i)
    {
        queue_gpu_copy(copies[i].queue, copies[i].entry, copy_done);
        if (i + 1 == copy_count || copies[i + 1].queue != copies[i].queue)
            queue_gpu_flush(copies[i].queue);
    }
    for (i = 0; i < copy_count; ++i) queue_object_Release(copies[i].queue);
    free(copies);
    return ret;
}
