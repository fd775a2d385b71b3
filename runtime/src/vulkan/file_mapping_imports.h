// SPDX-License-Identifier: MIT
// Zero-copy staging for file reads (VulkanBackendConfig::file_staging = Mapped): a window of the
// file is mapped MAP_PRIVATE read-write and imported with VK_EXT_external_memory_host, so the GPU
// copies the bytes straight out of the page cache's pages instead of out of staging that a pread
// filled. Imports are kept and reused (keyed by file, modification time and window) up to a
// budget; a window is released only when no recorded copy uses it any more.
//
// Why MAP_PRIVATE read-write: NVIDIA's driver refuses MAP_SHARED file mappings at
// vkAllocateMemory (VK_ERROR_OUT_OF_DEVICE_MEMORY) although vkGetMemoryHostPointerPropertiesEXT
// accepts them. Nothing ever writes through the mapping. Any refusal turns the path off for good
// and the readers pread into staging as before.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "vulkan/vk_dispatch.h"

namespace ds::vk {

/// The imported bytes of one chunk: copy `size` bytes from `buffer` at `offset`.
struct MappedSource {
    VkBuffer buffer = VK_NULL_HANDLE;
    uint64_t offset = 0;
    uint32_t window = 0;          ///< pass to release(); 0: none
    VkDeviceAddress address = 0;  ///< of `buffer`'s first byte when imported with device_address; else 0
};

class FileMappingImports {
public:
    /// window_bytes: the unit mapped and imported (rounded to the import alignment);
    /// budget_bytes: imports kept at most (idle ones are dropped, least recently used first).
    /// device_address: the windows' buffers get SHADER_DEVICE_ADDRESS usage (shader copies read them).
    FileMappingImports(const Dispatch &vk, VkDevice device, uint64_t window_bytes, uint64_t budget_bytes,
                       bool device_address);
    ~FileMappingImports();  ///< every window must be released (the GPU is idle)

    /// Checks the device (the entry point, a host-visible memory type for mapped file pages) and
    /// says why not; the readers then never call acquire().
    bool usable(bool extension_enabled, std::string *why);

    /// A source for fd's bytes [offset, offset + size), or false (a chunk across windows, past
    /// the end of the file, over the budget, or refused: the caller preads into staging).
    bool acquire(int fd, uint64_t offset, uint64_t size, MappedSource *out);
    void release(uint32_t window);

    uint64_t imports() const { return imports_.load(std::memory_order_relaxed); }
    uint64_t imported_bytes() const { return imported_bytes_.load(std::memory_order_relaxed); }

private:
    struct Window {
        dev_t dev = 0;
        ino_t ino = 0;
        int64_t mtime_ns = 0;
        uint64_t index = 0;  ///< file offset / window_bytes_
        void *map = nullptr;
        uint64_t bytes = 0;  ///< mapped and imported
        VkDeviceMemory memory = VK_NULL_HANDLE;
        VkBuffer buffer = VK_NULL_HANDLE;
        VkDeviceAddress address = 0;
        uint32_t refs = 0;
        uint64_t last_use = 0;
        bool live = false;
        bool stale = false;  ///< the file changed: dropped once idle, never handed out again
    };

    bool import_locked(int fd, const Window &key, uint64_t file_size, Window *w);
    void drop_locked(Window &w);
    bool make_room_locked(uint64_t bytes);

    const Dispatch &vk_;
    VkDevice device_;
    uint64_t alignment_ = 4096;
    uint64_t window_bytes_;
    const uint64_t budget_bytes_;
    const bool device_address_;

    std::mutex mutex_;
    std::vector<Window> windows_;  ///< slot i is window id i + 1
    uint64_t held_bytes_ = 0;
    uint64_t clock_ = 0;
    bool refused_ = false;  ///< the driver said no once: off for good

    std::atomic<uint64_t> imports_{0};
    std::atomic<uint64_t> imported_bytes_{0};
};

}  // namespace ds::vk
