// SPDX-License-Identifier: MIT
#include "vulkan/gdeflate_shader.h"

#include <algorithm>
#include <cstdint>

#include "ds/gdeflate.h"
#include "vulkan/compute_pipeline.h"

// Generated at build time by glslangValidator from runtime/shaders/gdeflate_decode.comp, the
// others with DS_SUBGROUP_SCAN, DS_DIRECT_OUTPUT or both.
#include "gdeflate_decode.spv.h"
#include "gdeflate_decode_direct.spv.h"
#include "gdeflate_decode_subgroup.spv.h"
#include "gdeflate_decode_subgroup_direct.spv.h"

namespace ds::vk {
namespace {

// Mirrors the push-constant block `Job` of gdeflate_decode.comp.
struct ShaderJob {
    uint32_t tiles;
    uint32_t packed_size;
    uint32_t uncompressed_size;
    uint32_t status_word;
    // DS_DIRECT_OUTPUT only (the other variants read the first 16 bytes):
    uint64_t out_address;    // the request's first byte in its buffer, or its scratch range
    uint64_t status;         // tile 0's status word in staging
    uint64_t in_address;     // the stream: in staging, or where the tiles copy it
    uint64_t prefetch_from;  // 0, or the stream in staging (the tiles copy it to in_address)
};
static_assert(sizeof(ShaderJob) == 48, "the push-constant block of gdeflate_decode.comp");

constexpr uint64_t kScratchAlignment = 256;  // >= every minStorageBufferOffsetAlignment (spec maximum)

uint64_t round4(uint64_t n) { return (n + 3) & ~3ull; }

uint64_t tiles_of(uint64_t uncompressed_size) {
    return (uncompressed_size + gdeflate::kTileSize - 1) / gdeflate::kTileSize;
}

// Whether compute shaders on the device have the subgroup operations the DS_SUBGROUP_SCAN variant
// uses, in subgroups of at least 4 lanes (it adds up at most 8 subgroups per workgroup).
bool has_subgroup_scans(const Dispatch &vk, VkPhysicalDevice physical) {
    VkPhysicalDeviceProperties base;
    vk.vkGetPhysicalDeviceProperties(physical, &base);
    if (base.apiVersion < VK_API_VERSION_1_1 || vk.vkGetPhysicalDeviceProperties2 == nullptr)
        return false;
    VkPhysicalDeviceSubgroupProperties subgroup{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
    VkPhysicalDeviceProperties2 props{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    props.pNext = &subgroup;
    vk.vkGetPhysicalDeviceProperties2(physical, &props);
    const VkSubgroupFeatureFlags needed = VK_SUBGROUP_FEATURE_BASIC_BIT | VK_SUBGROUP_FEATURE_ARITHMETIC_BIT;
    return subgroup.subgroupSize >= 4 && (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) != 0 &&
           (subgroup.supportedOperations & needed) == needed;
}

}  // namespace

ShaderDecoder::ShaderDecoder(const Dispatch &vk, VkPhysicalDevice physical, VkDevice device, uint64_t scratch_bytes,
                             size_t batch_slots, bool allow_subgroup_scan, uint32_t queue_family,
                             VkDeviceAddress staging_address)
    : vk_(vk), physical_(physical), device_(device), allow_subgroup_scan_(allow_subgroup_scan),
      staging_address_(staging_address), pools_(batch_slots, VK_NULL_HANDLE), queue_family_(queue_family),
      queries_(batch_slots, VK_NULL_HANDLE), timed_(batch_slots, 0) {
    VkPhysicalDeviceProperties props;
    vk_.vkGetPhysicalDeviceProperties(physical_, &props);
    max_range_ = props.limits.maxStorageBufferRange;
    // The scratch ring hands out ranges that are bound as storage buffers: no wider than the device allows.
    scratch_request_ = std::min(scratch_bytes, max_range_) & ~(kScratchAlignment - 1);
}

ShaderDecoder::~ShaderDecoder() {
    for (VkDescriptorPool pool : pools_)
        if (pool != VK_NULL_HANDLE)
            vk_.vkDestroyDescriptorPool(device_, pool, nullptr);
    for (VkQueryPool pool : queries_)
        if (pool != VK_NULL_HANDLE)
            vk_.vkDestroyQueryPool(device_, pool, nullptr);
    if (pipeline_ != VK_NULL_HANDLE)
        vk_.vkDestroyPipeline(device_, pipeline_, nullptr);
    if (pipeline_layout_ != VK_NULL_HANDLE)
        vk_.vkDestroyPipelineLayout(device_, pipeline_layout_, nullptr);
    if (set_layout_ != VK_NULL_HANDLE)
        vk_.vkDestroyDescriptorSetLayout(device_, set_layout_, nullptr);
    destroy_buffer(vk_, device_, &scratch_);
}

bool ShaderDecoder::ready() {
    std::call_once(once_, [&] { ready_.store(create(&why_), std::memory_order_release); });
    return ready_.load(std::memory_order_acquire);
}

std::string ShaderDecoder::why() const { return ready_.load(std::memory_order_acquire) ? std::string() : why_; }

// The variant with bindings: binding 0 = the chunk's span of `input`, 1 = its scratch range.
// False (record_error set) when the slot's pool has no set left for it.
bool ShaderDecoder::bind_descriptors(VkCommandBuffer cmd, VkDescriptorPool pool, VkBuffer input, TransferChunk &c,
                                     size_t index) {
    VkDescriptorSetAllocateInfo alloc{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    alloc.descriptorPool = pool;
    alloc.descriptorSetCount = 1;
    alloc.pSetLayouts = &set_layout_;
    VkDescriptorSet set = VK_NULL_HANDLE;
    VkResult r = index < kMaxShaderJobsPerBatch ? vk_.vkAllocateDescriptorSets(device_, &alloc, &set)
                                                : VK_ERROR_OUT_OF_POOL_MEMORY;
    if (r != VK_SUCCESS) {
        c.record_error = r;
        return false;
    }
    VkDescriptorBufferInfo in{input, c.span.offset, staging_bytes(c.packed_size, c.size)};
    VkDescriptorBufferInfo out{scratch_.buffer, c.scratch.offset, round4(c.size)};
    VkWriteDescriptorSet writes[2] = {};
    for (uint32_t b = 0; b < 2; ++b) {
        writes[b].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
        writes[b].dstSet = set;
        writes[b].dstBinding = b;
        writes[b].descriptorCount = 1;
        writes[b].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        writes[b].pBufferInfo = b == 0 ? &in : &out;
    }
    vk_.vkUpdateDescriptorSets(device_, 2, writes, 0, nullptr);
    vk_.vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_layout_, 0, 1, &set, 0, nullptr);
    return true;
}

bool ShaderDecoder::decodes_in_place(VkBuffer buffer, uint64_t offset, uint64_t size) const {
    return direct_output_ && (offset | size) % 4 == 0 && buffer_address(vk_, device_, buffer) != 0;
}

uint64_t ShaderDecoder::staging_bytes(uint64_t packed_size, uint64_t uncompressed_size) {
    return round4(packed_size) + 4 * tiles_of(uncompressed_size);
}

bool ShaderDecoder::fits(uint64_t packed_size, uint64_t uncompressed_size, uint64_t ring_capacity) const {
    uint64_t staged = staging_bytes(packed_size, uncompressed_size);
    // The decoded size must fit the ring as well: a request the shader cannot finish is decoded
    // again on the CPU, into staging.
    return staged <= ring_capacity && staged <= max_range_ && round4(uncompressed_size) <= scratch_request_ &&
           uncompressed_size <= ring_capacity;
}

bool ShaderDecoder::create(std::string *error) {
    if (scratch_request_ < gdeflate::kTileSize) {
        *error = "shader_scratch_bytes is below one 64 KiB tile";
        return false;
    }
    VkDescriptorSetLayoutBinding bindings[2] = {};
    for (uint32_t i = 0; i < 2; ++i) {
        bindings[i].binding = i;
        bindings[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        bindings[i].descriptorCount = 1;
        bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    }
    VkDescriptorSetLayoutCreateInfo set_info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    set_info.bindingCount = 2;
    set_info.pBindings = bindings;
    VkResult r = vk_.vkCreateDescriptorSetLayout(device_, &set_info, nullptr, &set_layout_);
    if (r != VK_SUCCESS) {
        *error = std::string("vkCreateDescriptorSetLayout (GDeflate) failed: ") + result_name(r);
        return false;
    }
    subgroup_scan_ = allow_subgroup_scan_ && has_subgroup_scans(vk_, physical_);
    direct_output_ = staging_address_ != 0;
    struct Module {
        const uint32_t *code;
        size_t bytes;
    };
    // [direct_output_][subgroup_scan_]
    static const Module kModules[2][2] = {
        {{ds_gdeflate_decode_spv, sizeof ds_gdeflate_decode_spv},
         {ds_gdeflate_decode_subgroup_spv, sizeof ds_gdeflate_decode_subgroup_spv}},
        {{ds_gdeflate_decode_direct_spv, sizeof ds_gdeflate_decode_direct_spv},
         {ds_gdeflate_decode_subgroup_direct_spv, sizeof ds_gdeflate_decode_subgroup_direct_spv}},
    };
    const Module &module = kModules[direct_output_][subgroup_scan_];
    if (!create_compute_pipeline(vk_, device_, module.code, module.bytes, set_layout_, sizeof(ShaderJob), "GDeflate",
                                 &pipeline_layout_, &pipeline_, error))
        return false;

    // The direct-output variant takes no descriptor sets: no pools.
    VkDescriptorPoolSize pool_size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2 * kMaxShaderJobsPerBatch};
    VkDescriptorPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    pool_info.maxSets = kMaxShaderJobsPerBatch;
    pool_info.poolSizeCount = 1;
    pool_info.pPoolSizes = &pool_size;
    for (size_t i = 0; i < pools_.size() && !direct_output_; ++i) {
        r = vk_.vkCreateDescriptorPool(device_, &pool_info, nullptr, &pools_[i]);
        if (r != VK_SUCCESS) {
            *error = std::string("vkCreateDescriptorPool failed: ") + result_name(r);
            return false;
        }
    }

    const VkBufferUsageFlags scratch_usage =
        direct_output_ ? VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT : VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    if (!create_buffer(vk_, physical_, device_, scratch_request_, MemoryKind::DeviceLocal, &scratch_, error,
                       scratch_usage)) {
        *error = "GDeflate scratch buffer: " + *error + " (lower VulkanBackendConfig::shader_scratch_bytes)";
        return false;
    }
    if (direct_output_) {
        scratch_address_ = buffer_address(vk_, device_, scratch_.buffer);
        if (scratch_address_ == 0) {
            *error = "vkGetBufferDeviceAddress gave no address for the GDeflate scratch buffer";
            return false;
        }
    }
    scratch_ring_ = std::make_unique<StagingRing>(scratch_request_, kScratchAlignment);
    create_timestamps();
    return true;
}

// GPU timing is a measurement aid: without timestamps on the queue, or when a pool cannot be
// made, the decoder runs untimed.
void ShaderDecoder::create_timestamps() {
    uint32_t families = 0;
    vk_.vkGetPhysicalDeviceQueueFamilyProperties(physical_, &families, nullptr);
    std::vector<VkQueueFamilyProperties> props(families);
    vk_.vkGetPhysicalDeviceQueueFamilyProperties(physical_, &families, props.data());
    if (queue_family_ >= families || props[queue_family_].timestampValidBits == 0)
        return;
    VkPhysicalDeviceProperties device_props;
    vk_.vkGetPhysicalDeviceProperties(physical_, &device_props);
    const uint32_t bits = props[queue_family_].timestampValidBits;
    VkQueryPoolCreateInfo info{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
    info.queryType = VK_QUERY_TYPE_TIMESTAMP;
    info.queryCount = 2;
    for (VkQueryPool &pool : queries_)
        if (vk_.vkCreateQueryPool(device_, &info, nullptr, &pool) != VK_SUCCESS)
            return;  // timestamp_ns_ stays 0: nothing is timed
    timestamp_mask_ = bits >= 64 ? ~0ull : (1ull << bits) - 1;
    timestamp_ns_ = device_props.limits.timestampPeriod;
}

void ShaderDecoder::retired(uint32_t slot, uint64_t decoded_bytes) {
    if (slot >= timed_.size() || !timed_[slot])
        return;
    timed_[slot] = 0;
    uint64_t ticks[2] = {};
    if (vk_.vkGetQueryPoolResults(device_, queries_[slot], 0, 2, sizeof ticks, ticks, sizeof ticks[0],
                                  VK_QUERY_RESULT_64_BIT) != VK_SUCCESS)
        return;
    const uint64_t span = (ticks[1] - ticks[0]) & timestamp_mask_;
    gpu_ns_.fetch_add(static_cast<uint64_t>(double(span) * timestamp_ns_), std::memory_order_relaxed);
    gpu_bytes_.fetch_add(decoded_bytes, std::memory_order_relaxed);
}

uint32_t ShaderDecoder::record(VkCommandBuffer cmd, uint32_t slot, VkBuffer input, bool input_copied,
                               VkDeviceAddress prefetch_to, TransferChunk *chunks, size_t count) {
    if (count == 0)
        return 0;
    VkDescriptorPool pool = pools_.at(slot);
    if (!direct_output_)
        vk_.vkResetDescriptorPool(device_, pool, 0);  // the batch's previous sets retired with it
    // The shader zeroes its own output range; a barrier is needed only for the copies that put
    // the streams into the decode input buffer.
    if (input_copied) {
        VkMemoryBarrier copied{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
        copied.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
        copied.dstAccessMask = VK_ACCESS_SHADER_READ_BIT;
        vk_.vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1,
                                 &copied, 0, nullptr, 0, nullptr);
    }
    VkQueryPool timer = timestamp_ns_ > 0 ? queries_.at(slot) : VK_NULL_HANDLE;
    timed_.at(slot) = timer != VK_NULL_HANDLE;  // read back by retired() (completion thread)
    if (timer != VK_NULL_HANDLE) {
        vk_.vkCmdResetQueryPool(cmd, timer, 0, 2);
        vk_.vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, timer, 0);
    }
    vk_.vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_);
    bool scratch_copies = false;  // some chunk's bytes go on from scratch by vkCmdCopyBuffer
    for (size_t i = 0; i < count; ++i) {
        TransferChunk &c = chunks[i];
        const uint32_t status_word = static_cast<uint32_t>(round4(c.packed_size) / 4);
        ShaderJob job{
            c.tiles, static_cast<uint32_t>(c.packed_size), static_cast<uint32_t>(c.size), status_word, 0, 0, 0, 0};
        if (direct_output_) {
            // Everything by address: no descriptor set.
            const VkDeviceAddress staged = staging_address_ + c.span.offset;
            job.status = staged + 4ull * status_word;
            job.out_address = c.direct_output ? buffer_address(vk_, device_, c.gpu_buffer) + c.gpu_offset
                                              : scratch_address_ + c.scratch.offset;
            job.in_address = prefetch_to ? prefetch_to + c.span.offset : staged;
            job.prefetch_from = prefetch_to ? staged : 0;
        } else if (!bind_descriptors(cmd, pool, input, c, i)) {
            continue;
        }
        scratch_copies = scratch_copies || !c.direct_output;
        vk_.vkCmdPushConstants(cmd, pipeline_layout_, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof job, &job);
        vk_.vkCmdDispatch(cmd, c.tiles, 1, 1);  // a workgroup of 32 invocations per tile
    }
    if (timer != VK_NULL_HANDLE)
        vk_.vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, timer, 1);
    // Status words go to the completion thread's reads; decoded bytes still in scratch to the
    // copies below. Without those copies the barrier waits for nothing on the GPU: the next
    // batch's uploads run beside this batch's dispatches.
    VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT | (scratch_copies ? VK_ACCESS_TRANSFER_READ_BIT : 0);
    vk_.vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                             VK_PIPELINE_STAGE_HOST_BIT | (scratch_copies ? VK_PIPELINE_STAGE_TRANSFER_BIT : 0), 0, 1,
                             &barrier, 0, nullptr, 0, nullptr);
    uint32_t regions = 0;
    for (size_t i = 0; i < count; ++i) {
        const TransferChunk &c = chunks[i];
        if (c.record_error != VK_SUCCESS || c.direct_output)
            continue;
        VkBufferCopy region{c.scratch.offset, c.gpu_offset, c.size};
        vk_.vkCmdCopyBuffer(cmd, scratch_.buffer, c.gpu_buffer, 1, &region);
        ++regions;
    }
    return regions;
}

}  // namespace ds::vk
