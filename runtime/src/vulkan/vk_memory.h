// SPDX-License-Identifier: MIT
// Buffers with their own memory: the staging ring's host-visible buffer, and the standalone
// device's device-local buffers and temporary upload/download buffers.
#pragma once

#include <cstdint>
#include <string>

#include "vulkan/vk_dispatch.h"

namespace ds::vk {

struct OwnedBuffer {
    VkBuffer buffer = VK_NULL_HANDLE;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    uint8_t *mapped = nullptr;  ///< host-visible buffers only, mapped for their whole life
    uint64_t size = 0;
    bool cached = false;              ///< HOST_CACHED: CPU reads (readback) are fast
    void *host_allocation = nullptr;  ///< create_host_import_buffer: the mapping it imported
    uint64_t host_bytes = 0;          ///< its length
};

enum class MemoryKind {
    /// HOST_VISIBLE|HOST_COHERENT, HOST_CACHED preferred: coherent so no flush/invalidate
    /// calls are needed, cached so reading GPU results back is not uncached-slow.
    Staging,
    /// HOST_VISIBLE|HOST_COHERENT, a type without HOST_CACHED preferred (write-combined on
    /// NVIDIA): the CPU only writes it, the GPU reads it without snooping CPU caches.
    StagingUncached,
    DeviceLocal,
};

/// Creates, allocates, binds (and maps, for Staging). On failure returns false with *error
/// saying what was asked for; nothing is left allocated. Usage is TRANSFER_SRC|TRANSFER_DST
/// plus `extra_usage`; with SHADER_DEVICE_ADDRESS in it the memory also gets a DEVICE_ADDRESS
/// allocation (needs the bufferDeviceAddress feature enabled on the device).
bool create_buffer(const Dispatch &vk, VkPhysicalDevice physical, VkDevice device, uint64_t size, MemoryKind kind,
                   OwnedBuffer *out, std::string *error, VkBufferUsageFlags extra_usage = 0);
/// Imports `bytes` at `pointer` (host memory, aligned as the driver asks) with
/// VK_EXT_external_memory_host as a buffer of `usage` bound to memory of its own (with a device
/// address allocation when usage has SHADER_DEVICE_ADDRESS). What is made on failure is left in
/// *buffer / *memory for the caller to destroy.
VkResult import_host_memory(const Dispatch &vk, VkDevice device, void *pointer, uint64_t bytes,
                            VkBufferUsageFlags usage, VkBuffer *buffer, VkDeviceMemory *memory);
/// Staging in this process's own memory: anonymous, 2 MiB aligned, transparent huge pages asked
/// for, imported with VK_EXT_external_memory_host (which `device` must have enabled) and mapped
/// for its whole life like Staging. Usage as for create_buffer.
bool create_host_import_buffer(const Dispatch &vk, VkDevice device, uint64_t size, OwnedBuffer *out, std::string *error,
                               VkBufferUsageFlags extra_usage = 0);
void destroy_buffer(const Dispatch &vk, VkDevice device, OwnedBuffer *buffer);
/// vkGetBufferDeviceAddress of `buffer` (made with SHADER_DEVICE_ADDRESS usage); 0 when the entry
/// point is missing.
VkDeviceAddress buffer_address(const Dispatch &vk, VkDevice device, VkBuffer buffer);

}  // namespace ds::vk
