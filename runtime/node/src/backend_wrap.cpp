// SPDX-License-Identifier: MIT
#include "backend_wrap.h"

#include <cstring>
#include <string>

#include "addon_data.h"
#include "ds/cpu_backend.h"
#include "ds/io_uring_backend.h"
#include "js_convert.h"

namespace dsnode {

namespace {

Napi::Object options_arg(const Napi::CallbackInfo &info, const char *fn) {
    if (info.Length() == 0 || info[0].IsUndefined())
        return Napi::Object::New(info.Env());
    if (!info[0].IsObject())
        throw Napi::TypeError::New(info.Env(), std::string(fn) + "(options): options must be an object");
    return info[0].As<Napi::Object>();
}

}  // namespace

Napi::Function BackendWrap::define(Napi::Env env) {
    return DefineClass(env, "Backend",
                       {InstanceAccessor<&BackendWrap::name>("name"), InstanceMethod<&BackendWrap::caps>("caps"),
                        InstanceMethod<&BackendWrap::stats>("stats")});
}

BackendWrap::BackendWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<BackendWrap>(info) {
    // Only wrap() creates working instances: it passes the shared_ptr as an External.
    if (info.Length() != 1 || !info[0].IsExternal())
        throw Napi::TypeError::New(info.Env(), "Backend cannot be constructed directly: use cpu(), ioUring() or "
                                               "VulkanDevice.backend()");
    backend_ = *info[0].As<Napi::External<std::shared_ptr<ds::Backend>>>().Data();
}

Napi::Object BackendWrap::wrap(Napi::Env env, std::shared_ptr<ds::Backend> backend) {
    auto external = Napi::External<std::shared_ptr<ds::Backend>>::New(env, &backend);
    return addon_data(env).backend_ctor.New({external});
}

std::shared_ptr<ds::Backend> BackendWrap::unwrap(const Napi::Value &value, const char *what) {
    Napi::Env env = value.Env();
    if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(addon_data(env).backend_ctor.Value()))
        throw Napi::TypeError::New(env, std::string(what) +
                                            " must be a Backend from cpu(), ioUring() or VulkanDevice.backend()");
    return Unwrap(value.As<Napi::Object>())->backend_;
}

Napi::Value BackendWrap::name(const Napi::CallbackInfo &info) {
    return Napi::String::New(info.Env(), backend_->name());
}

Napi::Value BackendWrap::caps(const Napi::CallbackInfo &info) {
    ds::BackendCaps c = backend_->caps();
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("gpu", c.gpu);
    o.Set("gdeflate", c.gdeflate);
    o.Set("zstd", c.zstd);
    return o;
}

Napi::Value BackendWrap::stats(const Napi::CallbackInfo &info) {
    return backend_stats_object(info.Env(), backend_->stats());
}

Napi::Value make_cpu(const Napi::CallbackInfo &info) {
    Napi::Object opts = options_arg(info, "cpu");
    ds::CpuBackendConfig config;
    config.worker_count = uint32_t(to_u64_or(opts.Get("workers"), "cpu({workers})", 0));
    config.chunk_size = to_u64_or(opts.Get("chunkSize"), "cpu({chunkSize})", config.chunk_size);
    auto backend = ds::make_cpu_backend(config);
    if (!backend)
        throw Napi::Error::New(info.Env(), "cpu(): the CPU backend could not start its worker threads; "
                                           "lower {workers} or check the process thread limit (ulimit -u)");
    return BackendWrap::wrap(info.Env(), std::move(backend));
}

Napi::Value make_io_uring(const Napi::CallbackInfo &info) {
    Napi::Object opts = options_arg(info, "ioUring");
    ds::IoUringBackendConfig config;
    config.queue_depth = uint32_t(to_u64_or(opts.Get("queueDepth"), "ioUring({queueDepth})", config.queue_depth));
    config.chunk_size = to_u64_or(opts.Get("chunkSize"), "ioUring({chunkSize})", config.chunk_size);
    config.bounce_buffers =
        uint32_t(to_u64_or(opts.Get("bounceBuffers"), "ioUring({bounceBuffers})", config.bounce_buffers));
    int error = 0;
    auto backend = ds::make_io_uring_backend(config, &error);
    if (!backend) {
        int err = error < 0 ? -error : (error ? error : ENOSYS);
        std::string why = err == ENOSYS  ? "this build has no io_uring support (rebuild the runtime with "
                                           "liburing-dev installed) or the kernel lacks it"
                          : err == EPERM ? "the kernel or a seccomp policy refuses it (containers often block "
                                           "io_uring; check /proc/sys/kernel/io_uring_disabled)"
                                         : "the kernel refused to set up the ring";
        throw_errno_error(info.Env(),
                          "io_uring is unavailable: " + why + " (errno " + std::to_string(err) + ": " +
                              std::strerror(err) + "). Use cpu() instead.",
                          -err);
    }
    return BackendWrap::wrap(info.Env(), std::move(backend));
}

}  // namespace dsnode
