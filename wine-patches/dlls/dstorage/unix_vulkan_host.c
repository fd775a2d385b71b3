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
 * Host Vulkan handles behind winevulkan's client handles (GPU path "vulkan", docs/wine-module.md).
 *
 * vkd3d-proton is a PE DLL on top of vulkan-1.dll, so the VkInstance, VkPhysicalDevice, VkDevice
 * and VkQueue it hands out are winevulkan *client* objects: { UINT64 loader_magic (0x01CDC0DE),
 * UINT64 unix_handle }. unix_handle points at winevulkan's Unix-side object, which holds the host
 * handle (the one libvulkan.so.1 gave winevulkan). Where it sits depends on the Wine:
 *
 *   Wine 8.0 / 9.x: instance { function table, client, host, ... }; physical device { instance,
 *                   client, host, ... }; device { function table, physical device, client, host,
 *                   ... } (Debian's 8.0 leaves the device's client word 0: seen on lavapipe);
 *                   queue { device, client, host, family index, queue index, ... }. Parents are
 *                   the parents' Unix objects.
 *   Wine >= 10:     every Unix object starts with { UINT64 host_handle; UINT64 client_handle; }.
 *
 * The device's second word decides which layout the process has (the client handle, or the
 * object itself, in >= 10; a function pointer in 8/9). Every read goes through read_memory(),
 * which cannot fault, and every step is checked: the loader magic, the back-pointers (client
 * handle, parent object), a host handle that is not null and whose first word (the loader's
 * dispatch pointer) is readable, and in the 8/9 layout the queue family recorded next to the host
 * queue. Anything unexpected gives FALSE with a reason; the caller then stays on the D3D12 path.
 *
 * Proton's winevulkan.so also exports __wine_get_native_VkDevice and friends. Their calling
 * convention in current Proton is not verified here (older Proton declared them WINAPI), so they
 * are used only when the structure walk fails, called as WINAPI functions.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ntstatus.h"
#define WIN32_NO_STATUS
#include "windef.h"
#include "winbase.h"
#include "winternl.h"
#include "unix_vulkan_host.h"
#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

#define CLIENT_LOADER_MAGIC 0x01cdc0deull
#define SCAN_BYTES (64 * 1024) /* far beyond any winevulkan function table */
#define SCAN_BLOCK 512

/* Copies size bytes at address into out without faulting; FALSE when any of it is unmapped. */
static BOOL read_memory(UINT64 address, void *out, size_t size)
{
    struct iovec local = {out, size}, remote = {(void *)(ULONG_PTR)address, size};
    int fds[2];
    ssize_t n;
    BOOL ok;

    if (!address) return FALSE;
    n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
    if (n == (ssize_t)size) return TRUE;
    if (n >= 0 || (errno != ENOSYS && errno != EPERM)) return FALSE;
    /* No process_vm_readv (seccomp, old kernel): write() into a pipe fails with EFAULT instead. */
    if (size > 4096 || pipe(fds)) return FALSE;
    ok = write(fds[1], (void *)(ULONG_PTR)address, size) == (ssize_t)size &&
         read(fds[0], out, size) == (ssize_t)size;
    close(fds[0]);
    close(fds[1]);
    return ok;
}

/* The client object's unix_handle, after checking the loader magic. */
static BOOL client_unix_handle(UINT64 client, UINT64 *unix_handle)
{
    UINT64 words[2];

    return read_memory(client, words, sizeof(words)) && words[0] == CLIENT_LOADER_MAGIC &&
           (*unix_handle = words[1]) != 0;
}

/* Word index of the first occurrence of value in the object at base (SCAN_BYTES at most); -1. */
static int find_word(UINT64 base, UINT64 value)
{
    UINT64 block[SCAN_BLOCK / sizeof(UINT64)];
    size_t offset, i;

    for (offset = 0; offset < SCAN_BYTES; offset += SCAN_BLOCK)
    {
        if (!read_memory(base + offset, block, sizeof(block))) return -1;
        for (i = 0; i < ARRAY_SIZE(block); ++i)
            if (block[i] == value) return (int)(offset / sizeof(UINT64) + i);
    }
    return -1;
}

/* A host dispatchable handle: not null, and its first word (the loader's dispatch pointer) points
 * at readable memory. */
static BOOL plausible_host(UINT64 handle)
{
    UINT64 dispatch, word;

    return handle && read_memory(handle, &dispatch, sizeof(dispatch)) &&
           read_memory(dispatch, &word, sizeof(word));
}

static BOOL fail(char *why, size_t why_size, const char *what, const char *problem)
{
    snprintf(why, why_size, "winevulkan's %s object: %s", what, problem);
    return FALSE;
}

/* Wine >= 10: the Unix object starts with { host_handle, client_handle }. */
static BOOL header_host(UINT64 client, const char *what, UINT64 *host, char *why, size_t why_size)
{
    UINT64 unix_handle, words[2];

    if (!client_unix_handle(client, &unix_handle))
        return fail(why, why_size, what, "the client handle has no loader magic");
    if (!read_memory(unix_handle, words, sizeof(words)) ||
        (words[1] != client && words[1] != unix_handle))
        return fail(why, why_size, what, "does not start with {host, client}");
    if (!plausible_host(*host = words[0]))
        return fail(why, why_size, what, "its host handle is not a Vulkan handle");
    return TRUE;
}

/* Wine 8/9: { parent, client (0 for 8.0's devices), host, ... } at word index first of the Unix
 * object, the parent being the Unix object of the parent handle. */
static BOOL child_host(UINT64 unix_handle, int first, UINT64 parent_unix, UINT64 client,
                       const char *what, UINT64 *host, UINT64 *after, char *why, size_t why_size)
{
    UINT64 words[4];

    if (!read_memory(unix_handle + first * sizeof(UINT64), words, sizeof(words)))
        return fail(why, why_size, what, "is not readable");
    if (words[0] != parent_unix) return fail(why, why_size, what, "does not point to its parent");
    if (words[1] != client && words[1])
        return fail(why, why_size, what, "holds another client handle");
    if (!plausible_host(*host = words[2]))
        return fail(why, why_size, what, "its host handle is not a Vulkan handle");
    if (after) *after = words[3];
    return TRUE;
}

static BOOL walk(const struct vulkan_client_handles *client, struct vulkan_host_handles *host,
                 char *why, size_t why_size)
{
    UINT64 instance_unix, physical_unix, device_unix, queue_unix, words[2], family_word;
    int index;

    if (!client_unix_handle(client->instance, &instance_unix) ||
        !client_unix_handle(client->physical_device, &physical_unix) ||
        !client_unix_handle(client->device, &device_unix) ||
        !client_unix_handle(client->queue, &queue_unix))
    {
        snprintf(why, why_size,
                 "a Vulkan handle from vkd3d-proton is not a winevulkan client "
                 "object (no loader magic)");
        return FALSE;
    }
    if (!read_memory(device_unix, words, sizeof(words)))
        return fail(why, why_size, "VkDevice", "is not readable");
    if (words[1] == client->device || words[1] == device_unix)
    {
        if (!header_host(client->instance, "VkInstance", &host->instance, why, why_size) ||
            !header_host(client->physical_device, "VkPhysicalDevice", &host->physical_device, why,
                         why_size) ||
            !header_host(client->device, "VkDevice", &host->device, why, why_size) ||
            !header_host(client->queue, "VkQueue", &host->queue, why, why_size))
            return FALSE;
        host->method = "winevulkan objects with a {host, client} header (Wine >= 10 layout)";
        return TRUE;
    }
    /* Wine 8/9. The instance: { function table, client, host, ... }. */
    if ((index = find_word(instance_unix, client->instance)) < 0)
        return fail(why, why_size, "VkInstance", "holds no pointer back to its client handle");
    if (!read_memory(instance_unix + (index + 1) * sizeof(UINT64), &host->instance,
                     sizeof(host->instance)) ||
        !plausible_host(host->instance))
        return fail(why, why_size, "VkInstance", "its host handle is not a Vulkan handle");
    /* The physical device: { instance, client, host }. */
    if (!child_host(physical_unix, 0, instance_unix, client->physical_device, "VkPhysicalDevice",
                    &host->physical_device, NULL, why, why_size))
        return FALSE;
    /* The device: { function table, physical device, client (0 in 8.0), host, ... }. */
    if ((index = find_word(device_unix, physical_unix)) < 0)
        return fail(why, why_size, "VkDevice", "holds no pointer to its physical device");
    if (!child_host(device_unix, index, physical_unix, client->device, "VkDevice", &host->device,
                    NULL, why, why_size))
        return FALSE;
    /* The queue: { device, client, host, family index, queue index, ... }. */
    if (!child_host(queue_unix, 0, device_unix, client->queue, "VkQueue", &host->queue,
                    &family_word, why, why_size))
        return FALSE;
    if ((UINT32)family_word != client->queue_family)
        return fail(why, why_size, "VkQueue", "records another queue family");
    host->method = "winevulkan objects holding client then host handle (Wine 8/9 layout)";
    return TRUE;
}

static int find_winevulkan(struct dl_phdr_info *info, size_t size, void *ctx)
{
    const char *name = info->dlpi_name, *slash = name ? strrchr(name, '/') : NULL;

    if (slash && !strcmp(slash + 1, "winevulkan.so"))
    {
        *(const char **)ctx = name;
        return 1;
    }
    return 0;
}

typedef UINT64(WINAPI *native_handle_fn)(UINT64 client);

/* Proton's exports; the structure walk failed already. */
static BOOL exports(const struct vulkan_client_handles *client, struct vulkan_host_handles *host)
{
    static const char *const names[] = {"__wine_get_native_VkInstance",
                                        "__wine_get_native_VkPhysicalDevice",
                                        "__wine_get_native_VkDevice", "__wine_get_native_VkQueue"};
    const UINT64 in[] = {client->instance, client->physical_device, client->device, client->queue};
    UINT64 *out[] = {&host->instance, &host->physical_device, &host->device, &host->queue};
    const char *path = NULL;
    native_handle_fn fn;
    void *module;
    size_t i;

    dl_iterate_phdr(find_winevulkan, &path);
    if (!path || !(module = dlopen(path, RTLD_NOW | RTLD_NOLOAD))) return FALSE;
    for (i = 0; i < ARRAY_SIZE(names); ++i)
        if (!dlsym(module, names[i])) break;
    if (i < ARRAY_SIZE(names))
    {
        dlclose(module);
        return FALSE;
    }
    for (i = 0; i < ARRAY_SIZE(names); ++i)
    {
        fn = (native_handle_fn)dlsym(module, names[i]);
        if (!plausible_host(*out[i] = fn(in[i])))
        {
            dlclose(module);
            return FALSE;
        }
    }
    dlclose(module);
    host->method = "winevulkan.so's __wine_get_native_* exports";
    return TRUE;
}

BOOL vulkan_host_handles(const struct vulkan_client_handles *client,
                         struct vulkan_host_handles *host, char *why, size_t why_size)
{
    memset(host, 0, sizeof(*host));
    if (walk(client, host, why, why_size)) return TRUE;
    TRACE("structure walk failed: %s.\n", why);
    if (exports(client, host)) return TRUE;
    memset(host, 0, sizeof(*host));
    return FALSE;
}
