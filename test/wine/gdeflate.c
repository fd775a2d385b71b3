/* SPDX-License-Identifier: MIT
 * Program: GDeflate. DStorageCreateCompressionCodec (formats, CompressBuffer at FASTEST / DEFAULT /
 * BEST_RATIO for sizes 0, 1, 65535, 65536, 65537 and 3 MiB, DecompressBuffer, CompressBufferBound,
 * small buffers, corrupt streams); GetCompressionSupport; streams written to a file and read
 * through a queue with CompressionFormat GDEFLATE into memory (mixed with plain reads), from a
 * memory queue, and into GPU buffers and a texture (decoded on the GPU through the DirectStorage
 * GDeflate meta command where the device offers it, else on the CPU into the staging buffer; then
 * a copy); a wrong UncompressedSize and corrupt data give their exact HRESULTs in the status array
 * and the error record. DS_KIT_GDEFLATE_PATH=gpu|cpu: the run must take that path. With
 * DS_KIT_WINE_BACKEND=io_uring (a backend without GDeflate): NONE and
 * E_DSTORAGE_DECOMPRESSION_ERROR. */
#include "common.h"
#include "d3d12_util.h"

#define BIG_SIZE (3u << 20)

static IDStorageFactory *factory;
static IDStorageCompressionCodec *codec;

/* Compressible but not trivial: text runs with noise between them. */
static BYTE data_byte(UINT64 i)
{
    static const char text[] = "DirectStorage GDeflate tile stream, 64 KiB per tile. ";
    return text_byte(text, sizeof(text) - 1, i);
}

static void test_codec_create(void)
{
    IDStorageCompressionCodec *other = (void *)1;
    IUnknown *unk = NULL;

    CHECK_HR(E_INVALIDARG,
             DStorageCreateCompressionCodec(DSTORAGE_COMPRESSION_FORMAT_NONE, 0,
                                            &IID_IDStorageCompressionCodec, (void **)&other),
             "CreateCompressionCodec(NONE)");
    CHECK(!other, "CreateCompressionCodec(NONE): out: expected NULL, got %p", other);
    CHECK_HR(E_INVALIDARG,
             DStorageCreateCompressionCodec(3, 0, &IID_IDStorageCompressionCodec, (void **)&other),
             "CreateCompressionCodec(3)");
    CHECK_HR(E_INVALIDARG,
             DStorageCreateCompressionCodec(DSTORAGE_CUSTOM_COMPRESSION_0, 0,
                                            &IID_IDStorageCompressionCodec, (void **)&other),
             "CreateCompressionCodec(CUSTOM_0)");
    CHECK_HR(E_POINTER,
             DStorageCreateCompressionCodec(DSTORAGE_COMPRESSION_FORMAT_GDEFLATE, 0,
                                            &IID_IDStorageCompressionCodec, NULL),
             "CreateCompressionCodec(out NULL)");
    CHECK_HR(E_NOINTERFACE,
             DStorageCreateCompressionCodec(DSTORAGE_COMPRESSION_FORMAT_GDEFLATE, 0,
                                            &IID_IDStorageQueue, (void **)&other),
             "CreateCompressionCodec(IID_IDStorageQueue)");
    REQUIRE_HR(DStorageCreateCompressionCodec(DSTORAGE_COMPRESSION_FORMAT_GDEFLATE, 2,
                                              &IID_IDStorageCompressionCodec, (void **)&other),
               "CreateCompressionCodec(GDEFLATE, 2 threads)");
    CHECK_HR(S_OK, IDStorageCompressionCodec_QueryInterface(other, &IID_IUnknown, (void **)&unk),
             "codec QueryInterface(IUnknown)");
    if (unk) IUnknown_Release(unk);
    CHECK_EQ(0, IDStorageCompressionCodec_Release(other), "codec Release");
    REQUIRE_HR(DStorageCreateCompressionCodec(DSTORAGE_COMPRESSION_FORMAT_GDEFLATE, 0,
                                              &IID_IDStorageCompressionCodec, (void **)&codec),
               "CreateCompressionCodec(GDEFLATE)");
}

static void test_codec_round_trips(void)
{
    static const SIZE_T sizes[] = {0, 1, 65535, 65536, 65537, BIG_SIZE};
    static const DSTORAGE_COMPRESSION levels[] = {DSTORAGE_COMPRESSION_FASTEST,
                                                  DSTORAGE_COMPRESSION_DEFAULT,
                                                  DSTORAGE_COMPRESSION_BEST_RATIO};
    SIZE_T s, l, packed_size, out_size, fastest_size = 0;
    BYTE *packed, *out, *expect;
    char what[128];

    CHECK_EQ(65536 + 4 + 832 + 32 + 16, IDStorageCompressionCodec_CompressBufferBound(codec, 1),
             "CompressBufferBound(1)");
    CHECK_EQ(2 * (65536 + 4 + 832 + 32) + 16,
             IDStorageCompressionCodec_CompressBufferBound(codec, 65537),
             "CompressBufferBound(65537)");
    CHECK_EQ(48 * (65536 + 4 + 832 + 32) + 16,
             IDStorageCompressionCodec_CompressBufferBound(codec, BIG_SIZE),
             "CompressBufferBound(3 MiB)");
    for (s = 0; s < ARRAY_SIZE(sizes); ++s)
    {
        expect = malloc(sizes[s] + 1);
        out = malloc(sizes[s] + 64);
        fill_bytes(expect, sizes[s], s * 1000, data_byte);
        for (l = 0; l < ARRAY_SIZE(levels); ++l)
        {
            sprintf(what, "size %llu level %d", sizes[s], levels[l]);
            packed = compress_bytes(codec, s * 1000, sizes[s], data_byte, levels[l], &packed_size);
            if (sizes[s] == BIG_SIZE)
            {
                if (levels[l] == DSTORAGE_COMPRESSION_FASTEST) fastest_size = packed_size;
                CHECK(packed_size < sizes[s] / 2,
                      "%s: expected under half the input, got %llu bytes", what, packed_size);
                if (levels[l] == DSTORAGE_COMPRESSION_BEST_RATIO)
                    CHECK(packed_size <= fastest_size,
                          "%s: expected at most FASTEST's %llu bytes, got %llu", what, fastest_size,
                          packed_size);
            }
            memset(out, 0xcd, sizes[s] + 64);
            out_size = 12345;
            CHECK_HR(S_OK,
                     IDStorageCompressionCodec_DecompressBuffer(codec, packed, packed_size, out,
                                                                sizes[s] + 64, &out_size),
                     what);
            CHECK_EQ(sizes[s], out_size, what);
            CHECK(!memcmp(out, expect, sizes[s]), "%s: decoded bytes differ from the input", what);
            CHECK_EQ(0xcd, out[sizes[s]], what);
            if (sizes[s])
            {
                out_size = 12345;
                CHECK_HR(HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER),
                         IDStorageCompressionCodec_DecompressBuffer(codec, packed, packed_size, out,
                                                                    sizes[s] - 1, &out_size),
                         "DecompressBuffer into one byte less");
                CHECK_EQ(0, out_size, "DecompressBuffer into one byte less: written");
            }
            free(packed);
        }
        free(expect);
        free(out);
    }
}

static void test_codec_errors(void)
{
    static BYTE src[200000], out[200000];
    SIZE_T packed_size, written;
    BYTE *packed = compress_bytes(codec, 7, sizeof(src), data_byte, DSTORAGE_COMPRESSION_DEFAULT,
                                  &packed_size);

    fill_bytes(src, sizeof(src), 7, data_byte);
    written = 1;
    CHECK_HR(E_INVALIDARG,
             IDStorageCompressionCodec_CompressBuffer(codec, src, sizeof(src), 5, out, sizeof(out),
                                                      &written),
             "CompressBuffer(level 5)");
    CHECK_EQ(0, written, "CompressBuffer(level 5): written");
    CHECK_HR(HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER),
             IDStorageCompressionCodec_CompressBuffer(
                 codec, src, sizeof(src), DSTORAGE_COMPRESSION_DEFAULT, out, 100, &written),
             "CompressBuffer into 100 bytes");
    CHECK_HR(E_INVALIDARG,
             IDStorageCompressionCodec_CompressBuffer(
                 codec, src, sizeof(src), DSTORAGE_COMPRESSION_DEFAULT, out, sizeof(out), NULL),
             "CompressBuffer(written NULL)");
    CHECK_HR(
        E_INVALIDARG,
        IDStorageCompressionCodec_DecompressBuffer(codec, NULL, 100, out, sizeof(out), &written),
        "DecompressBuffer(src NULL)");

    packed[1] ^= 0xff;
    CHECK_HR(E_DSTORAGE_DECOMPRESSION_ERROR,
             IDStorageCompressionCodec_DecompressBuffer(codec, packed, packed_size, out,
                                                        sizeof(out), &written),
             "DecompressBuffer(bad magic)");
    packed[1] ^= 0xff;
    CHECK_HR(E_DSTORAGE_DECOMPRESSION_ERROR,
             IDStorageCompressionCodec_DecompressBuffer(codec, packed, packed_size / 2, out,
                                                        sizeof(out), &written),
             "DecompressBuffer(truncated)");
    CHECK_HR(
        E_DSTORAGE_DECOMPRESSION_ERROR,
        IDStorageCompressionCodec_DecompressBuffer(codec, packed, 5, out, sizeof(out), &written),
        "DecompressBuffer(5 bytes)");
    memset(packed + packed_size / 2, 0xff, 256);
    CHECK_HR(E_DSTORAGE_DECOMPRESSION_ERROR,
             IDStorageCompressionCodec_DecompressBuffer(codec, packed, packed_size, out,
                                                        sizeof(out), &written),
             "DecompressBuffer(garbage in a tile)");
    CHECK_EQ(0, written, "DecompressBuffer(garbage in a tile): written");
    free(packed);
}

/* The file: [big stream][65537-byte stream][stream with a bad magic][stream with garbage][plain
 * bytes]. */
struct stream
{
    UINT64 offset;
    SIZE_T size, uncompressed;
    UINT64 seed;
};
static struct stream big, small, bad_magic, garbage, plain, tex;
static WCHAR file_path_w[MAX_PATH];

static void write_part(HANDLE file, struct stream *s, const BYTE *data, SIZE_T size, UINT64 *offset)
{
    DWORD written;
    s->offset = *offset;
    s->size = size;
    WriteFile(file, data, (DWORD)size, &written, NULL);
    CHECK_EQ(size, written, "WriteFile");
    *offset += size;
}

static void make_file(void)
{
    UINT64 offset = 0;
    SIZE_T size;
    BYTE *packed;
    HANDLE file;

    GetTempPathW(MAX_PATH, file_path_w);
    lstrcatW(file_path_w, L"ds_gdeflate.bin");
    file = CreateFileW(file_path_w, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL,
                       NULL);
    if (file == INVALID_HANDLE_VALUE)
    {
        printf("FAIL: cannot create test file, error %lu\n", GetLastError());
        exit(1);
    }

    big.seed = 11;
    big.uncompressed = BIG_SIZE;
    packed = compress_bytes(codec, big.seed, big.uncompressed, data_byte,
                            DSTORAGE_COMPRESSION_DEFAULT, &size);
    write_part(file, &big, packed, size, &offset);
    free(packed);

    small.seed = 22;
    small.uncompressed = 65537;
    packed = compress_bytes(codec, small.seed, small.uncompressed, data_byte,
                            DSTORAGE_COMPRESSION_BEST_RATIO, &size);
    write_part(file, &small, packed, size, &offset);
    bad_magic = small;
    packed[1] ^= 0xff;
    write_part(file, &bad_magic, packed, size, &offset);
    packed[1] ^= 0xff;
    garbage = small;
    memset(packed + size / 2, 0xff, 256);
    {
        SIZE_T written;
        BYTE *out = malloc(small.uncompressed);
        CHECK_HR(E_DSTORAGE_DECOMPRESSION_ERROR,
                 IDStorageCompressionCodec_DecompressBuffer(codec, packed, size, out,
                                                            small.uncompressed, &written),
                 "the garbage stream does not decode");
        free(out);
    }
    write_part(file, &garbage, packed, size, &offset);
    free(packed);

    tex.seed = 44;
    tex.uncompressed = 65536; /* a 256 x 64 RGBA8 texture */
    packed = compress_bytes(codec, tex.seed, tex.uncompressed, data_byte,
                            DSTORAGE_COMPRESSION_DEFAULT, &size);
    write_part(file, &tex, packed, size, &offset);
    free(packed);

    plain.seed = 33;
    plain.uncompressed = 100000;
    packed = malloc(plain.uncompressed);
    fill_bytes(packed, plain.uncompressed, plain.seed, data_byte);
    write_part(file, &plain, packed, plain.uncompressed, &offset);
    free(packed);
    CloseHandle(file);
}

static DSTORAGE_REQUEST stream_request(IDStorageFile *file, const struct stream *s, void *dst,
                                       const char *name)
{
    return with_compression(file_request(file, s->offset, (UINT32)s->size, dst, name),
                            DSTORAGE_COMPRESSION_FORMAT_GDEFLATE, (UINT32)s->uncompressed);
}

static void expect_failure(IDStorageQueue3 *queue, IDStorageStatusArray *status, UINT32 index,
                           HRESULT hr, const char *name)
{
    DSTORAGE_ERROR_RECORD record;
    char what[128];

    CHECK(WaitForSingleObject(IDStorageQueue3_GetErrorEvent(queue), 0) == WAIT_OBJECT_0,
          "%s: error event: expected signalled, got unsignalled", name);
    record =
        expect_failed_request(queue, status, index, hr, DSTORAGE_COMPRESSION_FORMAT_GDEFLATE, name);
    sprintf(what, "%s: CommandType", name);
    CHECK_EQ(DSTORAGE_COMMAND_TYPE_REQUEST, record.FirstFailure.CommandType, what);
}

static void test_file_queue(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 256,
                                          DSTORAGE_PRIORITY_NORMAL, NULL, "gdeflate");
    BYTE *big_out = malloc(BIG_SIZE), *small_out = malloc(65537 + 1),
         *plain_out = malloc(plain.uncompressed), *other = malloc(65538);
    IDStorageStatusArray *status;
    DSTORAGE_REQUEST r;
    IDStorageFile *file;
    int i;

    REQUIRE_HR(IDStorageFactory_OpenFile(factory, file_path_w, &IID_IDStorageFile, (void **)&file),
               "OpenFile");
    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 8, "gdeflate", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    CHECK_EQ(DSTORAGE_COMPRESSION_SUPPORT_CPU_FALLBACK,
             IDStorageQueue3_GetCompressionSupport(queue, DSTORAGE_COMPRESSION_FORMAT_GDEFLATE),
             "GetCompressionSupport(GDEFLATE)");
    CHECK_EQ(DSTORAGE_COMPRESSION_SUPPORT_NONE,
             IDStorageQueue3_GetCompressionSupport(queue, DSTORAGE_CUSTOM_COMPRESSION_0),
             "GetCompressionSupport(CUSTOM_0)");

    /* Good streams mixed with a plain read, twice over. */
    for (i = 0; i < 2; ++i)
    {
        memset(big_out, 0, BIG_SIZE);
        memset(small_out, 0xcd, 65537 + 1);
        memset(plain_out, 0, plain.uncompressed);
        r = stream_request(file, &big, big_out, "big");
        IDStorageQueue3_EnqueueRequest(queue, &r);
        r = file_request(file, plain.offset, (UINT32)plain.size, plain_out, "plain");
        IDStorageQueue3_EnqueueRequest(queue, &r);
        r = stream_request(file, &small, small_out, "small");
        IDStorageQueue3_EnqueueRequest(queue, &r);
        IDStorageQueue3_EnqueueStatus(queue, status, 0);
        submit_and_wait(queue, "good streams");
        CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 0), "good streams: status");
        check_bytes(big_out, BIG_SIZE, big.seed, data_byte, "file -> memory, 3 MiB stream");
        check_bytes(small_out, 65537, small.seed, data_byte, "file -> memory, 65537-byte stream");
        CHECK_EQ(0xcd, small_out[65537], "65537-byte stream: the byte after the destination");
        check_bytes(plain_out, plain.uncompressed, plain.seed, data_byte,
                    "file -> memory, plain bytes between streams");
    }

    /* UncompressedSize differs from the destination size. */
    r = stream_request(file, &small, other, "uncompressed size + 1");
    r.UncompressedSize = 65538;
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 1);
    submit_and_wait(queue, "uncompressed size + 1");
    expect_failure(queue, status, 1, E_DSTORAGE_INVALID_DESTINATION_SIZE, "uncompressed size + 1");

    r = stream_request(file, &small, other, "destination size - 1");
    r.Destination.Memory.Size = 65536;
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 2);
    submit_and_wait(queue, "destination size - 1");
    expect_failure(queue, status, 2, E_DSTORAGE_INVALID_DESTINATION_SIZE, "destination size - 1");

    /* Both agree, but the stream holds another size: it cannot be decoded into it. */
    r = stream_request(file, &small, other, "stream size differs");
    r.UncompressedSize = r.Destination.Memory.Size = 65538;
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 3);
    submit_and_wait(queue, "stream size differs");
    expect_failure(queue, status, 3, E_DSTORAGE_DECOMPRESSION_ERROR, "stream size differs");

    /* Corrupt data; the good request after each still completes. */
    r = stream_request(file, &bad_magic, other, "bad magic");
    IDStorageQueue3_EnqueueRequest(queue, &r);
    r = stream_request(file, &small, small_out, "after bad magic");
    memset(small_out, 0, 65537);
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 4);
    submit_and_wait(queue, "bad magic");
    expect_failure(queue, status, 4, E_DSTORAGE_DECOMPRESSION_ERROR, "bad magic");
    check_bytes(small_out, 65537, small.seed, data_byte, "the stream after a corrupt one");

    r = stream_request(file, &garbage, other, "garbage");
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 5);
    submit_and_wait(queue, "garbage");
    expect_failure(queue, status, 5, E_DSTORAGE_DECOMPRESSION_ERROR, "garbage");

    /* The compressed bytes reach past the end of the file. */
    r = stream_request(file, &small, other, "past the end");
    r.Source.File.Offset = plain.offset + plain.size - 100;
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 6);
    submit_and_wait(queue, "past the end");
    expect_failure(queue, status, 6, E_DSTORAGE_END_OF_FILE, "past the end");

    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
    IDStorageFile_Release(file);
    free(big_out);
    free(small_out);
    free(plain_out);
    free(other);
}

static void test_memory_queue(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, 128,
                                          DSTORAGE_PRIORITY_REALTIME, NULL, "gdeflate memory");
    IDStorageStatusArray *status;
    SIZE_T packed_size;
    BYTE *packed = compress_bytes(codec, 44, 300000, data_byte, DSTORAGE_COMPRESSION_FASTEST,
                                  &packed_size),
         *out = malloc(300000);
    DSTORAGE_REQUEST r;

    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 2, "memory", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    r = with_compression(memory_request(packed, out, (UINT32)packed_size, "memory -> memory"),
                         DSTORAGE_COMPRESSION_FORMAT_GDEFLATE, 300000);
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    submit_and_wait(queue, "memory -> memory");
    CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 0), "memory -> memory: status");
    check_bytes(out, 300000, 44, data_byte, "memory -> memory");

    packed[packed_size / 2] ^= 0xff;
    packed[packed_size / 2 + 1] ^= 0x0f;
    memset(packed + 20, 0xff, 200);
    r.Name = "corrupt memory";
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 1);
    submit_and_wait(queue, "corrupt memory");
    expect_failure(queue, status, 1, E_DSTORAGE_DECOMPRESSION_ERROR, "corrupt memory");

    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
    free(packed);
    free(out);
}

/* GPU buffer destination: decoded on the CPU into the upload staging, then copied. */
/* GPU destinations: one D3D12 device, a DIRECT queue for read-backs. */
struct gpu_env
{
    ID3D12Device *device;
    ID3D12CommandQueue *cmd_queue;
    ID3D12CommandAllocator *allocator;
    ID3D12GraphicsCommandList *list;
    ID3D12Fence *fence;
    UINT64 fence_value;
    HANDLE event;
};

static void gpu_wait(struct gpu_env *g, UINT64 value, const char *what)
{
    ID3D12Fence_SetEventOnCompletion(g->fence, value, g->event);
    CHECK(WaitForSingleObject(g->event, 60000) == WAIT_OBJECT_0,
          "%s: expected the fence within 60 s, got a timeout", what);
}

/* Enqueues the requests, a signal, submits and waits; returns the error record's failure count
 * (and the first failure's HRESULT in *hr). */
static UINT32 gpu_round(struct gpu_env *g, IDStorageQueue3 *queue, const DSTORAGE_REQUEST *r,
                        UINT n, HRESULT *hr, const char *what)
{
    DSTORAGE_ERROR_RECORD record;
    UINT i;

    for (i = 0; i < n; ++i) IDStorageQueue3_EnqueueRequest(queue, &r[i]);
    IDStorageQueue3_EnqueueSignal(queue, g->fence, ++g->fence_value);
    IDStorageQueue3_Submit(queue);
    gpu_wait(g, g->fence_value, what);
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    ResetEvent(IDStorageQueue3_GetErrorEvent(queue));
    *hr = record.FirstFailure.HResult;
    return record.FailureCount;
}

/* Copies `size` bytes of the buffer (or the texture's subresource 0, as its footprint) into a
 * READBACK buffer and maps it. */
static BYTE *gpu_read_back(struct gpu_env *g, ID3D12Resource *resource, UINT64 size,
                           ID3D12Resource **readback)
{
    D3D12_HEAP_PROPERTIES heap = {D3D12_HEAP_TYPE_READBACK};
    D3D12_RESOURCE_DESC desc = {
        D3D12_RESOURCE_DIMENSION_BUFFER, 0, size, 1, 1, 1, DXGI_FORMAT_UNKNOWN, {1, 0},
        D3D12_TEXTURE_LAYOUT_ROW_MAJOR};
    D3D12_RESOURCE_DESC resource_desc;
    ID3D12CommandList *l = (ID3D12CommandList *)g->list;
    BYTE *data = NULL;

    REQUIRE_HR(ID3D12Device_CreateCommittedResource(g->device, &heap, D3D12_HEAP_FLAG_NONE, &desc,
                                                    D3D12_RESOURCE_STATE_COPY_DEST, NULL,
                                                    &IID_ID3D12Resource, (void **)readback),
               "CreateCommittedResource(readback)");
    ID3D12CommandAllocator_Reset(g->allocator);
    ID3D12GraphicsCommandList_Reset(g->list, g->allocator, NULL);
    resource->lpVtbl->GetDesc(resource, &resource_desc);
    if (resource_desc.Dimension == D3D12_RESOURCE_DIMENSION_BUFFER)
        ID3D12GraphicsCommandList_CopyBufferRegion(g->list, *readback, 0, resource, 0, size);
    else
    {
        D3D12_TEXTURE_COPY_LOCATION src = {.pResource = resource,
                                           .Type = D3D12_TEXTURE_COPY_TYPE_SUBRESOURCE_INDEX};
        D3D12_TEXTURE_COPY_LOCATION dst = {.pResource = *readback,
                                           .Type = D3D12_TEXTURE_COPY_TYPE_PLACED_FOOTPRINT};
        ID3D12Device_GetCopyableFootprints(g->device, &resource_desc, 0, 1, 0, &dst.PlacedFootprint,
                                           NULL, NULL, NULL);
        ID3D12GraphicsCommandList_CopyTextureRegion(g->list, &dst, 0, 0, 0, &src, NULL);
    }
    REQUIRE_HR(ID3D12GraphicsCommandList_Close(g->list), "Close");
    ID3D12CommandQueue_ExecuteCommandLists(g->cmd_queue, 1, &l);
    ID3D12CommandQueue_Signal(g->cmd_queue, g->fence, ++g->fence_value);
    gpu_wait(g, g->fence_value, "read-back");
    REQUIRE_HR(ID3D12Resource_Map(*readback, 0, NULL, (void **)&data), "Map readback");
    return data;
}

static DSTORAGE_REQUEST gpu_stream_request(IDStorageFile *file, const struct stream *s,
                                           ID3D12Resource *buffer, UINT64 offset, const char *name)
{
    return into_buffer(stream_request(file, s, NULL, name), buffer, offset);
}

#define GPU_STREAMS 12
#define GPU_SLOT (128u << 10) /* one stream per 128 KiB of the buffer */

/* GDeflate into GPU destinations: decoded on the GPU where the device offers the DirectStorage
 * GDeflate meta command (vkd3d-proton), else on the CPU; DS_KIT_GDEFLATE_PATH=gpu|cpu says which
 * one this run must take. */
static void test_gpu_destinations(void)
{
    const char *forced = getenv("DS_KIT_GDEFLATE_PATH");
    struct gpu_env g = {.device = create_device()};
    D3D12_HEAP_PROPERTIES heap = {D3D12_HEAP_TYPE_DEFAULT};
    D3D12_RESOURCE_DESC desc = {
        D3D12_RESOURCE_DIMENSION_BUFFER, 0, 2u << 20, 1, 1, 1, DXGI_FORMAT_UNKNOWN, {1, 0},
        D3D12_TEXTURE_LAYOUT_ROW_MAJOR};
    D3D12_RESOURCE_DESC tex_desc = {
        D3D12_RESOURCE_DIMENSION_TEXTURE2D, 0, 256, 64, 1, 1, DXGI_FORMAT_R8G8B8A8_UNORM, {1, 0},
        D3D12_TEXTURE_LAYOUT_UNKNOWN};
    D3D12_COMMAND_QUEUE_DESC queue_desc = {D3D12_COMMAND_LIST_TYPE_DIRECT};
    DSTORAGE_REQUEST r[GPU_STREAMS + 1], one;
    DSTORAGE_COMPRESSION_SUPPORT support;
    ID3D12Resource *buffer, *texture, *readback;
    IDStorageQueue3 *queue;
    IDStorageFile *file;
    struct stream truncated;
    BOOL on_gpu;
    HRESULT hr;
    UINT32 failures;
    BYTE *data;
    UINT i;

    g.event = CreateEventW(NULL, FALSE, FALSE, NULL);
    queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128, DSTORAGE_PRIORITY_NORMAL,
                         g.device, "gdeflate gpu");
    REQUIRE_HR(IDStorageFactory_OpenFile(factory, file_path_w, &IID_IDStorageFile, (void **)&file),
               "OpenFile");
    REQUIRE_HR(ID3D12Device_CreateCommittedResource(g.device, &heap, D3D12_HEAP_FLAG_NONE, &desc,
                                                    D3D12_RESOURCE_STATE_COMMON, NULL,
                                                    &IID_ID3D12Resource, (void **)&buffer),
               "CreateCommittedResource");
    REQUIRE_HR(ID3D12Device_CreateCommittedResource(g.device, &heap, D3D12_HEAP_FLAG_NONE,
                                                    &tex_desc, D3D12_RESOURCE_STATE_COMMON, NULL,
                                                    &IID_ID3D12Resource, (void **)&texture),
               "CreateCommittedResource(texture)");
    g.fence = create_fence(g.device, 0);
    REQUIRE_HR(ID3D12Device_CreateCommandQueue(g.device, &queue_desc, &IID_ID3D12CommandQueue,
                                               (void **)&g.cmd_queue),
               "CreateCommandQueue");
    REQUIRE_HR(ID3D12Device_CreateCommandAllocator(g.device, D3D12_COMMAND_LIST_TYPE_DIRECT,
                                                   &IID_ID3D12CommandAllocator,
                                                   (void **)&g.allocator),
               "CreateCommandAllocator");
    REQUIRE_HR(ID3D12Device_CreateCommandList(g.device, 0, D3D12_COMMAND_LIST_TYPE_DIRECT,
                                              g.allocator, NULL, &IID_ID3D12GraphicsCommandList,
                                              (void **)&g.list),
               "CreateCommandList");
    ID3D12GraphicsCommandList_Close(g.list);

    /* What GetCompressionSupport says is what happens. */
    support = IDStorageQueue3_GetCompressionSupport(queue, DSTORAGE_COMPRESSION_FORMAT_GDEFLATE);
    /* d3d12 path: the meta command (GPU_OPTIMIZED) or the CPU; vulkan path (vkd3d-proton): the
     * driver's VK_NV_memory_decompression (GPU_OPTIMIZED) or the runtime's compute shader
     * (GPU_FALLBACK). */
    on_gpu = support != DSTORAGE_COMPRESSION_SUPPORT_CPU_FALLBACK;
    CHECK(support == DSTORAGE_COMPRESSION_SUPPORT_CPU_FALLBACK ||
              support == (DSTORAGE_COMPRESSION_SUPPORT_GPU_OPTIMIZED |
                          DSTORAGE_COMPRESSION_SUPPORT_USES_COMPUTE_QUEUE) ||
              support == (DSTORAGE_COMPRESSION_SUPPORT_GPU_FALLBACK |
                          DSTORAGE_COMPRESSION_SUPPORT_USES_COMPUTE_QUEUE),
          "GetCompressionSupport(GDEFLATE) with a device: expected CPU_FALLBACK, "
          "GPU_OPTIMIZED|USES_COMPUTE_QUEUE or GPU_FALLBACK|USES_COMPUTE_QUEUE, got %#x",
          support);
    if (forced && !strcmp(forced, "gpu"))
        CHECK(on_gpu, "DS_KIT_GDEFLATE_PATH=gpu: expected GPU_OPTIMIZED, got %#x", support);
    if (forced && !strcmp(forced, "cpu"))
        CHECK(!on_gpu, "DS_KIT_GDEFLATE_PATH=cpu: expected CPU_FALLBACK, got %#x", support);
    printf("gdeflate: GPU destinations decoded on the %s\n",
           !on_gpu ? "CPU"
           : support & DSTORAGE_COMPRESSION_SUPPORT_GPU_OPTIMIZED
               ? "GPU (GPU_OPTIMIZED: the meta command, or VK_NV_memory_decompression)"
               : "GPU (GPU_FALLBACK: the runtime's shader)");

    /* Many streams in one submission (one meta command execution on the GPU path), a plain read
     * among them. */
    for (i = 0; i < GPU_STREAMS; ++i)
        r[i] =
            gpu_stream_request(file, &small, buffer, 4096 + (UINT64)i * GPU_SLOT, "file -> buffer");
    r[i] = r[0];
    r[i].Options.CompressionFormat = DSTORAGE_COMPRESSION_FORMAT_NONE;
    r[i].Source.File.Offset = plain.offset;
    r[i].Source.File.Size = r[i].Destination.Buffer.Size = r[i].UncompressedSize = 65538;
    r[i].Destination.Buffer.Offset = 4096 + (UINT64)i * GPU_SLOT;
    failures = gpu_round(&g, queue, r, GPU_STREAMS + 1, &hr, "file -> buffer");
    CHECK(!failures, "file -> buffer: expected no failure, got %u (first hr %#lx)", failures,
          (unsigned long)hr);
    data = gpu_read_back(&g, buffer, desc.Width, &readback);
    for (i = 0; i < GPU_STREAMS; ++i)
        check_bytes(data + 4096 + i * GPU_SLOT, small.uncompressed, small.seed, data_byte,
                    "file -> GPU buffer (GDeflate)");
    check_bytes(data + 4096 + i * GPU_SLOT, 65538, plain.seed, data_byte,
                "file -> GPU buffer (plain)");
    ID3D12Resource_Release(readback);

    /* Into a texture (its footprint is linear here: 1024-byte rows). */
    memset(&one, 0, sizeof(one));
    one = gpu_stream_request(file, &tex, NULL, 0, "file -> texture");
    one.Options.DestinationType = DSTORAGE_REQUEST_DESTINATION_MULTIPLE_SUBRESOURCES;
    memset(&one.Destination, 0, sizeof(one.Destination));
    one.Destination.MultipleSubresources.Resource = texture;
    one.Destination.MultipleSubresources.FirstSubresource = 0;
    failures = gpu_round(&g, queue, &one, 1, &hr, "file -> texture");
    CHECK(!failures, "file -> texture: expected no failure, got %u (first hr %#lx)", failures,
          (unsigned long)hr);
    data = gpu_read_back(&g, texture, tex.uncompressed, &readback);
    check_bytes(data, tex.uncompressed, tex.seed, data_byte, "file -> GPU texture (GDeflate)");
    ID3D12Resource_Release(readback);

    /* Damaged containers fail on either path and leave the rest of the buffer alone: a bad magic,
     * and a stream cut short (its last tile lies past the bytes read). */
    one = gpu_stream_request(file, &bad_magic, buffer, 4096, "bad magic -> buffer");
    failures = gpu_round(&g, queue, &one, 1, &hr, "bad magic -> buffer");
    CHECK_EQ(1, failures, "bad magic -> buffer: FailureCount");
    CHECK_HR(E_DSTORAGE_DECOMPRESSION_ERROR, hr, "bad magic -> buffer: HResult");
    truncated = small;
    truncated.size -= 64;
    one = gpu_stream_request(file, &truncated, buffer, 4096 + GPU_SLOT, "truncated -> buffer");
    failures = gpu_round(&g, queue, &one, 1, &hr, "truncated -> buffer");
    CHECK_EQ(1, failures, "truncated -> buffer: FailureCount");
    CHECK_HR(E_DSTORAGE_DECOMPRESSION_ERROR, hr, "truncated -> buffer: HResult");
    data = gpu_read_back(&g, buffer, desc.Width, &readback);
    for (i = 2; i < GPU_STREAMS; ++i)
        check_bytes(data + 4096 + i * GPU_SLOT, small.uncompressed, small.seed, data_byte,
                    "the buffer after damaged streams");
    ID3D12Resource_Release(readback);

    /* Damage inside a tile: the CPU decoder finds it. The GPU path does not look inside tiles, and
     * the meta command trusts them (vkd3d-proton's decoder reports no errors and may write past a
     * damaged tile or not terminate: docs/wine-module.md), so it is not fed such a stream here. */
    if (on_gpu)
        printf("gdeflate: damage inside a tile: not checked on the GPU path\n");
    else
    {
        one = gpu_stream_request(file, &garbage, buffer, 4096 + 2 * GPU_SLOT, "garbage -> buffer");
        failures = gpu_round(&g, queue, &one, 1, &hr, "garbage -> buffer");
        CHECK_EQ(1, failures, "garbage -> buffer: FailureCount");
        CHECK_HR(E_DSTORAGE_DECOMPRESSION_ERROR, hr, "garbage -> buffer: HResult");
    }

    CloseHandle(g.event);
    ID3D12GraphicsCommandList_Release(g.list);
    ID3D12CommandAllocator_Release(g.allocator);
    ID3D12CommandQueue_Release(g.cmd_queue);
    IDStorageQueue3_Release(queue);
    IDStorageFile_Release(file);
    ID3D12Fence_Release(g.fence);
    ID3D12Resource_Release(texture);
    ID3D12Resource_Release(buffer);
    ID3D12Device_Release(g.device);
}

/* DS_KIT_WINE_BACKEND=io_uring: a backend without GDeflate (unless io_uring cannot start here). */
static int test_without_gdeflate(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128,
                                          DSTORAGE_PRIORITY_NORMAL, NULL, "io_uring");
    DSTORAGE_COMPRESSION_SUPPORT support =
        IDStorageQueue3_GetCompressionSupport(queue, DSTORAGE_COMPRESSION_FORMAT_GDEFLATE);
    IDStorageStatusArray *status;
    IDStorageFile *file;
    DSTORAGE_REQUEST r;
    BYTE *out = malloc(65538);

    if (support == DSTORAGE_COMPRESSION_SUPPORT_CPU_FALLBACK)
    {
        printf("io_uring backend: unavailable here, the CPU backend decodes\n");
        IDStorageQueue3_Release(queue);
        test_file_queue();
        free(out);
        return 0;
    }
    CHECK_EQ(DSTORAGE_COMPRESSION_SUPPORT_NONE, support,
             "GetCompressionSupport(GDEFLATE) without GDeflate");
    REQUIRE_HR(IDStorageFactory_OpenFile(factory, file_path_w, &IID_IDStorageFile, (void **)&file),
               "OpenFile");
    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 3, "io_uring", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    r = stream_request(file, &small, out, "unsupported");
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    submit_and_wait(queue, "unsupported");
    expect_failure(queue, status, 0, E_DSTORAGE_DECOMPRESSION_ERROR, "unsupported");
    /* gdeflate_unsupported comes before destination_size_mismatch in mapping.json */
    r = stream_request(file, &small, out, "unsupported, size + 1");
    r.UncompressedSize = 65538;
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 1);
    submit_and_wait(queue, "unsupported, size + 1");
    expect_failure(queue, status, 1, E_DSTORAGE_DECOMPRESSION_ERROR, "unsupported, size + 1");
    /* plain reads still work */
    r = file_request(file, plain.offset, 65538, out, "plain");
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 2);
    submit_and_wait(queue, "plain");
    CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 2), "plain read on io_uring: status");
    check_bytes(out, 65538, plain.seed, data_byte, "plain read on io_uring");
    printf("io_uring backend: GDeflate unsupported, requests fail with "
           "E_DSTORAGE_DECOMPRESSION_ERROR\n");
    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
    IDStorageFile_Release(file);
    free(out);
    return 0;
}

int main(void)
{
    const char *backend = getenv("DS_KIT_WINE_BACKEND");

    factory = get_factory();
    if (backend && !strcmp(backend, "io_uring"))
    {
        REQUIRE_HR(DStorageCreateCompressionCodec(DSTORAGE_COMPRESSION_FORMAT_GDEFLATE, 0,
                                                  &IID_IDStorageCompressionCodec, (void **)&codec),
                   "CreateCompressionCodec(GDEFLATE)");
        make_file();
        test_without_gdeflate();
        IDStorageCompressionCodec_Release(codec);
        IDStorageFactory_Release(factory);
        DeleteFileW(file_path_w);
        return finish("gdeflate");
    }
    test_codec_create();
    test_codec_round_trips();
    test_codec_errors();
    make_file();
    test_file_queue();
    test_memory_queue();
    test_gpu_destinations();
    CHECK_EQ(0, IDStorageCompressionCodec_Release(codec), "codec Release");
    IDStorageFactory_Release(factory);
    DeleteFileW(file_path_w);
    return finish("gdeflate");
}
