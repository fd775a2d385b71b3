/* SPDX-License-Identifier: MIT
 * DSTORAGE_CONFIGURATION values programs set before anything else:
 * - NumSubmitThreads = 100000: the module clamps the thread count (ds-runtime starts at most 256
 *   workers) instead of aborting the process when thread creation fails;
 * - NumBuiltInCpuDecompressionThreads = DSTORAGE_DISABLE_BUILTIN_CPU_DECOMPRESSION: the module
 *   does not decode GDeflate itself; every GDeflate request reaches the application through the
 *   custom decompression queue, GetRequests1(SELECT_BUILTIN) (not SELECT_CUSTOM), into memory
 *   and into a GPU buffer (DstBuffer in the upload heap, copied once the result is set);
 * - DStorageSetConfiguration2 (1.4, preview): NULL is E_INVALIDARG, refused with
 *   E_DSTORAGE_STAGING_BUFFER_LOCKED while a file or a queue exists, and its CONFIGURATION1 fields
 *   take effect (DSTORAGE_DISABLE_BUILTIN_CPU_DECOMPRESSION hands a Zstandard request to the
 *   application, which decodes it with the ZSTD codec). */
#include "common.h"
#include "d3d12_util.h"

#define SIZE 200000

static BYTE plain[SIZE], dst[SIZE];

/* Compresses plain with codec at level; returns a malloc'd stream, its size in *size. */
static BYTE *pack_plain(IDStorageCompressionCodec *codec, DSTORAGE_COMPRESSION level, SIZE_T *size,
                        const char *what)
{
    SIZE_T bound = IDStorageCompressionCodec_CompressBufferBound(codec, SIZE);
    BYTE *packed = malloc(bound);

    *size = 0;
    REQUIRE_HR(
        IDStorageCompressionCodec_CompressBuffer(codec, plain, SIZE, level, packed, bound, size),
        what);
    return packed;
}

/* Enqueues r (SIZE bytes once decoded) and a status entry behind it, submits, and waits up to 30 s
 * for the custom decompression queue's event: a request for the application. */
static void submit_for_application(IDStorageCustomDecompressionQueue1 *custom,
                                   IDStorageQueue3 *queue, IDStorageStatusArray *status,
                                   DSTORAGE_REQUEST *r, const char *what)
{
    r->UncompressedSize = SIZE;
    IDStorageQueue3_EnqueueRequest(queue, r);
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    IDStorageQueue3_Submit(queue);
    CHECK(WaitForSingleObject(IDStorageCustomDecompressionQueue1_GetEvent(custom), 30000) ==
              WAIT_OBJECT_0,
          "%s: expected set within 30 s, got unset", what);
}

/* GetRequests1(SELECT_BUILTIN) must hand the application exactly one request, into *got; returns
 * how many it handed out. */
static UINT32 get_builtin_request(IDStorageCustomDecompressionQueue1 *custom,
                                  DSTORAGE_CUSTOM_DECOMPRESSION_REQUEST got[4], const char *prefix)
{
    UINT32 n = 0;
    char what[96];

    sprintf(what, "%sGetRequests1(SELECT_BUILTIN)", prefix);
    CHECK_HR(S_OK,
             IDStorageCustomDecompressionQueue1_GetRequests1(
                 custom, DSTORAGE_GET_REQUEST_FLAG_SELECT_BUILTIN, 4, got, &n),
             what);
    strcat(what, ": requests handed out");
    CHECK_EQ(1, n, what);
    return n;
}

/* The application's part: decodes a request the module handed out with codec and sets its result.
 */
static void decode_as_application(IDStorageCustomDecompressionQueue1 *custom,
                                  IDStorageCompressionCodec *codec,
                                  const DSTORAGE_CUSTOM_DECOMPRESSION_REQUEST *request,
                                  const char *prefix)
{
    DSTORAGE_CUSTOM_DECOMPRESSION_RESULT result;
    SIZE_T written = 0;
    char what[64];

    sprintf(what, "%sDecompressBuffer", prefix);
    REQUIRE_HR(IDStorageCompressionCodec_DecompressBuffer(
                   codec, request->SrcBuffer, (SIZE_T)request->SrcSize, request->DstBuffer,
                   (SIZE_T)request->DstSize, &written),
               what);
    result.Id = request->Id;
    result.Result = S_OK;
    sprintf(what, "%sSetRequestResults", prefix);
    CHECK_HR(S_OK, IDStorageCustomDecompressionQueue1_SetRequestResults(custom, 1, &result), what);
}

static void test_huge_submit_thread_count(void)
{
    DSTORAGE_CONFIGURATION config = {0};
    IDStorageFactory *factory;
    IDStorageQueue3 *queue;
    IDStorageStatusArray *status;
    DSTORAGE_REQUEST r;
    WCHAR path[MAX_PATH];
    IDStorageFile *file;

    config.NumSubmitThreads = 100000;
    CHECK_HR(S_OK, DStorageSetConfiguration(&config), "SetConfiguration(NumSubmitThreads 100000)");
    factory = get_factory();
    make_pattern_file(path, L"ds_configuration.bin", SIZE);
    REQUIRE_HR(IDStorageFactory_OpenFile(factory, path, &IID_IDStorageFile, (void **)&file),
               "OpenFile");
    queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128, DSTORAGE_PRIORITY_NORMAL, NULL,
                         "threads");
    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 1, "threads", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    r = file_request(file, 0, SIZE, dst, "read with 100000 submit threads asked for");
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    submit_and_wait(queue, r.Name);
    CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 0), r.Name);
    check_pattern(dst, 0, SIZE, r.Name);
    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
    IDStorageFile_Release(file);
    IDStorageFactory_Release(factory);
    DeleteFileW(path);
}

static void test_builtin_decompression_disabled(void)
{
    DSTORAGE_CONFIGURATION config = {0};
    IDStorageCustomDecompressionQueue1 *custom;
    DSTORAGE_CUSTOM_DECOMPRESSION_REQUEST got[4];
    IDStorageCompressionCodec *codec;
    IDStorageStatusArray *status;
    IDStorageFactory *factory;
    IDStorageQueue3 *queue;
    SIZE_T packed_size = 0;
    DSTORAGE_REQUEST r;
    UINT32 n = 99;
    BYTE *packed;
    unsigned int i;

    config.NumBuiltInCpuDecompressionThreads = DSTORAGE_DISABLE_BUILTIN_CPU_DECOMPRESSION;
    CHECK_HR(S_OK, DStorageSetConfiguration(&config),
             "SetConfiguration(DISABLE_BUILTIN_CPU_DECOMPRESSION)");
    for (i = 0; i < SIZE; ++i) plain[i] = (BYTE)(i / 7);
    REQUIRE_HR(DStorageCreateCompressionCodec(DSTORAGE_COMPRESSION_FORMAT_GDEFLATE, 1,
                                              &IID_IDStorageCompressionCodec, (void **)&codec),
               "CreateCompressionCodec");
    packed = pack_plain(codec, DSTORAGE_COMPRESSION_FASTEST, &packed_size, "CompressBuffer");

    factory = get_factory();
    REQUIRE_HR(IDStorageFactory_QueryInterface(factory, &IID_IDStorageCustomDecompressionQueue1,
                                               (void **)&custom),
               "custom decompression queue");
    queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, 128, DSTORAGE_PRIORITY_REALTIME,
                         NULL, "no builtin");
    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 1, "no builtin",
                                                  &IID_IDStorageStatusArray, (void **)&status),
               "CreateStatusArray");
    memset(dst, 0, sizeof(dst));
    r = memory_request(packed, dst, (UINT32)packed_size,
                       "GDeflate with built-in decompression disabled");
    r.Options.CompressionFormat = DSTORAGE_COMPRESSION_FORMAT_GDEFLATE;
    r.Destination.Memory.Size = SIZE;
    submit_for_application(custom, queue, status, &r,
                           "GetEvent (a GDeflate request for the application)");

    CHECK_HR(S_OK,
             IDStorageCustomDecompressionQueue1_GetRequests1(
                 custom, DSTORAGE_GET_REQUEST_FLAG_SELECT_CUSTOM, 4, got, &n),
             "GetRequests1(SELECT_CUSTOM)");
    CHECK_EQ(0, n, "GetRequests1(SELECT_CUSTOM): requests handed out");
    if (get_builtin_request(custom, got, "") == 1)
    {
        CHECK_EQ(DSTORAGE_COMPRESSION_FORMAT_GDEFLATE, got[0].CompressionFormat,
                 "CompressionFormat");
        CHECK_EQ(packed_size, got[0].SrcSize, "SrcSize");
        CHECK_EQ(SIZE, got[0].DstSize, "DstSize");
        CHECK(got[0].DstBuffer == dst, "DstBuffer: expected the destination %p, got %p", dst,
              got[0].DstBuffer);
        CHECK(!memcmp(got[0].SrcBuffer, packed, packed_size),
              "SrcBuffer: expected the compressed bytes, got others");
        CHECK(dst[SIZE - 1] == 0,
              "the module decoded the request itself (destination already written)");
        decode_as_application(custom, codec, &got[0], "");
    }
    submit_and_wait(queue, "GDeflate decoded by the application");
    CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 0),
             "status after the application's decode");
    CHECK(!memcmp(dst, plain, SIZE), "destination: expected the decoded bytes, got others");
    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);

    /* Into a GPU buffer: DstBuffer is the request's region of the upload heap; the module copies
     * it into the buffer once the result is set. */
    {
        ID3D12Device *device = create_device();
        ID3D12Resource *buffer =
            create_buffer(device, D3D12_HEAP_TYPE_DEFAULT, SIZE, D3D12_RESOURCE_STATE_COMMON);
        ID3D12Resource *readback;
        struct gpu_queue gpu;
        BYTE *data;

        gpu_queue_init(&gpu, device);
        queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, 128,
                             DSTORAGE_PRIORITY_REALTIME, device, "no builtin, GPU");
        REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 1, "no builtin, GPU",
                                                      &IID_IDStorageStatusArray, (void **)&status),
                   "CreateStatusArray");
        r = memory_to_buffer_request(packed, (UINT32)packed_size, buffer, 0,
                                     "GDeflate into a GPU buffer, built-in decompression disabled");
        r.Options.CompressionFormat = DSTORAGE_COMPRESSION_FORMAT_GDEFLATE;
        r.Destination.Buffer.Size = SIZE;
        submit_for_application(custom, queue, status, &r, "GPU: GetEvent");
        if (get_builtin_request(custom, got, "GPU: ") == 1)
        {
            CHECK_EQ(DSTORAGE_CUSTOM_DECOMPRESSION_FLAG_DEST_IN_UPLOAD_HEAP, got[0].Flags,
                     "GPU: Flags");
            CHECK_EQ(SIZE, got[0].DstSize, "GPU: DstSize");
            decode_as_application(custom, codec, &got[0], "GPU: ");
        }
        submit_and_wait(queue, "GPU: GDeflate decoded by the application");
        CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 0),
                 "GPU: status after the application's decode");
        data = read_back_buffer(device, &gpu, buffer, 0, SIZE, &readback);
        CHECK(!memcmp(data, plain, SIZE), "GPU buffer: expected the decoded bytes, got others");
        release_read_back(readback);
        IDStorageStatusArray_Release(status);
        IDStorageQueue3_Release(queue);
        gpu_queue_release(&gpu);
        ID3D12Resource_Release(buffer);
        ID3D12Device_Release(device);
    }
    IDStorageCustomDecompressionQueue1_Release(custom);
    IDStorageFactory_Release(factory);
    IDStorageCompressionCodec_Release(codec);
    free(packed);
}

static void test_configuration2(void)
{
    static const GUID creator = {0x12345678, 0x9abc, 0xdef0, {1, 2, 3, 4, 5, 6, 7, 8}};
    DSTORAGE_CONFIGURATION2 config = {0};
    IDStorageCustomDecompressionQueue1 *custom;
    DSTORAGE_CUSTOM_DECOMPRESSION_REQUEST got[4];
    IDStorageCompressionCodec *codec;
    IDStorageStatusArray *status;
    IDStorageFactory *factory;
    IDStorageQueue3 *queue;
    IDStorageFile *file;
    SIZE_T packed_size = 0;
    WCHAR path[MAX_PATH];
    DSTORAGE_REQUEST r;
    BYTE *packed;
    unsigned int i;

    CHECK_EQ(48, sizeof(DSTORAGE_CONFIGURATION2), "sizeof(DSTORAGE_CONFIGURATION2)");
    CHECK_EQ(32, offsetof(DSTORAGE_CONFIGURATION2, CreatorID), "offsetof(CreatorID)");
    CHECK_HR(E_INVALIDARG, DStorageSetConfiguration2(NULL), "SetConfiguration2(NULL)");
    config.CreatorID = creator;
    CHECK_HR(S_OK, DStorageSetConfiguration2(&config), "SetConfiguration2 with nothing open");

    /* An open file locks the configuration, as a queue does. */
    factory = get_factory();
    make_pattern_file(path, L"ds_configuration2.bin", 4096);
    REQUIRE_HR(IDStorageFactory_OpenFile(factory, path, &IID_IDStorageFile, (void **)&file),
               "OpenFile");
    CHECK_HR(E_DSTORAGE_STAGING_BUFFER_LOCKED, DStorageSetConfiguration2(&config),
             "SetConfiguration2 with a file open");
    IDStorageFile_Release(file);
    DeleteFileW(path);
    queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, 128, DSTORAGE_PRIORITY_REALTIME,
                         NULL, "configuration2");
    CHECK_HR(E_DSTORAGE_STAGING_BUFFER_LOCKED, DStorageSetConfiguration2(&config),
             "SetConfiguration2 with a queue");
    IDStorageQueue3_Release(queue);

    config.NumBuiltInCpuDecompressionThreads = DSTORAGE_DISABLE_BUILTIN_CPU_DECOMPRESSION;
    CHECK_HR(S_OK, DStorageSetConfiguration2(&config),
             "SetConfiguration2(DISABLE_BUILTIN_CPU_DECOMPRESSION) once all is released");
    for (i = 0; i < SIZE; ++i) plain[i] = (BYTE)(i / 5);
    REQUIRE_HR(DStorageCreateCompressionCodec(DSTORAGE_COMPRESSION_FORMAT_ZSTD, 1,
                                              &IID_IDStorageCompressionCodec, (void **)&codec),
               "CreateCompressionCodec(ZSTD)");
    packed = pack_plain(codec, DSTORAGE_COMPRESSION_DEFAULT, &packed_size, "CompressBuffer(ZSTD)");
    REQUIRE_HR(IDStorageFactory_QueryInterface(factory, &IID_IDStorageCustomDecompressionQueue1,
                                               (void **)&custom),
               "QueryInterface(IDStorageCustomDecompressionQueue1)");
    queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, 128, DSTORAGE_PRIORITY_REALTIME,
                         NULL, "configuration2 zstd");
    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 1, "zstd", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    memset(dst, 0, SIZE);
    r = memory_request(packed, dst, (UINT32)packed_size, "Zstandard, built-in decompression off");
    r.Options.CompressionFormat = DSTORAGE_COMPRESSION_FORMAT_ZSTD;
    r.Destination.Memory.Size = SIZE;
    submit_for_application(custom, queue, status, &r, "Zstandard: GetEvent");
    if (get_builtin_request(custom, got, "Zstandard: ") == 1)
    {
        CHECK_EQ(DSTORAGE_COMPRESSION_FORMAT_ZSTD, got[0].CompressionFormat,
                 "Zstandard: CompressionFormat");
        decode_as_application(custom, codec, &got[0], "Zstandard: ");
    }
    submit_and_wait(queue, "Zstandard decoded by the application");
    CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 0), "Zstandard: status");
    CHECK(!memcmp(dst, plain, SIZE), "Zstandard: expected the decoded bytes, got others");
    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
    IDStorageCustomDecompressionQueue1_Release(custom);
    IDStorageCompressionCodec_Release(codec);
    IDStorageFactory_Release(factory);
    free(packed);

    memset(&config, 0, sizeof(config));
    CHECK_HR(S_OK, DStorageSetConfiguration2(&config), "SetConfiguration2 back to the defaults");
}

int main(void)
{
    test_huge_submit_thread_count();
    test_builtin_decompression_disabled();
    test_configuration2();
    return finish("configuration");
}
