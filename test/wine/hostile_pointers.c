/* SPDX-License-Identifier: MIT
 * Pointers a careless program hands over. Memory sources and destinations the process cannot
 * reach (never mapped, released with VirtualFree, PAGE_NOACCESS, read-only destinations), and
 * GDeflate from or into them, fail the request with E_DSTORAGE_ACCESS_VIOLATION instead of
 * killing the process on a runtime thread. NULL arguments to COM entry points return E_POINTER
 * (out pointer) or E_INVALIDARG (IID), as COM objects do, and build nothing. */
#include "common.h"
#include "d3d12_util.h"

#define SIZE 65536

static IDStorageFactory *factory;
static IDStorageQueue3 *queue;
static BYTE good_src[SIZE], good_dst[SIZE];

/* SIZE bytes each: released with VirtualFree, PAGE_NOACCESS, reserved only, read-only. */
static void unreachable_memory(BYTE **released, BYTE **noaccess, BYTE **reserved, BYTE **readonly)
{
    DWORD old;

    *released = VirtualAlloc(NULL, SIZE, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    VirtualFree(*released, 0, MEM_RELEASE);
    *noaccess = VirtualAlloc(NULL, SIZE, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    VirtualProtect(*noaccess, SIZE, PAGE_NOACCESS, &old);
    *reserved = VirtualAlloc(NULL, SIZE, MEM_RESERVE, PAGE_NOACCESS);
    *readonly = VirtualAlloc(NULL, SIZE, MEM_COMMIT | MEM_RESERVE, PAGE_READONLY);
}

static void test_unreachable_memory(void)
{
    BYTE *released, *noaccess, *reserved, *readonly, *never = (BYTE *)(ULONG_PTR)0x8000;
    DSTORAGE_REQUEST r;

    unreachable_memory(&released, &noaccess, &reserved, &readonly);
    memset(good_src, 0x6B, sizeof(good_src));

    r = memory_request(never, good_dst, SIZE, "source never mapped");
    expect_request(factory, queue, &r, E_DSTORAGE_ACCESS_VIOLATION, r.Name);
    r = memory_request(released, good_dst, SIZE, "source released with VirtualFree");
    expect_request(factory, queue, &r, E_DSTORAGE_ACCESS_VIOLATION, r.Name);
    r = memory_request(noaccess, good_dst, SIZE, "source PAGE_NOACCESS");
    expect_request(factory, queue, &r, E_DSTORAGE_ACCESS_VIOLATION, r.Name);
    r = memory_request(reserved, good_dst, SIZE, "source reserved, not committed");
    expect_request(factory, queue, &r, E_DSTORAGE_ACCESS_VIOLATION, r.Name);
    r = memory_request(good_src, never, SIZE, "destination never mapped");
    expect_request(factory, queue, &r, E_DSTORAGE_ACCESS_VIOLATION, r.Name);
    r = memory_request(good_src, released, SIZE, "destination released with VirtualFree");
    expect_request(factory, queue, &r, E_DSTORAGE_ACCESS_VIOLATION, r.Name);
    r = memory_request(good_src, readonly, SIZE, "destination PAGE_READONLY");
    expect_request(factory, queue, &r, E_DSTORAGE_ACCESS_VIOLATION, r.Name);

    /* Memory that VirtualQuery calls MEM_FREE but is mapped: D3D12 upload and readback heaps
     * (Map() returns memory the Vulkan driver mapped outside Wine's views). Valid sources and
     * destinations: they must not be refused. */
    {
        ID3D12Device *device = create_device();
        ID3D12Resource *upload =
            create_buffer(device, D3D12_HEAP_TYPE_UPLOAD, SIZE, D3D12_RESOURCE_STATE_GENERIC_READ);
        ID3D12Resource *readback =
            create_buffer(device, D3D12_HEAP_TYPE_READBACK, SIZE, D3D12_RESOURCE_STATE_COPY_DEST);
        BYTE *up, *back;

        REQUIRE_HR(ID3D12Resource_Map(upload, 0, NULL, (void **)&up), "Map(upload)");
        REQUIRE_HR(ID3D12Resource_Map(readback, 0, NULL, (void **)&back), "Map(readback)");
        memset(up, 0x29, SIZE);
        memset(back, 0, SIZE);
        r = memory_request(up, back, SIZE, "mapped upload heap -> mapped readback heap");
        expect_request(factory, queue, &r, S_OK, r.Name);
        CHECK(back[0] == 0x29 && back[SIZE - 1] == 0x29,
              "mapped heaps: expected the upload heap's bytes (0x29), got %#x", back[0]);
        ID3D12Resource_Unmap(readback, 0, NULL);
        ID3D12Resource_Unmap(upload, 0, NULL);
        ID3D12Resource_Release(readback);
        ID3D12Resource_Release(upload);
        ID3D12Device_Release(device);
    }

    /* The queue still works. */
    memset(good_dst, 0, sizeof(good_dst));
    r = memory_request(good_src, good_dst, SIZE, "good copy afterwards");
    expect_request(factory, queue, &r, S_OK, r.Name);
    CHECK(!memcmp(good_src, good_dst, SIZE),
          "good copy afterwards: expected the source's bytes, got others");

    /* GDeflate from and into memory the process cannot reach. */
    {
        IDStorageCompressionCodec *codec;
        SIZE_T bound, packed_size = 0;
        BYTE *packed;

        REQUIRE_HR(DStorageCreateCompressionCodec(DSTORAGE_COMPRESSION_FORMAT_GDEFLATE, 1,
                                                  &IID_IDStorageCompressionCodec, (void **)&codec),
                   "CreateCompressionCodec");
        bound = IDStorageCompressionCodec_CompressBufferBound(codec, SIZE);
        packed = malloc(bound);
        REQUIRE_HR(IDStorageCompressionCodec_CompressBuffer(codec, good_src, SIZE,
                                                            DSTORAGE_COMPRESSION_DEFAULT, packed,
                                                            bound, &packed_size),
                   "CompressBuffer");
        r = memory_request(released, good_dst, (UINT32)packed_size,
                           "GDeflate from released memory");
        r.Options.CompressionFormat = DSTORAGE_COMPRESSION_FORMAT_GDEFLATE;
        r.Destination.Memory.Size = SIZE;
        r.UncompressedSize = SIZE;
        expect_request(factory, queue, &r, E_DSTORAGE_ACCESS_VIOLATION, r.Name);
        r.Source.Memory.Source = packed;
        r.Destination.Memory.Buffer = noaccess;
        r.Name = "GDeflate into PAGE_NOACCESS memory";
        expect_request(factory, queue, &r, E_DSTORAGE_ACCESS_VIOLATION, r.Name);
        r.Destination.Memory.Buffer = readonly;
        r.Name = "GDeflate into PAGE_READONLY memory";
        expect_request(factory, queue, &r, E_DSTORAGE_ACCESS_VIOLATION, r.Name);
        memset(good_dst, 0, sizeof(good_dst));
        r.Destination.Memory.Buffer = good_dst;
        r.Name = "GDeflate into good memory";
        expect_request(factory, queue, &r, S_OK, r.Name);
        CHECK(!memcmp(good_src, good_dst, SIZE),
              "GDeflate into good memory: expected the original bytes, got others");
        free(packed);
        IDStorageCompressionCodec_Release(codec);
    }
    VirtualFree(noaccess, 0, MEM_RELEASE);
    VirtualFree(reserved, 0, MEM_RELEASE);
    VirtualFree(readonly, 0, MEM_RELEASE);
}

/* Plain reads from a file into memory are left to the kernel (app_memory.c): the runtime's pread
 * fails with EFAULT on a page the process may not write, and the request fails all the same. A
 * destination whose second page cannot be written gets the first page's bytes at most, and
 * nothing after the destination changes. */
static void test_file_into_unreachable_memory(void)
{
    BYTE *released, *noaccess, *reserved, *readonly, *never = (BYTE *)(ULONG_PTR)0x8000, *split;
    IDStorageQueue3 *memory_queue = queue;
    IDStorageFile *file;
    DSTORAGE_REQUEST r;
    WCHAR path[MAX_PATH];
    BYTE *good;
    DWORD old;

    make_pattern_file(path, L"ds_hostile_file.bin", 4 * SIZE);
    REQUIRE_HR(IDStorageFactory_OpenFile(factory, path, &IID_IDStorageFile, (void **)&file),
               "OpenFile");
    queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128, DSTORAGE_PRIORITY_NORMAL, NULL,
                         "hostile file");
    unreachable_memory(&released, &noaccess, &reserved, &readonly);
    /* Three pages: writable, read-only, writable (the last one must stay untouched). */
    split = VirtualAlloc(NULL, 3 * 4096, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    memset(split, 0xEE, 3 * 4096);
    VirtualProtect(split + 4096, 4096, PAGE_READONLY, &old);

    r = file_request(file, 0, SIZE, never, "file -> destination never mapped");
    expect_request(factory, queue, &r, E_DSTORAGE_ACCESS_VIOLATION, r.Name);
    r = file_request(file, 0, SIZE, released, "file -> destination released with VirtualFree");
    expect_request(factory, queue, &r, E_DSTORAGE_ACCESS_VIOLATION, r.Name);
    r = file_request(file, 0, SIZE, noaccess, "file -> destination PAGE_NOACCESS");
    expect_request(factory, queue, &r, E_DSTORAGE_ACCESS_VIOLATION, r.Name);
    r = file_request(file, 0, SIZE, reserved, "file -> destination reserved, not committed");
    expect_request(factory, queue, &r, E_DSTORAGE_ACCESS_VIOLATION, r.Name);
    r = file_request(file, 0, SIZE, readonly, "file -> destination PAGE_READONLY");
    expect_request(factory, queue, &r, E_DSTORAGE_ACCESS_VIOLATION, r.Name);
    r = file_request(file, 0, 2 * 4096, split,
                     "file -> destination whose second page is read-only");
    expect_request(factory, queue, &r, E_DSTORAGE_ACCESS_VIOLATION, r.Name);
    CHECK(split[2 * 4096] == 0xEE && split[3 * 4096 - 1] == 0xEE,
          "file -> partly read-only destination: the page after it changed (%#x)", split[2 * 4096]);

    good = malloc(SIZE);
    r = file_request(file, SIZE, SIZE, good, "file -> good memory afterwards");
    expect_request(factory, queue, &r, S_OK, r.Name);
    check_pattern(good, SIZE, SIZE, r.Name);
    free(good);

    VirtualFree(split, 0, MEM_RELEASE);
    VirtualFree(noaccess, 0, MEM_RELEASE);
    VirtualFree(reserved, 0, MEM_RELEASE);
    VirtualFree(readonly, 0, MEM_RELEASE);
    IDStorageQueue3_Release(queue);
    IDStorageFile_Release(file);
    DeleteFileW(path);
    queue = memory_queue;
}

static void test_null_com_arguments(void)
{
    DSTORAGE_QUEUE_DESC desc = {DSTORAGE_REQUEST_SOURCE_FILE, 128, DSTORAGE_PRIORITY_NORMAL,
                                "null riid", NULL};
    IDStorageCustomDecompressionQueue *custom;
    IDStorageCompressionCodec *codec;
    IDStorageStatusArray *status;
    void *p;

    CHECK_HR(E_POINTER, IDStorageFactory_QueryInterface(factory, &IID_IDStorageFactory, NULL),
             "factory QueryInterface(riid, NULL)");
    p = (void *)0xdeadbeef;
    CHECK_HR(E_INVALIDARG, IDStorageFactory_QueryInterface(factory, NULL, &p),
             "factory QueryInterface(NULL, &p)");
    CHECK(!p, "factory QueryInterface(NULL, &p): expected p NULL, got %p", p);
    CHECK_HR(E_POINTER, IDStorageQueue3_QueryInterface(queue, &IID_IDStorageQueue, NULL),
             "queue QueryInterface(riid, NULL)");
    CHECK_HR(E_INVALIDARG, IDStorageQueue3_QueryInterface(queue, NULL, &p),
             "queue QueryInterface(NULL, &p)");
    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 1, "qi", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    CHECK_HR(E_POINTER,
             IDStorageStatusArray_QueryInterface(status, &IID_IDStorageStatusArray, NULL),
             "status array QueryInterface(riid, NULL)");
    IDStorageStatusArray_Release(status);
    REQUIRE_HR(DStorageCreateCompressionCodec(DSTORAGE_COMPRESSION_FORMAT_GDEFLATE, 1,
                                              &IID_IDStorageCompressionCodec, (void **)&codec),
               "CreateCompressionCodec");
    CHECK_HR(E_POINTER,
             IDStorageCompressionCodec_QueryInterface(codec, &IID_IDStorageCompressionCodec, NULL),
             "codec QueryInterface(riid, NULL)");
    CHECK_HR(E_INVALIDARG, IDStorageCompressionCodec_QueryInterface(codec, NULL, &p),
             "codec QueryInterface(NULL, &p)");
    IDStorageCompressionCodec_Release(codec);
    REQUIRE_HR(IDStorageFactory_QueryInterface(factory, &IID_IDStorageCustomDecompressionQueue,
                                               (void **)&custom),
               "custom queue");
    CHECK_HR(E_POINTER,
             IDStorageCustomDecompressionQueue_QueryInterface(
                 custom, &IID_IDStorageCustomDecompressionQueue, NULL),
             "custom queue QueryInterface(riid, NULL)");
    IDStorageCustomDecompressionQueue_Release(custom);

    p = (void *)0xdeadbeef;
    CHECK_HR(E_INVALIDARG, DStorageGetFactory(NULL, &p), "DStorageGetFactory(NULL, &p)");
    CHECK(!p, "DStorageGetFactory(NULL, &p): expected p NULL, got %p", p);
    CHECK_HR(E_POINTER, DStorageGetFactory(&IID_IDStorageFactory, NULL),
             "DStorageGetFactory(riid, NULL)");
    p = (void *)0xdeadbeef;
    CHECK_HR(E_INVALIDARG,
             DStorageCreateCompressionCodec(DSTORAGE_COMPRESSION_FORMAT_GDEFLATE, 0, NULL, &p),
             "DStorageCreateCompressionCodec(GDEFLATE, 0, NULL, &p)");
    CHECK(!p, "DStorageCreateCompressionCodec(NULL riid): expected p NULL, got %p", p);

    /* CreateQueue with a NULL IID fails before it builds anything: no queue exists afterwards, so
     * the staging size is not locked (only the test's own queue is released first). */
    CHECK_HR(E_INVALIDARG, IDStorageFactory_CreateQueue(factory, &desc, NULL, &p),
             "CreateQueue(&desc, NULL, &p)");
    CHECK_HR(E_POINTER, IDStorageFactory_CreateQueue(factory, &desc, &IID_IDStorageQueue, NULL),
             "CreateQueue(&desc, riid, NULL)");
    CHECK_HR(E_INVALIDARG, IDStorageFactory_OpenFile(factory, L"C:\\windows\\win.ini", NULL, &p),
             "OpenFile(path, NULL, &p)");
    CHECK_HR(E_INVALIDARG, IDStorageFactory_CreateStatusArray(factory, 1, "x", NULL, &p),
             "CreateStatusArray(1, name, NULL, &p)");
    IDStorageQueue3_Release(queue);
    queue = NULL;
    CHECK_HR(S_OK,
             IDStorageFactory_SetStagingBufferSize(factory, DSTORAGE_STAGING_BUFFER_SIZE_32MB),
             "SetStagingBufferSize after CreateQueue(NULL riid): expected no queue left behind");
}

int main(void)
{
    factory = get_factory();
    queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_MEMORY, 128, DSTORAGE_PRIORITY_REALTIME,
                         NULL, "hostile");
    test_unreachable_memory();
    test_file_into_unreachable_memory();
    test_null_com_arguments();
    IDStorageFactory_Release(factory);
    return finish("hostile_pointers");
}
