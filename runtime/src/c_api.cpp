// SPDX-License-Identifier: MIT
// The C ABI (ds_runtime.h) over the C++ runtime. No exception crosses this boundary.
#include "ds_runtime.h"

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "ds/cpu_backend.h"
#include "ds/file.h"
#include "ds/gacl.h"
#include "ds/gdeflate.h"
#include "ds/io_uring_backend.h"
#include "ds/queue.h"
#include "ds/vulkan_backend.h"
#include "ds/zstd.h"

#define DS_API extern "C" __attribute__((visibility("default")))

struct ds_backend {
    std::shared_ptr<ds::Backend> impl;
};

struct ds_queue {
    std::unique_ptr<ds::Queue> impl;
};

namespace {

static_assert(sizeof(ds_completion) == 32, "ds_completion layout is part of the ABI");

ds_result to_result(ds::QueueResult r) {
    switch (r) {
    case ds::QueueResult::Ok: return DS_OK;
    case ds::QueueResult::Full: return DS_ERR_QUEUE_FULL;
    case ds::QueueResult::Closed: return DS_ERR_QUEUE_CLOSED;
    case ds::QueueResult::InvalidArgument: return DS_ERR_INVALID_ARGUMENT;
    case ds::QueueResult::Timeout: return DS_ERR_TIMEOUT;
    }
    return DS_ERR_INVALID_ARGUMENT;
}

ds::Request to_request(const ds_request &r) {
    ds::Request q;
    q.op = static_cast<ds::Op>(r.op);
    q.source = static_cast<ds::Source>(r.source);
    q.memory = static_cast<ds::Memory>(r.memory);
    q.compression = static_cast<ds::Compression>(r.compression);
    q.fd = r.fd;
    q.offset = r.offset;
    q.size = r.size;
    q.uncompressed_size = r.uncompressed_size;
    q.src = r.src;
    q.dst = r.dst;
    q.gpu_buffer = r.gpu_buffer;
    q.gpu_offset = r.gpu_offset;
    q.gpu_buffer_size = r.gpu_buffer_size;
    q.cancel_tag = r.cancel_tag;
    q.user_data = r.user_data;
    q.transform = static_cast<ds::Transform>(r.transform);
    return q;
}

void to_completion(const ds::Completion &c, ds_completion *out) {
    out->kind = static_cast<uint8_t>(c.kind);
    out->status = static_cast<uint8_t>(c.status);
    out->field = static_cast<uint8_t>(c.field);
    out->reserved = 0;
    out->error = c.error;
    out->bytes = c.bytes;
    out->user_data = c.user_data;
    out->failed_user_data = c.failed_user_data;
}

ds_result wrap_backend(std::shared_ptr<ds::Backend> b, ds_backend **out) {
    if (!b)
        return DS_ERR_UNAVAILABLE;
    auto *h = new (std::nothrow) ds_backend{std::move(b)};
    if (!h)
        return DS_ERR_NO_MEMORY;
    *out = h;
    return DS_OK;
}

}  // namespace

DS_API ds_result ds_cpu_backend_create(const ds_cpu_backend_desc *desc, ds_backend **out) {
    if (!out)
        return DS_ERR_INVALID_ARGUMENT;
    *out = nullptr;
    ds::CpuBackendConfig c;
    if (desc) {
        c.worker_count = desc->worker_count;
        if (desc->chunk_size)
            c.chunk_size = desc->chunk_size;
    }
    try {
        return wrap_backend(ds::make_cpu_backend(c), out);
    } catch (const std::bad_alloc &) {
        return DS_ERR_NO_MEMORY;
    } catch (...) {
        return DS_ERR_UNAVAILABLE;  // thread creation refused
    }
}

DS_API ds_result ds_io_uring_backend_create(const ds_io_uring_backend_desc *desc, ds_backend **out) {
    if (!out)
        return DS_ERR_INVALID_ARGUMENT;
    *out = nullptr;
    ds::IoUringBackendConfig c;
    if (desc) {
        if (desc->queue_depth)
            c.queue_depth = desc->queue_depth;
        if (desc->chunk_size)
            c.chunk_size = desc->chunk_size;
        if (desc->bounce_buffers)
            c.bounce_buffers = desc->bounce_buffers;
    }
    try {
        int err = 0;
        return wrap_backend(ds::make_io_uring_backend(c, &err), out);
    } catch (const std::bad_alloc &) {
        return DS_ERR_NO_MEMORY;
    } catch (...) {
        return DS_ERR_UNAVAILABLE;
    }
}

DS_API ds_result ds_vulkan_backend_create(const ds_vulkan_backend_desc *desc, ds_backend **out, char *error,
                                          size_t error_size) {
    auto fail = [&](ds_result r, const std::string &why) {
        if (error && error_size)
            std::snprintf(error, error_size, "%s", why.c_str());
        return r;
    };
    if (!out || !desc)
        return fail(DS_ERR_INVALID_ARGUMENT, "ds_vulkan_backend_create: desc and out must not be NULL");
    *out = nullptr;
    ds::VulkanBackendConfig c;
    c.instance = desc->instance;
    c.physical_device = desc->physical_device;
    c.device = desc->device;
    c.queue = desc->queue;
    c.queue_family_index = desc->queue_family_index;
    c.get_instance_proc_addr = desc->get_instance_proc_addr;
    c.lock_queue = desc->lock_queue;
    c.unlock_queue = desc->unlock_queue;
    c.lock_ctx = desc->lock_ctx;
    if (desc->staging_bytes)
        c.staging_bytes = desc->staging_bytes;
    if (desc->chunk_size)
        c.chunk_size = desc->chunk_size;
    c.worker_count = desc->worker_count;
    c.nv_memory_decompression = (desc->flags & DS_VULKAN_BACKEND_NV_MEMORY_DECOMPRESSION) != 0;
    c.shader_copies = (desc->flags & DS_VULKAN_BACKEND_SHADER_COPIES) != 0;
    if (desc->flags & DS_VULKAN_BACKEND_HOST_STAGING) {
        c.staging_memory = ds::VulkanBackendConfig::StagingMemory::Host;
        c.external_memory_host = true;
    }
    try {
        std::string why;
        auto b = ds::make_vulkan_backend(c, &why);
        if (!b)
            return fail(DS_ERR_UNAVAILABLE, why.empty() ? "Vulkan backend unavailable" : why);
        return wrap_backend(std::move(b), out);
    } catch (const std::bad_alloc &) {
        return fail(DS_ERR_NO_MEMORY, "out of memory creating the Vulkan backend");
    } catch (...) {
        return fail(DS_ERR_UNAVAILABLE, "Vulkan backend creation failed");
    }
}

DS_API void ds_backend_destroy(ds_backend *backend) { delete backend; }

DS_API const char *ds_backend_name(const ds_backend *backend) { return backend ? backend->impl->name() : "none"; }

DS_API int ds_backend_has_gpu(const ds_backend *backend) { return backend && backend->impl->caps().gpu ? 1 : 0; }

DS_API void ds_backend_get_stats(const ds_backend *backend, ds_backend_stats *out) {
    if (!backend || !out)
        return;
    ds::BackendStats s = backend->impl->stats();
    out->submits = s.submits;
    out->staging_bytes = s.staging_bytes;
    out->gpu_copies = s.gpu_copies;
    out->direct_reads = s.direct_reads;
    out->buffered_fallbacks = s.buffered_fallbacks;
    out->gdeflate_cpu_decodes = s.gdeflate_cpu_decodes;
    out->gdeflate_gpu_decodes = s.gdeflate_gpu_decodes;
    out->gdeflate_shader_decodes = s.gdeflate_shader_decodes;
    out->host_staging_bytes = s.host_staging_bytes;
}

DS_API ds_result ds_queue_create(ds_backend *backend, const ds_queue_desc *desc, ds_queue **out) {
    if (!out)
        return DS_ERR_INVALID_ARGUMENT;
    *out = nullptr;
    if (!backend || !desc || desc->capacity == 0 || desc->capacity > DS_MAX_QUEUE_CAPACITY)
        return DS_ERR_INVALID_ARGUMENT;
    ds::QueueConfig c;
    c.capacity = desc->capacity;
    c.auto_submit = desc->auto_submit != 0;
    try {
        auto q = ds::Queue::create(backend->impl, c);
        if (!q)
            return DS_ERR_INVALID_ARGUMENT;
        *out = new ds_queue{std::move(q)};
        return DS_OK;
    } catch (const std::bad_alloc &) {
        return DS_ERR_NO_MEMORY;
    }
}

DS_API void ds_queue_destroy(ds_queue *queue) { delete queue; }

DS_API ds_result ds_queue_enqueue(ds_queue *queue, const ds_request *request) {
    if (!queue || !request)
        return DS_ERR_INVALID_ARGUMENT;
    return to_result(queue->impl->enqueue(to_request(*request)));
}

DS_API ds_result ds_queue_try_enqueue(ds_queue *queue, const ds_request *request) {
    if (!queue || !request)
        return DS_ERR_INVALID_ARGUMENT;
    return to_result(queue->impl->try_enqueue(to_request(*request)));
}

DS_API ds_result ds_queue_enqueue_signal(ds_queue *queue, uint64_t user_data) {
    if (!queue)
        return DS_ERR_INVALID_ARGUMENT;
    return to_result(queue->impl->enqueue_signal(user_data));
}

DS_API ds_result ds_queue_enqueue_status(ds_queue *queue, uint64_t user_data) {
    if (!queue)
        return DS_ERR_INVALID_ARGUMENT;
    return to_result(queue->impl->enqueue_status(user_data));
}

DS_API void ds_queue_submit(ds_queue *queue) {
    if (queue)
        queue->impl->submit();
}

DS_API uint32_t ds_queue_cancel(ds_queue *queue, uint64_t mask, uint64_t value) {
    return queue ? queue->impl->cancel(mask, value) : 0;
}

DS_API void ds_queue_close(ds_queue *queue) {
    if (queue)
        queue->impl->close();
}

DS_API size_t ds_queue_poll(ds_queue *queue, ds_completion *out, size_t max) {
    if (!queue || !out)
        return 0;
    ds::Completion buf[64];
    size_t total = 0;
    while (total < max) {
        size_t n = queue->impl->poll(buf, std::min<size_t>(64, max - total));
        for (size_t i = 0; i < n; ++i)
            to_completion(buf[i], &out[total + i]);
        total += n;
        if (n == 0)
            break;
    }
    return total;
}

DS_API ds_result ds_queue_wait(ds_queue *queue, ds_completion *out, size_t max, size_t *count, uint64_t timeout_ns) {
    if (count)
        *count = 0;
    if (!queue || !out || !count || max == 0)
        return DS_ERR_INVALID_ARGUMENT;
    ds::Completion buf[64];
    auto timeout = timeout_ns >= static_cast<uint64_t>(INT64_MAX) ? std::chrono::nanoseconds::max()
                                                                  : std::chrono::nanoseconds(timeout_ns);
    size_t n = 0;
    ds::QueueResult r = queue->impl->wait(buf, std::min<size_t>(64, max), &n, timeout);
    for (size_t i = 0; i < n; ++i)
        to_completion(buf[i], &out[i]);
    *count = n;
    if (r == ds::QueueResult::Ok && n < max)
        *count += ds_queue_poll(queue, out + n, max - n);
    return to_result(r);
}

DS_API void ds_queue_get_info(const ds_queue *queue, ds_queue_info *out) {
    if (!queue || !out)
        return;
    ds::QueueInfo i = queue->impl->info();
    out->capacity = i.capacity;
    out->empty_slots = i.empty_slots;
    out->until_auto_submit = i.until_auto_submit;
}

DS_API void ds_queue_get_stats(const ds_queue *queue, ds_queue_stats *out) {
    if (!queue || !out)
        return;
    ds::QueueStats s = queue->impl->stats();
    out->requests = s.requests;
    out->bytes = s.bytes;
    out->errors = s.errors;
    out->cancelled = s.cancelled;
    out->busy_ns = s.busy_ns;
}

DS_API int ds_open_file(const char *path, int direct, int *got_direct) {
    if (!path)
        return -EINVAL;
    bool got = false;
    int fd = ds::open_file(path, direct != 0, &got);
    if (got_direct)
        *got_direct = got ? 1 : 0;
    return fd;
}

DS_API const char *ds_status_name(ds_status status) { return ds::status_name(static_cast<ds::Status>(status)); }

DS_API const char *ds_field_name(ds_field field) { return ds::field_name(static_cast<ds::Field>(field)); }

// GDeflate CPU codec.

static_assert(DS_GDEFLATE_OUT_OF_MEMORY == static_cast<int>(ds::gdeflate::Error::OutOfMemory),
              "ds_gdeflate_error mirrors ds::gdeflate::Error");
static_assert(DS_GDEFLATE_MAX_UNCOMPRESSED == ds::gdeflate::kMaxUncompressed, "same limit");

DS_API uint64_t ds_gdeflate_compress_bound(uint64_t size) {
    if (size > ds::gdeflate::kMaxUncompressed)
        return 0;
    return ds::gdeflate::compress_bound(static_cast<size_t>(size));
}

DS_API ds_gdeflate_error ds_gdeflate_compress(const void *src, size_t size, int level, void *dst, size_t dst_cap,
                                              size_t *written, uint32_t threads) {
    size_t got = 0;
    if (written)
        *written = 0;
    if (!written || (!dst && dst_cap))
        return DS_GDEFLATE_INVALID_ARGUMENT;
    try {
        auto e = ds::gdeflate::encode(src, size, dst, dst_cap, level, threads, &got);
        if (e == ds::gdeflate::Error::Ok)
            *written = got;
        return static_cast<ds_gdeflate_error>(e);
    } catch (const std::bad_alloc &) {
        return DS_GDEFLATE_OUT_OF_MEMORY;
    } catch (...) {
        return DS_GDEFLATE_OUT_OF_MEMORY;  // thread creation refused
    }
}

DS_API ds_gdeflate_error ds_gdeflate_uncompressed_size(const void *src, size_t size, uint64_t *out) {
    if (!out)
        return DS_GDEFLATE_INVALID_ARGUMENT;
    *out = 0;
    ds::gdeflate::StreamInfo info;
    auto e = ds::gdeflate::read_info(src, size, &info);
    if (e == ds::gdeflate::Error::Ok)
        *out = info.uncompressed_size;
    return static_cast<ds_gdeflate_error>(e);
}

DS_API ds_gdeflate_error ds_gdeflate_decompress(const void *src, size_t size, void *dst, size_t dst_cap,
                                                size_t *written, uint32_t threads) {
    if (written)
        *written = 0;
    if (!written || (!dst && dst_cap))
        return DS_GDEFLATE_INVALID_ARGUMENT;
    ds::gdeflate::StreamInfo info;
    auto e = ds::gdeflate::read_info(src, size, &info);
    if (e != ds::gdeflate::Error::Ok)
        return static_cast<ds_gdeflate_error>(e);
    if (info.uncompressed_size > dst_cap)
        return DS_GDEFLATE_OUTPUT_OVERRUN;
    try {
        e = ds::gdeflate::decode(src, size, dst, static_cast<size_t>(info.uncompressed_size), threads);
    } catch (...) {
        return DS_GDEFLATE_OUT_OF_MEMORY;
    }
    if (e == ds::gdeflate::Error::Ok)
        *written = static_cast<size_t>(info.uncompressed_size);
    // dst holds the stream's size, so an overrun here is a tile producing more than it announces.
    if (e == ds::gdeflate::Error::OutputOverrun)
        return DS_GDEFLATE_SIZE_MISMATCH;
    return static_cast<ds_gdeflate_error>(e);
}

DS_API const char *ds_gdeflate_error_name(ds_gdeflate_error error) {
    if (static_cast<int>(error) < 0 || error > DS_GDEFLATE_OUT_OF_MEMORY)
        return "unknown";
    return ds::gdeflate::error_name(static_cast<ds::gdeflate::Error>(error));
}

DS_API int ds_backend_supports_gdeflate(const ds_backend *backend) {
    return backend && backend->impl->caps().gdeflate ? 1 : 0;
}

DS_API int ds_backend_gdeflate_gpu_path(const ds_backend *backend) {
    if (!backend)
        return 0;
    switch (backend->impl->caps().gdeflate_gpu) {
    case ds::GpuDecode::Nv: return 2;
    case ds::GpuDecode::Shader: return 1;
    default: return 0;
    }
}

// Zstandard CPU codec.

static_assert(DS_ZSTD_UNAVAILABLE == static_cast<int>(ds::zstd::Error::Unavailable),
              "ds_zstd_error mirrors ds::zstd::Error");
static_assert(DS_ZSTD_LEVEL_BEST_RATIO == ds::zstd::kLevelBestRatio, "same levels");
static_assert(DS_COMPRESSION_ZSTD == static_cast<int>(ds::Compression::Zstd), "ds_compression mirrors ds::Compression");

DS_API uint64_t ds_zstd_compress_bound(uint64_t size) {
    if (size > SIZE_MAX)
        return 0;
    return ds::zstd::compress_bound(static_cast<size_t>(size));
}

DS_API ds_zstd_error ds_zstd_compress(const void *src, size_t size, int level, void *dst, size_t dst_cap,
                                      size_t *written, uint32_t threads) {
    size_t got = 0;
    auto e = ds::zstd::compress(src, size, level, dst, dst_cap, &got, threads);
    if (written)
        *written = e == ds::zstd::Error::Ok ? got : 0;
    return static_cast<ds_zstd_error>(e);
}

DS_API ds_zstd_error ds_zstd_decompress(const void *src, size_t size, void *dst, size_t dst_cap, size_t *written) {
    size_t got = 0;
    auto e = ds::zstd::decompress(src, size, dst, dst_cap, &got);
    if (written)
        *written = e == ds::zstd::Error::Ok ? got : 0;
    return static_cast<ds_zstd_error>(e);
}

DS_API const char *ds_zstd_error_name(ds_zstd_error error) {
    if (static_cast<int>(error) < 0 || error > DS_ZSTD_UNAVAILABLE)
        return "unknown";
    return ds::zstd::error_name(static_cast<ds::zstd::Error>(error));
}

static_assert(DS_FIELD_TRANSFORM == static_cast<int>(ds::Field::Transform), "ds_field mirrors ds::Field");
static_assert(DS_TRANSFORM_GACL_BC5 == static_cast<int>(ds::Transform::GaclBc5), "ds_transform mirrors ds::Transform");

DS_API int ds_backend_supports_gacl(const ds_backend *backend) { return backend && backend->impl->caps().gacl ? 1 : 0; }

DS_API int ds_gacl_unshuffle(int transform, void *data, uint64_t size) {
    if (transform < DS_TRANSFORM_GACL_BC1 || transform > DS_TRANSFORM_GACL_BC5 || (!data && size))
        return 0;
    const auto t = static_cast<ds::gacl::Transform>(transform);
    if (size % ds::gacl::block_size(t) || size > SIZE_MAX)
        return 0;
    return ds::gacl::unshuffle_in_place(t, static_cast<uint8_t *>(data), static_cast<size_t>(size)) ? 1 : 0;
}

DS_API int ds_backend_supports_zstd(const ds_backend *backend) { return backend && backend->impl->caps().zstd ? 1 : 0; }
