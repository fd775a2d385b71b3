// SPDX-License-Identifier: MIT
#include "vulkan/scatter_copier.h"

#include <cstring>

#include "vulkan/compute_pipeline.h"

// Generated at build time by glslangValidator from runtime/shaders/scatter_copy.comp.
#include "scatter_copy.spv.h"

namespace ds::vk {
namespace {

// Mirrors `Region` of scatter_copy.comp.
struct ScatterRegion {
    uint32_t src_lo, src_hi;
    uint32_t dst_lo, dst_hi;
    uint32_t size;
    uint32_t pad[3];
};
static_assert(sizeof(ScatterRegion) == 32, "scatter_copy.comp reads 32-byte table entries");

// Mirrors the push-constant block `Batch` of scatter_copy.comp.
struct ScatterBatch {
    uint32_t table_lo, table_hi;
    uint32_t count;
};

}  // namespace

ScatterCopier::ScatterCopier(const Dispatch &vk, VkPhysicalDevice physical, VkDevice device, size_t batch_slots,
                             uint32_t regions_per_batch)
    : vk_(vk), physical_(physical), device_(device), regions_per_batch_(regions_per_batch), counts_(batch_slots, 0) {}

ScatterCopier::~ScatterCopier() {
    if (pipeline_ != VK_NULL_HANDLE)
        vk_.vkDestroyPipeline(device_, pipeline_, nullptr);
    if (pipeline_layout_ != VK_NULL_HANDLE)
        vk_.vkDestroyPipelineLayout(device_, pipeline_layout_, nullptr);
    destroy_buffer(vk_, device_, &tables_);
}

bool ScatterCopier::create(std::string *error) {
    if (!vk_.vkGetBufferDeviceAddress) {
        *error = "vkGetBufferDeviceAddress is not available (Vulkan 1.2 or VK_KHR_buffer_device_address)";
        return false;
    }
    if (!create_compute_pipeline(vk_, device_, ds_scatter_copy_spv, sizeof(ds_scatter_copy_spv), VK_NULL_HANDLE,
                                 sizeof(ScatterBatch), "scatter-copy", &pipeline_layout_, &pipeline_, error))
        return false;
    const uint64_t table_bytes = uint64_t(regions_per_batch_) * sizeof(ScatterRegion) * counts_.size();
    if (!create_buffer(vk_, physical_, device_, table_bytes, MemoryKind::Staging, &tables_, error,
                       VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT)) {
        *error = "scatter-copy region tables: " + *error;
        return false;
    }
    tables_address_ = buffer_address(vk_, device_, tables_.buffer);
    if (tables_address_ == 0) {
        *error = "vkGetBufferDeviceAddress returned 0 for the scatter-copy tables";
        return false;
    }
    return true;
}

uint64_t ScatterCopier::shader_part(VkDeviceAddress src, VkDeviceAddress dst, uint64_t size, uint64_t max_region) {
    if (((src | dst) & 3) != 0 || size < 4 || size > max_region || size > UINT32_MAX)
        return 0;
    return size & ~uint64_t(3);
}

void ScatterCopier::begin(uint32_t slot) { counts_.at(slot) = 0; }

bool ScatterCopier::add(uint32_t slot, VkDeviceAddress src, VkDeviceAddress dst, uint32_t size) {
    uint32_t &n = counts_.at(slot);
    if (n == regions_per_batch_)
        return false;
    ScatterRegion region{};
    region.src_lo = static_cast<uint32_t>(src);
    region.src_hi = static_cast<uint32_t>(src >> 32);
    region.dst_lo = static_cast<uint32_t>(dst);
    region.dst_hi = static_cast<uint32_t>(dst >> 32);
    region.size = size;
    uint8_t *table = tables_.mapped + uint64_t(slot) * regions_per_batch_ * sizeof(ScatterRegion);
    std::memcpy(table + uint64_t(n) * sizeof region, &region, sizeof region);
    ++n;
    return true;
}

uint32_t ScatterCopier::record(VkCommandBuffer cmd, uint32_t slot) {
    const uint32_t n = counts_.at(slot);
    if (n == 0)
        return 0;
    const VkDeviceAddress table = tables_address_ + uint64_t(slot) * regions_per_batch_ * sizeof(ScatterRegion);
    ScatterBatch batch{static_cast<uint32_t>(table), static_cast<uint32_t>(table >> 32), n};
    vk_.vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_);
    vk_.vkCmdPushConstants(cmd, pipeline_layout_, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof batch, &batch);
    vk_.vkCmdDispatch(cmd, n, 1, 1);  // a workgroup per region
    return n;
}

}  // namespace ds::vk
