// SPDX-License-Identifier: MIT
// Completion thread: waits on the timeline semaphore for submitted batches in order, frees
// their staging and completes their chunks; the submitting thread never blocks on the GPU.
// Writer thread: pwrite of data read back from GPU buffers.
#include <cerrno>
#include <cstring>

#include "cpu/file_io.h"
#include "vulkan/vulkan_backend_impl.h"

namespace ds::vk {
namespace {

// vkWaitSemaphores wakes at least this often, so a stuck wait shows up as a loop, not a hang
// inside the driver, and a lost device is noticed even while nothing new is submitted.
constexpr uint64_t kWaitSliceNs = 100'000'000;

}  // namespace

void VulkanBackend::completion_loop() {
    for (;;) {
        CopyBatch *batch;
        {
            std::unique_lock<std::mutex> lock(batch_mutex_);
            in_flight_cv_.wait(lock, [&] { return !in_flight_.empty() || completion_stop_; });
            if (in_flight_.empty())
                return;                  // stopping and drained
            batch = in_flight_.front();  // only this thread pops in_flight_
        }
        VkSemaphoreWaitInfo wait{VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO};
        wait.semaphoreCount = 1;
        wait.pSemaphores = &timeline_;
        wait.pValues = &batch->timeline_value;
        VkResult r = vk_.vkWaitSemaphores(device_, &wait, kWaitSliceNs);
        if (r == VK_TIMEOUT)
            continue;
        if (r != VK_SUCCESS) {
            // The device is gone: nothing submitted will ever signal. Fail everything in flight.
            device_lost_result_.store(r);
            std::deque<CopyBatch *> lost;
            {
                std::lock_guard<std::mutex> lock(batch_mutex_);
                lost.swap(in_flight_);
            }
            for (CopyBatch *b : lost) {
                fail(*b, r);
                recycle(b);
                batch_left_gpu();
            }
            continue;
        }
        {
            std::lock_guard<std::mutex> lock(batch_mutex_);
            in_flight_.pop_front();
        }
        retire(*batch);
        recycle(batch);
        batch_left_gpu();
    }
}

// One batch fewer on the GPU: a recorder waiting for a full batch may send what it has.
void VulkanBackend::batch_left_gpu() {
    in_flight_count_.fetch_sub(1, std::memory_order_acq_rel);
    { std::lock_guard<std::mutex> lock(ready_mutex_); }  // the recorder is waiting or has not checked yet
    ready_cv_.notify_one();
}

// The GPU has finished this batch: its staging can be reused and its uploads are complete.
// Every request the batch completes is handed to its queue in one FinishBatch (one lock and one
// wake-up per queue, not one per request: a batch of 64 KiB reads holds hundreds).
void VulkanBackend::retire(CopyBatch &batch) {
    uint64_t staged = 0;
    uint64_t shader_bytes = 0;
    bool any_writes = false;
    FinishBatch done;
    for (TransferChunk &c : batch.chunks) {
        if (!c.mapped.window)
            staged += c.decode == Decode::Nv || c.decode == Decode::Shader ? c.packed_size : c.moved;
        if (c.decode == Decode::Shader) {
            shader_bytes += c.size;
            retire_shader_decode(c, done);
            continue;
        }
        if (c.decode != Decode::None) {
            // One chunk per GDeflate request; chunk_done would report the compressed size.
            ring_->free(c.span.id);
            if (c.decode == Decode::Nv)
                stat_gdeflate_gpu_.fetch_add(1, std::memory_order_relaxed);
            done.add(c.work, c.work->completion(Status::Ok, c.size));
            continue;
        }
        if (c.kind == ChunkKind::GpuWrite) {
            std::lock_guard<std::mutex> lock(write_mutex_);
            writes_.push_back(c);
            any_writes = true;
            continue;
        }
        free_staging(c);  // the staging span, or the imported file window
        done.chunk(c.work, c.start, c.moved < c.size ? Status::EndOfFile : Status::Ok, c.moved);
    }
    stat_staging_bytes_.fetch_add(staged, std::memory_order_relaxed);
    if (shader_bytes != 0)
        shader_->retired(batch.slot, shader_bytes);
    if (any_writes)
        write_cv_.notify_one();
}

// A shader decode's batch has retired: its status words (after the stream in staging, made
// visible to the host by the barrier after the dispatches; staging is HOST_COHERENT, so nothing
// needs invalidating) say whether every tile decoded. A corrupt tile fails the request like the
// CPU decoder does (IoError, EBADMSG); the destination range then holds unspecified bytes. A tile
// the shader could not finish (a driver's loop limit, or a status never written) is no verdict on
// the data: the request goes back to the readers and is decoded on the CPU.
void VulkanBackend::retire_shader_decode(TransferChunk &c, FinishBatch &done) {
    const uint8_t *status = staging_.mapped + c.span.offset + ShaderDecoder::staging_bytes(c.packed_size, 0);
    bool corrupt = false, unfinished = false;
    for (uint32_t t = 0; t < c.tiles; ++t) {
        uint32_t s;
        std::memcpy(&s, status + 4ull * t, 4);
        corrupt = corrupt || (s != 0 && s < kShaderStatusFirstRetry);
        unfinished = unfinished || s >= kShaderStatusFirstRetry;
    }
    free_staging(c);
    if (c.record_error != VK_SUCCESS)
        return done.add(c.work, c.work->completion(Status::DeviceError, 0, static_cast<int32_t>(c.record_error)));
    if (corrupt)
        return done.add(c.work, c.work->completion(Status::IoError, 0, EBADMSG));
    if (unfinished) {
        TransferChunk retry = c;
        retry.decode = Decode::Cpu;
        retry.size = retry.moved = c.packed_size;
        retry.span = RingSpan{};
        retry.scratch = RingSpan{};
        retry.direct_output = false;
        {
            std::lock_guard<std::mutex> lock(task_mutex_);
            if (!stopping_) {
                tasks_.push_front(retry);
                task_cv_.notify_one();
                return;
            }
        }
        return done.add(c.work, c.work->completion(Status::Cancelled, 0));  // the readers have stopped
    }
    stat_gdeflate_shader_.fetch_add(1, std::memory_order_relaxed);
    if (c.direct_output)
        stat_shader_direct_.fetch_add(1, std::memory_order_relaxed);
    done.add(c.work, c.work->completion(Status::Ok, c.size));
}

void VulkanBackend::free_staging(TransferChunk &c) {
    if (c.mapped.window)
        imports_->release(c.mapped.window);
    else
        ring_->free(c.span.id);
    if (c.decode == Decode::Shader && !c.direct_output)
        shader_->free_scratch(c.scratch.id);
}

void VulkanBackend::fail(CopyBatch &batch, VkResult result) {
    for (TransferChunk &c : batch.chunks) {
        free_staging(c);
        c.work->chunk_done(c.start, Status::DeviceError, 0, static_cast<int32_t>(result));
    }
}

void VulkanBackend::recycle(CopyBatch *batch) {
    batch->chunks.clear();
    {
        std::lock_guard<std::mutex> lock(batch_mutex_);
        free_batches_.push_back(batch);
    }
    batch_freed_cv_.notify_one();
}

void VulkanBackend::writer_loop() {
    for (;;) {
        TransferChunk chunk;
        {
            std::unique_lock<std::mutex> lock(write_mutex_);
            write_cv_.wait(lock, [&] { return !writes_.empty() || writer_stop_; });
            if (writes_.empty())
                return;  // stopping and drained
            chunk = writes_.front();
            writes_.pop_front();
        }
        IoOutcome io = write_fully(chunk.fd, staging_.mapped + chunk.span.offset, chunk.size, chunk.file_offset);
        ring_->free(chunk.span.id);
        chunk.work->chunk_done(chunk.start, io.status, io.bytes, io.error);
    }
}

}  // namespace ds::vk
