// SPDX-License-Identifier: MIT
// The unit the Vulkan backend schedules: one piece (at most chunk_size bytes) of one request,
// carrying copies of every request field it needs so threads never read a finished Work.
#pragma once

#include <cstdint>
#include <vector>

#include "vulkan/file_mapping_imports.h"
#include "vulkan/staging_ring.h"
#include "vulkan/vk_dispatch.h"
#include "work.h"

namespace ds::vk {

enum class ChunkKind : uint8_t {
    HostRead,   ///< file or memory -> host memory: pread/memcpy straight into dst
    HostWrite,  ///< host memory -> file: pwrite
    GpuRead,    ///< file or memory -> staging -> vkCmdCopyBuffer -> gpu buffer
    GpuWrite,   ///< gpu buffer -> vkCmdCopyBuffer -> staging -> pwrite
};

/// How a Compression::GDeflate request is decoded (docs/vulkan-backend.md, "GDeflate").
enum class Decode : uint8_t {
    None,    ///< not compressed
    Cpu,     ///< decoded by the reader into staging (GPU destination) or into dst (host)
    Nv,      ///< compressed bytes staged, vkCmdDecompressMemoryNV writes gpu_buffer
    Shader,  ///< compressed bytes staged, gdeflate_decode.comp writes gpu_buffer or scratch (then copied)
};

struct TransferChunk {
    Work *work = nullptr;
    ChunkKind kind = ChunkKind::HostRead;
    bool from_memory = false;  ///< reads: source is `src`, not the file
    int fd = -1;
    uint64_t file_offset = 0;  ///< already includes `start`
    uint64_t start = 0;        ///< offset of this chunk within its request
    uint64_t size = 0;
    const uint8_t *src = nullptr;  ///< already includes `start`
    uint8_t *dst = nullptr;        ///< already includes `start`
    VkBuffer gpu_buffer = VK_NULL_HANDLE;
    uint64_t gpu_offset = 0;             ///< already includes `start`
    RingSpan span;                       ///< staging space, GPU chunks only (not when mapped)
    MappedSource mapped;                 ///< GpuRead from an imported file mapping instead of staging
    uint64_t moved = 0;                  ///< bytes staged (a GpuRead at end of file stages fewer)
    Decode decode = Decode::None;        ///< GDeflate: one chunk per request, size = compressed size
    uint64_t packed_size = 0;            ///< Decode::Nv/Shader: compressed bytes in staging at span.offset
    uint32_t tiles = 0;                  ///< Decode::Shader: tiles in the stream (one status word each)
    RingSpan scratch;                    ///< Decode::Shader: the decoded bytes in the scratch buffer
    VkResult record_error = VK_SUCCESS;  ///< Decode::Shader: the dispatch could not be recorded
    bool direct_output = false;          ///< Decode::Shader: decoded straight into gpu_buffer, no scratch
};

/// Bounds a batch made of tiny requests; a region costs a little driver and GPU time.
inline constexpr uint32_t kMaxChunksPerBatch = 4096;
/// Batches the GPU may hold before the recorder waits for a full one (see vulkan_recorder.cpp).
inline constexpr uint32_t kBusyBatches = 2;

/// What a chunk counts toward flush_bytes: the staging it holds. A stream the GPU decodes holds
/// its compressed size (its output goes to the destination or to scratch), so a batch carries
/// twice as many tiles of 2:1 data as when it counted decoded bytes.
inline uint64_t batch_bytes(const TransferChunk &c) {
    return c.decode == Decode::Nv || c.decode == Decode::Shader ? c.packed_size : c.size;
}

/// One command buffer's worth of chunks, recorded and submitted together and retired
/// together when the timeline semaphore reaches `timeline_value`.
struct CopyBatch {
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    uint32_t slot = 0;  ///< index among the backend's batches (selects per-batch descriptor pools)
    uint64_t timeline_value = 0;
    std::vector<TransferChunk> chunks;
    std::vector<VkBufferCopy> regions;                   // scratch, kept to reuse its capacity
    std::vector<VkDecompressMemoryRegionNV> decompress;  // scratch
};

}  // namespace ds::vk
