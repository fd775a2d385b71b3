// SPDX-License-Identifier: MIT
#include "request_builder.h"

#include <string>

#include "js_convert.h"

namespace dsnode {

namespace {

bool present(const Napi::Value &v) { return !v.IsUndefined() && !v.IsNull(); }

/// Points the request at a JS buffer and keeps it alive; `needed` bytes must fit in it.
template <typename Ptr>
void attach_host(BuiltRequest &built, const Napi::Value &value, const char *what, uint64_t needed, Ptr &field) {
    ByteView view = byte_view(value, what);
    if (needed > view.size)
        throw Napi::RangeError::New(value.Env(), std::string(what) + " holds " + std::to_string(view.size) +
                                                     " bytes but the request moves " + std::to_string(needed) +
                                                     ": pass a larger buffer or a smaller size");
    field = view.data;
    built.keep_alive.push_back(Napi::Persistent(value));
}

void attach_gpu(ds::Request &req, const Napi::Value &value, const char *fn) {
    Napi::Env env = value.Env();
    if (!value.IsObject())
        throw Napi::TypeError::New(env, std::string(fn) + ": gpu must be {buffer, offset, bufferSize}");
    Napi::Object gpu = value.As<Napi::Object>();
    req.memory = ds::Memory::Gpu;
    req.gpu_buffer = to_u64(gpu.Get("buffer"), "gpu.buffer");
    req.gpu_offset = to_u64_or(gpu.Get("offset"), "gpu.offset", 0);
    req.gpu_buffer_size = to_u64(gpu.Get("bufferSize"), "gpu.bufferSize");
}

ds::Compression compression_of(const Napi::Value &value) {
    if (!present(value))
        return ds::Compression::None;
    std::string name = value.ToString().Utf8Value();
    if (name == "none")
        return ds::Compression::None;
    if (name == "gdeflate")
        return ds::Compression::GDeflate;
    if (name == "zstd")
        return ds::Compression::Zstd;
    throw Napi::TypeError::New(value.Env(), "compression must be 'none', 'gdeflate' or 'zstd', not '" + name + "'");
}

int fd_of(const Napi::Object &o, const char *fn) {
    Napi::Value v = o.Get("fd");
    if (!v.IsNumber())
        throw Napi::TypeError::New(o.Env(), std::string(fn) + ": fd must be a number");
    return v.As<Napi::Number>().Int32Value();  // negative fds reach the runtime, which reports Field::Fd
}

}  // namespace

BuiltRequest build_request(ds::Op op, const Napi::Value &options) {
    const char *fn = op == ds::Op::Read ? "read" : "write";
    Napi::Env env = options.Env();
    if (!options.IsObject())
        throw Napi::TypeError::New(env, std::string(fn) + "(options): options must be an object");
    Napi::Object o = options.As<Napi::Object>();

    BuiltRequest built;
    ds::Request &req = built.req;
    req.op = op;
    req.offset = to_u64_or(o.Get("offset"), "offset", 0);
    req.cancel_tag = to_u64_or(o.Get("cancelTag"), "cancelTag", 0);
    req.compression = compression_of(o.Get("compression"));
    req.uncompressed_size = to_u64_or(o.Get("uncompressedSize"), "uncompressedSize", 0);

    Napi::Value src = o.Get("src"), dst = o.Get("dst"), gpu = o.Get("gpu"), size = o.Get("size");

    if (op == ds::Op::Read) {
        std::string source = present(o.Get("source")) ? o.Get("source").ToString().Utf8Value() : "file";
        if (source == "file") {
            req.source = ds::Source::File;
            req.fd = fd_of(o, fn);
        } else if (source == "memory") {
            req.source = ds::Source::Memory;
            if (present(src)) {
                req.size = present(size) ? to_u64(size, "size") : byte_view(src, "src").size;
                attach_host(built, src, "src", req.size, req.src);
            }
        } else {
            throw Napi::TypeError::New(env, "read: source must be 'file' or 'memory', not '" + source + "'");
        }
        if (present(size))
            req.size = to_u64(size, "size");
        uint64_t produced = req.compression == ds::Compression::None ? req.size : req.uncompressed_size;
        if (present(gpu)) {
            attach_gpu(req, gpu, fn);
        } else if (present(dst)) {
            if (!present(size) && req.source == ds::Source::File)
                req.size = produced = byte_view(dst, "dst").size;
            attach_host(built, dst, "dst", produced, req.dst);
        } else if (!present(size)) {
            throw Napi::TypeError::New(env, "read: pass size, or a dst buffer to take it from");
        }
        // No dst and no gpu: dst stays null and the runtime answers InvalidRequest/Destination.
    } else {
        req.fd = fd_of(o, fn);
        if (present(size))
            req.size = to_u64(size, "size");
        if (present(gpu)) {
            attach_gpu(req, gpu, fn);
        } else if (present(src)) {
            if (!present(size))
                req.size = byte_view(src, "src").size;
            attach_host(built, src, "src", req.size, req.src);
        } else if (!present(size)) {
            throw Napi::TypeError::New(env, "write: pass size, or a src buffer to take it from");
        }
    }
    return built;
}

}  // namespace dsnode
