/* SPDX-License-Identifier: MIT
 * ds_runtime.h: the C ABI of ds-runtime, the whole boundary between the runtime and its
 * C callers (Wine's Unix side, the Node binding). Plain C99; no Vulkan headers needed:
 * Vulkan handles travel as uint64_t.
 *
 * Threading: every function may be called from any thread. Completions are delivered
 * only through ds_queue_poll / ds_queue_wait on threads the caller owns.
 */
#ifndef DS_RUNTIME_H
#define DS_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DS_RUNTIME_ABI_VERSION 2 /* 2: ds_request::transform */
#define DS_MAX_QUEUE_CAPACITY 65536u

typedef struct ds_backend ds_backend;
typedef struct ds_queue ds_queue;

/* Result of an API call (requests report through ds_completion::status instead). */
typedef enum ds_result {
    DS_OK = 0,
    DS_ERR_INVALID_ARGUMENT = -1, /* null pointer, capacity out of range, unknown enum value */
    DS_ERR_QUEUE_FULL = -2,       /* ds_queue_try_enqueue only */
    DS_ERR_QUEUE_CLOSED = -3,
    DS_ERR_TIMEOUT = -4,
    DS_ERR_UNAVAILABLE = -5, /* backend not built in, or refused by the system/device */
    DS_ERR_NO_MEMORY = -6
} ds_result;

typedef enum ds_op { DS_OP_READ = 0, DS_OP_WRITE = 1 } ds_op;
typedef enum ds_source { DS_SOURCE_FILE = 0, DS_SOURCE_MEMORY = 1 } ds_source;
typedef enum ds_memory { DS_MEMORY_HOST = 0, DS_MEMORY_GPU = 1 } ds_memory;
typedef enum ds_compression {
    DS_COMPRESSION_NONE = 0,
    DS_COMPRESSION_GDEFLATE = 1,
    DS_COMPRESSION_ZSTD = 2 /* Zstandard frames (RFC 8878); ds_backend_supports_zstd says who decodes them */
} ds_compression;

/* A shuffle undone after a read's bytes land (DirectStorage 1.4's GACL transforms, numbered as
 * DSTORAGE_GACL_SHUFFLE_TRANSFORM_TYPE; docs/gacl.md). ds_backend_supports_gacl says who can. */
typedef enum ds_transform {
    DS_TRANSFORM_NONE = 0,
    DS_TRANSFORM_GACL_BC1 = 1,
    DS_TRANSFORM_GACL_BC3 = 2,
    DS_TRANSFORM_GACL_BC4 = 3,
    DS_TRANSFORM_GACL_BC5 = 4
} ds_transform;

typedef enum ds_status {
    DS_STATUS_OK = 0,
    DS_STATUS_IO_ERROR = 1,    /* error = errno */
    DS_STATUS_END_OF_FILE = 2, /* short read; bytes = what arrived */
    DS_STATUS_CANCELLED = 3,
    DS_STATUS_INVALID_REQUEST = 4, /* field says which */
    DS_STATUS_UNSUPPORTED = 5,
    DS_STATUS_DEVICE_ERROR = 6 /* error = VkResult */
} ds_status;

typedef enum ds_field {
    DS_FIELD_NONE = 0,
    DS_FIELD_OP,
    DS_FIELD_FD,
    DS_FIELD_SIZE,
    DS_FIELD_SOURCE,
    DS_FIELD_DESTINATION,
    DS_FIELD_GPU_BUFFER,
    DS_FIELD_GPU_RANGE,
    DS_FIELD_COMPRESSION,
    DS_FIELD_TRANSFORM /* unknown transform, not a read, or a size that is not whole BCn blocks */
} ds_field;

typedef enum ds_entry_kind { DS_ENTRY_REQUEST = 0, DS_ENTRY_SIGNAL = 1, DS_ENTRY_STATUS = 2 } ds_entry_kind;

/* Mirrors ds::Request field for field. Zero-initialise, then set what applies. */
typedef struct ds_request {
    uint8_t op;          /* ds_op */
    uint8_t source;      /* ds_source, reads only */
    uint8_t memory;      /* ds_memory: read destination / write source */
    uint8_t compression; /* ds_compression */
    int32_t fd;          /* -1 when unused */
    uint64_t offset;
    uint64_t size;
    uint64_t uncompressed_size;
    const void *src;
    void *dst;
    uint64_t gpu_buffer; /* VkBuffer */
    uint64_t gpu_offset;
    uint64_t gpu_buffer_size;
    uint64_t cancel_tag;
    uint64_t user_data;
    uint8_t transform; /* ds_transform, reads only: undone over the bytes produced */
} ds_request;

typedef struct ds_completion {
    uint8_t kind;   /* ds_entry_kind */
    uint8_t status; /* ds_status */
    uint8_t field;  /* ds_field */
    uint8_t reserved;
    int32_t error;
    uint64_t bytes;
    uint64_t user_data;
    uint64_t failed_user_data; /* status checkpoints: the first failed request's user_data */
} ds_completion;

typedef struct ds_queue_desc {
    uint32_t capacity;    /* 1 .. DS_MAX_QUEUE_CAPACITY */
    uint32_t auto_submit; /* nonzero: submit when capacity/2 entries wait */
} ds_queue_desc;

typedef struct ds_queue_info {
    uint32_t capacity;
    uint32_t empty_slots;
    uint32_t until_auto_submit;
} ds_queue_info;

typedef struct ds_queue_stats {
    uint64_t requests;
    uint64_t bytes;
    uint64_t errors;
    uint64_t cancelled;
    uint64_t busy_ns;
} ds_queue_stats;

typedef struct ds_backend_stats {
    uint64_t submits;
    uint64_t staging_bytes;
    uint64_t gpu_copies;
    uint64_t direct_reads;
    uint64_t buffered_fallbacks;
    uint64_t gdeflate_cpu_decodes;    /* GDeflate requests decoded on the CPU */
    uint64_t gdeflate_gpu_decodes;    /* GDeflate requests decoded on the GPU (VK_NV_memory_decompression) */
    uint64_t gdeflate_shader_decodes; /* GDeflate requests decoded on the GPU (ds-runtime's compute shader) */
    uint64_t host_staging_bytes; /* staging in this process's imported memory (DS_VULKAN_BACKEND_HOST_STAGING); 0: the
                                    driver's */
} ds_backend_stats;

typedef struct ds_cpu_backend_desc {
    uint32_t worker_count; /* 0: one per CPU (at most 64); larger counts are clamped to 256. A thread
                              that cannot start fails creation with DS_ERR_UNAVAILABLE. */
    uint64_t chunk_size;   /* 0: default */
} ds_cpu_backend_desc;

typedef struct ds_io_uring_backend_desc {
    uint32_t queue_depth;    /* 0: default */
    uint64_t chunk_size;     /* 0: default */
    uint32_t bounce_buffers; /* 0: default */
} ds_io_uring_backend_desc;

typedef void (*ds_queue_lock_fn)(void *ctx);

typedef struct ds_vulkan_backend_desc {
    uint64_t instance;
    uint64_t physical_device;
    uint64_t device;
    uint64_t queue;
    uint32_t queue_family_index;
    void *get_instance_proc_addr; /* PFN_vkGetInstanceProcAddr */
    ds_queue_lock_fn lock_queue;  /* optional */
    ds_queue_lock_fn unlock_queue;
    void *lock_ctx;
    uint64_t staging_bytes; /* 0: default */
    uint64_t chunk_size;    /* 0: default */
    uint32_t worker_count;  /* 0: default */
    uint32_t flags;         /* DS_VULKAN_BACKEND_* */
} ds_vulkan_backend_desc;

/* ds_vulkan_backend_desc.flags: the device was created with VK_NV_memory_decompression (feature
 * memoryDecompression) and bufferDeviceAddress, and every gpu_buffer of a GDeflate request has
 * VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT: GDeflate into GPU buffers may then be decoded by
 * vkCmdDecompressMemoryNV (ds_backend_gdeflate_gpu_path says whether it is). */
#define DS_VULKAN_BACKEND_NV_MEMORY_DECOMPRESSION 0x1u
/* ds_vulkan_backend_desc.flags: the device was created with bufferDeviceAddress enabled and every
 * gpu_buffer of a read has VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT (vkd3d-proton's buffers all
 * do): upload regions of up to 256 KiB may then be copied by one compute dispatch per batch
 * instead of a copy-engine region each, when `queue`'s family supports compute. */
#define DS_VULKAN_BACKEND_SHADER_COPIES 0x2u
/* ds_vulkan_backend_desc.flags: the device was created with VK_EXT_external_memory_host: the
 * staging ring is then this process's own memory (huge pages where the kernel gives them),
 * imported, instead of the driver's; where the driver refuses the import, the driver's memory. */
#define DS_VULKAN_BACKEND_HOST_STAGING 0x4u

/* Backends. A backend may serve several queues; destroy it after its queues. */
ds_result ds_cpu_backend_create(const ds_cpu_backend_desc *desc, ds_backend **out);
ds_result ds_io_uring_backend_create(const ds_io_uring_backend_desc *desc, ds_backend **out);
/* error/error_size (optional) receive a message when creation fails. */
ds_result ds_vulkan_backend_create(const ds_vulkan_backend_desc *desc, ds_backend **out, char *error,
                                   size_t error_size);
void ds_backend_destroy(ds_backend *backend);
const char *ds_backend_name(const ds_backend *backend);
int ds_backend_has_gpu(const ds_backend *backend);
void ds_backend_get_stats(const ds_backend *backend, ds_backend_stats *out);

/* Queues. */
ds_result ds_queue_create(ds_backend *backend, const ds_queue_desc *desc, ds_queue **out);
void ds_queue_destroy(ds_queue *queue); /* closes, cancels unstarted work, waits for the rest */
ds_result ds_queue_enqueue(ds_queue *queue, const ds_request *request);     /* blocks while full */
ds_result ds_queue_try_enqueue(ds_queue *queue, const ds_request *request); /* DS_ERR_QUEUE_FULL */
ds_result ds_queue_enqueue_signal(ds_queue *queue, uint64_t user_data);
ds_result ds_queue_enqueue_status(ds_queue *queue, uint64_t user_data);
void ds_queue_submit(ds_queue *queue);
uint32_t ds_queue_cancel(ds_queue *queue, uint64_t mask, uint64_t value);
void ds_queue_close(ds_queue *queue);
size_t ds_queue_poll(ds_queue *queue, ds_completion *out, size_t max);
/* DS_OK with *count >= 1; DS_ERR_TIMEOUT; DS_ERR_QUEUE_CLOSED once closed and drained.
 * timeout_ns = UINT64_MAX waits forever. */
ds_result ds_queue_wait(ds_queue *queue, ds_completion *out, size_t max, size_t *count, uint64_t timeout_ns);
void ds_queue_get_info(const ds_queue *queue, ds_queue_info *out);
void ds_queue_get_stats(const ds_queue *queue, ds_queue_stats *out);

/* Files: O_DIRECT when asked and allowed, buffered otherwise. Returns fd or -errno. */
int ds_open_file(const char *path, int direct, int *got_direct);

/* GDeflate CPU codec (DirectStorage 1.1+ tile streams; docs/gdeflate.md). These need no backend.
 * Errors mirror ds::gdeflate::Error; every malformed input maps to one of them, none crashes. */
typedef enum ds_gdeflate_error {
    DS_GDEFLATE_OK = 0,
    DS_GDEFLATE_INVALID_ARGUMENT = 1, /* null pointer with a non-zero size, bad level, too large */
    DS_GDEFLATE_TRUNCATED = 2,
    DS_GDEFLATE_BAD_HEADER = 3,
    DS_GDEFLATE_BAD_TILE_TABLE = 4,
    DS_GDEFLATE_BAD_BLOCK_TYPE = 5,
    DS_GDEFLATE_BAD_HUFFMAN_CODE = 6,
    DS_GDEFLATE_BAD_DISTANCE = 7,
    DS_GDEFLATE_OUTPUT_OVERRUN = 8, /* dst_cap too small (decompress: below the stream's announced size) */
    DS_GDEFLATE_SIZE_MISMATCH = 9,  /* a tile produced more or fewer bytes than it announces (corrupt) */
    DS_GDEFLATE_OUT_OF_MEMORY = 10
} ds_gdeflate_error;

#define DS_GDEFLATE_LEVEL_FASTEST 1
#define DS_GDEFLATE_LEVEL_DEFAULT 9
#define DS_GDEFLATE_LEVEL_BEST_RATIO 12
#define DS_GDEFLATE_MAX_UNCOMPRESSED (65535ull * 65536ull)

/* Worst-case stream size for size input bytes; 0 when size exceeds DS_GDEFLATE_MAX_UNCOMPRESSED. */
uint64_t ds_gdeflate_compress_bound(uint64_t size);
/* Encodes src (level 1..12) into dst; *written gets the stream size. threads: 0 = one per CPU. */
ds_gdeflate_error ds_gdeflate_compress(const void *src, size_t size, int level, void *dst, size_t dst_cap,
                                       size_t *written, uint32_t threads);
/* The uncompressed size a stream announces (header and tile table checked, nothing decoded). */
ds_gdeflate_error ds_gdeflate_uncompressed_size(const void *src, size_t size, uint64_t *out);
/* Decodes a whole stream into dst. dst_cap may exceed the stream's uncompressed size (only that
 * many bytes are written, *written says how many); a smaller dst_cap gives OUTPUT_OVERRUN.
 * threads: 0 = one per CPU, capped at the tile count. */
ds_gdeflate_error ds_gdeflate_decompress(const void *src, size_t size, void *dst, size_t dst_cap, size_t *written,
                                         uint32_t threads);
const char *ds_gdeflate_error_name(ds_gdeflate_error error);
/* 1 when the backend decodes DS_COMPRESSION_GDEFLATE requests (CPU backend: host destinations;
 * Vulkan backend: host and GPU destinations), else 0. */
int ds_backend_supports_gdeflate(const ds_backend *backend);
/* How the backend decodes GDeflate into GPU buffers: 0 not on the GPU (CPU, or no GPU
 * destinations), 1 the library's compute shader, 2 VK_NV_memory_decompression. */
int ds_backend_gdeflate_gpu_path(const ds_backend *backend);

/* Zstandard CPU codec (DirectStorage 1.4's DSTORAGE_COMPRESSION_FORMAT_ZSTD; libzstd inside).
 * These need no backend. Built without libzstd (DS_WITH_ZSTD=OFF) every call returns
 * DS_ZSTD_UNAVAILABLE and ds_zstd_compress_bound returns 0. */
typedef enum ds_zstd_error {
    DS_ZSTD_OK = 0,
    DS_ZSTD_INVALID_ARGUMENT = 1, /* null pointer with a non-zero size, level out of 1..19 */
    DS_ZSTD_CORRUPT = 2,          /* not Zstandard, or damaged (bad block, bad checksum, ...) */
    DS_ZSTD_TRUNCATED = 3,        /* the input ends inside a frame (or is empty) */
    DS_ZSTD_OUTPUT_OVERRUN = 4,   /* dst_cap too small */
    DS_ZSTD_OUT_OF_MEMORY = 5,
    DS_ZSTD_UNAVAILABLE = 6 /* built without libzstd */
} ds_zstd_error;

#define DS_ZSTD_LEVEL_FASTEST 1
#define DS_ZSTD_LEVEL_DEFAULT 3
#define DS_ZSTD_LEVEL_BEST_RATIO 19

/* Worst-case stream size for size input bytes (0 without libzstd). */
uint64_t ds_zstd_compress_bound(uint64_t size);
/* One frame (content size and checksum recorded) of src at level 1..19; *written gets its size.
 * threads: 0 or 1 = the calling thread only. The zstd command-line tool decodes it. */
ds_zstd_error ds_zstd_compress(const void *src, size_t size, int level, void *dst, size_t dst_cap, size_t *written,
                               uint32_t threads);
/* Decodes every frame of src (as zstd -d does) into dst; *written gets the bytes produced. dst_cap
 * may exceed that (libzstd may use the bytes past *written as scratch); a stream producing more gives
 * DS_ZSTD_OUTPUT_OVERRUN. Nothing is ever written past dst_cap. */
ds_zstd_error ds_zstd_decompress(const void *src, size_t size, void *dst, size_t dst_cap, size_t *written);
const char *ds_zstd_error_name(ds_zstd_error error);
/* 1 when the backend decodes DS_COMPRESSION_ZSTD requests (on the CPU: the CPU backend into host
 * destinations, the Vulkan backend into host destinations and, through staging, GPU ones), else 0. */
int ds_backend_supports_zstd(const ds_backend *backend);
/* 1 when the backend undoes DS_TRANSFORM_GACL_* on reads (the CPU backend), else 0. */
int ds_backend_supports_gacl(const ds_backend *backend);
/* Undoes a GACL shuffle over size bytes in place (what a GACL-capable backend does after a read):
 * for callers whose backend cannot (the Vulkan backend). 1 on success; 0 for a transform that is not
 * DS_TRANSFORM_GACL_*, a size that is not whole blocks (8 bytes for BC1/BC4, 16 for BC3/BC5), or no
 * memory for the temporary copy (data is then untouched). */
int ds_gacl_unshuffle(int transform, void *data, uint64_t size);

const char *ds_status_name(ds_status status);
const char *ds_field_name(ds_field field);

#ifdef __cplusplus
}
#endif

#endif /* DS_RUNTIME_H */
