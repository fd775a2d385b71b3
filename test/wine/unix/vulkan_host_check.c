/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* unix_vulkan_host.c on its own (test/wine/unix-vulkan-host.test.ts compiles it with this file):
 * winevulkan-shaped objects in both known layouts give the right host handles; objects that do
 * not fit, handles pointing at unmapped memory and a scan running into a guard page give FALSE
 * with a reason, never a crash. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ntstatus.h"
#define WIN32_NO_STATUS
#include "windef.h"
#include "winbase.h"
#include "winternl.h"
#include "unix_vulkan_host.h"
#include "wine/debug.h"

/* What wine/debug.h's TRACE needs from ntdll: channels off. */
unsigned char __cdecl __wine_dbg_get_channel_flags(struct __wine_debug_channel *channel)
{
    return 0;
}
const char *__cdecl __wine_dbg_strdup(const char *str)
{
    return str;
}
int __cdecl __wine_dbg_output(const char *str)
{
    return 0;
}
int __cdecl __wine_dbg_header(enum __wine_debug_class cls, struct __wine_debug_channel *channel,
                              const char *function)
{
    return 0;
}

#define MAGIC 0x01cdc0deull
static int failures;

#define CHECK(cond, ...)                                                                           \
    do                                                                                             \
    {                                                                                              \
        if (!(cond))                                                                               \
        {                                                                                          \
            printf("FAIL line %d: ", __LINE__);                                                    \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            ++failures;                                                                            \
        }                                                                                          \
    } while (0)

struct client
{
    UINT64 magic, unix_handle;
};

/* A host dispatchable handle: its first word points at a (fake) dispatch table. */
static UINT64 dispatch_table[4];
static UINT64 *host_object(void)
{
    UINT64 *object = calloc(4, sizeof(UINT64));
    object[0] = (UINT64)(ULONG_PTR)dispatch_table;
    return object;
}
#define H(p) ((UINT64)(ULONG_PTR)(p))

struct world
{
    struct client instance, physical, device, queue;
    UINT64 *host_instance, *host_physical, *host_device, *host_queue;
    UINT64 *instance_unix, *physical_unix, *device_unix, *queue_unix;
    struct vulkan_client_handles handles;
};

static void world_clients(struct world *w)
{
    w->instance = (struct client){MAGIC, H(w->instance_unix)};
    w->physical = (struct client){MAGIC, H(w->physical_unix)};
    w->device = (struct client){MAGIC, H(w->device_unix)};
    w->queue = (struct client){MAGIC, H(w->queue_unix)};
    w->handles = (struct vulkan_client_handles){H(&w->instance), H(&w->physical), H(&w->device),
                                                H(&w->queue), 2};
    w->host_instance = host_object();
    w->host_physical = host_object();
    w->host_device = host_object();
    w->host_queue = host_object();
}

/* Wine 8/9: function tables first in instance and device; Debian 8.0 leaves the device's client
 * word 0. */
static void wine8_world(struct world *w, BOOL device_client_set)
{
    size_t i;

    w->instance_unix = calloc(64, sizeof(UINT64));
    w->physical_unix = calloc(8, sizeof(UINT64));
    w->device_unix = calloc(600, sizeof(UINT64));
    w->queue_unix = calloc(8, sizeof(UINT64));
    world_clients(w);
    for (i = 0; i < 40; ++i) w->instance_unix[i] = H(&world_clients) + i;
    w->instance_unix[40] = H(&w->instance);
    w->instance_unix[41] = H(w->host_instance);
    w->physical_unix[0] = H(w->instance_unix);
    w->physical_unix[1] = H(&w->physical);
    w->physical_unix[2] = H(w->host_physical);
    for (i = 0; i < 477; ++i) w->device_unix[i] = i % 3 ? H(&world_clients) + i : 0;
    w->device_unix[477] = H(w->physical_unix);
    w->device_unix[478] = device_client_set ? H(&w->device) : 0;
    w->device_unix[479] = H(w->host_device);
    w->queue_unix[0] = H(w->device_unix);
    w->queue_unix[1] = H(&w->queue);
    w->queue_unix[2] = H(w->host_queue);
    w->queue_unix[3] = 2 | (0ull << 32); /* family 2, index 0 */
}

/* Wine >= 10: every Unix object starts { host, client }. */
static void wine10_world(struct world *w)
{
    w->instance_unix = calloc(64, sizeof(UINT64));
    w->physical_unix = calloc(8, sizeof(UINT64));
    w->device_unix = calloc(600, sizeof(UINT64));
    w->queue_unix = calloc(8, sizeof(UINT64));
    world_clients(w);
    w->instance_unix[0] = H(w->host_instance);
    w->instance_unix[1] = H(&w->instance);
    w->physical_unix[0] = H(w->host_physical);
    w->physical_unix[1] = H(&w->physical);
    w->device_unix[0] = H(w->host_device);
    w->device_unix[1] = H(&w->device);
    w->queue_unix[0] = H(w->host_queue);
    w->queue_unix[1] = H(w->queue_unix); /* a client word naming the object itself is accepted */
}

static BOOL probe(struct world *w, struct vulkan_host_handles *host, char *why)
{
    why[0] = 0;
    return vulkan_host_handles(&w->handles, host, why, 256);
}

static void expect_found(struct world *w, const char *layout)
{
    struct vulkan_host_handles host;
    char why[256];

    CHECK(probe(w, &host, why), "%s: not found: %s", layout, why);
    CHECK(host.instance == H(w->host_instance), "%s: instance", layout);
    CHECK(host.physical_device == H(w->host_physical), "%s: physical device", layout);
    CHECK(host.device == H(w->host_device), "%s: device", layout);
    CHECK(host.queue == H(w->host_queue), "%s: queue", layout);
    CHECK(host.method && strstr(host.method, layout), "%s: method %s", layout,
          host.method ? host.method : "(null)");
}

static void expect_refused(struct world *w, const char *what, const char *reason)
{
    struct vulkan_host_handles host;
    char why[256];

    CHECK(!probe(w, &host, why), "%s: accepted", what);
    CHECK(strstr(why, reason) != NULL, "%s: reason \"%s\", expected it to contain \"%s\"", what,
          why, reason);
    CHECK(!host.device && !host.queue, "%s: handles left set", what);
}

int main(void)
{
    long page = 4096;
    char *guarded =
        mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct world w;

    mprotect(guarded + page, page, PROT_NONE);

    wine8_world(&w, FALSE);
    expect_found(&w, "Wine 8/9");
    wine8_world(&w, TRUE);
    expect_found(&w, "Wine 8/9");
    wine10_world(&w);
    expect_found(&w, "Wine >= 10");

    /* The queue records another family than vkd3d-proton said. */
    wine8_world(&w, FALSE);
    w.handles.queue_family = 0;
    expect_refused(&w, "family mismatch", "another queue family");
    /* No loader magic. */
    wine8_world(&w, FALSE);
    w.device.magic = 0;
    expect_refused(&w, "no magic", "no loader magic");
    /* A client handle in unmapped memory. */
    wine8_world(&w, FALSE);
    w.handles.device = H(guarded + page);
    expect_refused(&w, "unmapped client", "no loader magic");
    /* A unix_handle into unmapped memory. */
    wine8_world(&w, FALSE);
    w.device.unix_handle = H(guarded + page);
    expect_refused(&w, "unmapped unix object", "not readable");
    /* The device object ends at a guard page without naming its physical device: the scan stops
     * there. */
    wine8_world(&w, FALSE);
    memset(guarded, 0x11, page);
    w.device.unix_handle = H(guarded);
    expect_refused(&w, "scan into a guard page", "holds no pointer to its physical device");
    /* A host handle that is null, or whose dispatch pointer is unmapped. */
    wine8_world(&w, FALSE);
    w.device_unix[479] = 0;
    expect_refused(&w, "null host device", "not a Vulkan handle");
    wine10_world(&w);
    w.host_queue[0] = H(guarded + page);
    expect_refused(&w, "host queue with an unmapped dispatch pointer", "not a Vulkan handle");
    /* A queue whose parent is another device. */
    wine8_world(&w, FALSE);
    w.queue_unix[0] = H(w.physical_unix);
    expect_refused(&w, "wrong parent", "does not point to its parent");

    if (failures)
    {
        printf("vulkan_host_check: %d check(s) failed\n", failures);
        return 1;
    }
    printf("vulkan_host_check: all checks passed\n");
    return 0;
}
