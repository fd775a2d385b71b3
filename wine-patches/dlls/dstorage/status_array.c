/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* IDStorageStatusArray: HRESULTs in PE memory, written by queue completion threads. */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

void status_array_destroy(struct status_array_object *array)
{
    free((void *)array->state->results);
    free(array->state);
    free(array);
}

HRESULT status_array_GetHResult(struct status_array_object *array, UINT32 index)
{
    if (index >= array->state->capacity)
    {
        WARN("index %u past capacity %u.\n", index, array->state->capacity);
        return E_DSTORAGE_INDEX_BOUND;
    }
    return ReadAcquire(&array->state->results[index]);
}

BOOLEAN status_array_IsComplete(struct status_array_object *array, UINT32 index)
{
    return status_array_GetHResult(array, index) != E_PENDING;
}

void status_array_set(IDStorageStatusArray *iface, UINT32 index, HRESULT hr)
{
    struct status_array_object *array = status_array_from_IDStorageStatusArray(iface);

    if (index < array->state->capacity) WriteRelease(&array->state->results[index], hr);
}

UINT32 status_array_capacity(IDStorageStatusArray *iface)
{
    return status_array_from_IDStorageStatusArray(iface)->state->capacity;
}
