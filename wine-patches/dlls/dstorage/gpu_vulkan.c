/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * GPU path "vulkan" (docs/wine-module.md): BUFFER destinations go through ds-runtime's Vulkan
 * backend on vkd3d-proton's own VkDevice, instead of staging + D3D12 copies (queue_gpu.c).
 *
 * At CreateQueue with a device: when the device answers ID3D12DXVKInteropDevice, the module
 * creates a D3D12 COMPUTE queue of its own, asks vkd3d-proton for the Vulkan handles and that
 * queue's VkQueue and family, and the Unix side (unix_vulkan.c) builds the runtime backend on them.
 * The DirectStorage queue's runtime queue is then created on that backend, so plain and GDeflate
 * requests (memory, textures, tiles, buffers) keep one ordering; only BUFFER destinations skip the
 * staging buffer: GetVulkanResourceInfo gives their VkBuffer and offset, and the runtime copies
 * (or decodes GDeflate with its compute shader) straight into them. Textures, tiles, custom formats
 * and FENCE_WAIT_BEFORE_GPU_WORK requests keep the batched D3D12 path.
 *
 * The lock thread (a PE thread per queue) holds LockCommandQueue around every submission the
 * runtime makes to that VkQueue (unix_vulkan.c has the protocol).
 *
 * DS_KIT_GPU_PATH: unset or empty = vulkan where possible, else d3d12 with one WARN line saying
 * why; "d3d12" = always d3d12; "vulkan" = vulkan or CreateQueue fails (an ERR line says why).
 */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

/* vkd3d-proton's interop interface (facts from its vkd3d_device_vkd3d_ext.idl; the declarations
 * are ours). Vulkan handles travel as pointers; only the methods up to UnlockCommandQueue are
 * called. */
typedef struct interop_device interop_device;
struct interop_device_vtbl
{
    HRESULT(STDMETHODCALLTYPE *QueryInterface)(interop_device *This, REFIID riid, void **out);
    ULONG(STDMETHODCALLTYPE *AddRef)(interop_device *This);
    ULONG(STDMETHODCALLTYPE *Release)(interop_device *This);
    HRESULT(STDMETHODCALLTYPE *GetDXGIAdapter)(interop_device *This, REFIID riid, void **out);
    HRESULT(STDMETHODCALLTYPE *GetInstanceExtensions)
    (interop_device *This, UINT *count, const char **names);
    HRESULT(STDMETHODCALLTYPE *GetDeviceExtensions)
    (interop_device *This, UINT *count, const char **names);
    HRESULT(STDMETHODCALLTYPE *GetDeviceFeatures)(interop_device *This, const void **features);
    HRESULT(STDMETHODCALLTYPE *GetVulkanHandles)
    (interop_device *This, void **instance, void **physical_device, void **device);
    HRESULT(STDMETHODCALLTYPE *GetVulkanQueueInfo)
    (interop_device *This, ID3D12CommandQueue *queue, void **vk_queue, UINT32 *family);
    void(STDMETHODCALLTYPE *GetVulkanImageLayout)(interop_device *This, ID3D12Resource *resource,
                                                  D3D12_RESOURCE_STATES state, UINT32 *layout);
    HRESULT(STDMETHODCALLTYPE *GetVulkanResourceInfo)
    (interop_device *This, ID3D12Resource *resource, UINT64 *handle, UINT64 *buffer_offset);
    HRESULT(STDMETHODCALLTYPE *LockCommandQueue)(interop_device *This, ID3D12CommandQueue *queue);
    HRESULT(STDMETHODCALLTYPE *UnlockCommandQueue)(interop_device *This, ID3D12CommandQueue *queue);
    /* ID3D12DXVKInteropDevice1 (not called) */
    void *GetVulkanResourceInfo1, *CreateInteropCommandQueue, *CreateInteropCommandAllocator,
        *BeginVkCommandBufferInterop, *EndVkCommandBufferInterop;
    /* ID3D12DXVKInteropDevice2: the queue's mutex alone, without draining the D3D12 queue */
    HRESULT(STDMETHODCALLTYPE *LockVulkanQueue)(interop_device *This, ID3D12CommandQueue *queue);
    HRESULT(STDMETHODCALLTYPE *UnlockVulkanQueue)(interop_device *This, ID3D12CommandQueue *queue);
};
struct interop_device
{
    const struct interop_device_vtbl *lpVtbl;
};

static const GUID IID_interop_device = {
    0x39da4e09, 0xbd1c, 0x4198, {0x9f, 0xae, 0x86, 0xbb, 0xe3, 0xbe, 0x41, 0xfd}};
static const GUID IID_interop_device1 = {
    0x902d8115, 0x59eb, 0x4406, {0x95, 0x18, 0xfe, 0x00, 0xf9, 0x91, 0xee, 0x65}};
static const GUID IID_interop_device2 = {
    0x90ecf26e, 0xb212, 0x43f5, {0xb6, 0x2a, 0x82, 0x5a, 0xd7, 0xb1, 0x38, 0x5e}};

/* Destination buffers already behind a LockCommandQueue (see lock_thread); a miss only costs one
 * more LockCommandQueue, so the table is small and overwritten round-robin. */
#define KNOWN_BUFFERS 64

struct gpu_vulkan
{
    interop_device *interop;
    interop_device *interop2;  /* ID3D12DXVKInteropDevice2, or NULL */
    ID3D12CommandQueue *queue; /* ours: its VkQueue is what the runtime submits to */
    UINT64 backend;            /* Unix backend (unix_vulkan.c) */
    HANDLE lock_thread;
    UINT32 family;
    LONG new_buffer; /* a destination not in known[] was handed to the runtime */
    SRWLOCK known_lock;
    struct
    {
        ID3D12Resource *resource;
        UINT64 handle;
    } known[KNOWN_BUFFERS];
    UINT known_next;
    LONG full_locks, light_locks;
};

/* Which lock a runtime submission takes. LockCommandQueue drains our D3D12 queue through
 * vkd3d-proton's submission thread and flushes its memory-transfer queue (the clears of new
 * allocations), so that they run before our copies: needed once after a destination buffer is new
 * to us. Our D3D12 queue never gets D3D12 work of its own, so every other submission needs only
 * the VkQueue's mutex: LockVulkanQueue (ID3D12DXVKInteropDevice2), a plain mutex, much cheaper than
 * the round trip through the submission thread. The flag is set in gpu_vulkan_resolve, before the
 * request reaches the runtime, hence before the lock for any batch holding it is taken. */
static DWORD WINAPI lock_thread(void *arg)
{
    struct gpu_vulkan *vk = arg;
    struct vulkan_lock_wait_params wait;
    struct vulkan_lock_hold_params hold = {.backend = vk->backend};
    BOOL full;

    for (;;)
    {
        wait = (struct vulkan_lock_wait_params){.backend = vk->backend};
        if (FAILED(dstorage_unix_call(unix_vulkan_lock_wait, &wait)) || wait.stop) break;
        full = !vk->interop2 || InterlockedExchange(&vk->new_buffer, 0);
        if (full)
        {
            vk->interop->lpVtbl->LockCommandQueue(vk->interop, vk->queue);
            TRACE("D3D12 queue %p locked for a runtime submission (LockCommandQueue: %s).\n",
                  vk->queue, vk->interop2 ? "a new destination buffer" : "no LockVulkanQueue");
            ++vk->full_locks;
        }
        else
        {
            vk->interop2->lpVtbl->LockVulkanQueue(vk->interop2, vk->queue);
            ++vk->light_locks;
        }
        dstorage_unix_call(unix_vulkan_lock_hold, &hold);
        if (full)
            vk->interop->lpVtbl->UnlockCommandQueue(vk->interop, vk->queue);
        else
            vk->interop2->lpVtbl->UnlockVulkanQueue(vk->interop2, vk->queue);
    }
    return 0;
}

/* Records that the runtime will write to this buffer; a buffer not seen before makes the next
 * lock a LockCommandQueue (lock_thread). */
static void note_buffer(struct gpu_vulkan *vk, ID3D12Resource *resource, UINT64 handle)
{
    UINT i;

    AcquireSRWLockExclusive(&vk->known_lock);
    for (i = 0; i < KNOWN_BUFFERS; ++i)
        if (vk->known[i].resource == resource && vk->known[i].handle == handle) break;
    if (i == KNOWN_BUFFERS)
    {
        vk->known[vk->known_next].resource = resource;
        vk->known[vk->known_next].handle = handle;
        vk->known_next = (vk->known_next + 1) % KNOWN_BUFFERS;
        InterlockedExchange(&vk->new_buffer, 1);
    }
    ReleaseSRWLockExclusive(&vk->known_lock);
}

static void release(struct gpu_vulkan *vk)
{
    if (vk->queue) ID3D12CommandQueue_Release(vk->queue);
    if (vk->interop2) vk->interop2->lpVtbl->Release(vk->interop2);
    if (vk->interop) vk->interop->lpVtbl->Release(vk->interop);
    free(vk);
}

static UINT interop_version(interop_device *interop)
{
    static const GUID *const newer[] = {&IID_interop_device2, &IID_interop_device1};
    IUnknown *unknown;
    UINT i;

    for (i = 0; i < ARRAY_SIZE(newer); ++i)
        if (SUCCEEDED(interop->lpVtbl->QueryInterface(interop, newer[i], (void **)&unknown)))
        {
            IUnknown_Release(unknown);
            return ARRAY_SIZE(newer) - i;
        }
    return 0;
}

/* Whether vkd3d-proton enabled the device extension `name` on its device. */
static BOOL device_has_extension(interop_device *interop, const char *name)
{
    const char **names;
    BOOL found = FALSE;
    UINT count = 0, i;

    if (FAILED(interop->lpVtbl->GetDeviceExtensions(interop, &count, NULL)) || !count ||
        !(names = calloc(count, sizeof(*names))))
        return FALSE;
    if (SUCCEEDED(interop->lpVtbl->GetDeviceExtensions(interop, &count, names)))
        for (i = 0; i < count && !found; ++i) found = names[i] && !strcmp(names[i], name);
    free(names);
    return found;
}

/* Whether the Vulkan device under vkd3d-proton's D3D12 device is a CPU implementation (lavapipe:
 * VK_PHYSICAL_DEVICE_TYPE_CPU), where "GPU" work runs emulated on the CPU. queue: any D3D12 queue
 * of the device (its VkQueue is how the Unix side finds the host handles). FALSE when the device
 * is not vkd3d-proton's, or the handles are not understood; name gets the device's name. */
BOOL gpu_vulkan_software_device(ID3D12Device *device, ID3D12CommandQueue *queue, char *name,
                                size_t name_size)
{
    struct vulkan_device_kind_params params = {.name = name, .name_size = name_size};
    void *instance, *physical_device, *vk_device, *vk_queue;
    interop_device *interop;
    HRESULT hr;

    if (name_size) *name = 0;
    if (FAILED(ID3D12Device_QueryInterface(device, &IID_interop_device, (void **)&interop)))
        return FALSE;
    hr = interop->lpVtbl->GetVulkanHandles(interop, &instance, &physical_device, &vk_device);
    if (SUCCEEDED(hr))
        hr = interop->lpVtbl->GetVulkanQueueInfo(interop, queue, &vk_queue, &params.queue_family);
    interop->lpVtbl->Release(interop);
    if (FAILED(hr)) return FALSE;
    params.instance = (UINT64)(ULONG_PTR)instance;
    params.physical_device = (UINT64)(ULONG_PTR)physical_device;
    params.device = (UINT64)(ULONG_PTR)vk_device;
    params.queue = (UINT64)(ULONG_PTR)vk_queue;
    if (FAILED(dstorage_unix_call(unix_vulkan_device_kind, &params))) return FALSE;
    return params.device_type == 4 /* VK_PHYSICAL_DEVICE_TYPE_CPU */;
}

/* The runtime's staging ring on this path: the DirectStorage staging size, but at least
 * VULKAN_RING_FLOOR. Its readers (up to 16, each holding a 4 MiB chunk while it reads) and the
 * batches in flight share the ring; with the 32 MiB default they wait for space most of the time
 * (docs/wine-module.md, "GPU path vulkan: speed"). 256 MiB is the runtime's own default: on the
 * H200, 1 GiB of 64 KiB requests through a full queue ran at 29-36 GB/s with it, and at 5.6-8
 * with 128 MiB, where the readers wait for ring space behind batches in flight.
 * DS_KIT_VULKAN_RING_MIB sets it for measurements. */
#define VULKAN_RING_FLOOR (256u << 20)

static UINT64 ring_bytes(void)
{
    return dstorage_env_mib("DS_KIT_VULKAN_RING_MIB",
                            max(dstorage_process.staging_buffer_size, VULKAN_RING_FLOOR));
}

/* S_OK: the vulkan path is ready; otherwise *why says what is missing. */
static HRESULT try_create(struct queue_object *queue, struct gpu_vulkan **out, char *why,
                          size_t why_size)
{
    ID3D12Device *device = queue->state->desc.Device;
    D3D12_COMMAND_QUEUE_DESC queue_desc = {.Type = D3D12_COMMAND_LIST_TYPE_COMPUTE};
    struct vulkan_create_params params = {0};
    void *instance, *physical_device, *vk_device, *vk_queue;
    const void *features = NULL;
    char message[256] = "";
    struct gpu_vulkan *vk;
    HRESULT hr;

    if (!(vk = calloc(1, sizeof(*vk)))) return E_OUTOFMEMORY;
    InitializeSRWLock(&vk->known_lock);
    if (FAILED(hr =
                   ID3D12Device_QueryInterface(device, &IID_interop_device, (void **)&vk->interop)))
    {
        snprintf(why, why_size,
                 "the D3D12 device has no ID3D12DXVKInteropDevice (not vkd3d-proton), hr %#lx", hr);
        vk->interop = NULL;
        release(vk);
        return hr;
    }
    if (FAILED(hr = ID3D12Device_CreateCommandQueue(device, &queue_desc, &IID_ID3D12CommandQueue,
                                                    (void **)&vk->queue)))
    {
        snprintf(why, why_size, "cannot create a D3D12 COMPUTE queue, hr %#lx", hr);
        release(vk);
        return hr;
    }
    if (FAILED(hr = vk->interop->lpVtbl->GetVulkanHandles(vk->interop, &instance, &physical_device,
                                                          &vk_device)) ||
        FAILED(hr = vk->interop->lpVtbl->GetVulkanQueueInfo(vk->interop, vk->queue, &vk_queue,
                                                            &vk->family)))
    {
        snprintf(why, why_size, "vkd3d-proton gave no Vulkan handles, hr %#lx", hr);
        release(vk);
        return hr;
    }
    params.instance = (UINT64)(ULONG_PTR)instance;
    params.physical_device = (UINT64)(ULONG_PTR)physical_device;
    params.device = (UINT64)(ULONG_PTR)vk_device;
    params.queue = (UINT64)(ULONG_PTR)vk_queue;
    params.queue_family = vk->family;
    params.worker_count = 0;
    params.staging_bytes = ring_bytes();
    if (SUCCEEDED(vk->interop->lpVtbl->GetDeviceFeatures(vk->interop, &features)))
        params.features = (UINT64)(ULONG_PTR)features;
    /* The Unix side also checks the features the device was created with. */
    params.nv_extension = device_has_extension(vk->interop, "VK_NV_memory_decompression");
    params.host_memory_extension = device_has_extension(vk->interop, "VK_EXT_external_memory_host");
    params.message = message;
    params.message_size = sizeof(message);
    if (FAILED(hr = dstorage_unix_call(unix_vulkan_create, &params)) || FAILED(hr = params.result))
    {
        snprintf(why, why_size, "%s", *message ? message : "the Unix side refused");
        release(vk);
        return hr;
    }
    vk->backend = params.backend;
    if (FAILED(vk->interop->lpVtbl->QueryInterface(vk->interop, &IID_interop_device2,
                                                   (void **)&vk->interop2)))
        vk->interop2 = NULL;
    if (!(vk->lock_thread = CreateThread(NULL, 0, lock_thread, vk, 0, NULL)))
    {
        struct vulkan_destroy_params destroy = {.backend = vk->backend};
        struct vulkan_free_params free_params = {.backend = vk->backend};

        snprintf(why, why_size, "cannot start the lock thread, error %lu", GetLastError());
        dstorage_unix_call(unix_vulkan_destroy, &destroy);
        dstorage_unix_call(unix_vulkan_free, &free_params);
        release(vk);
        return E_OUTOFMEMORY;
    }
    snprintf(why, why_size,
             "ds-runtime Vulkan backend on vkd3d-proton's device (ID3D12DXVKInteropDevice%s), "
             "VkQueue family %u of a COMPUTE queue, %s, staging ring %u MiB, GDeflate into buffers "
             "on the %s; textures, "
             "tiles and custom formats: batched D3D12 COPY queue",
             interop_version(vk->interop) == 2   ? "2"
             : interop_version(vk->interop) == 1 ? "1"
                                                 : "",
             vk->family, message, (UINT)(params.staging_bytes >> 20),
             params.gpu_gdeflate == 2   ? "GPU (VK_NV_memory_decompression)"
             : params.gpu_gdeflate == 1 ? "GPU (compute shader)"
                                        : "CPU");
    queue->state->gpu_gdeflate = params.gpu_gdeflate;
    *out = vk;
    return S_OK;
}

HRESULT gpu_vulkan_create(struct queue_object *queue, UINT64 *backend)
{
    struct queue_state *state = queue->state;
    const char *forced = getenv("DS_KIT_GPU_PATH");
    struct gpu_vulkan *vk = NULL;
    char why[sizeof(state->gpu_path_note)];
    HRESULT hr;

    if (!state->desc.Device) return S_FALSE;
    if (forced && !*forced) forced = NULL;
    if (forced && strcmp(forced, "vulkan") && strcmp(forced, "d3d12"))
    {
        ERR("DS_KIT_GPU_PATH=%s is not a GPU path: set it to vulkan or d3d12, or unset it.\n",
            forced);
        return E_INVALIDARG;
    }
    if (forced && !strcmp(forced, "d3d12"))
    {
        snprintf(state->gpu_path_note, sizeof(state->gpu_path_note), "DS_KIT_GPU_PATH=d3d12");
        return S_FALSE;
    }
    if (SUCCEEDED(hr = try_create(queue, &vk, why, sizeof(why))))
    {
        state->vulkan = vk;
        *backend = vk->backend;
        snprintf(state->gpu_path_note, sizeof(state->gpu_path_note), "%s", why);
        return S_OK;
    }
    if (forced)
    {
        ERR("DS_KIT_GPU_PATH=vulkan, but the vulkan GPU path is not possible: %s. Unset "
            "DS_KIT_GPU_PATH (the d3d12 path is then used) or set it to d3d12.\n",
            why);
        return FAILED(hr) ? hr : E_FAIL;
    }
    WARN("queue %p: GPU path vulkan not possible, using d3d12: %s.\n", queue, why);
    snprintf(state->gpu_path_note, sizeof(state->gpu_path_note), "vulkan not possible: %s", why);
    return S_FALSE;
}

BOOL gpu_vulkan_buffer(struct queue_object *queue, const struct queue_entry *entry)
{
    return queue->state->vulkan && !entry->fence && !entry->gacl_by_module &&
           entry->request.Options.DestinationType == DSTORAGE_REQUEST_DESTINATION_BUFFER;
}

void gpu_vulkan_mark_gacl(struct queue_object *queue, struct queue_entry *entry)
{
    const DSTORAGE_REQUEST *request = &entry->request;
    UINT8 transform = request->Options.GaclTransformType;
    UINT64 size, block;

    if (!queue->state->vulkan || transform == DSTORAGE_GACL_SHUFFLE_TRANSFORM_NONE ||
        transform > DSTORAGE_GACL_SHUFFLE_TRANSFORM_BC5 || custom_format(request))
        return;
    size = request->Options.CompressionFormat != DSTORAGE_COMPRESSION_FORMAT_NONE
               ? request->UncompressedSize
           : request->Options.SourceType == DSTORAGE_REQUEST_SOURCE_FILE
               ? request->Source.File.Size
               : request->Source.Memory.Size;
    block = transform == DSTORAGE_GACL_SHUFFLE_TRANSFORM_BC1 ||
                    transform == DSTORAGE_GACL_SHUFFLE_TRANSFORM_BC4
                ? 8
                : 16;
    if (size % block) return;
    entry->gacl_by_module = transform;
    entry->gpu_decode = FALSE; /* the shuffle is undone on the CPU, after a CPU decode */
}

HRESULT gpu_vulkan_undo_gacl(struct queue_object *queue, struct queue_entry *entry, UINT64 bytes)
{
    struct gacl_unshuffle_params params = {.transform = entry->gacl_by_module, .size = bytes};

    if (!entry->gacl_by_module) return S_OK;
    params.data = entry->staging_size ? queue_staging_data(queue, entry, NULL)
                                      : entry->request.Destination.Memory.Buffer;
    if (FAILED(dstorage_unix_call(unix_gacl_unshuffle, &params)) || !params.ok)
    {
        WARN("request %s: undoing the GACL shuffle over %s bytes failed.\n",
             wine_dbgstr_longlong(entry->seq), debugstr_size(bytes));
        return E_OUTOFMEMORY;
    }
    return S_OK;
}

void gpu_vulkan_resolve(struct queue_object *queue, const struct queue_entry *entry,
                        struct unix_request *req)
{
    struct gpu_vulkan *vk = queue->state->vulkan;
    ID3D12Resource *resource = entry->request.Destination.Buffer.Resource;
    UINT64 handle = 0, offset = 0;
    D3D12_RESOURCE_DESC desc;

    /* A destination that failed its checks is not looked at: the Unix side fails it. */
    if (FAILED(entry->pe_check) || !resource) return;
    if (FAILED(vk->interop->lpVtbl->GetVulkanResourceInfo(vk->interop, resource, &handle, &offset)))
        return; /* no VkBuffer: the runtime fails the request (gpu_buffer 0) */
    resource->lpVtbl->GetDesc(resource, &desc);
    note_buffer(vk, resource, handle);
    req->gpu_buffer = handle;
    req->gpu_offset = offset + entry->request.Destination.Buffer.Offset;
    req->gpu_buffer_size = offset + desc.Width; /* placed buffers share one VkBuffer */
}

void gpu_vulkan_count_decodes(struct queue_object *queue)
{
    struct gpu_vulkan *vk = queue->state->vulkan;
    struct backend_get_stats_params params;

    if (!vk || !stats_enabled()) return;
    params.backend = vk->backend;
    if (SUCCEEDED(dstorage_unix_call(unix_backend_get_stats, &params)))
        stats_gpu_decodes(&queue->state->stats,
                          params.stats.gdeflate_shader_decodes + params.stats.gdeflate_gpu_decodes);
}

void gpu_vulkan_destroy(struct queue_object *queue)
{
    struct gpu_vulkan *vk = queue->state->vulkan;
    struct vulkan_destroy_params destroy;
    struct vulkan_free_params free_params;

    if (!vk) return;
    destroy.backend = free_params.backend = vk->backend;
    dstorage_unix_call(unix_vulkan_destroy, &destroy);
    WaitForSingleObject(vk->lock_thread, INFINITE);
    CloseHandle(vk->lock_thread);
    TRACE("queue %p: runtime submissions under LockCommandQueue %ld, under LockVulkanQueue %ld.\n",
          queue, vk->full_locks, vk->light_locks);
    dstorage_unix_call(unix_vulkan_free, &free_params);
    queue->state->vulkan = NULL;
    release(vk);
}
