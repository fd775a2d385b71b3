/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* IDStorageFile: the PE HANDLE (for GetFileInformation) and the Unix fd the runtime reads. */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

static void file_close_handles(struct file_object *file)
{
    struct file_close_params params = {.file = file->handle};
    HANDLE handle;

    dstorage_unix_call(unix_file_close, &params);
    handle = InterlockedExchangePointer(&file->state->handle, INVALID_HANDLE_VALUE);
    if (handle != INVALID_HANDLE_VALUE) CloseHandle(handle);
    if (InterlockedExchange((LONG *)&file->state->counted, FALSE))
        InterlockedDecrement(&dstorage_process.file_count);
}

void file_Close(struct file_object *file)
{
    TRACE("file %p, %s.\n", file, debugstr_w(file->state->path));
    file_close_handles(file);
}

void file_destroy(struct file_object *file)
{
    struct file_destroy_params params = {.file = file->handle};

    file_close_handles(file);
    dstorage_unix_call(unix_file_destroy, &params);
    free(file->state->path);
    free(file->state);
    free(file);
}

HRESULT file_GetFileInformation(struct file_object *file, BY_HANDLE_FILE_INFORMATION *info)
{
    HANDLE handle = InterlockedCompareExchangePointer(&file->state->handle, NULL, NULL);

    if (handle == INVALID_HANDLE_VALUE) return E_DSTORAGE_FILE_NOT_OPEN;
    if (!GetFileInformationByHandle(handle, info)) return HRESULT_FROM_WIN32(GetLastError());
    return S_OK;
}

UINT64 file_unix_handle(IDStorageFile *iface)
{
    return iface ? file_from_IDStorageFile(iface)->handle : 0;
}

const WCHAR *file_path(IDStorageFile *iface)
{
    return iface ? file_from_IDStorageFile(iface)->state->path : L"";
}
