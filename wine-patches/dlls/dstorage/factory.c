/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* IDStorageFactory: queues, files, status arrays, the staging-buffer size. */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

void factory_destroy(struct factory_object *factory)
{
    EnterCriticalSection(&dstorage_process.cs);
    if (dstorage_process.factory == factory) dstorage_process.factory = NULL;
    LeaveCriticalSection(&dstorage_process.cs);
    free(factory);
}

static HRESULT check_queue_desc(const DSTORAGE_QUEUE_DESC *desc)
{
    if (desc->SourceType != DSTORAGE_REQUEST_SOURCE_FILE &&
        desc->SourceType != DSTORAGE_REQUEST_SOURCE_MEMORY)
        return E_DSTORAGE_INVALID_SOURCE_TYPE;
    if (desc->Capacity < DSTORAGE_MIN_QUEUE_CAPACITY ||
        desc->Capacity > DSTORAGE_MAX_QUEUE_CAPACITY)
        return E_DSTORAGE_INVALID_QUEUE_CAPACITY;
    if (desc->Priority < DSTORAGE_PRIORITY_LOW || desc->Priority > DSTORAGE_PRIORITY_REALTIME)
        return E_DSTORAGE_INVALID_QUEUE_PRIORITY;
    if (desc->SourceType == DSTORAGE_REQUEST_SOURCE_MEMORY &&
        desc->Priority != DSTORAGE_PRIORITY_REALTIME)
        return E_DSTORAGE_INVALID_MEMORY_QUEUE_PRIORITY;
    return S_OK;
}

HRESULT factory_CreateQueue(struct factory_object *factory, const DSTORAGE_QUEUE_DESC *desc,
                            REFIID riid, void **out)
{
    struct queue_create_params params = {0};
    struct queue_object *queue;
    struct queue_state *state;
    UINT64 backend;
    HRESULT hr;

    *out = NULL;
    TRACE("source %u, capacity %u, priority %d, name %s, device %p.\n", (UINT)desc->SourceType,
          desc->Capacity, desc->Priority, debugstr_a(desc->Name), desc->Device);
    if (FAILED(hr = check_queue_desc(desc)))
    {
        WARN("Invalid queue description, hr %#lx.\n", hr);
        return hr;
    }
    if (FAILED(hr = dstorage_backend(&backend))) return hr;
    if (!(queue = calloc(1, sizeof(*queue))) || !(state = calloc(1, sizeof(*state))))
    {
        free(queue);
        return E_OUTOFMEMORY;
    }
    queue_object_init(queue);
    queue->state = state;
    state->desc = *desc;
    if (desc->Name && (state->name = malloc(strlen(desc->Name) + 1)))
        strcpy(state->name, desc->Name);
    state->desc.Name = state->name;
    if (desc->Device) ID3D12Device_AddRef(desc->Device);
    state->record.FirstFailure.CommandType = DSTORAGE_COMMAND_TYPE_NONE;
    InitializeCriticalSection(&state->cs);
    InitializeCriticalSection(&state->slot_cs);
    InitializeCriticalSection(&state->enqueue_cs);
    InitializeConditionVariable(&state->slot_freed);
    /* An eighth of the queue, 1 to 64 slots (queue.c, slot_take). */
    state->slot_wake_free = min(64, max(1, state->desc.Capacity / 8));
    state->error_event = CreateEventW(NULL, TRUE, FALSE, NULL);

    /* The GPU side comes first: the Unix queue's caps say how it decodes GDeflate. */
    if (FAILED(hr = gpu_vulkan_create(queue, &backend)) || FAILED(hr = queue_gpu_create(queue)))
    {
        queue_destroy(queue);
        return hr;
    }
    params.backend = backend;
    params.capacity = desc->Capacity;
    params.priority = desc->Priority;
    params.caps.source_type = desc->SourceType;
    params.caps.staging_buffer_size = dstorage_process.staging_buffer_size;
    params.caps.max_request_size = ~(UINT64)0;
    params.caps.has_device = !!desc->Device;
    params.caps.gdeflate = state->vulkan ? TRUE : dstorage_process.backend_gdeflate;
    params.caps.gpu_gdeflate = state->gpu_gdeflate;
    params.caps.meta_gdeflate = !state->vulkan && queue_gpu_decodes_gdeflate(queue);
    params.caps.zstd = dstorage_process.backend_zstd;
    params.caps.gacl = dstorage_process.backend_gacl;
    if (FAILED(hr = dstorage_unix_call(unix_queue_create, &params)) || FAILED(hr = params.result))
    {
        queue_destroy(queue);
        return hr;
    }
    queue->handle = params.queue;
    InterlockedIncrement(&dstorage_process.queue_count);
    if (!(state->thread = CreateThread(NULL, 0, queue_completion_thread, queue, 0, NULL)))
    {
        ERR("Cannot start the completion thread, error %lu.\n", GetLastError());
        queue_destroy(queue);
        return E_OUTOFMEMORY;
    }
    if (FAILED(hr = queue_worker_start(queue)))
    {
        queue_destroy(queue);
        return hr;
    }
    stats_queue_created();
    hr = queue_object_QueryInterface(queue, riid, out);
    queue_object_Release(queue);
    return hr;
}

HRESULT factory_OpenFile(struct factory_object *factory, const WCHAR *path, REFIID riid, void **out)
{
    struct file_open_params params = {0};
    struct file_object *file;
    struct file_state *state;
    HANDLE handle;
    HRESULT hr;

    *out = NULL;
    TRACE("path %s.\n", debugstr_w(path));
    handle = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (handle == INVALID_HANDLE_VALUE)
    {
        hr = HRESULT_FROM_WIN32(GetLastError());
        WARN("Cannot open %s, hr %#lx.\n", debugstr_w(path), hr);
        return hr;
    }
    params.handle = (UINT64)(ULONG_PTR)handle;
    if (FAILED(hr = dstorage_unix_call(unix_file_open, &params)) || FAILED(hr = params.result))
    {
        CloseHandle(handle);
        return hr;
    }
    if (!(file = calloc(1, sizeof(*file))) || !(state = calloc(1, sizeof(*state))) ||
        !(state->path = malloc((wcslen(path) + 1) * sizeof(WCHAR))))
    {
        struct file_destroy_params destroy = {.file = params.file};
        dstorage_unix_call(unix_file_destroy, &destroy);
        CloseHandle(handle);
        if (file) free(file->state);
        free(file);
        return E_OUTOFMEMORY;
    }
    file_object_init(file);
    file->state = state;
    file->handle = params.file;
    state->handle = handle;
    wcscpy(state->path, path);
    state->counted = TRUE;
    InterlockedIncrement(&dstorage_process.file_count);
    hr = file_object_QueryInterface(file, riid, out);
    file_object_Release(file);
    return hr;
}

HRESULT factory_CreateStatusArray(struct factory_object *factory, UINT32 capacity, PCSTR name,
                                  REFIID riid, void **out)
{
    struct status_array_object *array;
    struct status_array_state *state;
    UINT32 i;
    HRESULT hr;

    *out = NULL;
    if (!capacity) return E_INVALIDARG;
    if (!(array = calloc(1, sizeof(*array))) || !(state = calloc(1, sizeof(*state))) ||
        !(state->results = malloc(capacity * sizeof(*state->results))))
    {
        if (array) free(array->state);
        free(array);
        return E_OUTOFMEMORY;
    }
    status_array_object_init(array);
    array->state = state;
    state->capacity = capacity;
    /* A fresh array reads as complete: nothing was enqueued against it yet. */
    for (i = 0; i < capacity; ++i) state->results[i] = S_OK;
    hr = status_array_object_QueryInterface(array, riid, out);
    status_array_object_Release(array);
    return hr;
}

HRESULT factory_SetStagingBufferSize(struct factory_object *factory, UINT32 size)
{
    HRESULT hr = S_OK;

    /* Locked by queues only (each queue sizes its staging buffer when it is created): open files
     * do not matter here, unlike for DStorageSetConfiguration. Microsoft's
     * GpuDecompressionBenchmark opens its file first and then sets the staging size before each
     * queue. */
    EnterCriticalSection(&dstorage_process.cs);
    if (ReadNoFence(&dstorage_process.queue_count))
    {
        WARN("Queues exist; set the staging buffer size before creating them (or after releasing "
             "them).\n");
        hr = E_DSTORAGE_STAGING_BUFFER_LOCKED;
    }
    else
    {
        dstorage_process.staging_buffer_size = size;
    }
    LeaveCriticalSection(&dstorage_process.cs);
    return hr;
}
