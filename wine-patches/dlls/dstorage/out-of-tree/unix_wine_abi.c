/*
 * Out-of-tree Unix side only: the ntdll.so functions dstorage.so uses, found at run time in the
 * ntdll.so that loaded it and called with that Wine's calling convention (see wine_abi.h).
 *
 * Which convention: Wine 8.0's ntdll.so exports these functions with ms_abi; Wine 9 and later with
 * System V. The two are told apart by __wine_unix_call_dispatcher, a function ntdll.so exports from
 * Wine 9 on and Wine 8.0 does not (Wine 8.0 exports __wine_unix_call_dispatcher_prolog_end there).
 * Tested with Debian's 8.0 and 10.0 (test/wine/wine10.test.ts).
 *
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "ntstatus.h"
#define WIN32_NO_STATUS
#include "windef.h"
#include "winbase.h"
#include "winternl.h"
#include "wine/unixlib.h"
#include "wine/debug.h"

#define MS __attribute__((ms_abi))
#define SYSV __attribute__((sysv_abi))

static struct
{
    BOOL ms_abi;
    void *handle_to_fd, *get_channel_flags, *strdup, *output, *header;
} ntdll;
static pthread_once_t ntdll_once = PTHREAD_ONCE_INIT;

static void *ntdll_symbol(void *lib, const char *name)
{
    void *ptr = dlsym(lib, name);
    if (!ptr)
    {
        /* No Wine channel to report through yet: this is the one message that goes to stderr. */
        fprintf(stderr, "dstorage.so: ntdll.so has no %s; this Wine is not one dstorage knows (tested with "
                "8.0 and 10.0). Please report it with `wine --version`.\n", name);
        abort();
    }
    return ptr;
}

static void ntdll_init(void)
{
    void *lib = dlopen("ntdll.so", RTLD_NOW | RTLD_NOLOAD);

    if (!lib) lib = RTLD_DEFAULT;
    ntdll.ms_abi = !dlsym(lib, "__wine_unix_call_dispatcher");
    ntdll.handle_to_fd = ntdll_symbol(lib, "wine_server_handle_to_fd");
    ntdll.get_channel_flags = ntdll_symbol(lib, "__wine_dbg_get_channel_flags");
    ntdll.strdup = ntdll_symbol(lib, "__wine_dbg_strdup");
    ntdll.output = ntdll_symbol(lib, "__wine_dbg_output");
    ntdll.header = ntdll_symbol(lib, "__wine_dbg_header");
}

static inline void ntdll_ready(void)
{
    pthread_once(&ntdll_once, ntdll_init);
}

unsigned int CDECL wine_server_handle_to_fd(HANDLE handle, unsigned int access, int *unix_fd, unsigned int *options)
{
    ntdll_ready();
    if (ntdll.ms_abi)
        return ((unsigned int (MS *)(HANDLE, unsigned int, int *, unsigned int *))ntdll.handle_to_fd)(handle, access, unix_fd, options);
    return ((unsigned int (SYSV *)(HANDLE, unsigned int, int *, unsigned int *))ntdll.handle_to_fd)(handle, access, unix_fd, options);
}

unsigned char __cdecl __wine_dbg_get_channel_flags(struct __wine_debug_channel *channel)
{
    ntdll_ready();
    if (ntdll.ms_abi) return ((unsigned char (MS *)(struct __wine_debug_channel *))ntdll.get_channel_flags)(channel);
    return ((unsigned char (SYSV *)(struct __wine_debug_channel *))ntdll.get_channel_flags)(channel);
}

const char * __cdecl __wine_dbg_strdup(const char *str)
{
    ntdll_ready();
    if (ntdll.ms_abi) return ((const char *(MS *)(const char *))ntdll.strdup)(str);
    return ((const char *(SYSV *)(const char *))ntdll.strdup)(str);
}

int __cdecl __wine_dbg_output(const char *str)
{
    ntdll_ready();
    if (ntdll.ms_abi) return ((int (MS *)(const char *))ntdll.output)(str);
    return ((int (SYSV *)(const char *))ntdll.output)(str);
}

int __cdecl __wine_dbg_header(enum __wine_debug_class cls, struct __wine_debug_channel *channel, const char *function)
{
    ntdll_ready();
    if (ntdll.ms_abi)
        return ((int (MS *)(enum __wine_debug_class, struct __wine_debug_channel *, const char *))ntdll.header)(cls, channel, function);
    return ((int (SYSV *)(enum __wine_debug_class, struct __wine_debug_channel *, const char *))ntdll.header)(cls, channel, function);
}
