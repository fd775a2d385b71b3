/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * GDeflate decoded on the GPU through the DirectStorage GDeflate meta command of the queue's
 * D3D12 device (ID3D12Device5::CreateMetaCommand; vkd3d-proton offers it on every Vulkan device it
 * runs on, Wine's own d3d12 does not). Plain D3D12: no Vulkan, no interop interface.
 *
 * What the meta command takes (facts of the D3D12 interface, as vkd3d-proton and Windows drivers
 * report them; the parameter layouts are read at run time with EnumerateMetaCommandParameters and
 * filled by parameter name):
 * - creation: Version (1), Format (1 = GDeflate), MaxStreams, Flags (0);
 * - CheckFeatureSupport(D3D12_FEATURE_QUERY_META_COMMAND) with input {UINT16 1, UINT16 streams,
 *   UINT32 0, UINT64 1} answers {UINT16, UINT16 max streams per execution, UINT32, UINT64 scratch
 *   size, UINT64};
 * - execution: InputBuffer, OutputBuffer, ControlBuffer, ScratchBuffer and StatusBuffer (GPU
 *   virtual addresses, each with a size), StreamCount. The control buffer is {UINT32 count;
 *   {UINT32 input offset, UINT32 output offset} streams[count]}, offsets from the input and output
 *   addresses; each stream is a whole tile stream whose header says how much it decodes.
 *   Buffers are in UNORDERED_ACCESS; the command list must be COMPUTE or DIRECT.
 *
 * This file owns the meta command, its input ring, the decode buffer the streams are decoded into,
 * the scratch buffer, and each batch's control memory and input layout. queue_gpu.c records the
 * executions into its batches, uploads their input when it executes them, and copies from the
 * decode buffer into the destinations. This file calls nobody of the queue.
 *
 * The decoder reads device memory: given the staging buffer itself (host memory, a CUSTOM
 * write-back heap), it read every compressed byte across the bus with small dependent loads and
 * decoded 0.2-4 GB/s on the H200 (2026-12-02), where Microsoft's runtime, which copies first,
 * reaches 9-12 GB/s through the same meta command. So a batch's compressed bytes are copied into
 * the input ring, a DEFAULT-heap buffer of its own (four times the staging buffer by default), when
 * the batch is executed: as a batch's streams are added they are laid out one after another in a
 * span of the batch (runs of neighbouring staging regions keep their gaps, so that one
 * CopyBufferRegion uploads each run), and the control words hold offsets within that span;
 * gpu_gdeflate_batch_upload places the span in the ring (first in, first out: spans are freed in
 * the order batches retire), adds its place to those offsets and records the copies. Once that
 * upload has completed, the staging regions are free again (queue_gpu.c), long before the decodes
 * retire: the streams in flight are no longer bounded by the staging buffer the application chose,
 * and the GPU decodes many tiles at once (an execution of one or two streams leaves it mostly
 * idle). The input ring rests in COMMON between executions.
 *
 * The input ring, the decode buffer and the scratch buffer are created at the queue's first GPU
 * decode (gpu_gdeflate_buffers), so that a queue that never decodes GDeflate on the GPU holds no
 * device memory for them (where that memory is short, at halved sizes). The decode buffer
 * (DEFAULT, four times the staging buffer by default, never less than it: a request decodes to at
 * most the staging size) is laid out per execution: its streams one after another from offset 0,
 * so it bounds one execution's decoded bytes; executions reuse it in list and queue order, ordered
 * by the UNORDERED_ACCESS -> COPY_SOURCE -> UNORDERED_ACCESS transitions around the copies out of
 * it.
 */
#include "dstorage_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(dstorage);

static const GUID meta_command_gdeflate = {
    0x1bddd090, 0xc47e, 0x459c, {0x8f, 0x81, 0x42, 0xc9, 0xf9, 0x7a, 0x53, 0x08}};
static const GUID iid_device5 = {
    0x8b4f173b, 0x2fea, 0x4b80, {0x8f, 0x58, 0x43, 0x07, 0x19, 0x1a, 0xb9, 0x5d}};
static const GUID iid_list4 = {
    0x8754318e, 0xd3a9, 0x4541, {0x98, 0xcf, 0x64, 0x5b, 0x50, 0xdc, 0x48, 0x74}};
static const GUID iid_meta_command = {
    0xdbb84c27, 0x36ce, 0x4fc9, {0xb8, 0x01, 0xf0, 0x48, 0xc4, 0x6a, 0xc5, 0x70}};

/* Wine 8.0's d3d12.h stops at ID3D12Device1 / ID3D12GraphicsCommandList2, so the few methods used
 * here are declared by their place in the interfaces' vtables (ID3D12Device5 extends Device ..
 * Device4; ID3D12GraphicsCommandList4 extends GraphicsCommandList .. List3). */
#define DEVICE5_ENUMERATE_META_COMMANDS 59
#define LIST4_INITIALIZE_META_COMMAND 70

enum meta_stage
{
    STAGE_CREATION = 0,
    STAGE_INITIALIZATION = 1,
    STAGE_EXECUTION = 2
};

struct meta_command_desc
{
    GUID id;
    const WCHAR *name;
    UINT initialization_dirty_state;
    UINT execution_dirty_state;
};

struct meta_parameter_desc
{
    const WCHAR *name;
    UINT type;
    UINT flags;
    UINT required_state;
    UINT offset;
};

struct meta_query
{
    GUID command_id;
    UINT node_mask;
    const void *input;
    SIZE_T input_size;
    void *output;
    SIZE_T output_size;
};

struct meta_query_input
{
    UINT16 one;
    UINT16 streams;
    UINT32 reserved;
    UINT64 format;
};

struct meta_query_output
{
    UINT16 one;
    UINT16 max_streams;
    UINT32 reserved;
    UINT64 scratch_size;
    UINT64 reserved2;
};

struct device5_vtbl
{
    void *before[DEVICE5_ENUMERATE_META_COMMANDS];
    HRESULT(STDMETHODCALLTYPE *EnumerateMetaCommands)
    (void *self, UINT *count, struct meta_command_desc *descs);
    HRESULT(STDMETHODCALLTYPE *EnumerateMetaCommandParameters)
    (void *self, const GUID *id, UINT stage, UINT *total_size, UINT *count,
     struct meta_parameter_desc *descs);
    HRESULT(STDMETHODCALLTYPE *CreateMetaCommand)
    (void *self, const GUID *id, UINT node_mask, const void *data, SIZE_T size, const GUID *iid,
     void **command);
};

struct list4_vtbl
{
    void *before[LIST4_INITIALIZE_META_COMMAND];
    void(STDMETHODCALLTYPE *InitializeMetaCommand)(void *self, IUnknown *command, const void *data,
                                                   SIZE_T size);
    void(STDMETHODCALLTYPE *ExecuteMetaCommand)(void *self, IUnknown *command, const void *data,
                                                SIZE_T size);
};

struct com_object
{
    const void *vtbl;
};

/* Execution parameters, by the names the meta command reports. */
enum exec_field
{
    EXEC_INPUT,
    EXEC_INPUT_SIZE,
    EXEC_OUTPUT,
    EXEC_OUTPUT_SIZE,
    EXEC_CONTROL,
    EXEC_CONTROL_SIZE,
    EXEC_SCRATCH,
    EXEC_SCRATCH_SIZE,
    EXEC_STREAM_COUNT,
    EXEC_STATUS,
    EXEC_STATUS_SIZE,
    EXEC_FIELD_COUNT
};
static const WCHAR *const exec_names[EXEC_FIELD_COUNT] = {
    L"InputBuffer",   L"InputBufferSize",   L"OutputBuffer",    L"OutputBufferSize",
    L"ControlBuffer", L"ControlBufferSize", L"ScratchBuffer",   L"ScratchBufferSize",
    L"StreamCount",   L"StatusBuffer",      L"StatusBufferSize"};
/* Without these the meta command cannot be driven. */
static const enum exec_field exec_required[] = {EXEC_INPUT, EXEC_OUTPUT, EXEC_CONTROL,
                                                EXEC_STREAM_COUNT};

#define CONTROL_ALIGNMENT 256
#define NO_FIELD (~0u)

/* A stream that starts no further than this after the previous one's staging region ends (the
 * staging ring's alignment padding, or a small region of another request) continues its upload
 * run: the gap is laid out and copied too, and nothing reads it. */
#define UPLOAD_MERGE_GAP 4096
/* Runs start at this alignment in a batch's span, and spans in the ring (staging regions start at
 * D3D12_TEXTURE_DATA_PLACEMENT_ALIGNMENT, so a stream keeps its alignment). */
#define INPUT_ALIGNMENT 512
/* The input ring never holds less than the staging buffer plus this: a batch's span (at most the
 * staging bytes its streams held at once, plus each run's alignment) always fits an empty ring. */
#define INPUT_RING_SLACK (1u << 20)

struct gpu_gdeflate
{
    IUnknown *command; /* ID3D12MetaCommand */
    UINT max_streams;
    ID3D12Resource *input, *output, *scratch;
    UINT64 input_size, output_size, scratch_size;
    UINT64 staging_size;
    UINT64 ring_head, ring_used; /* the input ring: next place, bytes held by placed spans */
    UINT exec_size;
    UINT exec_offset[EXEC_FIELD_COUNT];
    BOOL initialized; /* InitializeMetaCommand recorded */
};

/* Compressed bytes at staging_offset, laid out at `offset` of the batch's span. */
struct input_run
{
    UINT64 staging_offset, offset, size;
};

struct gpu_gdeflate_batch
{
    ID3D12Resource *resource; /* control memory, one section an execution */
    BYTE *mapped;
    UINT64 size, used, section;
    struct input_run *runs;
    UINT run_count, run_capacity;
    UINT64 span;                     /* bytes laid out so far */
    UINT64 ring_offset, ring_charge; /* where the span was placed, and what it holds of the ring */
};

static HRESULT create_buffer_in(ID3D12Device *device, D3D12_HEAP_TYPE type, UINT64 size,
                                D3D12_RESOURCE_STATES state, ID3D12Resource **resource)
{
    D3D12_HEAP_PROPERTIES heap = {.Type = type};
    D3D12_HEAP_PROPERTIES cached = {.Type = D3D12_HEAP_TYPE_CUSTOM,
                                    .CPUPageProperty = D3D12_CPU_PAGE_PROPERTY_WRITE_BACK,
                                    .MemoryPoolPreference = D3D12_MEMORY_POOL_L0};
    D3D12_RESOURCE_DESC desc = {.Dimension = D3D12_RESOURCE_DIMENSION_BUFFER,
                                .Width = size,
                                .Height = 1,
                                .DepthOrArraySize = 1,
                                .MipLevels = 1,
                                .SampleDesc.Count = 1,
                                .Layout = D3D12_TEXTURE_LAYOUT_ROW_MAJOR,
                                .Flags = D3D12_RESOURCE_FLAG_ALLOW_UNORDERED_ACCESS};

    return ID3D12Device_CreateCommittedResource(
        device, type == D3D12_HEAP_TYPE_CUSTOM ? &cached : &heap, D3D12_HEAP_FLAG_NONE, &desc,
        type == D3D12_HEAP_TYPE_CUSTOM ? D3D12_RESOURCE_STATE_COMMON : state, NULL,
        &IID_ID3D12Resource, (void **)resource);
}

/* DEFAULT buffers start in UNORDERED_ACCESS, CUSTOM (control) ones in COMMON. */
static HRESULT create_buffer(ID3D12Device *device, D3D12_HEAP_TYPE type, UINT64 size,
                             ID3D12Resource **resource)
{
    return create_buffer_in(device, type, size, D3D12_RESOURCE_STATE_UNORDERED_ACCESS, resource);
}

static BOOL offers_gdeflate(const struct device5_vtbl *vtbl, void *device5)
{
    struct meta_command_desc *descs;
    UINT count = 0, i;
    BOOL found = FALSE;

    if (FAILED(vtbl->EnumerateMetaCommands(device5, &count, NULL)) || !count) return FALSE;
    if (!(descs = calloc(count, sizeof(*descs)))) return FALSE;
    if (SUCCEEDED(vtbl->EnumerateMetaCommands(device5, &count, descs)))
        for (i = 0; i < count && !found; ++i)
            found = IsEqualGUID(&descs[i].id, &meta_command_gdeflate);
    free(descs);
    return found;
}

/* The parameters of one stage: count and total size, then the descriptions (caller frees). */
static struct meta_parameter_desc *stage_parameters(const struct device5_vtbl *vtbl, void *device5,
                                                    enum meta_stage stage, UINT *count,
                                                    UINT *total_size)
{
    struct meta_parameter_desc *descs;

    *count = *total_size = 0;
    if (FAILED(vtbl->EnumerateMetaCommandParameters(device5, &meta_command_gdeflate, stage,
                                                    total_size, count, NULL)))
        return NULL;
    if (!(descs = calloc(max(*count, 1), sizeof(*descs)))) return NULL;
    if (FAILED(vtbl->EnumerateMetaCommandParameters(device5, &meta_command_gdeflate, stage,
                                                    total_size, count, descs)))
    {
        free(descs);
        return NULL;
    }
    return descs;
}

static BOOL parameter_fits(const struct meta_parameter_desc *desc, UINT total_size)
{
    return desc->offset % 8 == 0 && desc->offset + 8 <= total_size;
}

static HRESULT create_command(struct gpu_gdeflate *gd, const struct device5_vtbl *vtbl,
                              void *device5, const char **why)
{
    struct meta_parameter_desc *descs;
    UINT count, size, i, f;
    BYTE *args;
    HRESULT hr;

    if (!(descs = stage_parameters(vtbl, device5, STAGE_CREATION, &count, &size)) || !size)
    {
        free(descs);
        *why = "EnumerateMetaCommandParameters(CREATION) failed";
        return E_FAIL;
    }
    if (!(args = calloc(1, size)))
    {
        free(descs);
        return E_OUTOFMEMORY;
    }
    for (i = 0; i < count; ++i)
    {
        UINT64 value = 0;
        if (!parameter_fits(&descs[i], size)) continue;
        if (!wcscmp(descs[i].name, L"Version") || !wcscmp(descs[i].name, L"Format"))
            value = 1;
        else if (!wcscmp(descs[i].name, L"MaxStreams"))
            value = gd->max_streams;
        else if (wcscmp(descs[i].name, L"Flags"))
            WARN("GDeflate meta command: unknown creation parameter %s left 0.\n",
                 debugstr_w(descs[i].name));
        memcpy(args + descs[i].offset, &value, sizeof(value));
    }
    free(descs);
    hr = vtbl->CreateMetaCommand(device5, &meta_command_gdeflate, 0, args, size, &iid_meta_command,
                                 (void **)&gd->command);
    free(args);
    if (FAILED(hr))
    {
        *why = "CreateMetaCommand failed";
        return hr;
    }

    if (!(descs = stage_parameters(vtbl, device5, STAGE_EXECUTION, &count, &size)) || !size)
    {
        free(descs);
        *why = "EnumerateMetaCommandParameters(EXECUTION) failed";
        return E_FAIL;
    }
    gd->exec_size = size;
    for (f = 0; f < EXEC_FIELD_COUNT; ++f) gd->exec_offset[f] = NO_FIELD;
    for (i = 0; i < count; ++i)
    {
        if (!parameter_fits(&descs[i], size)) continue;
        for (f = 0; f < EXEC_FIELD_COUNT; ++f)
            if (!wcscmp(descs[i].name, exec_names[f])) gd->exec_offset[f] = descs[i].offset;
    }
    free(descs);
    for (i = 0; i < ARRAY_SIZE(exec_required); ++i)
    {
        if (gd->exec_offset[exec_required[i]] == NO_FIELD)
        {
            *why = "its execution parameters lack a buffer or the stream count";
            return E_FAIL;
        }
    }
    return S_OK;
}

static HRESULT query_limits(struct gpu_gdeflate *gd, ID3D12Device *device, const char **why)
{
    struct meta_query_input in = {.one = 1, .streams = GPU_GDEFLATE_MAX_STREAMS, .format = 1};
    struct meta_query_output out = {0};
    struct meta_query query = {.command_id = meta_command_gdeflate,
                               .input = &in,
                               .input_size = sizeof(in),
                               .output = &out,
                               .output_size = sizeof(out)};
    HRESULT hr;

    if (FAILED(hr = ID3D12Device_CheckFeatureSupport(device, D3D12_FEATURE_QUERY_META_COMMAND,
                                                     &query, sizeof(query))))
    {
        *why = "CheckFeatureSupport(QUERY_META_COMMAND) failed";
        return hr;
    }
    if (!out.max_streams)
    {
        *why = "it takes no streams";
        return E_FAIL;
    }
    gd->max_streams = min(out.max_streams, GPU_GDEFLATE_MAX_STREAMS);
    gd->scratch_size = out.scratch_size;
    return S_OK;
}

static HRESULT gdeflate_init(struct gpu_gdeflate *gd, ID3D12Device *device, UINT64 staging_size,
                             const char **why)
{
    const struct device5_vtbl *vtbl;
    void *device5 = NULL;
    HRESULT hr;

    if (FAILED(ID3D12Device_QueryInterface(device, &iid_device5, &device5)))
    {
        *why = "the device has no ID3D12Device5";
        return E_NOINTERFACE;
    }
    vtbl = ((struct com_object *)device5)->vtbl;
    if (!offers_gdeflate(vtbl, device5))
    {
        *why = "the device offers no DirectStorage GDeflate meta command";
        hr = E_NOTIMPL;
    }
    else if (SUCCEEDED(hr = query_limits(gd, device, why)) &&
             SUCCEEDED(hr = create_command(gd, vtbl, device5, why)))
    {
        /* Four times the staging buffer each: on the H200, all-literal 16 MiB streams decoded at
         * 14-18 GB/s with 32 MiB of staging, against 9-14 at twice (docs/performance.md,
         * "Session 7"). DS_KIT_GDEFLATE_INPUT_MIB and DS_KIT_GDEFLATE_DECODE_MIB: other sizes,
         * for measurements. The control words hold 32-bit offsets into the ring. */
        gd->staging_size = staging_size;
        gd->input_size = dstorage_env_mib("DS_KIT_GDEFLATE_INPUT_MIB", 4 * staging_size);
        gd->input_size =
            min(max(gd->input_size, staging_size + INPUT_RING_SLACK), (UINT64)UINT_MAX + 1);
        gd->output_size =
            max(dstorage_env_mib("DS_KIT_GDEFLATE_DECODE_MIB", 4 * staging_size), staging_size);
    }
    ((IUnknown *)device5)->lpVtbl->Release((IUnknown *)device5);
    return hr;
}

static void release_buffers(struct gpu_gdeflate *gd)
{
    if (gd->input) ID3D12Resource_Release(gd->input);
    if (gd->output) ID3D12Resource_Release(gd->output);
    if (gd->scratch) ID3D12Resource_Release(gd->scratch);
    gd->input = gd->output = gd->scratch = NULL;
}

static HRESULT create_buffers(struct gpu_gdeflate *gd, ID3D12Device *device, const char **what)
{
    HRESULT hr;

    /* The input ring rests in COMMON: a COPY queue writes it (gpu_gdeflate_batch_upload). */
    if (FAILED(hr = create_buffer_in(device, D3D12_HEAP_TYPE_DEFAULT, gd->input_size,
                                     D3D12_RESOURCE_STATE_COMMON, &gd->input)))
        *what = "input ring";
    else if (FAILED(
                 hr = create_buffer(device, D3D12_HEAP_TYPE_DEFAULT, gd->output_size, &gd->output)))
        *what = "decode buffer";
    else if (gd->scratch_size && FAILED(hr = create_buffer(device, D3D12_HEAP_TYPE_DEFAULT,
                                                           gd->scratch_size, &gd->scratch)))
        *what = "scratch buffer";
    return hr;
}

HRESULT gpu_gdeflate_buffers(struct gpu_gdeflate *gd, ID3D12Device *device)
{
    UINT64 least_input = gd->staging_size + INPUT_RING_SLACK, least_output = gd->staging_size;
    const char *what = "buffer";
    HRESULT hr;

    if (gd->input) return S_OK;
    /* Where device memory is short, halved sizes down to the least that works: slower, not
     * failing. */
    while (FAILED(hr = create_buffers(gd, device, &what)))
    {
        release_buffers(gd);
        if (gd->input_size <= least_input && gd->output_size <= least_output)
        {
            ERR("device %p: the GDeflate meta command's %s could not be created (hr %#lx; "
                "%s-byte input ring, %s-byte decode buffer): the request fails. Lower the "
                "staging buffer size or set DS_KIT_GDEFLATE_PATH=cpu.\n",
                device, what, hr, debugstr_size(gd->input_size), debugstr_size(gd->output_size));
            return hr;
        }
        WARN("device %p: the GDeflate meta command's %s could not be created (hr %#lx) with a "
             "%s-byte input ring and a %s-byte decode buffer; trying half.\n",
             device, what, hr, debugstr_size(gd->input_size), debugstr_size(gd->output_size));
        gd->input_size = max(gd->input_size / 2, least_input);
        gd->output_size = max(gd->output_size / 2, least_output);
    }
    TRACE("device %p: GDeflate meta command buffers created at the first GPU decode: %s-byte "
          "input ring, %s-byte decode buffer, %s-byte scratch.\n",
          device, debugstr_size(gd->input_size), debugstr_size(gd->output_size),
          debugstr_size(gd->scratch_size));
    return S_OK;
}

struct gpu_gdeflate *gpu_gdeflate_create(ID3D12Device *device, UINT64 staging_size,
                                         const char **why)
{
    struct gpu_gdeflate *gd;
    HRESULT hr;

    if (!(gd = calloc(1, sizeof(*gd))))
    {
        *why = "out of memory";
        return NULL;
    }
    if (FAILED(hr = gdeflate_init(gd, device, staging_size, why)))
    {
        TRACE("No GPU GDeflate on device %p: %s (hr %#lx).\n", device, *why, hr);
        gpu_gdeflate_destroy(gd);
        return NULL;
    }
    TRACE("device %p: GDeflate meta command, up to %u streams an execution; its %s-byte input "
          "ring and %s-byte decode buffer are created at the first GPU decode.\n",
          device, gd->max_streams, debugstr_size(gd->input_size), debugstr_size(gd->output_size));
    return gd;
}

void gpu_gdeflate_destroy(struct gpu_gdeflate *gd)
{
    if (!gd) return;
    if (gd->command) gd->command->lpVtbl->Release(gd->command);
    release_buffers(gd);
    free(gd);
}

UINT gpu_gdeflate_max_streams(const struct gpu_gdeflate *gd)
{
    return gd->max_streams;
}

ID3D12Resource *gpu_gdeflate_output(const struct gpu_gdeflate *gd)
{
    return gd->output;
}

UINT64 gpu_gdeflate_output_size(const struct gpu_gdeflate *gd)
{
    return gd->output_size;
}

static UINT64 control_section_size(UINT streams)
{
    return (4 + 8 * (UINT64)streams + CONTROL_ALIGNMENT - 1) & ~(UINT64)(CONTROL_ALIGNMENT - 1);
}

struct gpu_gdeflate_batch *gpu_gdeflate_batch_create(const struct gpu_gdeflate *gd,
                                                     ID3D12Device *device, UINT executions)
{
    struct gpu_gdeflate_batch *batch;
    D3D12_RANGE no_read = {0, 0};
    UINT sections = max(executions, 1);

    if (!(batch = calloc(1, sizeof(*batch)))) return NULL;
    batch->section = control_section_size(gd->max_streams);
    batch->size = sections * batch->section;
    batch->run_capacity = sections * gd->max_streams;
    if (!(batch->runs = calloc(batch->run_capacity, sizeof(*batch->runs))) ||
        FAILED(create_buffer(device, D3D12_HEAP_TYPE_CUSTOM, batch->size, &batch->resource)) ||
        FAILED(ID3D12Resource_Map(batch->resource, 0, &no_read, (void **)&batch->mapped)))
    {
        ERR("Cannot create the GDeflate control buffer (%s bytes).\n", debugstr_size(batch->size));
        gpu_gdeflate_batch_destroy(batch);
        return NULL;
    }
    return batch;
}

void gpu_gdeflate_batch_reset(struct gpu_gdeflate_batch *batch)
{
    if (!batch) return;
    batch->used = 0;
    batch->run_count = 0;
    batch->span = 0;
}

UINT gpu_gdeflate_batch_room(const struct gpu_gdeflate_batch *batch)
{
    return (batch->size - batch->used) / batch->section;
}

void gpu_gdeflate_batch_destroy(struct gpu_gdeflate_batch *batch)
{
    if (!batch) return;
    if (batch->resource) ID3D12Resource_Release(batch->resource);
    free(batch->runs);
    free(batch);
}

UINT64 gpu_gdeflate_batch_add_input(struct gpu_gdeflate_batch *batch, UINT64 staging_offset,
                                    UINT64 size)
{
    struct input_run *last = batch->run_count ? &batch->runs[batch->run_count - 1] : NULL;
    UINT64 offset;

    if (last && staging_offset >= last->staging_offset + last->size &&
        staging_offset - (last->staging_offset + last->size) <= UPLOAD_MERGE_GAP)
    {
        offset = last->offset + (staging_offset - last->staging_offset);
        last->size = staging_offset + size - last->staging_offset;
    }
    else
    {
        /* Callers add at most max streams per execution for the executions the batch has room
         * for (gpu_gdeflate_batch_room), so there is always a run left. */
        offset = (batch->span + INPUT_ALIGNMENT - 1) & ~(UINT64)(INPUT_ALIGNMENT - 1);
        batch->runs[batch->run_count].staging_offset = staging_offset;
        batch->runs[batch->run_count].offset = offset;
        batch->runs[batch->run_count].size = size;
        ++batch->run_count;
    }
    batch->span = max(batch->span, offset + size);
    return offset;
}

/* Takes `size` bytes of the input ring, first in first out (caller keeps the charge for
 * ring_free); FALSE while they are not free. */
static BOOL ring_take(struct gpu_gdeflate *gd, UINT64 size, UINT64 *offset, UINT64 *charge)
{
    UINT64 ring = gd->input_size, head, tail;

    if (!gd->ring_used) gd->ring_head = 0;
    head = gd->ring_head;
    tail = (head + ring - gd->ring_used) % ring; /* the oldest placed span */
    if (gd->ring_used == ring) return FALSE;
    if (tail <= head && ring - head >= size)
        *charge = size, *offset = head; /* free: [head, ring) and [0, tail) */
    else if (tail <= head && tail >= size)
        *charge = ring - head + size, *offset = 0; /* skips the ring's end */
    else if (tail > head && tail - head >= size)
        *charge = size, *offset = head; /* free: [head, tail) */
    else
        return FALSE;
    gd->ring_head = *offset + size;
    gd->ring_used += *charge;
    return TRUE;
}

HRESULT gpu_gdeflate_batch_upload(struct gpu_gdeflate *gd, struct gpu_gdeflate_batch *batch,
                                  ID3D12GraphicsCommandList *upload_list, ID3D12Resource *staging)
{
    UINT64 size = (batch->span + INPUT_ALIGNMENT - 1) & ~(UINT64)(INPUT_ALIGNMENT - 1);
    UINT64 section;
    UINT32 count, word;
    UINT i;

    if (!size || batch->ring_charge) return S_OK;
    if (size > gd->input_size)
    {
        ERR("GDeflate input of %s bytes cannot fit the %s-byte input ring; set "
            "DS_KIT_GDEFLATE_INPUT_MIB higher or unset it.\n",
            debugstr_size(size), debugstr_size(gd->input_size));
        return E_OUTOFMEMORY;
    }
    if (!ring_take(gd, size, &batch->ring_offset, &batch->ring_charge)) return S_FALSE;
    for (i = 0; i < batch->run_count; ++i)
        ID3D12GraphicsCommandList_CopyBufferRegion(
            upload_list, gd->input, batch->ring_offset + batch->runs[i].offset, staging,
            batch->runs[i].staging_offset, batch->runs[i].size);
    /* The control words held offsets within the span: now within the ring. */
    for (section = 0; section < batch->used; section += batch->section)
    {
        memcpy(&count, batch->mapped + section, 4);
        for (i = 0; i < count; ++i)
        {
            memcpy(&word, batch->mapped + section + 4 + 8 * i, 4);
            word += (UINT32)batch->ring_offset;
            memcpy(batch->mapped + section + 4 + 8 * i, &word, 4);
        }
    }
    return S_OK;
}

void gpu_gdeflate_batch_retire(struct gpu_gdeflate *gd, struct gpu_gdeflate_batch *batch)
{
    if (!batch || !batch->ring_charge) return;
    gd->ring_used -= batch->ring_charge;
    batch->ring_charge = 0;
}

UINT64 gpu_gdeflate_ring_used(const struct gpu_gdeflate *gd)
{
    return gd->ring_used;
}

static void set_field(const struct gpu_gdeflate *gd, BYTE *args, enum exec_field field,
                      UINT64 value)
{
    if (gd->exec_offset[field] != NO_FIELD)
        memcpy(args + gd->exec_offset[field], &value, sizeof(value));
}

static void transition(ID3D12Resource *resource, ID3D12GraphicsCommandList *list,
                       D3D12_RESOURCE_STATES before, D3D12_RESOURCE_STATES after)
{
    D3D12_RESOURCE_BARRIER barrier = {.Type = D3D12_RESOURCE_BARRIER_TYPE_TRANSITION};

    barrier.Transition.pResource = resource;
    barrier.Transition.Subresource = D3D12_RESOURCE_BARRIER_ALL_SUBRESOURCES;
    barrier.Transition.StateBefore = before;
    barrier.Transition.StateAfter = after;
    ID3D12GraphicsCommandList_ResourceBarrier(list, 1, &barrier);
}

HRESULT gpu_gdeflate_record(struct gpu_gdeflate *gd, ID3D12GraphicsCommandList *list,
                            struct gpu_gdeflate_batch *batch,
                            const struct gpu_gdeflate_stream *streams, UINT count)
{
    const struct list4_vtbl *vtbl;
    void *list4 = NULL;
    BYTE *args, *out;
    UINT32 word;
    UINT i;
    HRESULT hr;

    if (!count || count > gd->max_streams || batch->used + batch->section > batch->size)
        return E_INVALIDARG;
    for (i = 0; i < count; ++i)
    {
        if (streams[i].input_offset + streams[i].input_size > gd->input_size ||
            streams[i].output_offset >= gd->output_size || streams[i].input_offset > 0xffffffffu ||
            streams[i].output_offset > 0xffffffffu)
            return E_INVALIDARG;
    }
    if (FAILED(hr = ID3D12GraphicsCommandList_QueryInterface(list, &iid_list4, &list4)))
    {
        ERR("The command list has no ID3D12GraphicsCommandList4 (hr %#lx).\n", hr);
        return hr;
    }
    vtbl = ((struct com_object *)list4)->vtbl;
    if (!(args = calloc(1, gd->exec_size)))
    {
        ((IUnknown *)list4)->lpVtbl->Release((IUnknown *)list4);
        return E_OUTOFMEMORY;
    }
    out = batch->mapped + batch->used;
    word = count;
    memcpy(out, &word, 4);
    for (i = 0; i < count; ++i)
    {
        word = (UINT32)streams[i].input_offset;
        memcpy(out + 4 + 8 * i, &word, 4);
        word = (UINT32)streams[i].output_offset;
        memcpy(out + 8 + 8 * i, &word, 4);
    }
    set_field(gd, args, EXEC_INPUT, ID3D12Resource_GetGPUVirtualAddress(gd->input));
    set_field(gd, args, EXEC_INPUT_SIZE, gd->input_size);
    set_field(gd, args, EXEC_OUTPUT, ID3D12Resource_GetGPUVirtualAddress(gd->output));
    set_field(gd, args, EXEC_OUTPUT_SIZE, gd->output_size);
    set_field(gd, args, EXEC_CONTROL,
              ID3D12Resource_GetGPUVirtualAddress(batch->resource) + batch->used);
    set_field(gd, args, EXEC_CONTROL_SIZE, 4 + 8 * (UINT64)count);
    if (gd->scratch)
    {
        set_field(gd, args, EXEC_SCRATCH, ID3D12Resource_GetGPUVirtualAddress(gd->scratch));
        set_field(gd, args, EXEC_SCRATCH_SIZE, gd->scratch_size);
    }
    set_field(gd, args, EXEC_STREAM_COUNT, count);
    batch->used += batch->section;

    /* The input ring rests in COMMON between executions: the upload list that this list's queue
     * waits for promoted it to COPY_DEST, and it decayed to COMMON when that list completed. */
    transition(gd->input, list, D3D12_RESOURCE_STATE_COMMON, D3D12_RESOURCE_STATE_UNORDERED_ACCESS);
    if (!gd->initialized)
    {
        vtbl->InitializeMetaCommand(list4, gd->command, NULL, 0);
        gd->initialized = TRUE;
    }
    vtbl->ExecuteMetaCommand(list4, gd->command, args, gd->exec_size);
    transition(gd->input, list, D3D12_RESOURCE_STATE_UNORDERED_ACCESS, D3D12_RESOURCE_STATE_COMMON);
    /* The copies out of the decode buffer follow in the same list. */
    transition(gd->output, list, D3D12_RESOURCE_STATE_UNORDERED_ACCESS,
               D3D12_RESOURCE_STATE_COPY_SOURCE);
    free(args);
    ((IUnknown *)list4)->lpVtbl->Release((IUnknown *)list4);
    return S_OK;
}

void gpu_gdeflate_copies_done(const struct gpu_gdeflate *gd, ID3D12GraphicsCommandList *list)
{
    transition(gd->output, list, D3D12_RESOURCE_STATE_COPY_SOURCE,
               D3D12_RESOURCE_STATE_UNORDERED_ACCESS);
}
