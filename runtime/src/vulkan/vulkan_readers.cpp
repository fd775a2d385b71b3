// SPDX-License-Identifier: MIT
// Reader threads: the CPU half of every transfer. One thread cannot feed a GPU (a page-cache
// pread runs at ~5 GB/s, the link at ~45 GB/s), so several run this loop.
#include <cstring>

#include "vulkan/host_io.h"
#include "vulkan/vulkan_backend_impl.h"

namespace ds::vk {

void VulkanBackend::reader_loop() {
    for (;;) {
        TransferChunk chunk;
        bool shutting_down;
        {
            std::unique_lock<std::mutex> lock(task_mutex_);
            task_cv_.wait(lock, [&] { return !tasks_.empty() || stopping_; });
            if (tasks_.empty())
                return;  // stopping and drained
            chunk = tasks_.front();
            tasks_.pop_front();
            shutting_down = stopping_;
        }
        if (shutting_down || chunk.work->cancelled()) {
            chunk.work->chunk_done(chunk.start, Status::Cancelled, 0);
            continue;
        }
        if (chunk.kind == ChunkKind::HostRead || chunk.kind == ChunkKind::HostWrite)
            run_host_chunk(chunk);
        else
            stage_gpu_chunk(chunk);
    }
}

// Host-memory requests never touch the GPU: the data goes straight between file and caller.
void VulkanBackend::run_host_chunk(TransferChunk &chunk) {
    IoResult io;
    if (chunk.kind == ChunkKind::HostWrite) {
        io = write_fully(chunk.fd, chunk.file_offset, chunk.src, chunk.size);
    } else if (chunk.from_memory) {
        std::memcpy(chunk.dst, chunk.src, chunk.size);
        io.bytes = chunk.size;
    } else {
        io = read_fully(chunk.fd, chunk.file_offset, chunk.dst, chunk.size);
    }
    Status status = io.error ? Status::IoError : io.bytes < chunk.size ? Status::EndOfFile : Status::Ok;
    chunk.work->chunk_done(chunk.start, status, io.bytes, io.error);
}

// Takes staging space (waiting for the GPU to release some if the ring is full), fills it for
// reads, and hands the chunk to the recorder.
void VulkanBackend::stage_gpu_chunk(TransferChunk &chunk) {
    chunk.span = ring_->alloc(chunk.size);
    if (chunk.work->cancelled()) {  // the wait for space may have been long
        ring_->free(chunk.span.id);
        chunk.work->chunk_done(chunk.start, Status::Cancelled, 0);
        return;
    }
    if (chunk.kind == ChunkKind::GpuRead) {
        uint8_t *staging = staging_.mapped + chunk.span.offset;
        IoResult io;
        if (chunk.from_memory) {
            std::memcpy(staging, chunk.src, chunk.size);
            io.bytes = chunk.size;
        } else {
            io = read_fully(chunk.fd, chunk.file_offset, staging, chunk.size);
        }
        if (io.error || io.bytes == 0) {
            ring_->free(chunk.span.id);
            chunk.work->chunk_done(chunk.start, io.error ? Status::IoError : Status::EndOfFile, io.bytes, io.error);
            return;
        }
        chunk.moved = io.bytes;  // fewer than size at end of file: copy what arrived, report EOF
    } else {
        chunk.moved = chunk.size;
    }
    {
        std::lock_guard<std::mutex> lock(ready_mutex_);
        ready_.push_back(chunk);
    }
    ready_cv_.notify_one();
}

}  // namespace ds::vk
