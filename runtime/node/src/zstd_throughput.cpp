// SPDX-License-Identifier: MIT
#include "zstd_throughput.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "ds/zstd.h"
#include "js_convert.h"

namespace dsnode {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Frame {
    size_t plain_offset = 0, plain_size = 0;
    std::vector<uint8_t> stream;
};

// T threads take frames in turn until none is left; false when a frame fails or differs in size.
bool decode_all(const std::vector<Frame> &frames, uint8_t *out, unsigned threads) {
    std::atomic<size_t> next{0};
    std::atomic<bool> ok{true};
    auto work = [&] {
        for (size_t i; (i = next.fetch_add(1)) < frames.size();) {
            const Frame &f = frames[i];
            size_t produced = 0;
            if (ds::zstd::decompress(f.stream.data(), f.stream.size(), out + f.plain_offset, f.plain_size, &produced) !=
                    ds::zstd::Error::Ok ||
                produced != f.plain_size)
                ok = false;
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (auto &t : pool)
        t.join();
    return ok;
}

}  // namespace

Napi::Value zstd_throughput(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!info[0].IsTypedArray())
        throw Napi::TypeError::New(env, "zstdThroughput(data, options): data must be a Uint8Array or Buffer");
    if (!ds::zstd::available())
        throw Napi::Error::New(env, "zstdThroughput: ds-runtime was built without libzstd (DS_WITH_ZSTD=OFF)");
    Napi::Uint8Array data = info[0].As<Napi::Uint8Array>();
    Napi::Object o = info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);
    int level = o.Get("level").IsNumber() ? o.Get("level").As<Napi::Number>().Int32Value() : ds::zstd::kLevelDefault;
    uint64_t chunk = o.Get("chunkSize").IsUndefined() ? (1u << 20) : to_u64(o.Get("chunkSize"), "chunkSize");
    std::vector<unsigned> thread_counts = {1, 0};
    if (o.Get("threads").IsArray()) {
        Napi::Array a = o.Get("threads").As<Napi::Array>();
        thread_counts.clear();
        for (uint32_t i = 0; i < a.Length(); ++i)
            thread_counts.push_back(a.Get(i).As<Napi::Number>().Uint32Value());
    }
    const size_t size = data.ByteLength();
    if (size == 0 || chunk == 0)
        throw Napi::RangeError::New(env, "zstdThroughput: data and chunkSize must not be empty");

    std::vector<Frame> frames;
    size_t packed = 0;
    auto t0 = Clock::now();
    for (size_t at = 0; at < size; at += chunk) {
        Frame f;
        f.plain_offset = at;
        f.plain_size = std::min<size_t>(chunk, size - at);
        f.stream.resize(ds::zstd::compress_bound(f.plain_size));
        size_t written = 0;
        ds::zstd::Error e =
            ds::zstd::compress(data.Data() + at, f.plain_size, level, f.stream.data(), f.stream.size(), &written, 1);
        if (e != ds::zstd::Error::Ok)
            throw Napi::Error::New(env, std::string("zstdThroughput: compress failed: ") + ds::zstd::error_name(e));
        f.stream.resize(written);
        packed += written;
        frames.push_back(std::move(f));
    }
    double encode_s = seconds_since(t0);

    Napi::Array decode = Napi::Array::New(env);
    std::vector<uint8_t> out(size);
    for (unsigned requested : thread_counts) {
        unsigned threads = requested ? requested : std::max(1u, std::thread::hardware_concurrency());
        double best = 0;
        auto start = Clock::now();
        for (int round = 0; round < 3 || seconds_since(start) < 0.5; ++round) {
            std::memset(out.data(), 0, size);
            auto t = Clock::now();
            bool ok = decode_all(frames, out.data(), threads);
            double s = seconds_since(t);
            if (!ok || std::memcmp(out.data(), data.Data(), size) != 0)
                throw Napi::Error::New(env, "zstdThroughput: a frame failed to decode or decoded differently");
            if (s > 0)
                best = std::max(best, double(size) / s / 1e9);
            if (round >= 20)
                break;
        }
        Napi::Object row = Napi::Object::New(env);
        row.Set("threads", threads);
        row.Set("gbps", best);
        decode.Set(decode.Length(), row);
    }
    Napi::Object result = Napi::Object::New(env);
    result.Set("ratio", double(size) / double(packed));
    result.Set("encodeGbps", encode_s > 0 ? double(size) / encode_s / 1e9 : 0);
    result.Set("chunks", double(frames.size()));
    result.Set("decode", decode);
    return result;
}

Napi::Value zstd_encode(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!info[0].IsTypedArray())
        throw Napi::TypeError::New(env, "zstdEncode(data, level): data must be a Uint8Array or Buffer");
    Napi::Uint8Array data = info[0].As<Napi::Uint8Array>();
    int level = info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : ds::zstd::kLevelDefault;
    std::vector<uint8_t> stream(ds::zstd::compress_bound(data.ByteLength()));
    size_t written = 0;
    ds::zstd::Error e =
        ds::zstd::compress(data.Data(), data.ByteLength(), level, stream.data(), stream.size(), &written, 1);
    if (e != ds::zstd::Error::Ok)
        throw Napi::Error::New(env, std::string("zstdEncode: ") + ds::zstd::error_name(e));
    return Napi::Buffer<uint8_t>::Copy(env, stream.data(), written);
}

}  // namespace dsnode
