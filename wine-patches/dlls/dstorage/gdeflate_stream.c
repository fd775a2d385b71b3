/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The container of a GDeflate tile stream, checked on the CPU before a GPU decoder sees it
 * (docs/gdeflate.md has the format). A GPU decoder takes the header and the tile table as they
 * are: a tile count that does not match the destination, or a tile offset past the bytes that
 * were read, would make it read or write outside the stream's ranges. This check makes sure
 * neither can happen; it does not look inside the tiles (see docs/wine-module.md, GDeflate).
 * This file calls nobody.
 */
#include "dstorage_private.h"

#define GDEFLATE_ID 4
#define GDEFLATE_TILE 65536u
#define GDEFLATE_HEADER 8u
/* Tiles are made of 32-bit words (a GPU decoder reads them as such: every tile must start 4-byte
 * aligned), and an encoded tile is never larger than its bound (docs/gdeflate.md: 64 KiB + 4 +
 * 832 + 32 bytes). */
#define TILE_MAX_BYTES (GDEFLATE_TILE + 4 + 832 + 32)

static UINT32 read32(const BYTE *p)
{
    return p[0] | (UINT32)p[1] << 8 | (UINT32)p[2] << 16 | (UINT32)p[3] << 24;
}

static BOOL tile_ok(UINT64 start, UINT64 next, UINT64 data_size)
{
    return next > start && next - start <= TILE_MAX_BYTES && !(start % 4) && next <= data_size;
}

BOOL gdeflate_stream_check(const BYTE *data, UINT64 size, UINT64 uncompressed, const char **problem)
{
    UINT32 tiles, last_size, expected_tiles, i;
    UINT64 table_end, data_size, start, next;

    if (size < GDEFLATE_HEADER)
    {
        *problem = "shorter than a stream header";
        return FALSE;
    }
    if (data[0] != GDEFLATE_ID || data[1] != (BYTE)(GDEFLATE_ID ^ 0xff))
    {
        *problem = "not a GDeflate stream (bad id or magic)";
        return FALSE;
    }
    tiles = data[2] | (UINT32)data[3] << 8;
    if ((read32(data + 4) & 3) != 1)
    {
        *problem = "tile size other than 64 KiB";
        return FALSE;
    }
    last_size = (read32(data + 4) >> 2) & 0x3ffff;
    expected_tiles = (UINT32)((uncompressed + GDEFLATE_TILE - 1) / GDEFLATE_TILE);
    if (!uncompressed || tiles != expected_tiles ||
        last_size != (UINT32)(uncompressed % GDEFLATE_TILE))
    {
        *problem = "its uncompressed size differs from UncompressedSize";
        return FALSE;
    }
    table_end = GDEFLATE_HEADER + (UINT64)tiles * 4;
    if (size < table_end)
    {
        *problem = "its tile table runs past the bytes read";
        return FALSE;
    }
    data_size = size - table_end;
    /* table[0]: compressed size of the last tile; table[i > 0]: offset of tile i. */
    for (i = 0, start = 0; i < tiles; ++i, start = next)
    {
        next = i + 1 < tiles ? read32(data + GDEFLATE_HEADER + 4 * (i + 1))
                             : start + read32(data + GDEFLATE_HEADER);
        if (!tile_ok(start, next, data_size))
        {
            *problem = "a tile's offset or size lies outside the stream";
            return FALSE;
        }
    }
    return TRUE;
}
