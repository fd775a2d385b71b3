// SPDX-License-Identifier: MIT
#include "vulkan/file_mapping_imports.h"

#include "vulkan/vk_memory.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace ds::vk {
namespace {

uint64_t round_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

}  // namespace

FileMappingImports::FileMappingImports(const Dispatch &vk, VkDevice device, uint64_t window_bytes,
                                       uint64_t budget_bytes, bool device_address)
    : vk_(vk), device_(device), window_bytes_(window_bytes), budget_bytes_(budget_bytes),
      device_address_(device_address) {
    long page = sysconf(_SC_PAGESIZE);
    // minImportedHostPointerAlignment is 4096 on the drivers seen (NVIDIA, lavapipe); a driver
    // that wants more refuses the import, which turns this path off.
    alignment_ = std::max<uint64_t>(4096, page > 0 ? uint64_t(page) : 4096);
    window_bytes_ = std::max(alignment_, round_up(window_bytes_, alignment_));
}

FileMappingImports::~FileMappingImports() {
    for (Window &w : windows_)
        if (w.live)
            drop_locked(w);
}

bool FileMappingImports::usable(bool extension_enabled, std::string *why) {
    if (!extension_enabled || !vk_.vkGetMemoryHostPointerPropertiesEXT) {
        *why = "the device was not created with VK_EXT_external_memory_host";
        return false;
    }
    return true;
}

bool FileMappingImports::acquire(int fd, uint64_t offset, uint64_t size, MappedSource *out) {
    struct stat st;
    if (size == 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    const uint64_t file_size = uint64_t(st.st_size);
    const uint64_t index = offset / window_bytes_;
    if (offset + size > file_size || offset + size > (index + 1) * window_bytes_)
        return false;  // past the end (pread reports it) or across two windows
    Window key;
    key.dev = st.st_dev;
    key.ino = st.st_ino;
    key.mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    key.index = index;

    std::lock_guard<std::mutex> lock(mutex_);
    if (refused_)
        return false;
    Window *found = nullptr;
    for (Window &w : windows_) {
        if (!w.live || w.dev != key.dev || w.ino != key.ino || w.index != index)
            continue;
        if (w.mtime_ns != key.mtime_ns || w.bytes < (offset + size) - index * window_bytes_) {
            w.stale = true;  // the file changed (or grew past the window's old end)
            if (w.refs == 0)
                drop_locked(w);
            continue;
        }
        if (!w.stale)
            found = &w;
    }
    if (!found) {
        Window made;
        if (!import_locked(fd, key, file_size, &made))
            return false;
        size_t slot = 0;
        while (slot < windows_.size() && windows_[slot].live)
            ++slot;
        if (slot == windows_.size())
            windows_.push_back(made);
        else
            windows_[slot] = made;
        found = &windows_[slot];
    }
    ++found->refs;
    found->last_use = ++clock_;
    out->buffer = found->buffer;
    out->offset = offset - index * window_bytes_;
    out->window = uint32_t(found - windows_.data()) + 1;
    out->address = found->address;
    return true;
}

void FileMappingImports::release(uint32_t window) {
    if (window == 0)
        return;
    std::lock_guard<std::mutex> lock(mutex_);
    Window &w = windows_[window - 1];
    if (--w.refs == 0 && w.stale)
        drop_locked(w);
}

bool FileMappingImports::import_locked(int fd, const Window &key, uint64_t file_size, Window *w) {
    *w = key;
    const uint64_t start = key.index * window_bytes_;
    w->bytes = std::min(window_bytes_, round_up(file_size - start, alignment_));
    if (!make_room_locked(w->bytes))
        return false;  // every import is in use: pread this chunk
    // Read-write private: the NVIDIA driver imports this and refuses MAP_SHARED (see the header).
    void *map = ::mmap(nullptr, w->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, off_t(start));
    if (map == MAP_FAILED)
        return false;
    w->map = map;

    VkResult r = import_host_memory(vk_, device_, map, w->bytes,
                                    VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                        (device_address_ ? VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT : 0),
                                    &w->buffer, &w->memory);
    if (r == VK_SUCCESS && device_address_)
        w->address = buffer_address(vk_, device_, w->buffer);
    if (r != VK_SUCCESS) {
        refused_ = true;  // the driver says no: pread into staging from now on
        drop_locked(*w);
        return false;
    }
    w->live = true;
    held_bytes_ += w->bytes;
    imports_.fetch_add(1, std::memory_order_relaxed);
    imported_bytes_.fetch_add(w->bytes, std::memory_order_relaxed);
    return true;
}

void FileMappingImports::drop_locked(Window &w) {
    if (w.buffer != VK_NULL_HANDLE)
        vk_.vkDestroyBuffer(device_, w.buffer, nullptr);
    if (w.memory != VK_NULL_HANDLE)
        vk_.vkFreeMemory(device_, w.memory, nullptr);
    if (w.map)
        ::munmap(w.map, w.bytes);
    if (w.live)
        held_bytes_ -= w.bytes;
    w = Window{};
}

bool FileMappingImports::make_room_locked(uint64_t bytes) {
    while (held_bytes_ + bytes > budget_bytes_) {
        Window *oldest = nullptr;
        for (Window &w : windows_)
            if (w.live && w.refs == 0 && (!oldest || w.last_use < oldest->last_use))
                oldest = &w;
        if (!oldest)
            return false;
        drop_locked(*oldest);
    }
    return true;
}

}  // namespace ds::vk
