/* SPDX-License-Identifier: MIT
 * Program: GACL shuffle transforms (DirectStorage 1.4, preview). For BC1, BC3, BC4 and BC5: random
 * blocks are shuffled here (this file's own forward transform, written from Microsoft's stream
 * layout: docs/gacl.md), stored plain, GDeflate- and Zstandard-compressed in a file, and read with
 * Options.GaclTransformType set; the destination must hold the original blocks byte for byte and
 * nothing past it may change. Also: a memory source, a GPU buffer destination (undone in the upload
 * staging, then copied), and the refusals: transform 5 and a size that is not whole blocks give
 * E_INVALIDARG. */
#include "common.h"
#include "d3d12_util.h"

#define BLOCKS 20000

static IDStorageFactory *factory;
static WCHAR file_path_w[MAX_PATH];

/* Bytes of each field of a block, in block order; the shuffled buffer is one stream per field. */
static const struct
{
    DSTORAGE_GACL_SHUFFLE_TRANSFORM_TYPE type;
    const char *name;
    UINT32 block, fields, width[6];
} formats[] = {
    {DSTORAGE_GACL_SHUFFLE_TRANSFORM_BC1, "BC1", 8, 3, {2, 2, 4}},
    {DSTORAGE_GACL_SHUFFLE_TRANSFORM_BC3, "BC3", 16, 6, {1, 1, 6, 2, 2, 4}},
    {DSTORAGE_GACL_SHUFFLE_TRANSFORM_BC4, "BC4", 8, 3, {1, 1, 6}},
    {DSTORAGE_GACL_SHUFFLE_TRANSFORM_BC5, "BC5", 16, 6, {1, 1, 6, 1, 1, 6}},
};

/* The forward transform: byte i of field f of block b goes to
 * stream_offset(f) + b * width[f] + i, stream_offset(f) = blocks * (widths before f). */
static void shuffle(int fmt, const BYTE *blocks, BYTE *out, UINT32 count)
{
    UINT32 b, f, i, field_start = 0;
    SIZE_T stream_offset = 0;

    for (f = 0; f < formats[fmt].fields; ++f)
    {
        for (b = 0; b < count; ++b)
            for (i = 0; i < formats[fmt].width[f]; ++i)
                out[stream_offset + (SIZE_T)b * formats[fmt].width[f] + i] =
                    blocks[(SIZE_T)b * formats[fmt].block + field_start + i];
        stream_offset += (SIZE_T)count * formats[fmt].width[f];
        field_start += formats[fmt].width[f];
    }
}

struct item
{
    UINT64 offset, size;
    UINT32 uncompressed;
};
static struct item items[4][3]; /* [format][NONE, GDEFLATE, ZSTD] */
static BYTE *originals[4];
static const DSTORAGE_COMPRESSION_FORMAT compressions[3] = {DSTORAGE_COMPRESSION_FORMAT_NONE,
                                                            DSTORAGE_COMPRESSION_FORMAT_GDEFLATE,
                                                            DSTORAGE_COMPRESSION_FORMAT_ZSTD};

static BYTE *pack(DSTORAGE_COMPRESSION_FORMAT format, const BYTE *data, SIZE_T n, SIZE_T *size)
{
    IDStorageCompressionCodec *codec;
    SIZE_T bound;
    BYTE *out;

    REQUIRE_HR(
        DStorageCreateCompressionCodec(format, 0, &IID_IDStorageCompressionCodec, (void **)&codec),
        "CreateCompressionCodec");
    bound = IDStorageCompressionCodec_CompressBufferBound(codec, n);
    out = malloc(bound);
    REQUIRE_HR(IDStorageCompressionCodec_CompressBuffer(
                   codec, data, n, DSTORAGE_COMPRESSION_FASTEST, out, bound, size),
               "CompressBuffer");
    IDStorageCompressionCodec_Release(codec);
    return out;
}

static void make_file(void)
{
    WCHAR dir[MAX_PATH];
    UINT64 offset = 0;
    DWORD written;
    HANDLE file;
    int f, c;

    GetTempPathW(MAX_PATH, dir);
    GetTempFileNameW(dir, L"gac", 0, file_path_w);
    file = CreateFileW(file_path_w, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    for (f = 0; f < 4; ++f)
    {
        UINT32 size = BLOCKS * formats[f].block, i;
        BYTE *shuffled = malloc(size);

        originals[f] = malloc(size);
        for (i = 0; i < size; ++i) /* compressible, and no two fields alike */
            originals[f][i] =
                (BYTE)((i % formats[f].block) * 17 + (i / 64) % 5 + pattern_byte(i) % 3);
        shuffle(f, originals[f], shuffled, BLOCKS);
        CHECK(memcmp(shuffled, originals[f], size), "%s: the shuffle changed nothing",
              formats[f].name);
        for (c = 0; c < 3; ++c)
        {
            SIZE_T packed_size = size;
            BYTE *packed = c ? pack(compressions[c], shuffled, size, &packed_size) : shuffled;

            items[f][c].offset = offset;
            items[f][c].size = packed_size;
            items[f][c].uncompressed = size;
            WriteFile(file, packed, (DWORD)packed_size, &written, NULL);
            offset += packed_size;
            if (c) free(packed);
        }
        free(shuffled);
    }
    CloseHandle(file);
}

static DSTORAGE_REQUEST gacl_request(IDStorageFile *file, int f, int c, void *dst, const char *name)
{
    DSTORAGE_REQUEST r =
        file_request(file, items[f][c].offset, (UINT32)items[f][c].size, dst, name);
    r.Options.CompressionFormat = compressions[c];
    r.Options.GaclTransformType = formats[f].type;
    r.UncompressedSize = c ? items[f][c].uncompressed : 0;
    r.Destination.Memory.Size = items[f][c].uncompressed;
    return r;
}

static void test_file_to_memory(void)
{
    static const char *compression_names[3] = {"plain", "GDeflate", "Zstandard"};
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 256,
                                          DSTORAGE_PRIORITY_NORMAL, NULL, "gacl");
    IDStorageStatusArray *status;
    IDStorageFile *file;
    BYTE *dst[4][3];
    char names[4][3][64];
    DSTORAGE_REQUEST r;
    int f, c;

    REQUIRE_HR(IDStorageFactory_OpenFile(factory, file_path_w, &IID_IDStorageFile, (void **)&file),
               "OpenFile");
    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 1, "gacl", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    for (f = 0; f < 4; ++f)
        for (c = 0; c < 3; ++c)
        {
            dst[f][c] = malloc(items[f][c].uncompressed + 64);
            memset(dst[f][c], 0xee, items[f][c].uncompressed + 64);
            sprintf(names[f][c], "%s, %s", formats[f].name, compression_names[c]);
            r = gacl_request(file, f, c, dst[f][c], names[f][c]);
            IDStorageQueue3_EnqueueRequest(queue, &r);
        }
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    submit_and_wait(queue, "GACL reads");
    CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 0), "GACL reads: status");
    for (f = 0; f < 4; ++f)
        for (c = 0; c < 3; ++c)
        {
            UINT32 n = items[f][c].uncompressed;
            CHECK(!memcmp(dst[f][c], originals[f], n),
                  "%s: expected the original blocks, got others", names[f][c]);
            check_guard(dst[f][c] + n, 64, 0xee, names[f][c]);
            free(dst[f][c]);
        }
    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
    IDStorageFile_Release(file);
}

static void test_refusals(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128,
                                          DSTORAGE_PRIORITY_NORMAL, NULL, "gacl refusals");
    IDStorageStatusArray *status;
    DSTORAGE_ERROR_RECORD record;
    IDStorageFile *file;
    BYTE *dst = malloc(BLOCKS * 16);
    DSTORAGE_REQUEST r;

    REQUIRE_HR(IDStorageFactory_OpenFile(factory, file_path_w, &IID_IDStorageFile, (void **)&file),
               "OpenFile");
    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 2, "refusals", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    r = gacl_request(file, 0, 2, dst, "transform 5");
    r.Options.GaclTransformType = (DSTORAGE_GACL_SHUFFLE_TRANSFORM_TYPE)5;
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    submit_and_wait(queue, "transform 5");
    CHECK_HR(E_INVALIDARG, IDStorageStatusArray_GetHResult(status, 0), "transform 5");
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    r = gacl_request(file, 1, 0, dst, "2.5 BC3 blocks");
    r.Source.File.Size = r.Destination.Memory.Size = 40;
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 1);
    submit_and_wait(queue, "2.5 BC3 blocks");
    CHECK_HR(E_INVALIDARG, IDStorageStatusArray_GetHResult(status, 1), "2.5 BC3 blocks");
    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
    IDStorageFile_Release(file);
    free(dst);
}

static void test_memory_source(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, 128,
                                          DSTORAGE_PRIORITY_REALTIME, NULL, "gacl memory");
    UINT32 size = BLOCKS * 16;
    BYTE *shuffled = malloc(size), *dst = malloc(size);
    IDStorageStatusArray *status;
    SIZE_T packed_size;
    BYTE *packed;
    DSTORAGE_REQUEST r;

    shuffle(3, originals[3], shuffled, BLOCKS);
    packed = pack(DSTORAGE_COMPRESSION_FORMAT_ZSTD, shuffled, size, &packed_size);
    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 1, "memory", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    r = memory_request(packed, dst, (UINT32)packed_size, "BC5 Zstandard from memory");
    r.Options.CompressionFormat = DSTORAGE_COMPRESSION_FORMAT_ZSTD;
    r.Options.GaclTransformType = DSTORAGE_GACL_SHUFFLE_TRANSFORM_BC5;
    r.Destination.Memory.Size = r.UncompressedSize = size;
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    submit_and_wait(queue, r.Name);
    CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 0), r.Name);
    CHECK(!memcmp(dst, originals[3], size), "%s: expected the original blocks, got others", r.Name);
    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
    free(shuffled);
    free(packed);
    free(dst);
}

/* BC3 + Zstandard into a GPU buffer: the shuffle is undone in the upload staging. */
static void test_gpu_buffer(void)
{
    ID3D12Device *device = create_device();
    ID3D12Resource *buffer =
        create_buffer(device, D3D12_HEAP_TYPE_DEFAULT, 1 << 20, D3D12_RESOURCE_STATE_COMMON);
    ID3D12Resource *readback;
    ID3D12Fence *fence;
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128,
                                          DSTORAGE_PRIORITY_NORMAL, device, "gacl gpu");
    struct gpu_queue gpu;
    IDStorageFile *file;
    DSTORAGE_REQUEST r;
    BYTE *data;

    REQUIRE_HR(IDStorageFactory_OpenFile(factory, file_path_w, &IID_IDStorageFile, (void **)&file),
               "OpenFile");
    fence = create_fence(device, 0);
    r = into_buffer(gacl_request(file, 1, 2, NULL, "BC3 Zstandard -> buffer"), buffer, 256);
    enqueue_and_signal_ok(queue, &r, fence, 1, "GPU buffer");
    gpu_queue_init(&gpu, device);
    data = read_back_buffer(device, &gpu, buffer, 256, items[1][2].uncompressed, &readback);
    CHECK(!memcmp(data, originals[1], items[1][2].uncompressed),
          "GPU buffer: expected the original BC3 blocks, got others");
    release_read_back(readback);
    gpu_queue_release(&gpu);
    IDStorageQueue3_Release(queue);
    IDStorageFile_Release(file);
    ID3D12Fence_Release(fence);
    ID3D12Resource_Release(buffer);
    ID3D12Device_Release(device);
}

int main(void)
{
    int f;

    factory = get_factory();
    make_file();
    test_file_to_memory();
    test_refusals();
    test_memory_source();
    test_gpu_buffer();
    for (f = 0; f < 4; ++f) free(originals[f]);
    IDStorageFactory_Release(factory);
    DeleteFileW(file_path_w);
    return finish("gacl");
}
