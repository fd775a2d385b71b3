// SPDX-License-Identifier: MIT
#include "ceilings.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "js_convert.h"

namespace dsnode {

namespace {

struct FreeDeleter {
    void operator()(void *p) const { std::free(p); }
};

}  // namespace

Napi::Value memcpy_ceiling_gbps(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    uint64_t size = to_u64(info[0], "memcpyCeilingGbps(size)");
    if (size == 0)
        throw Napi::RangeError::New(env, "memcpyCeilingGbps(size): size must be above 0");
    double min_seconds = 0.2;
    if (info.Length() > 1 && info[1].IsObject()) {
        Napi::Value v = info[1].As<Napi::Object>().Get("minSeconds");
        if (v.IsNumber())
            min_seconds = v.As<Napi::Number>().DoubleValue();
    }
    size_t bytes = size_t((size + 4095) & ~uint64_t(4095));
    std::unique_ptr<uint8_t, FreeDeleter> src(static_cast<uint8_t *>(std::aligned_alloc(4096, bytes)));
    std::unique_ptr<uint8_t, FreeDeleter> dst(static_cast<uint8_t *>(std::aligned_alloc(4096, bytes)));
    if (!src || !dst)
        throw Napi::Error::New(env, "memcpyCeilingGbps: could not allocate 2 x " + std::to_string(bytes) +
                                        " bytes; pass a smaller size");
    std::memset(src.get(), 0x5a, bytes);
    std::memset(dst.get(), 0, bytes);  // fault both in: the ceiling is the copy, not page faults

    double best = 0;
    auto start = std::chrono::steady_clock::now();
    for (int round = 0;; ++round) {
        auto t0 = std::chrono::steady_clock::now();
        std::memcpy(dst.get(), src.get(), size_t(size));
        auto t1 = std::chrono::steady_clock::now();
        double s = std::chrono::duration<double>(t1 - t0).count();
        if (s > 0)
            best = std::max(best, double(size) / s / 1e9);
        if (round >= 2 && std::chrono::duration<double>(t1 - start).count() >= min_seconds)
            break;
    }
    // Keep the copy observable so it is not optimised away.
    volatile uint8_t sink = dst.get()[size - 1];
    (void)sink;
    return Napi::Number::New(env, best);
}

}  // namespace dsnode
