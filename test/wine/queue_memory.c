/* SPDX-License-Identifier: MIT
 * Program 1: file -> memory (1 B .. 64 MiB, at and past EOF), memory -> memory, status arrays,
 * fences, events, ordering with out-of-order completion, cancellation, Close with requests
 * pending, and many threads filling a small queue. */
#include "common.h"
#include "d3d12_util.h"

#define FILE_SIZE (64u << 20)

static IDStorageFactory *factory;
static IDStorageFile *file;

static void test_sizes(void)
{
    static const UINT32 sizes[] = {1, 7, 512, 4096, 65537, (1u << 20) + 3, 16u << 20, 64u << 20};
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128,
                                          DSTORAGE_PRIORITY_NORMAL, NULL, "sizes");
    IDStorageStatusArray *status;
    DSTORAGE_REQUEST r;
    char what[64];
    unsigned int i;

    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, ARRAY_SIZE(sizes), "sizes",
                                                  &IID_IDStorageStatusArray, (void **)&status),
               "CreateStatusArray");
    for (i = 0; i < ARRAY_SIZE(sizes); ++i)
    {
        UINT64 offset = sizes[i] == FILE_SIZE ? 0 : (UINT64)i * 4099;
        BYTE *dst = malloc(sizes[i]);

        r = file_request(file, offset, sizes[i], dst, "size");
        IDStorageQueue3_EnqueueRequest(queue, &r);
        IDStorageQueue3_EnqueueStatus(queue, status, i);
        submit_and_wait(queue, "sizes");
        sprintf(what, "read of %u bytes at %llu", sizes[i], (unsigned long long)offset);
        CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, i), what);
        check_pattern(dst, offset, sizes[i], what);
        free(dst);
    }
    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
}

static void test_eof(void)
{
    static const struct
    {
        UINT64 offset;
        UINT32 size;
        HRESULT hr;
    } cases[] = {
        {FILE_SIZE - 16, 16, S_OK},                    /* ends exactly at EOF */
        {FILE_SIZE - 8, 16, E_DSTORAGE_END_OF_FILE},   /* crosses EOF */
        {FILE_SIZE, 16, E_DSTORAGE_END_OF_FILE},       /* starts at EOF */
        {FILE_SIZE + 4096, 16, E_DSTORAGE_END_OF_FILE} /* past EOF */
    };
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128,
                                          DSTORAGE_PRIORITY_NORMAL, NULL, "eof");
    IDStorageStatusArray *status;
    DSTORAGE_ERROR_RECORD record;
    BYTE dst[16];
    DSTORAGE_REQUEST r;
    unsigned int i;
    char what[64];

    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 4, "eof", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    for (i = 0; i < ARRAY_SIZE(cases); ++i)
    {
        r = file_request(file, cases[i].offset, cases[i].size, dst, "eof");
        IDStorageQueue3_EnqueueRequest(queue, &r);
        IDStorageQueue3_EnqueueStatus(queue, status, i);
        submit_and_wait(queue, "eof");
        sprintf(what, "read of %u at %llu", cases[i].size, (unsigned long long)cases[i].offset);
        CHECK_HR(cases[i].hr, IDStorageStatusArray_GetHResult(status, i), what);
        if (cases[i].hr == S_OK) check_pattern(dst, cases[i].offset, cases[i].size, what);
    }
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    CHECK_EQ(3, record.FailureCount, "EOF failure count");
    CHECK_HR(E_DSTORAGE_END_OF_FILE, record.FirstFailure.HResult, "first failure");
    CHECK_EQ(FILE_SIZE - 8, record.FirstFailure.Request.Request.Source.File.Offset,
             "first failure offset");
    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
}

static void test_memory_source(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, 128,
                                          DSTORAGE_PRIORITY_REALTIME, NULL, "memory");
    UINT32 size = (1u << 20) + 17, i;
    BYTE *src = malloc(size), *dst = calloc(1, size);
    DSTORAGE_REQUEST r;

    for (i = 0; i < size; ++i) src[i] = pattern_byte(i);
    r = memory_request(src, dst, size, NULL);
    IDStorageQueue3_EnqueueRequest(queue, &r);
    submit_and_wait(queue, "memory source");
    check_pattern(dst, 0, size, "memory -> memory");
    free(src);
    free(dst);
    IDStorageQueue3_Release(queue);
}

/* A big read, then small ones: the small ones finish first, yet each status entry reports only
 * what was enqueued before it, and the fence/event fire after everything before them. */
static void test_ordering(ID3D12Device *device)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 256,
                                          DSTORAGE_PRIORITY_NORMAL, NULL, "order");
    IDStorageStatusArray *status;
    ID3D12Fence *fence;
    HANDLE fence_event = CreateEventW(NULL, FALSE, FALSE, NULL);
    BYTE *big = malloc(32u << 20), small[8][256];
    DSTORAGE_REQUEST r;
    BYTE eof_dst[16];
    unsigned int i;

    fence = create_fence(device, 0);
    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 3, "order", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    r = file_request(file, 3, 32u << 20, big, "big");
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    r = file_request(file, FILE_SIZE, 16, eof_dst, "eof");
    IDStorageQueue3_EnqueueRequest(queue, &r);
    for (i = 0; i < 8; ++i)
    {
        r = file_request(file, 1000 * i, 256, small[i], "small");
        IDStorageQueue3_EnqueueRequest(queue, &r);
    }
    IDStorageQueue3_EnqueueStatus(queue, status, 1);
    IDStorageQueue3_EnqueueSignal(queue, fence, 7);
    IDStorageQueue3_EnqueueStatus(queue, status, 2);
    CHECK(!IDStorageStatusArray_IsComplete(status, 0),
          "status 0 before Submit: expected pending, got complete");
    CHECK_HR(E_PENDING, IDStorageStatusArray_GetHResult(status, 1), "status 1 before Submit");
    CHECK_EQ(0, ID3D12Fence_GetCompletedValue(fence), "fence before Submit");
    REQUIRE_HR(ID3D12Fence_SetEventOnCompletion(fence, 7, fence_event), "SetEventOnCompletion");
    IDStorageQueue3_Submit(queue);
    CHECK(WaitForSingleObject(fence_event, 60000) == WAIT_OBJECT_0,
          "fence 7: expected signalled within 60 s, got a timeout");
    /* The fence fired: everything enqueued before it must be complete and correct. */
    check_pattern(big, 3, 32u << 20, "big read before the fence");
    for (i = 0; i < 8; ++i) check_pattern(small[i], 1000 * i, 256, "small read before the fence");
    CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 0), "status 0 (big read only)");
    CHECK_HR(E_DSTORAGE_END_OF_FILE, IDStorageStatusArray_GetHResult(status, 1),
             "status 1 (EOF read)");
    submit_and_wait(queue, "order");
    CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 2), "status 2 (nothing since status 1)");
    CHECK_EQ(7, ID3D12Fence_GetCompletedValue(fence), "fence value");
    free(big);
    CloseHandle(fence_event);
    ID3D12Fence_Release(fence);
    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
}

static void test_cancel(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 512,
                                          DSTORAGE_PRIORITY_NORMAL, NULL, "cancel");
    IDStorageStatusArray *status;
    DSTORAGE_ERROR_RECORD record;
    static BYTE dst[200][64];
    DSTORAGE_REQUEST r;
    unsigned int i;

    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 1, "cancel", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    memset(dst, 0xcc, sizeof(dst));
    for (i = 0; i < 200; ++i)
    {
        r = file_request(file, 64 * i, 64, dst[i], "cancel");
        r.CancellationTag = (i % 2) ? 0x1234 : 0x5678;
        IDStorageQueue3_EnqueueRequest(queue, &r);
    }
    IDStorageQueue3_CancelRequestsWithTag(queue, 0xff00, 0x1200);
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    submit_and_wait(queue, "cancel");
    CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 0), "status after cancellation");
    for (i = 0; i < 200; i += 2) check_pattern(dst[i], 64 * i, 64, "uncancelled request");
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    CHECK_EQ(0, record.FailureCount,
             "failures after cancellation (cancelled requests are not failures)");
    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
}

static void test_close_pending(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128,
                                          DSTORAGE_PRIORITY_NORMAL, NULL, "close");
    HANDLE event = CreateEventW(NULL, TRUE, FALSE, NULL);
    BYTE *dst = malloc(8u << 20);
    DSTORAGE_REQUEST r;
    unsigned int i;

    for (i = 0; i < 20; ++i)
    {
        r = file_request(file, 0, 8u << 20, dst, "pending");
        IDStorageQueue3_EnqueueRequest(queue, &r);
    }
    IDStorageQueue3_EnqueueSetEvent(queue, event);
    IDStorageQueue3_Close(queue);
    CHECK(WaitForSingleObject(event, 500) == WAIT_TIMEOUT,
          "event after Close: expected never set, got set");
    IDStorageQueue3_Release(queue); /* must not hang */
    free(dst);
    CloseHandle(event);
}

struct filler
{
    IDStorageQueue3 *queue;
    BYTE *dst;
    unsigned int first, count;
};

static DWORD WINAPI fill_thread(void *arg)
{
    struct filler *f = arg;
    DSTORAGE_REQUEST r;
    unsigned int i;

    for (i = f->first; i < f->first + f->count; ++i)
    {
        r = file_request(file, (UINT64)i * 32, 32, f->dst + (UINT64)i * 32, "thread");
        IDStorageQueue3_EnqueueRequest(f->queue, &r); /* blocks while the queue is full */
    }
    return 0;
}

static void test_threads(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128,
                                          DSTORAGE_PRIORITY_NORMAL, NULL, "threads");
    enum
    {
        THREADS = 8,
        EACH = 4000
    };
    struct filler fillers[THREADS];
    HANDLE threads[THREADS];
    BYTE *dst = calloc(THREADS * EACH, 32);
    DSTORAGE_QUEUE_INFO info;
    unsigned int i;

    IDStorageQueue3_Query(queue, &info);
    CHECK_EQ(127, info.EmptySlotCount, "EmptySlotCount of an empty queue of 128");
    CHECK_EQ(64, info.RequestCountUntilAutoSubmit,
             "RequestCountUntilAutoSubmit of an empty queue of 128");
    CHECK_EQ(128, info.Desc.Capacity, "Query's Desc.Capacity");
    for (i = 0; i < THREADS; ++i)
    {
        fillers[i] = (struct filler){queue, dst, i * EACH, EACH};
        threads[i] = CreateThread(NULL, 0, fill_thread, &fillers[i], 0, NULL);
    }
    CHECK(WaitForMultipleObjects(THREADS, threads, TRUE, 120000) == WAIT_OBJECT_0,
          "fill threads: expected done within 120 s (auto-submit at half capacity), got a timeout");
    submit_and_wait(queue, "threads");
    check_pattern(dst, 0, (UINT64)THREADS * EACH * 32, "many threads");
    for (i = 0; i < THREADS; ++i) CloseHandle(threads[i]);
    free(dst);
    IDStorageQueue3_Release(queue);
}

int main(void)
{
    WCHAR path[MAX_PATH];
    ID3D12Device *device = create_device();

    factory = get_factory();
    make_pattern_file(path, L"ds_queue_memory.bin", FILE_SIZE);
    REQUIRE_HR(IDStorageFactory_OpenFile(factory, path, &IID_IDStorageFile, (void **)&file),
               "OpenFile");
    test_sizes();
    test_eof();
    test_memory_source();
    test_ordering(device);
    test_cancel();
    test_close_pending();
    test_threads();
    IDStorageFile_Close(file);
    IDStorageFile_Release(file);
    IDStorageFactory_Release(factory);
    ID3D12Device_Release(device);
    DeleteFileW(path);
    return finish("queue_memory");
}
