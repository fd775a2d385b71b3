// SPDX-License-Identifier: MIT
// ds::Backend: the one small interface every executor (CPU, io_uring, Vulkan) implements.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ds {

struct Work;  // a queued request as the backend sees it (src/work.h)

/// What a backend can do; the queue validates requests against it before submitting.
/// Who decodes GDeflate requests into GPU buffers.
enum class GpuDecode : uint8_t { None, Shader, Nv };

struct BackendCaps {
    bool gpu = false;                          ///< accepts Memory::Gpu requests
    bool gdeflate = false;                     ///< accepts Compression::GDeflate requests
    bool zstd = false;                         ///< accepts Compression::Zstd requests (src/zstd/host_request.cpp)
    bool gacl = false;                         ///< accepts Transform::Gacl* requests (undone in place, src/gacl/)
    GpuDecode gdeflate_gpu = GpuDecode::None;  ///< GDeflate into GPU buffers (None: on the CPU)
};

/// Per-backend counters, cumulative since creation.
struct BackendStats {
    uint64_t submits = 0;                  ///< batches handed to the device or kernel
    uint64_t staging_bytes = 0;            ///< bytes that went through staging memory
    uint64_t gpu_copies = 0;               ///< copy regions recorded
    uint64_t direct_reads = 0;             ///< reads that used O_DIRECT
    uint64_t buffered_fallbacks = 0;       ///< O_DIRECT refused, read buffered instead
    uint64_t gdeflate_cpu_decodes = 0;     ///< GDeflate requests decoded on the CPU (Vulkan backend)
    uint64_t gdeflate_gpu_decodes = 0;     ///< GDeflate requests decoded by VK_NV_memory_decompression (Vulkan backend)
    uint64_t gdeflate_shader_decodes = 0;  ///< GDeflate requests decoded by the compute shader (Vulkan backend)
    uint64_t mapped_reads = 0;             ///< chunks copied straight from an imported file mapping (Vulkan backend)
    uint64_t mapped_imports = 0;           ///< file windows mapped and imported for that (Vulkan backend)
    uint64_t shader_copies = 0;            ///< upload regions copied by the scatter-copy dispatch (Vulkan backend)
    uint64_t host_staging_bytes = 0;  ///< staging in this process's imported memory, 0: the driver's (Vulkan backend)
    /// GDeflate shader batches, where the queue has timestamps (Vulkan backend): GPU time from
    /// each batch's first dispatch to the end of its last, summed (overlapping batches count
    /// twice), and the bytes those batches decoded. bytes / ns: the shader's decode rate while busy.
    uint64_t shader_gpu_ns = 0;
    uint64_t shader_gpu_bytes = 0;
    /// GDeflate shader decodes whose bytes the shader wrote to the destination itself (Vulkan
    /// backend, shader_direct_output), not copied there from scratch.
    uint64_t shader_direct_outputs = 0;
};

class Backend {
public:
    virtual ~Backend() = default;
    Backend() = default;
    Backend(const Backend &) = delete;
    Backend &operator=(const Backend &) = delete;

    virtual const char *name() const = 0;
    virtual BackendCaps caps() const = 0;
    virtual BackendStats stats() const = 0;

    /// Takes ownership of the items until each is finished exactly once (Work::finish).
    /// Never blocks for I/O; may block briefly for internal backpressure.
    virtual void submit(Work *const *items, size_t count) = 0;
};

}  // namespace ds
