// SPDX-License-Identifier: MIT
#include "vulkan/vk_dispatch.h"

#include <cstring>

namespace ds::vk {
namespace {

std::string missing(const char *name, const char *level) {
    return std::string("Vulkan entry point ") + name + " is missing (" + level +
           " level); the driver or loader is too old: ds-runtime needs Vulkan 1.2 or "
           "VK_KHR_timeline_semaphore";
}

// Timeline semaphores are core in 1.2; older devices expose them under the KHR suffix.
PFN_vkVoidFunction device_proc_with_khr_fallback(PFN_vkGetDeviceProcAddr gdpa, VkDevice device, const char *name) {
    if (PFN_vkVoidFunction f = gdpa(device, name))
        return f;
    std::string khr = std::string(name) + "KHR";
    return gdpa(device, khr.c_str());
}

}  // namespace

std::string Dispatch::load_global(PFN_vkGetInstanceProcAddr gipa) {
    vkGetInstanceProcAddr = gipa;
    if (!gipa)
        return "vkGetInstanceProcAddr is null: pass the loader's or the application's pointer";
#define DS_VK_LOAD(name)                                                                                               \
    name = reinterpret_cast<PFN_##name>(gipa(nullptr, #name));                                                         \
    if (!name)                                                                                                         \
        return missing(#name, "global");
    DS_VK_GLOBAL_FUNCS(DS_VK_LOAD)
#undef DS_VK_LOAD
    return "";
}

std::string Dispatch::load_instance(VkInstance instance) {
    if (!vkGetInstanceProcAddr)
        return "vkGetInstanceProcAddr is null: pass the loader's or the application's pointer";
#define DS_VK_LOAD(name)                                                                                               \
    name = reinterpret_cast<PFN_##name>(vkGetInstanceProcAddr(instance, #name));                                       \
    if (!name)                                                                                                         \
        return missing(#name, "instance");
    DS_VK_INSTANCE_FUNCS(DS_VK_LOAD)
#undef DS_VK_LOAD
    return "";
}

std::string Dispatch::load_device(VkDevice device) {
    if (!vkGetDeviceProcAddr)
        return "load_instance must succeed before load_device";
#define DS_VK_LOAD(name)                                                                                               \
    name = reinterpret_cast<PFN_##name>(device_proc_with_khr_fallback(vkGetDeviceProcAddr, device, #name));            \
    if (!name)                                                                                                         \
        return missing(#name, "device");
    DS_VK_DEVICE_FUNCS(DS_VK_LOAD)
#undef DS_VK_LOAD
#define DS_VK_LOAD_OPTIONAL(name)                                                                                      \
    name = reinterpret_cast<PFN_##name>(device_proc_with_khr_fallback(vkGetDeviceProcAddr, device, #name));
    DS_VK_OPTIONAL_DEVICE_FUNCS(DS_VK_LOAD_OPTIONAL)
#undef DS_VK_LOAD_OPTIONAL
    return "";
}

const char *result_name(VkResult r) {
    switch (r) {
    case VK_SUCCESS: return "VK_SUCCESS";
    case VK_NOT_READY: return "VK_NOT_READY";
    case VK_TIMEOUT: return "VK_TIMEOUT";
    case VK_ERROR_OUT_OF_HOST_MEMORY: return "VK_ERROR_OUT_OF_HOST_MEMORY";
    case VK_ERROR_OUT_OF_DEVICE_MEMORY: return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
    case VK_ERROR_INITIALIZATION_FAILED: return "VK_ERROR_INITIALIZATION_FAILED";
    case VK_ERROR_DEVICE_LOST: return "VK_ERROR_DEVICE_LOST";
    case VK_ERROR_MEMORY_MAP_FAILED: return "VK_ERROR_MEMORY_MAP_FAILED";
    case VK_ERROR_EXTENSION_NOT_PRESENT: return "VK_ERROR_EXTENSION_NOT_PRESENT";
    case VK_ERROR_FEATURE_NOT_PRESENT: return "VK_ERROR_FEATURE_NOT_PRESENT";
    case VK_ERROR_INCOMPATIBLE_DRIVER: return "VK_ERROR_INCOMPATIBLE_DRIVER";
    default: return "VkResult (see vulkan_core.h)";
    }
}

}  // namespace ds::vk
