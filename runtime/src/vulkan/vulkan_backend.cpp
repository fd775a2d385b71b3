// SPDX-License-Identifier: MIT
// VulkanBackend setup, request intake and shutdown; make_vulkan_backend.
#include "vulkan/vulkan_backend_impl.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "ds/gdeflate.h"
#include "ds/zstd.h"
#include "thread_name.h"

namespace ds::vk {
namespace {

// Command buffers that may be recorded or in flight at once. More only adds latency: the
// ring budget, not the batch count, bounds how much data is in flight.
constexpr size_t kBatchCount = 8;
constexpr uint32_t kMaxWorkers = 16;

template <typename T> T from_handle(uint64_t h) { return reinterpret_cast<T>(static_cast<uintptr_t>(h)); }

// Three quarters of the CPUs: measured on a 16-core H100 host, 12 readers reach ~38 GB/s
// while 16 starve the recorder and completion threads (64 KiB requests fell to 6-19 GB/s).
uint32_t default_worker_count() {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return static_cast<uint32_t>(std::clamp<long>(cpus * 3 / 4, 1, kMaxWorkers));
}

}  // namespace

VulkanBackend::VulkanBackend(const VulkanBackendConfig &config) : config_(config) {}

std::shared_ptr<Backend> VulkanBackend::create(const VulkanBackendConfig &config, std::string *error) {
    std::string why;
    std::shared_ptr<VulkanBackend> backend(new VulkanBackend(config));
    if (!backend->init(&why)) {
        if (error)
            *error = "Vulkan backend: " + why;
        return nullptr;
    }
    backend->start_threads();
    return backend;
}

bool VulkanBackend::init(std::string *error) {
    if (!config_.instance || !config_.physical_device || !config_.device || !config_.queue) {
        *error = "VulkanBackendConfig needs instance, physical_device, device and queue "
                 "(or use VulkanDevice::create(...)->backend_config())";
        return false;
    }
    if (config_.staging_bytes < 4096) {
        *error = "staging_bytes must be at least 4096 (the default is 256 MiB)";
        return false;
    }
    if ((config_.lock_queue == nullptr) != (config_.unlock_queue == nullptr)) {
        *error = "lock_queue and unlock_queue must be given together";
        return false;
    }
    std::string why = vk_.load_global(reinterpret_cast<PFN_vkGetInstanceProcAddr>(config_.get_instance_proc_addr));
    // Global functions are optional here: only the standalone device creates instances.
    if (!vk_.vkGetInstanceProcAddr) {
        *error = why;
        return false;
    }
    if (!(why = vk_.load_instance(from_handle<VkInstance>(config_.instance))).empty() ||
        !(why = vk_.load_device(from_handle<VkDevice>(config_.device))).empty()) {
        *error = why;
        return false;
    }
    physical_ = from_handle<VkPhysicalDevice>(config_.physical_device);
    device_ = from_handle<VkDevice>(config_.device);
    queue_ = from_handle<VkQueue>(config_.queue);

    nv_decompression_ = config_.nv_memory_decompression && nv_decompression_usable();
    // The shader path needs a compute queue and nothing else (core descriptor sets over our own
    // buffers); its pipeline and scratch are made on first use.
    const bool shader = config_.shader_decompression && queue_has_compute();
    // Shader copies read staging and write the callers' buffers by device address.
    const bool shader_copies = config_.shader_copies && vk_.vkGetBufferDeviceAddress && queue_has_compute();
    VkBufferUsageFlags staging_usage = 0;
    if (nv_decompression_ || shader_copies)
        staging_usage |= VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT;
    if (shader)
        staging_usage |= VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    using StagingMemory = VulkanBackendConfig::StagingMemory;
    std::string host_refused;  // a refused import falls back to the driver's memory: same bytes, slower
    const bool host_staging =
        config_.staging_memory == StagingMemory::Host && config_.external_memory_host &&
        create_host_import_buffer(vk_, device_, config_.staging_bytes, &staging_, &host_refused, staging_usage);
    if (!host_staging && !create_buffer(vk_, physical_, device_, config_.staging_bytes,
                                        config_.staging_memory == StagingMemory::Uncached ? MemoryKind::StagingUncached
                                                                                          : MemoryKind::Staging,
                                        &staging_, error, staging_usage))
        return false;
    if (nv_decompression_ || shader_copies) {
        staging_address_ = buffer_address(vk_, device_, staging_.buffer);
        nv_decompression_ = nv_decompression_ && staging_address_ != 0;
    }
    if (shader_copies && staging_address_ != 0) {
        scatter_ = std::make_unique<ScatterCopier>(vk_, physical_, device_, kBatchCount, kMaxChunksPerBatch);
        std::string not_usable;
        if (!scatter_->create(&not_usable))
            scatter_.reset();  // every region goes through vkCmdCopyBuffer (stats: shader_copies stays 0)
    }
    ring_ = std::make_unique<StagingRing>(config_.staging_bytes);
    if (config_.file_staging != VulkanBackendConfig::FileStaging::Copy) {
        imports_ = std::make_unique<FileMappingImports>(vk_, device_, config_.mapped_window_bytes,
                                                        config_.mapped_budget_bytes, scatter_ != nullptr);
        std::string not_usable;
        if (!imports_->usable(config_.external_memory_host, &not_usable))
            imports_.reset();  // reads take the staging ring (stats: mapped_reads stays 0)
    }
    chunk_size_ = std::min(std::max<uint64_t>(config_.chunk_size, 4096), ring_->capacity());

    VkCommandPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pool_info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pool_info.queueFamilyIndex = config_.queue_family_index;
    VkResult r = vk_.vkCreateCommandPool(device_, &pool_info, nullptr, &pool_);
    if (r != VK_SUCCESS) {
        *error = std::string("vkCreateCommandPool failed: ") + result_name(r) +
                 " (is queue_family_index the family of `queue`?)";
        return false;
    }
    VkCommandBuffer cmds[kBatchCount];
    VkCommandBufferAllocateInfo cmd_info{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    cmd_info.commandPool = pool_;
    cmd_info.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    cmd_info.commandBufferCount = kBatchCount;
    r = vk_.vkAllocateCommandBuffers(device_, &cmd_info, cmds);
    if (r != VK_SUCCESS) {
        *error = std::string("vkAllocateCommandBuffers failed: ") + result_name(r);
        return false;
    }
    for (VkCommandBuffer cmd : cmds) {
        batches_.push_back(std::make_unique<CopyBatch>());
        batches_.back()->cmd = cmd;
        batches_.back()->slot = static_cast<uint32_t>(batches_.size() - 1);
        free_batches_.push_back(batches_.back().get());
    }
    // Direct output only beside shader copies in use (scatter_): then every barrier that orders
    // later reads of the callers' buffers already includes the compute stage's writes.
    if (shader)
        shader_ = std::make_unique<ShaderDecoder>(vk_, physical_, device_, config_.shader_scratch_bytes, kBatchCount,
                                                  config_.shader_subgroup_scan, config_.queue_family_index,
                                                  scatter_ && config_.shader_direct_output ? staging_address_ : 0);

    VkSemaphoreTypeCreateInfo type_info{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO};
    type_info.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
    type_info.initialValue = 0;
    VkSemaphoreCreateInfo sem_info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
    sem_info.pNext = &type_info;
    r = vk_.vkCreateSemaphore(device_, &sem_info, nullptr, &timeline_);
    if (r != VK_SUCCESS) {
        *error = std::string("creating a timeline semaphore failed: ") + result_name(r) +
                 " (enable the timelineSemaphore feature when creating the device)";
        return false;
    }
    return true;
}

void VulkanBackend::start_threads() {
    reader_count_ = config_.worker_count ? std::min(config_.worker_count, kMaxWorkers) : default_worker_count();
    for (uint32_t i = 0; i < reader_count_; ++i) {
        readers_.emplace_back(&VulkanBackend::reader_loop, this);
        name_thread(readers_.back(), "ds-vk-read");
    }
    recorder_ = std::thread(&VulkanBackend::recorder_loop, this);
    name_thread(recorder_, "ds-vk-record");
    completion_ = std::thread(&VulkanBackend::completion_loop, this);
    name_thread(completion_, "ds-vk-complete");
    writer_ = std::thread(&VulkanBackend::writer_loop, this);
    name_thread(writer_, "ds-vk-write");
}

// Each stage is stopped only after the stages feeding it have exited, so it drains
// everything they produced: readers cancel what they have not started, the recorder submits
// what was staged, the completion thread waits for the GPU, the writer writes what came back.
void VulkanBackend::stop_threads() {
    {
        std::lock_guard<std::mutex> lock(task_mutex_);
        stopping_ = true;
    }
    task_cv_.notify_all();
    for (std::thread &t : readers_)
        t.join();
    readers_.clear();
    {
        std::lock_guard<std::mutex> lock(ready_mutex_);
        recorder_stop_ = true;
    }
    ready_cv_.notify_all();
    if (recorder_.joinable())
        recorder_.join();
    {
        std::lock_guard<std::mutex> lock(batch_mutex_);
        completion_stop_ = true;
    }
    in_flight_cv_.notify_all();
    if (completion_.joinable())
        completion_.join();
    {
        std::lock_guard<std::mutex> lock(write_mutex_);
        writer_stop_ = true;
    }
    write_cv_.notify_all();
    if (writer_.joinable())
        writer_.join();
}

VulkanBackend::~VulkanBackend() {
    stop_threads();
    // Every batch has retired (the completion thread waited for it), so nothing we own is in use.
    if (timeline_ != VK_NULL_HANDLE)
        vk_.vkDestroySemaphore(device_, timeline_, nullptr);
    if (pool_ != VK_NULL_HANDLE)
        vk_.vkDestroyCommandPool(device_, pool_, nullptr);  // frees its command buffers
    shader_.reset();
    imports_.reset();
    destroy_buffer(vk_, device_, &staging_);
    destroy_buffer(vk_, device_, &decode_input_);
}

// The caller says it enabled VK_NV_memory_decompression; check the physical device has it, the
// entry points loaded, and the queue can run it (graphics or compute; a transfer-only queue
// cannot, and GDeflate then decodes on the CPU).
bool VulkanBackend::nv_decompression_usable() {
    if (!vk_.vkCmdDecompressMemoryNV || !vk_.vkGetBufferDeviceAddress)
        return false;
    uint32_t count = 0;
    vk_.vkEnumerateDeviceExtensionProperties(physical_, nullptr, &count, nullptr);
    std::vector<VkExtensionProperties> exts(count);
    vk_.vkEnumerateDeviceExtensionProperties(physical_, nullptr, &count, exts.data());
    bool found = false;
    for (const VkExtensionProperties &e : exts)
        found = found || std::strcmp(e.extensionName, VK_NV_MEMORY_DECOMPRESSION_EXTENSION_NAME) == 0;
    if (!found)
        return false;
    vk_.vkGetPhysicalDeviceQueueFamilyProperties(physical_, &count, nullptr);
    std::vector<VkQueueFamilyProperties> families(count);
    vk_.vkGetPhysicalDeviceQueueFamilyProperties(physical_, &count, families.data());
    return config_.queue_family_index < count &&
           (families[config_.queue_family_index].queueFlags & (VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_COMPUTE_BIT));
}

// Compute dispatches need a family with the COMPUTE flag (VUID-vkCmdDispatch-commandBuffer-cmdpool).
bool VulkanBackend::queue_has_compute() {
    uint32_t count = 0;
    vk_.vkGetPhysicalDeviceQueueFamilyProperties(physical_, &count, nullptr);
    std::vector<VkQueueFamilyProperties> families(count);
    vk_.vkGetPhysicalDeviceQueueFamilyProperties(physical_, &count, families.data());
    return config_.queue_family_index < count &&
           (families[config_.queue_family_index].queueFlags & VK_QUEUE_COMPUTE_BIT);
}

// The NV path writes 4-byte-aligned destinations only (VUID-07687) and reads its stream from staging.
bool VulkanBackend::nv_fits_request(const Request &req) const {
    return nv_decompression_ && req.gpu_offset % 4 == 0 && req.size <= ring_->capacity();
}

BackendCaps VulkanBackend::caps() const {
    BackendCaps c;
    c.gpu = true;
    c.gdeflate = true;           // on the GPU (VK_NV_memory_decompression or our shader), else on the readers
    c.zstd = zstd::available();  // on the readers (vulkan_zstd.cpp)
    if (shader_ && (config_.prefer_shader_decode || !nv_decompression_))
        c.gdeflate_gpu = GpuDecode::Shader;
    else
        c.gdeflate_gpu = nv_decompression_ ? GpuDecode::Nv : GpuDecode::None;
    return c;
}

BackendStats VulkanBackend::stats() const {
    BackendStats s;
    s.submits = stat_submits_.load(std::memory_order_relaxed);
    s.staging_bytes = stat_staging_bytes_.load(std::memory_order_relaxed);
    s.gpu_copies = stat_gpu_copies_.load(std::memory_order_relaxed);
    s.gdeflate_cpu_decodes = stat_gdeflate_cpu_.load(std::memory_order_relaxed);
    s.gdeflate_gpu_decodes = stat_gdeflate_gpu_.load(std::memory_order_relaxed);
    s.gdeflate_shader_decodes = stat_gdeflate_shader_.load(std::memory_order_relaxed);
    s.shader_direct_outputs = stat_shader_direct_.load(std::memory_order_relaxed);
    if (shader_) {
        ShaderDecoder::GpuTime t = shader_->gpu_time();
        s.shader_gpu_ns = t.ns;
        s.shader_gpu_bytes = t.bytes;
    }
    s.mapped_reads = stat_mapped_reads_.load(std::memory_order_relaxed);
    s.mapped_imports = imports_ ? imports_->imports() : 0;
    s.shader_copies = stat_shader_copies_.load(std::memory_order_relaxed);
    s.host_staging_bytes = staging_.host_allocation ? staging_.host_bytes : 0;
    return s;
}

TransferChunk VulkanBackend::whole_request_chunk(Work *work) {
    const Request &req = work->req;
    TransferChunk c;
    c.work = work;
    c.kind = req.memory == Memory::Gpu ? ChunkKind::GpuRead : ChunkKind::HostRead;
    c.from_memory = req.source == Source::Memory;
    c.fd = req.fd;
    c.file_offset = req.offset;
    c.size = req.size;
    c.src = static_cast<const uint8_t *>(req.src);
    c.dst = static_cast<uint8_t *>(req.dst);
    c.gpu_buffer = reinterpret_cast<VkBuffer>(static_cast<uintptr_t>(req.gpu_buffer));
    c.gpu_offset = req.gpu_offset;
    c.decode = Decode::Cpu;
    return c;
}

bool VulkanBackend::decoded_bytes_fit_gpu_buffer(const Request &req) {
    return req.gpu_offset <= req.gpu_buffer_size && req.uncompressed_size <= req.gpu_buffer_size - req.gpu_offset;
}

// Splits every request into chunks of at most chunk_size_ so that several readers share a
// big request and no request needs more staging than the ring has.
// A GDeflate request is one chunk (compressed data cannot be split at arbitrary bytes). Its path,
// in order of preference: NV (4-byte-aligned destination, compressed bytes fit the ring), the
// compute shader (compressed bytes + status words fit the ring and the storage-buffer range,
// decoded bytes fit the scratch ring), the CPU (decoded bytes fit the ring; else rejected).
void VulkanBackend::submit(Work *const *items, size_t count) {
    std::vector<std::pair<Work *, Field>> rejected;
    {
        std::lock_guard<std::mutex> lock(task_mutex_);
        for (size_t i = 0; i < count; ++i) {
            Work *work = items[i];
            const Request &req = work->req;
            Field zstd_field = Field::None;
            if (req.compression == Compression::Zstd) {
                if (!queue_zstd(work, &zstd_field))
                    rejected.emplace_back(work, zstd_field);
                continue;
            }
            if (req.compression == Compression::GDeflate) {
                TransferChunk c = whole_request_chunk(work);
                if (req.memory == Memory::Gpu) {
                    // The queue checked the compressed size against the buffer; the decoded bytes
                    // are what land there.
                    if (!decoded_bytes_fit_gpu_buffer(req)) {
                        rejected.emplace_back(work, Field::GpuRange);
                        continue;
                    }
                    bool nv_fits = nv_fits_request(req);
                    bool shader_fits = shader_ && shader_->fits(req.size, req.uncompressed_size, ring_->capacity());
                    if (shader_fits && (config_.prefer_shader_decode || !nv_fits))
                        c.decode = Decode::Shader;
                    else if (nv_fits)
                        c.decode = Decode::Nv;
                    else if (req.uncompressed_size > ring_->capacity()) {
                        rejected.emplace_back(work, Field::Compression);
                        continue;
                    }
                }
                work->begin_chunks(1);
                tasks_.push_back(c);
                continue;
            }
            TransferChunk base;
            base.work = work;
            bool gpu = req.memory == Memory::Gpu;
            if (req.op == Op::Read)
                base.kind = gpu ? ChunkKind::GpuRead : ChunkKind::HostRead;
            else
                base.kind = gpu ? ChunkKind::GpuWrite : ChunkKind::HostWrite;
            base.from_memory = req.op == Op::Read && req.source == Source::Memory;
            base.fd = req.fd;
            base.gpu_buffer = reinterpret_cast<VkBuffer>(static_cast<uintptr_t>(req.gpu_buffer));

            uint64_t pieces = (req.size + chunk_size_ - 1) / chunk_size_;
            work->begin_chunks(static_cast<uint32_t>(pieces));
            for (uint64_t start = 0; start < req.size; start += chunk_size_) {
                TransferChunk c = base;
                c.start = start;
                c.size = std::min(chunk_size_, req.size - start);
                c.file_offset = req.offset + start;
                c.gpu_offset = req.gpu_offset + start;
                if (req.src)
                    c.src = static_cast<const uint8_t *>(req.src) + start;
                if (req.dst)
                    c.dst = static_cast<uint8_t *>(req.dst) + start;
                tasks_.push_back(c);
            }
        }
    }
    task_cv_.notify_all();
    for (auto &r : rejected)
        r.first->finish(Status::InvalidRequest, 0, 0, r.second);
}

}  // namespace ds::vk

namespace ds {

std::shared_ptr<Backend> make_vulkan_backend(const VulkanBackendConfig &config, std::string *error) {
    return vk::VulkanBackend::create(config, error);
}

}  // namespace ds
