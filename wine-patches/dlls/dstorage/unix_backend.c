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

/* Unix side: the process-wide ds-runtime backend, and the GDeflate and Zstandard codec calls.
 *
 * The backend is ds-runtime's CPU backend: it decodes GDeflate and Zstandard on its workers
 * (io_uring and Vulkan complete compressed requests as unsupported), and every request of a queue
 * goes to one runtime queue, so compressed and plain reads keep their ordering.
 * DS_KIT_WINE_BACKEND=io_uring picks the io_uring backend instead (no decoding:
 * GetCompressionSupport reports NONE then). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr */
#endif
#include <dlfcn.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ntstatus.h"
#define WIN32_NO_STATUS
#include "windef.h"
#include "winbase.h"
#include "winternl.h"
#include "unix_private_gen.h"
#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

NTSTATUS backend_create(void *args)
{
    struct backend_create_params *params = args;
    ds_io_uring_backend_desc uring_desc = {0};
    ds_cpu_backend_desc cpu_desc = {.worker_count = params->worker_count};
    struct unix_backend *object;
    ds_backend *backend = NULL;
    const char *choice;
    ds_result res;

    if (!(object = calloc(1, sizeof(*object)))) return STATUS_NO_MEMORY;
    if (params->vk_device)
        WARN("Vulkan handles given, but this build stages GPU data through D3D12; using a CPU "
             "backend.\n");
    if (!params->force_file_buffering && (choice = getenv("DS_KIT_WINE_BACKEND")) &&
        !strcmp(choice, "io_uring") &&
        (res = ds_io_uring_backend_create(&uring_desc, &backend)) != DS_OK)
    {
        WARN("io_uring backend unavailable (%d), falling back to the CPU backend.\n", res);
        backend = NULL;
    }
    if (!backend && (res = ds_cpu_backend_create(&cpu_desc, &backend)) != DS_OK)
    {
        ERR("Cannot create a ds-runtime backend (%d); check memory limits and ulimit -n.\n", res);
        free(object);
        params->result = E_FAIL;
        return STATUS_SUCCESS;
    }
    object->backend = backend;
    /* The +dstorage load line: the first DStorageGetFactory creates the backend. It names the
     * dstorage.so that is running, so a log says which Wine or Proton the module came from. */
    if (TRACE_ON(dstorage))
    {
        char path[PATH_MAX];
        Dl_info info;
        const char *from = "an unknown path";

        if (dladdr((void *)backend_create, &info) && info.dli_fname)
            from = realpath(info.dli_fname, path) ? path : info.dli_fname;
        TRACE("ds-kit %s: backend %s, GDeflate %s, Zstandard %s, from %s.\n", DS_KIT_VERSION,
              ds_backend_name(backend), ds_backend_supports_gdeflate(backend) ? "yes" : "no",
              ds_backend_supports_zstd(backend) ? "yes" : "no", from);
    }
    params->gdeflate = ds_backend_supports_gdeflate(backend);
    params->zstd = ds_backend_supports_zstd(backend);
    params->gacl = ds_backend_supports_gacl(backend);
    params->backend = unix_backend_to_handle(object);
    params->has_gpu = ds_backend_has_gpu(backend);
    params->result = S_OK;
    return STATUS_SUCCESS;
}

NTSTATUS backend_destroy(void *args)
{
    struct backend_destroy_params *params = args;
    struct unix_backend *object = unix_backend_from_handle(params->backend);

    if (!object) return STATUS_SUCCESS;
    ds_backend_destroy(object->backend);
    free(object);
    return STATUS_SUCCESS;
}

NTSTATUS backend_get_stats(void *args)
{
    struct backend_get_stats_params *params = args;

    ds_backend_get_stats(unix_backend_from_handle(params->backend)->backend,
                         (ds_backend_stats *)&params->stats);
    return STATUS_SUCCESS;
}

static HRESULT codec_hresult(ds_gdeflate_error error, BOOL decompress)
{
    switch (error)
    {
    case DS_GDEFLATE_OK:
        return S_OK;
    case DS_GDEFLATE_INVALID_ARGUMENT:
        return E_INVALIDARG;
    case DS_GDEFLATE_OUTPUT_OVERRUN:
        return HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER);
    case DS_GDEFLATE_OUT_OF_MEMORY:
        return E_OUTOFMEMORY;
    default:
        return decompress ? E_DSTORAGE_DECOMPRESSION_ERROR : E_FAIL;
    }
}

/* The same choices for Zstandard; a runtime built without libzstd gives E_NOTIMPL. */
static HRESULT zstd_hresult(ds_zstd_error error, BOOL decompress)
{
    switch (error)
    {
    case DS_ZSTD_OK:
        return S_OK;
    case DS_ZSTD_INVALID_ARGUMENT:
        return E_INVALIDARG;
    case DS_ZSTD_OUTPUT_OVERRUN:
        return HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER);
    case DS_ZSTD_OUT_OF_MEMORY:
        return E_OUTOFMEMORY;
    case DS_ZSTD_UNAVAILABLE:
        return E_NOTIMPL;
    default:
        return decompress ? E_DSTORAGE_DECOMPRESSION_ERROR : E_FAIL;
    }
}

NTSTATUS codec_compress(void *args)
{
    struct codec_compress_params *params = args;
    size_t written = 0;

    if (params->format == DSTORAGE_COMPRESSION_FORMAT_ZSTD)
    {
        ds_zstd_error error =
            ds_zstd_compress(params->src, params->size, params->level, params->dst,
                             params->capacity, &written, params->threads);
        TRACE("Zstandard: %llu bytes at level %d -> %llu bytes: %s.\n",
              (unsigned long long)params->size, params->level, (unsigned long long)written,
              ds_zstd_error_name(error));
        params->result = zstd_hresult(error, FALSE);
    }
    else
    {
        ds_gdeflate_error error =
            ds_gdeflate_compress(params->src, params->size, params->level, params->dst,
                                 params->capacity, &written, params->threads);
        TRACE("GDeflate: %llu bytes at level %d -> %llu bytes: %s.\n",
              (unsigned long long)params->size, params->level, (unsigned long long)written,
              ds_gdeflate_error_name(error));
        params->result = codec_hresult(error, FALSE);
    }
    params->written = written;
    return STATUS_SUCCESS;
}

NTSTATUS codec_decompress(void *args)
{
    struct codec_decompress_params *params = args;
    size_t written = 0;

    if (params->format == DSTORAGE_COMPRESSION_FORMAT_ZSTD)
    {
        ds_zstd_error error =
            ds_zstd_decompress(params->src, params->size, params->dst, params->capacity, &written);
        if (error)
            WARN("Zstandard stream of %llu bytes: %s.\n", (unsigned long long)params->size,
                 ds_zstd_error_name(error));
        params->result = zstd_hresult(error, TRUE);
    }
    else
    {
        ds_gdeflate_error error = ds_gdeflate_decompress(
            params->src, params->size, params->dst, params->capacity, &written, params->threads);
        if (error)
            WARN("GDeflate stream of %llu bytes: %s.\n", (unsigned long long)params->size,
                 ds_gdeflate_error_name(error));
        params->result = codec_hresult(error, TRUE);
    }
    params->written = written;
    return STATUS_SUCCESS;
}

NTSTATUS codec_compress_bound(void *args)
{
    struct codec_compress_bound_params *params = args;

    params->bound = params->format == DSTORAGE_COMPRESSION_FORMAT_ZSTD
                        ? ds_zstd_compress_bound(params->size)
                        : ds_gdeflate_compress_bound(params->size);
    return STATUS_SUCCESS;
}
