/*
 * Out-of-tree Unix side only, included before anything else (-include): the few functions the Unix
 * side takes from ntdll.so are called through unix_wine_abi.c, which finds them in the loaded
 * ntdll.so at run time and calls them with that Wine's calling convention. Wine 8.0 exports them
 * with the Windows x64 convention (its __cdecl is ms_abi), Wine >= 9 with the System V one, under
 * the same names: a dstorage.so linked straight against either crashes in the other.
 *
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __DSTORAGE_OOT_WINE_ABI_H
#define __DSTORAGE_OOT_WINE_ABI_H

/* Each name on the left is looked up in ntdll.so by unix_wine_abi.c (test/wine/wine10.test.ts reads
 * this list and checks that Wine 8.0 and 10.0 both export every one). */
#define wine_server_handle_to_fd dstorage_wine_server_handle_to_fd
#define __wine_dbg_get_channel_flags dstorage_wine_dbg_get_channel_flags
#define __wine_dbg_strdup dstorage_wine_dbg_strdup
#define __wine_dbg_output dstorage_wine_dbg_output
#define __wine_dbg_header dstorage_wine_dbg_header

#endif /* __DSTORAGE_OOT_WINE_ABI_H */
