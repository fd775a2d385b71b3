/* SPDX-License-Identifier: MIT
 * GPU destinations are checked against their resource at enqueue: a destination the resource does
 * not have fails with the reference's HRESULT (status array and error record) and nothing is
 * copied. The case that matters most: two 64 KiB buffers placed back to back in one heap; a
 * request that runs past the end of the first must not write a byte of the second. */
#include "common.h"
#include "d3d12_util.h"

#define KIB 1024u
#define SECOND_BYTE 0x3C

static IDStorageFactory *factory;
static IDStorageFile *file;
static ID3D12Device *device;
static IDStorageQueue3 *queue;
static struct gpu_queue gpu;

/* The request fails with hr (status and error record), and the error record names it. */
static void expect_failure(const DSTORAGE_REQUEST *r, HRESULT hr, const char *what)
{
    DSTORAGE_ERROR_RECORD record = expect_request(factory, queue, r, hr, what);
    CHECK(record.FirstFailure.CommandType == DSTORAGE_COMMAND_TYPE_REQUEST &&
              !strcmp(record.FirstFailure.Request.RequestName, what),
          "%s: expected the request in the error record, got command type %d, name \"%s\"", what,
          record.FirstFailure.CommandType, record.FirstFailure.Request.RequestName);
}

static DSTORAGE_REQUEST texture_request(ID3D12Resource *resource, UINT subresource, D3D12_BOX box,
                                        const char *name)
{
    DSTORAGE_REQUEST r;

    memset(&r, 0, sizeof(r));
    r.Options.SourceType = DSTORAGE_REQUEST_SOURCE_FILE;
    r.Options.DestinationType = DSTORAGE_REQUEST_DESTINATION_TEXTURE_REGION;
    r.Source.File.Source = file;
    r.Source.File.Size = 64 * 64 * 4;
    r.Destination.Texture.Resource = resource;
    r.Destination.Texture.SubresourceIndex = subresource;
    r.Destination.Texture.Region = box;
    r.Name = name;
    return r;
}

static ID3D12Resource *placed_buffer(ID3D12Heap *heap, UINT64 offset, UINT64 size)
{
    D3D12_RESOURCE_DESC desc = {
        D3D12_RESOURCE_DIMENSION_BUFFER, 0, size, 1, 1, 1, DXGI_FORMAT_UNKNOWN, {1, 0},
        D3D12_TEXTURE_LAYOUT_ROW_MAJOR};
    ID3D12Resource *resource;

    REQUIRE_HR(ID3D12Device_CreatePlacedResource(device, heap, offset, &desc,
                                                 D3D12_RESOURCE_STATE_COMMON, NULL,
                                                 &IID_ID3D12Resource, (void **)&resource),
               "CreatePlacedResource");
    return resource;
}

/* Copies the buffer into a readback buffer and counts the bytes that are not `value`. */
static unsigned int bytes_changed(ID3D12Resource *buffer, UINT64 size, BYTE value)
{
    ID3D12Resource *readback;
    BYTE *data = read_back_buffer(device, &gpu, buffer, 0, size, &readback);
    unsigned int changed = 0;
    UINT64 i;

    for (i = 0; i < size; ++i) changed += data[i] != value;
    release_read_back(readback);
    return changed;
}

static void test_neighbouring_buffers(void)
{
    D3D12_HEAP_DESC heap_desc = {
        128 * KIB, {D3D12_HEAP_TYPE_DEFAULT}, 0, D3D12_HEAP_FLAG_ALLOW_ONLY_BUFFERS};
    ID3D12Resource *first, *second;
    DSTORAGE_REQUEST r;
    ID3D12Heap *heap;

    REQUIRE_HR(ID3D12Device_CreateHeap(device, &heap_desc, &IID_ID3D12Heap, (void **)&heap),
               "CreateHeap");
    first = placed_buffer(heap, 0, 64 * KIB);
    second = placed_buffer(heap, 64 * KIB, 64 * KIB);
    fill_buffer(device, &gpu, second, 64 * KIB, SECOND_BYTE);

    r = buffer_request(file, 0, 16 * KIB, first, 60 * KIB, "16 KiB at 60 KiB of a 64 KiB buffer");
    expect_failure(&r, E_DSTORAGE_INVALID_DESTINATION_SIZE, r.Name);
    CHECK_EQ(0, bytes_changed(second, 64 * KIB, SECOND_BYTE),
             "bytes of the neighbouring buffer overwritten");
    r = buffer_request(file, 0, 16, first, 1ull << 63, "Offset 2^63");
    expect_failure(&r, E_DSTORAGE_INVALID_DESTINATION_SIZE, r.Name);
    r = buffer_request(file, 0, 16, first, ~0ull - 8, "Offset + Size wrapping around 2^64");
    expect_failure(&r, E_DSTORAGE_INVALID_DESTINATION_SIZE, r.Name);
    r = buffer_request(file, 0, 0, first, 64 * KIB + 1, "Offset one past the end, Size 0");
    r.Source.File.Size = 16;
    r.Destination.Buffer.Size = 16;
    expect_failure(&r, E_DSTORAGE_INVALID_DESTINATION_SIZE, r.Name);
    CHECK_EQ(0, bytes_changed(second, 64 * KIB, SECOND_BYTE),
             "bytes of the neighbouring buffer overwritten (all cases)");

    /* The last 16 KiB of the first buffer is a valid destination: it is written, the second is not.
     */
    r = buffer_request(file, 0, 16 * KIB, first, 48 * KIB, "the last 16 KiB");
    {
        IDStorageStatusArray *status;
        REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 1, "ok", &IID_IDStorageStatusArray,
                                                      (void **)&status),
                   "CreateStatusArray");
        IDStorageQueue3_EnqueueRequest(queue, &r);
        IDStorageQueue3_EnqueueStatus(queue, status, 0);
        submit_and_wait(queue, r.Name);
        CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 0),
                 "the last 16 KiB of the first buffer");
        IDStorageStatusArray_Release(status);
    }
    CHECK_EQ(0, bytes_changed(second, 64 * KIB, SECOND_BYTE),
             "bytes of the neighbouring buffer overwritten by a valid request");

    ID3D12Resource_Release(second);
    ID3D12Resource_Release(first);
    ID3D12Heap_Release(heap);
}

static void test_wrong_resources_and_ranges(void)
{
    ID3D12Resource *texture = create_texture(device, DXGI_FORMAT_R8G8B8A8_UNORM, 64, 64, 1, 1),
                   *mipped = create_texture(device, DXGI_FORMAT_R8G8B8A8_UNORM, 64, 64, 1, 2);
    ID3D12Resource *buffer =
        create_buffer(device, D3D12_HEAP_TYPE_DEFAULT, 64 * KIB, D3D12_RESOURCE_STATE_COMMON);
    D3D12_BOX whole = {0, 0, 0, 64, 64, 1}, outside = {0, 0, 0, 65, 64, 1},
              empty = {8, 0, 0, 8, 64, 1};
    D3D12_BOX mip1_outside = {0, 0, 0, 64, 64, 1}, mip1 = {0, 0, 0, 32, 32, 1};
    DSTORAGE_REQUEST r;

    r = buffer_request(file, 0, 16, NULL, 0, "BUFFER without a resource");
    expect_failure(&r, E_INVALIDARG, r.Name);
    r = buffer_request(file, 0, 16, texture, 0, "BUFFER whose resource is a texture");
    expect_failure(&r, E_DSTORAGE_INVALID_DESTINATION_TYPE, r.Name);

    r = texture_request(buffer, 0, whole, "TEXTURE_REGION whose resource is a buffer");
    expect_failure(&r, E_DSTORAGE_INVALID_DESTINATION_TYPE, r.Name);
    r = texture_request(NULL, 0, whole, "TEXTURE_REGION without a resource");
    expect_failure(&r, E_INVALIDARG, r.Name);
    r = texture_request(texture, 0, outside, "TEXTURE_REGION box one texel wider than the texture");
    expect_failure(&r, E_DSTORAGE_INVALID_DESTINATION_SIZE, r.Name);
    r = texture_request(texture, 0, empty, "TEXTURE_REGION empty box");
    expect_failure(&r, E_DSTORAGE_INVALID_DESTINATION_SIZE, r.Name);
    r = texture_request(texture, 50, whole, "TEXTURE_REGION SubresourceIndex 50 of 1");
    expect_failure(&r, E_DSTORAGE_INVALID_DESTINATION_SIZE, r.Name);
    r = texture_request(mipped, 1, mip1_outside, "TEXTURE_REGION box of mip 0 into mip 1");
    expect_failure(&r, E_DSTORAGE_INVALID_DESTINATION_SIZE, r.Name);
    /* A valid box of mip 1 passes. Its size is the GetCopyableFootprints total of 32x32 texels:
     * rows of 128 bytes at a 256-byte pitch. */
    r = texture_request(mipped, 1, mip1, "TEXTURE_REGION mip 1");
    r.Source.File.Size = 31 * D3D12_TEXTURE_DATA_PITCH_ALIGNMENT + 32 * 4;
    {
        IDStorageStatusArray *status;
        REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 1, "ok", &IID_IDStorageStatusArray,
                                                      (void **)&status),
                   "CreateStatusArray");
        IDStorageQueue3_EnqueueRequest(queue, &r);
        IDStorageQueue3_EnqueueStatus(queue, status, 0);
        submit_and_wait(queue, r.Name);
        CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 0), "TEXTURE_REGION mip 1 (valid)");
        IDStorageStatusArray_Release(status);
    }

    memset(&r, 0, sizeof(r));
    r.Options.SourceType = DSTORAGE_REQUEST_SOURCE_FILE;
    r.Options.DestinationType = DSTORAGE_REQUEST_DESTINATION_MULTIPLE_SUBRESOURCES;
    r.Source.File.Source = file;
    r.Source.File.Size = 64 * 64 * 4;
    r.Destination.MultipleSubresources.Resource = texture;
    r.Destination.MultipleSubresources.FirstSubresource = 5;
    r.Name = "MULTIPLE_SUBRESOURCES FirstSubresource 5 of 1";
    expect_failure(&r, E_DSTORAGE_INVALID_DESTINATION_SIZE, r.Name);
    r.Destination.MultipleSubresources.Resource = buffer;
    r.Destination.MultipleSubresources.FirstSubresource = 0;
    r.Name = "MULTIPLE_SUBRESOURCES whose resource is a buffer";
    expect_failure(&r, E_DSTORAGE_INVALID_DESTINATION_TYPE, r.Name);
    r.Options.DestinationType = DSTORAGE_REQUEST_DESTINATION_MULTIPLE_SUBRESOURCES_RANGE;
    r.Destination.MultipleSubresourcesRange.Resource = texture;
    r.Destination.MultipleSubresourcesRange.FirstSubresource = 0;
    r.Destination.MultipleSubresourcesRange.NumSubresources = 2;
    r.Name = "MULTIPLE_SUBRESOURCES_RANGE 2 subresources of 1";
    expect_failure(&r, E_DSTORAGE_INVALID_DESTINATION_SIZE, r.Name);

    memset(&r, 0, sizeof(r));
    r.Options.SourceType = DSTORAGE_REQUEST_SOURCE_FILE;
    r.Options.DestinationType = DSTORAGE_REQUEST_DESTINATION_TILES;
    r.Source.File.Source = file;
    r.Source.File.Size = 64 * KIB;
    r.Destination.Tiles.Resource = buffer;
    r.Destination.Tiles.TileRegionSize.NumTiles = 1;
    r.Name = "TILES into a committed (not reserved) buffer";
    expect_failure(&r, E_DSTORAGE_INVALID_DESTINATION_TYPE, r.Name);
    r.Destination.Tiles.Resource = NULL;
    r.Name = "TILES without a resource";
    expect_failure(&r, E_INVALIDARG, r.Name);

    ID3D12Resource_Release(buffer);
    ID3D12Resource_Release(mipped);
    ID3D12Resource_Release(texture);
}

int main(void)
{
    WCHAR path[MAX_PATH];

    device = create_device();
    gpu_queue_init(&gpu, device);
    factory = get_factory();
    make_pattern_file(path, L"ds_destination_checks.bin", 1 << 20);
    REQUIRE_HR(IDStorageFactory_OpenFile(factory, path, &IID_IDStorageFile, (void **)&file),
               "OpenFile");
    queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128, DSTORAGE_PRIORITY_NORMAL,
                         device, "destinations");

    test_neighbouring_buffers();
    test_wrong_resources_and_ranges();

    IDStorageQueue3_Release(queue);
    IDStorageFile_Release(file);
    IDStorageFactory_Release(factory);
    gpu_queue_release(&gpu);
    ID3D12Device_Release(device);
    DeleteFileW(path);
    return finish("destination_checks");
}
