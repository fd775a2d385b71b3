// SPDX-License-Identifier: MIT
// VulkanDevice: a standalone ds::VulkanDevice for tests and benchmarks (buffers, upload/download,
// the copy ceiling) and the factory of Vulkan backends bound to it.
#pragma once

#include <napi.h>

#include <memory>

#include "ds/vulkan_backend.h"

namespace dsnode {

class VulkanDeviceWrap : public Napi::ObjectWrap<VulkanDeviceWrap> {
public:
    static Napi::Function define(Napi::Env env);
    explicit VulkanDeviceWrap(const Napi::CallbackInfo &info);

private:
    ds::VulkanDevice &device(Napi::Env env);
    Napi::Value name(const Napi::CallbackInfo &info);
    Napi::Value is_discrete(const Napi::CallbackInfo &info);
    Napi::Value transfer_only_queue(const Napi::CallbackInfo &info);
    Napi::Value memory_decompression(const Napi::CallbackInfo &info);
    Napi::Value create_buffer(const Napi::CallbackInfo &info);
    Napi::Value destroy_buffer(const Napi::CallbackInfo &info);
    Napi::Value upload(const Napi::CallbackInfo &info);
    Napi::Value download(const Napi::CallbackInfo &info);
    Napi::Value copy_ceiling_gbps(const Napi::CallbackInfo &info);
    Napi::Value backend(const Napi::CallbackInfo &info);

    // Shared with every backend made here: the device outlives the backends that borrow it.
    std::shared_ptr<ds::VulkanDevice> device_;
};

/// vulkanDevice() -> VulkanDevice; throws an Error saying why no device is usable.
Napi::Value make_vulkan_device(const Napi::CallbackInfo &info);

}  // namespace dsnode
