/* SPDX-License-Identifier: MIT
 * Program 2: every row of templates/spec/mapping.json's validation table with its HRESULT, the
 * status array, the error event and RetrieveErrorRecord contents; bad queue descriptions;
 * SetConfiguration / SetStagingBufferSize while queues or files exist; bad status/signal entries.
 */
#include "common.h"

static IDStorageFactory *factory;
static IDStorageFile *file, *closed_file;
static WCHAR file_path_w[MAX_PATH];
static BYTE dst[4096];

enum queue_kind
{
    FILE_QUEUE,
    MEMORY_QUEUE,
    DEVICE_QUEUE
};

struct bad_case
{
    const char *rule;
    enum queue_kind queue;
    HRESULT hr;
    void (*make)(DSTORAGE_REQUEST *r);
};

static void base_file(DSTORAGE_REQUEST *r)
{
    *r = file_request(file, 0, 64, dst, NULL);
}
static void base_memory(DSTORAGE_REQUEST *r)
{
    *r = memory_request(dst + 2048, dst, 64, NULL);
}
static void make_reserved(DSTORAGE_REQUEST *r)
{
    base_file(r);
    r->Options.Reserved1[0] = 1;
}
static void make_reserved_bits(DSTORAGE_REQUEST *r)
{
    base_file(r);
    r->Options.Reserved = 1;
}
static void make_source_mismatch(DSTORAGE_REQUEST *r)
{
    base_memory(r);
}
static void make_unknown_destination(DSTORAGE_REQUEST *r)
{
    base_file(r);
    r->Options.DestinationType = 6;
}
static void make_gpu_without_device(DSTORAGE_REQUEST *r)
{
    base_file(r);
    r->Options.DestinationType = DSTORAGE_REQUEST_DESTINATION_BUFFER;
    r->Destination.Buffer.Resource = NULL;
    r->Destination.Buffer.Offset = 0;
    r->Destination.Buffer.Size = 64;
}
static void make_unknown_compression(DSTORAGE_REQUEST *r)
{
    base_file(r);
    r->Options.CompressionFormat = 3; /* 2 is ZSTD since 1.4 */
    r->UncompressedSize = 64;
}
static void make_gdeflate(DSTORAGE_REQUEST *r)
{
    base_file(r);
    r->Options.CompressionFormat = DSTORAGE_COMPRESSION_FORMAT_GDEFLATE;
    r->UncompressedSize = 64;
}
static void make_file_not_open(DSTORAGE_REQUEST *r)
{
    base_file(r);
    r->Source.File.Source = closed_file;
}
static void make_null_source(DSTORAGE_REQUEST *r)
{
    base_memory(r);
    r->Source.Memory.Source = NULL;
}
static void make_null_destination(DSTORAGE_REQUEST *r)
{
    base_file(r);
    r->Destination.Memory.Buffer = NULL;
}
static void make_size_mismatch(DSTORAGE_REQUEST *r)
{
    base_file(r);
    r->Destination.Memory.Size = 63;
}
static void make_compressed_size_mismatch(DSTORAGE_REQUEST *r)
{
    make_gdeflate(r);
    r->UncompressedSize = 65;
    r->Options.CompressionFormat = DSTORAGE_COMPRESSION_FORMAT_NONE;
    r->Destination.Memory.Size = 65;
}

static ID3D12Resource *big_buffer;
/* Custom formats reach memory and GPU destinations (custom_decompression.c); into a GPU destination
 * UncompressedSize must still equal the destination size, checked at enqueue. */
static void make_custom_size_mismatch(DSTORAGE_REQUEST *r)
{
    base_file(r);
    r->Options.DestinationType = DSTORAGE_REQUEST_DESTINATION_BUFFER;
    r->Options.CompressionFormat = DSTORAGE_CUSTOM_COMPRESSION_0;
    r->Destination.Buffer.Resource = big_buffer;
    r->Destination.Buffer.Offset = 0;
    r->Destination.Buffer.Size = 64;
    r->UncompressedSize = 65;
}
static void make_staging_too_small(DSTORAGE_REQUEST *r)
{
    base_file(r);
    r->Options.DestinationType = DSTORAGE_REQUEST_DESTINATION_BUFFER;
    r->Source.File.Size = 2u << 20;
    r->Destination.Buffer.Resource = big_buffer;
    r->Destination.Buffer.Offset = 0;
    r->Destination.Buffer.Size = 2u << 20;
}

static const struct bad_case cases[] = {
    {"reserved_fields", FILE_QUEUE, E_DSTORAGE_RESERVED_FIELDS, make_reserved},
    {"reserved_fields (bits)", FILE_QUEUE, E_DSTORAGE_RESERVED_FIELDS, make_reserved_bits},
    {"source_type_mismatch", FILE_QUEUE, E_DSTORAGE_INVALID_SOURCE_TYPE, make_source_mismatch},
    {"unknown_destination_type", FILE_QUEUE, E_DSTORAGE_INVALID_DESTINATION_TYPE,
     make_unknown_destination},
    {"gpu_destination_without_device", FILE_QUEUE, E_DSTORAGE_INVALID_DESTINATION_TYPE,
     make_gpu_without_device},
    {"destination_size_mismatch (custom format, GPU destination)", DEVICE_QUEUE,
     E_DSTORAGE_INVALID_DESTINATION_SIZE, make_custom_size_mismatch},
    {"unknown_compression", FILE_QUEUE, E_INVALIDARG, make_unknown_compression},
    /* gdeflate_unsupported needs a backend without GDeflate (DS_KIT_WINE_BACKEND=io_uring); the
     * GDeflate program covers compressed requests. A 64-byte "stream" of pattern bytes does not
     * decode. */
    {"gdeflate (not a stream)", FILE_QUEUE, E_DSTORAGE_DECOMPRESSION_ERROR, make_gdeflate},
    {"file_not_open", FILE_QUEUE, E_DSTORAGE_FILE_NOT_OPEN, make_file_not_open},
    {"null_memory_source", MEMORY_QUEUE, E_INVALIDARG, make_null_source},
    {"null_memory_destination", FILE_QUEUE, E_INVALIDARG, make_null_destination},
    {"destination_size_mismatch", FILE_QUEUE, E_DSTORAGE_INVALID_DESTINATION_SIZE,
     make_size_mismatch},
    {"destination_size_mismatch (source 64, destination 65)", FILE_QUEUE,
     E_DSTORAGE_INVALID_DESTINATION_SIZE, make_compressed_size_mismatch},
    {"staging_buffer_too_small", DEVICE_QUEUE, E_DSTORAGE_STAGING_BUFFER_TOO_SMALL,
     make_staging_too_small},
};

static void test_bad_request(IDStorageQueue3 *queue, const struct bad_case *c)
{
    IDStorageStatusArray *status;
    DSTORAGE_ERROR_RECORD record;
    DSTORAGE_REQUEST r;
    char what[128];

    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 2, "bad", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    c->make(&r);
    r.Name = c->rule;
    ResetEvent(IDStorageQueue3_GetErrorEvent(queue));
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    submit_and_wait(queue, c->rule);

    sprintf(what, "%s: status", c->rule);
    CHECK_HR(c->hr, IDStorageStatusArray_GetHResult(status, 0), what);
    sprintf(what, "%s: error event", c->rule);
    CHECK(WaitForSingleObject(IDStorageQueue3_GetErrorEvent(queue), 0) == WAIT_OBJECT_0,
          "%s: expected signalled, got unsignalled", what);
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    sprintf(what, "%s: FailureCount", c->rule);
    CHECK_EQ(1, record.FailureCount, what);
    sprintf(what, "%s: FirstFailure.HResult", c->rule);
    CHECK_HR(c->hr, record.FirstFailure.HResult, what);
    sprintf(what, "%s: FirstFailure.CommandType", c->rule);
    CHECK_EQ(DSTORAGE_COMMAND_TYPE_REQUEST, record.FirstFailure.CommandType, what);
    CHECK(!strcmp(record.FirstFailure.Request.RequestName, c->rule),
          "%s: RequestName: expected \"%s\", got \"%s\"", c->rule, c->rule,
          record.FirstFailure.Request.RequestName);
    CHECK(!memcmp(&record.FirstFailure.Request.Request.Options, &r.Options, sizeof(r.Options)),
          "%s: Request.Options: expected the enqueued options, got others", c->rule);
    if (r.Options.SourceType == DSTORAGE_REQUEST_SOURCE_FILE && r.Source.File.Source == file)
        CHECK(!lstrcmpW(record.FirstFailure.Request.Filename, file_path_w),
              "%s: Filename: expected %ls, got %ls", c->rule, file_path_w,
              record.FirstFailure.Request.Filename);
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    sprintf(what, "%s: FailureCount after retrieval", c->rule);
    CHECK_EQ(0, record.FailureCount, what);
    IDStorageStatusArray_Release(status);
}

static void test_queue_desc(ID3D12Device *device)
{
    static const struct
    {
        DSTORAGE_REQUEST_SOURCE_TYPE source;
        UINT16 capacity;
        INT8 priority;
        HRESULT hr;
        const char *what;
    } descs[] = {
        {DSTORAGE_REQUEST_SOURCE_FILE, 0x7f, DSTORAGE_PRIORITY_NORMAL,
         E_DSTORAGE_INVALID_QUEUE_CAPACITY, "capacity 0x7f"},
        {DSTORAGE_REQUEST_SOURCE_FILE, 0x2001, DSTORAGE_PRIORITY_NORMAL,
         E_DSTORAGE_INVALID_QUEUE_CAPACITY, "capacity 0x2001"},
        {DSTORAGE_REQUEST_SOURCE_FILE, 0x80, 3, E_DSTORAGE_INVALID_QUEUE_PRIORITY, "priority 3"},
        {DSTORAGE_REQUEST_SOURCE_FILE, 0x80, -2, E_DSTORAGE_INVALID_QUEUE_PRIORITY, "priority -2"},
        {DSTORAGE_REQUEST_SOURCE_MEMORY, 0x80, DSTORAGE_PRIORITY_NORMAL,
         E_DSTORAGE_INVALID_MEMORY_QUEUE_PRIORITY, "memory queue, NORMAL priority"},
        {2, 0x80, DSTORAGE_PRIORITY_NORMAL, E_DSTORAGE_INVALID_SOURCE_TYPE, "source type 2"},
        {DSTORAGE_REQUEST_SOURCE_FILE, 0x2000, DSTORAGE_PRIORITY_LOW, S_OK, "capacity 0x2000, LOW"},
    };
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(descs); ++i)
    {
        DSTORAGE_QUEUE_DESC desc = {descs[i].source, descs[i].capacity, descs[i].priority, "desc",
                                    device};
        IDStorageQueue3 *queue = (void *)0xdeadbeef;
        HRESULT hr =
            IDStorageFactory_CreateQueue(factory, &desc, &IID_IDStorageQueue3, (void **)&queue);
        CHECK_HR(descs[i].hr, hr, descs[i].what);
        if (SUCCEEDED(hr))
            IDStorageQueue3_Release(queue);
        else
            CHECK(!queue, "%s: out pointer: expected NULL, got %p", descs[i].what, queue);
    }
}

static void test_locked_configuration(void)
{
    DSTORAGE_CONFIGURATION config = {0};
    DSTORAGE_CONFIGURATION1 config1 = {0};
    IDStorageQueue3 *queue;

    /* The test's file is open: the configuration is locked, the staging size is not (it is locked
     * by queues only; Microsoft's GpuDecompressionBenchmark opens its file, then sets the staging
     * size before each queue it creates). */
    CHECK_HR(E_DSTORAGE_STAGING_BUFFER_LOCKED, DStorageSetConfiguration(&config),
             "SetConfiguration with a file open");
    CHECK_HR(S_OK, IDStorageFactory_SetStagingBufferSize(factory, 1 << 20),
             "SetStagingBufferSize with a file open");
    CHECK_HR(S_OK,
             IDStorageFactory_SetStagingBufferSize(factory, DSTORAGE_STAGING_BUFFER_SIZE_32MB),
             "SetStagingBufferSize back to 32 MiB with a file open");
    queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128, DSTORAGE_PRIORITY_NORMAL, NULL,
                         "lock");
    CHECK_HR(E_DSTORAGE_STAGING_BUFFER_LOCKED, DStorageSetConfiguration1(&config1),
             "SetConfiguration1 with a queue");
    CHECK_HR(E_DSTORAGE_STAGING_BUFFER_LOCKED,
             IDStorageFactory_SetStagingBufferSize(factory, 1 << 20),
             "SetStagingBufferSize with a queue");
    IDStorageQueue3_Release(queue);
    CHECK_HR(S_OK,
             IDStorageFactory_SetStagingBufferSize(factory, DSTORAGE_STAGING_BUFFER_SIZE_32MB),
             "SetStagingBufferSize once the queue is released");
}

static void test_bad_entries(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128,
                                          DSTORAGE_PRIORITY_NORMAL, NULL, "entries");
    IDStorageStatusArray *status;
    DSTORAGE_ERROR_RECORD record;

    IDStorageQueue3_EnqueueSignal(queue, NULL, 3);
    submit_and_wait(queue, "null fence");
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    CHECK_EQ(1, record.FailureCount, "null fence: FailureCount");
    CHECK_HR(E_DSTORAGE_INVALID_FENCE, record.FirstFailure.HResult, "null fence: HResult");
    CHECK_EQ(DSTORAGE_COMMAND_TYPE_SIGNAL, record.FirstFailure.CommandType,
             "null fence: CommandType");
    CHECK_EQ(3, record.FirstFailure.Signal.Value, "null fence: Signal.Value");

    IDStorageQueue3_EnqueueStatus(queue, NULL, 0);
    submit_and_wait(queue, "null status array");
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    CHECK_HR(E_DSTORAGE_INVALID_STATUS_ARRAY, record.FirstFailure.HResult,
             "null status array: HResult");
    CHECK_EQ(DSTORAGE_COMMAND_TYPE_STATUS, record.FirstFailure.CommandType,
             "null status array: CommandType");

    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 2, "small", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    IDStorageQueue3_EnqueueStatus(queue, status, 2);
    submit_and_wait(queue, "status index out of range");
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    CHECK_HR(E_DSTORAGE_INDEX_BOUND, record.FirstFailure.HResult, "status index 2 of 2: HResult");
    CHECK_EQ(2, record.FirstFailure.Status.Index, "status index 2 of 2: Status.Index");
    CHECK_EQ(DSTORAGE_COMPRESSION_SUPPORT_CPU_FALLBACK,
             IDStorageQueue3_GetCompressionSupport(queue, DSTORAGE_COMPRESSION_FORMAT_GDEFLATE),
             "GetCompressionSupport(GDEFLATE)");

    IDStorageQueue3_Close(queue);
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    CHECK_HR(E_DSTORAGE_QUEUE_CLOSED, record.FirstFailure.HResult,
             "status on a closed queue: HResult");
    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
}

int main(void)
{
    ID3D12Device *device = create_device();
    D3D12_HEAP_PROPERTIES heap = {D3D12_HEAP_TYPE_DEFAULT};
    D3D12_RESOURCE_DESC desc = {
        D3D12_RESOURCE_DIMENSION_BUFFER, 0, 2u << 20, 1, 1, 1, DXGI_FORMAT_UNKNOWN, {1, 0},
        D3D12_TEXTURE_LAYOUT_ROW_MAJOR};
    IDStorageQueue3 *queues[3];
    WCHAR other[MAX_PATH];
    unsigned int i;

    factory = get_factory();
    /* Nothing exists yet: the staging size can change (1 MiB makes staging_buffer_too_small
     * reachable). */
    CHECK_HR(S_OK, IDStorageFactory_SetStagingBufferSize(factory, 1u << 20),
             "SetStagingBufferSize with nothing open");
    make_pattern_file(file_path_w, L"ds_errors.bin", 1 << 20);
    make_pattern_file(other, L"ds_errors_closed.bin", 4096);
    REQUIRE_HR(IDStorageFactory_OpenFile(factory, file_path_w, &IID_IDStorageFile, (void **)&file),
               "OpenFile");
    REQUIRE_HR(IDStorageFactory_OpenFile(factory, other, &IID_IDStorageFile, (void **)&closed_file),
               "OpenFile");
    IDStorageFile_Close(closed_file);
    {
        BY_HANDLE_FILE_INFORMATION info;
        CHECK_HR(S_OK, IDStorageFile_GetFileInformation(file, &info), "GetFileInformation");
        CHECK_EQ(1 << 20, info.nFileSizeLow, "GetFileInformation size");
        CHECK_HR(E_DSTORAGE_FILE_NOT_OPEN, IDStorageFile_GetFileInformation(closed_file, &info),
                 "GetFileInformation after Close");
    }
    {
        IDStorageFile *missing = (void *)1;
        WCHAR missing_path[MAX_PATH];
        CHECK_HR(HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND),
                 IDStorageFactory_OpenFile(factory, L"C:\\no\\such\\file.bin", &IID_IDStorageFile,
                                           (void **)&missing),
                 "OpenFile in a missing directory");
        CHECK(!missing, "OpenFile failure: out pointer: expected NULL, got %p", missing);
        GetTempPathW(MAX_PATH, missing_path);
        lstrcatW(missing_path, L"ds_no_such_file.bin");
        CHECK_HR(
            HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND),
            IDStorageFactory_OpenFile(factory, missing_path, &IID_IDStorageFile, (void **)&missing),
            "OpenFile of a missing file");
    }
    REQUIRE_HR(ID3D12Device_CreateCommittedResource(device, &heap, D3D12_HEAP_FLAG_NONE, &desc,
                                                    D3D12_RESOURCE_STATE_COMMON, NULL,
                                                    &IID_ID3D12Resource, (void **)&big_buffer),
               "CreateCommittedResource");

    queues[FILE_QUEUE] = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128,
                                      DSTORAGE_PRIORITY_NORMAL, NULL, "file");
    queues[MEMORY_QUEUE] = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, 128,
                                        DSTORAGE_PRIORITY_REALTIME, NULL, "memory");
    queues[DEVICE_QUEUE] = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128,
                                        DSTORAGE_PRIORITY_NORMAL, device, "device");
    for (i = 0; i < ARRAY_SIZE(cases); ++i) test_bad_request(queues[cases[i].queue], &cases[i]);
    printf("custom_compression: not reachable here (it guards a custom request whose module buffer "
           "could not be allocated)\n");
    printf("request_too_large: not reachable here (ds-runtime accepts any UINT32 size; the row "
           "guards backends with a smaller limit)\n");
    for (i = 0; i < 3; ++i) IDStorageQueue3_Release(queues[i]);

    test_queue_desc(device);
    test_bad_entries();
    test_locked_configuration();

    IDStorageFile_Release(file);
    IDStorageFile_Release(closed_file);
    {
        DSTORAGE_CONFIGURATION config = {0};
        CHECK_HR(S_OK, DStorageSetConfiguration(&config), "SetConfiguration with nothing open");
        CHECK_HR(S_OK,
                 IDStorageFactory_SetStagingBufferSize(factory, DSTORAGE_STAGING_BUFFER_SIZE_32MB),
                 "SetStagingBufferSize back to 32 MiB");
    }
    ID3D12Resource_Release(big_buffer);
    IDStorageFactory_Release(factory);
    ID3D12Device_Release(device);
    DeleteFileW(file_path_w);
    DeleteFileW(other);
    return finish("errors");
}
