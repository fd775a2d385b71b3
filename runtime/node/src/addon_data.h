// SPDX-License-Identifier: MIT
// Per-environment state: the JS constructors, so wrappers can create and recognise each other.
#pragma once

#include <napi.h>

namespace dsnode {

struct AddonData {
    Napi::FunctionReference backend_ctor;
    Napi::FunctionReference vulkan_device_ctor;
    Napi::FunctionReference queue_ctor;
};

inline AddonData &addon_data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

}  // namespace dsnode
