/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * GPU destinations checked against their resource at enqueue (GetDesc, subresource count, tiling),
 * before anything sizes, stages or records a copy for them. A request that fails is enqueued as a
 * placeholder that fails with the HRESULT found here (mapping.json rows destination_*), so it
 * still takes its slot and ordering stays exact, and goes into the error record like any other.
 *
 * HRESULTs (the reference names the two E_DSTORAGE codes; which case gets which is our choice):
 * - no resource: E_INVALIDARG (as a MEMORY destination without a buffer);
 * - a resource of the wrong kind (BUFFER into a texture, a texture destination into a buffer,
 *   TILES into a resource that is not reserved): E_DSTORAGE_INVALID_DESTINATION_TYPE;
 * - a range the resource does not have (Offset + Size past the buffer, computed without
 *   overflow; a subresource index past the last; a box that is empty or leaves the subresource;
 *   tiles past the resource's): E_DSTORAGE_INVALID_DESTINATION_SIZE.
 */
#include "dstorage_private.h"

static D3D12_RESOURCE_DESC resource_desc(ID3D12Resource *resource)
{
    D3D12_RESOURCE_DESC desc;

    resource->lpVtbl->GetDesc(resource, &desc);
    return desc;
}

static BOOL is_texture(const D3D12_RESOURCE_DESC *desc)
{
    return desc->Dimension == D3D12_RESOURCE_DIMENSION_TEXTURE1D ||
           desc->Dimension == D3D12_RESOURCE_DIMENSION_TEXTURE2D ||
           desc->Dimension == D3D12_RESOURCE_DIMENSION_TEXTURE3D;
}

static UINT mip_levels(const D3D12_RESOURCE_DESC *desc)
{
    UINT64 size =
        max(max(desc->Width, desc->Height),
            desc->Dimension == D3D12_RESOURCE_DIMENSION_TEXTURE3D ? desc->DepthOrArraySize : 1);
    UINT levels = 1;

    if (desc->MipLevels) return desc->MipLevels;
    while (size > 1)
    {
        size >>= 1;
        ++levels;
    }
    return levels;
}

/* Depth-stencil formats with stencil have two planes (the copy footprints count both). */
static UINT plane_count(ID3D12Device *device, DXGI_FORMAT format)
{
    D3D12_FEATURE_DATA_FORMAT_INFO info = {.Format = format};

    if (device &&
        SUCCEEDED(ID3D12Device_CheckFeatureSupport(device, D3D12_FEATURE_FORMAT_INFO, &info,
                                                   sizeof(info))) &&
        info.PlaneCount)
        return info.PlaneCount;
    return 1;
}

static UINT64 subresource_count(ID3D12Device *device, const D3D12_RESOURCE_DESC *desc)
{
    UINT64 layers =
        desc->Dimension == D3D12_RESOURCE_DIMENSION_TEXTURE3D ? 1 : desc->DepthOrArraySize;

    return (UINT64)mip_levels(desc) * layers * plane_count(device, desc->Format);
}

static BOOL block_compressed(DXGI_FORMAT format)
{
    return (format >= DXGI_FORMAT_BC1_TYPELESS && format <= DXGI_FORMAT_BC5_SNORM) ||
           (format >= DXGI_FORMAT_BC6H_TYPELESS && format <= DXGI_FORMAT_BC7_UNORM_SRGB);
}

/* The box must be non-empty and inside the subresource's mip level (block-compressed formats:
 * inside the level rounded up to whole 4x4 blocks). */
static BOOL box_inside(const D3D12_RESOURCE_DESC *desc, UINT subresource, const D3D12_BOX *box)
{
    UINT levels = mip_levels(desc), mip = subresource % levels;
    UINT64 width = max(desc->Width >> mip, 1), height = max(desc->Height >> mip, 1), depth = 1;

    if (desc->Dimension == D3D12_RESOURCE_DIMENSION_TEXTURE3D)
        depth = max(desc->DepthOrArraySize >> mip, 1);
    if (block_compressed(desc->Format))
    {
        width = (width + 3) & ~(UINT64)3;
        height = (height + 3) & ~(UINT64)3;
    }
    return box->left < box->right && box->top < box->bottom && box->front < box->back &&
           box->right <= width && box->bottom <= height && box->back <= depth;
}

/* Reserved (tiled) resources have no heap: GetHeapProperties fails for them. */
static BOOL is_reserved(ID3D12Resource *resource)
{
    D3D12_HEAP_PROPERTIES props;
    D3D12_HEAP_FLAGS flags;

    return FAILED(ID3D12Resource_GetHeapProperties(resource, &props, &flags));
}

static HRESULT check_tiles(ID3D12Device *device, const DSTORAGE_DESTINATION_TILES *tiles,
                           const char **problem)
{
    D3D12_TILED_RESOURCE_COORDINATE coord = tiles->TiledRegionStartCoordinate;
    D3D12_RESOURCE_DESC desc;
    UINT total = 0;

    if (!tiles->Resource) return *problem = "TILES without a resource", E_INVALIDARG;
    if (!is_reserved(tiles->Resource))
        return *problem = "TILES into a resource that is not reserved (CreateReservedResource)",
               E_DSTORAGE_INVALID_DESTINATION_TYPE;
    if (!tiles->TileRegionSize.NumTiles)
        return *problem = "TILES with NumTiles 0", E_DSTORAGE_INVALID_DESTINATION_SIZE;
    desc = resource_desc(tiles->Resource);
    if (coord.Subresource >= subresource_count(device, &desc))
        return *problem = "TILES subresource past the resource's last",
               E_DSTORAGE_INVALID_DESTINATION_SIZE;
    if (device)
    {
        ID3D12Device_GetResourceTiling(device, tiles->Resource, &total, NULL, NULL, NULL, 0, NULL);
        if (total && tiles->TileRegionSize.NumTiles > total)
            return *problem = "TILES: more tiles than the resource has",
                   E_DSTORAGE_INVALID_DESTINATION_SIZE;
    }
    return S_OK;
}

HRESULT destination_check(ID3D12Device *device, const DSTORAGE_REQUEST *request,
                          const char **problem)
{
    const DSTORAGE_DESTINATION *dst = &request->Destination;
    D3D12_RESOURCE_DESC desc;
    UINT64 count, first, num;

    *problem = NULL;
    switch (request->Options.DestinationType)
    {
    case DSTORAGE_REQUEST_DESTINATION_BUFFER:
        if (!dst->Buffer.Resource) return *problem = "BUFFER without a resource", E_INVALIDARG;
        desc = resource_desc(dst->Buffer.Resource);
        if (desc.Dimension != D3D12_RESOURCE_DIMENSION_BUFFER)
            return *problem = "BUFFER whose resource is a texture",
                   E_DSTORAGE_INVALID_DESTINATION_TYPE;
        if (dst->Buffer.Offset > desc.Width || dst->Buffer.Size > desc.Width - dst->Buffer.Offset)
            return *problem = "BUFFER Offset + Size past the end of the buffer",
                   E_DSTORAGE_INVALID_DESTINATION_SIZE;
        return S_OK;
    case DSTORAGE_REQUEST_DESTINATION_TEXTURE_REGION:
        if (!dst->Texture.Resource)
            return *problem = "TEXTURE_REGION without a resource", E_INVALIDARG;
        desc = resource_desc(dst->Texture.Resource);
        if (!is_texture(&desc))
            return *problem = "TEXTURE_REGION whose resource is a buffer",
                   E_DSTORAGE_INVALID_DESTINATION_TYPE;
        if (dst->Texture.SubresourceIndex >= subresource_count(device, &desc))
            return *problem = "TEXTURE_REGION SubresourceIndex past the last subresource",
                   E_DSTORAGE_INVALID_DESTINATION_SIZE;
        if (!box_inside(&desc, dst->Texture.SubresourceIndex, &dst->Texture.Region))
            return *problem = "TEXTURE_REGION box empty or outside the subresource",
                   E_DSTORAGE_INVALID_DESTINATION_SIZE;
        return S_OK;
    case DSTORAGE_REQUEST_DESTINATION_MULTIPLE_SUBRESOURCES:
    case DSTORAGE_REQUEST_DESTINATION_MULTIPLE_SUBRESOURCES_RANGE:
        if (!dst->MultipleSubresources.Resource)
            return *problem = "MULTIPLE_SUBRESOURCES without a resource", E_INVALIDARG;
        desc = resource_desc(dst->MultipleSubresources.Resource);
        if (!is_texture(&desc))
            return *problem = "MULTIPLE_SUBRESOURCES whose resource is a buffer",
                   E_DSTORAGE_INVALID_DESTINATION_TYPE;
        count = subresource_count(device, &desc);
        first = dst->MultipleSubresources.FirstSubresource;
        num = request->Options.DestinationType == DSTORAGE_REQUEST_DESTINATION_MULTIPLE_SUBRESOURCES
                  ? 1
                  : dst->MultipleSubresourcesRange.NumSubresources;
        if (first >= count || !num || num > count - first)
            return *problem = "MULTIPLE_SUBRESOURCES range past the last subresource",
                   E_DSTORAGE_INVALID_DESTINATION_SIZE;
        return S_OK;
    case DSTORAGE_REQUEST_DESTINATION_TILES:
        return check_tiles(device, &dst->Tiles, problem);
    }
    return S_OK; /* MEMORY, and unknown types (the Unix side's unknown_destination_type row) */
}
