// SPDX-License-Identifier: MIT
// The Vulkan backend: file/memory -> host-visible staging ring -> vkCmdCopyBuffer -> VkBuffer,
// and VkBuffer -> readback -> file. Borrows the caller's device and queue; never destroys them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "ds/backend.h"

namespace ds {

/// Handles are passed as 64-bit values so this header needs no Vulkan headers.
struct VulkanBackendConfig {
    uint64_t instance = 0;         ///< VkInstance
    uint64_t physical_device = 0;  ///< VkPhysicalDevice
    uint64_t device = 0;           ///< VkDevice
    uint64_t queue = 0;            ///< VkQueue used for copies
    uint32_t queue_family_index = 0;
    /// PFN_vkGetInstanceProcAddr; every other entry point is loaded through it.
    void *get_instance_proc_addr = nullptr;
    /// Optional: wrap every use of `queue` (vkd3d-proton requires its queue locked).
    void (*lock_queue)(void *ctx) = nullptr;
    void (*unlock_queue)(void *ctx) = nullptr;
    void *lock_ctx = nullptr;

    uint64_t staging_bytes = 256ull << 20;  ///< staging ring budget; larger requests are split
    uint64_t chunk_size = 4ull << 20;       ///< split unit for parallel reads and for the ring
    uint32_t worker_count = 0;              ///< file readers; 0: 3/4 of the online CPUs (1..16)
    uint64_t flush_bytes = 64ull << 20;     ///< submit a command buffer once this much is recorded
    /// Set when `device` was created with VK_NV_memory_decompression (feature
    /// memoryDecompression) and the bufferDeviceAddress feature enabled, and every gpu_buffer
    /// of a GDeflate request has VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT. GDeflate requests
    /// are then decoded by vkCmdDecompressMemoryNV when `queue` supports graphics or compute;
    /// otherwise (or when unset) they are decoded on the CPU into staging.
    bool nv_memory_decompression = false;
    /// GDeflate requests into GPU buffers that the NV path does not take are decoded by the
    /// library's own compute shader when `queue`'s family supports compute. Nothing is asked of
    /// the device or the destination buffers (core descriptor sets over the backend's own staging
    /// and scratch buffers; the decoded bytes reach gpu_buffer by vkCmdCopyBuffer, at any offset).
    /// Unset, or on a transfer-only queue: they are decoded on the CPU into staging.
    bool shader_decompression = true;
    /// Where both GPU decoders can take a request, the shader gets it (true) or
    /// VK_NV_memory_decompression (false). On the H200 the shader decoded faster
    /// (docs/performance.md, "Session 9").
    bool prefer_shader_decode = true;
    /// Device-local memory the shader decodes into (allocated with the pipeline on the first
    /// shader decode, capped at the device's maxStorageBufferRange). A request decoding to more
    /// takes the CPU path.
    uint64_t shader_scratch_bytes = 256ull << 20;
    /// The shader sums each round with subgroup scans where the device's compute subgroups have
    /// arithmetic operations (docs/gdeflate.md, "GPU compute shader"); false: in shared memory.
    bool shader_subgroup_scan = true;
    /// Where the GPU decoders read the compressed streams (docs/vulkan-backend.md, "Where the GPU
    /// decoders read"): true decodes from a device-local buffer as large as the staging ring
    /// (made at the first such decode), false reads staging across the bus. The streams get
    /// there by one vkCmdCopyBuffer per batch, except with the shader's direct-output variant
    /// (below), whose tiles copy their own bytes there. On the H200 the NV decoder ran twice as
    /// fast from device memory; the shader's direct-output variant 7-78 % faster (file / memory
    /// sources), its variant with bindings slower than from staging (the copy and a barrier).
    bool nv_input_in_device_memory = true;
    bool shader_input_in_device_memory = true;
    /// With shader_copies (the same promise: bufferDeviceAddress, destinations with device-address
    /// usage) the shader takes its direct-output variant: a request whose gpu_offset and size are
    /// multiples of 4 is decoded straight into its destination (no scratch, no vkCmdCopyBuffer
    /// after a barrier that also held back the next batch's uploads), and the status words are
    /// written to staging by address (docs/vulkan-backend.md, "Direct output"). Other requests
    /// are still decoded into scratch and copied.
    bool shader_direct_output = true;
    /// Set when `device` was created with the bufferDeviceAddress feature enabled and every
    /// gpu_buffer of a read has VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT (VulkanDevice sets it
    /// when it did both). Upload regions of at most `shader_copy_max_bytes` are then copied by one
    /// compute dispatch per batch instead of a copy-engine region each, when `queue`'s family
    /// supports compute (docs/vulkan-backend.md, "Shader copies"); larger ones, read-backs and
    /// unaligned bytes still go through vkCmdCopyBuffer.
    bool shader_copies = false;
    uint64_t shader_copy_max_bytes = 256ull << 10;

    /// What the staging ring's memory is (docs/vulkan-backend.md, "Staging memory").
    enum class StagingMemory : uint8_t {
        Cached,    ///< the driver's HOST_VISIBLE|HOST_COHERENT memory, HOST_CACHED preferred
        Uncached,  ///< the driver's HOST_VISIBLE|HOST_COHERENT memory, a type without HOST_CACHED
                   ///< preferred (write-combined on NVIDIA: CPU reads of read-backs are slow)
        Host,      ///< anonymous memory of this process (2 MiB aligned, transparent huge pages
                   ///< asked for), imported with VK_EXT_external_memory_host; without
                   ///< external_memory_host, or when the driver refuses the import, Cached
                   ///< (BackendStats::host_staging_bytes says which it got)
    };
    /// VulkanDevice::backend_config() gives Host where it enabled the extension.
    StagingMemory staging_memory = StagingMemory::Cached;

    /// How file reads into GPU buffers reach the GPU (docs/vulkan-backend.md, "Zero-copy staging").
    enum class FileStaging : uint8_t {
        Copy,    ///< a reader preads into the staging ring; the GPU copies staging -> buffer
        Mapped,  ///< the file's pages are imported (VK_EXT_external_memory_host) and copied from
        Auto,    ///< Mapped for chunks of at least mapped_min_bytes, Copy for smaller ones
    };
    /// Mapped needs `device` created with VK_EXT_external_memory_host; without it, or when the
    /// driver refuses an import, reads fall back to Copy (BackendStats::mapped_reads counts the
    /// chunks that went the mapped way). Memory sources, writes and GDeflate always use staging.
    FileStaging file_staging = FileStaging::Copy;
    /// Set when `device` was created with VK_EXT_external_memory_host (VulkanDevice sets it).
    bool external_memory_host = false;
    uint64_t mapped_window_bytes = 64ull << 20;  ///< unit of file mapped and imported at once
    uint64_t mapped_budget_bytes = 1ull << 30;   ///< imports kept for reuse at most
    uint64_t mapped_min_bytes = 256ull << 10;    ///< FileStaging::Auto: smaller chunks take staging
};

/// nullptr with *error describing why (missing entry point, no host-visible memory, ...).
std::shared_ptr<Backend> make_vulkan_backend(const VulkanBackendConfig &config, std::string *error = nullptr);

/// A Vulkan instance + device of its own, for tests, benchmarks and tools: picks a discrete
/// GPU when there is one and a compute queue family (VulkanDeviceOptions says which).
/// Loads libvulkan.so.1 at run time (no link-time dependency).
struct VulkanDeviceOptions {
    /// Use a queue family with compute (preferably without graphics) instead of a transfer-only
    /// one: shader copies, vkCmdDecompressMemoryNV and the GDeflate compute shader need one. On
    /// by default: on the H200 a compute queue with shader copies moved scattered 64 KiB reads
    /// at 35 GB/s against 12 on the transfer-only queue, and larger reads no slower
    /// (docs/performance.md, session 8). false: the transfer-only family where there is one.
    bool prefer_compute_queue = true;
    /// Enable VK_NV_memory_decompression + bufferDeviceAddress when the device has them.
    bool memory_decompression = true;
    /// Enable VK_EXT_external_memory_host when the device has it (for FileStaging::Mapped).
    bool external_memory_host = true;
    /// Enable bufferDeviceAddress when the device has it; buffers then get SHADER_DEVICE_ADDRESS
    /// usage and backend_config() sets shader_copies.
    bool buffer_device_address = true;
};

class VulkanDevice {
public:
    /// nullptr with *error set when no Vulkan device is usable.
    static std::unique_ptr<VulkanDevice> create(std::string *error = nullptr);
    static std::unique_ptr<VulkanDevice> create(std::string *error, const VulkanDeviceOptions &options);
    virtual ~VulkanDevice() = default;

    /// Config for make_vulkan_backend with this device's handles filled in.
    virtual VulkanBackendConfig backend_config() const = 0;
    virtual std::string device_name() const = 0;
    virtual bool is_discrete() const = 0;
    virtual bool transfer_only_queue() const = 0;
    /// VK_NV_memory_decompression and bufferDeviceAddress are enabled (backend_config() then sets
    /// nv_memory_decompression). Whenever bufferDeviceAddress is enabled, create_buffer() adds
    /// SHADER_DEVICE_ADDRESS usage and backend_config() sets shader_copies.
    virtual bool memory_decompression() const = 0;

    /// Device-local buffer usable as copy source and destination; 0 on failure.
    virtual uint64_t create_buffer(uint64_t size) = 0;
    virtual void destroy_buffer(uint64_t buffer) = 0;
    /// Blocking helpers through a temporary staging buffer (verification only).
    virtual bool upload(uint64_t buffer, uint64_t offset, const void *data, uint64_t size) = 0;
    virtual bool download(uint64_t buffer, uint64_t offset, void *data, uint64_t size) = 0;
    /// The ceiling benchmark: one vkCmdCopyBuffer host-visible staging -> device-local of
    /// `size` bytes in `regions` regions, timed on the GPU timeline; returns GB/s (0 on failure).
    virtual double copy_ceiling_gbps(uint64_t size, uint32_t regions) = 0;
};

}  // namespace ds
