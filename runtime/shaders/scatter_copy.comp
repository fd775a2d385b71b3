// SPDX-License-Identifier: MIT
// Scattered small copies for the Vulkan backend (docs/vulkan-backend.md, "Shader copies").
//
// A copy engine pays a fixed cost per region, so thousands of 64 KiB regions to scattered
// destinations run far below the link's speed. Here one dispatch copies every small region of a
// batch: workgroup n copies region n of the table, its invocations moving 16 bytes each per step
// (4 when the region's addresses are not both 16-byte aligned), so many regions are in flight at
// once on every SM.
//
// Everything is reached by buffer device address (no descriptors): the table (host-visible, written
// by the recorder), the sources (the staging buffer or an imported file window) and the
// destinations (the callers' buffers). The recorder only hands over regions whose addresses are
// multiples of 4 and whose size is a multiple of 4; any remaining bytes go through
// vkCmdCopyBuffer. Nothing outside [dst, dst + size) is written.
#version 450
#extension GL_EXT_buffer_reference : require
#extension GL_EXT_buffer_reference_uvec2 : require

layout(local_size_x = 256) in;

// Mirrors ScatterRegion in runtime/src/vulkan/scatter_copier.cpp (32 bytes).
struct Region {
    uvec2 src;   // device address, low word first
    uvec2 dst;
    uint size;   // bytes, a multiple of 4
    uint pad0;
    uint pad1;
    uint pad2;
};

layout(buffer_reference, std430, buffer_reference_align = 16) readonly buffer Table { Region regions[]; };
layout(buffer_reference, std430, buffer_reference_align = 16) readonly buffer Source16 { uvec4 v[]; };
layout(buffer_reference, std430, buffer_reference_align = 16) writeonly buffer Destination16 { uvec4 v[]; };
layout(buffer_reference, std430, buffer_reference_align = 4) readonly buffer Source4 { uint v[]; };
layout(buffer_reference, std430, buffer_reference_align = 4) writeonly buffer Destination4 { uint v[]; };

layout(push_constant) uniform Batch {
    uvec2 table;
    uint count;
} batch;

const uint kStep = 256;  // invocations per workgroup
const uint kUnroll = 4;  // loads issued before their stores

void main() {
    if (gl_WorkGroupID.x >= batch.count)
        return;
    Region r = Table(batch.table).regions[gl_WorkGroupID.x];
    const uint lane = gl_LocalInvocationID.x;
    uint done_words = 0;  // 4-byte words copied by the 16-byte loop
    if (((r.src.x | r.dst.x) & 15u) == 0u) {
        Source16 src = Source16(r.src);
        Destination16 dst = Destination16(r.dst);
        const uint quads = r.size >> 4;
        uint i = lane;
        // Several loads in flight per invocation: the sources are often host memory across PCIe.
        for (; i + (kUnroll - 1u) * kStep < quads; i += kUnroll * kStep) {
            uvec4 a = src.v[i];
            uvec4 b = src.v[i + kStep];
            uvec4 c = src.v[i + 2u * kStep];
            uvec4 d = src.v[i + 3u * kStep];
            dst.v[i] = a;
            dst.v[i + kStep] = b;
            dst.v[i + 2u * kStep] = c;
            dst.v[i + 3u * kStep] = d;
        }
        for (; i < quads; i += kStep)
            dst.v[i] = src.v[i];
        done_words = quads * 4u;
    }
    Source4 src4 = Source4(r.src);
    Destination4 dst4 = Destination4(r.dst);
    const uint words = r.size >> 2;
    for (uint i = done_words + lane; i < words; i += kStep)
        dst4.v[i] = src4.v[i];
}
