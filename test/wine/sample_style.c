/* SPDX-License-Identifier: MIT
 * Program 4: the API used the way Microsoft's samples use it: get the factory, open a file, create
 * a queue bound to a device, enqueue one request into a GPU buffer, EnqueueSignal a fence, Submit,
 * and wait on the fence's event; then check the error record and the bytes. */
#include "common.h"
#include "d3d12_util.h"

int main(void)
{
    const UINT32 size = 1u << 20;
    WCHAR path[MAX_PATH];
    ID3D12Device *device = create_device();
    IDStorageFactory *factory = NULL;
    IDStorageFile *file = NULL;
    IDStorageQueue3 *queue = NULL;
    ID3D12Resource *buffer, *readback;
    ID3D12Fence *fence;
    struct gpu_queue gpu;
    D3D12_HEAP_PROPERTIES heap = {D3D12_HEAP_TYPE_DEFAULT};
    D3D12_RESOURCE_DESC desc = {
        D3D12_RESOURCE_DIMENSION_BUFFER, 0, size, 1, 1, 1, DXGI_FORMAT_UNKNOWN, {1, 0},
        D3D12_TEXTURE_LAYOUT_ROW_MAJOR};
    DSTORAGE_QUEUE_DESC queue_desc = {0};
    DSTORAGE_REQUEST request = {0};
    DSTORAGE_ERROR_RECORD record;
    BY_HANDLE_FILE_INFORMATION info;
    HANDLE event;
    BYTE *data;

    make_pattern_file(path, L"ds_sample.bin", size);
    REQUIRE_HR(DStorageGetFactory(&IID_IDStorageFactory, (void **)&factory), "DStorageGetFactory");
    REQUIRE_HR(IDStorageFactory_OpenFile(factory, path, &IID_IDStorageFile, (void **)&file),
               "OpenFile");
    REQUIRE_HR(IDStorageFile_GetFileInformation(file, &info), "GetFileInformation");
    CHECK_EQ(size, info.nFileSizeLow, "file size");

    queue_desc.Capacity = DSTORAGE_MAX_QUEUE_CAPACITY;
    queue_desc.Priority = DSTORAGE_PRIORITY_NORMAL;
    queue_desc.SourceType = DSTORAGE_REQUEST_SOURCE_FILE;
    queue_desc.Device = device;
    REQUIRE_HR(
        IDStorageFactory_CreateQueue(factory, &queue_desc, &IID_IDStorageQueue, (void **)&queue),
        "CreateQueue");

    REQUIRE_HR(ID3D12Device_CreateCommittedResource(device, &heap, D3D12_HEAP_FLAG_NONE, &desc,
                                                    D3D12_RESOURCE_STATE_COMMON, NULL,
                                                    &IID_ID3D12Resource, (void **)&buffer),
               "CreateCommittedResource");
    request.Options.SourceType = DSTORAGE_REQUEST_SOURCE_FILE;
    request.Options.DestinationType = DSTORAGE_REQUEST_DESTINATION_BUFFER;
    request.Source.File.Source = file;
    request.Source.File.Offset = 0;
    request.Source.File.Size = size;
    request.UncompressedSize = size;
    request.Destination.Buffer.Resource = buffer;
    request.Destination.Buffer.Offset = 0;
    request.Destination.Buffer.Size = size;
    request.Name = "sample buffer";
    IDStorageQueue3_EnqueueRequest(queue, &request);

    REQUIRE_HR(ID3D12Device_CreateFence(device, 0, D3D12_FENCE_FLAG_NONE, &IID_ID3D12Fence,
                                        (void **)&fence),
               "CreateFence");
    event = CreateEventW(NULL, FALSE, FALSE, NULL);
    REQUIRE_HR(ID3D12Fence_SetEventOnCompletion(fence, 1, event), "SetEventOnCompletion");
    IDStorageQueue3_EnqueueSignal(queue, fence, 1);
    IDStorageQueue3_Submit(queue);
    CHECK(WaitForSingleObject(event, 60000) == WAIT_OBJECT_0,
          "fence event: expected signalled within 60 s, got a timeout");
    CHECK(WaitForSingleObject(IDStorageQueue3_GetErrorEvent(queue), 0) == WAIT_TIMEOUT,
          "error event: expected unsignalled, got signalled");
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    CHECK_EQ(0, record.FailureCount, "FailureCount");

    /* Read the buffer back to check the bytes. */
    gpu_queue_init(&gpu, device);
    data = read_back_buffer(device, &gpu, buffer, 0, size, &readback);
    check_pattern(data, 0, size, "sample buffer");
    release_read_back(readback);

    gpu_queue_release(&gpu);
    ID3D12Resource_Release(buffer);
    ID3D12Fence_Release(fence);
    CloseHandle(event);
    IDStorageQueue3_Release(queue);
    IDStorageFile_Release(file);
    IDStorageFactory_Release(factory);
    ID3D12Device_Release(device);
    DeleteFileW(path);
    return finish("sample_style");
}
