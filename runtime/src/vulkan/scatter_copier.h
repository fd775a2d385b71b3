// SPDX-License-Identifier: MIT
// ds::vk::ScatterCopier: "shader copies" (VulkanBackendConfig::shader_copies). One compute
// dispatch per batch copies every small upload region of it (runtime/shaders/scatter_copy.comp,
// embedded at build time), instead of one copy-engine region each: a copy engine pays a fixed
// cost per region, which caps scattered 64 KiB reads far below the link's speed.
// Sources and destinations are reached by buffer device address; the region table of each batch
// slot lives in one host-visible buffer owned here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vulkan/vk_dispatch.h"
#include "vulkan/vk_memory.h"

namespace ds::vk {

class ScatterCopier {
public:
    /// regions_per_batch: table entries each batch slot has (a batch never holds more chunks).
    ScatterCopier(const Dispatch &vk, VkPhysicalDevice physical, VkDevice device, size_t batch_slots,
                  uint32_t regions_per_batch);
    ~ScatterCopier();
    ScatterCopier(const ScatterCopier &) = delete;
    ScatterCopier &operator=(const ScatterCopier &) = delete;

    /// Makes the pipeline and the tables; false with *error when the device cannot.
    bool create(std::string *error);

    /// The part of a region the shader copies: 4-byte aligned addresses, the size rounded down
    /// to 4; 0 when the region is not for the shader (unaligned, too small or too large).
    static uint64_t shader_part(VkDeviceAddress src, VkDeviceAddress dst, uint64_t size, uint64_t max_region);

    /// Starts a batch slot's table (the slot's previous batch has retired).
    void begin(uint32_t slot);
    /// Adds a region to the slot's table; false when the table is full (copy it another way).
    bool add(uint32_t slot, VkDeviceAddress src, VkDeviceAddress dst, uint32_t size);
    /// Records the slot's dispatch; returns the regions it copies (0: nothing recorded).
    uint32_t record(VkCommandBuffer cmd, uint32_t slot);

private:
    const Dispatch &vk_;
    VkPhysicalDevice physical_;
    VkDevice device_;
    const uint32_t regions_per_batch_;
    std::vector<uint32_t> counts_;  // regions in each slot's table

    VkPipelineLayout pipeline_layout_ = VK_NULL_HANDLE;
    VkPipeline pipeline_ = VK_NULL_HANDLE;
    OwnedBuffer tables_;  // batch_slots tables of regions_per_batch_ entries
    VkDeviceAddress tables_address_ = 0;
};

}  // namespace ds::vk
