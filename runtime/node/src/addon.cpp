// SPDX-License-Identifier: MIT
// The ds_runtime Node addon: exports and the per-environment constructor table.
#include <napi.h>

#include "addon_data.h"
#include "backend_wrap.h"
#include "ceilings.h"
#include "gdeflate_throughput.h"
#include "zstd_throughput.h"
#include "js_convert.h"
#include "queue_wrap.h"
#include "vulkan_device_wrap.h"

namespace dsnode {

Napi::Object init(Napi::Env env, Napi::Object exports) {
    auto *data = new AddonData;
    env.SetInstanceData<AddonData>(data);  // deleted by node-addon-api at teardown

    Napi::Function backend = BackendWrap::define(env);
    Napi::Function device = VulkanDeviceWrap::define(env);
    Napi::Function queue = QueueWrap::define(env);
    data->backend_ctor = Napi::Persistent(backend);
    data->vulkan_device_ctor = Napi::Persistent(device);
    data->queue_ctor = Napi::Persistent(queue);

    exports.Set("Backend", backend);
    exports.Set("VulkanDevice", device);
    exports.Set("Queue", queue);
    exports.Set("cpu", Napi::Function::New<make_cpu>(env, "cpu"));
    exports.Set("ioUring", Napi::Function::New<make_io_uring>(env, "ioUring"));
    exports.Set("vulkanDevice", Napi::Function::New<make_vulkan_device>(env, "vulkanDevice"));
    exports.Set("memcpyCeilingGbps", Napi::Function::New<memcpy_ceiling_gbps>(env, "memcpyCeilingGbps"));
    exports.Set("preadCeiling", Napi::Function::New<pread_ceiling>(env, "preadCeiling"));
    exports.Set("gdeflateThroughput", Napi::Function::New<gdeflate_throughput>(env, "gdeflateThroughput"));
    exports.Set("gdeflateEncode", Napi::Function::New<gdeflate_encode>(env, "gdeflateEncode"));
    exports.Set("gdeflateSampleData", Napi::Function::New<gdeflate_sample_data>(env, "gdeflateSampleData"));
    exports.Set("zstdThroughput", Napi::Function::New<zstd_throughput>(env, "zstdThroughput"));
    exports.Set("zstdEncode", Napi::Function::New<zstd_encode>(env, "zstdEncode"));
    exports.Set("Status", status_table(env));
    exports.Set("Field", field_table(env));
    return exports;
}

}  // namespace dsnode

static Napi::Object init_ds_runtime(Napi::Env env, Napi::Object exports) { return dsnode::init(env, exports); }

NODE_API_MODULE(ds_runtime, init_ds_runtime)
