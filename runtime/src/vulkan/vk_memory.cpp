// SPDX-License-Identifier: MIT
#include "vulkan/vk_memory.h"

#include <sys/mman.h>

namespace ds::vk {
namespace {

constexpr uint64_t kHugePage = 2ull << 20;

// Index of the first allowed memory type that has every `required` flag, preferring one that
// also has every `preferred` flag and none of the `avoided` ones. UINT32_MAX when none qualifies.
uint32_t pick_memory_type(const VkPhysicalDeviceMemoryProperties &props, uint32_t allowed,
                          VkMemoryPropertyFlags required, VkMemoryPropertyFlags preferred,
                          VkMemoryPropertyFlags avoided = 0) {
    uint32_t fallback = UINT32_MAX;
    for (uint32_t i = 0; i < props.memoryTypeCount; ++i) {
        if (!(allowed & (1u << i)))
            continue;
        VkMemoryPropertyFlags f = props.memoryTypes[i].propertyFlags;
        if ((f & required) != required)
            continue;
        if ((f & preferred) == preferred && !(f & avoided))
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

    const bool host_visible = kind != MemoryKind::DeviceLocal;
    VkMemoryPropertyFlags required, preferred, avoided = 0;
    if (host_visible) {
        required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
        preferred = kind == MemoryKind::Staging ? required | VK_MEMORY_PROPERTY_HOST_CACHED_BIT : required;
        if (kind == MemoryKind::StagingUncached)
            avoided = VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
    } else {
        required = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
        preferred = required;
    }
    uint32_t type = pick_memory_type(props, req.memoryTypeBits, required, preferred, avoided);
    if (type == UINT32_MAX) {
        *error = host_visible ? "the device has no HOST_VISIBLE|HOST_COHERENT memory type for staging"
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
                 (host_visible ? " (lower VulkanBackendConfig::staging_bytes)" : "");
        destroy_buffer(vk, device, out);
        return false;
    }
    r = vk.vkBindBufferMemory(device, out->buffer, out->memory, 0);
    if (r != VK_SUCCESS) {
        *error = std::string("vkBindBufferMemory failed: ") + result_name(r);
        destroy_buffer(vk, device, out);
        return false;
    }
    if (host_visible) {
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

VkResult import_host_memory(const Dispatch &vk, VkDevice device, void *pointer, uint64_t bytes,
                            VkBufferUsageFlags usage, VkBuffer *buffer, VkDeviceMemory *memory) {
    const VkExternalMemoryHandleTypeFlagBits host_allocation = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
    *buffer = VK_NULL_HANDLE;
    *memory = VK_NULL_HANDLE;
    VkMemoryHostPointerPropertiesEXT host{VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT};
    VkResult r = vk.vkGetMemoryHostPointerPropertiesEXT(device, host_allocation, pointer, &host);
    VkExternalMemoryBufferCreateInfo external{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO};
    external.handleTypes = host_allocation;
    VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    info.pNext = &external;
    info.size = bytes;
    info.usage = usage;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    if (r == VK_SUCCESS)
        r = vk.vkCreateBuffer(device, &info, nullptr, buffer);
    if (r == VK_SUCCESS) {
        VkMemoryRequirements req;
        vk.vkGetBufferMemoryRequirements(device, *buffer, &req);
        const uint32_t types = host.memoryTypeBits & req.memoryTypeBits;
        r = VK_ERROR_FEATURE_NOT_PRESENT;
        if (types && bytes % req.alignment == 0) {
            VkImportMemoryHostPointerInfoEXT import{VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT};
            import.handleType = host_allocation;
            import.pHostPointer = pointer;
            VkMemoryAllocateFlagsInfo flags{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO};
            flags.flags = VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT;
            if (usage & VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT)
                import.pNext = &flags;
            VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
            alloc.pNext = &import;
            alloc.allocationSize = bytes;
            alloc.memoryTypeIndex = uint32_t(__builtin_ctz(types));
            r = vk.vkAllocateMemory(device, &alloc, nullptr, memory);
        }
    }
    if (r == VK_SUCCESS)
        r = vk.vkBindBufferMemory(device, *buffer, *memory, 0);
    return r;
}

bool create_host_import_buffer(const Dispatch &vk, VkDevice device, uint64_t size, OwnedBuffer *out, std::string *error,
                               VkBufferUsageFlags extra_usage) {
    *out = OwnedBuffer{};
    if (!vk.vkGetMemoryHostPointerPropertiesEXT) {
        *error = "staging in host memory needs VK_EXT_external_memory_host, which the device was not created with "
                 "(use the driver's staging memory instead)";
        return false;
    }
    // A 2 MiB-aligned range of a larger anonymous mapping, the rest given back: huge pages for the
    // readers' copies and for the device's page tables.
    const uint64_t bytes = (size + kHugePage - 1) / kHugePage * kHugePage;
    void *map = ::mmap(nullptr, bytes + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        *error =
            "mmap of " + std::to_string(bytes) + " bytes of staging failed (lower VulkanBackendConfig::staging_bytes)";
        return false;
    }
    const uintptr_t start = (reinterpret_cast<uintptr_t>(map) + kHugePage - 1) & ~uintptr_t(kHugePage - 1);
    const uint64_t head = start - reinterpret_cast<uintptr_t>(map);
    if (head)
        ::munmap(map, head);
    if (kHugePage - head)
        ::munmap(reinterpret_cast<void *>(start + bytes), kHugePage - head);
    out->host_allocation = reinterpret_cast<void *>(start);
    out->host_bytes = bytes;
    ::madvise(out->host_allocation, bytes, MADV_HUGEPAGE);  // a hint: 4 KiB pages work too
#ifdef MADV_POPULATE_WRITE
    // Fault it all in now (drivers that pin at import do this anyway): otherwise the ring's first
    // pass pays a page fault and a zeroed huge page per 2 MiB while requests wait.
    ::madvise(out->host_allocation, bytes, MADV_POPULATE_WRITE);
#endif

    VkResult r = import_host_memory(vk, device, out->host_allocation, bytes,
                                    VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT | extra_usage,
                                    &out->buffer, &out->memory);
    if (r != VK_SUCCESS) {
        *error = std::string("importing ") + std::to_string(bytes) +
                 " bytes of host memory as staging failed: " + result_name(r) +
                 " (use the driver's staging memory instead)";
        destroy_buffer(vk, device, out);
        return false;
    }
    out->mapped = static_cast<uint8_t *>(out->host_allocation);
    out->cached = true;
    out->size = size;
    return true;
}

void destroy_buffer(const Dispatch &vk, VkDevice device, OwnedBuffer *buffer) {
    if (buffer->buffer != VK_NULL_HANDLE)
        vk.vkDestroyBuffer(device, buffer->buffer, nullptr);
    if (buffer->mapped && !buffer->host_allocation)
        vk.vkUnmapMemory(device, buffer->memory);
    if (buffer->memory != VK_NULL_HANDLE)
        vk.vkFreeMemory(device, buffer->memory, nullptr);
    if (buffer->host_allocation)
        ::munmap(buffer->host_allocation, buffer->host_bytes);  // after the import that pinned it is gone
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
