/*
 * The few Unix-call declarations dstorage needs when it is built out of tree against an
 * installed Wine 8.x whose packaging (Debian's libwine-dev) does not ship wine/unixlib.h.
 * In-tree builds use Wine's own header; this directory is only on the out-of-tree include path.
 *
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __DSTORAGE_OOT_WINE_UNIXLIB_H
#define __DSTORAGE_OOT_WINE_UNIXLIB_H

typedef NTSTATUS (*unixlib_entry_t)(void *args);
typedef UINT64 unixlib_handle_t;

#ifdef WINE_UNIX_LIB
/* ntdll.so, Unix side: gives a caller-owned fd; must run on a Wine-created thread. */
extern unsigned int CDECL wine_server_handle_to_fd(HANDLE handle, unsigned int access, int *unix_fd,
                                                    unsigned int *options);
#else
/* ntdll.dll, PE side (exported since Wine 7.x). */
extern NTSTATUS WINAPI __wine_unix_call(unixlib_handle_t handle, unsigned int code, void *args);
#endif

#endif /* __DSTORAGE_OOT_WINE_UNIXLIB_H */
