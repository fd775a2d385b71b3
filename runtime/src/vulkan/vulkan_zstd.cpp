// SPDX-License-Identifier: MIT
// Zstandard requests on the Vulkan backend: decoded on a reader thread with libzstd, straight into
// a host destination, or into staging for a GPU destination, which the recorder then copies like
// any upload (chunk.decode = Decode::Cpu, so retire() finishes it with the decoded size). No GPU
// decoder: a frame's bytes depend on everything before them within its window, and the CPU path
// is what ds-kit measures against (docs/vulkan-backend.md, "Zstandard").
#include <cerrno>

#include "ds/zstd.h"
#include "vulkan/vulkan_backend_impl.h"
#include "zstd/host_request.h"

namespace ds::vk {

// Called by submit() with task_mutex_ held. False: the decoded bytes cannot be staged in one
// piece (larger than the ring) or do not fit the GPU buffer; `field` says which.
bool VulkanBackend::queue_zstd(Work *work, Field *field) {
    const Request &req = work->req;
    TransferChunk c = whole_request_chunk(work);
    if (req.memory == Memory::Gpu) {
        if (!decoded_bytes_fit_gpu_buffer(req)) {
            *field = Field::GpuRange;
            return false;
        }
        if (req.uncompressed_size > ring_->capacity()) {
            *field = Field::Compression;
            return false;
        }
    }
    work->begin_chunks(1);
    tasks_.push_back(c);
    return true;
}

void VulkanBackend::run_zstd(TransferChunk &chunk) {
    const Request &req = chunk.work->req;
    if (chunk.kind == ChunkKind::HostRead) {
        IoOutcome io = run_zstd_read(req);
        if (io.status == Status::Ok)
            return chunk.work->finish(Status::Ok, io.bytes);  // not chunk_done: that reports req.size
        return chunk.work->chunk_done(0, io.status, 0, io.error);
    }
    chunk.span = ring_->alloc(req.uncompressed_size);
    if (chunk.work->cancelled()) {
        ring_->free(chunk.span.id);
        return chunk.work->chunk_done(0, Status::Cancelled, 0);
    }
    IoOutcome io = decode_zstd_request(req, staging_.mapped + chunk.span.offset);
    if (io.status != Status::Ok) {
        ring_->free(chunk.span.id);
        return chunk.work->chunk_done(0, io.status, 0, io.error);
    }
    chunk.size = chunk.moved = req.uncompressed_size;
    hand_to_recorder(chunk);
}

}  // namespace ds::vk
