/* SPDX-License-Identifier: MIT
 * Program: Zstandard (DirectStorage 1.4, preview). DStorageCreateCompressionCodec(ZSTD):
 * CompressBuffer at FASTEST / DEFAULT / BEST_RATIO, DecompressBuffer, CompressBufferBound, small
 * buffers, corrupt streams; GetCompressionSupport(ZSTD) = CPU_FALLBACK; streams in a file read
 * through a queue with CompressionFormat ZSTD into memory (mixed with plain reads), from a memory
 * queue, and into a GPU buffer (CPU decode into the upload staging, then a copy); a wrong
 * UncompressedSize and corrupt data give E_DSTORAGE_DECOMPRESSION_ERROR in the status array and
 * the error record, and no byte outside the destination changes. With DS_KIT_WINE_BACKEND=io_uring
 * (a backend that decodes nothing): GetCompressionSupport(ZSTD) is NONE, and ZSTD requests and GACL
 * transforms fail with E_DSTORAGE_DECOMPRESSION_ERROR (rules zstd_unsupported, gacl_unsupported).
 * With arguments it is the zstd(1) interop helper of wine-module.test.ts:
 *   zstd.exe write <file> <size>   writes CompressBuffer(DEFAULT) of <size> bytes of data_byte(0..)
 *                                  to <file>, and those bytes themselves to <file>.plain
 *   zstd.exe read <file> <size>    decodes <file> (from zstd -c) with DecompressBuffer and through
 * a queue; both must give <size> bytes of data_byte(0..) */
#include "common.h"
#include "d3d12_util.h"

#define BIG_SIZE (3u << 20)
#define GUARD 64 /* bytes of 0xee after a destination: check_guard */

static IDStorageFactory *factory;
static IDStorageCompressionCodec *codec;

static BYTE data_byte(UINT64 i)
{
    static const char text[] = "DirectStorage 1.4 Zstandard frames, decoded on the CPU. ";
    return text_byte(text, sizeof(text) - 1, i);
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
            packed = compress_bytes(codec, s * 1000, sizes[s], data_byte, levels[l], &packed_size);
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
            check_bytes(out, sizes[s], s * 1000, data_byte, what);
            check_guard(out + sizes[s], GUARD, 0xee, what);
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
    BYTE *packed =
        compress_bytes(codec, seed, n, data_byte, DSTORAGE_COMPRESSION_FASTEST, (SIZE_T *)&s->size);
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
    return with_compression(file_request(file, s->offset, (UINT32)s->size, dst, name),
                            DSTORAGE_COMPRESSION_FORMAT_ZSTD, (UINT32)s->uncompressed);
}

static void expect_failure(IDStorageQueue3 *queue, IDStorageStatusArray *status, UINT32 index,
                           HRESULT hr, const char *name)
{
    expect_failed_request(queue, status, index, hr, DSTORAGE_COMPRESSION_FORMAT_ZSTD, name);
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
    check_bytes(big_out, BIG_SIZE, big.seed, data_byte, "file -> memory, 3 MiB");
    check_guard(big_out + BIG_SIZE, GUARD, 0xee, "file -> memory, 3 MiB");
    check_bytes(small_out, 65537, small.seed, data_byte, "file -> memory, 65537 bytes");
    check_guard(small_out + 65537, GUARD, 0xee, "file -> memory, 65537 bytes");

    /* UncompressedSize one more than the stream holds: the destination grows with it (it must
     * match), and the stream ends early. */
    memset(small_out, 0xee, 65537 + 1 + GUARD);
    r = zstd_request(file, &small, small_out, "size + 1");
    r.UncompressedSize = r.Destination.Memory.Size = 65538;
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 1);
    submit_and_wait(queue, "size + 1");
    expect_failure(queue, status, 1, E_DSTORAGE_DECOMPRESSION_ERROR, "size + 1");
    check_guard(small_out + 65538, GUARD, 0xee, "size + 1");

    /* One less: the stream would overrun the destination; nothing past it is written. */
    memset(small_out, 0xee, 65537 + 1 + GUARD);
    r = zstd_request(file, &small, small_out, "size - 1");
    r.UncompressedSize = r.Destination.Memory.Size = 65536;
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 2);
    submit_and_wait(queue, "size - 1");
    expect_failure(queue, status, 2, E_DSTORAGE_DECOMPRESSION_ERROR, "size - 1");
    check_guard(small_out + 65536, GUARD, 0xee, "size - 1");

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
    check_guard(bad_out + 200000, GUARD, 0xee, "corrupt");

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
    BYTE *packed = compress_bytes(codec, 44, 300000, data_byte, DSTORAGE_COMPRESSION_DEFAULT,
                                  &packed_size),
         *out = malloc(300000 + GUARD);
    DSTORAGE_REQUEST r;

    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 2, "memory", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    memset(out, 0xee, 300000 + GUARD);
    r = with_compression(memory_request(packed, out, (UINT32)packed_size, "memory -> memory"),
                         DSTORAGE_COMPRESSION_FORMAT_ZSTD, 300000);
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    submit_and_wait(queue, "memory -> memory");
    CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 0), "memory -> memory: status");
    check_bytes(out, 300000, 44, data_byte, "memory -> memory");
    check_guard(out + 300000, GUARD, 0xee, "memory -> memory");

    memset(packed + packed_size / 3, 0xff, 64);
    memset(out, 0xee, 300000 + GUARD);
    r.Name = "corrupt memory";
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 1);
    submit_and_wait(queue, "corrupt memory");
    expect_failure(queue, status, 1, E_DSTORAGE_DECOMPRESSION_ERROR, "corrupt memory");
    check_guard(out + 300000, GUARD, 0xee, "corrupt memory");

    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
    free(packed);
    free(out);
}

/* GPU buffer destination: decoded on the CPU into the upload staging, then copied. */
static void test_gpu_buffer(void)
{
    ID3D12Device *device = create_device();
    ID3D12Resource *buffer =
        create_buffer(device, D3D12_HEAP_TYPE_DEFAULT, 4 << 20, D3D12_RESOURCE_STATE_COMMON);
    ID3D12Resource *readback;
    ID3D12Fence *fence;
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128,
                                          DSTORAGE_PRIORITY_NORMAL, device, "zstd gpu");
    IDStorageFile *file;
    DSTORAGE_REQUEST r;
    DSTORAGE_ERROR_RECORD record;
    struct gpu_queue gpu;
    BYTE *data;

    CHECK_EQ(DSTORAGE_COMPRESSION_SUPPORT_CPU_FALLBACK,
             IDStorageQueue3_GetCompressionSupport(queue, DSTORAGE_COMPRESSION_FORMAT_ZSTD),
             "GetCompressionSupport(ZSTD) on a queue with a device");
    REQUIRE_HR(IDStorageFactory_OpenFile(factory, file_path_w, &IID_IDStorageFile, (void **)&file),
               "OpenFile");
    fence = create_fence(device, 0);

    r = into_buffer(zstd_request(file, &big, NULL, "file -> buffer"), buffer, 4096);
    enqueue_and_signal_ok(queue, &r, fence, 1, "file -> buffer");

    gpu_queue_init(&gpu, device);
    data = read_back_buffer(device, &gpu, buffer, 4096, big.uncompressed, &readback);
    check_bytes(data, big.uncompressed, big.seed, data_byte, "file -> GPU buffer (Zstandard)");
    release_read_back(readback);

    r.Source.File.Offset = garbage.offset;
    r.Source.File.Size = (UINT32)garbage.size;
    r.Destination.Buffer.Size = r.UncompressedSize = (UINT32)garbage.uncompressed;
    r.Name = "corrupt -> buffer";
    record = enqueue_and_signal(queue, &r, fence, 2, "corrupt -> buffer");
    CHECK_EQ(1, record.FailureCount, "corrupt -> buffer: FailureCount");
    CHECK_HR(E_DSTORAGE_DECOMPRESSION_ERROR, record.FirstFailure.HResult,
             "corrupt -> buffer: HResult");

    gpu_queue_release(&gpu);
    IDStorageQueue3_Release(queue);
    IDStorageFile_Release(file);
    ID3D12Fence_Release(fence);
    ID3D12Resource_Release(buffer);
    ID3D12Device_Release(device);
}

/* DS_KIT_WINE_BACKEND=io_uring: a backend without decoders (unless io_uring cannot start here). */
static void test_without_zstd(void)
{
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128,
                                          DSTORAGE_PRIORITY_NORMAL, NULL, "io_uring");
    DSTORAGE_COMPRESSION_SUPPORT support =
        IDStorageQueue3_GetCompressionSupport(queue, DSTORAGE_COMPRESSION_FORMAT_ZSTD);
    IDStorageStatusArray *status;
    DSTORAGE_ERROR_RECORD record;
    IDStorageFile *file;
    DSTORAGE_REQUEST r;
    BYTE *out = malloc(65537 + GUARD);

    if (support == DSTORAGE_COMPRESSION_SUPPORT_CPU_FALLBACK)
    {
        printf("io_uring backend: unavailable here, the CPU backend decodes\n");
        IDStorageQueue3_Release(queue);
        test_file_queue();
        free(out);
        return;
    }
    CHECK_EQ(DSTORAGE_COMPRESSION_SUPPORT_NONE, support, "GetCompressionSupport(ZSTD) on io_uring");
    REQUIRE_HR(IDStorageFactory_OpenFile(factory, file_path_w, &IID_IDStorageFile, (void **)&file),
               "OpenFile");
    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 2, "io_uring", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    r = zstd_request(file, &small, out, "unsupported");
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    submit_and_wait(queue, "unsupported");
    expect_failure(queue, status, 0, E_DSTORAGE_DECOMPRESSION_ERROR, "unsupported");
    r = file_request(file, small.offset, 64, out, "GACL on io_uring");
    r.Options.GaclTransformType = DSTORAGE_GACL_SHUFFLE_TRANSFORM_BC1;
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 1);
    submit_and_wait(queue, "GACL on io_uring");
    CHECK_HR(E_DSTORAGE_DECOMPRESSION_ERROR, IDStorageStatusArray_GetHResult(status, 1),
             "GACL on io_uring: status");
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    printf("io_uring backend: Zstandard unsupported, requests fail with "
           "E_DSTORAGE_DECOMPRESSION_ERROR\n");
    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
    IDStorageFile_Release(file);
    free(out);
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
        packed = compress_bytes(codec, 0, n, data_byte, DSTORAGE_COMPRESSION_DEFAULT, &packed_size);
        f = CreateFileW(path_w, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
        CHECK(f != INVALID_HANDLE_VALUE && WriteFile(f, packed, (DWORD)packed_size, &done, NULL),
              "writing %s failed", path);
        CloseHandle(f);
        free(packed);
        packed = malloc(n + 1);
        fill_bytes(packed, n, 0, data_byte);
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
        check_bytes(out, n, 0, data_byte, "DecompressBuffer of zstd(1)'s stream");

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
        check_bytes(out, n, 0, data_byte, "zstd(1) stream through a queue");
        check_guard(out + n, GUARD, 0xee, "zstd(1) stream through a queue");
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
    const char *backend = getenv("DS_KIT_WINE_BACKEND");

    factory = get_factory();
    if (argc == 4) return interop(argv[1], argv[2], (SIZE_T)_strtoui64(argv[3], NULL, 10));
    if (backend && !strcmp(backend, "io_uring"))
    {
        REQUIRE_HR(DStorageCreateCompressionCodec(DSTORAGE_COMPRESSION_FORMAT_ZSTD, 0,
                                                  &IID_IDStorageCompressionCodec, (void **)&codec),
                   "CreateCompressionCodec(ZSTD)");
        make_file();
        test_without_zstd();
        IDStorageCompressionCodec_Release(codec);
        IDStorageFactory_Release(factory);
        DeleteFileW(file_path_w);
        return finish("zstd");
    }
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
