// SPDX-License-Identifier: MIT
// Backend: a JS handle on a shared ds::Backend. Made by cpu(), ioUring() and VulkanDevice.backend().
#pragma once

#include <napi.h>

#include <memory>

#include "ds/backend.h"

namespace dsnode {

class BackendWrap : public Napi::ObjectWrap<BackendWrap> {
public:
    static Napi::Function define(Napi::Env env);
    /// A new JS Backend object owning `backend`.
    static Napi::Object wrap(Napi::Env env, std::shared_ptr<ds::Backend> backend);
    /// The backend behind a JS value; throws a TypeError naming `what` when it is not a Backend.
    static std::shared_ptr<ds::Backend> unwrap(const Napi::Value &value, const char *what);

    explicit BackendWrap(const Napi::CallbackInfo &info);
    const std::shared_ptr<ds::Backend> &backend() const { return backend_; }

private:
    Napi::Value name(const Napi::CallbackInfo &info);
    Napi::Value caps(const Napi::CallbackInfo &info);
    Napi::Value stats(const Napi::CallbackInfo &info);

    std::shared_ptr<ds::Backend> backend_;
};

/// cpu({workers, chunkSize}) -> Backend
Napi::Value make_cpu(const Napi::CallbackInfo &info);
/// ioUring({queueDepth, chunkSize, bounceBuffers}) -> Backend; throws with errno when unavailable
Napi::Value make_io_uring(const Napi::CallbackInfo &info);

}  // namespace dsnode
