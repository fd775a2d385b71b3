/* SPDX-License-Identifier: MIT
 * D3D12 helpers shared by the dstorage.dll test programs that use GPU resources: a committed
 * buffer or texture, a fence, and a direct command queue with one allocator, one list and a fence
 * of its own, to record copies, execute them and wait for them (filling a buffer, reading one
 * back); and a DirectStorage request waited for through a fence signal. Include after common.h. */
#ifndef DSTORAGE_TEST_D3D12_UTIL_H
#define DSTORAGE_TEST_D3D12_UTIL_H

#include "common.h"

static ID3D12Resource *create_buffer(ID3D12Device *device, D3D12_HEAP_TYPE type, UINT64 size,
                                     D3D12_RESOURCE_STATES state)
{
    D3D12_HEAP_PROPERTIES heap = {type};
    D3D12_RESOURCE_DESC desc = {
        D3D12_RESOURCE_DIMENSION_BUFFER, 0, size, 1, 1, 1, DXGI_FORMAT_UNKNOWN, {1, 0},
        D3D12_TEXTURE_LAYOUT_ROW_MAJOR};
    ID3D12Resource *resource;
    REQUIRE_HR(ID3D12Device_CreateCommittedResource(device, &heap, D3D12_HEAP_FLAG_NONE, &desc,
                                                    state, NULL, &IID_ID3D12Resource,
                                                    (void **)&resource),
               "CreateCommittedResource(buffer)");
    return resource;
}

static ID3D12Resource *create_texture(ID3D12Device *device, DXGI_FORMAT format, UINT width,
                                      UINT height, UINT16 layers, UINT16 mips)
{
    D3D12_HEAP_PROPERTIES heap = {D3D12_HEAP_TYPE_DEFAULT};
    D3D12_RESOURCE_DESC desc = {
        D3D12_RESOURCE_DIMENSION_TEXTURE2D, 0, width, height, layers, mips, format, {1, 0},
        D3D12_TEXTURE_LAYOUT_UNKNOWN};
    ID3D12Resource *resource;
    REQUIRE_HR(ID3D12Device_CreateCommittedResource(device, &heap, D3D12_HEAP_FLAG_NONE, &desc,
                                                    D3D12_RESOURCE_STATE_COMMON, NULL,
                                                    &IID_ID3D12Resource, (void **)&resource),
               "CreateCommittedResource(texture)");
    return resource;
}

static ID3D12Fence *create_fence(ID3D12Device *device, UINT64 value)
{
    ID3D12Fence *fence;
    REQUIRE_HR(ID3D12Device_CreateFence(device, value, D3D12_FENCE_FLAG_NONE, &IID_ID3D12Fence,
                                        (void **)&fence),
               "CreateFence");
    return fence;
}

/* A direct queue, its allocator and list (closed between uses) and the fence it signals after
 * each execute (value: the last value signalled). */
struct gpu_queue
{
    ID3D12CommandQueue *queue;
    ID3D12CommandAllocator *allocator;
    ID3D12GraphicsCommandList *list;
    ID3D12Fence *fence;
    UINT64 value;
};

static void gpu_queue_init(struct gpu_queue *q, ID3D12Device *device)
{
    D3D12_COMMAND_QUEUE_DESC queue_desc = {D3D12_COMMAND_LIST_TYPE_DIRECT};

    REQUIRE_HR(ID3D12Device_CreateCommandQueue(device, &queue_desc, &IID_ID3D12CommandQueue,
                                               (void **)&q->queue),
               "CreateCommandQueue");
    REQUIRE_HR(ID3D12Device_CreateCommandAllocator(device, D3D12_COMMAND_LIST_TYPE_DIRECT,
                                                   &IID_ID3D12CommandAllocator,
                                                   (void **)&q->allocator),
               "CreateCommandAllocator");
    REQUIRE_HR(ID3D12Device_CreateCommandList(device, 0, D3D12_COMMAND_LIST_TYPE_DIRECT,
                                              q->allocator, NULL, &IID_ID3D12GraphicsCommandList,
                                              (void **)&q->list),
               "CreateCommandList");
    ID3D12GraphicsCommandList_Close(q->list);
    q->fence = create_fence(device, 0);
    q->value = 0;
}

/* Reset the allocator and the list: record commands into q->list next. */
static void gpu_queue_begin(struct gpu_queue *q)
{
    ID3D12CommandAllocator_Reset(q->allocator);
    ID3D12GraphicsCommandList_Reset(q->list, q->allocator, NULL);
}

/* Close the list, execute it, signal the fence and wait up to ms (INFINITE: no limit) for it.
 * Returns whether the fence reached the value in time. */
static BOOL gpu_queue_execute(struct gpu_queue *q, DWORD ms)
{
    HANDLE event = CreateEventW(NULL, FALSE, FALSE, NULL);
    ID3D12CommandList *l = (ID3D12CommandList *)q->list;
    BOOL reached;

    REQUIRE_HR(ID3D12GraphicsCommandList_Close(q->list), "Close command list");
    ID3D12CommandQueue_ExecuteCommandLists(q->queue, 1, &l);
    ID3D12CommandQueue_Signal(q->queue, q->fence, ++q->value);
    ID3D12Fence_SetEventOnCompletion(q->fence, q->value, event);
    reached = WaitForSingleObject(event, ms) == WAIT_OBJECT_0;
    CloseHandle(event);
    return reached;
}

static void gpu_queue_release(struct gpu_queue *q)
{
    ID3D12Fence_Release(q->fence);
    ID3D12GraphicsCommandList_Release(q->list);
    ID3D12CommandAllocator_Release(q->allocator);
    ID3D12CommandQueue_Release(q->queue);
    memset(q, 0, sizeof(*q));
}

/* Sets size bytes of buffer (from offset 0) to value through an UPLOAD buffer and q. */
static void fill_buffer(ID3D12Device *device, struct gpu_queue *q, ID3D12Resource *buffer,
                        UINT64 size, BYTE value)
{
    ID3D12Resource *upload =
        create_buffer(device, D3D12_HEAP_TYPE_UPLOAD, size, D3D12_RESOURCE_STATE_GENERIC_READ);
    BYTE *data;

    REQUIRE_HR(ID3D12Resource_Map(upload, 0, NULL, (void **)&data), "Map upload");
    memset(data, value, size);
    ID3D12Resource_Unmap(upload, 0, NULL);
    gpu_queue_begin(q);
    ID3D12GraphicsCommandList_CopyBufferRegion(q->list, buffer, 0, upload, 0, size);
    gpu_queue_execute(q, INFINITE);
    ID3D12Resource_Release(upload);
}

/* Copies size bytes at offset of buffer into a new READBACK buffer through q, waits for the copy
 * and maps the copy: returns its bytes, *readback the buffer (release_read_back after use). */
static BYTE *read_back_buffer(ID3D12Device *device, struct gpu_queue *q, ID3D12Resource *buffer,
                              UINT64 offset, UINT64 size, ID3D12Resource **readback)
{
    BYTE *data;

    *readback =
        create_buffer(device, D3D12_HEAP_TYPE_READBACK, size, D3D12_RESOURCE_STATE_COPY_DEST);
    gpu_queue_begin(q);
    ID3D12GraphicsCommandList_CopyBufferRegion(q->list, *readback, 0, buffer, offset, size);
    gpu_queue_execute(q, INFINITE);
    REQUIRE_HR(ID3D12Resource_Map(*readback, 0, NULL, (void **)&data), "Map readback");
    return data;
}

static void release_read_back(ID3D12Resource *readback)
{
    ID3D12Resource_Unmap(readback, 0, NULL);
    ID3D12Resource_Release(readback);
}

/* Enqueues r and a signal of fence to value behind it, submits, and waits up to 60 s for the
 * fence; returns the queue's error record. */
static DSTORAGE_ERROR_RECORD enqueue_and_signal(IDStorageQueue3 *queue, const DSTORAGE_REQUEST *r,
                                                ID3D12Fence *fence, UINT64 value, const char *what)
{
    HANDLE event = CreateEventW(NULL, FALSE, FALSE, NULL);
    DSTORAGE_ERROR_RECORD record;

    IDStorageQueue3_EnqueueRequest(queue, r);
    IDStorageQueue3_EnqueueSignal(queue, fence, value);
    IDStorageQueue3_Submit(queue);
    ID3D12Fence_SetEventOnCompletion(fence, value, event);
    CHECK(WaitForSingleObject(event, 60000) == WAIT_OBJECT_0,
          "%s: expected the fence within 60 s, got a timeout", what);
    CloseHandle(event);
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    return record;
}

/* As enqueue_and_signal, and the request must not fail. */
static void enqueue_and_signal_ok(IDStorageQueue3 *queue, const DSTORAGE_REQUEST *r,
                                  ID3D12Fence *fence, UINT64 value, const char *what)
{
    DSTORAGE_ERROR_RECORD record = enqueue_and_signal(queue, r, fence, value, what);
    CHECK(!record.FailureCount, "%s: expected no failure, got %u (first hr %#lx)", what,
          record.FailureCount, (unsigned long)record.FirstFailure.HResult);
}

#endif
