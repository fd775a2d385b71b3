// SPDX-License-Identifier: MIT
#include "gdeflate_throughput.h"

#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ds/gdeflate.h"
#include "js_convert.h"

namespace dsnode {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<uint8_t> mixed_data(uint64_t size) {
    static const char kWords[] = "texture mesh shader vertex normal index stream tile asset level ";
    std::vector<uint8_t> out(size);
    std::mt19937_64 rng(42);
    for (uint64_t i = 0; i < size; ++i) {
        bool random_tile = (i / ds::gdeflate::kTileSize) % 2 == 1;
        out[i] = random_tile ? uint8_t(rng()) : uint8_t(kWords[(i * 7 + (i >> 9)) % (sizeof kWords - 1)]);
    }
    return out;
}

// Text-like data with many short matches and literals (about 3.7:1): the Huffman-heavy case,
// where the mixed data's stored tiles and long matches say little about the decoder.
std::vector<uint8_t> text_data(uint64_t size) {
    static const char *const kWords[] = {"tile ", "stream ", "lane ", "huffman ", "deflate ", "copy ",
                                         "\n",    "0123 ",   "Q",     "zz",       "ab",       "k9 "};
    std::vector<uint8_t> out(size);
    uint32_t x = 1;
    for (uint64_t i = 0; i < size;) {
        x = x * 1103515245u + 12345u;
        if ((x >> 8) % 5 == 0) {
            out[i++] = uint8_t(x >> 20);
            continue;
        }
        for (const char *p = kWords[(x >> 16) % 12]; *p && i < size; ++p)
            out[i++] = uint8_t(*p);
    }
    return out;
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

Napi::Value gdeflate_throughput(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!info[0].IsObject())
        throw Napi::TypeError::New(env, "gdeflateThroughput({size, level, threads}): pass an options object");
    Napi::Object o = info[0].As<Napi::Object>();
    uint64_t size = to_u64(o.Get("size"), "gdeflateThroughput({size})");
    int level =
        o.Get("level").IsNumber() ? o.Get("level").As<Napi::Number>().Int32Value() : ds::gdeflate::kLevelDefault;
    std::vector<unsigned> thread_counts = {1, 0};
    if (o.Get("threads").IsArray()) {
        Napi::Array a = o.Get("threads").As<Napi::Array>();
        thread_counts.clear();
        for (uint32_t i = 0; i < a.Length(); ++i)
            thread_counts.push_back(a.Get(i).As<Napi::Number>().Uint32Value());
    }
    if (size == 0 || size > ds::gdeflate::kMaxUncompressed)
        throw Napi::RangeError::New(env, "gdeflateThroughput: size must be 1 .. " +
                                             std::to_string(ds::gdeflate::kMaxUncompressed));

    std::string kind = o.Get("data").IsString() ? o.Get("data").As<Napi::String>().Utf8Value() : "mixed";
    if (kind != "mixed" && kind != "text")
        throw Napi::TypeError::New(env, "gdeflateThroughput({data}): 'mixed' or 'text', not '" + kind + "'");
    std::vector<uint8_t> data = kind == "text" ? text_data(size) : mixed_data(size);
    std::vector<uint8_t> stream(ds::gdeflate::compress_bound(size));
    size_t written = 0;
    auto t0 = Clock::now();
    ds::gdeflate::Error e = ds::gdeflate::encode(data.data(), size, stream.data(), stream.size(), level, 0, &written);
    double encode_s = seconds_since(t0);
    if (e != ds::gdeflate::Error::Ok)
        throw Napi::Error::New(env, std::string("gdeflateThroughput: encode failed: ") + ds::gdeflate::error_name(e));

    Napi::Array decode = Napi::Array::New(env);
    std::vector<uint8_t> out(size);
    for (unsigned threads : thread_counts) {
        double best = 0;
        auto start = Clock::now();
        for (int round = 0; round < 3 || seconds_since(start) < 0.5; ++round) {
            auto t = Clock::now();
            e = ds::gdeflate::decode(stream.data(), written, out.data(), size, threads);
            double s = seconds_since(t);
            if (e != ds::gdeflate::Error::Ok || out != data)
                throw Napi::Error::New(env, std::string("gdeflateThroughput: decode failed or differs: ") +
                                                ds::gdeflate::error_name(e));
            if (s > 0)
                best = std::max(best, double(size) / s / 1e9);
            if (round >= 20)
                break;
        }
        Napi::Object row = Napi::Object::New(env);
        row.Set("threads", threads ? threads : std::thread::hardware_concurrency());
        row.Set("gbps", best);
        decode.Set(decode.Length(), row);
    }
    Napi::Object result = Napi::Object::New(env);
    result.Set("ratio", double(size) / double(written));
    result.Set("encodeGbps", encode_s > 0 ? double(size) / encode_s / 1e9 : 0);
    result.Set("decode", decode);
    return result;
}

Napi::Value gdeflate_encode(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!info[0].IsTypedArray())
        throw Napi::TypeError::New(env, "gdeflateEncode(data, level): data must be a Uint8Array or Buffer");
    Napi::Uint8Array data = info[0].As<Napi::Uint8Array>();
    int level = info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : ds::gdeflate::kLevelDefault;
    std::vector<uint8_t> stream(ds::gdeflate::compress_bound(data.ByteLength()));
    size_t written = 0;
    ds::gdeflate::Error e =
        ds::gdeflate::encode(data.Data(), data.ByteLength(), stream.data(), stream.size(), level, 0, &written);
    if (e != ds::gdeflate::Error::Ok)
        throw Napi::Error::New(env, std::string("gdeflateEncode: ") + ds::gdeflate::error_name(e));
    return Napi::Buffer<uint8_t>::Copy(env, stream.data(), written);
}

Napi::Value gdeflate_sample_data(const Napi::CallbackInfo &info) {
    uint64_t size = to_u64(info[0], "gdeflateSampleData(size)");
    std::string kind = info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "mixed";
    if (kind != "mixed" && kind != "text")
        throw Napi::TypeError::New(info.Env(), "gdeflateSampleData(size, kind): 'mixed' or 'text', not '" + kind + "'");
    std::vector<uint8_t> data = kind == "text" ? text_data(size) : mixed_data(size);
    return Napi::Buffer<uint8_t>::Copy(info.Env(), data.data(), data.size());
}

}  // namespace dsnode
