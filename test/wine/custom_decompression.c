/* SPDX-License-Identifier: MIT
 * Program: the custom decompression queue. A trivial run-length "codec" (pairs of count, byte) is
 * format DSTORAGE_CUSTOM_COMPRESSION_0 (and _0 + 1); requests with it, from a file and from
 * memory, are handed out by IDStorageCustomDecompressionQueue1 (QueryInterface on the factory),
 * decoded here into DstBuffer and completed with SetRequestResults. Checks: the request fields,
 * the bytes, GetEvent, a failing result reaching the status array, the error record and the error
 * event, a signal/event/status after custom requests firing only once their results were set, a
 * later plain request not being held back, unknown Ids (E_INVALIDARG), and Close with custom
 * requests outstanding. GPU destinations: DstBuffer points into the upload heap
 * (DEST_IN_UPLOAD_HEAP) and the module copies it to a buffer (read back byte exact) or a texture
 * region (GetCopyableFootprints layout) once the result is set; a failing result reaches the status
 * array and leaves the destination alone. Query counts requests waiting for their results (and the
 * entries deferred behind them) as occupied slots. */
#include "common.h"
#include "d3d12_util.h"

static IDStorageFactory *factory;
static IDStorageCustomDecompressionQueue1 *custom;
static IDStorageFile *file;
static ID3D12Device *device;

#define NUM_BLOBS 4
static const UINT32 blob_sizes[NUM_BLOBS] = {1000, 70000, 5, 300000};
static BYTE *blob_data[NUM_BLOBS], *blob_packed[NUM_BLOBS];
static UINT32 blob_packed_size[NUM_BLOBS];
static UINT64 blob_offset[NUM_BLOBS];

static BYTE data_byte(unsigned int k, UINT32 i)
{
    return (BYTE)((i / (7 + k)) * 31 + k);
}

static UINT32 rle_pack(const BYTE *src, UINT32 size, BYTE *dst)
{
    UINT32 i = 0, out = 0, run;

    while (i < size)
    {
        for (run = 1; run < 255 && i + run < size && src[i + run] == src[i]; ++run)
        {
        }
        dst[out++] = (BYTE)run;
        dst[out++] = src[i];
        i += run;
    }
    return out;
}

static HRESULT rle_unpack(const DSTORAGE_CUSTOM_DECOMPRESSION_REQUEST *r)
{
    const BYTE *src = r->SrcBuffer;
    BYTE *dst = r->DstBuffer;
    UINT64 i, out = 0;

    if (r->SrcSize % 2) return E_DSTORAGE_DECOMPRESSION_ERROR;
    for (i = 0; i < r->SrcSize; i += 2)
    {
        if (out + src[i] > r->DstSize) return E_DSTORAGE_DECOMPRESSION_ERROR;
        memset(dst + out, src[i + 1], src[i]);
        out += src[i];
    }
    return out == r->DstSize ? S_OK : E_DSTORAGE_DECOMPRESSION_ERROR;
}

static DSTORAGE_REQUEST custom_file_request(unsigned int k, void *dst, const char *name)
{
    return with_compression(file_request(file, blob_offset[k], blob_packed_size[k], dst, name),
                            DSTORAGE_CUSTOM_COMPRESSION_0, blob_sizes[k]);
}

static int check_blob(const BYTE *data, unsigned int k, const char *what)
{
    UINT32 i;

    for (i = 0; i < blob_sizes[k]; ++i)
    {
        if (data[i] != blob_data[k][i])
        {
            CHECK(0, "%s: byte %u: expected %#x, got %#x", what, i, blob_data[k][i], data[i]);
            return 0;
        }
    }
    return 1;
}

/* Waits on GetEvent and collects up to want requests (GetRequests may hand out fewer per call). */
static UINT32 collect(DSTORAGE_CUSTOM_DECOMPRESSION_REQUEST *requests, UINT32 want,
                      const char *what)
{
    HANDLE event = IDStorageCustomDecompressionQueue1_GetEvent(custom);
    UINT32 got = 0, n;
    DWORD start = GetTickCount();

    while (got < want && GetTickCount() - start < 30000)
    {
        if (WaitForSingleObject(event, 1000) != WAIT_OBJECT_0) continue;
        n = 0;
        CHECK_HR(
            S_OK,
            IDStorageCustomDecompressionQueue1_GetRequests(custom, want - got, requests + got, &n),
            what);
        got += n;
    }
    CHECK_EQ(want, got, what);
    return got;
}

/* collect, and where fewer than want came: closes and releases the queue and returns FALSE (the
 * test gives up). */
static BOOL collect_or_close(IDStorageQueue3 *queue,
                             DSTORAGE_CUSTOM_DECOMPRESSION_REQUEST *requests, UINT32 want,
                             const char *what)
{
    if (collect(requests, want, what) >= want) return TRUE;
    IDStorageQueue3_Close(queue);
    IDStorageQueue3_Release(queue);
    return FALSE;
}

static void test_api(void)
{
    DSTORAGE_CUSTOM_DECOMPRESSION_RESULT result = {12345678, S_OK};
    IDStorageCustomDecompressionQueue *custom0 = NULL;
    DSTORAGE_CUSTOM_DECOMPRESSION_REQUEST r;
    HANDLE event;
    UINT32 n = 7;

    REQUIRE_HR(IDStorageFactory_QueryInterface(factory, &IID_IDStorageCustomDecompressionQueue,
                                               (void **)&custom0),
               "QueryInterface(IDStorageCustomDecompressionQueue)");
    event = IDStorageCustomDecompressionQueue_GetEvent(custom0);
    CHECK(event != NULL, "GetEvent: expected an event");
    CHECK(event == IDStorageCustomDecompressionQueue1_GetEvent(custom),
          "GetEvent: expected one event for both interfaces");
    CHECK(WaitForSingleObject(event, 0) == WAIT_TIMEOUT,
          "GetEvent: expected unset with nothing waiting");
    CHECK_HR(S_OK, IDStorageCustomDecompressionQueue_GetRequests(custom0, 4, &r, &n),
             "GetRequests with nothing waiting");
    CHECK_EQ(0, n, "GetRequests with nothing waiting: count");
    CHECK_HR(E_INVALIDARG, IDStorageCustomDecompressionQueue_GetRequests(custom0, 4, NULL, &n),
             "GetRequests(requests NULL)");
    CHECK_HR(E_INVALIDARG, IDStorageCustomDecompressionQueue_GetRequests(custom0, 4, &r, NULL),
             "GetRequests(count NULL)");
    CHECK_HR(S_OK,
             IDStorageCustomDecompressionQueue1_GetRequests1(
                 custom, DSTORAGE_GET_REQUEST_FLAG_SELECT_BUILTIN, 4, &r, &n),
             "GetRequests1(SELECT_BUILTIN)");
    CHECK_EQ(0, n, "GetRequests1(SELECT_BUILTIN): count");
    CHECK_HR(S_OK, IDStorageCustomDecompressionQueue_SetRequestResults(custom0, 0, NULL),
             "SetRequestResults(0)");
    CHECK_HR(E_INVALIDARG, IDStorageCustomDecompressionQueue_SetRequestResults(custom0, 1, NULL),
             "SetRequestResults(results NULL)");
    CHECK_HR(E_INVALIDARG, IDStorageCustomDecompressionQueue_SetRequestResults(custom0, 1, &result),
             "SetRequestResults(unknown Id)");
    IDStorageCustomDecompressionQueue_Release(custom0);
}

/* Three custom requests, a plain one, then status, signal and event: the markers wait for the
 * custom results; the plain request after the custom ones is not held back. */
static void test_file_ordering(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128,
                                          DSTORAGE_PRIORITY_NORMAL, device, "custom file");
    DSTORAGE_CUSTOM_DECOMPRESSION_REQUEST requests[8];
    DSTORAGE_CUSTOM_DECOMPRESSION_RESULT results[8];
    HANDLE done = CreateEventW(NULL, TRUE, FALSE, NULL);
    IDStorageStatusArray *status;
    BYTE *dst[3], plain[4096];
    DSTORAGE_ERROR_RECORD record;
    ID3D12Fence *fence;
    DSTORAGE_REQUEST r;
    unsigned int i, k, map[8];
    DWORD start;
    char what[96];

    fence = create_fence(device, 0);
    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 2, "custom", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    for (k = 0; k < 3; ++k)
    {
        dst[k] = calloc(1, blob_sizes[k + 1]);
        r = custom_file_request(k + 1, dst[k], "custom");
        IDStorageQueue3_EnqueueRequest(queue, &r);
    }
    memset(plain, 0, sizeof(plain));
    r = file_request(file, 0, sizeof(plain), plain, "plain");
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    IDStorageQueue3_EnqueueSignal(queue, fence, 1);
    IDStorageQueue3_EnqueueSetEvent(queue, done);
    IDStorageQueue3_Submit(queue);

    if (!collect_or_close(queue, requests, 3, "file ordering: GetRequests")) return;
    for (i = 0; i < 3; ++i)
    {
        map[i] = ~0u;
        for (k = 0; k < 3; ++k)
            if (requests[i].DstBuffer == dst[k]) map[i] = k;
        sprintf(what, "request %u", i);
        CHECK(map[i] != ~0u, "%s: DstBuffer %p is none of the destinations", what,
              requests[i].DstBuffer);
        if (map[i] == ~0u) continue;
        CHECK_EQ(DSTORAGE_CUSTOM_COMPRESSION_0, requests[i].CompressionFormat, what);
        CHECK_EQ(DSTORAGE_CUSTOM_DECOMPRESSION_FLAG_NONE, requests[i].Flags, what);
        CHECK_EQ(blob_packed_size[map[i] + 1], requests[i].SrcSize, what);
        CHECK_EQ(blob_sizes[map[i] + 1], requests[i].DstSize, what);
        CHECK(requests[i].SrcBuffer &&
                  !memcmp(requests[i].SrcBuffer, blob_packed[map[i] + 1], requests[i].SrcSize),
              "%s: SrcBuffer does not hold the compressed bytes", what);
        for (k = 0; k < i; ++k)
            CHECK(requests[k].Id != requests[i].Id, "%s: Id %llu handed out twice", what,
                  (unsigned long long)requests[i].Id);
    }
    /* The plain request after the custom ones completes on its own. */
    for (start = GetTickCount(); GetTickCount() - start < 10000 &&
                                 plain[sizeof(plain) - 1] != pattern_byte(sizeof(plain) - 1);)
        Sleep(10);
    check_pattern(plain, 0, sizeof(plain), "plain request after custom requests");
    Sleep(200);
    CHECK_EQ(0, ID3D12Fence_GetCompletedValue(fence), "fence before any custom result");
    CHECK(WaitForSingleObject(done, 0) == WAIT_TIMEOUT,
          "event entry fired before any custom result");
    CHECK_HR(E_PENDING, IDStorageStatusArray_GetHResult(status, 0),
             "status before any custom result");

    for (i = 0; i < 3; ++i)
    {
        results[i].Id = requests[i].Id;
        results[i].Result = rle_unpack(&requests[i]);
        CHECK_HR(S_OK, results[i].Result, "rle_unpack");
    }
    CHECK_HR(S_OK, IDStorageCustomDecompressionQueue1_SetRequestResults(custom, 2, results),
             "SetRequestResults(2 of 3)");
    Sleep(200);
    CHECK_EQ(0, ID3D12Fence_GetCompletedValue(fence), "fence with one custom result missing");
    CHECK(WaitForSingleObject(done, 0) == WAIT_TIMEOUT,
          "event entry fired with one custom result missing");
    CHECK_HR(E_PENDING, IDStorageStatusArray_GetHResult(status, 0),
             "status with one custom result missing");
    CHECK_HR(S_OK, IDStorageCustomDecompressionQueue1_SetRequestResults(custom, 1, results + 2),
             "SetRequestResults(last)");
    CHECK(WaitForSingleObject(done, 30000) == WAIT_OBJECT_0,
          "event entry after the last custom result");
    CHECK_EQ(1, ID3D12Fence_GetCompletedValue(fence), "fence after the last custom result");
    CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 0), "status after the custom results");
    for (k = 0; k < 3; ++k)
    {
        sprintf(what, "custom request %u bytes", k);
        check_blob(dst[k], k + 1, what);
    }
    /* An Id already completed is unknown now. */
    CHECK_HR(E_INVALIDARG, IDStorageCustomDecompressionQueue1_SetRequestResults(custom, 1, results),
             "SetRequestResults(completed Id)");
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    CHECK_EQ(0, record.FailureCount, "error record after successful custom requests");

    for (k = 0; k < 3; ++k) free(dst[k]);
    CloseHandle(done);
    ID3D12Fence_Release(fence);
    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
}

/* A failing result: status array, error record, error event. */
static void test_failure(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128,
                                          DSTORAGE_PRIORITY_NORMAL, NULL, "custom failure");
    const HRESULT failure = E_DSTORAGE_DECOMPRESSION_ERROR,
                  other = HRESULT_FROM_WIN32(ERROR_INVALID_DATA);
    DSTORAGE_CUSTOM_DECOMPRESSION_REQUEST requests[2];
    DSTORAGE_CUSTOM_DECOMPRESSION_RESULT results[2];
    IDStorageStatusArray *status;
    DSTORAGE_ERROR_RECORD record;
    BYTE *dst0 = calloc(1, blob_sizes[0]), *dst2 = calloc(1, blob_sizes[2]);
    HANDLE done = CreateEventW(NULL, TRUE, FALSE, NULL);
    DSTORAGE_REQUEST r;
    unsigned int i;

    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 1, "failure", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    r = custom_file_request(0, dst0, "custom failing");
    r.Options.CompressionFormat = DSTORAGE_CUSTOM_COMPRESSION_0 + 1;
    IDStorageQueue3_EnqueueRequest(queue, &r);
    r = custom_file_request(2, dst2, "custom failing too");
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    IDStorageQueue3_EnqueueSetEvent(queue, done);
    IDStorageQueue3_Submit(queue);
    if (!collect_or_close(queue, requests, 2, "failure: GetRequests")) return;
    CHECK(WaitForSingleObject(IDStorageQueue3_GetErrorEvent(queue), 0) == WAIT_TIMEOUT,
          "error event before the results");
    for (i = 0; i < 2; ++i)
    {
        results[i].Id = requests[i].Id;
        /* the first request in enqueue order (format 0x81) fails with failure, the other with other
         */
        results[i].Result =
            requests[i].CompressionFormat == DSTORAGE_CUSTOM_COMPRESSION_0 + 1 ? failure : other;
    }
    /* results for the later request first: the status array still reports the first in enqueue
     * order */
    if (requests[0].CompressionFormat == DSTORAGE_CUSTOM_COMPRESSION_0 + 1)
    {
        DSTORAGE_CUSTOM_DECOMPRESSION_RESULT t = results[0];
        results[0] = results[1];
        results[1] = t;
    }
    CHECK_HR(S_OK, IDStorageCustomDecompressionQueue1_SetRequestResults(custom, 2, results),
             "SetRequestResults(failures)");
    CHECK(WaitForSingleObject(done, 30000) == WAIT_OBJECT_0,
          "event entry after failing custom results");
    CHECK_HR(failure, IDStorageStatusArray_GetHResult(status, 0),
             "status array after a failing custom result");
    CHECK(WaitForSingleObject(IDStorageQueue3_GetErrorEvent(queue), 0) == WAIT_OBJECT_0,
          "error event after a failing custom result");
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    CHECK_EQ(2, record.FailureCount, "error record failure count");
    CHECK_EQ(DSTORAGE_COMMAND_TYPE_REQUEST, record.FirstFailure.CommandType,
             "error record command type");
    /* the first failure reported is the first result set (the later request) */
    CHECK_HR(other, record.FirstFailure.HResult, "error record HRESULT");
    CHECK_EQ(DSTORAGE_CUSTOM_COMPRESSION_0,
             record.FirstFailure.Request.Request.Options.CompressionFormat,
             "error record request format");
    CHECK(!strcmp(record.FirstFailure.Request.RequestName, "custom failing too"),
          "error record request name: got %s", record.FirstFailure.Request.RequestName);

    free(dst0);
    free(dst2);
    CloseHandle(done);
    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
}

/* Memory source, decoded on a worker thread that waits on GetEvent. */
struct worker
{
    volatile LONG stop;
    LONG handled;
};

static DWORD WINAPI worker_thread(void *arg)
{
    struct worker *w = arg;
    HANDLE event = IDStorageCustomDecompressionQueue1_GetEvent(custom);
    DSTORAGE_CUSTOM_DECOMPRESSION_REQUEST requests[4];
    DSTORAGE_CUSTOM_DECOMPRESSION_RESULT results[4];
    UINT32 n, i;

    while (!w->stop)
    {
        if (WaitForSingleObject(event, 100) != WAIT_OBJECT_0) continue;
        if (FAILED(IDStorageCustomDecompressionQueue1_GetRequests1(
                custom, DSTORAGE_GET_REQUEST_FLAG_SELECT_CUSTOM, ARRAY_SIZE(requests), requests,
                &n)))
            break;
        for (i = 0; i < n; ++i)
        {
            results[i].Id = requests[i].Id;
            results[i].Result = rle_unpack(&requests[i]);
        }
        /* counted before the results complete the requests (and fire the event the main thread
         * waits for) */
        InterlockedExchangeAdd(&w->handled, n);
        if (n) IDStorageCustomDecompressionQueue1_SetRequestResults(custom, n, results);
    }
    return 0;
}

static void test_memory_source(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, 128,
                                          DSTORAGE_PRIORITY_REALTIME, NULL, "custom memory");
    struct worker w = {0, 0};
    BYTE *dst[NUM_BLOBS * 3];
    IDStorageStatusArray *status;
    DSTORAGE_REQUEST r;
    HANDLE thread;
    unsigned int i, k;
    char what[64];

    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 1, "memory", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    thread = CreateThread(NULL, 0, worker_thread, &w, 0, NULL);
    for (i = 0; i < ARRAY_SIZE(dst); ++i)
    {
        k = i % NUM_BLOBS;
        dst[i] = calloc(1, blob_sizes[k]);
        memset(&r, 0, sizeof(r));
        r.Options.SourceType = DSTORAGE_REQUEST_SOURCE_MEMORY;
        r.Options.DestinationType = DSTORAGE_REQUEST_DESTINATION_MEMORY;
        r.Options.CompressionFormat = DSTORAGE_CUSTOM_COMPRESSION_0;
        r.Source.Memory.Source = blob_packed[k];
        r.Source.Memory.Size = blob_packed_size[k];
        r.Destination.Memory.Buffer = dst[i];
        r.Destination.Memory.Size = blob_sizes[k];
        r.UncompressedSize = blob_sizes[k];
        r.Name = "memory";
        IDStorageQueue3_EnqueueRequest(queue, &r);
    }
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    submit_and_wait(queue, "memory source custom requests");
    CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 0), "memory source: status");
    CHECK_EQ(ARRAY_SIZE(dst), w.handled, "memory source: requests the worker handled");
    for (i = 0; i < ARRAY_SIZE(dst); ++i)
    {
        sprintf(what, "memory source request %u", i);
        check_blob(dst[i], i % NUM_BLOBS, what);
        free(dst[i]);
    }
    w.stop = 1;
    WaitForSingleObject(thread, INFINITE);
    CloseHandle(thread);
    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
}

/* --- GPU destinations --- */

static struct gpu_queue gpu;

static UINT empty_slots(IDStorageQueue3 *queue)
{
    DSTORAGE_QUEUE_INFO info;
    IDStorageQueue3_Query(queue, &info);
    return info.EmptySlotCount;
}

/* Two custom requests from the file into one GPU buffer (blob 1 at 0, blob 0 at 128 KiB), a status
 * and a signal; the second result fails: the status reports it, its part of the buffer stays as it
 * was, the first part is byte exact. Query counts the waiting requests and the deferred entries. */
static void test_gpu_buffer(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128,
                                          DSTORAGE_PRIORITY_NORMAL, device, "custom gpu buffer");
    const UINT64 second = 128 * 1024, size = 256 * 1024;
    ID3D12Resource *buffer =
        create_buffer(device, D3D12_HEAP_TYPE_DEFAULT, size, D3D12_RESOURCE_STATE_COMMON);
    ID3D12Resource *readback;
    const HRESULT failure = HRESULT_FROM_WIN32(ERROR_INVALID_DATA);
    const BYTE kUntouched = 0x5c;
    DSTORAGE_CUSTOM_DECOMPRESSION_REQUEST requests[2];
    DSTORAGE_CUSTOM_DECOMPRESSION_RESULT results[2];
    HANDLE done = CreateEventW(NULL, TRUE, FALSE, NULL);
    IDStorageStatusArray *status;
    DSTORAGE_ERROR_RECORD record;
    ID3D12Fence *fence;
    DSTORAGE_REQUEST r;
    unsigned int i;
    BYTE *data;
    char what[64];

    /* A new default-heap buffer holds whatever its memory held before (0xee from an earlier
     * staging region, say): fill it with a known byte, so "not copied" can be told apart. */
    fill_buffer(device, &gpu, buffer, size, kUntouched);

    fence = create_fence(device, 0);
    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 1, "custom gpu",
                                                  &IID_IDStorageStatusArray, (void **)&status),
               "CreateStatusArray");
    for (i = 0; i < 2; ++i)
    {
        r = into_buffer(custom_file_request(1 - i, NULL, i ? "custom gpu failing" : "custom gpu"),
                        buffer, i ? second : 0);
        IDStorageQueue3_EnqueueRequest(queue, &r);
    }
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    IDStorageQueue3_EnqueueSignal(queue, fence, 1);
    IDStorageQueue3_EnqueueSetEvent(queue, done);
    IDStorageQueue3_Submit(queue);
    if (!collect_or_close(queue, requests, 2, "gpu buffer: GetRequests")) return;
    /* two requests waiting for their results, and status, signal and event deferred behind them */
    CHECK_EQ(127 - 5, empty_slots(queue),
             "EmptySlotCount with 2 custom requests handed out and 3 entries behind them");
    for (i = 0; i < 2; ++i)
    {
        unsigned int k = requests[i].DstSize == blob_sizes[1] ? 1 : 0;

        sprintf(what, "gpu buffer request %u", i);
        CHECK_EQ(DSTORAGE_CUSTOM_DECOMPRESSION_FLAG_DEST_IN_UPLOAD_HEAP, requests[i].Flags, what);
        CHECK_EQ(blob_packed_size[k], requests[i].SrcSize, what);
        CHECK(requests[i].DstBuffer != NULL, "%s: DstBuffer is NULL", what);
        results[i].Id = requests[i].Id;
        results[i].Result = k == 1 ? rle_unpack(&requests[i]) : failure;
        if (k == 0)
            memset(requests[i].DstBuffer, 0xee,
                   requests[i].DstSize); /* never copied: the result fails */
    }
    CHECK_HR(S_OK, IDStorageCustomDecompressionQueue1_SetRequestResults(custom, 2, results),
             "SetRequestResults(gpu buffer)");
    CHECK(WaitForSingleObject(done, 30000) == WAIT_OBJECT_0,
          "gpu buffer: event entry after the results");
    CHECK_EQ(1, ID3D12Fence_GetCompletedValue(fence), "gpu buffer: fence after the results");
    CHECK_HR(failure, IDStorageStatusArray_GetHResult(status, 0),
             "gpu buffer: status with the second result failing");
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    CHECK_EQ(1, record.FailureCount, "gpu buffer: failure count");
    CHECK_HR(failure, record.FirstFailure.HResult, "gpu buffer: error record HRESULT");
    CHECK_EQ(127, empty_slots(queue), "EmptySlotCount once the custom requests completed");

    data = read_back_buffer(device, &gpu, buffer, 0, size, &readback);
    check_blob(data, 1, "custom format into a GPU buffer");
    for (i = 0; i < blob_sizes[0]; ++i)
        if (data[second + i] != kUntouched)
        {
            CHECK(0, "failed custom request: byte %u of its destination changed (0x%02x)", i,
                  data[second + i]);
            break;
        }
    release_read_back(readback);

    CloseHandle(done);
    ID3D12Fence_Release(fence);
    IDStorageStatusArray_Release(status);
    ID3D12Resource_Release(buffer);
    IDStorageQueue3_Release(queue);
}

/* A memory source into a box of a texture's mip 0: the decompressed bytes are the box's
 * GetCopyableFootprints layout (rows 256-byte aligned); the worker thread decodes them here. */
static void test_gpu_texture(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, 128,
                                          DSTORAGE_PRIORITY_REALTIME, device, "custom gpu texture");
    D3D12_HEAP_PROPERTIES heap = {D3D12_HEAP_TYPE_DEFAULT};
    D3D12_RESOURCE_DESC desc = {
        D3D12_RESOURCE_DIMENSION_TEXTURE2D, 0, 64, 64, 1, 1, DXGI_FORMAT_R8G8B8A8_UNORM, {1, 0},
        D3D12_TEXTURE_LAYOUT_UNKNOWN};
    D3D12_BOX box = {16, 8, 0, 48, 40, 1};
    D3D12_PLACED_SUBRESOURCE_FOOTPRINT fp;
    D3D12_RESOURCE_DESC box_desc;
    struct worker w = {0, 0};
    ID3D12Resource *texture, *readback;
    BYTE *plain, *packed, *data;
    UINT64 total, row_size, r;
    DSTORAGE_REQUEST req;
    UINT32 packed_size, i;
    HANDLE thread;
    UINT rows;
    char what[64];

    REQUIRE_HR(ID3D12Device_CreateCommittedResource(device, &heap, D3D12_HEAP_FLAG_NONE, &desc,
                                                    D3D12_RESOURCE_STATE_COMMON, NULL,
                                                    &IID_ID3D12Resource, (void **)&texture),
               "CreateCommittedResource(texture)");
    box_desc = desc;
    box_desc.Width = box.right - box.left;
    box_desc.Height = box.bottom - box.top;
    ID3D12Device_GetCopyableFootprints(device, &box_desc, 0, 1, 0, &fp, &rows, &row_size, &total);
    plain = malloc(total);
    packed = malloc(total * 2);
    for (i = 0; i < total; ++i) plain[i] = (BYTE)((i / 5) * 13 + 7);
    packed_size = rle_pack(plain, (UINT32)total, packed);

    memset(&req, 0, sizeof(req));
    req.Options.SourceType = DSTORAGE_REQUEST_SOURCE_MEMORY;
    req.Options.DestinationType = DSTORAGE_REQUEST_DESTINATION_TEXTURE_REGION;
    req.Options.CompressionFormat = DSTORAGE_CUSTOM_COMPRESSION_0;
    req.Source.Memory.Source = packed;
    req.Source.Memory.Size = packed_size;
    req.Destination.Texture.Resource = texture;
    req.Destination.Texture.SubresourceIndex = 0;
    req.Destination.Texture.Region = box;
    req.UncompressedSize = (UINT32)total;
    req.Name = "custom texture";
    thread = CreateThread(NULL, 0, worker_thread, &w, 0, NULL);
    IDStorageQueue3_EnqueueRequest(queue, &req);
    submit_and_wait(queue, "custom format into a texture region");
    CHECK_EQ(1, w.handled, "texture region: requests the worker handled");
    w.stop = 1;
    WaitForSingleObject(thread, INFINITE);
    CloseHandle(thread);

    readback =
        create_buffer(device, D3D12_HEAP_TYPE_READBACK, total, D3D12_RESOURCE_STATE_COPY_DEST);
    gpu_queue_begin(&gpu);
    {
        D3D12_TEXTURE_COPY_LOCATION dst = {readback, D3D12_TEXTURE_COPY_TYPE_PLACED_FOOTPRINT};
        D3D12_TEXTURE_COPY_LOCATION src = {texture, D3D12_TEXTURE_COPY_TYPE_SUBRESOURCE_INDEX};
        dst.PlacedFootprint = fp;
        src.SubresourceIndex = 0;
        ID3D12GraphicsCommandList_CopyTextureRegion(gpu.list, &dst, 0, 0, 0, &src, &box);
    }
    gpu_queue_execute(&gpu, INFINITE);
    REQUIRE_HR(ID3D12Resource_Map(readback, 0, NULL, (void **)&data), "Map readback");
    for (r = 0; r < rows; ++r)
    {
        UINT64 at = fp.Offset + r * fp.Footprint.RowPitch;
        if (memcmp(data + at, plain + at, row_size))
        {
            sprintf(what, "custom format into a texture region: row %llu", (unsigned long long)r);
            CHECK(0, "%s: expected the decompressed row", what);
            break;
        }
    }
    ID3D12Resource_Unmap(readback, 0, NULL);
    ID3D12Resource_Release(readback);
    ID3D12Resource_Release(texture);
    IDStorageQueue3_Release(queue);
    free(plain);
    free(packed);
}

/* Close while one custom request is handed out and another may wait: nothing fires afterwards,
 * nothing hangs, the handed-out Id is still accepted once. */
static void test_close(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128,
                                          DSTORAGE_PRIORITY_NORMAL, NULL, "custom close");
    DSTORAGE_CUSTOM_DECOMPRESSION_REQUEST request, more[4];
    DSTORAGE_CUSTOM_DECOMPRESSION_RESULT result;
    HANDLE done = CreateEventW(NULL, TRUE, FALSE, NULL);
    BYTE *dst0 = calloc(1, blob_sizes[0]), *dst1 = calloc(1, blob_sizes[1]);
    DSTORAGE_REQUEST r;
    UINT32 n = 0;

    r = custom_file_request(0, dst0, "close 0");
    IDStorageQueue3_EnqueueRequest(queue, &r);
    r = custom_file_request(1, dst1, "close 1");
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueSetEvent(queue, done);
    IDStorageQueue3_Submit(queue);
    if (!collect_or_close(queue, &request, 1, "close: GetRequests")) return;
    Sleep(200);
    IDStorageQueue3_Close(queue);
    CHECK_HR(S_OK,
             IDStorageCustomDecompressionQueue1_GetRequests(custom, ARRAY_SIZE(more), more, &n),
             "GetRequests after Close");
    CHECK_EQ(0, n, "requests handed out after Close");
    CHECK(WaitForSingleObject(IDStorageCustomDecompressionQueue1_GetEvent(custom), 0) ==
              WAIT_TIMEOUT,
          "GetEvent after Close: expected unset");
    result.Id = request.Id;
    result.Result = rle_unpack(&request);
    CHECK_HR(S_OK, IDStorageCustomDecompressionQueue1_SetRequestResults(custom, 1, &result),
             "SetRequestResults after Close");
    CHECK_HR(E_INVALIDARG, IDStorageCustomDecompressionQueue1_SetRequestResults(custom, 1, &result),
             "SetRequestResults after Close, twice");
    Sleep(100);
    CHECK(WaitForSingleObject(done, 0) == WAIT_TIMEOUT, "event entry fired after Close");
    IDStorageQueue3_Release(queue);

    /* Release with a custom request handed out and never answered: no hang. */
    queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128, DSTORAGE_PRIORITY_NORMAL, NULL,
                         "custom release");
    r = custom_file_request(0, dst0, "release");
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueSetEvent(queue, done);
    IDStorageQueue3_Submit(queue);
    if (collect(&request, 1, "release: GetRequests") < 1)
    {
        IDStorageQueue3_Release(queue);
        return;
    }
    IDStorageQueue3_Release(queue);
    result.Id = request.Id;
    result.Result = S_OK;
    CHECK_HR(S_OK, IDStorageCustomDecompressionQueue1_SetRequestResults(custom, 1, &result),
             "SetRequestResults after the last Release");
    CHECK(WaitForSingleObject(done, 0) == WAIT_TIMEOUT, "event entry fired after the last Release");

    free(dst0);
    free(dst1);
    CloseHandle(done);
}

int main(void)
{
    WCHAR path[MAX_PATH];
    HANDLE handle;
    UINT64 offset = 0;
    DWORD written;
    unsigned int k;
    UINT32 i;

    factory = get_factory();
    device = create_device();
    REQUIRE_HR(IDStorageFactory_QueryInterface(factory, &IID_IDStorageCustomDecompressionQueue1,
                                               (void **)&custom),
               "QueryInterface(IDStorageCustomDecompressionQueue1)");
    gpu_queue_init(&gpu, device);

    GetTempPathW(MAX_PATH, path);
    lstrcatW(path, L"ds_custom.bin");
    handle = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (handle == INVALID_HANDLE_VALUE)
    {
        printf("FAIL: cannot create test file\n");
        return 1;
    }
    /* a plain 4 KiB pattern first (the plain request of test_file_ordering), then the packed blobs
     */
    {
        BYTE head[4096];
        for (i = 0; i < sizeof(head); ++i) head[i] = pattern_byte(i);
        WriteFile(handle, head, sizeof(head), &written, NULL);
        offset = sizeof(head);
    }
    for (k = 0; k < NUM_BLOBS; ++k)
    {
        blob_data[k] = malloc(blob_sizes[k]);
        blob_packed[k] = malloc(blob_sizes[k] * 2);
        for (i = 0; i < blob_sizes[k]; ++i) blob_data[k][i] = data_byte(k, i);
        blob_packed_size[k] = rle_pack(blob_data[k], blob_sizes[k], blob_packed[k]);
        blob_offset[k] = offset;
        WriteFile(handle, blob_packed[k], blob_packed_size[k], &written, NULL);
        offset += blob_packed_size[k];
    }
    CloseHandle(handle);
    REQUIRE_HR(IDStorageFactory_OpenFile(factory, path, &IID_IDStorageFile, (void **)&file),
               "OpenFile");

    test_api();
    test_file_ordering();
    test_failure();
    test_memory_source();
    test_close();
    test_gpu_buffer();
    test_gpu_texture();

    IDStorageFile_Release(file);
    gpu_queue_release(&gpu);
    IDStorageCustomDecompressionQueue1_Release(custom);
    ID3D12Device_Release(device);
    IDStorageFactory_Release(factory);
    return finish("custom_decompression");
}
