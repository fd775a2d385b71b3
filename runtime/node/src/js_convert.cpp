// SPDX-License-Identifier: MIT
#include "js_convert.h"

#include <cerrno>
#include <cmath>
#include <cstring>

namespace dsnode {

namespace {

constexpr const char *kStatusNames[] = {"Ok",          "IoError",    "EndOfFile", "Cancelled", "InvalidRequest",
                                        "Unsupported", "DeviceError"};
constexpr const char *kFieldNames[] = {"None",        "Op",        "Fd",       "Size",       "Source",
                                       "Destination", "GpuBuffer", "GpuRange", "Compression"};

template <size_t N> Napi::Object name_table(Napi::Env env, const char *const (&names)[N]) {
    Napi::Object table = Napi::Object::New(env);
    for (size_t i = 0; i < N; ++i)
        table.Set(names[i], Napi::Number::New(env, double(i)));
    return table;
}

const char *errno_code(int err) {
    switch (err) {
    case ENOSYS: return "ENOSYS";
    case EPERM: return "EPERM";
    case ENOMEM: return "ENOMEM";
    case EINVAL: return "EINVAL";
    case EACCES: return "EACCES";
    case EMFILE: return "EMFILE";
    default: return "EIO";
    }
}

}  // namespace

uint64_t to_u64(const Napi::Value &value, const char *what) {
    Napi::Env env = value.Env();
    if (value.IsBigInt()) {
        bool lossless = false;
        uint64_t v = value.As<Napi::BigInt>().Uint64Value(&lossless);
        if (!lossless)
            throw Napi::TypeError::New(env, std::string(what) + " must be a BigInt in 0 .. 2^64-1");
        return v;
    }
    if (value.IsNumber()) {
        double d = value.As<Napi::Number>().DoubleValue();
        if (!(d >= 0) || d != std::floor(d) || d > 9007199254740991.0)
            throw Napi::TypeError::New(env,
                                       std::string(what) + " must be a non-negative integer (use a BigInt above 2^53)");
        return uint64_t(d);
    }
    throw Napi::TypeError::New(env, std::string(what) + " must be a number or a BigInt");
}

uint64_t to_u64_or(const Napi::Value &value, const char *what, uint64_t fallback) {
    if (value.IsUndefined() || value.IsNull())
        return fallback;
    return to_u64(value, what);
}

bool to_bool_or(const Napi::Value &value, bool fallback) {
    return value.IsUndefined() ? fallback : value.ToBoolean().Value();
}

Napi::Value from_u64(Napi::Env env, uint64_t value) { return Napi::Number::New(env, double(value)); }

const char *status_js_name(ds::Status status) {
    size_t i = size_t(status);
    return i < std::size(kStatusNames) ? kStatusNames[i] : "Unknown";
}

const char *field_js_name(ds::Field field) {
    size_t i = size_t(field);
    return i < std::size(kFieldNames) ? kFieldNames[i] : "Unknown";
}

Napi::Object status_table(Napi::Env env) { return name_table(env, kStatusNames); }
Napi::Object field_table(Napi::Env env) { return name_table(env, kFieldNames); }

Napi::Object request_result(Napi::Env env, const ds::Completion &c) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("status", status_js_name(c.status));
    o.Set("bytes", from_u64(env, c.bytes));
    o.Set("error", Napi::Number::New(env, c.error));
    o.Set("field", field_js_name(c.field));
    return o;
}

Napi::Object checkpoint_result(Napi::Env env, const ds::Completion &c, uint64_t failed_request_id) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("status", status_js_name(c.status));
    o.Set("error", Napi::Number::New(env, c.error));
    o.Set("field", field_js_name(c.field));
    // The id read()/write() returned for the failed request (0 when none failed).
    o.Set("failedUserData", from_u64(env, c.status == ds::Status::Ok ? 0 : failed_request_id));
    return o;
}

Napi::Object queue_info_object(Napi::Env env, const ds::QueueInfo &info) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("capacity", Napi::Number::New(env, info.capacity));
    o.Set("emptySlots", Napi::Number::New(env, info.empty_slots));
    o.Set("untilAutoSubmit", Napi::Number::New(env, info.until_auto_submit));
    return o;
}

Napi::Object queue_stats_object(Napi::Env env, const ds::QueueStats &s) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("requests", from_u64(env, s.requests));
    o.Set("bytes", from_u64(env, s.bytes));
    o.Set("errors", from_u64(env, s.errors));
    o.Set("cancelled", from_u64(env, s.cancelled));
    o.Set("busyNs", from_u64(env, s.busy_ns));
    return o;
}

Napi::Object backend_stats_object(Napi::Env env, const ds::BackendStats &s) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("submits", from_u64(env, s.submits));
    o.Set("stagingBytes", from_u64(env, s.staging_bytes));
    o.Set("gpuCopies", from_u64(env, s.gpu_copies));
    o.Set("directReads", from_u64(env, s.direct_reads));
    o.Set("bufferedFallbacks", from_u64(env, s.buffered_fallbacks));
    o.Set("gdeflateCpuDecodes", from_u64(env, s.gdeflate_cpu_decodes));
    o.Set("gdeflateGpuDecodes", from_u64(env, s.gdeflate_gpu_decodes));
    o.Set("gdeflateShaderDecodes", from_u64(env, s.gdeflate_shader_decodes));
    o.Set("mappedReads", from_u64(env, s.mapped_reads));
    o.Set("mappedImports", from_u64(env, s.mapped_imports));
    o.Set("shaderCopies", from_u64(env, s.shader_copies));
    o.Set("hostStagingBytes", from_u64(env, s.host_staging_bytes));
    o.Set("shaderGpuNs", from_u64(env, s.shader_gpu_ns));
    o.Set("shaderGpuBytes", from_u64(env, s.shader_gpu_bytes));
    o.Set("shaderDirectOutputs", from_u64(env, s.shader_direct_outputs));
    return o;
}

ByteView byte_view(const Napi::Value &value, const char *what) {
    if (value.IsTypedArray()) {
        auto ta = value.As<Napi::TypedArray>();
        auto *base = static_cast<uint8_t *>(ta.ArrayBuffer().Data());
        return {base + ta.ByteOffset(), ta.ByteLength()};
    }
    if (value.IsDataView()) {
        auto dv = value.As<Napi::DataView>();
        return {static_cast<uint8_t *>(dv.Data()), dv.ByteLength()};
    }
    if (value.IsArrayBuffer()) {
        auto ab = value.As<Napi::ArrayBuffer>();
        return {static_cast<uint8_t *>(ab.Data()), ab.ByteLength()};
    }
    throw Napi::TypeError::New(value.Env(),
                               std::string(what) + " must be a Buffer, TypedArray, DataView or ArrayBuffer");
}

void throw_errno_error(Napi::Env env, const std::string &message, int negative_errno) {
    int err = negative_errno < 0 ? -negative_errno : negative_errno;
    Napi::Error e = Napi::Error::New(env, message);
    e.Set("errno", Napi::Number::New(env, -err));
    e.Set("code", errno_code(err));
    throw e;
}

}  // namespace dsnode
