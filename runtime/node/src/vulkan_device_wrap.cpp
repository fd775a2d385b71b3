// SPDX-License-Identifier: MIT
#include "vulkan_device_wrap.h"

#include <string>
#include <utility>

#include "addon_data.h"
#include "backend_wrap.h"
#include "js_convert.h"

namespace dsnode {

namespace {

/// Keeps the device alive for as long as the backend: members die in reverse order.
struct DeviceBoundBackend {
    std::shared_ptr<ds::VulkanDevice> device;
    std::shared_ptr<ds::Backend> backend;
};

}  // namespace

Napi::Function VulkanDeviceWrap::define(Napi::Env env) {
    return DefineClass(env, "VulkanDevice",
                       {InstanceAccessor<&VulkanDeviceWrap::name>("name"),
                        InstanceAccessor<&VulkanDeviceWrap::is_discrete>("isDiscrete"),
                        InstanceAccessor<&VulkanDeviceWrap::transfer_only_queue>("transferOnlyQueue"),
                        InstanceAccessor<&VulkanDeviceWrap::memory_decompression>("memoryDecompression"),
                        InstanceMethod<&VulkanDeviceWrap::create_buffer>("createBuffer"),
                        InstanceMethod<&VulkanDeviceWrap::destroy_buffer>("destroyBuffer"),
                        InstanceMethod<&VulkanDeviceWrap::upload>("upload"),
                        InstanceMethod<&VulkanDeviceWrap::download>("download"),
                        InstanceMethod<&VulkanDeviceWrap::copy_ceiling_gbps>("copyCeilingGbps"),
                        InstanceMethod<&VulkanDeviceWrap::backend>("backend")});
}

VulkanDeviceWrap::VulkanDeviceWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<VulkanDeviceWrap>(info) {
    std::string error;
    ds::VulkanDeviceOptions options;
    if (info.Length() > 0 && info[0].IsObject()) {
        Napi::Value v = info[0].As<Napi::Object>().Get("preferComputeQueue");
        if (v.IsBoolean())
            options.prefer_compute_queue = v.As<Napi::Boolean>().Value();
    }
    std::unique_ptr<ds::VulkanDevice> dev = ds::VulkanDevice::create(&error, options);
    if (!dev)
        throw Napi::Error::New(info.Env(), "no usable Vulkan device: " + (error.empty() ? "unknown reason" : error) +
                                               ". Install a Vulkan driver (on a machine without a GPU: Debian "
                                               "mesa-vulkan-drivers provides lavapipe) and libvulkan1.");
    device_ = std::move(dev);
}

ds::VulkanDevice &VulkanDeviceWrap::device(Napi::Env env) {
    if (!device_)
        throw Napi::Error::New(env, "VulkanDevice is not initialised");
    return *device_;
}

Napi::Value VulkanDeviceWrap::name(const Napi::CallbackInfo &info) {
    return Napi::String::New(info.Env(), device(info.Env()).device_name());
}

Napi::Value VulkanDeviceWrap::is_discrete(const Napi::CallbackInfo &info) {
    return Napi::Boolean::New(info.Env(), device(info.Env()).is_discrete());
}

Napi::Value VulkanDeviceWrap::memory_decompression(const Napi::CallbackInfo &info) {
    return Napi::Boolean::New(info.Env(), device(info.Env()).memory_decompression());
}

Napi::Value VulkanDeviceWrap::transfer_only_queue(const Napi::CallbackInfo &info) {
    return Napi::Boolean::New(info.Env(), device(info.Env()).transfer_only_queue());
}

Napi::Value VulkanDeviceWrap::create_buffer(const Napi::CallbackInfo &info) {
    uint64_t size = to_u64(info[0], "createBuffer(size)");
    if (size == 0)
        throw Napi::RangeError::New(info.Env(), "createBuffer(size): size must be above 0");
    uint64_t handle = device(info.Env()).create_buffer(size);
    if (!handle)
        throw Napi::Error::New(info.Env(), "createBuffer(" + std::to_string(size) +
                                               "): the device could not allocate a device-local buffer of "
                                               "that size; try a smaller one");
    return Napi::BigInt::New(info.Env(), handle);
}

Napi::Value VulkanDeviceWrap::destroy_buffer(const Napi::CallbackInfo &info) {
    device(info.Env()).destroy_buffer(to_u64(info[0], "destroyBuffer(buffer)"));
    return info.Env().Undefined();
}

Napi::Value VulkanDeviceWrap::upload(const Napi::CallbackInfo &info) {
    uint64_t buffer = to_u64(info[0], "upload(buffer)");
    uint64_t offset = to_u64(info[1], "upload(offset)");
    ByteView data = byte_view(info[2], "upload(data)");
    if (!device(info.Env()).upload(buffer, offset, data.data, data.size))
        throw Napi::Error::New(info.Env(), "upload failed: check that offset + data.length fits in the buffer");
    return info.Env().Undefined();
}

Napi::Value VulkanDeviceWrap::download(const Napi::CallbackInfo &info) {
    uint64_t buffer = to_u64(info[0], "download(buffer)");
    uint64_t offset = to_u64(info[1], "download(offset)");
    uint64_t size = to_u64(info[2], "download(size)");
    Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(info.Env(), size_t(size));
    if (size && !device(info.Env()).download(buffer, offset, out.Data(), size))
        throw Napi::Error::New(info.Env(), "download failed: check that offset + size fits in the buffer");
    return out;
}

Napi::Value VulkanDeviceWrap::copy_ceiling_gbps(const Napi::CallbackInfo &info) {
    uint64_t size = to_u64(info[0], "copyCeilingGbps(size)");
    uint32_t regions = uint32_t(to_u64_or(info[1], "copyCeilingGbps(regions)", 1));
    double gbps = device(info.Env()).copy_ceiling_gbps(size, regions ? regions : 1);
    if (gbps <= 0)
        throw Napi::Error::New(info.Env(), "copyCeilingGbps(" + std::to_string(size) +
                                               "): the copy failed; try a size the device can allocate twice");
    return Napi::Number::New(info.Env(), gbps);
}

Napi::Value VulkanDeviceWrap::backend(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    ds::VulkanBackendConfig config = device(env).backend_config();
    if (info.Length() > 0 && info[0].IsObject()) {
        Napi::Object o = info[0].As<Napi::Object>();
        config.staging_bytes = to_u64_or(o.Get("stagingBytes"), "backend({stagingBytes})", config.staging_bytes);
        config.chunk_size = to_u64_or(o.Get("chunkSize"), "backend({chunkSize})", config.chunk_size);
        config.worker_count = uint32_t(to_u64_or(o.Get("workers"), "backend({workers})", config.worker_count));
        config.flush_bytes = to_u64_or(o.Get("flushBytes"), "backend({flushBytes})", config.flush_bytes);
        // GDeflate paths: either can be switched off (NV only on: it needs what the device enabled).
        config.nv_memory_decompression =
            config.nv_memory_decompression && to_bool_or(o.Get("nvMemoryDecompression"), true);
        config.nv_input_in_device_memory = to_bool_or(o.Get("nvInputInDeviceMemory"), config.nv_input_in_device_memory);
        config.shader_input_in_device_memory =
            to_bool_or(o.Get("shaderInputInDeviceMemory"), config.shader_input_in_device_memory);
        config.shader_direct_output = to_bool_or(o.Get("shaderDirectOutput"), config.shader_direct_output);
        config.shader_subgroup_scan = to_bool_or(o.Get("shaderSubgroupScan"), config.shader_subgroup_scan);
        config.shader_decompression = to_bool_or(o.Get("shaderDecompression"), config.shader_decompression);
        config.shader_scratch_bytes =
            to_u64_or(o.Get("shaderScratchBytes"), "backend({shaderScratchBytes})", config.shader_scratch_bytes);
        // Shader copies: can be switched off (on only where the device enabled bufferDeviceAddress).
        config.shader_copies = config.shader_copies && to_bool_or(o.Get("shaderCopies"), true);
        config.shader_copy_max_bytes =
            to_u64_or(o.Get("shaderCopyMaxBytes"), "backend({shaderCopyMaxBytes})", config.shader_copy_max_bytes);
        Napi::Value memory = o.Get("stagingMemory");
        if (!memory.IsUndefined()) {
            std::string kind = memory.ToString().Utf8Value();
            using StagingMemory = ds::VulkanBackendConfig::StagingMemory;
            if (kind != "cached" && kind != "uncached" && kind != "host")
                throw Napi::TypeError::New(env, "backend({stagingMemory}): 'cached', 'uncached' or 'host', not '" +
                                                    kind + "'");
            config.staging_memory = kind == "host"       ? StagingMemory::Host
                                    : kind == "uncached" ? StagingMemory::Uncached
                                                         : StagingMemory::Cached;
        }
        Napi::Value staging = o.Get("fileStaging");
        if (!staging.IsUndefined()) {
            std::string how = staging.ToString().Utf8Value();
            using FileStaging = ds::VulkanBackendConfig::FileStaging;
            if (how != "copy" && how != "mapped" && how != "auto")
                throw Napi::TypeError::New(env,
                                           "backend({fileStaging}): 'copy', 'mapped' or 'auto', not '" + how + "'");
            config.file_staging = how == "mapped" ? FileStaging::Mapped
                                  : how == "auto" ? FileStaging::Auto
                                                  : FileStaging::Copy;
        }
        config.mapped_window_bytes =
            to_u64_or(o.Get("mappedWindowBytes"), "backend({mappedWindowBytes})", config.mapped_window_bytes);
        config.mapped_budget_bytes =
            to_u64_or(o.Get("mappedBudgetBytes"), "backend({mappedBudgetBytes})", config.mapped_budget_bytes);
        config.mapped_min_bytes =
            to_u64_or(o.Get("mappedMinBytes"), "backend({mappedMinBytes})", config.mapped_min_bytes);
    }
    std::string error;
    std::shared_ptr<ds::Backend> raw = ds::make_vulkan_backend(config, &error);
    if (!raw)
        throw Napi::Error::New(env,
                               "the Vulkan backend could not start: " + (error.empty() ? "unknown reason" : error));
    auto holder = std::make_shared<DeviceBoundBackend>(DeviceBoundBackend{device_, std::move(raw)});
    std::shared_ptr<ds::Backend> bound(holder, holder->backend.get());
    return BackendWrap::wrap(env, std::move(bound));
}

Napi::Value make_vulkan_device(const Napi::CallbackInfo &info) {
    if (info.Length() > 0 && info[0].IsObject())
        return addon_data(info.Env()).vulkan_device_ctor.New({info[0]});
    return addon_data(info.Env()).vulkan_device_ctor.New({});
}

}  // namespace dsnode
