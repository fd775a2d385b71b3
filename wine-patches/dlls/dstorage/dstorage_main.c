/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* dstorage.dll entry points: DllMain, the exports and the process-wide state. */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

struct dstorage_process dstorage_process = {
    .staging_buffer_size = DSTORAGE_STAGING_BUFFER_SIZE_32MB,
};

HRESULT dstorage_unix_call(enum dstorage_unix_funcs code, void *params)
{
    NTSTATUS status = WINE_UNIX_CALL(code, params);

    if (status)
    {
        ERR("Unix call %u failed, status %#lx; is dstorage.so next to dstorage.dll?\n", code,
            status);
        return HRESULT_FROM_NT(status);
    }
    return S_OK;
}

/* The Unix backend is created on first use, with the configuration in force then. */
HRESULT dstorage_backend(UINT64 *backend)
{
    struct backend_create_params params = {0};
    HRESULT hr = S_OK;

    EnterCriticalSection(&dstorage_process.cs);
    if (!dstorage_process.backend)
    {
        params.staging_buffer_size = dstorage_process.staging_buffer_size;
        params.worker_count = dstorage_process.config.NumSubmitThreads;
        params.force_file_buffering = dstorage_process.config.ForceFileBuffering;
        if (SUCCEEDED(hr = dstorage_unix_call(unix_backend_create, &params)) &&
            SUCCEEDED(hr = params.result))
        {
            dstorage_process.backend = params.backend;
            dstorage_process.backend_gdeflate = !!params.gdeflate;
            dstorage_process.backend_zstd = !!params.zstd;
            dstorage_process.backend_gacl = !!params.gacl;
        }
        else
            ERR("Cannot create the I/O backend, hr %#lx.\n", hr);
    }
    *backend = dstorage_process.backend;
    LeaveCriticalSection(&dstorage_process.cs);
    return hr;
}

/* A size in MiB from the environment variable name (measurement knobs), in bytes; fallback when
 * it is unset, or not a number from 1 to 4096 (with a WARN that says so). */
UINT64 dstorage_env_mib(const char *name, UINT64 fallback)
{
    const char *env = getenv(name);
    UINT64 mib;

    if (!env || !*env) return fallback;
    if ((mib = strtoull(env, NULL, 10)) >= 1 && mib <= 4096) return mib << 20;
    WARN("%s=%s is not a size in MiB (1 to 4096); using the default.\n", name, env);
    return fallback;
}

/* Queues and files pin the staging size and configuration (E_DSTORAGE_STAGING_BUFFER_LOCKED). */
BOOL dstorage_staging_locked(void)
{
    return ReadNoFence(&dstorage_process.queue_count) || ReadNoFence(&dstorage_process.file_count);
}

/* The CreatorID of the calls before DStorageSetConfiguration2. (Not GUID_NULL: that pulls
 * libuuid's uuid.o in, whose IIDs clash with the ones dstorage_gen.c defines.) */
static const GUID no_creator_id;

static HRESULT set_configuration(const DSTORAGE_CONFIGURATION1 *config, const GUID *creator_id)
{
    HRESULT hr = S_OK;

    EnterCriticalSection(&dstorage_process.cs);
    if (dstorage_staging_locked())
    {
        WARN("Queues or files exist; release them before changing the configuration.\n");
        hr = E_DSTORAGE_STAGING_BUFFER_LOCKED;
    }
    else
    {
        dstorage_process.config = *config;
        dstorage_process.creator_id = *creator_id;
        if (dstorage_process.backend)
        {
            struct backend_destroy_params params = {.backend = dstorage_process.backend};
            dstorage_unix_call(unix_backend_destroy, &params);
            dstorage_process.backend = 0;
        }
    }
    LeaveCriticalSection(&dstorage_process.cs);
    return hr;
}

HRESULT WINAPI DStorageSetConfiguration(const DSTORAGE_CONFIGURATION *config)
{
    DSTORAGE_CONFIGURATION1 config1 = {0};

    TRACE("config %p.\n", config);
    if (!config) return E_INVALIDARG;
    memcpy(&config1, config, sizeof(*config));
    return set_configuration(&config1, &no_creator_id);
}

HRESULT WINAPI DStorageSetConfiguration1(const DSTORAGE_CONFIGURATION1 *config)
{
    TRACE("config %p.\n", config);
    if (!config) return E_INVALIDARG;
    return set_configuration(config, &no_creator_id);
}

/* DirectStorage 1.4 (preview layout): CONFIGURATION1's fields, then the title's CreatorID. */
C_ASSERT(offsetof(DSTORAGE_CONFIGURATION2, CreatorID) == sizeof(DSTORAGE_CONFIGURATION1));

HRESULT WINAPI DStorageSetConfiguration2(const DSTORAGE_CONFIGURATION2 *config)
{
    DSTORAGE_CONFIGURATION1 config1;

    TRACE("config %p.\n", config);
    if (!config) return E_INVALIDARG;
    TRACE("CreatorID %s.\n", debugstr_guid(&config->CreatorID));
    memcpy(&config1, config, sizeof(config1));
    return set_configuration(&config1, &config->CreatorID);
}

HRESULT WINAPI DStorageGetFactory(REFIID riid, void **out)
{
    struct factory_object *factory;
    UINT64 backend;
    HRESULT hr;

    TRACE("riid %s, out %p.\n", debugstr_guid(riid), out);
    if (!out) return E_POINTER;
    *out = NULL;
    if (!riid) return E_INVALIDARG;
    if (FAILED(hr = dstorage_backend(&backend))) return hr;

    EnterCriticalSection(&dstorage_process.cs);
    if ((factory = dstorage_process.factory))
    {
        hr = factory_object_QueryInterface(factory, riid, out);
    }
    else if (!(factory = calloc(1, sizeof(*factory))))
    {
        hr = E_OUTOFMEMORY;
    }
    else
    {
        factory_object_init(factory);
        /* The process keeps its own reference: the factory is a singleton. */
        if (SUCCEEDED(hr = factory_object_QueryInterface(factory, riid, out)))
            dstorage_process.factory = factory;
        else
            free(factory);
    }
    LeaveCriticalSection(&dstorage_process.cs);
    return hr;
}

HRESULT WINAPI DStorageCreateCompressionCodec(DSTORAGE_COMPRESSION_FORMAT format, UINT32 threads,
                                              REFIID riid, void **out)
{
    TRACE("format %u, threads %u, riid %s, out %p.\n", format, threads, debugstr_guid(riid), out);
    if (!out) return E_POINTER;
    *out = NULL;
    if (!riid) return E_INVALIDARG;
    if (format != DSTORAGE_COMPRESSION_FORMAT_GDEFLATE &&
        format != DSTORAGE_COMPRESSION_FORMAT_ZSTD)
    {
        WARN("Compression format %u has no codec; GDEFLATE (1) and ZSTD (2) do.\n", format);
        return E_INVALIDARG;
    }
    return codec_create(format, threads, riid, out);
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved)
{
    TRACE("instance %p, reason %lu, reserved %p.\n", instance, reason, reserved);

    switch (reason)
    {
    case DLL_PROCESS_ATTACH:
        DisableThreadLibraryCalls(instance);
        InitializeCriticalSection(&dstorage_process.cs);
        stats_init();
        if (dstorage_init_unix_call(instance))
        {
            ERR("dstorage.so not found; put it beside dstorage.dll in a WINEDLLPATH directory.\n");
            return FALSE;
        }
#ifdef __WINE_WINE_UNIXLIB_H
        /* In a Wine tree (8.0 included), Wine's own wine/unixlib.h defines WINE_UNIX_CALL over
         * __wine_unixlib_handle, which only __wine_init_unix_call() fills. */
        if (__wine_init_unix_call())
        {
            ERR("__wine_init_unix_call failed: dstorage.so was not loaded with dstorage.dll.\n");
            return FALSE;
        }
#endif
        break;
    case DLL_PROCESS_DETACH:
        stats_process_report();
        if (reserved) break;
        DeleteCriticalSection(&dstorage_process.cs);
        break;
    }
    return TRUE;
}
