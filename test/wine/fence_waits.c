/* SPDX-License-Identifier: MIT
 * Program: the fence waits of IDStorageQueue3::EnqueueRequests.
 * FENCE_WAIT_BEFORE_SOURCE_ACCESS must not block the caller: the requests are accepted at once
 * (they take queue slots), their sources are not read before the fence reaches the value (the
 * source memory is changed after EnqueueRequests and before the CPU signals the fence, and the
 * destination must get the changed bytes), and everything enqueued after them (a plain request,
 * status, signal, event, Submit) stays behind them. Also: a fence already reached, held work still
 * waiting for Submit, CancelRequestsWithTag on held requests, Close and Release with a gate
 * pending, a full queue of held requests blocking the next enqueue, and FENCE_WAIT_BEFORE_GPU_WORK
 * (the copy into a GPU buffer waits on the GPU) as well as a gated GPU destination; Close and
 * Release while a GPU copy waits for a fence the application never signals (they return at once);
 * and EnqueueRequest when the staging buffer is full behind such a copy (it returns at once:
 * staging is taken when a request starts, not when it is enqueued). */
#include "common.h"
#include "d3d12_util.h"

#define SIZE 65536

static IDStorageFactory *factory;
static ID3D12Device *device;

static DSTORAGE_REQUEST gated_request(const void *src, void *dst, UINT32 size, UINT64 tag)
{
    DSTORAGE_REQUEST r = memory_request(src, dst, size, "gated");

    r.CancellationTag = tag;
    return r;
}

static BOOL wait_fence(ID3D12Fence *fence, UINT64 value, DWORD ms)
{
    HANDLE event = CreateEventW(NULL, FALSE, FALSE, NULL);
    BOOL reached;

    ID3D12Fence_SetEventOnCompletion(fence, value, event);
    reached = WaitForSingleObject(event, ms) == WAIT_OBJECT_0;
    CloseHandle(event);
    return reached;
}

static UINT empty_slots(IDStorageQueue3 *queue)
{
    DSTORAGE_QUEUE_INFO info;
    IDStorageQueue3_Query(queue, &info);
    return info.EmptySlotCount;
}

static void fill(BYTE *data, UINT32 size, BYTE salt)
{
    UINT32 i;
    for (i = 0; i < size; ++i) data[i] = pattern_byte(i) ^ salt;
}

/* data must be fill(salt)'s bytes; reports the first difference. */
static void check_salted(const BYTE *data, UINT32 size, BYTE salt, const char *what)
{
    UINT32 i;

    for (i = 0; i < size; ++i)
    {
        if (data[i] == (BYTE)(pattern_byte(i) ^ salt)) continue;
        CHECK(0, "%s: byte %u: expected %#x, got %#x", what, i, (BYTE)(pattern_byte(i) ^ salt),
              data[i]);
        return;
    }
}

static BOOL all_bytes(const BYTE *data, UINT32 size, BYTE value)
{
    UINT32 i;
    for (i = 0; i < size; ++i)
        if (data[i] != value) return FALSE;
    return TRUE;
}

/* EnqueueRequests on another thread, so that a call that blocks shows up as a failed check rather
 * than a hang (the test then signals the fence itself to let it finish). */
struct enqueue_call
{
    IDStorageQueue3 *queue;
    const DSTORAGE_REQUEST *requests;
    UINT count;
    ID3D12Fence *fence;
    UINT64 value;
    DSTORAGE_ENQUEUE_REQUEST_FLAGS flags;
};

static DWORD WINAPI enqueue_thread(void *arg)
{
    struct enqueue_call *c = arg;
    IDStorageQueue3_EnqueueRequests(c->queue, c->requests, c->count, c->fence, c->value, c->flags);
    return 0;
}

static HANDLE enqueue_async(struct enqueue_call *call)
{
    return CreateThread(NULL, 0, enqueue_thread, call, 0, NULL);
}

static void enqueue_gated(struct enqueue_call *call, const char *what)
{
    HANDLE thread = enqueue_async(call);
    DWORD start = GetTickCount(), ret;

    ret = WaitForSingleObject(thread, 5000);
    CHECK(ret == WAIT_OBJECT_0,
          "%s: EnqueueRequests(FENCE_WAIT_BEFORE_SOURCE_ACCESS) on an unsignalled fence: expected "
          "it to return at once, "
          "got still blocked after 5 s",
          what);
    if (ret != WAIT_OBJECT_0)
    {
        ID3D12Fence_Signal(call->fence, call->value);
        WaitForSingleObject(thread, INFINITE);
    }
    else if (GetTickCount() - start > 1000)
        printf("note: %s: EnqueueRequests took %lu ms\n", what, GetTickCount() - start);
    CloseHandle(thread);
}

/* The main case: gated request, then a plain request, status, signal and event behind it. */
static void test_source_access(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, 128,
                                          DSTORAGE_PRIORITY_REALTIME, device, "gate");
    BYTE *src = malloc(SIZE), *src2 = malloc(SIZE), *dst = calloc(1, SIZE), *dst2 = calloc(1, SIZE);
    ID3D12Fence *gate = create_fence(device, 0), *signal = create_fence(device, 0);
    HANDLE done = CreateEventW(NULL, TRUE, FALSE, NULL);
    DSTORAGE_REQUEST gated = gated_request(src, dst, SIZE, 0),
                     plain = gated_request(src2, dst2, SIZE, 0);
    struct enqueue_call call = {
        queue, &gated, 1, gate, 1, DSTORAGE_ENQUEUE_REQUEST_FLAG_FENCE_WAIT_BEFORE_SOURCE_ACCESS};
    IDStorageStatusArray *status;
    DSTORAGE_ERROR_RECORD record;
    DSTORAGE_QUEUE_INFO info;

    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 1, "gate", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    fill(src, SIZE, 0);
    fill(src2, SIZE, 0x11);
    enqueue_gated(&call, "gate");
    IDStorageQueue3_EnqueueRequest(queue, &plain);
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    IDStorageQueue3_EnqueueSignal(queue, signal, 1);
    IDStorageQueue3_EnqueueSetEvent(queue, done);
    IDStorageQueue3_Query(queue, &info);
    CHECK_EQ(127 - 5, info.EmptySlotCount, "EmptySlotCount with 5 entries behind a gate");
    CHECK_EQ(64 - 5, info.RequestCountUntilAutoSubmit,
             "RequestCountUntilAutoSubmit with 5 entries behind a gate");
    IDStorageQueue3_Submit(queue);

    Sleep(300);
    CHECK(all_bytes(dst, SIZE, 0), "gated request: destination written while the fence is 0");
    CHECK(all_bytes(dst2, SIZE, 0),
          "request after a gate: destination written while the fence is 0");
    CHECK_HR(E_PENDING, IDStorageStatusArray_GetHResult(status, 0),
             "status behind a gate while the fence is 0");
    CHECK_EQ(0, ID3D12Fence_GetCompletedValue(signal), "signal behind a gate while the fence is 0");
    CHECK(WaitForSingleObject(done, 0) == WAIT_TIMEOUT,
          "event entry behind a gate fired while the fence is 0");
    CHECK_EQ(127 - 5, empty_slots(queue), "EmptySlotCount after Submit, gate closed");

    /* The sources may change until the fence says they are ready. */
    fill(src, SIZE, 0x5a);
    fill(src2, SIZE, 0xa5);
    REQUIRE_HR(ID3D12Fence_Signal(gate, 1), "ID3D12Fence_Signal(gate, 1)");
    CHECK(wait_fence(signal, 1, 30000),
          "signal behind the gate: expected within 30 s of the gate's fence");
    /* The signal came after the status entry and both requests: they are all complete. */
    CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 0),
             "status when the signal behind it fired");
    check_salted(dst, SIZE, 0x5a, "gated request (source bytes as changed before the fence)");
    check_salted(dst2, SIZE, 0xa5,
                 "request after the gate (source bytes as changed before the fence)");
    CHECK(WaitForSingleObject(done, 30000) == WAIT_OBJECT_0,
          "event entry behind the gate: expected after the signal");
    CHECK_EQ(127, empty_slots(queue), "EmptySlotCount once everything completed");
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    CHECK_EQ(0, record.FailureCount, "failures");

    CloseHandle(done);
    ID3D12Fence_Release(gate);
    ID3D12Fence_Release(signal);
    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
    free(src);
    free(src2);
    free(dst);
    free(dst2);
}

/* A fence already at the value: nothing waits. Held work runs only after Submit. */
static void test_reached_and_submit(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, 128,
                                          DSTORAGE_PRIORITY_REALTIME, device, "reached");
    BYTE *src = malloc(SIZE), *dst = calloc(1, SIZE);
    ID3D12Fence *fence = create_fence(device, 5);
    DSTORAGE_REQUEST r = gated_request(src, dst, SIZE, 0);

    fill(src, SIZE, 0);
    IDStorageQueue3_EnqueueRequests(queue, &r, 1, fence, 5,
                                    DSTORAGE_ENQUEUE_REQUEST_FLAG_FENCE_WAIT_BEFORE_SOURCE_ACCESS);
    submit_and_wait(queue, "fence already reached");
    check_pattern(dst, 0, SIZE, "fence already reached");

    /* Gate opens before Submit: the held request reaches the queue, unsubmitted, and waits. */
    memset(dst, 0, SIZE);
    IDStorageQueue3_EnqueueRequests(queue, &r, 1, fence, 6,
                                    DSTORAGE_ENQUEUE_REQUEST_FLAG_FENCE_WAIT_BEFORE_SOURCE_ACCESS);
    ID3D12Fence_Signal(fence, 6);
    Sleep(300);
    CHECK(all_bytes(dst, SIZE, 0), "gate opened, no Submit: destination written");
    submit_and_wait(queue, "gate opened, then Submit");
    check_pattern(dst, 0, SIZE, "gate opened, then Submit");

    ID3D12Fence_Release(fence);
    IDStorageQueue3_Release(queue);
    free(src);
    free(dst);
}

static void test_cancel(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, 128,
                                          DSTORAGE_PRIORITY_REALTIME, device, "gate cancel");
    static BYTE src[8][4096], dst[8][4096];
    DSTORAGE_REQUEST r[8];
    ID3D12Fence *fence = create_fence(device, 0);
    struct enqueue_call call = {
        queue, r, 8, fence, 1, DSTORAGE_ENQUEUE_REQUEST_FLAG_FENCE_WAIT_BEFORE_SOURCE_ACCESS};
    IDStorageStatusArray *status;
    DSTORAGE_ERROR_RECORD record;
    unsigned int i;
    char what[64];

    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 1, "gate cancel",
                                                  &IID_IDStorageStatusArray, (void **)&status),
               "CreateStatusArray");
    memset(dst, 0xcc, sizeof(dst));
    for (i = 0; i < 8; ++i)
    {
        fill(src[i], sizeof(src[i]), (BYTE)i);
        r[i] = gated_request(src[i], dst[i], sizeof(src[i]), i % 2 ? 0x1234 : 0x5678);
    }
    enqueue_gated(&call, "cancel");
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    IDStorageQueue3_Submit(queue);
    CHECK_EQ(127 - 9, empty_slots(queue),
             "EmptySlotCount with 8 gated requests and a status entry");
    IDStorageQueue3_CancelRequestsWithTag(queue, 0xff00, 0x1200);
    CHECK_EQ(127 - 5, empty_slots(queue), "EmptySlotCount after cancelling 4 gated requests");
    CHECK_HR(E_PENDING, IDStorageStatusArray_GetHResult(status, 0),
             "status behind the gate after the cancel");
    ID3D12Fence_Signal(fence, 1);
    submit_and_wait(queue, "gate cancel");
    CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 0),
             "status after cancelled gated requests");
    for (i = 0; i < 8; ++i)
    {
        sprintf(what, "gated request %u (%s)", i, i % 2 ? "cancelled" : "kept");
        if (i % 2)
            CHECK(all_bytes(dst[i], sizeof(dst[i]), 0xcc), "%s: destination written", what);
        else if (memcmp(dst[i], src[i], sizeof(src[i])))
            CHECK(0, "%s: destination differs from the source", what);
    }
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    CHECK_EQ(0, record.FailureCount,
             "failures after cancelling gated requests (cancelled requests are not failures)");
    CHECK_EQ(127, empty_slots(queue), "EmptySlotCount once everything completed");

    ID3D12Fence_Release(fence);
    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
}

/* Close, and the last Release, with a gate pending: nothing completes, nothing hangs. */
static void test_close(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, 128,
                                          DSTORAGE_PRIORITY_REALTIME, device, "gate close");
    BYTE *src = malloc(SIZE), *dst = calloc(1, SIZE);
    ID3D12Fence *fence = create_fence(device, 0), *signal = create_fence(device, 0);
    HANDLE done = CreateEventW(NULL, TRUE, FALSE, NULL);
    DSTORAGE_REQUEST r = gated_request(src, dst, SIZE, 0);
    struct enqueue_call call = {
        queue, &r, 1, fence, 1, DSTORAGE_ENQUEUE_REQUEST_FLAG_FENCE_WAIT_BEFORE_SOURCE_ACCESS};
    IDStorageStatusArray *status;

    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 1, "gate close",
                                                  &IID_IDStorageStatusArray, (void **)&status),
               "CreateStatusArray");
    fill(src, SIZE, 0);
    enqueue_gated(&call, "close");
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    IDStorageQueue3_EnqueueSignal(queue, signal, 1);
    IDStorageQueue3_EnqueueSetEvent(queue, done);
    IDStorageQueue3_Submit(queue);
    IDStorageQueue3_Close(queue);
    ID3D12Fence_Signal(fence, 1);
    Sleep(300);
    CHECK(all_bytes(dst, SIZE, 0), "gated request after Close: destination written");
    CHECK(WaitForSingleObject(done, 0) == WAIT_TIMEOUT,
          "event entry behind a gate fired after Close");
    CHECK_EQ(0, ID3D12Fence_GetCompletedValue(signal), "signal behind a gate after Close");
    CHECK_HR(E_PENDING, IDStorageStatusArray_GetHResult(status, 0),
             "status behind a gate after Close");
    IDStorageQueue3_Release(queue); /* must not hang */

    /* The last Release with a gate whose fence is never signalled. */
    queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, 128, DSTORAGE_PRIORITY_REALTIME,
                         device, "gate release");
    ID3D12Fence_Release(fence);
    fence = create_fence(device, 0);
    call.queue = queue;
    call.fence = fence;
    enqueue_gated(&call, "release");
    IDStorageQueue3_EnqueueSetEvent(queue, done);
    IDStorageQueue3_Submit(queue);
    IDStorageQueue3_Release(queue); /* must not hang */
    CHECK(WaitForSingleObject(done, 0) == WAIT_TIMEOUT,
          "event entry behind a gate fired after the last Release");
    CHECK(all_bytes(dst, SIZE, 0), "gated request after the last Release: destination written");

    CloseHandle(done);
    ID3D12Fence_Release(fence);
    ID3D12Fence_Release(signal);
    IDStorageStatusArray_Release(status);
    free(src);
    free(dst);
}

/* Held requests take slots: a full queue blocks the next enqueue until the gate opens. */
static void test_full(void)
{
    enum
    {
        COUNT = 200,
        EACH = 64
    };
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, 128,
                                          DSTORAGE_PRIORITY_REALTIME, device, "gate full");
    BYTE *src = malloc(COUNT * EACH), *dst = calloc(COUNT, EACH);
    DSTORAGE_REQUEST *r = malloc(COUNT * sizeof(*r));
    ID3D12Fence *fence = create_fence(device, 0);
    struct enqueue_call call = {
        queue, r, COUNT, fence, 1, DSTORAGE_ENQUEUE_REQUEST_FLAG_FENCE_WAIT_BEFORE_SOURCE_ACCESS};
    HANDLE thread;
    DWORD ret;
    UINT i;

    fill(src, COUNT * EACH, 0);
    for (i = 0; i < COUNT; ++i) r[i] = gated_request(src + i * EACH, dst + i * EACH, EACH, 0);
    thread = enqueue_async(&call);
    ret = WaitForSingleObject(thread, 500);
    CHECK(ret == WAIT_TIMEOUT, "EnqueueRequests of 200 gated requests on a queue of 128: expected "
                               "it to block while the queue is full, got it returned");
    CHECK_EQ(0, empty_slots(queue), "EmptySlotCount with the queue full of gated requests");
    ID3D12Fence_Signal(fence, 1);
    CHECK(WaitForSingleObject(thread, 30000) == WAIT_OBJECT_0,
          "EnqueueRequests of 200 gated requests: expected it to return once the gate opened");
    CloseHandle(thread);
    submit_and_wait(queue, "gate full");
    check_pattern(dst, 0, COUNT * EACH, "200 gated requests");

    ID3D12Fence_Release(fence);
    IDStorageQueue3_Release(queue);
    free(src);
    free(dst);
    free(r);
}

/* A full queue wakes a waiting enqueue once a batch of slots is free again, but one free slot is
 * enough for it: here the only slot that comes back is the first request's (behind gate A, which
 * opens; the others stay held behind gate B), and the blocked EnqueueRequest must return without
 * gate B opening. */
static void test_full_one_slot_back(void)
{
    enum
    {
        CAPACITY = 128,
        EACH = 64
    };
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, CAPACITY,
                                          DSTORAGE_PRIORITY_REALTIME, device, "one slot back");
    BYTE *src = malloc((CAPACITY + 1) * EACH), *dst = calloc(CAPACITY + 1, EACH);
    DSTORAGE_REQUEST *r = malloc((CAPACITY + 1) * sizeof(*r));
    ID3D12Fence *gate_a = create_fence(device, 0), *gate_b = create_fence(device, 0);
    struct enqueue_call last = {queue, NULL, 1, NULL, 0, 0};
    HANDLE thread;
    DWORD ret;
    UINT i;

    fill(src, (CAPACITY + 1) * EACH, 0);
    for (i = 0; i <= CAPACITY; ++i) r[i] = gated_request(src + i * EACH, dst + i * EACH, EACH, 0);
    IDStorageQueue3_EnqueueRequests(queue, r, 1, gate_a, 1,
                                    DSTORAGE_ENQUEUE_REQUEST_FLAG_FENCE_WAIT_BEFORE_SOURCE_ACCESS);
    IDStorageQueue3_EnqueueRequests(queue, r + 1, CAPACITY - 1, gate_b, 1,
                                    DSTORAGE_ENQUEUE_REQUEST_FLAG_FENCE_WAIT_BEFORE_SOURCE_ACCESS);
    CHECK_EQ(0, empty_slots(queue), "one slot back: EmptySlotCount with the queue full");
    last.requests = &r[CAPACITY];
    thread = enqueue_async(&last);
    CHECK(WaitForSingleObject(thread, 200) == WAIT_TIMEOUT,
          "one slot back: expected EnqueueRequest to block while the queue is full");
    /* The worker hands the first request to the runtime once it sees gate A open; a Submit then
     * runs it (the rest stay behind gate B). Submit until the enqueue returns. */
    ID3D12Fence_Signal(gate_a, 1);
    for (i = 0; i < 1000; ++i)
    {
        IDStorageQueue3_Submit(queue);
        if ((ret = WaitForSingleObject(thread, 10)) == WAIT_OBJECT_0) break;
    }
    CHECK(ret == WAIT_OBJECT_0, "one slot back: expected the blocked EnqueueRequest to return once "
                                "the first request completed, got still blocked after 10 s");
    ID3D12Fence_Signal(gate_b, 1);
    WaitForSingleObject(thread, INFINITE);
    CloseHandle(thread);
    submit_and_wait(queue, "one slot back");
    check_pattern(dst, 0, (CAPACITY + 1) * EACH, "one slot back: every request");

    ID3D12Fence_Release(gate_b);
    ID3D12Fence_Release(gate_a);
    IDStorageQueue3_Release(queue);
    free(src);
    free(dst);
    free(r);
}

/* GPU destinations: FENCE_WAIT_BEFORE_GPU_WORK makes the copy wait on the GPU (the read happens,
 * the signal after it waits), and a gate holds a GPU request until the fence. */
static void read_back(ID3D12Resource *buffer, BYTE *out, UINT32 size)
{
    ID3D12Resource *readback =
        create_buffer(device, D3D12_HEAP_TYPE_READBACK, size, D3D12_RESOURCE_STATE_COPY_DEST);
    struct gpu_queue gpu;
    void *data;

    gpu_queue_init(&gpu, device);
    gpu_queue_begin(&gpu);
    ID3D12GraphicsCommandList_CopyBufferRegion(gpu.list, readback, 0, buffer, 0, size);
    CHECK(gpu_queue_execute(&gpu, 30000), "read back: expected the copy within 30 s");
    REQUIRE_HR(ID3D12Resource_Map(readback, 0, NULL, &data), "Map readback");
    memcpy(out, data, size);
    ID3D12Resource_Unmap(readback, 0, NULL);
    gpu_queue_release(&gpu);
    ID3D12Resource_Release(readback);
}

static void test_gpu(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, 128,
                                          DSTORAGE_PRIORITY_REALTIME, device, "gpu fence waits");
    ID3D12Resource *buffer =
        create_buffer(device, D3D12_HEAP_TYPE_DEFAULT, SIZE, D3D12_RESOURCE_STATE_COMMON);
    ID3D12Fence *fence = create_fence(device, 0), *signal = create_fence(device, 0);
    BYTE *src = malloc(SIZE), *out = malloc(SIZE);
    DSTORAGE_REQUEST r;
    struct enqueue_call call = {
        queue, &r, 1, fence, 2, DSTORAGE_ENQUEUE_REQUEST_FLAG_FENCE_WAIT_BEFORE_SOURCE_ACCESS};

    fill(src, SIZE, 0x33);
    r = memory_to_buffer_request(src, SIZE, buffer, 0, NULL);
    IDStorageQueue3_EnqueueRequests(queue, &r, 1, fence, 1,
                                    DSTORAGE_ENQUEUE_REQUEST_FLAG_FENCE_WAIT_BEFORE_GPU_WORK);
    IDStorageQueue3_EnqueueSignal(queue, signal, 1);
    IDStorageQueue3_Submit(queue);
    CHECK(!wait_fence(signal, 1, 300),
          "FENCE_WAIT_BEFORE_GPU_WORK: the signal after the request fired before its fence");
    ID3D12Fence_Signal(fence, 1);
    CHECK(wait_fence(signal, 1, 30000),
          "FENCE_WAIT_BEFORE_GPU_WORK: expected the signal within 30 s of the fence");
    read_back(buffer, out, SIZE);
    check_salted(out, SIZE, 0x33, "FENCE_WAIT_BEFORE_GPU_WORK: buffer");

    /* A gated GPU request reads its source only when the gate opens. */
    enqueue_gated(&call, "gpu gate");
    IDStorageQueue3_EnqueueSignal(queue, signal, 2);
    IDStorageQueue3_Submit(queue);
    CHECK(!wait_fence(signal, 2, 300),
          "gated GPU request: the signal after it fired before the gate opened");
    fill(src, SIZE, 0x77);
    ID3D12Fence_Signal(fence, 2);
    CHECK(wait_fence(signal, 2, 30000),
          "gated GPU request: expected the signal within 30 s of the gate's fence");
    read_back(buffer, out, SIZE);
    check_salted(out, SIZE, 0x77,
                 "gated GPU request: buffer (source bytes as changed before the fence)");

    ID3D12Fence_Release(fence);
    ID3D12Fence_Release(signal);
    ID3D12Resource_Release(buffer);
    IDStorageQueue3_Release(queue);
    free(src);
    free(out);
}

static DWORD WINAPI release_thread(void *arg)
{
    IDStorageQueue3_Release((IDStorageQueue3 *)arg);
    return 0;
}

static DWORD WINAPI close_release_thread(void *arg)
{
    IDStorageQueue3_Close((IDStorageQueue3 *)arg);
    IDStorageQueue3_Release((IDStorageQueue3 *)arg);
    return 0;
}

/* Close/Release of a queue whose GPU copy waits (FENCE_WAIT_BEFORE_GPU_WORK) for a fence nobody
 * signals: they must return, and nothing after the copy completes. */
static void test_gpu_unsignalled(BOOL close_first)
{
    const char *what = close_first ? "Close + Release" : "Release";
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, 128,
                                          DSTORAGE_PRIORITY_REALTIME, device, "gpu never");
    ID3D12Resource *buffer =
        create_buffer(device, D3D12_HEAP_TYPE_DEFAULT, SIZE, D3D12_RESOURCE_STATE_COMMON);
    ID3D12Fence *fence = create_fence(device, 0), *signal = create_fence(device, 0);
    HANDLE thread;
    BYTE *src = malloc(SIZE);
    DSTORAGE_REQUEST r;
    DWORD ret;

    fill(src, SIZE, 0x21);
    r = memory_to_buffer_request(src, SIZE, buffer, 0, NULL);
    IDStorageQueue3_EnqueueRequests(queue, &r, 1, fence, 1,
                                    DSTORAGE_ENQUEUE_REQUEST_FLAG_FENCE_WAIT_BEFORE_GPU_WORK);
    IDStorageQueue3_EnqueueSignal(queue, signal, 1);
    IDStorageQueue3_Submit(queue);
    Sleep(300); /* the read completes, the copy waits for the fence */
    thread =
        CreateThread(NULL, 0, close_first ? close_release_thread : release_thread, queue, 0, NULL);
    ret = WaitForSingleObject(thread, 10000);
    CHECK(
        ret == WAIT_OBJECT_0,
        "%s with a GPU copy waiting for a fence never signalled: expected it to return, got still "
        "blocked after 10 s",
        what);
    if (ret != WAIT_OBJECT_0)
    {
        finish("fence_waits");
        ExitProcess(1); /* the queue cannot be freed: report instead of hanging */
    }
    CloseHandle(thread);
    CHECK(ID3D12Fence_GetCompletedValue(signal) == 0,
          "%s: the signal behind the dropped copy fired", what);
    ID3D12Fence_Signal(fence, 1); /* late: nothing of the released queue may react */
    Sleep(100);
    CHECK(ID3D12Fence_GetCompletedValue(signal) == 0, "%s: the signal fired after the release",
          what);
    ID3D12Fence_Release(fence);
    ID3D12Fence_Release(signal);
    ID3D12Resource_Release(buffer);
    free(src);
}

/* A copy waits for the application's fence and holds the whole staging buffer (32 MiB, the
 * default); the next GPU request finds no room. EnqueueRequest must not block on it (the
 * application signals the fence only after it returns): staging is taken when work starts. */
static void test_gpu_staging_full(void)
{
    const UINT32 big = 32 << 20;
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, 128,
                                          DSTORAGE_PRIORITY_REALTIME, device, "staging full");
    ID3D12Resource *large =
        create_buffer(device, D3D12_HEAP_TYPE_DEFAULT, big, D3D12_RESOURCE_STATE_COMMON);
    ID3D12Resource *small =
        create_buffer(device, D3D12_HEAP_TYPE_DEFAULT, SIZE, D3D12_RESOURCE_STATE_COMMON);
    ID3D12Fence *fence = create_fence(device, 0), *signal = create_fence(device, 0);
    BYTE *src = malloc(big), *out = malloc(big);
    struct enqueue_call call = {queue, NULL, 1, NULL, 0, 0};
    DSTORAGE_REQUEST first, second;
    HANDLE thread;
    DWORD ret;

    fill(src, big, 0x5a);
    first = memory_to_buffer_request(src, big, large, 0, NULL);
    second = memory_to_buffer_request(src, SIZE, small, 0, NULL);
    IDStorageQueue3_EnqueueRequests(queue, &first, 1, fence, 1,
                                    DSTORAGE_ENQUEUE_REQUEST_FLAG_FENCE_WAIT_BEFORE_GPU_WORK);
    IDStorageQueue3_Submit(queue);
    Sleep(300);
    call.requests = &second;
    thread = enqueue_async(&call);
    ret = WaitForSingleObject(thread, 5000);
    CHECK(ret == WAIT_OBJECT_0,
          "EnqueueRequest with the staging buffer held by a copy that waits for the application: "
          "expected it to return at once, got still blocked after 5 s");
    ID3D12Fence_Signal(fence, 1);
    WaitForSingleObject(thread, INFINITE);
    CloseHandle(thread);
    IDStorageQueue3_EnqueueSignal(queue, signal, 1);
    IDStorageQueue3_Submit(queue);
    CHECK(wait_fence(signal, 1, 30000),
          "staging full: expected both requests within 30 s of the fence");
    read_back(small, out, SIZE);
    check_salted(out, SIZE, 0x5a, "staging full: the request that waited for room");
    read_back(large, out, big);
    check_salted(out, big, 0x5a, "staging full: the 32 MiB request");
    ID3D12Fence_Release(fence);
    ID3D12Fence_Release(signal);
    ID3D12Resource_Release(large);
    ID3D12Resource_Release(small);
    IDStorageQueue3_Release(queue);
    free(src);
    free(out);
}

int main(void)
{
    device = create_device();
    factory = get_factory();
    test_source_access();
    test_reached_and_submit();
    test_cancel();
    test_close();
    test_full();
    test_full_one_slot_back();
    test_gpu();
    test_gpu_unsignalled(FALSE);
    test_gpu_unsignalled(TRUE);
    test_gpu_staging_full();
    IDStorageFactory_Release(factory);
    ID3D12Device_Release(device);
    return finish("fence_waits");
}
