// SPDX-License-Identifier: MIT
// The backend's own Vulkan entry points for tests that drive its internal classes
// (ShaderDecoder, FileMappingImports) on a test device.
#pragma once

#include <string>

#include "ds/vulkan_backend.h"
#include "vulkan/vk_dispatch.h"

namespace dstest {

/// Loads `vk` from the device of `config` (VulkanDevice::backend_config()); empty, or what failed.
inline std::string load_dispatch(const ds::VulkanBackendConfig &config, ds::vk::Dispatch *vk) {
    std::string why = vk->load_global(reinterpret_cast<PFN_vkGetInstanceProcAddr>(config.get_instance_proc_addr));
    if (why.empty())
        why = vk->load_instance(reinterpret_cast<VkInstance>(config.instance));
    if (why.empty())
        why = vk->load_device(reinterpret_cast<VkDevice>(config.device));
    return why;
}

}  // namespace dstest
