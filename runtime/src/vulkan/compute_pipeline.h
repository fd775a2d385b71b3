// SPDX-License-Identifier: MIT
// A compute pipeline made from SPIR-V embedded at build time (runtime/shaders/*.comp): shared by
// the GDeflate shader decoder and the scatter copier.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "vulkan/vk_dispatch.h"

namespace ds::vk {

/// Entry point `main`; `set_layout` may be VK_NULL_HANDLE (no descriptor sets); one push-constant
/// range of `push_bytes` for the compute stage. On failure returns false with *error naming
/// `what` and the VkResult; a layout made before the failure is left in *layout for the caller's
/// cleanup, as is the pipeline on success.
bool create_compute_pipeline(const Dispatch &vk, VkDevice device, const uint32_t *code, size_t code_bytes,
                             VkDescriptorSetLayout set_layout, uint32_t push_bytes, const char *what,
                             VkPipelineLayout *layout, VkPipeline *pipeline, std::string *error);

}  // namespace ds::vk
