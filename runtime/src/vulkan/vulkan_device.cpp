// SPDX-License-Identifier: MIT
// ds::VulkanDevice::create: a Vulkan instance and device of our own (tests, benchmarks,
// tools). libvulkan.so.1 is opened at run time so the library never links against it.
#include <dlfcn.h>

#include <chrono>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "ds/vulkan_backend.h"
#include "vulkan/vk_dispatch.h"
#include "vulkan/vk_memory.h"

namespace ds::vk {
namespace {

uint64_t to_handle(const void *p) { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p)); }

// The queue family the copies go to: a transfer-only family drives the copy engines without
// competing with graphics work; otherwise any family that can copy.
int pick_queue_family(const std::vector<VkQueueFamilyProperties> &families, bool prefer_compute, bool *transfer_only) {
    const VkQueueFlags gc = VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_COMPUTE_BIT;
    if (prefer_compute) {
        // vkCmdDecompressMemoryNV needs graphics or compute: an async-compute family first.
        *transfer_only = false;
        for (size_t i = 0; i < families.size(); ++i)
            if ((families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) && !(families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT))
                return static_cast<int>(i);
        for (size_t i = 0; i < families.size(); ++i)
            if (families[i].queueFlags & gc)
                return static_cast<int>(i);
    }
    for (size_t i = 0; i < families.size(); ++i) {
        if ((families[i].queueFlags & VK_QUEUE_TRANSFER_BIT) && !(families[i].queueFlags & gc)) {
            *transfer_only = true;
            return static_cast<int>(i);
        }
    }
    *transfer_only = false;
    for (size_t i = 0; i < families.size(); ++i)
        if (families[i].queueFlags & (VK_QUEUE_TRANSFER_BIT | gc))
            return static_cast<int>(i);
    return -1;
}

class StandaloneDevice final : public VulkanDevice {
public:
    explicit StandaloneDevice(const VulkanDeviceOptions &options) : options_(options) {}
    ~StandaloneDevice() override;
    bool init(std::string *error);

    VulkanBackendConfig backend_config() const override;
    std::string device_name() const override { return name_; }
    bool is_discrete() const override { return discrete_; }
    bool transfer_only_queue() const override { return transfer_only_; }
    bool memory_decompression() const override { return decompression_; }

    uint64_t create_buffer(uint64_t size) override;
    void destroy_buffer(uint64_t buffer) override;
    bool upload(uint64_t buffer, uint64_t offset, const void *data, uint64_t size) override;
    bool download(uint64_t buffer, uint64_t offset, void *data, uint64_t size) override;
    double copy_ceiling_gbps(uint64_t size, uint32_t regions) override;

private:
    static void lock_queue(void *self) { static_cast<StandaloneDevice *>(self)->queue_mutex_.lock(); }
    static void unlock_queue(void *self) { static_cast<StandaloneDevice *>(self)->queue_mutex_.unlock(); }
    bool known_range(uint64_t buffer, uint64_t offset, uint64_t size);
    /// Records with `record`, submits, waits. Serialized: these helpers are for verification.
    template <typename Record> bool run_once(Record record);

    VulkanDeviceOptions options_;
    bool decompression_ = false;   // VK_NV_memory_decompression + bufferDeviceAddress enabled
    bool device_address_ = false;  // bufferDeviceAddress enabled: buffers get SHADER_DEVICE_ADDRESS usage
    bool host_memory_ = false;     // VK_EXT_external_memory_host enabled
    void *library_ = nullptr;
    Dispatch vk_;
    VkInstance instance_ = VK_NULL_HANDLE;
    VkPhysicalDevice physical_ = VK_NULL_HANDLE;
    VkDevice device_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    uint32_t family_ = 0;
    uint32_t timestamp_bits_ = 0;
    float timestamp_period_ns_ = 1.0f;
    std::string name_;
    bool discrete_ = false;
    bool transfer_only_ = false;

    std::mutex queue_mutex_;   // the queue lock handed to backends through backend_config()
    std::mutex helper_mutex_;  // the command pool and buffers_
    VkCommandPool pool_ = VK_NULL_HANDLE;
    std::unordered_map<uint64_t, OwnedBuffer> buffers_;
};

bool StandaloneDevice::init(std::string *error) {
    library_ = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!library_) {
        *error =
            "cannot load libvulkan.so.1 (install the Vulkan loader: libvulkan1 on Debian, vulkan-icd-loader on Arch)";
        return false;
    }
    auto gipa = reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(library_, "vkGetInstanceProcAddr"));
    std::string why = vk_.load_global(gipa);
    if (!why.empty()) {
        *error = why;
        return false;
    }
    uint32_t loader_version = 0;
    vk_.vkEnumerateInstanceVersion(&loader_version);
    if (loader_version < VK_API_VERSION_1_2) {
        *error = "the Vulkan loader supports only Vulkan " + std::to_string(VK_API_VERSION_MAJOR(loader_version)) +
                 "." + std::to_string(VK_API_VERSION_MINOR(loader_version)) + "; ds-runtime needs 1.2 or newer";
        return false;
    }
    VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
    app.pApplicationName = "ds-runtime";
    app.apiVersion = VK_API_VERSION_1_2;
    VkInstanceCreateInfo inst_info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    inst_info.pApplicationInfo = &app;
    VkResult r = vk_.vkCreateInstance(&inst_info, nullptr, &instance_);
    if (r != VK_SUCCESS) {
        *error = std::string("vkCreateInstance failed: ") + result_name(r) +
                 " (is a Vulkan driver installed? try vulkaninfo)";
        return false;
    }
    if (!(why = vk_.load_instance(instance_)).empty()) {
        *error = why;
        return false;
    }

    uint32_t count = 0;
    vk_.vkEnumeratePhysicalDevices(instance_, &count, nullptr);
    std::vector<VkPhysicalDevice> devices(count);
    vk_.vkEnumeratePhysicalDevices(instance_, &count, devices.data());
    VkPhysicalDeviceProperties chosen_props{};
    for (VkPhysicalDevice d : devices) {
        VkPhysicalDeviceProperties p;
        vk_.vkGetPhysicalDeviceProperties(d, &p);
        if (p.apiVersion < VK_API_VERSION_1_2)
            continue;
        bool discrete = p.deviceType == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU;
        if (!physical_ || (discrete && !discrete_)) {
            physical_ = d;
            chosen_props = p;
            discrete_ = discrete;
        }
    }
    if (!physical_) {
        *error = "no Vulkan 1.2 device found among " + std::to_string(count) +
                 " device(s) (install a driver; mesa-vulkan-drivers provides lavapipe on the CPU)";
        return false;
    }
    name_ = chosen_props.deviceName;
    timestamp_period_ns_ = chosen_props.limits.timestampPeriod;

    vk_.vkGetPhysicalDeviceQueueFamilyProperties(physical_, &count, nullptr);
    std::vector<VkQueueFamilyProperties> families(count);
    vk_.vkGetPhysicalDeviceQueueFamilyProperties(physical_, &count, families.data());
    int family = pick_queue_family(families, options_.prefer_compute_queue, &transfer_only_);
    if (family < 0) {
        *error = "device " + name_ + " has no queue family that can copy";
        return false;
    }
    family_ = static_cast<uint32_t>(family);
    timestamp_bits_ = families[family_].timestampValidBits;

    float priority = 1.0f;
    VkDeviceQueueCreateInfo queue_info{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    queue_info.queueFamilyIndex = family_;
    queue_info.queueCount = 1;
    queue_info.pQueuePriorities = &priority;
    // VK_NV_memory_decompression (GDeflate on the GPU) needs bufferDeviceAddress as well.
    bool has_nv_decompression = false;
    bool has_host_memory = false;
    {
        vk_.vkEnumerateDeviceExtensionProperties(physical_, nullptr, &count, nullptr);
        std::vector<VkExtensionProperties> exts(count);
        vk_.vkEnumerateDeviceExtensionProperties(physical_, nullptr, &count, exts.data());
        for (const VkExtensionProperties &e : exts) {
            if (std::strcmp(e.extensionName, VK_NV_MEMORY_DECOMPRESSION_EXTENSION_NAME) == 0)
                has_nv_decompression = options_.memory_decompression;
            if (std::strcmp(e.extensionName, VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME) == 0)
                has_host_memory = options_.external_memory_host;
        }
    }
    VkPhysicalDeviceMemoryDecompressionFeaturesNV nv_features{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_DECOMPRESSION_FEATURES_NV};
    bool has_address = false;  // bufferDeviceAddress: shader copies and the NV path
    {
        VkPhysicalDeviceVulkan12Features have12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
        if (has_nv_decompression)
            have12.pNext = &nv_features;
        VkPhysicalDeviceFeatures2 have{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
        have.pNext = &have12;
        vk_.vkGetPhysicalDeviceFeatures2(physical_, &have);
        has_address = have12.bufferDeviceAddress;
        has_nv_decompression = has_nv_decompression && nv_features.memoryDecompression && has_address;
        has_address = has_address && (options_.buffer_device_address || has_nv_decompression);
    }
    VkPhysicalDeviceVulkan12Features features12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
    features12.timelineSemaphore = VK_TRUE;
    std::vector<const char *> extensions;
    if (has_host_memory)
        extensions.push_back(VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);  // VK_KHR_external_memory is core 1.1
    VkDeviceCreateInfo dev_info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    features12.bufferDeviceAddress = has_address ? VK_TRUE : VK_FALSE;
    if (has_nv_decompression) {
        nv_features = VkPhysicalDeviceMemoryDecompressionFeaturesNV{
            VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_DECOMPRESSION_FEATURES_NV};
        nv_features.memoryDecompression = VK_TRUE;
        features12.pNext = &nv_features;
        extensions.push_back(VK_NV_MEMORY_DECOMPRESSION_EXTENSION_NAME);
    }
    dev_info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
    dev_info.ppEnabledExtensionNames = extensions.data();
    dev_info.pNext = &features12;
    dev_info.queueCreateInfoCount = 1;
    dev_info.pQueueCreateInfos = &queue_info;
    r = vk_.vkCreateDevice(physical_, &dev_info, nullptr, &device_);
    if (r != VK_SUCCESS) {
        *error = std::string("vkCreateDevice on ") + name_ + " failed: " + result_name(r);
        return false;
    }
    if (!(why = vk_.load_device(device_)).empty()) {
        *error = why;
        return false;
    }
    vk_.vkGetDeviceQueue(device_, family_, 0, &queue_);
    decompression_ = has_nv_decompression && vk_.vkCmdDecompressMemoryNV && vk_.vkGetBufferDeviceAddress;
    device_address_ = has_address && vk_.vkGetBufferDeviceAddress;
    host_memory_ = has_host_memory && vk_.vkGetMemoryHostPointerPropertiesEXT;

    VkCommandPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pool_info.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
    pool_info.queueFamilyIndex = family_;
    r = vk_.vkCreateCommandPool(device_, &pool_info, nullptr, &pool_);
    if (r != VK_SUCCESS) {
        *error = std::string("vkCreateCommandPool failed: ") + result_name(r);
        return false;
    }
    return true;
}

StandaloneDevice::~StandaloneDevice() {
    if (device_) {
        vk_.vkDeviceWaitIdle(device_);
        for (auto &entry : buffers_)
            vk::destroy_buffer(vk_, device_, &entry.second);
        if (pool_)
            vk_.vkDestroyCommandPool(device_, pool_, nullptr);
        vk_.vkDestroyDevice(device_, nullptr);
    }
    if (instance_)
        vk_.vkDestroyInstance(instance_, nullptr);
    if (library_)
        dlclose(library_);
}

VulkanBackendConfig StandaloneDevice::backend_config() const {
    VulkanBackendConfig c;
    c.instance = to_handle(instance_);
    c.physical_device = to_handle(physical_);
    c.device = to_handle(device_);
    c.queue = to_handle(queue_);
    c.queue_family_index = family_;
    c.get_instance_proc_addr = reinterpret_cast<void *>(vk_.vkGetInstanceProcAddr);
    // Backends and this object's helpers share one VkQueue, so they share one lock.
    c.lock_queue = &StandaloneDevice::lock_queue;
    c.unlock_queue = &StandaloneDevice::unlock_queue;
    c.lock_ctx = const_cast<StandaloneDevice *>(this);
    c.nv_memory_decompression = decompression_;
    c.shader_copies = device_address_;
    c.external_memory_host = host_memory_;
    // Huge pages of our own: faster pread copies and O_DIRECT reads than the driver's staging
    // (docs/vulkan-backend.md, "Staging memory").
    c.staging_memory =
        host_memory_ ? VulkanBackendConfig::StagingMemory::Host : VulkanBackendConfig::StagingMemory::Cached;
    return c;
}

uint64_t StandaloneDevice::create_buffer(uint64_t size) {
    OwnedBuffer b;
    std::string error;
    if (size == 0 || !vk::create_buffer(vk_, physical_, device_, size, MemoryKind::DeviceLocal, &b, &error,
                                        device_address_ ? VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT : 0))
        return 0;
    std::lock_guard<std::mutex> lock(helper_mutex_);
    uint64_t handle = to_handle(b.buffer);
    buffers_[handle] = b;
    return handle;
}

void StandaloneDevice::destroy_buffer(uint64_t buffer) {
    std::lock_guard<std::mutex> lock(helper_mutex_);
    auto it = buffers_.find(buffer);
    if (it == buffers_.end())
        return;
    vk::destroy_buffer(vk_, device_, &it->second);
    buffers_.erase(it);
}

bool StandaloneDevice::known_range(uint64_t buffer, uint64_t offset, uint64_t size) {
    std::lock_guard<std::mutex> lock(helper_mutex_);
    auto it = buffers_.find(buffer);
    return it != buffers_.end() && size > 0 && offset <= it->second.size && size <= it->second.size - offset;
}

template <typename Record> bool StandaloneDevice::run_once(Record record) {
    std::lock_guard<std::mutex> lock(helper_mutex_);
    VkCommandBufferAllocateInfo alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    alloc.commandPool = pool_;
    alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    alloc.commandBufferCount = 1;
    VkCommandBuffer cmd;
    if (vk_.vkAllocateCommandBuffers(device_, &alloc, &cmd) != VK_SUCCESS)
        return false;
    VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    vk_.vkBeginCommandBuffer(cmd, &begin);
    record(cmd);
    vk_.vkEndCommandBuffer(cmd);

    VkFenceCreateInfo fence_info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VkFence fence;
    bool ok = vk_.vkCreateFence(device_, &fence_info, nullptr, &fence) == VK_SUCCESS;
    if (ok) {
        VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
        submit.commandBufferCount = 1;
        submit.pCommandBuffers = &cmd;
        {
            std::lock_guard<std::mutex> queue_lock(queue_mutex_);
            ok = vk_.vkQueueSubmit(queue_, 1, &submit, fence) == VK_SUCCESS;
        }
        if (ok)
            ok = vk_.vkWaitForFences(device_, 1, &fence, VK_TRUE, UINT64_MAX) == VK_SUCCESS;
        vk_.vkDestroyFence(device_, fence, nullptr);
    }
    vk_.vkFreeCommandBuffers(device_, pool_, 1, &cmd);
    return ok;
}

bool StandaloneDevice::upload(uint64_t buffer, uint64_t offset, const void *data, uint64_t size) {
    if (!known_range(buffer, offset, size))
        return false;
    OwnedBuffer staging;
    std::string error;
    if (!vk::create_buffer(vk_, physical_, device_, size, MemoryKind::Staging, &staging, &error))
        return false;
    std::memcpy(staging.mapped, data, size);
    bool ok = run_once([&](VkCommandBuffer cmd) {
        VkBufferCopy region{0, offset, size};
        vk_.vkCmdCopyBuffer(cmd, staging.buffer, reinterpret_cast<VkBuffer>(static_cast<uintptr_t>(buffer)), 1,
                            &region);
    });
    vk::destroy_buffer(vk_, device_, &staging);
    return ok;
}

bool StandaloneDevice::download(uint64_t buffer, uint64_t offset, void *data, uint64_t size) {
    if (!known_range(buffer, offset, size))
        return false;
    OwnedBuffer staging;
    std::string error;
    if (!vk::create_buffer(vk_, physical_, device_, size, MemoryKind::Staging, &staging, &error))
        return false;
    bool ok = run_once([&](VkCommandBuffer cmd) {
        // Writes by other submissions (the backend's) must be visible to this copy...
        VkMemoryBarrier before{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
        before.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
        before.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
        vk_.vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &before, 0,
                                 nullptr, 0, nullptr);
        VkBufferCopy region{offset, 0, size};
        vk_.vkCmdCopyBuffer(cmd, reinterpret_cast<VkBuffer>(static_cast<uintptr_t>(buffer)), staging.buffer, 1,
                            &region);
        // ...and its result visible to the host.
        VkMemoryBarrier after{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
        after.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
        after.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
        vk_.vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &after, 0,
                                 nullptr, 0, nullptr);
    });
    if (ok)
        std::memcpy(data, staging.mapped, size);
    vk::destroy_buffer(vk_, device_, &staging);
    return ok;
}

// Best of a few runs of one command buffer copying `size` bytes in `regions` regions; timed
// with GPU timestamps when the queue family has them, otherwise around submit + wait.
double StandaloneDevice::copy_ceiling_gbps(uint64_t size, uint32_t regions) {
    if (size == 0 || regions == 0 || regions > size)
        return 0;
    OwnedBuffer src, dst;
    std::string error;
    if (!vk::create_buffer(vk_, physical_, device_, size, MemoryKind::Staging, &src, &error))
        return 0;
    if (!vk::create_buffer(vk_, physical_, device_, size, MemoryKind::DeviceLocal, &dst, &error)) {
        vk::destroy_buffer(vk_, device_, &src);
        return 0;
    }
    std::memset(src.mapped, 0x5a, size);
    std::vector<VkBufferCopy> copies(regions);
    uint64_t step = size / regions;
    for (uint32_t i = 0; i < regions; ++i) {
        copies[i].srcOffset = copies[i].dstOffset = i * step;
        copies[i].size = i + 1 == regions ? size - i * step : step;
    }
    VkQueryPool queries = VK_NULL_HANDLE;
    if (timestamp_bits_ > 0) {
        VkQueryPoolCreateInfo qinfo{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
        qinfo.queryType = VK_QUERY_TYPE_TIMESTAMP;
        qinfo.queryCount = 2;
        if (vk_.vkCreateQueryPool(device_, &qinfo, nullptr, &queries) != VK_SUCCESS)
            queries = VK_NULL_HANDLE;
    }
    double best_seconds = 0;
    for (int run = 0; run < 3; ++run) {
        auto t0 = std::chrono::steady_clock::now();
        bool ok = run_once([&](VkCommandBuffer cmd) {
            if (queries) {
                vk_.vkCmdResetQueryPool(cmd, queries, 0, 2);
                vk_.vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, queries, 0);
            }
            vk_.vkCmdCopyBuffer(cmd, src.buffer, dst.buffer, regions, copies.data());
            if (queries)
                vk_.vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queries, 1);
        });
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (!ok)
            break;
        uint64_t stamps[2];
        if (queries && vk_.vkGetQueryPoolResults(device_, queries, 0, 2, sizeof stamps, stamps, sizeof stamps[0],
                                                 VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT) == VK_SUCCESS) {
            uint64_t mask = timestamp_bits_ >= 64 ? ~0ull : (1ull << timestamp_bits_) - 1;
            uint64_t ticks = ((stamps[1] - stamps[0]) & mask);
            if (ticks > 0)
                seconds = static_cast<double>(ticks) * timestamp_period_ns_ * 1e-9;
        }
        if (best_seconds == 0 || seconds < best_seconds)
            best_seconds = seconds;
    }
    if (queries)
        vk_.vkDestroyQueryPool(device_, queries, nullptr);
    vk::destroy_buffer(vk_, device_, &dst);
    vk::destroy_buffer(vk_, device_, &src);
    return best_seconds > 0 ? static_cast<double>(size) / best_seconds / 1e9 : 0;
}

}  // namespace
}  // namespace ds::vk

namespace ds {

std::unique_ptr<VulkanDevice> VulkanDevice::create(std::string *error) { return create(error, VulkanDeviceOptions{}); }

std::unique_ptr<VulkanDevice> VulkanDevice::create(std::string *error, const VulkanDeviceOptions &options) {
    auto device = std::make_unique<vk::StandaloneDevice>(options);
    std::string why;
    if (!device->init(&why)) {
        if (error)
            *error = "Vulkan device: " + why;
        return nullptr;
    }
    return device;
}

}  // namespace ds
