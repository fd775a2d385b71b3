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

/* Unix side: a Windows file HANDLE becomes a caller-owned fd that ds-runtime reads directly. */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ntstatus.h"
#define WIN32_NO_STATUS
#include "windef.h"
#include "winbase.h"
#include "winternl.h"
#include "unix_private_gen.h"
#ifndef __DSTORAGE_OOT_WINE_UNIXLIB_H
/* wine_server_handle_to_fd(); out of tree, the stand-in wine/unixlib.h declares it. Without the
 * prototype the in-tree build called it implicitly and got STATUS_INVALID_HANDLE back. */
#include "wine/server.h"
#endif
#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

NTSTATUS file_open(void *args)
{
    struct file_open_params *params = args;
    struct unix_file *object;
    unsigned int options, status;
    struct stat st;
    int fd;

    /* FILE_READ_DATA: the handle was opened for reading on the PE side. */
    if ((status = wine_server_handle_to_fd((HANDLE)(ULONG_PTR)params->handle, FILE_READ_DATA, &fd, &options)))
    {
        WARN("handle %#llx has no Unix fd, status %#x.\n", (unsigned long long)params->handle, status);
        params->result = HRESULT_FROM_NT(status);
        return STATUS_SUCCESS;
    }
    if (fstat(fd, &st) < 0 || !(object = calloc(1, sizeof(*object))))
    {
        close(fd);
        params->result = E_OUTOFMEMORY;
        return STATUS_SUCCESS;
    }
    object->fd = fd;
    params->file = unix_file_to_handle(object);
    params->size = st.st_size;
    params->result = S_OK;
    TRACE("handle %#llx -> fd %d, size %llu.\n", (unsigned long long)params->handle, fd,
          (unsigned long long)st.st_size);
    return STATUS_SUCCESS;
}

/* Closes the fd only; requests that race a Close read fd -1 and fail with FILE_NOT_OPEN. */
NTSTATUS file_close(void *args)
{
    struct file_close_params *params = args;
    struct unix_file *object = unix_file_from_handle(params->file);
    int fd;

    if (!object) return STATUS_SUCCESS;
    fd = __atomic_exchange_n(&object->fd, -1, __ATOMIC_SEQ_CST);
    if (fd >= 0) close(fd);
    return STATUS_SUCCESS;
}

NTSTATUS file_destroy(void *args)
{
    struct file_destroy_params *params = args;
    struct unix_file *object = unix_file_from_handle(params->file);

    if (!object) return STATUS_SUCCESS;
    file_close(args);
    free(object);
    return STATUS_SUCCESS;
}
