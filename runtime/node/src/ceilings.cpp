// SPDX-License-Identifier: MIT
#include "ceilings.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "js_convert.h"

namespace dsnode {

namespace {

struct FreeDeleter {
    void operator()(void *p) const { std::free(p); }
};

double process_cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

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

Napi::Value pread_ceiling(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    const char *usage = "preadCeiling(fd, {size, span, count, threads})";
    if (!info[0].IsNumber() || !info[1].IsObject())
        throw Napi::TypeError::New(env, std::string(usage) + ": pass a file descriptor and an options object");
    int fd = info[0].As<Napi::Number>().Int32Value();
    Napi::Object o = info[1].As<Napi::Object>();
    uint64_t size = to_u64(o.Get("size"), usage);
    uint64_t span = to_u64(o.Get("span"), usage);
    uint64_t count = to_u64(o.Get("count"), usage);
    uint64_t threads = o.Get("threads").IsNumber() ? to_u64(o.Get("threads"), usage) : 0;
    if (threads == 0)
        threads = std::max(1u, std::thread::hardware_concurrency());
    if (size == 0 || span < size || count == 0 || threads > 1024)
        throw Napi::RangeError::New(env,
                                    std::string(usage) + ": need size > 0, span >= size, count > 0, threads <= 1024");
    // One ring of destinations shared by the threads, as large as the runtime's rows use
    // (runReads: one slot per request in flight): the copy's cost depends on whether the
    // destinations stay in the cache, so the ceiling must write to as much memory.
    uint64_t ring_slots = o.Get("slots").IsNumber() ? to_u64(o.Get("slots"), usage) : 1024;
    ring_slots = std::max<uint64_t>(1, ring_slots);
    size_t ring_bytes = size_t(((ring_slots * size) + 4095) & ~uint64_t(4095));
    std::unique_ptr<uint8_t, FreeDeleter> ring(static_cast<uint8_t *>(std::aligned_alloc(4096, ring_bytes)));
    if (!ring)
        throw Napi::Error::New(env, "preadCeiling: could not allocate " + std::to_string(ring_bytes) +
                                        " bytes of destinations; lower slots or size");
    std::memset(ring.get(), 0, ring_bytes);
    const uint64_t positions = span / size;
    std::atomic<uint64_t> next{0};
    std::atomic<int> error{0};
    auto work = [&] {
        for (;;) {
            uint64_t i = next.fetch_add(1, std::memory_order_relaxed);
            if (i >= count)
                return;
            uint8_t *dst = ring.get() + (i % ring_slots) * size;
            off_t offset = off_t((i % positions) * size);
            for (uint64_t done = 0; done < size;) {
                ssize_t r = ::pread(fd, dst + done, size - done, offset + off_t(done));
                if (r <= 0) {
                    if (r < 0 && errno == EINTR)
                        continue;
                    error.store(r < 0 ? errno : -1);
                    return;
                }
                done += uint64_t(r);
            }
        }
    };
    double cpu0 = process_cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (uint64_t t = 0; t < threads; ++t)
        pool.emplace_back(work);
    for (auto &t : pool)
        t.join();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double cpu = process_cpu_seconds() - cpu0;
    if (error.load() != 0)
        throw Napi::Error::New(env, "preadCeiling: a read failed (errno " + std::to_string(error.load()) +
                                        ", -1: end of file); check fd and span");
    double gb = double(count * size) / 1e9;
    Napi::Object r = Napi::Object::New(env);
    r.Set("gbps", gb / seconds);
    r.Set("requestsPerSecond", double(count) / seconds);
    r.Set("cpuSecondsPerGB", cpu / gb);
    r.Set("threads", double(threads));
    return r;
}

}  // namespace dsnode
