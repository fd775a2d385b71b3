// SPDX-License-Identifier: MIT
// Built instead of src/vulkan/ when DS_WITH_VULKAN=OFF: the API exists, and says why it cannot work.
#include "ds/vulkan_backend.h"

namespace ds {
namespace {

constexpr const char *kNotBuilt =
    "ds-runtime was built without Vulkan: install the Vulkan headers (libvulkan-dev on Debian, "
    "vulkan-headers on Arch) and reconfigure with -DDS_WITH_VULKAN=ON";

}  // namespace

std::shared_ptr<Backend> make_vulkan_backend(const VulkanBackendConfig &, std::string *error) {
    if (error)
        *error = kNotBuilt;
    return nullptr;
}

std::unique_ptr<VulkanDevice> VulkanDevice::create(std::string *error, const VulkanDeviceOptions &) {
    if (error)
        *error = kNotBuilt;
    return nullptr;
}

std::unique_ptr<VulkanDevice> VulkanDevice::create(std::string *error) { return create(error, VulkanDeviceOptions{}); }

}  // namespace ds
