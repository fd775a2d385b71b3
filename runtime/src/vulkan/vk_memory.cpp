// SPDX-License-Identifier: MIT
#include "vulkan/vk_memory.h"

namespace ds::vk {
namespace {

// Index of the first allowed memory type that has every `required` flag, preferring one that
// also has every `preferred` flag. UINT32_MAX when none qualifies.
uint32_t pick_memory_type(const VkPhysicalDeviceMemoryProperties &props, uint32_t allowed,
                          VkMemoryPropertyFlags required, VkMemoryPropertyFlags preferred) {
    uint32_t fallback = UINT32_MAX;
    for (uint32_t i = 0; i < props.memoryTypeCount; ++i) {
        if (!(allowed & (1u << i)))
            continue;
        VkMemoryPropertyFlags f = props.memoryTypes[i].propertyFlags;
        if ((f & required) != required)
            continue;
        if ((f & preferred) == preferred)
            return i;
        if (fallback == UINT32_MAX)
            fallback = i;
    }
    return fallback;
}

}  // namespace

bool create_buffer(const Dispatch &vk, VkPhysicalDevice physical, VkDevice device, uint64_t size, MemoryKind kind,
                   OwnedBuffer *out, std::string *error, VkBufferUsageFlags extra_usage) {
    *out = OwnedBuffer{};
    const bool device_address = extra_usage & VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT;
    VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    info.size = size;
    info.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT | extra_usage;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VkResult r = vk.vkCreateBuffer(device, &info, nullptr, &out->buffer);
    if (r != VK_SUCCESS) {
        *error = std::string("vkCreateBuffer of ") + std::to_string(size) + " bytes failed: " + result_name(r);
        return false;
    }
    VkMemoryRequirements req;
    vk.vkGetBufferMemoryRequirements(device, out->buffer, &req);
    VkPhysicalDeviceMemoryProperties props;
    vk.vkGetPhysicalDeviceMemoryProperties(physical, &props);

    VkMemoryPropertyFlags required, preferred;
    if (kind == MemoryKind::Staging) {
        required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
        preferred = required | VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
    } else {
        required = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
        preferred = required;
    }
    uint32_t type = pick_memory_type(props, req.memoryTypeBits, required, preferred);
    if (type == UINT32_MAX) {
        *error = kind == MemoryKind::Staging ? "the device has no HOST_VISIBLE|HOST_COHERENT memory type for staging"
                                             : "the device has no DEVICE_LOCAL memory type for buffers";
        destroy_buffer(vk, device, out);
        return false;
    }
    VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    alloc.allocationSize = req.size;
    alloc.memoryTypeIndex = type;
    VkMemoryAllocateFlagsInfo flags{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO};
    flags.flags = VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT;
    if (device_address)
        alloc.pNext = &flags;
    r = vk.vkAllocateMemory(device, &alloc, nullptr, &out->memory);
    if (r != VK_SUCCESS) {
        *error = std::string("vkAllocateMemory of ") + std::to_string(req.size) + " bytes failed: " + result_name(r) +
                 (kind == MemoryKind::Staging ? " (lower VulkanBackendConfig::staging_bytes)" : "");
        destroy_buffer(vk, device, out);
        return false;
    }
    r = vk.vkBindBufferMemory(device, out->buffer, out->memory, 0);
    if (r != VK_SUCCESS) {
        *error = std::string("vkBindBufferMemory failed: ") + result_name(r);
        destroy_buffer(vk, device, out);
        return false;
    }
    if (kind == MemoryKind::Staging) {
        void *p = nullptr;
        r = vk.vkMapMemory(device, out->memory, 0, VK_WHOLE_SIZE, 0, &p);
        if (r != VK_SUCCESS) {
            *error = std::string("vkMapMemory of the staging buffer failed: ") + result_name(r);
            destroy_buffer(vk, device, out);
            return false;
        }
        out->mapped = static_cast<uint8_t *>(p);
        out->cached = props.memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
    }
    out->size = size;
    return true;
}

void destroy_buffer(const Dispatch &vk, VkDevice device, OwnedBuffer *buffer) {
    if (buffer->buffer != VK_NULL_HANDLE)
        vk.vkDestroyBuffer(device, buffer->buffer, nullptr);
    if (buffer->mapped)
        vk.vkUnmapMemory(device, buffer->memory);
    if (buffer->memory != VK_NULL_HANDLE)
        vk.vkFreeMemory(device, buffer->memory, nullptr);
    *buffer = OwnedBuffer{};
}

VkDeviceAddress buffer_address(const Dispatch &vk, VkDevice device, VkBuffer buffer) {
    if (!vk.vkGetBufferDeviceAddress)
        return 0;
    VkBufferDeviceAddressInfo info{VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO};
    info.buffer = buffer;
    return vk.vkGetBufferDeviceAddress(device, &info);
}

}  // namespace ds::vk
