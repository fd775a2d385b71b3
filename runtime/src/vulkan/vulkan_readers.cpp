// SPDX-License-Identifier: MIT
// Reader threads: the CPU half of every transfer. One thread cannot feed a GPU (a page-cache
// pread runs at ~5 GB/s, the link at ~45 GB/s), so several run this loop.
#include <cstring>

#include "cpu/file_io.h"
#include "vulkan/vulkan_backend_impl.h"

namespace ds::vk {
namespace {

// Small GPU reads are taken in runs: one lock, one staging allocation, one hand-off, and
// staging that is contiguous, so neighbouring requests become one copy region (the GPU pays
// per region: 64 KiB regions copy at a third of the speed of 1 MiB ones).
constexpr size_t kMaxRun = 64;

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
            if (run[0].kind == ChunkKind::GpuRead) {
                // Take no more than a fair share, so the other readers stay busy too.
                size_t share = tasks_.size() / reader_count_;
                uint64_t bytes = run[0].size;
                while (!tasks_.empty() && count < kMaxRun && count <= share &&
                       tasks_.front().kind == ChunkKind::GpuRead && bytes + tasks_.front().size <= chunk_size_) {
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
        if (run[0].kind == ChunkKind::HostRead || run[0].kind == ChunkKind::HostWrite)
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
    for (size_t i = 0; i < count; ++i)
        sizes[i] = chunks[i].size;
    ring_->alloc_run(sizes, count, spans);
    size_t kept = 0;
    for (size_t i = 0; i < count; ++i) {
        TransferChunk &chunk = chunks[i];
        chunk.span = spans[i];
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
    }
    ready_cv_.notify_one();
}

}  // namespace ds::vk
