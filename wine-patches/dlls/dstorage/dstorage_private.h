/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* PE side of dstorage.dll: hand-written object state and the helpers the sources share. */
#ifndef __WINE_DSTORAGE_PRIVATE_H
#define __WINE_DSTORAGE_PRIVATE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define COBJMACROS
#include "ntstatus.h"
#define WIN32_NO_STATUS
#include "windef.h"
#include "winbase.h"
#include "winternl.h"
#include "d3d12.h"
#include "dstorage_private_gen.h"
#include "wine/debug.h"

/* Process-wide state: one factory, one Unix backend, the configuration and the object counts
 * that lock the staging-buffer size. */
struct dstorage_process
{
    CRITICAL_SECTION cs;
    struct factory_object *factory;
    UINT64 backend;
    BOOL backend_gdeflate; /* the backend decodes GDeflate */
    UINT32 staging_buffer_size;
    DSTORAGE_CONFIGURATION1 config;
    LONG queue_count;
    LONG file_count;
};
extern struct dstorage_process dstorage_process;

HRESULT dstorage_backend(UINT64 *backend);
BOOL dstorage_staging_locked(void);

struct file_state
{
    HANDLE handle; /* PE handle, INVALID_HANDLE_VALUE once closed */
    WCHAR *path;
    BOOL counted;
};
/* Unix handle of an IDStorageFile, and its name for error records (empty when unknown). */
UINT64 file_unix_handle(IDStorageFile *iface);
const WCHAR *file_path(IDStorageFile *iface);

struct status_array_state
{
    UINT32 capacity;
    volatile LONG *results; /* HRESULT per index, E_PENDING while waiting */
};
void status_array_set(IDStorageStatusArray *iface, UINT32 index, HRESULT hr);
UINT32 status_array_capacity(IDStorageStatusArray *iface);

/* ENTRY_GATE and ENTRY_SUBMIT exist only in a queue's held list (queue_gate.c): the fence of an
 * EnqueueRequests(FENCE_WAIT_BEFORE_SOURCE_ACCESS) call, and a Submit made while something was held. */
enum entry_kind { ENTRY_REQUEST, ENTRY_STATUS, ENTRY_SIGNAL, ENTRY_EVENT, ENTRY_GATE, ENTRY_SUBMIT };

/* One enqueued entry; its address is the runtime's user_data. */
struct queue_entry
{
    enum entry_kind kind;
    UINT64 seq;      /* enqueue order, for status arrays */
    HRESULT invalid; /* validation failure found at enqueue, S_OK otherwise */
    volatile LONG ready; /* set once the enqueuing thread is done with the entry */
    BOOL slot;       /* holds one of the queue's slots (queue.c) */
    DSTORAGE_REQUEST request;
    char name[DSTORAGE_REQUEST_MAX_NAME];
    DSTORAGE_ENQUEUE_REQUEST_FLAGS flags; /* fence waits of EnqueueRequests */
    IDStorageFile *file; /* referenced while in flight */
    IDStorageStatusArray *status_array;
    UINT32 status_index;
    ID3D12Fence *fence;
    UINT64 fence_value;
    HANDLE event;
    /* GPU destinations: size of the data (GetCopyableFootprints total for textures), region of the
     * upload staging buffer */
    UINT64 footprint_size;
    UINT64 staging_offset;
    UINT64 staging_size;
    BOOL staging_failed; /* the staging buffer could not be created */
    HRESULT pe_check; /* enqueue_checks.c: what the PE side found wrong at enqueue (S_OK: nothing) */
    /* custom formats (custom.c): module-owned buffer the compressed bytes are read into */
    void *custom_buffer;
    struct queue_entry *next; /* in the held list (queue_gate.c) or the deferred list (custom.c) */
};

struct queue_gpu; /* queue_gpu.c */

struct queue_failure
{
    UINT64 seq;
    HRESULT hr;
};

struct queue_state
{
    DSTORAGE_QUEUE_DESC desc;
    char *name;
    BOOL closed;
    LONG64 next_seq;
    HANDLE thread;
    HANDLE error_event;
    CRITICAL_SECTION cs; /* error record, failures */
    DSTORAGE_ERROR_RECORD record;
    struct queue_failure *failures; /* request failures not yet reported by a status entry */
    SIZE_T failure_count, failure_capacity;
    struct queue_gpu *gpu;
    struct queue_entry *deferred_head, *deferred_tail; /* guarded by custom.c's lock */
    /* Slots (queue.c): entries enqueued and not completed yet, wherever they wait. */
    CRITICAL_SECTION slot_cs;
    CONDITION_VARIABLE slot_freed;
    UINT32 slots_used;
    /* Order into the runtime and the held list (queue_gate.c). Never held while blocking. */
    CRITICAL_SECTION enqueue_cs;
    struct queue_entry *held_head, *held_tail; /* behind a gate whose fence is not reached yet */
    UINT32 held_unsubmitted; /* held entries after the last held Submit */
    UINT64 gate_registered;  /* seq of the gate whose fence event is set up */
    /* The worker thread (queue_gate.c): opens gates, runs custom formats' GPU copies. */
    HANDLE worker;
    HANDLE worker_wake;  /* auto-reset */
    HANDLE gate_event;   /* auto-reset, from a process-wide pool (stale fence registrations may set it) */
    BOOL worker_stop;
    LONG staging_wait;   /* the worker waits for staging space */
};

void queue_record_failure(struct queue_object *queue, HRESULT hr, DSTORAGE_COMMAND_TYPE type,
                          const struct queue_entry *entry);
void queue_complete(struct queue_object *queue, const struct unix_completion *completion);
void queue_add_failure(struct queue_state *state, UINT64 seq, HRESULT hr);
/* Fires (or, once the queue is closed, only releases) a status/signal/event entry and frees it. */
void queue_fire_marker(struct queue_object *queue, struct queue_entry *entry);
struct queue_entry *queue_entry_create(struct queue_object *queue, enum entry_kind kind);
void queue_slot_release(struct queue_object *queue, struct queue_entry *entry);
/* Releases what the entry holds (staging region, custom buffer, references, its slot) and frees it. */
void queue_entry_free(struct queue_object *queue, struct queue_entry *entry);

/* queue.c: requests bound for the runtime, sent ENQUEUE_BATCH at a time; callers hold enqueue_cs. */
#define ENQUEUE_BATCH 32
struct queue_batch
{
    struct unix_request reqs[ENQUEUE_BATCH];
    struct queue_entry *entries[ENQUEUE_BATCH];
    UINT count;
};
/* S_FALSE: the request needs staging space and none is free now (nothing was done). */
HRESULT queue_batch_add(struct queue_object *queue, struct queue_batch *batch, struct queue_entry *entry);
void queue_batch_flush(struct queue_object *queue, struct queue_batch *batch);
void queue_send_marker(struct queue_object *queue, struct queue_entry *entry);
void queue_submit_runtime(struct queue_object *queue);

/* queue_gate.c: gates, the worker thread, and queue_Submit / queue_CancelRequestsWithTag (their
 * prototypes are generated). */
HRESULT queue_worker_start(struct queue_object *queue);
void queue_worker_stop(struct queue_object *queue);
void queue_worker_wake(struct queue_object *queue);
void queue_gate_staging_freed(struct queue_object *queue);
/* Callers hold enqueue_cs. */
void queue_gate_add(struct queue_object *queue, ID3D12Fence *fence, UINT64 value);
BOOL queue_gate_hold(struct queue_object *queue, struct queue_entry *entry); /* TRUE: held, taken */
UINT32 queue_gate_unsubmitted(struct queue_object *queue);
struct queue_entry *queue_gate_detach(struct queue_object *queue); /* Close: the held list */
void queue_gate_free_list(struct queue_object *queue, struct queue_entry *list);

/* custom.c: the custom decompression queue. */
BOOL custom_format(const DSTORAGE_REQUEST *request); /* CompressionFormat >= DSTORAGE_CUSTOM_COMPRESSION_0 */
/* The entry's read into custom_buffer succeeded: hand it to the application (takes the entry). */
void custom_submit(struct queue_object *queue, struct queue_entry *entry);
/* A status/signal/event entry: fires it, or defers it behind outstanding custom requests. */
void custom_marker(struct queue_object *queue, struct queue_entry *entry);
/* The worker thread: GPU copies of custom requests whose results were set. */
void custom_run_copies(struct queue_object *queue);
/* Close: drops the queue's custom requests and deferred markers. */
void custom_drop_queue(struct queue_object *queue);
DWORD WINAPI queue_completion_thread(void *arg);

/* queue_gpu.c: the D3D12 path for GPU destinations. */
BOOL queue_gpu_destination(const DSTORAGE_REQUEST *request);
/* Sizes the staging region (GetCopyableFootprints for textures); 0 when not a GPU destination. */
UINT64 queue_gpu_staged_size(struct queue_object *queue, const DSTORAGE_REQUEST *request);
/* Reserves a staging region; S_FALSE when it is full and !wait, else blocks until regions free up. */
HRESULT queue_gpu_reserve(struct queue_object *queue, struct queue_entry *entry, UINT64 size, BOOL wait,
                          UINT64 *address);
/* Mapped address of the entry's region; with pin, also a reference that keeps it mapped. */
void *queue_gpu_staging_data(struct queue_object *queue, const struct queue_entry *entry, ID3D12Resource **pin);
/* Records and runs the copies of a completed request (when copy), waits for them, frees its region. */
HRESULT queue_gpu_copy(struct queue_object *queue, struct queue_entry *entry, BOOL copy);
void queue_gpu_destroy(struct queue_object *queue);

/* enqueue_checks.c: what only the PE side can check (below); sets and returns entry->pe_check. */
HRESULT enqueue_check(ID3D12Device *device, struct queue_entry *entry);
/* app_memory.c: a MEMORY source (readable) and MEMORY destination (writable) against the process's
 * memory map (VirtualQuery): S_OK, or E_DSTORAGE_ACCESS_VIOLATION with *problem saying which. */
HRESULT app_memory_check(const DSTORAGE_REQUEST *request, const char **problem);
/* destination.c: a GPU destination against its resource's description (S_OK, or the HRESULT the
 * request fails with; *problem then says what is wrong). */
HRESULT destination_check(ID3D12Device *device, const DSTORAGE_REQUEST *request, const char **problem);

HRESULT dstorage_unix_call(enum dstorage_unix_funcs code, void *params);

/* codec.c: a GDeflate IDStorageCompressionCodec (threads: 0 = one per CPU). */
HRESULT codec_create(UINT32 threads, REFIID riid, void **out);

#endif /* __WINE_DSTORAGE_PRIVATE_H */
