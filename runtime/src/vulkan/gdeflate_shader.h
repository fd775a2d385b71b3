// SPDX-License-Identifier: MIT
// ds::vk::ShaderDecoder: the compute-shader GDeflate path of the Vulkan backend
// (runtime/shaders/gdeflate_decode.comp, compiled to SPIR-V at build time and embedded).
// Owns the pipeline, one descriptor pool per batch slot and a device-local scratch ring the
// shader decodes into; the recorder then copies scratch -> destination buffer. Created when the
// backend is; the Vulkan objects are made on first use (ready()), so backends that never decode
// GDeflate on the GPU pay neither the pipeline compile nor the scratch memory.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vulkan/staging_ring.h"
#include "vulkan/transfer_chunk.h"
#include "vulkan/vk_dispatch.h"
#include "vulkan/vk_memory.h"

namespace ds::vk {

/// Tile status words, written by the shader after the compressed stream in staging:
/// ds::gdeflate::Error numbers (0 = Ok; 1..255 corrupt data), or from kShaderStatusFirstRetry
/// on, "not decoded here": the backend decodes the request again on the CPU.
inline constexpr uint32_t kShaderStatusFirstRetry = 256;
inline constexpr uint32_t kShaderStatusTurnLimit = 256;       ///< more rounds than any valid tile needs
inline constexpr uint32_t kShaderStatusLoopLimit = 257;       ///< a loop stopped early (lavapipe's iteration cap)
inline constexpr uint32_t kShaderStatusSubgroups = 258;       ///< subgroup variant: lanes not in order in the subgroups
inline constexpr uint32_t kShaderStatusNotRun = 0xFFFFFFFFu;  ///< put there by the reader before submit

/// Dispatches one batch may carry where each takes a descriptor set from its slot's pool (the
/// variant with bindings; the direct-output variant has no descriptor sets and no such limit).
inline constexpr uint32_t kMaxShaderJobsPerBatch = 64;

class ShaderDecoder {
public:
    /// allow_subgroup_scan: false always takes the variant without subgroup operations.
    /// queue_family: the queue's, for its timestamp support (uint32_t(-1): no GPU timing).
    /// staging_address: the staging buffer's device address, given only where bufferDeviceAddress
    /// is enabled and every destination buffer has device-address usage: then the shader writes
    /// the decoded bytes into the destinations and the status words into staging itself
    /// (direct_output()); 0: it writes scratch, and the recorder copies scratch -> destination.
    ShaderDecoder(const Dispatch &vk, VkPhysicalDevice physical, VkDevice device, uint64_t scratch_bytes,
                  size_t batch_slots, bool allow_subgroup_scan = true, uint32_t queue_family = UINT32_MAX,
                  VkDeviceAddress staging_address = 0);
    ~ShaderDecoder();
    ShaderDecoder(const ShaderDecoder &) = delete;
    ShaderDecoder &operator=(const ShaderDecoder &) = delete;

    /// Makes the pipeline, pools and scratch on the first call (any thread). False, now and
    /// later, when that failed; why() says what failed.
    bool ready();
    std::string why() const;
    /// After ready(): whether the pipeline is the variant that sums rounds with subgroup scans
    /// (compute subgroups of 4 lanes or more with arithmetic operations, unless not allowed);
    /// otherwise the one that sums in shared memory.
    bool subgroup_scan() const { return subgroup_scan_; }
    /// After ready(): whether the pipeline is the variant that writes its output and status
    /// words by device address (docs/vulkan-backend.md, "Direct output").
    bool direct_output() const { return direct_output_; }
    /// Shader jobs one batch may carry: kMaxShaderJobsPerBatch, no limit once the direct-output
    /// variant is ready (a shader chunk exists only after ready()).
    uint32_t max_jobs_per_batch() const {
        return ready_.load(std::memory_order_acquire) && direct_output_ ? UINT32_MAX : kMaxShaderJobsPerBatch;
    }
    /// After ready(): whether a request decoding `size` bytes to `offset` of `buffer` is decoded
    /// straight into it (the direct-output variant, offset and size multiples of 4: every word
    /// written is the request's own). Such a request takes no scratch (chunk.direct_output).
    bool decodes_in_place(VkBuffer buffer, uint64_t offset, uint64_t size) const;

    /// Staging bytes a request needs on this path: the stream (rounded up to 4) and a status
    /// word per tile.
    static uint64_t staging_bytes(uint64_t packed_size, uint64_t uncompressed_size);
    /// Whether a request of these sizes can take this path (ranges within the device's
    /// maxStorageBufferRange, the staging ring and the scratch ring; the decoded size within
    /// the staging ring too, for the CPU retry).
    bool fits(uint64_t packed_size, uint64_t uncompressed_size, uint64_t ring_capacity) const;

    /// Blocks until the scratch ring has room for `uncompressed_size` bytes (ready() first).
    RingSpan alloc_scratch(uint64_t uncompressed_size) { return scratch_ring_->alloc((uncompressed_size + 3) & ~3ull); }
    void free_scratch(uint64_t id) { scratch_ring_->free(id); }

    /// Records one dispatch per chunk (all Decode::Shader, at most kMaxShaderJobsPerBatch),
    /// a barrier (shader writes -> host reads, and transfer reads where copies follow), and the
    /// copies scratch -> destination of the chunks not decoded in place (direct_output unset).
    /// prefetch_to (direct-output variant only; 0: none): the decode input buffer's address; each
    /// tile copies its bytes there from staging and decodes from the copy (no transfer copy, no
    /// barrier), instead of reading staging across the bus. `input` holds the
    /// streams at the chunks' staging offsets: staging itself, or the decode input buffer that this command buffer's
    /// copies filled (`input_copied`: a barrier first). A chunk whose descriptor set cannot be made gets record_error
    /// and no dispatch. Returns the copy regions recorded.
    uint32_t record(VkCommandBuffer cmd, uint32_t slot, VkBuffer input, bool input_copied, VkDeviceAddress prefetch_to,
                    TransferChunk *chunks, size_t count);

    /// The batch in `slot` has retired: adds the GPU time from its first dispatch to the end of
    /// its last (timestamps, where the queue has them) and the bytes it decoded to gpu_time().
    /// Batches may overlap on the GPU, so the sum is at least the time the shader ran.
    void retired(uint32_t slot, uint64_t decoded_bytes);
    struct GpuTime {
        uint64_t ns = 0;     ///< summed batch spans
        uint64_t bytes = 0;  ///< decoded bytes of those batches
    };
    GpuTime gpu_time() const {
        return {gpu_ns_.load(std::memory_order_relaxed), gpu_bytes_.load(std::memory_order_relaxed)};
    }

private:
    bool create(std::string *error);
    bool bind_descriptors(VkCommandBuffer cmd, VkDescriptorPool pool, VkBuffer input, TransferChunk &c, size_t index);
    void create_timestamps();

    const Dispatch &vk_;
    VkPhysicalDevice physical_;
    VkDevice device_;
    uint64_t scratch_request_;
    bool allow_subgroup_scan_;
    VkDeviceAddress staging_address_;
    uint64_t max_range_ = 0;               // maxStorageBufferRange
    std::vector<VkDescriptorPool> pools_;  // one per batch slot
    uint32_t queue_family_;
    double timestamp_ns_ = 0;           // ns per timestamp tick; 0: no GPU timing
    uint64_t timestamp_mask_ = 0;       // the queue's valid timestamp bits
    std::vector<VkQueryPool> queries_;  // per batch slot: 2 timestamps (made with the pipeline)
    std::vector<uint8_t> timed_;        // per batch slot: its last recording wrote them
    std::atomic<uint64_t> gpu_ns_{0};
    std::atomic<uint64_t> gpu_bytes_{0};

    std::once_flag once_;
    std::atomic<bool> ready_{false};
    std::string why_;
    bool subgroup_scan_ = false;
    bool direct_output_ = false;
    VkDescriptorSetLayout set_layout_ = VK_NULL_HANDLE;
    VkPipelineLayout pipeline_layout_ = VK_NULL_HANDLE;
    VkPipeline pipeline_ = VK_NULL_HANDLE;
    OwnedBuffer scratch_;
    VkDeviceAddress scratch_address_ = 0;  // the direct-output variant's
    std::unique_ptr<StagingRing> scratch_ring_;
};

}  // namespace ds::vk
