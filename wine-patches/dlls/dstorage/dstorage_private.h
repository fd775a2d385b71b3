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
    BOOL backend_zstd;     /* the backend decodes Zstandard (DirectStorage 1.4) */
    BOOL backend_gacl;     /* the backend undoes GACL shuffles (DirectStorage 1.4) */
    UINT32 staging_buffer_size;
    DSTORAGE_CONFIGURATION1 config;
    GUID creator_id; /* DSTORAGE_CONFIGURATION2::CreatorID (recorded, traced; nothing uses it) */
    LONG queue_count;
    LONG file_count;
};
extern struct dstorage_process dstorage_process;

HRESULT dstorage_backend(UINT64 *backend);
BOOL dstorage_staging_locked(void);
UINT64 dstorage_env_mib(const char *name, UINT64 fallback);

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
 * EnqueueRequests(FENCE_WAIT_BEFORE_SOURCE_ACCESS) call, and a Submit made while something was
 * held. */
struct queue_entry;
/* Called once the GPU copies before (and of) an entry have completed, or were dropped (hr). */
typedef void (*queue_gpu_done_fn)(struct queue_object *queue, struct queue_entry *entry,
                                  HRESULT hr);
enum entry_kind
{
    ENTRY_REQUEST,
    ENTRY_STATUS,
    ENTRY_SIGNAL,
    ENTRY_EVENT,
    ENTRY_GATE,
    ENTRY_SUBMIT
};

/* One enqueued entry; its address is the runtime's user_data. */
struct queue_entry
{
    enum entry_kind kind;
    UINT64 seq;          /* enqueue order, for status arrays */
    HRESULT invalid;     /* validation failure found at enqueue, S_OK otherwise */
    volatile LONG ready; /* set once the enqueuing thread is done with the entry */
    BOOL slot;           /* holds one of the queue's slots (queue.c) */
    DSTORAGE_REQUEST request;
    char name[DSTORAGE_REQUEST_MAX_NAME];
    DSTORAGE_ENQUEUE_REQUEST_FLAGS flags; /* fence waits of EnqueueRequests */
    IDStorageFile *file;                  /* referenced while in flight */
    IDStorageStatusArray *status_array;
    UINT32 status_index;
    ID3D12Fence *fence;
    UINT64 fence_value;
    HANDLE event;
    /* GPU destinations: size of the data (GetCopyableFootprints total for textures), region of the
     * staging buffer (queue_staging.c) */
    UINT64 footprint_size;
    UINT64 staging_offset;
    UINT64 staging_size;
    BOOL staging_failed;  /* the staging buffer could not be created */
    UINT8 gacl_by_module; /* GPU path vulkan: the GACL shuffle the module undoes (gpu_vulkan.c) */
    BOOL gpu_decode;      /* GDeflate decoded on the GPU (gpu_gdeflate.c): the staging region holds
                             the compressed bytes, copied to the same offset of the input buffer and
                             decoded into the decode buffer */
    HRESULT
    pe_check; /* enqueue_checks.c: what the PE side found wrong at enqueue (S_OK: nothing) */
    /* custom formats (custom.c): module-owned buffer the compressed bytes are read into */
    void *custom_buffer;
    queue_gpu_done_fn gpu_done; /* while in a GPU batch (queue_gpu.c) */
    struct queue_entry
        *next; /* in the held list (queue_gate.c), a GPU batch or the deferred list (custom.c) */
};

struct queue_gpu;     /* queue_gpu.c */
struct queue_staging; /* queue_staging.c */

struct queue_failure
{
    UINT64 seq;
    HRESULT hr;
};

/* stats.c: DS_KIT_STATS=1 counts, per queue and for the process (the same fields). */
struct queue_stats
{
    LONG64 requests;          /* completed successfully */
    LONG64 errors;            /* failed */
    LONG64 bytes;             /* delivered into destinations */
    LONG64 gdeflate_cpu;      /* GDeflate decoded by the runtime on the CPU */
    LONG64 gdeflate_gpu;      /* GDeflate decoded on the GPU (meta command, or GPU path vulkan) */
    LONG64 gdeflate_app;      /* GDeflate decoded by the application (custom queue) */
    LONG64 custom_app;        /* custom formats decoded by the application */
    LONG64 slot_waits;        /* times an enqueue waited for a slot (the queue was full) */
    LONG64 completion_rounds; /* completion batches the runtime handed the completion thread */
    LONG64 busy_ticks;        /* time active, QueryPerformanceCounter ticks */
    LONG64 busy_since;        /* start of the current active stretch, 0 when idle */
};
void stats_init(void); /* DLL_PROCESS_ATTACH: reads DS_KIT_STATS */
BOOL stats_enabled(void);
void stats_queue_created(void);
/* The queue's first slot was taken / its last one freed; callers hold its slot_cs. */
void stats_queue_busy(struct queue_stats *queue);
void stats_queue_idle(struct queue_stats *queue);
/* Who decoded a compressed request. */
enum stats_decoder
{
    DECODED_BY_RUNTIME,    /* ds-runtime's CPU backend (or not compressed) */
    DECODED_BY_GPU,        /* the GDeflate meta command */
    DECODED_BY_APPLICATION /* the custom decompression queue */
};
/* A request completed with hr; bytes delivered. */
void stats_request_done(struct queue_stats *queue, const DSTORAGE_REQUEST *request, HRESULT hr,
                        UINT64 bytes, enum stats_decoder decoder);
/* GPU path vulkan, before the queue's report: of its GDeflate decodes counted as the runtime's,
 * gpu were made on the GPU (the runtime's Vulkan backend serves that queue alone and knows). */
void stats_gpu_decodes(struct queue_stats *queue, LONG64 gpu);
/* One enqueue waited for a slot / the completion thread took one batch of completions. */
void stats_slot_wait(struct queue_stats *queue);
void stats_completion_round(struct queue_stats *queue);
void stats_queue_report(const void *queue, const char *name, struct queue_stats *counts);
void stats_process_report(void);
/* A size for TRACE, in decimal ("65536"). */
const char *debugstr_size(UINT64 size);

struct queue_state
{
    struct queue_stats stats;
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
    struct queue_staging *staging;
    struct gpu_vulkan *vulkan; /* GPU path "vulkan" (gpu_vulkan.c), NULL on the d3d12 path */
    BOOL gpu_gdeflate;         /* vulkan path: GDeflate into buffers decodes on the GPU */
    char gpu_path_note[512];   /* why this GPU path, for the +dstorage trace line */
    struct queue_entry *deferred_head, *deferred_tail; /* guarded by custom.c's lock */
    /* Slots (queue.c): entries enqueued and not completed yet, wherever they wait. */
    CRITICAL_SECTION slot_cs;
    CONDITION_VARIABLE slot_freed;
    UINT32 slots_used;
    UINT32 slot_waiters;   /* enqueues sleeping on slot_freed */
    UINT32 slot_wake_free; /* free slots at which a release wakes them (queue.c) */
    /* Order into the runtime and the held list (queue_gate.c). Never held while blocking. */
    CRITICAL_SECTION enqueue_cs;
    struct queue_entry *held_head, *held_tail; /* behind a gate whose fence is not reached yet */
    UINT32 held_unsubmitted;                   /* held entries after the last held Submit */
    UINT32 held_submits;                       /* ENTRY_SUBMIT entries in the held list */
    UINT64 gate_registered;                    /* seq of the gate whose fence event is set up */
    /* The worker thread (queue_worker.c): opens gates, retires and starts GPU batches. */
    HANDLE worker;
    HANDLE worker_wake; /* auto-reset */
    HANDLE gate_event;  /* auto-reset, from a process-wide pool (stale fence registrations may set
                           it) */
    HANDLE gpu_event;   /* auto-reset, same pool: GPU batches completed or may start */
    BOOL worker_stop;
    LONG staging_wait; /* the worker waits for staging space */
};

/* Wakes the worker thread (a gate was added, staging room freed). */
static inline void queue_wake_worker(struct queue_state *state)
{
    if (state->worker_wake) SetEvent(state->worker_wake);
}

/*
 * The queue files, each using only those listed after it:
 *   queue.c (application side) -> queue_gate.c -> queue_runtime.c -> custom.c -> queue_gpu.c
 *   queue_completion.c (completion thread), queue_worker.c (worker thread) -> the ones they call
 *   queue_gpu.c -> queue_entry.c -> queue_staging.c
 *   queue_gpu.c -> gpu_gdeflate.c (the GDeflate meta command), gdeflate_stream.c (stream checks)
 * and any of them -> stats.c.
 */

/* queue_staging.c: the staging buffer and its ring of regions. */
HRESULT queue_staging_create(struct queue_object *queue);
ID3D12Resource *
queue_staging_resource(struct queue_object *queue); /* NULL when it could not be created */
const char *queue_staging_heap(struct queue_object *queue);
/* S_FALSE: no room now. On success sets entry->staging_offset/size. */
HRESULT queue_staging_reserve(struct queue_object *queue, struct queue_entry *entry, UINT64 size);
/* Mapped address of the entry's region; with pin, also a reference that keeps it mapped. */
void *queue_staging_data(struct queue_object *queue, const struct queue_entry *entry,
                         ID3D12Resource **pin);
void queue_staging_release(struct queue_object *queue, struct queue_entry *entry);
void queue_staging_destroy(struct queue_object *queue);

/* queue_entry.c */
struct queue_entry *queue_entry_create(struct queue_object *queue, enum entry_kind kind);
void queue_slot_release(struct queue_object *queue, struct queue_entry *entry);
/* Releases what the entry holds (staging region, custom buffer, references, its slot) and frees it.
 */
void queue_entry_free(struct queue_object *queue, struct queue_entry *entry);
void queue_record_failure(struct queue_object *queue, HRESULT hr, DSTORAGE_COMMAND_TYPE type,
                          const struct queue_entry *entry);
/* The entry never reached the runtime: fail it on the spot and free it. */
void queue_entry_reject(struct queue_object *queue, struct queue_entry *entry, HRESULT hr,
                        DSTORAGE_COMMAND_TYPE type);
void queue_add_failure(struct queue_state *state, UINT64 seq, HRESULT hr);
/* Fires (or, once the queue is closed, only releases) a status/signal/event entry and frees it. */
void queue_fire_marker(struct queue_object *queue, struct queue_entry *entry);

/* gdeflate_stream.c: a GDeflate stream's header and tile table against the bytes read and the
 * expected uncompressed size (the tiles themselves are not looked at); FALSE with *problem. */
BOOL gdeflate_stream_check(const BYTE *data, UINT64 size, UINT64 uncompressed,
                           const char **problem);

/* gpu_gdeflate.c: the DirectStorage GDeflate meta command of a D3D12 device. */
#define GPU_GDEFLATE_MAX_STREAMS 256
struct gpu_gdeflate;
struct gpu_gdeflate_batch; /* the executions of one command list: control memory, input layout */
struct gpu_gdeflate_stream
{
    UINT64 input_offset; /* of the tile stream in its batch's span (gpu_gdeflate_batch_add_input) */
    UINT64 input_size;   /* its compressed bytes */
    UINT64 output_offset; /* in the decode buffer */
};
/* NULL where the device offers no such meta command (*why says why). The input ring and the decode
 * buffer are four times staging_size by default, created by gpu_gdeflate_buffers. */
struct gpu_gdeflate *gpu_gdeflate_create(ID3D12Device *device, UINT64 staging_size,
                                         const char **why);
/* Before the first decode: creates the device memory (once; at halved sizes where memory is short;
 * an err line names the fix where even the least fails). */
HRESULT gpu_gdeflate_buffers(struct gpu_gdeflate *gd, ID3D12Device *device);
void gpu_gdeflate_destroy(struct gpu_gdeflate *gd);
UINT gpu_gdeflate_max_streams(const struct gpu_gdeflate *gd);
/* The decode buffer: UNORDERED_ACCESS between command lists; its size bounds the decoded bytes of
 * one execution (each execution lays its streams out from offset 0). */
ID3D12Resource *gpu_gdeflate_output(const struct gpu_gdeflate *gd);
UINT64 gpu_gdeflate_output_size(const struct gpu_gdeflate *gd);
UINT64 gpu_gdeflate_ring_used(const struct gpu_gdeflate *gd); /* bytes of placed spans */
/* Room for `executions` executions recorded into one command list, and their streams' layout. */
struct gpu_gdeflate_batch *gpu_gdeflate_batch_create(const struct gpu_gdeflate *gd,
                                                     ID3D12Device *device, UINT executions);
void gpu_gdeflate_batch_reset(struct gpu_gdeflate_batch *batch); /* list reset; retired first */
UINT gpu_gdeflate_batch_room(const struct gpu_gdeflate_batch *batch); /* executions left */
void gpu_gdeflate_batch_destroy(struct gpu_gdeflate_batch *batch);
/* Lays out a stream's compressed bytes, staged at staging_offset, in the batch's span; returns its
 * input_offset. */
UINT64 gpu_gdeflate_batch_add_input(struct gpu_gdeflate_batch *batch, UINT64 staging_offset,
                                    UINT64 size);
/* Records one execution decoding `count` (<= max streams) streams into list (COMPUTE): the meta
 * command, then the decode buffer moved to COPY_SOURCE; after the copies out of it,
 * gpu_gdeflate_copies_done moves it back. */
HRESULT gpu_gdeflate_record(struct gpu_gdeflate *gd, ID3D12GraphicsCommandList *list,
                            struct gpu_gdeflate_batch *batch,
                            const struct gpu_gdeflate_stream *streams, UINT count);
/* When the batch is executed (in the order batches are executed): places its span in the input
 * ring and records the copies of its compressed bytes from `staging` into upload_list, which must
 * complete before the batch's list starts. S_FALSE: the ring is full, try again once a batch has
 * retired; a failure: the span can never fit. */
HRESULT gpu_gdeflate_batch_upload(struct gpu_gdeflate *gd, struct gpu_gdeflate_batch *batch,
                                  ID3D12GraphicsCommandList *upload_list, ID3D12Resource *staging);
/* Once the batch's list has completed (in the order they were executed): frees its span. */
void gpu_gdeflate_batch_retire(struct gpu_gdeflate *gd, struct gpu_gdeflate_batch *batch);
void gpu_gdeflate_copies_done(const struct gpu_gdeflate *gd, ID3D12GraphicsCommandList *list);

/* queue_gpu.c: the batched D3D12 path for GPU destinations. */
BOOL queue_gpu_destination(const DSTORAGE_REQUEST *request);
/* Sizes the staging region (GetCopyableFootprints for textures); 0 when not a GPU destination. */
UINT64 queue_gpu_staged_size(struct queue_object *queue, const DSTORAGE_REQUEST *request);
/* At CreateQueue with a device: the COPY queue (and, with GPU GDeflate, a COMPUTE queue), their
 * fences, the staging buffer and the GDeflate meta command; the "GPU path" trace. */
HRESULT queue_gpu_create(struct queue_object *queue);
/* GDeflate into GPU destinations is decoded on the GPU by this queue. */
BOOL queue_gpu_decodes_gdeflate(struct queue_object *queue);
/* Records the copy of a request whose bytes are in its staging region (for gpu_decode entries: the
 * decode, then the copy); done runs after it completed. */
void queue_gpu_copy(struct queue_object *queue, struct queue_entry *entry, queue_gpu_done_fn done);
/* done runs for the marker once every copy recorded before it has completed (at once if none). */
void queue_gpu_after_copies(struct queue_object *queue, struct queue_entry *marker,
                            queue_gpu_done_fn done);
void queue_gpu_flush(struct queue_object *queue); /* executes the open batch */
void queue_gpu_poll(
    struct queue_object *queue); /* worker: retire completed batches, start ready ones */
void queue_gpu_close(struct queue_object *queue); /* drops batches not executed yet */
void queue_gpu_destroy(struct queue_object *queue);

/* gpu_vulkan.c: GPU path "vulkan" (BUFFER destinations through ds-runtime's Vulkan backend on
 * vkd3d-proton's device). At CreateQueue, before the runtime queue: S_OK with *backend set (the
 * runtime queue goes on it), S_FALSE for the d3d12 path, a failure when DS_KIT_GPU_PATH forbids
 * the fallback. */
HRESULT gpu_vulkan_create(struct queue_object *queue, UINT64 *backend);
/* The Vulkan device under vkd3d-proton's D3D12 device is a CPU implementation (lavapipe); queue is
 * any D3D12 queue of it. FALSE for any other D3D12. */
BOOL gpu_vulkan_software_device(ID3D12Device *device, ID3D12CommandQueue *queue, char *name,
                                size_t name_size);
/* The entry's destination goes straight into its VkBuffer (no staging, no D3D12 copy). */
BOOL gpu_vulkan_buffer(struct queue_object *queue, const struct queue_entry *entry);
void gpu_vulkan_resolve(struct queue_object *queue, const struct queue_entry *entry,
                        struct unix_request *req);
void gpu_vulkan_destroy(struct queue_object *queue); /* after the runtime queue is destroyed */
/* Before staging: a request with a GACL shuffle the vulkan backend cannot undo is marked for the
 * module to undo (entry->gacl_by_module; it then takes staging, not its VkBuffer, and no GPU
 * decode). Requests the runtime must refuse (partial blocks, unknown shuffles, application decodes)
 * are left to its validation. */
void gpu_vulkan_mark_gacl(struct queue_object *queue, struct queue_entry *entry);
/* The read of a marked request completed: undoes the shuffle over its bytes (the memory
 * destination, or its staging region). S_OK or the HRESULT the request fails with. */
HRESULT gpu_vulkan_undo_gacl(struct queue_object *queue, struct queue_entry *entry, UINT64 bytes);
/* DS_KIT_STATS: moves the GDeflate decodes the backend made on the GPU out of the CPU count. */
void gpu_vulkan_count_decodes(struct queue_object *queue);

/* custom.c: the custom decompression queue. */
BOOL custom_format(
    const DSTORAGE_REQUEST *request); /* CompressionFormat >= DSTORAGE_CUSTOM_COMPRESSION_0 */
/* The entry's read into custom_buffer succeeded: hand it to the application (takes the entry). */
void custom_submit(struct queue_object *queue, struct queue_entry *entry);
/* A status/signal/event entry: fires it, or defers it behind outstanding custom requests. */
void custom_marker(struct queue_object *queue, struct queue_entry *entry);
/* Close: drops the queue's custom requests and deferred markers. */
void custom_drop_queue(struct queue_object *queue);

/* queue_runtime.c: requests bound for the runtime, sent ENQUEUE_BATCH at a time; callers hold
 * enqueue_cs. */
#define ENQUEUE_BATCH 32
struct queue_batch
{
    struct unix_request reqs[ENQUEUE_BATCH];
    struct queue_entry *entries[ENQUEUE_BATCH];
    UINT count;
};
/* S_FALSE: the request needs staging space and none is free now (nothing was done). */
HRESULT queue_batch_add(struct queue_object *queue, struct queue_batch *batch,
                        struct queue_entry *entry);
void queue_batch_flush(struct queue_object *queue, struct queue_batch *batch);
void queue_send_marker(struct queue_object *queue, struct queue_entry *entry);
void queue_submit_runtime(struct queue_object *queue);

/* queue_gate.c: the held list, queue_Submit and queue_CancelRequestsWithTag (prototypes generated).
 * Callers hold enqueue_cs. */
void queue_gate_add(struct queue_object *queue, ID3D12Fence *fence, UINT64 value);
BOOL queue_gate_hold(struct queue_object *queue, struct queue_entry *entry); /* TRUE: held, taken */
/* No staging room for the request: it waits in the held list (taken), the worker hands it over. */
void queue_gate_hold_for_staging(struct queue_object *queue, struct queue_entry *entry);
UINT32 queue_gate_unsubmitted(struct queue_object *queue);
struct queue_entry *queue_gate_detach(struct queue_object *queue); /* Close: the held list */
void queue_gate_free_list(struct queue_object *queue, struct queue_entry *list);
/* The worker: hands held entries to the runtime up to a closed gate or a lack of staging room. */
void queue_gate_release(struct queue_object *queue);

/* queue_worker.c */
HRESULT queue_worker_start(struct queue_object *queue);
void queue_worker_stop(struct queue_object *queue);

/* queue_completion.c */
DWORD WINAPI queue_completion_thread(void *arg);

/* enqueue_checks.c: what only the PE side can check (below); sets and returns entry->pe_check. */
HRESULT enqueue_check(ID3D12Device *device, struct queue_entry *entry);
/* app_memory.c: a MEMORY source (readable) and MEMORY destination (writable) against the process's
 * memory map (VirtualQuery): S_OK, or E_DSTORAGE_ACCESS_VIOLATION with *problem saying which. */
HRESULT app_memory_check(const DSTORAGE_REQUEST *request, const char **problem);
/* destination.c: a GPU destination against its resource's description (S_OK, or the HRESULT the
 * request fails with; *problem then says what is wrong). */
HRESULT destination_check(ID3D12Device *device, const DSTORAGE_REQUEST *request,
                          const char **problem);

HRESULT dstorage_unix_call(enum dstorage_unix_funcs code, void *params);

/* codec.c: a GDeflate or Zstandard IDStorageCompressionCodec (threads: 0 = one per CPU). */
HRESULT codec_create(DSTORAGE_COMPRESSION_FORMAT format, UINT32 threads, REFIID riid, void **out);

#endif /* __WINE_DSTORAGE_PRIVATE_H */
