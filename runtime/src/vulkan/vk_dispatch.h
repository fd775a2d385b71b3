// SPDX-License-Identifier: MIT
// One table of the Vulkan entry points ds-runtime calls, loaded through the caller's
// vkGetInstanceProcAddr (the build has no link-time dependency on libvulkan).
#pragma once

#include <string>

#include <vulkan/vulkan.h>

namespace ds::vk {

// Loaded with vkGetInstanceProcAddr(NULL, ...): only the standalone device needs these.
#define DS_VK_GLOBAL_FUNCS(X)                                                                                          \
    X(vkCreateInstance)                                                                                                \
    X(vkEnumerateInstanceVersion)

// Loaded with vkGetInstanceProcAddr(instance, ...).
#define DS_VK_INSTANCE_FUNCS(X)                                                                                        \
    X(vkDestroyInstance)                                                                                               \
    X(vkEnumeratePhysicalDevices)                                                                                      \
    X(vkGetPhysicalDeviceProperties)                                                                                   \
    X(vkGetPhysicalDeviceMemoryProperties)                                                                             \
    X(vkGetPhysicalDeviceQueueFamilyProperties)                                                                        \
    X(vkCreateDevice)                                                                                                  \
    X(vkGetDeviceProcAddr)                                                                                             \
    X(vkEnumerateDeviceExtensionProperties)                                                                            \
    X(vkGetPhysicalDeviceFeatures2)                                                                                    \
    X(vkGetPhysicalDeviceProperties2)

// Loaded with vkGetDeviceProcAddr(device, ...). The backend uses the copy, memory, command,
// semaphore and compute-pipeline functions (all Vulkan 1.0 core); the standalone device also the rest.
#define DS_VK_DEVICE_FUNCS(X)                                                                                          \
    X(vkDestroyDevice)                                                                                                 \
    X(vkGetDeviceQueue)                                                                                                \
    X(vkDeviceWaitIdle)                                                                                                \
    X(vkCreateBuffer)                                                                                                  \
    X(vkDestroyBuffer)                                                                                                 \
    X(vkGetBufferMemoryRequirements)                                                                                   \
    X(vkAllocateMemory)                                                                                                \
    X(vkFreeMemory)                                                                                                    \
    X(vkBindBufferMemory)                                                                                              \
    X(vkMapMemory)                                                                                                     \
    X(vkUnmapMemory)                                                                                                   \
    X(vkCreateCommandPool)                                                                                             \
    X(vkDestroyCommandPool)                                                                                            \
    X(vkAllocateCommandBuffers)                                                                                        \
    X(vkFreeCommandBuffers)                                                                                            \
    X(vkResetCommandBuffer)                                                                                            \
    X(vkBeginCommandBuffer)                                                                                            \
    X(vkEndCommandBuffer)                                                                                              \
    X(vkCmdCopyBuffer)                                                                                                 \
    X(vkCmdFillBuffer)                                                                                                 \
    X(vkCmdPipelineBarrier)                                                                                            \
    X(vkCmdWriteTimestamp)                                                                                             \
    X(vkCmdResetQueryPool)                                                                                             \
    X(vkCreateQueryPool)                                                                                               \
    X(vkDestroyQueryPool)                                                                                              \
    X(vkGetQueryPoolResults)                                                                                           \
    X(vkQueueSubmit)                                                                                                   \
    X(vkCreateFence)                                                                                                   \
    X(vkDestroyFence)                                                                                                  \
    X(vkWaitForFences)                                                                                                 \
    X(vkCreateSemaphore)                                                                                               \
    X(vkDestroySemaphore)                                                                                              \
    X(vkWaitSemaphores)                                                                                                \
    X(vkGetSemaphoreCounterValue)                                                                                      \
    X(vkCreateShaderModule)                                                                                            \
    X(vkDestroyShaderModule)                                                                                           \
    X(vkCreateDescriptorSetLayout)                                                                                     \
    X(vkDestroyDescriptorSetLayout)                                                                                    \
    X(vkCreatePipelineLayout)                                                                                          \
    X(vkDestroyPipelineLayout)                                                                                         \
    X(vkCreateComputePipelines)                                                                                        \
    X(vkDestroyPipeline)                                                                                               \
    X(vkCreateDescriptorPool)                                                                                          \
    X(vkDestroyDescriptorPool)                                                                                         \
    X(vkResetDescriptorPool)                                                                                           \
    X(vkAllocateDescriptorSets)                                                                                        \
    X(vkUpdateDescriptorSets)                                                                                          \
    X(vkCmdBindPipeline)                                                                                               \
    X(vkCmdBindDescriptorSets)                                                                                         \
    X(vkCmdPushConstants)                                                                                              \
    X(vkCmdDispatch)

// Device functions that may be absent: loaded when present, checked before use.
#define DS_VK_OPTIONAL_DEVICE_FUNCS(X)                                                                                 \
    X(vkGetBufferDeviceAddress)                                                                                        \
    X(vkCmdDecompressMemoryNV)                                                                                         \
    X(vkGetMemoryHostPointerPropertiesEXT)

struct Dispatch {
#define DS_VK_DECLARE(name) PFN_##name name = nullptr;
    DS_VK_GLOBAL_FUNCS(DS_VK_DECLARE)
    DS_VK_INSTANCE_FUNCS(DS_VK_DECLARE)
    DS_VK_DEVICE_FUNCS(DS_VK_DECLARE)
    DS_VK_OPTIONAL_DEVICE_FUNCS(DS_VK_DECLARE)
#undef DS_VK_DECLARE
    PFN_vkGetInstanceProcAddr vkGetInstanceProcAddr = nullptr;

    /// Each returns "" on success, otherwise which entry point is missing and what to check.
    std::string load_global(PFN_vkGetInstanceProcAddr gipa);
    std::string load_instance(VkInstance instance);
    std::string load_device(VkDevice device);
};

/// "VK_ERROR_DEVICE_LOST" etc., for error messages.
const char *result_name(VkResult r);

}  // namespace ds::vk
