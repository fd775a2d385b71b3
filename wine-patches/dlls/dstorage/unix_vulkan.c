#if 0
#pragma makedep unix
#endif
/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Unix side of GPU path "vulkan" (PE side: gpu_vulkan.c; design: docs/wine-module.md): a ds-runtime
 * Vulkan backend per DirectStorage queue, on vkd3d-proton's VkDevice and the VkQueue of a D3D12
 * queue the module owns. Vulkan entry points come from the host's libvulkan.so.1 (the loader
 * winevulkan itself uses), so the runtime calls the host device's own dispatch.
 *
 * The queue lock. vkd3d-proton submits to the same VkQueue from its own threads and wants
 * ID3D12DXVKInteropDevice::LockCommandQueue held around any other submission; that is a PE call,
 * which the runtime's recorder thread (a plain pthread) cannot make. So the backend's lock hook
 * hands the locking to a PE thread of the queue (the lock thread) and waits:
 *
 *   recorder (Unix)                         lock thread (PE)
 *   lock_queue: requested = n, wait ───►    vulkan_lock_wait returns
 *                                           LockCommandQueue or LockVulkanQueue (gpu_vulkan.c)
 *            ◄─── granted = n               vulkan_lock_hold: granted = n, wait for round n
 *   vkQueueSubmit
 *   unlock_queue: released = n ─────►       vulkan_lock_hold returns
 *   (records the next batch meanwhile)      UnlockCommandQueue/UnlockVulkanQueue, lock_wait
 *
 * So every vkQueueSubmit of the runtime happens while the PE thread holds vkd3d-proton's lock; no
 * Unix thread submits without it. The runtime uses the queue for nothing but vkQueueSubmit.
 * vulkan_destroy destroys the backend first (its last batches still go through the lock thread)
 * and only then tells the lock thread to stop.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ntstatus.h"
#define WIN32_NO_STATUS
#include "windef.h"
#include "winbase.h"
#include "winternl.h"
#include "unix_private_gen.h"
#include "unix_vulkan_host.h"
#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

/* The lock channel between the runtime's recorder and the queue's PE lock thread, counted in
 * rounds: the recorder asks for round n (requested = n) and waits until the lock thread holds the
 * lock for it (granted = n); after its vkQueueSubmit it marks the round done (released = n) and
 * goes on at once: it does not wait for the lock thread to unlock. The next round cannot be granted
 * before the lock thread has unlocked (it serves one round at a time), so no submission ever runs
 * without the lock, and the recorder is held up only while the lock is being taken. */
struct unix_backend_state
{
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    UINT64 requested; /* the last round the recorder asked for */
    UINT64 granted;   /* the last round the lock thread holds (or held) the lock for */
    UINT64 released;  /* the last round whose submission is done */
    BOOL stop;        /* vulkan_destroy: the lock thread leaves */
    UINT64 wait_ns;   /* time the recorder spent waiting for the lock, all rounds */
};

static UINT64 monotonic_ns(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (UINT64)now.tv_sec * 1000000000 + now.tv_nsec;
}

static void lock_queue(void *ctx)
{
    struct unix_backend_state *state = ctx;
    UINT64 start = monotonic_ns(), round;

    pthread_mutex_lock(&state->mutex);
    round = ++state->requested;
    pthread_cond_broadcast(&state->cond);
    while (state->granted != round) pthread_cond_wait(&state->cond, &state->mutex);
    state->wait_ns += monotonic_ns() - start;
    pthread_mutex_unlock(&state->mutex);
}

static void unlock_queue(void *ctx)
{
    struct unix_backend_state *state = ctx;

    pthread_mutex_lock(&state->mutex);
    state->released = state->granted;
    pthread_cond_broadcast(&state->cond);
    pthread_mutex_unlock(&state->mutex);
}

NTSTATUS vulkan_lock_wait(void *args)
{
    struct vulkan_lock_wait_params *params = args;
    struct unix_backend_state *state = unix_backend_from_handle(params->backend)->state;

    pthread_mutex_lock(&state->mutex);
    while (state->requested == state->granted && !state->stop)
        pthread_cond_wait(&state->cond, &state->mutex);
    params->stop = state->requested == state->granted;
    pthread_mutex_unlock(&state->mutex);
    return STATUS_SUCCESS;
}

NTSTATUS vulkan_lock_hold(void *args)
{
    struct vulkan_lock_hold_params *params = args;
    struct unix_backend_state *state = unix_backend_from_handle(params->backend)->state;
    UINT64 round;

    pthread_mutex_lock(&state->mutex);
    round = state->granted = state->granted + 1;
    pthread_cond_broadcast(&state->cond);
    while (state->released != round) pthread_cond_wait(&state->cond, &state->mutex);
    pthread_mutex_unlock(&state->mutex);
    return STATUS_SUCCESS;
}

/* The few Vulkan types used here (no Vulkan headers needed): vkGetInstanceProcAddr, and the
 * feature structures below. */
typedef void (*vk_void_fn)(void);
typedef vk_void_fn (*vk_get_instance_proc_addr_fn)(void *instance, const char *name);

/* The feature structures of a VkPhysicalDeviceFeatures2 chain read by nv_decompression_enabled:
 * every one starts {sType, pNext}; VkPhysicalDeviceVulkan12Features has 38 VkBool32s before
 * bufferDeviceAddress (offset 168); VkPhysicalDeviceBufferDeviceAddressFeatures and
 * VkPhysicalDeviceMemoryDecompressionFeaturesNV have theirs first (offset 16). */
struct vk_base_in
{
    UINT32 s_type;
    const struct vk_base_in *next;
};
struct vk_first_feature
{
    struct vk_base_in base;
    UINT32 value;
};
struct vk_vulkan12_features
{
    struct vk_base_in base;
    UINT32 before_buffer_device_address[38];
    UINT32 buffer_device_address;
};
C_ASSERT(offsetof(struct vk_first_feature, value) == 16);
C_ASSERT(offsetof(struct vk_vulkan12_features, buffer_device_address) == 168);
#define VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES 51
#define VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_BUFFER_DEVICE_ADDRESS_FEATURES 1000257000
#define VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_DECOMPRESSION_FEATURES_NV 1000427000

/* Whether vkd3d-proton's device has a feature, from the chain GetDeviceFeatures returned
 * (vkd3d-proton's own memory, in this process). */
struct enabled_features
{
    BOOL buffer_device_address;
    BOOL memory_decompression;
};

static struct enabled_features enabled_features(UINT64 features)
{
    const struct vk_base_in *s = (const struct vk_base_in *)(ULONG_PTR)features;
    struct enabled_features on = {FALSE, FALSE};
    UINT depth;

    for (depth = 0; s && depth < 64; s = s->next, ++depth)
    {
        if (s->s_type == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_DECOMPRESSION_FEATURES_NV)
            on.memory_decompression = !!((const struct vk_first_feature *)s)->value;
        else if (s->s_type == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_BUFFER_DEVICE_ADDRESS_FEATURES)
            on.buffer_device_address |= !!((const struct vk_first_feature *)s)->value;
        else if (s->s_type == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES)
            on.buffer_device_address |=
                !!((const struct vk_vulkan12_features *)s)->buffer_device_address;
    }
    return on;
}

/* vkd3d-proton created its device with VK_NV_memory_decompression (the extension and the
 * memoryDecompression feature) and bufferDeviceAddress; it gives every buffer
 * VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT, so the runtime may decode GDeflate into them with
 * vkCmdDecompressMemoryNV. */
static BOOL nv_decompression_enabled(UINT64 features, UINT32 nv_extension)
{
    struct enabled_features on = enabled_features(features);

    return nv_extension && on.memory_decompression && on.buffer_device_address;
}

/* bufferDeviceAddress is enabled, and vkd3d-proton gives every buffer SHADER_DEVICE_ADDRESS
 * usage: small uploads may take the runtime's shader copies (one dispatch per batch instead of a
 * copy-engine region each; the queue is a COMPUTE one). DS_KIT_SHADER_COPIES=0 turns them off,
 * for measurements. */
static BOOL shader_copies_enabled(UINT64 features)
{
    const char *choice = getenv("DS_KIT_SHADER_COPIES");

    if (choice && !strcmp(choice, "0")) return FALSE;
    return enabled_features(features).buffer_device_address;
}

/* vkd3d-proton enabled VK_EXT_external_memory_host: the runtime's staging ring may then be its
 * own memory on huge pages, imported (faster page-cache copies and O_DIRECT reads than the
 * driver's staging memory); where the driver refuses the import it uses the driver's memory.
 * DS_KIT_HOST_STAGING=0 turns it off, for measurements. */
static BOOL host_staging_enabled(UINT32 host_memory_extension)
{
    const char *choice = getenv("DS_KIT_HOST_STAGING");

    if (choice && !strcmp(choice, "0")) return FALSE;
    return !!host_memory_extension;
}

/* The host loader's vkGetInstanceProcAddr, or NULL. */
static vk_get_instance_proc_addr_fn host_get_instance_proc_addr(void)
{
    void *loader;

    /* winevulkan loaded it already; otherwise load the same library. */
    if (!(loader = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_NOLOAD)) &&
        !(loader = dlopen("libvulkan.so.1", RTLD_NOW)))
        return NULL;
    return (vk_get_instance_proc_addr_fn)dlsym(loader, "vkGetInstanceProcAddr");
}

/* The winevulkan client handles of a Unix call whose parameters carry them (same field names). */
#define CLIENT_HANDLES(p)                                                                          \
    {                                                                                              \
        .instance = (p)->instance, .physical_device = (p)->physical_device, .device = (p)->device, \
        .queue = (p)->queue, .queue_family = (p)->queue_family                                     \
    }

static NTSTATUS create_failed(struct vulkan_create_params *params, HRESULT hr, const char *why)
{
    if (params->message && params->message_size)
        snprintf(params->message, params->message_size, "%s", why);
    params->result = hr;
    return STATUS_SUCCESS;
}

NTSTATUS vulkan_create(void *args)
{
    struct vulkan_create_params *params = args;
    struct vulkan_client_handles client = CLIENT_HANDLES(params);
    ds_vulkan_backend_desc desc = {0};
    struct vulkan_host_handles host;
    struct unix_backend_state *state;
    struct unix_backend *object;
    vk_get_instance_proc_addr_fn gipa;
    char why[256], error[256];
    ds_backend *backend;
    ds_result res;

    if (!vulkan_host_handles(&client, &host, why, sizeof(why)))
        return create_failed(params, E_NOTIMPL, why);
    TRACE(
        "host handles via %s: instance %#llx, physical device %#llx, device %#llx, queue %#llx.\n",
        host.method, (unsigned long long)host.instance, (unsigned long long)host.physical_device,
        (unsigned long long)host.device, (unsigned long long)host.queue);
    if (!(gipa = host_get_instance_proc_addr()))
        return create_failed(params, E_NOTIMPL,
                             "the host's libvulkan.so.1 (vkGetInstanceProcAddr) cannot be loaded");
    if (!(state = calloc(1, sizeof(*state))) || !(object = calloc(1, sizeof(*object))))
    {
        free(state);
        return create_failed(params, E_OUTOFMEMORY, "out of memory");
    }
    pthread_mutex_init(&state->mutex, NULL);
    pthread_cond_init(&state->cond, NULL);
    desc.instance = host.instance;
    desc.physical_device = host.physical_device;
    desc.device = host.device;
    desc.queue = host.queue;
    desc.queue_family_index = params->queue_family;
    desc.get_instance_proc_addr = (void *)gipa;
    desc.lock_queue = lock_queue;
    desc.unlock_queue = unlock_queue;
    desc.lock_ctx = state;
    desc.staging_bytes = params->staging_bytes;
    desc.worker_count = params->worker_count;
    if (nv_decompression_enabled(params->features, params->nv_extension))
        desc.flags |= DS_VULKAN_BACKEND_NV_MEMORY_DECOMPRESSION;
    if (shader_copies_enabled(params->features)) desc.flags |= DS_VULKAN_BACKEND_SHADER_COPIES;
    if (host_staging_enabled(params->host_memory_extension))
        desc.flags |= DS_VULKAN_BACKEND_HOST_STAGING;
    if ((res = ds_vulkan_backend_create(&desc, &backend, error, sizeof(error))) != DS_OK)
    {
        snprintf(why, sizeof(why), "ds-runtime cannot use vkd3d-proton's device (%d): %s", res,
                 error);
        pthread_cond_destroy(&state->cond);
        pthread_mutex_destroy(&state->mutex);
        free(state);
        free(object);
        return create_failed(params, res == DS_ERR_NO_MEMORY ? E_OUTOFMEMORY : E_NOTIMPL, why);
    }
    if (TRACE_ON(dstorage))
    {
        ds_backend_stats stats = {0};

        ds_backend_get_stats(backend, &stats);
        TRACE("VK_NV_memory_decompression %s, shader copies %s, staging in %s.\n",
              desc.flags & DS_VULKAN_BACKEND_NV_MEMORY_DECOMPRESSION ? "on" : "off",
              desc.flags & DS_VULKAN_BACKEND_SHADER_COPIES ? "on" : "off",
              stats.host_staging_bytes ? "host memory (imported)" : "the driver's memory");
    }
    object->backend = backend;
    object->state = state;
    params->backend = unix_backend_to_handle(object);
    params->gdeflate = ds_backend_supports_gdeflate(backend);
    params->gpu_gdeflate = ds_backend_gdeflate_gpu_path(backend);
    if (params->message && params->message_size)
        snprintf(params->message, params->message_size, "host handles via %s", host.method);
    params->result = S_OK;
    return STATUS_SUCCESS;
}

/* VkPhysicalDeviceProperties begins {apiVersion, driverVersion, vendorID, deviceID, deviceType,
 * deviceName[256]}; the whole structure is 824 bytes. */
struct vk_physical_device_properties_head
{
    UINT32 api_version, driver_version, vendor, device_id, device_type;
    char name[256];
};
typedef void (*vk_get_properties_fn)(void *physical_device, void *properties);

NTSTATUS vulkan_device_kind(void *args)
{
    struct vulkan_device_kind_params *params = args;
    struct vulkan_client_handles client = CLIENT_HANDLES(params);
    union
    {
        struct vk_physical_device_properties_head head;
        char whole[1024];
    } properties;
    struct vulkan_host_handles host;
    vk_get_instance_proc_addr_fn gipa;
    vk_get_properties_fn get_properties;
    char why[256];

    params->device_type = params->vendor = 0;
    if (params->name && params->name_size) *(char *)params->name = 0;
    if (!vulkan_host_handles(&client, &host, why, sizeof(why)) ||
        !(gipa = host_get_instance_proc_addr()) ||
        !(get_properties = (vk_get_properties_fn)gipa((void *)(ULONG_PTR)host.instance,
                                                      "vkGetPhysicalDeviceProperties")))
        return STATUS_SUCCESS;
    get_properties((void *)(ULONG_PTR)host.physical_device, &properties);
    params->device_type = properties.head.device_type;
    params->vendor = properties.head.vendor;
    if (params->name && params->name_size)
        snprintf(params->name, params->name_size, "%.255s", properties.head.name);
    return STATUS_SUCCESS;
}

NTSTATUS vulkan_destroy(void *args)
{
    struct vulkan_destroy_params *params = args;
    struct unix_backend *object = unix_backend_from_handle(params->backend);
    struct unix_backend_state *state = object->state;
    ds_backend_stats stats;

    ds_backend_get_stats(object->backend, &stats);
    TRACE("Vulkan backend: %llu submissions (%llu lock rounds, %.3f ms waiting for the lock), %llu "
          "copies, GDeflate decodes: %llu GPU shader, %llu CPU.\n",
          (unsigned long long)stats.submits, (unsigned long long)state->requested,
          state->wait_ns / 1e6, (unsigned long long)stats.gpu_copies,
          (unsigned long long)stats.gdeflate_shader_decodes,
          (unsigned long long)stats.gdeflate_cpu_decodes);
    ds_backend_destroy(object->backend); /* may still submit: the lock thread serves it */
    object->backend = NULL;
    pthread_mutex_lock(&state->mutex);
    state->stop = TRUE;
    pthread_cond_broadcast(&state->cond);
    pthread_mutex_unlock(&state->mutex);
    return STATUS_SUCCESS;
}

NTSTATUS vulkan_free(void *args)
{
    struct vulkan_free_params *params = args;
    struct unix_backend *object = unix_backend_from_handle(params->backend);

    if (!object) return STATUS_SUCCESS;
    pthread_cond_destroy(&object->state->cond);
    pthread_mutex_destroy(&object->state->mutex);
    free(object->state);
    free(object);
    return STATUS_SUCCESS;
}
