/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* IDStorageCompressionCodec: the GDeflate codec belongs to the GDeflate issue. No codec object
 * is ever created (DStorageCreateCompressionCodec fails with E_NOTIMPL); these keep the link whole. */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

void codec_destroy(struct codec_object *codec)
{
    free(codec);
}

HRESULT codec_CompressBuffer(struct codec_object *codec, const void *src, size_t src_size, DSTORAGE_COMPRESSION level,
                             void *dst, size_t dst_size, size_t *written)
{
    FIXME("GDeflate compression is not implemented yet.\n");
    *written = 0;
    return E_NOTIMPL;
}

HRESULT codec_DecompressBuffer(struct codec_object *codec, const void *src, size_t src_size, void *dst,
                               size_t dst_size, size_t *written)
{
    FIXME("GDeflate decompression is not implemented yet.\n");
    *written = 0;
    return E_NOTIMPL;
}

size_t codec_CompressBufferBound(struct codec_object *codec, size_t uncompressed_size)
{
    FIXME("GDeflate is not implemented yet.\n");
    return 0;
}
