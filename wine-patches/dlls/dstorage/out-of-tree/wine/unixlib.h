/*
 * The few Unix-call declarations dstorage needs when it is built out of tree against an
 * installed Wine whose packaging (Debian's libwine-dev, or Wine 8.0 anywhere) does not ship
 * wine/unixlib.h.
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
/* ntdll.so, Unix side: gives a caller-owned fd; must run on a Wine-created thread. Exported by
 * ntdll.so from Wine 8.0 to 11 alike. */
extern unsigned int CDECL wine_server_handle_to_fd(HANDLE handle, unsigned int access, int *unix_fd,
                                                    unsigned int *options);
#endif
/* The PE side declares nothing here on purpose: it must not import the Unix-call entry from ntdll
 * (Wine 8.0 exports __wine_unix_call, Wine >= 9 only __wine_unix_call_dispatcher). Without a
 * WINE_UNIX_CALL from a Wine tree, the generated dstorage_private_gen.h finds it at run time. */

#endif /* __DSTORAGE_OOT_WINE_UNIXLIB_H */
