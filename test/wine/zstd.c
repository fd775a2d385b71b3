/* SPDX-License-Identifier: MIT
 * Program: Zstandard (DirectStorage 1.4, preview). DStorageCreateCompressionCodec(ZSTD):
 * CompressBuffer at FASTEST / DEFAULT / BEST_RATIO, DecompressBuffer, CompressBufferBound, small
 * buffers, corrupt streams; GetCompressionSupport(ZSTD) = CPU_FALLBACK; streams in a file read
 * through a queue with CompressionFormat ZSTD into memory (mixed with plain reads), from a memory
 * queue, and into a GPU buffer (CPU decode into the upload staging, then a copy); a wrong
 * UncompressedSize and corrupt data give E_DSTORAGE_DECOMPRESSION_ERROR in the status array and
 * the error record, and no byte outside the destination changes.
 * With arguments it is the zstd(1) interop helper of wine-module.test.ts:
 *   zstd.exe write <file> <size>   writes CompressBuffer(DEFAULT) of <size> bytes of data_byte(0..)
 *                                  to <file>, and those bytes themselves to <file>.plain
 *   zstd.exe read <file> <size>    decodes <file> (from zstd -c) with DecompressBuffer and through
 * a queue; both must give <size> bytes of data_byte(0..) */
#include "common.h"

#define BIG_SIZE (3u << 20)
#define GUARD 64

static IDStorageFactory *factory;
static IDStorageCompressionCodec *codec;

static BYTE data_byte(UINT64 i)
{
    static const char text[] = "DirectStorage 1.4 Zstandard frames, decoded on the CPU. ";
    return (i % 997) < 700 ? (BYTE)text[(i / 3 + i % 7) % (sizeof(text) - 1)] : pattern_byte(i);
}

static void fill(BYTE *p, SIZE_T n, UINT64 seed)
{
    SIZE_T i;
    for (i = 0; i < n; ++i) p[i] = data_byte(seed + i);
}

static int check_data(const BYTE *data, SIZE_T n, UINT64 seed, const char *what)
{
    SIZE_T i;
    for (i = 0; i < n; ++i)
    {
        if (data[i] != data_byte(seed + i))
        {
            CHECK(0, "%s: byte %llu: expected %#x, got %#x", what, i, data_byte(seed + i), data[i]);
            return 0;
        }
    }
    return 1;
}

/* GUARD bytes of 0xEE after a destination must survive any request into it. */
static void check_guard(const BYTE *after, const char *what)
{
    int i;
    for (i = 0; i < GUARD; ++i)
        if (after[i] != 0xee)
        {
            CHECK(0, "%s: byte %d past the destination: expected 0xee, got %#x", what, i, after[i]);
            return;
        }
}

static BYTE *compress(UINT64 seed, SIZE_T n, DSTORAGE_COMPRESSION level, SIZE_T *size)
{
    SIZE_T bound = IDStorageCompressionCodec_CompressBufferBound(codec, n);
    BYTE *src = malloc(n + 1), *dst = malloc(bound);

    fill(src, n, seed);
    *size = 0;
    CHECK_HR(S_OK, IDStorageCompressionCodec_CompressBuffer(codec, src, n, level, dst, bound, size),
             "CompressBuffer");
    CHECK(*size && *size <= bound, "CompressBuffer(%llu bytes): expected 1..%llu bytes, got %llu",
          n, bound, *size);
    free(src);
    return dst;
}

static void test_codec(void)
{
    static const SIZE_T sizes[] = {0, 1, 65536, BIG_SIZE};
    static const DSTORAGE_COMPRESSION levels[] = {DSTORAGE_COMPRESSION_FASTEST,
                                                  DSTORAGE_COMPRESSION_DEFAULT,
                                                  DSTORAGE_COMPRESSION_BEST_RATIO};
    IDStorageCompressionCodec *other = (void *)1;
    SIZE_T s, l, packed_size, out_size;
    BYTE *packed, *out;
    char what[128];

    CHECK_HR(E_INVALIDARG,
             DStorageCreateCompressionCodec(3, 0, &IID_IDStorageCompressionCodec, (void **)&other),
             "CreateCompressionCodec(3)");
    REQUIRE_HR(DStorageCreateCompressionCodec(DSTORAGE_COMPRESSION_FORMAT_ZSTD, 2,
                                              &IID_IDStorageCompressionCodec, (void **)&codec),
               "CreateCompressionCodec(ZSTD)");
    CHECK(IDStorageCompressionCodec_CompressBufferBound(codec, BIG_SIZE) > BIG_SIZE,
          "CompressBufferBound(3 MiB): expected more than 3 MiB, got %llu",
          (UINT64)IDStorageCompressionCodec_CompressBufferBound(codec, BIG_SIZE));
    for (s = 0; s < ARRAY_SIZE(sizes); ++s)
    {
        out = malloc(sizes[s] + GUARD);
        for (l = 0; l < ARRAY_SIZE(levels); ++l)
        {
            if (sizes[s] == BIG_SIZE && levels[l] == DSTORAGE_COMPRESSION_BEST_RATIO) continue;
            sprintf(what, "Zstandard size %llu level %d", sizes[s], levels[l]);
            packed = compress(s * 1000, sizes[s], levels[l], &packed_size);
            if (sizes[s] == BIG_SIZE)
                CHECK(packed_size < sizes[s] / 2, "%s: expected under half the input, got %llu",
                      what, packed_size);
            memset(out, 0xee, sizes[s] + GUARD);
            out_size = 12345;
            CHECK_HR(S_OK,
                     IDStorageCompressionCodec_DecompressBuffer(codec, packed, packed_size, out,
                                                                sizes[s], &out_size),
                     what);
            CHECK_EQ(sizes[s], out_size, what);
            check_data(out, sizes[s], s * 1000, what);
            check_guard(out + sizes[s], what);
            if (sizes[s])
            {
                out_size = 12345;
                CHECK_HR(HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER),
                         IDStorageCompressionCodec_DecompressBuffer(codec, packed, packed_size, out,
                                                                    sizes[s] - 1, &out_size),
                         "DecompressBuffer into one byte less");
                CHECK_EQ(0, out_size, "DecompressBuffer into one byte less: written");
                packed[packed_size - 2] ^= 0x55; /* the frame's checksum */
                CHECK_HR(E_DSTORAGE_DECOMPRESSION_ERROR,
                         IDStorageCompressionCodec_DecompressBuffer(codec, packed, packed_size, out,
                                                                    sizes[s], &out_size),
                         "DecompressBuffer of a damaged frame");
                CHECK_HR(E_DSTORAGE_DECOMPRESSION_ERROR,
                         IDStorageCompressionCodec_DecompressBuffer(codec, packed, packed_size / 2,
                                                                    out, sizes[s], &out_size),
                         "DecompressBuffer of half a frame");
            }
            free(packed);
        }
        free(out);
    }
    out = malloc(16);
    CHECK_HR(HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER),
             IDStorageCompressionCodec_CompressBuffer(codec, "0123456789abcdef0123456789", 26,
                                                      DSTORAGE_COMPRESSION_DEFAULT, out, 4,
                                                      &out_size),
             "CompressBuffer into 4 bytes");
    CHECK_HR(E_INVALIDARG,
             IDStorageCompressionCodec_CompressBuffer(codec, "x", 1, 7, out, 16, &out_size),
             "CompressBuffer at level 7");
    free(out);
}

struct stream
{
    UINT64 offset, size, uncompressed, seed;
};
static struct stream big, small, garbage;
static WCHAR file_path_w[MAX_PATH];

static void write_stream(HANDLE file, struct stream *s, UINT64 seed, SIZE_T n, UINT64 *offset)
{
    BYTE *packed = compress(seed, n, DSTORAGE_COMPRESSION_FASTEST, (SIZE_T *)&s->size);
    DWORD written;

    s->offset = *offset;
    s->uncompressed = n;
    s->seed = seed;
    WriteFile(file, packed, (DWORD)s->size, &written, NULL);
    *offset += s->size;
    free(packed);
}

static void make_file(void)
{
    WCHAR dir[MAX_PATH];
    HANDLE file;
    UINT64 offset = 0;
    DWORD written;
    BYTE junk[4096];

    GetTempPathW(MAX_PATH, dir);
    GetTempFileNameW(dir, L"zst", 0, file_path_w);
    file = CreateFileW(file_path_w, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    write_stream(file, &big, 7, BIG_SIZE, &offset);
    write_stream(file, &small, 99, 65537, &offset);
    /* garbage: a good frame with bytes flipped in its blocks */
    write_stream(file, &garbage, 5, 200000, &offset);
    CloseHandle(file);
    file = CreateFileW(file_path_w, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    SetFilePointer(file, (LONG)(garbage.offset + 100), NULL, FILE_BEGIN);
    memset(junk, 0x5a, sizeof(junk));
    WriteFile(file, junk, (DWORD)min(garbage.size - 200, sizeof(junk)), &written, NULL);
    CloseHandle(file);
}

static DSTORAGE_REQUEST zstd_request(IDStorageFile *file, const struct stream *s, void *dst,
                                     const char *name)
{
    DSTORAGE_REQUEST r = file_request(file, s->offset, (UINT32)s->size, dst, name);
    r.Options.CompressionFormat = DSTORAGE_COMPRESSION_FORMAT_ZSTD;
    r.UncompressedSize = (UINT32)s->uncompressed;
    r.Destination.Memory.Size = (UINT32)s->uncompressed;
    return r;
}

static void expect_failure(IDStorageQueue3 *queue, IDStorageStatusArray *status, UINT32 index,
                           HRESULT hr, const char *name)
{
    DSTORAGE_ERROR_RECORD record;
    char what[128];

    sprintf(what, "%s: status", name);
    CHECK_HR(hr, IDStorageStatusArray_GetHResult(status, index), what);
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    sprintf(what, "%s: FailureCount", name);
    CHECK_EQ(1, record.FailureCount, what);
    sprintf(what, "%s: FirstFailure.HResult", name);
    CHECK_HR(hr, record.FirstFailure.HResult, what);
    CHECK(!strcmp(record.FirstFailure.Request.RequestName, name),
          "%s: RequestName: expected \"%s\", got \"%s\"", name, name,
          record.FirstFailure.Request.RequestName);
    sprintf(what, "%s: CompressionFormat", name);
    CHECK_EQ(DSTORAGE_COMPRESSION_FORMAT_ZSTD,
             record.FirstFailure.Request.Request.Options.CompressionFormat, what);
    ResetEvent(IDStorageQueue3_GetErrorEvent(queue));
}

static void test_file_queue(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 256,
                                          DSTORAGE_PRIORITY_NORMAL, NULL, "zstd");
    BYTE *big_out = malloc(BIG_SIZE + GUARD), *small_out = malloc(65537 + 1 + GUARD),
         *bad_out = malloc(200000 + GUARD);
    IDStorageStatusArray *status;
    DSTORAGE_REQUEST r;
    IDStorageFile *file;

    CHECK_EQ(DSTORAGE_COMPRESSION_SUPPORT_CPU_FALLBACK,
             IDStorageQueue3_GetCompressionSupport(queue, DSTORAGE_COMPRESSION_FORMAT_ZSTD),
             "GetCompressionSupport(ZSTD)");
    CHECK_EQ(DSTORAGE_COMPRESSION_SUPPORT_NONE, IDStorageQueue3_GetCompressionSupport(queue, 3),
             "GetCompressionSupport(3)");
    REQUIRE_HR(IDStorageFactory_OpenFile(factory, file_path_w, &IID_IDStorageFile, (void **)&file),
               "OpenFile");
    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 8, "zstd", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");

    memset(big_out, 0xee, BIG_SIZE + GUARD);
    memset(small_out, 0xee, 65537 + 1 + GUARD);
    r = zstd_request(file, &big, big_out, "big");
    IDStorageQueue3_EnqueueRequest(queue, &r);
    r = zstd_request(file, &small, small_out, "small");
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    submit_and_wait(queue, "big + small");
    CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 0), "big + small: status");
    check_data(big_out, BIG_SIZE, big.seed, "file -> memory, 3 MiB");
    check_guard(big_out + BIG_SIZE, "file -> memory, 3 MiB");
    check_data(small_out, 65537, small.seed, "file -> memory, 65537 bytes");
    check_guard(small_out + 65537, "file -> memory, 65537 bytes");

    /* UncompressedSize one more than the stream holds: the destination grows with it (it must
     * match), and the stream ends early. */
    memset(small_out, 0xee, 65537 + 1 + GUARD);
    r = zstd_request(file, &small, small_out, "size + 1");
    r.UncompressedSize = r.Destination.Memory.Size = 65538;
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 1);
    submit_and_wait(queue, "size + 1");
    expect_failure(queue, status, 1, E_DSTORAGE_DECOMPRESSION_ERROR, "size + 1");
    check_guard(small_out + 65538, "size + 1");

    /* One less: the stream would overrun the destination; nothing past it is written. */
    memset(small_out, 0xee, 65537 + 1 + GUARD);
    r = zstd_request(file, &small, small_out, "size - 1");
    r.UncompressedSize = r.Destination.Memory.Size = 65536;
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 2);
    submit_and_wait(queue, "size - 1");
    expect_failure(queue, status, 2, E_DSTORAGE_DECOMPRESSION_ERROR, "size - 1");
    check_guard(small_out + 65536, "size - 1");

    /* A destination that does not match UncompressedSize is refused before anything runs. */
    r = zstd_request(file, &small, small_out, "destination size");
    r.Destination.Memory.Size = 65536;
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 3);
    submit_and_wait(queue, "destination size");
    expect_failure(queue, status, 3, E_DSTORAGE_INVALID_DESTINATION_SIZE, "destination size");

    /* Corrupt blocks. */
    memset(bad_out, 0xee, 200000 + GUARD);
    r = zstd_request(file, &garbage, bad_out, "corrupt");
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 4);
    submit_and_wait(queue, "corrupt");
    expect_failure(queue, status, 4, E_DSTORAGE_DECOMPRESSION_ERROR, "corrupt");
    check_guard(bad_out + 200000, "corrupt");

    /* The compressed bytes of a plain read are what the file holds. */
    r = file_request(file, small.offset, (UINT32)small.size, bad_out, "plain");
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 5);
    submit_and_wait(queue, "plain");
    CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 5), "plain read: status");
    CHECK_EQ(0x28, bad_out[0], "plain read: first byte of the Zstandard magic");

    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
    IDStorageFile_Release(file);
    free(big_out);
    free(small_out);
    free(bad_out);
}

static void test_memory_queue(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, 128,
                                          DSTORAGE_PRIORITY_REALTIME, NULL, "zstd memory");
    IDStorageStatusArray *status;
    SIZE_T packed_size;
    BYTE *packed = compress(44, 300000, DSTORAGE_COMPRESSION_DEFAULT, &packed_size),
         *out = malloc(300000 + GUARD);
    DSTORAGE_REQUEST r;

    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 2, "memory", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    memset(out, 0xee, 300000 + GUARD);
    memset(&r, 0, sizeof(r));
    r.Options.SourceType = DSTORAGE_REQUEST_SOURCE_MEMORY;
    r.Options.CompressionFormat = DSTORAGE_COMPRESSION_FORMAT_ZSTD;
    r.Source.Memory.Source = packed;
    r.Source.Memory.Size = (UINT32)packed_size;
    r.Destination.Memory.Buffer = out;
    r.Destination.Memory.Size = 300000;
    r.UncompressedSize = 300000;
    r.Name = "memory -> memory";
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    submit_and_wait(queue, "memory -> memory");
    CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 0), "memory -> memory: status");
    check_data(out, 300000, 44, "memory -> memory");
    check_guard(out + 300000, "memory -> memory");

    memset(packed + packed_size / 3, 0xff, 64);
    memset(out, 0xee, 300000 + GUARD);
    r.Name = "corrupt memory";
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 1);
    submit_and_wait(queue, "corrupt memory");
    expect_failure(queue, status, 1, E_DSTORAGE_DECOMPRESSION_ERROR, "corrupt memory");
    check_guard(out + 300000, "corrupt memory");

    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
    free(packed);
    free(out);
}

/* GPU buffer destination: decoded on the CPU into the upload staging, then copied. */
static void test_gpu_buffer(void)
{
    ID3D12Device *device = create_device();
    D3D12_HEAP_PROPERTIES heap = {D3D12_HEAP_TYPE_DEFAULT},
                          readback_heap = {D3D12_HEAP_TYPE_READBACK};
    D3D12_RESOURCE_DESC desc = {
        D3D12_RESOURCE_DIMENSION_BUFFER, 0, 4 << 20, 1, 1, 1, DXGI_FORMAT_UNKNOWN, {1, 0},
        D3D12_TEXTURE_LAYOUT_ROW_MAJOR};
    D3D12_COMMAND_QUEUE_DESC queue_desc = {D3D12_COMMAND_LIST_TYPE_DIRECT};
    ID3D12Resource *buffer, *readback;
    ID3D12CommandQueue *cmd_queue;
    ID3D12CommandAllocator *allocator;
    ID3D12GraphicsCommandList *list;
    ID3D12CommandList *l;
    ID3D12Fence *fence;
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128,
                                          DSTORAGE_PRIORITY_NORMAL, device, "zstd gpu");
    IDStorageFile *file;
    DSTORAGE_REQUEST r;
    DSTORAGE_ERROR_RECORD record;
    HANDLE event = CreateEventW(NULL, FALSE, FALSE, NULL);
    BYTE *data;

    CHECK_EQ(DSTORAGE_COMPRESSION_SUPPORT_CPU_FALLBACK,
             IDStorageQueue3_GetCompressionSupport(queue, DSTORAGE_COMPRESSION_FORMAT_ZSTD),
             "GetCompressionSupport(ZSTD) on a queue with a device");
    REQUIRE_HR(IDStorageFactory_OpenFile(factory, file_path_w, &IID_IDStorageFile, (void **)&file),
               "OpenFile");
    REQUIRE_HR(ID3D12Device_CreateCommittedResource(device, &heap, D3D12_HEAP_FLAG_NONE, &desc,
                                                    D3D12_RESOURCE_STATE_COMMON, NULL,
                                                    &IID_ID3D12Resource, (void **)&buffer),
               "CreateCommittedResource");
    REQUIRE_HR(ID3D12Device_CreateCommittedResource(device, &readback_heap, D3D12_HEAP_FLAG_NONE,
                                                    &desc, D3D12_RESOURCE_STATE_COPY_DEST, NULL,
                                                    &IID_ID3D12Resource, (void **)&readback),
               "CreateCommittedResource(readback)");
    REQUIRE_HR(ID3D12Device_CreateFence(device, 0, D3D12_FENCE_FLAG_NONE, &IID_ID3D12Fence,
                                        (void **)&fence),
               "CreateFence");

    memset(&r, 0, sizeof(r));
    r.Options.SourceType = DSTORAGE_REQUEST_SOURCE_FILE;
    r.Options.DestinationType = DSTORAGE_REQUEST_DESTINATION_BUFFER;
    r.Options.CompressionFormat = DSTORAGE_COMPRESSION_FORMAT_ZSTD;
    r.Source.File.Source = file;
    r.Source.File.Offset = big.offset;
    r.Source.File.Size = (UINT32)big.size;
    r.Destination.Buffer.Resource = buffer;
    r.Destination.Buffer.Offset = 4096;
    r.Destination.Buffer.Size = (UINT32)big.uncompressed;
    r.UncompressedSize = (UINT32)big.uncompressed;
    r.Name = "file -> buffer";
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueSignal(queue, fence, 1);
    IDStorageQueue3_Submit(queue);
    ID3D12Fence_SetEventOnCompletion(fence, 1, event);
    CHECK(WaitForSingleObject(event, 60000) == WAIT_OBJECT_0,
          "file -> buffer: expected the fence within 60 s, got a timeout");
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    CHECK(!record.FailureCount, "file -> buffer: expected no failure, got %u (first hr %#lx)",
          record.FailureCount, (unsigned long)record.FirstFailure.HResult);

    REQUIRE_HR(ID3D12Device_CreateCommandQueue(device, &queue_desc, &IID_ID3D12CommandQueue,
                                               (void **)&cmd_queue),
               "CreateCommandQueue");
    REQUIRE_HR(ID3D12Device_CreateCommandAllocator(device, D3D12_COMMAND_LIST_TYPE_DIRECT,
                                                   &IID_ID3D12CommandAllocator,
                                                   (void **)&allocator),
               "CreateCommandAllocator");
    REQUIRE_HR(ID3D12Device_CreateCommandList(device, 0, D3D12_COMMAND_LIST_TYPE_DIRECT, allocator,
                                              NULL, &IID_ID3D12GraphicsCommandList, (void **)&list),
               "CreateCommandList");
    ID3D12GraphicsCommandList_CopyBufferRegion(list, readback, 0, buffer, 4096, big.uncompressed);
    REQUIRE_HR(ID3D12GraphicsCommandList_Close(list), "Close");
    l = (ID3D12CommandList *)list;
    ID3D12CommandQueue_ExecuteCommandLists(cmd_queue, 1, &l);
    ID3D12CommandQueue_Signal(cmd_queue, fence, 2);
    ID3D12Fence_SetEventOnCompletion(fence, 2, event);
    WaitForSingleObject(event, INFINITE);
    REQUIRE_HR(ID3D12Resource_Map(readback, 0, NULL, (void **)&data), "Map readback");
    check_data(data, big.uncompressed, big.seed, "file -> GPU buffer (Zstandard)");
    ID3D12Resource_Unmap(readback, 0, NULL);

    r.Source.File.Offset = garbage.offset;
    r.Source.File.Size = (UINT32)garbage.size;
    r.Destination.Buffer.Size = r.UncompressedSize = (UINT32)garbage.uncompressed;
    r.Name = "corrupt -> buffer";
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueSignal(queue, fence, 3);
    IDStorageQueue3_Submit(queue);
    ID3D12Fence_SetEventOnCompletion(fence, 3, event);
    CHECK(WaitForSingleObject(event, 60000) == WAIT_OBJECT_0,
          "corrupt -> buffer: expected the fence within 60 s, got a timeout");
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    CHECK_EQ(1, record.FailureCount, "corrupt -> buffer: FailureCount");
    CHECK_HR(E_DSTORAGE_DECOMPRESSION_ERROR, record.FirstFailure.HResult,
             "corrupt -> buffer: HResult");

    CloseHandle(event);
    ID3D12GraphicsCommandList_Release(list);
    ID3D12CommandAllocator_Release(allocator);
    ID3D12CommandQueue_Release(cmd_queue);
    IDStorageQueue3_Release(queue);
    IDStorageFile_Release(file);
    ID3D12Fence_Release(fence);
    ID3D12Resource_Release(readback);
    ID3D12Resource_Release(buffer);
    ID3D12Device_Release(device);
}

/* zstd(1) interop: see the header comment. */
static int interop(const char *mode, const char *path, SIZE_T n)
{
    WCHAR path_w[MAX_PATH];
    SIZE_T packed_size, out_size = 0;
    BYTE *packed, *out;
    DWORD done;
    HANDLE f;

    MultiByteToWideChar(CP_ACP, 0, path, -1, path_w, MAX_PATH);
    REQUIRE_HR(DStorageCreateCompressionCodec(DSTORAGE_COMPRESSION_FORMAT_ZSTD, 0,
                                              &IID_IDStorageCompressionCodec, (void **)&codec),
               "CreateCompressionCodec(ZSTD)");
    if (!strcmp(mode, "write"))
    {
        packed = compress(0, n, DSTORAGE_COMPRESSION_DEFAULT, &packed_size);
        f = CreateFileW(path_w, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
        CHECK(f != INVALID_HANDLE_VALUE && WriteFile(f, packed, (DWORD)packed_size, &done, NULL),
              "writing %s failed", path);
        CloseHandle(f);
        free(packed);
        packed = malloc(n + 1);
        fill(packed, n, 0);
        lstrcatW(path_w, L".plain");
        f = CreateFileW(path_w, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
        CHECK(f != INVALID_HANDLE_VALUE && WriteFile(f, packed, (DWORD)n, &done, NULL),
              "writing %s.plain failed", path);
        CloseHandle(f);
        free(packed);
        printf("zstd interop: wrote %llu bytes of Zstandard for %llu bytes\n", packed_size, n);
    }
    else
    {
        IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128,
                                              DSTORAGE_PRIORITY_NORMAL, NULL, "zstd interop");
        IDStorageStatusArray *status;
        IDStorageFile *file;
        DSTORAGE_REQUEST r;

        f = CreateFileW(path_w, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
        packed_size = GetFileSize(f, NULL);
        packed = malloc(packed_size);
        CHECK(ReadFile(f, packed, (DWORD)packed_size, &done, NULL) && done == packed_size,
              "reading %s failed", path);
        CloseHandle(f);
        out = malloc(n + GUARD);
        memset(out, 0xee, n + GUARD);
        CHECK_HR(S_OK,
                 IDStorageCompressionCodec_DecompressBuffer(codec, packed, packed_size, out, n,
                                                            &out_size),
                 "DecompressBuffer of zstd(1)'s stream");
        CHECK_EQ(n, out_size, "DecompressBuffer of zstd(1)'s stream: written");
        check_data(out, n, 0, "DecompressBuffer of zstd(1)'s stream");

        memset(out, 0xee, n + GUARD);
        REQUIRE_HR(IDStorageFactory_OpenFile(factory, path_w, &IID_IDStorageFile, (void **)&file),
                   "OpenFile");
        REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 1, "interop",
                                                      &IID_IDStorageStatusArray, (void **)&status),
                   "CreateStatusArray");
        r = file_request(file, 0, (UINT32)packed_size, out, "zstd(1) stream");
        r.Options.CompressionFormat = DSTORAGE_COMPRESSION_FORMAT_ZSTD;
        r.UncompressedSize = r.Destination.Memory.Size = (UINT32)n;
        IDStorageQueue3_EnqueueRequest(queue, &r);
        IDStorageQueue3_EnqueueStatus(queue, status, 0);
        submit_and_wait(queue, "zstd(1) stream");
        CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 0), "zstd(1) stream: status");
        check_data(out, n, 0, "zstd(1) stream through a queue");
        check_guard(out + n, "zstd(1) stream through a queue");
        printf("zstd interop: decoded zstd(1)'s %llu bytes into %llu bytes\n", packed_size, n);
        IDStorageStatusArray_Release(status);
        IDStorageFile_Release(file);
        IDStorageQueue3_Release(queue);
        free(packed);
        free(out);
    }
    IDStorageCompressionCodec_Release(codec);
    IDStorageFactory_Release(factory);
    return finish("zstd");
}

int main(int argc, char **argv)
{
    factory = get_factory();
    if (argc == 4) return interop(argv[1], argv[2], (SIZE_T)_strtoui64(argv[3], NULL, 10));
    test_codec();
    make_file();
    test_file_queue();
    test_memory_queue();
    test_gpu_buffer();
    CHECK_EQ(0, IDStorageCompressionCodec_Release(codec), "codec Release");
    IDStorageFactory_Release(factory);
    DeleteFileW(file_path_w);
    return finish("zstd");
}
