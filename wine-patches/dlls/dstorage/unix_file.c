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
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dup3 */
#endif
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
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

/*
 * Close and requests in flight. A request carries the fd number it was enqueued with, and the
 * runtime may read it any time until the request completes. Close must therefore never free that
 * number (the kernel would hand it to the next file opened, and the request would read that file
 * and report success). Instead Close points the number at /dev/null opened write-only: a read
 * through it fails with EBADF, which the PE side reports as E_DSTORAGE_FILE_NOT_OPEN. The number
 * is closed when the object is destroyed, which is after every request holding the file (the PE
 * side keeps a reference per request until it completes). Requests enqueued after Close see fd -1
 * and fail validation with the same HRESULT.
 */
static int closed_file_fd(void)
{
    static int marker = -2;
    int fd = __atomic_load_n(&marker, __ATOMIC_ACQUIRE), old = -2;

    if (fd != -2) return fd;
    fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (!__atomic_compare_exchange_n(&marker, &old, fd, FALSE, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    {
        if (fd >= 0) close(fd);
        fd = old;
    }
    return fd;
}

NTSTATUS file_open(void *args)
{
    struct file_open_params *params = args;
    struct unix_file *object;
    unsigned int options, status;
    struct stat st;
    int fd;

    /* FILE_READ_DATA: the handle was opened for reading on the PE side. */
    if ((status = wine_server_handle_to_fd((HANDLE)(ULONG_PTR)params->handle, FILE_READ_DATA, &fd,
                                           &options)))
    {
        WARN("handle %#llx has no Unix fd, status %#x.\n", (unsigned long long)params->handle,
             status);
        params->result = HRESULT_FROM_NT(status);
        return STATUS_SUCCESS;
    }
    if (fstat(fd, &st) < 0 || !(object = calloc(1, sizeof(*object))))
    {
        close(fd);
        params->result = E_OUTOFMEMORY;
        return STATUS_SUCCESS;
    }
    object->fd = object->reserved_fd = fd;
    params->file = unix_file_to_handle(object);
    params->size = st.st_size;
    params->result = S_OK;
    TRACE("handle %#llx -> fd %d, size %llu.\n", (unsigned long long)params->handle, fd,
          (unsigned long long)st.st_size);
    return STATUS_SUCCESS;
}

NTSTATUS file_close(void *args)
{
    struct file_close_params *params = args;
    struct unix_file *object = unix_file_from_handle(params->file);
    int fd, marker;

    if (!object) return STATUS_SUCCESS;
    fd = __atomic_exchange_n(&object->fd, -1, __ATOMIC_SEQ_CST);
    if (fd < 0) return STATUS_SUCCESS;
    if ((marker = closed_file_fd()) < 0 || dup3(marker, fd, O_CLOEXEC) < 0)
        /* Without /dev/null the number stays on the file itself until destruction: requests in
         * flight still read the right file, only later than the application closed it. */
        WARN("fd %d stays open until the file object is released (no /dev/null: %s).\n", fd,
             strerror(errno));
    TRACE("fd %d closed; requests still holding it fail with FILE_NOT_OPEN.\n", fd);
    return STATUS_SUCCESS;
}

NTSTATUS file_destroy(void *args)
{
    struct file_destroy_params *params = args;
    struct unix_file *object = unix_file_from_handle(params->file);

    if (!object) return STATUS_SUCCESS;
    file_close(args);
    if (object->reserved_fd >= 0) close(object->reserved_fd);
    free(object);
    return STATUS_SUCCESS;
}
