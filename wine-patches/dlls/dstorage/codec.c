/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * IDStorageCompressionCodec for GDeflate and Zstandard (DirectStorage 1.4): ds-runtime's CPU
 * codecs behind the codec_* Unix calls, which pick the format's codec.
 * DirectStorage documents the codec as not thread-safe; ours keeps no state besides the thread
 * count, so concurrent calls are harmless anyway.
 *
 * HRESULTs (the reference documents none for the codec; these are ds-kit's choices):
 * null pointers E_INVALIDARG (as the generated wrappers do for a null out pointer), an unknown
 * DSTORAGE_COMPRESSION E_INVALIDARG, a destination too small
 * HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER), a stream that does not decode
 * E_DSTORAGE_DECOMPRESSION_ERROR.
 */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

struct codec_state
{
    DSTORAGE_COMPRESSION_FORMAT format; /* GDEFLATE or ZSTD */
    UINT32 threads;                     /* 0: one per CPU */
};

HRESULT codec_create(DSTORAGE_COMPRESSION_FORMAT format, UINT32 threads, REFIID riid, void **out)
{
    struct codec_object *codec;
    HRESULT hr;

    if (!(codec = calloc(1, sizeof(*codec)))) return E_OUTOFMEMORY;
    codec_object_init(codec); /* sets state to NULL */
    if (!(codec->state = calloc(1, sizeof(*codec->state))))
    {
        free(codec);
        return E_OUTOFMEMORY;
    }
    codec->state->format = format;
    codec->state->threads = threads;
    hr = codec_object_QueryInterface(codec, riid, out);
    codec_object_Release(codec);
    TRACE("codec %p, format %u, threads %u, hr %#lx.\n", codec, format, threads, hr);
    return hr;
}

void codec_destroy(struct codec_object *codec)
{
    free(codec->state);
    free(codec);
}

/* GDeflate: 1, 9, 12 (docs/gdeflate.md). Zstandard: 1, 3 (zstd's own default), 19 (the highest
 * level whose window stays at 8 MiB; docs/runtime.md). 0: not a DSTORAGE_COMPRESSION. */
static int codec_level(DSTORAGE_COMPRESSION_FORMAT format, DSTORAGE_COMPRESSION level)
{
    BOOL zstd = format == DSTORAGE_COMPRESSION_FORMAT_ZSTD;

    switch (level)
    {
    case DSTORAGE_COMPRESSION_FASTEST:
        return 1;
    case DSTORAGE_COMPRESSION_DEFAULT:
        return zstd ? 3 : 9;
    case DSTORAGE_COMPRESSION_BEST_RATIO:
        return zstd ? 19 : 12;
    }
    return 0;
}

HRESULT codec_CompressBuffer(struct codec_object *codec, const void *src, size_t src_size,
                             DSTORAGE_COMPRESSION level, void *dst, size_t dst_size,
                             size_t *written)
{
    struct codec_compress_params params = {.format = codec->state->format,
                                           .src = src,
                                           .size = src_size,
                                           .dst = dst,
                                           .capacity = dst_size,
                                           .threads = codec->state->threads};
    HRESULT hr;

    TRACE("codec %p, src %p, size %Iu, level %d, dst %p, dst_size %Iu, written %p.\n", codec, src,
          src_size, level, dst, dst_size, written);
    if (!written) return E_INVALIDARG;
    *written = 0;
    if ((!src && src_size) || (!dst && dst_size)) return E_INVALIDARG;
    if (!(params.level = codec_level(codec->state->format, level)))
    {
        WARN("Unknown compression level %d.\n", level);
        return E_INVALIDARG;
    }
    if (FAILED(hr = dstorage_unix_call(unix_codec_compress, &params))) return hr;
    if (SUCCEEDED(params.result))
        *written = params.written;
    else
        WARN("CompressBuffer of %Iu bytes into %Iu failed, hr %#lx.\n", src_size, dst_size,
             params.result);
    return params.result;
}

HRESULT codec_DecompressBuffer(struct codec_object *codec, const void *src, size_t src_size,
                               void *dst, size_t dst_size, size_t *written)
{
    struct codec_decompress_params params = {.format = codec->state->format,
                                             .src = src,
                                             .size = src_size,
                                             .dst = dst,
                                             .capacity = dst_size,
                                             .threads = codec->state->threads};
    HRESULT hr;

    TRACE("codec %p, src %p, size %Iu, dst %p, dst_size %Iu, written %p.\n", codec, src, src_size,
          dst, dst_size, written);
    if (!written) return E_INVALIDARG;
    *written = 0;
    if ((!src && src_size) || (!dst && dst_size)) return E_INVALIDARG;
    if (FAILED(hr = dstorage_unix_call(unix_codec_decompress, &params))) return hr;
    if (SUCCEEDED(params.result)) *written = params.written;
    return params.result;
}

size_t codec_CompressBufferBound(struct codec_object *codec, size_t uncompressed_size)
{
    struct codec_compress_bound_params params = {.format = codec->state->format,
                                                 .size = uncompressed_size};

    if (FAILED(dstorage_unix_call(unix_codec_compress_bound, &params))) return 0;
    TRACE("codec %p, %Iu -> %s.\n", codec, uncompressed_size, debugstr_size(params.bound));
    return params.bound;
}
