/* SPDX-License-Identifier: MIT
 * Shared helpers of the dstorage.dll test programs: checks that print "expected X, got Y",
 * a patterned test file, test data (fill, compare, compress, guard bytes), D3D12 device creation,
 * requests (file, memory, compressed, into a GPU buffer) and the checks of a request's status and
 * error record. Each program is one .c file including this. */
#ifndef DSTORAGE_TEST_COMMON_H
#define DSTORAGE_TEST_COMMON_H

#define COBJMACROS
#define INITGUID
#include <windows.h>
#include <initguid.h>
#include <d3d12.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dstorage.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

static int failures;

#define CHECK(cond, ...)                                                                           \
    do                                                                                             \
    {                                                                                              \
        if (!(cond))                                                                               \
        {                                                                                          \
            ++failures;                                                                            \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                            \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            fflush(stdout);                                                                        \
        }                                                                                          \
    } while (0)
#define CHECK_HR(expected, got, what)                                                              \
    do                                                                                             \
    {                                                                                              \
        HRESULT e_ = (expected), g_ = (got);                                                       \
        CHECK(e_ == g_, "%s: expected %#lx, got %#lx", (what), (unsigned long)e_,                  \
              (unsigned long)g_);                                                                  \
    } while (0)
#define CHECK_EQ(expected, got, what)                                                              \
    do                                                                                             \
    {                                                                                              \
        unsigned long long e_ = (unsigned long long)(expected), g_ = (unsigned long long)(got);    \
        CHECK(e_ == g_, "%s: expected %llu, got %llu", (what), e_, g_);                            \
    } while (0)
#define REQUIRE_HR(call, what)                                                                     \
    do                                                                                             \
    {                                                                                              \
        HRESULT r_ = (call);                                                                       \
        if (FAILED(r_))                                                                            \
        {                                                                                          \
            printf("FAIL %s:%d: %s: expected success, got %#lx\n", __FILE__, __LINE__, (what),     \
                   (unsigned long)r_);                                                             \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static int finish(const char *name)
{
    if (failures)
    {
        printf("%s: %d check(s) failed\n", name, failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}

static inline BYTE pattern_byte(UINT64 i)
{
    return (BYTE)((i * 2654435761u) >> 13 ^ (i >> 20));
}

/* Writes a file of size bytes of pattern_byte(offset); returns its full path in path. */
static void make_pattern_file(WCHAR *path, const WCHAR *name, UINT64 size)
{
    static BYTE chunk[1 << 20];
    UINT64 done = 0, i;
    DWORD written, n;
    HANDLE file;

    GetTempPathW(MAX_PATH, path);
    lstrcatW(path, name);
    file = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE)
    {
        printf("FAIL: cannot create test file, error %lu\n", GetLastError());
        exit(1);
    }
    while (done < size)
    {
        n = (DWORD)min(size - done, sizeof(chunk));
        for (i = 0; i < n; ++i) chunk[i] = pattern_byte(done + i);
        WriteFile(file, chunk, n, &written, NULL);
        done += n;
    }
    CloseHandle(file);
}

/* Compressible but not trivial: runs of text (len bytes) with pattern_byte noise between them. */
static inline BYTE text_byte(const char *text, SIZE_T len, UINT64 i)
{
    return (i % 997) < 700 ? (BYTE)text[(i / 3 + i % 7) % len] : pattern_byte(i);
}

/* The bytes a program writes and expects: byte i of its data (pattern_byte, or its own). */
typedef BYTE (*byte_at_fn)(UINT64 i);

/* Fills p with n bytes byte_at(first), byte_at(first + 1), ... */
static void fill_bytes(BYTE *p, SIZE_T n, UINT64 first, byte_at_fn byte_at)
{
    SIZE_T i;
    for (i = 0; i < n; ++i) p[i] = byte_at(first + i);
}

/* Compares n bytes of data with byte_at(first..); reports the first difference. */
static int check_bytes(const BYTE *data, UINT64 n, UINT64 first, byte_at_fn byte_at,
                       const char *what)
{
    UINT64 i;

    for (i = 0; i < n; ++i)
    {
        if (data[i] != byte_at(first + i))
        {
            CHECK(0, "%s: byte %llu: expected %#x, got %#x", what, (unsigned long long)i,
                  byte_at(first + i), data[i]);
            return 0;
        }
    }
    return 1;
}

/* Compares data with the file pattern starting at file offset; reports the first difference. */
static int check_pattern(const BYTE *data, UINT64 offset, UINT64 size, const char *what)
{
    return check_bytes(data, size, offset, pattern_byte, what);
}

/* n bytes of value after a destination (set before the request) must survive any request into
 * it; reports the first one that changed. */
static void check_guard(const BYTE *after, UINT32 n, BYTE value, const char *what)
{
    UINT32 i;

    for (i = 0; i < n; ++i)
        if (after[i] != value)
        {
            CHECK(0, "%s: byte %u past the destination: expected %#x, got %#x", what, i, value,
                  after[i]);
            return;
        }
}

/* Compresses n bytes of byte_at(first..) with codec at level; returns a malloc'd stream, its
 * size in *size. */
static BYTE *compress_bytes(IDStorageCompressionCodec *codec, UINT64 first, SIZE_T n,
                            byte_at_fn byte_at, DSTORAGE_COMPRESSION level, SIZE_T *size)
{
    SIZE_T bound = IDStorageCompressionCodec_CompressBufferBound(codec, n);
    BYTE *src = malloc(n + 1), *dst = malloc(bound);

    fill_bytes(src, n, first, byte_at);
    *size = 0;
    CHECK_HR(S_OK, IDStorageCompressionCodec_CompressBuffer(codec, src, n, level, dst, bound, size),
             "CompressBuffer");
    CHECK(*size && *size <= bound,
          "CompressBuffer(%llu bytes, level %d): expected 1..%llu bytes, got %llu",
          (unsigned long long)n, level, (unsigned long long)bound, (unsigned long long)*size);
    free(src);
    return dst;
}

static IDStorageFactory *get_factory(void)
{
    IDStorageFactory *factory = NULL;
    REQUIRE_HR(DStorageGetFactory(&IID_IDStorageFactory, (void **)&factory), "DStorageGetFactory");
    return factory;
}

static IDStorageQueue3 *create_queue(IDStorageFactory *factory, DSTORAGE_REQUEST_SOURCE_TYPE source,
                                     UINT16 capacity, DSTORAGE_PRIORITY priority,
                                     ID3D12Device *device, const char *name)
{
    DSTORAGE_QUEUE_DESC desc = {source, capacity, priority, name, device};
    IDStorageQueue3 *queue = NULL;
    REQUIRE_HR(IDStorageFactory_CreateQueue(factory, &desc, &IID_IDStorageQueue3, (void **)&queue),
               "CreateQueue");
    return queue;
}

static ID3D12Device *create_device(void)
{
    ID3D12Device *device = NULL;
    HRESULT hr =
        D3D12CreateDevice(NULL, D3D_FEATURE_LEVEL_11_0, &IID_ID3D12Device, (void **)&device);
    if (FAILED(hr))
    {
        printf("FAIL: D3D12CreateDevice: expected success, got %#lx (run under xvfb-run with a "
               "Vulkan driver)\n",
               (unsigned long)hr);
        exit(1);
    }
    return device;
}

/* Enqueues an event entry, submits, and waits for it (everything before it has completed). */
static void submit_and_wait(IDStorageQueue3 *queue, const char *what)
{
    HANDLE event = CreateEventW(NULL, FALSE, FALSE, NULL);
    DWORD ret;

    IDStorageQueue3_EnqueueSetEvent(queue, event);
    IDStorageQueue3_Submit(queue);
    ret = WaitForSingleObject(event, 60000);
    CHECK(ret == WAIT_OBJECT_0, "%s: expected the queue's event within 60 s, got wait result %lu",
          what, ret);
    CloseHandle(event);
}

static DSTORAGE_REQUEST file_request(IDStorageFile *file, UINT64 offset, UINT32 size, void *dst,
                                     const char *name)
{
    DSTORAGE_REQUEST r;
    memset(&r, 0, sizeof(r));
    r.Options.SourceType = DSTORAGE_REQUEST_SOURCE_FILE;
    r.Options.DestinationType = DSTORAGE_REQUEST_DESTINATION_MEMORY;
    r.Source.File.Source = file;
    r.Source.File.Offset = offset;
    r.Source.File.Size = size;
    r.Destination.Memory.Buffer = dst;
    r.Destination.Memory.Size = size;
    r.Name = name;
    return r;
}

static DSTORAGE_REQUEST memory_request(const void *src, void *dst, UINT32 size, const char *name)
{
    DSTORAGE_REQUEST r;
    memset(&r, 0, sizeof(r));
    r.Options.SourceType = DSTORAGE_REQUEST_SOURCE_MEMORY;
    r.Options.DestinationType = DSTORAGE_REQUEST_DESTINATION_MEMORY;
    r.Source.Memory.Source = src;
    r.Source.Memory.Size = size;
    r.Destination.Memory.Buffer = dst;
    r.Destination.Memory.Size = size;
    r.Name = name;
    return r;
}

/* r, whose source holds a stream compressed with format, decoding into uncompressed bytes at its
 * destination. */
static DSTORAGE_REQUEST with_compression(DSTORAGE_REQUEST r, DSTORAGE_COMPRESSION_FORMAT format,
                                         UINT32 uncompressed)
{
    r.Options.CompressionFormat = format;
    r.UncompressedSize = uncompressed;
    r.Destination.Memory.Size = uncompressed;
    return r;
}

/* r with its destination (Destination.Memory.Size bytes) moved into a GPU buffer at offset. */
static DSTORAGE_REQUEST into_buffer(DSTORAGE_REQUEST r, ID3D12Resource *buffer, UINT64 offset)
{
    UINT32 size = r.Destination.Memory.Size;

    r.Options.DestinationType = DSTORAGE_REQUEST_DESTINATION_BUFFER;
    memset(&r.Destination, 0, sizeof(r.Destination));
    r.Destination.Buffer.Resource = buffer;
    r.Destination.Buffer.Offset = offset;
    r.Destination.Buffer.Size = size;
    return r;
}

/* size bytes at file_offset of file into a GPU buffer at offset. */
static DSTORAGE_REQUEST buffer_request(IDStorageFile *file, UINT64 file_offset, UINT32 size,
                                       ID3D12Resource *buffer, UINT64 offset, const char *name)
{
    return into_buffer(file_request(file, file_offset, size, NULL, name), buffer, offset);
}

/* size bytes of memory at src into a GPU buffer at offset. */
static DSTORAGE_REQUEST memory_to_buffer_request(const void *src, UINT32 size,
                                                 ID3D12Resource *buffer, UINT64 offset,
                                                 const char *name)
{
    return into_buffer(memory_request(src, NULL, size, name), buffer, offset);
}

/* The request named name failed with hr and nothing else failed: entry index of status, and the
 * queue's error record (one failure: its HRESULT, name and compression format). Resets the error
 * event; returns the record. */
static DSTORAGE_ERROR_RECORD expect_failed_request(IDStorageQueue3 *queue,
                                                   IDStorageStatusArray *status, UINT32 index,
                                                   HRESULT hr, DSTORAGE_COMPRESSION_FORMAT format,
                                                   const char *name)
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
    CHECK_EQ(format, record.FirstFailure.Request.Request.Options.CompressionFormat, what);
    ResetEvent(IDStorageQueue3_GetErrorEvent(queue));
    return record;
}

/* Enqueues r and a status entry behind it, submits, waits, and checks the status and the error
 * record: hr and one failure of hr, or success and none. Returns the error record. */
static DSTORAGE_ERROR_RECORD expect_request(IDStorageFactory *factory, IDStorageQueue3 *queue,
                                            const DSTORAGE_REQUEST *r, HRESULT hr, const char *what)
{
    IDStorageStatusArray *status;
    DSTORAGE_ERROR_RECORD record;
    char text[160];

    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 1, what, &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    IDStorageQueue3_EnqueueRequest(queue, r);
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    submit_and_wait(queue, what);
    sprintf(text, "%s: status", what);
    CHECK_HR(hr, IDStorageStatusArray_GetHResult(status, 0), text);
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    sprintf(text, "%s: FailureCount", what);
    CHECK_EQ(FAILED(hr) ? 1 : 0, record.FailureCount, text);
    if (FAILED(hr))
    {
        sprintf(text, "%s: FirstFailure.HResult", what);
        CHECK_HR(hr, record.FirstFailure.HResult, text);
    }
    IDStorageStatusArray_Release(status);
    return record;
}

#endif
