/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Unix side: host Vulkan handles behind winevulkan's client handles (unix_vulkan_host.c). */
#ifndef __WINE_DSTORAGE_UNIX_VULKAN_HOST_H
#define __WINE_DSTORAGE_UNIX_VULKAN_HOST_H

struct vulkan_client_handles
{
    UINT64 instance, physical_device, device, queue;
    UINT32 queue_family;
};

struct vulkan_host_handles
{
    UINT64 instance, physical_device, device, queue;
    const char *method; /* how they were found, for the trace */
};

/* FALSE with why set when the running Wine's winevulkan is not understood. Never faults. */
BOOL vulkan_host_handles(const struct vulkan_client_handles *client,
                         struct vulkan_host_handles *host, char *why, size_t why_size);

#endif /* __WINE_DSTORAGE_UNIX_VULKAN_HOST_H */
