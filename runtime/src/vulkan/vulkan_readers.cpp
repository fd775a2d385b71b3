// SPDX-License-Identifier: MIT
// Reader threads: the CPU half of every transfer. One thread cannot feed a GPU (a page-cache
// pread runs at ~5 GB/s, the link at ~45 GB/s), so several run this loop.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <new>

#include "cpu/file_io.h"
#include "ds/gdeflate.h"
#include "gdeflate/host_request.h"
#include "vulkan/vulkan_backend_impl.h"

namespace ds::vk {
namespace {

// Small GPU reads are taken in runs: one lock, one staging allocation, one hand-off, and
// staging that is contiguous, so neighbouring requests become one copy region (the GPU pays
// per region: 64 KiB regions copy at a third of the speed of 1 MiB ones).
constexpr size_t kMaxRun = 64;

// Below this many tiles, starting helper threads for a CPU decode costs more than it saves.
constexpr uint32_t kTilesPerExtraThread = 8;

uint32_t read_u32(const uint8_t *p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

// Tile i of a stream read_info accepted: its data offset from the stream start and its size.
void tile_range(const uint8_t *stream, uint32_t tiles, uint32_t i, uint64_t *offset, uint64_t *size) {
    const uint8_t *table = stream + gdeflate::kHeaderSize;
    uint64_t data = gdeflate::kHeaderSize + 4ull * tiles;
    uint64_t start = i == 0 ? 0 : read_u32(table + 4ull * i);
    uint64_t end = i + 1 < tiles ? read_u32(table + 4ull * (i + 1)) : start + read_u32(table);
    *offset = data + start;
    *size = end - start;
}

// vkCmdDecompressMemoryNV reads 4-byte-aligned sources only (VUID-07685).
bool tiles_aligned(const uint8_t *stream, uint32_t tiles) {
    for (uint32_t i = 0; i < tiles; ++i) {
        uint64_t offset, size;
        tile_range(stream, tiles, i, &offset, &size);
        if (offset % 4)
            return false;
    }
    return true;
}

}  // namespace

void VulkanBackend::reader_loop() {
    TransferChunk run[kMaxRun];
    for (;;) {
        size_t count = 0;
        bool shutting_down;
        {
            std::unique_lock<std::mutex> lock(task_mutex_);
            task_cv_.wait(lock, [&] { return !tasks_.empty() || stopping_; });
            if (tasks_.empty())
                return;  // stopping and drained
            shutting_down = stopping_;
            run[count++] = tasks_.front();
            tasks_.pop_front();
            if (run[0].kind == ChunkKind::GpuRead && run[0].decode == Decode::None) {
                // Take no more than a fair share, so the other readers stay busy too.
                size_t share = tasks_.size() / reader_count_;
                uint64_t bytes = run[0].size;
                while (!tasks_.empty() && count < kMaxRun && count <= share &&
                       tasks_.front().kind == ChunkKind::GpuRead && tasks_.front().decode == Decode::None &&
                       bytes + tasks_.front().size <= chunk_size_) {
                    bytes += tasks_.front().size;
                    run[count++] = tasks_.front();
                    tasks_.pop_front();
                }
            }
        }
        size_t kept = 0;
        for (size_t i = 0; i < count; ++i) {
            if (shutting_down || run[i].work->cancelled())
                run[i].work->chunk_done(run[i].start, Status::Cancelled, 0);
            else
                run[kept++] = run[i];
        }
        if (kept == 0)
            continue;
        if (run[0].decode != Decode::None && run[0].work->req.compression == Compression::Zstd)
            run_zstd(run[0]);
        else if (run[0].decode != Decode::None && run[0].kind == ChunkKind::HostRead)
            run_gdeflate_host(run[0]);
        else if (run[0].decode != Decode::None)
            stage_gdeflate(run[0]);
        else if (run[0].kind == ChunkKind::HostRead || run[0].kind == ChunkKind::HostWrite)
            run_host_chunk(run[0]);  // host chunks are never taken in runs
        else
            stage_gpu_chunks(run, kept);
    }
}

// Host-memory requests never touch the GPU: the data goes straight between file and caller.
void VulkanBackend::run_host_chunk(TransferChunk &chunk) {
    IoOutcome io;
    if (chunk.kind == ChunkKind::HostWrite) {
        io = write_fully(chunk.fd, chunk.src, chunk.size, chunk.file_offset);
    } else if (chunk.from_memory) {
        std::memcpy(chunk.dst, chunk.src, chunk.size);
        io.bytes = chunk.size;
    } else {
        io = read_fully(chunk.fd, chunk.dst, chunk.size, chunk.file_offset);
    }
    chunk.work->chunk_done(chunk.start, io.status, io.bytes, io.error);
}

// Takes staging space (waiting for the GPU to release some if the ring is full), fills it for
// reads, and hands the chunks to the recorder.
void VulkanBackend::stage_gpu_chunks(TransferChunk *chunks, size_t count) {
    uint64_t sizes[kMaxRun] = {};  // zeroed: GCC -O2 cannot see that count <= kMaxRun
    RingSpan spans[kMaxRun];
    // FileStaging::Mapped: file reads that lie in one imported window need no staging and no
    // pread; the rest (and everything when the driver refused an import) take the ring.
    size_t staged = 0;
    for (size_t i = 0; i < count; ++i) {
        TransferChunk &c = chunks[i];
        c.mapped = MappedSource{};
        const bool wants_mapping = config_.file_staging == VulkanBackendConfig::FileStaging::Mapped ||
                                   c.size >= config_.mapped_min_bytes;  // Auto
        if (imports_ && wants_mapping && c.kind == ChunkKind::GpuRead && !c.from_memory &&
            imports_->acquire(c.fd, c.file_offset, c.size, &c.mapped))
            continue;
        sizes[staged++] = c.size;
    }
    if (staged)
        ring_->alloc_run(sizes, staged, spans);
    size_t kept = 0;
    for (size_t i = 0, next_span = 0; i < count; ++i) {
        TransferChunk &chunk = chunks[i];
        if (chunk.mapped.window) {
            if (chunk.work->cancelled()) {
                imports_->release(chunk.mapped.window);
                chunk.work->chunk_done(chunk.start, Status::Cancelled, 0);
                continue;
            }
            chunk.moved = chunk.size;  // acquire() takes only ranges inside the file
            stat_mapped_reads_.fetch_add(1, std::memory_order_relaxed);
            chunks[kept++] = chunk;
            continue;
        }
        chunk.span = spans[next_span++];
        if (chunk.work->cancelled()) {  // the wait for space may have been long
            ring_->free(chunk.span.id);
            chunk.work->chunk_done(chunk.start, Status::Cancelled, 0);
            continue;
        }
        if (chunk.kind == ChunkKind::GpuRead) {
            uint8_t *staging = staging_.mapped + chunk.span.offset;
            IoOutcome io;
            if (chunk.from_memory) {
                std::memcpy(staging, chunk.src, chunk.size);
                io.bytes = chunk.size;
            } else {
                io = read_fully(chunk.fd, staging, chunk.size, chunk.file_offset);
            }
            if (io.status == Status::IoError || io.bytes == 0) {
                ring_->free(chunk.span.id);
                chunk.work->chunk_done(chunk.start, io.status, io.bytes, io.error);
                continue;
            }
            chunk.moved = io.bytes;  // fewer than size at end of file: copy what arrived, report EOF
        } else {
            chunk.moved = chunk.size;
        }
        chunks[kept++] = chunk;
    }
    if (kept == 0)
        return;
    {
        std::lock_guard<std::mutex> lock(ready_mutex_);
        ready_.insert(ready_.end(), chunks, chunks + kept);
        for (size_t i = 0; i < kept; ++i)
            ready_bytes_ += batch_bytes(chunks[i]);
    }
    ready_cv_.notify_one();
}

// GDeflate into host memory: the CPU backend's routine, decoding straight into dst.
void VulkanBackend::run_gdeflate_host(TransferChunk &chunk) {
    IoOutcome io = run_gdeflate_read(chunk.work->req, reader_count_);
    if (io.status == Status::Ok) {
        stat_gdeflate_cpu_.fetch_add(1, std::memory_order_relaxed);
        // Not chunk_done: a successful chunked request reports req.size, the compressed size.
        chunk.work->finish(Status::Ok, io.bytes);
        return;
    }
    chunk.work->chunk_done(0, io.status, io.bytes, io.error);
}

void VulkanBackend::hand_to_recorder(TransferChunk &chunk) {
    {
        std::lock_guard<std::mutex> lock(ready_mutex_);
        ready_.push_back(chunk);
        ready_bytes_ += batch_bytes(chunk);
    }
    ready_cv_.notify_one();
}

// GDeflate into a GPU buffer. NV and shader paths: stage_gdeflate_gpu. CPU path (neither
// usable, transfer-only queue, or the request too large for them): the compressed stream goes
// into a heap buffer (a memory source is used in place) and is decoded into staging, then copied
// like any upload.
void VulkanBackend::stage_gdeflate(TransferChunk &chunk) {
    if (chunk.decode == Decode::Shader && !shader_->ready()) {
        // The pipeline or the scratch could not be made (ShaderDecoder::why()): the NV path where
        // it can take the request, else the CPU.
        chunk.decode = nv_fits_request(chunk.work->req) ? Decode::Nv : Decode::Cpu;
        if (chunk.decode == Decode::Cpu && chunk.work->req.uncompressed_size > ring_->capacity())
            return chunk.work->finish(Status::InvalidRequest, 0, 0, Field::Compression);
    }
    if (chunk.decode == Decode::Nv || chunk.decode == Decode::Shader)
        return stage_gdeflate_gpu(chunk);
    std::unique_ptr<uint8_t[]> copy;
    const uint8_t *packed = chunk.src;
    if (!chunk.from_memory) {
        copy.reset(new (std::nothrow) uint8_t[chunk.size]);
        if (!copy)
            return chunk.work->chunk_done(0, Status::IoError, 0, ENOMEM);
        IoOutcome io = read_fully(chunk.fd, copy.get(), chunk.size, chunk.file_offset);
        if (io.status != Status::Ok)
            return chunk.work->chunk_done(0, io.status, 0, io.error);
        packed = copy.get();
    }
    if (!stage_gdeflate_cpu(chunk, packed))
        return;
    hand_to_recorder(chunk);
}

// The compressed stream goes into staging as read and its header and tile table are checked
// here. NV: the recorder turns the tiles into decompression regions. Shader: a status word per
// tile follows the stream (set to "not run"; the shader overwrites it), scratch is reserved for
// the decoded bytes, and the recorder dispatches the shader and copies scratch -> buffer. An NV
// request whose tiles are not 4-byte aligned (never with our encoder or the reference) goes to
// the shader when it can, else to the CPU.
void VulkanBackend::stage_gdeflate_gpu(TransferChunk &chunk) {
    const uint64_t expected = chunk.work->req.uncompressed_size;
    auto done = [&](Status s, int32_t error) { chunk.work->chunk_done(0, s, 0, error); };
    const bool shader_fits = shader_ && shader_->fits(chunk.size, expected, ring_->capacity());
    chunk.span = ring_->alloc(shader_fits ? ShaderDecoder::staging_bytes(chunk.size, expected) : chunk.size);
    if (chunk.work->cancelled()) {
        ring_->free(chunk.span.id);
        return done(Status::Cancelled, 0);
    }
    uint8_t *staging = staging_.mapped + chunk.span.offset;
    IoOutcome io;
    if (chunk.from_memory) {
        std::memcpy(staging, chunk.src, chunk.size);
    } else if ((io = read_fully(chunk.fd, staging, chunk.size, chunk.file_offset)).status != Status::Ok) {
        ring_->free(chunk.span.id);
        return done(io.status, io.error);  // EndOfFile: nothing was produced
    }
    gdeflate::StreamInfo info;
    if (gdeflate::read_info(staging, chunk.size, &info) != gdeflate::Error::Ok || info.uncompressed_size != expected) {
        ring_->free(chunk.span.id);
        return done(Status::IoError, EBADMSG);
    }
    if (chunk.decode == Decode::Nv && !tiles_aligned(staging, info.tiles)) {
        if (shader_fits && shader_->ready()) {
            chunk.decode = Decode::Shader;
        } else {
            std::unique_ptr<uint8_t[]> copy(new (std::nothrow) uint8_t[chunk.size]);
            if (!copy) {
                ring_->free(chunk.span.id);
                return done(Status::IoError, ENOMEM);
            }
            std::memcpy(copy.get(), staging, chunk.size);
            ring_->free(chunk.span.id);  // before the next alloc: holding it could deadlock the ring
            chunk.decode = Decode::Cpu;
            if (expected > ring_->capacity())
                return chunk.work->finish(Status::InvalidRequest, 0, 0, Field::Compression);
            if (stage_gdeflate_cpu(chunk, copy.get()))
                hand_to_recorder(chunk);
            return;
        }
    }
    chunk.packed_size = chunk.size;
    chunk.tiles = info.tiles;
    if (chunk.decode == Decode::Shader) {
        uint8_t *status = staging + ShaderDecoder::staging_bytes(chunk.size, 0);
        for (uint32_t t = 0; t < info.tiles; ++t)
            std::memcpy(status + 4ull * t, &kShaderStatusNotRun, 4);
        // Waiting here while holding staging cannot deadlock: whoever holds scratch holds its
        // staging already and goes on to the recorder without waiting for more.
        chunk.direct_output = shader_->decodes_in_place(chunk.gpu_buffer, chunk.gpu_offset, expected);
        if (!chunk.direct_output)
            chunk.scratch = shader_->alloc_scratch(expected);
        if (chunk.work->cancelled()) {
            if (!chunk.direct_output)
                shader_->free_scratch(chunk.scratch.id);
            ring_->free(chunk.span.id);
            return done(Status::Cancelled, 0);
        }
    }
    chunk.size = chunk.moved = expected;
    hand_to_recorder(chunk);
}

// Decodes `packed` (chunk.size bytes) into newly allocated staging; on failure completes the chunk.
bool VulkanBackend::stage_gdeflate_cpu(TransferChunk &chunk, const uint8_t *packed) {
    const uint64_t expected = chunk.work->req.uncompressed_size;
    gdeflate::StreamInfo info;
    if (gdeflate::read_info(packed, chunk.size, &info) != gdeflate::Error::Ok || info.uncompressed_size != expected) {
        chunk.work->chunk_done(0, Status::IoError, 0, EBADMSG);
        return false;
    }
    chunk.span = ring_->alloc(expected);
    if (chunk.work->cancelled()) {
        ring_->free(chunk.span.id);
        chunk.work->chunk_done(0, Status::Cancelled, 0);
        return false;
    }
    unsigned threads = std::clamp<unsigned>(info.tiles / kTilesPerExtraThread, 1, reader_count_);
    gdeflate::Error e = gdeflate::decode(packed, chunk.size, staging_.mapped + chunk.span.offset, expected, threads);
    if (e != gdeflate::Error::Ok) {
        ring_->free(chunk.span.id);
        chunk.work->chunk_done(0, Status::IoError, 0, e == gdeflate::Error::OutOfMemory ? ENOMEM : EBADMSG);
        return false;
    }
    stat_gdeflate_cpu_.fetch_add(1, std::memory_order_relaxed);
    chunk.size = chunk.moved = expected;
    return true;
}

}  // namespace ds::vk
