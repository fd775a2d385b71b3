// SPDX-License-Identifier: MIT
// Recorder thread: turns every staged chunk that is ready into one command buffer and one
// vkQueueSubmit. Batching is adaptive: an idle GPU gets what is ready at once; while it already
// has kBusyBatches batches, the next one waits to be full (flush_bytes) or for one of them to
// retire, so a busy backend submits few large batches.
#include <algorithm>
#include <cstdint>

#include "ds/gdeflate.h"

#include "vulkan/queue_lock.h"
#include "vulkan/vulkan_backend_impl.h"

namespace ds::vk {
namespace {

// NV decompressions first, then shader decodes (each group ends with its barrier), then copies.
int stage_of(const TransferChunk &c) { return c.decode == Decode::Nv ? 0 : c.decode == Decode::Shader ? 1 : 2; }

bool goes_first(const TransferChunk &a, const TransferChunk &b) {
    if (stage_of(a) != stage_of(b))
        return stage_of(a) < stage_of(b);
    if (a.kind != b.kind)
        return a.kind == ChunkKind::GpuRead;  // uploads first, read-backs after a barrier
    // Grouped by GPU buffer (one vkCmdCopyBuffer per buffer), in address order so that
    // neighbours can merge into one region.
    if (a.gpu_buffer != b.gpu_buffer)
        return reinterpret_cast<uintptr_t>(a.gpu_buffer) < reinterpret_cast<uintptr_t>(b.gpu_buffer);
    // Then by source: staging (mapped.buffer null) or one imported file window.
    if (a.mapped.buffer != b.mapped.buffer)
        return reinterpret_cast<uintptr_t>(a.mapped.buffer) < reinterpret_cast<uintptr_t>(b.mapped.buffer);
    return a.gpu_offset < b.gpu_offset;
}

VkBufferCopy region_of(const TransferChunk &c) {
    VkBufferCopy r;
    r.size = c.moved;
    const uint64_t source = c.mapped.window ? c.mapped.offset : c.span.offset;
    r.srcOffset = c.kind == ChunkKind::GpuRead ? source : c.gpu_offset;
    r.dstOffset = c.kind == ChunkKind::GpuRead ? c.gpu_offset : c.span.offset;
    return r;
}

}  // namespace

void VulkanBackend::recorder_loop() {
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(ready_mutex_);
            ready_cv_.wait(lock, [&] { return !ready_.empty() || recorder_stop_; });
            if (ready_.empty())
                return;  // stopping and drained
            // Quick producers (memory sources, small reads) would otherwise send a chunk or two
            // per batch: one 16 MiB GDeflate stream per batch kept the H200's NV decoder at a
            // third of its rate. The completion thread wakes this wait when a batch retires.
            ready_cv_.wait(lock, [&] {
                return recorder_stop_ || in_flight_count_.load(std::memory_order_acquire) < kBusyBatches ||
                       ready_bytes_ >= config_.flush_bytes || ready_.size() >= kMaxChunksPerBatch;
            });
        }
        CopyBatch *batch;
        {
            std::unique_lock<std::mutex> lock(batch_mutex_);
            batch_freed_cv_.wait(lock, [&] { return !free_batches_.empty(); });
            batch = free_batches_.back();
            free_batches_.pop_back();
        }
        {
            // Taken after waiting for a free batch: whatever arrived meanwhile joins this one.
            std::lock_guard<std::mutex> lock(ready_mutex_);
            uint64_t bytes = 0;
            uint32_t shader_jobs = 0;  // the variant with bindings: each needs a descriptor set
            const uint32_t max_shader_jobs = shader_ ? shader_->max_jobs_per_batch() : 0;
            while (!ready_.empty() && batch->chunks.size() < kMaxChunksPerBatch &&
                   (batch->chunks.empty() || bytes + batch_bytes(ready_.front()) <= config_.flush_bytes)) {
                if (ready_.front().decode == Decode::Shader && shader_jobs++ == max_shader_jobs)
                    break;
                bytes += batch_bytes(ready_.front());
                ready_bytes_ -= batch_bytes(ready_.front());
                batch->chunks.push_back(ready_.front());
                ready_.pop_front();
            }
        }
        if (VkResult lost = static_cast<VkResult>(device_lost_result_.load()); lost != VK_SUCCESS) {
            fail(*batch, lost);
            recycle(batch);
            continue;
        }
        record(*batch);
        VkResult r = submit_batch(*batch);
        if (r != VK_SUCCESS) {
            if (r == VK_ERROR_DEVICE_LOST)
                device_lost_result_.store(r);
            fail(*batch, r);
            recycle(batch);
            continue;
        }
        stat_submits_.fetch_add(1, std::memory_order_relaxed);
        in_flight_count_.fetch_add(1, std::memory_order_acq_rel);
        {
            std::lock_guard<std::mutex> lock(batch_mutex_);
            in_flight_.push_back(batch);
        }
        in_flight_cv_.notify_one();
    }
}

void VulkanBackend::record(CopyBatch &batch) {
    std::sort(batch.chunks.begin(), batch.chunks.end(), goes_first);
    vk_.vkResetCommandBuffer(batch.cmd, 0);
    VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    vk_.vkBeginCommandBuffer(batch.cmd, &begin);
    bool readback_barrier_done = false;
    uint64_t regions_recorded = 0;
    if (scatter_)
        scatter_->begin(batch.slot);
    // The scatter dispatch goes after every upload group has added its regions, before read-backs.
    auto record_scatter = [&] {
        if (scatter_)
            stat_shader_copies_.fetch_add(scatter_->record(batch.cmd, batch.slot), std::memory_order_relaxed);
    };
    size_t i = record_decompressions(batch);
    i = record_shader_decodes(batch, i);
    while (i < batch.chunks.size()) {
        // One vkCmdCopyBuffer for the chunks of one kind and buffer; chunks adjacent in both
        // staging and the GPU buffer share a region.
        const TransferChunk &first = batch.chunks[i];
        batch.regions.clear();
        batch.regions.push_back(region_of(first));
        size_t end = i + 1;
        for (; end < batch.chunks.size(); ++end) {
            const TransferChunk &c = batch.chunks[end];
            if (c.kind != first.kind || c.gpu_buffer != first.gpu_buffer || c.mapped.buffer != first.mapped.buffer)
                break;
            VkBufferCopy next = region_of(c);
            VkBufferCopy &last = batch.regions.back();
            if (last.srcOffset + last.size == next.srcOffset && last.dstOffset + last.size == next.dstOffset)
                last.size += next.size;
            else
                batch.regions.push_back(next);
        }
        if (first.kind == ChunkKind::GpuRead) {
            regions_recorded += record_uploads(batch, first);
        } else {
            if (!readback_barrier_done) {
                record_scatter();
                // A read-back must see uploads recorded before it, in this batch or in earlier
                // submissions to this queue (a barrier's first scope covers both); shader copies
                // write from the compute stage.
                VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
                barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT | (scatter_ ? VK_ACCESS_SHADER_WRITE_BIT : 0);
                barrier.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
                const VkPipelineStageFlags written =
                    VK_PIPELINE_STAGE_TRANSFER_BIT | (scatter_ ? VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT : 0);
                vk_.vkCmdPipelineBarrier(batch.cmd, written, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &barrier, 0, nullptr,
                                         0, nullptr);
                readback_barrier_done = true;
            }
            const uint32_t n = static_cast<uint32_t>(batch.regions.size());
            vk_.vkCmdCopyBuffer(batch.cmd, first.gpu_buffer, staging_.buffer, n, batch.regions.data());
            regions_recorded += n;
        }
        i = end;
    }
    if (!readback_barrier_done)
        record_scatter();
    if (readback_barrier_done) {
        // Make the copied bytes visible to the writer thread's pwrite from mapped staging.
        VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
        barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
        barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
        vk_.vkCmdPipelineBarrier(batch.cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &barrier,
                                 0, nullptr, 0, nullptr);
    }
    vk_.vkEndCommandBuffer(batch.cmd);
    stat_gpu_copies_.fetch_add(regions_recorded, std::memory_order_relaxed);
}

namespace {

uint32_t le32(const uint8_t *p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

}  // namespace

// One upload group (the chunks of one GPU buffer and one source, merged into batch.regions):
// the small regions go to the batch's scatter table, the rest to one vkCmdCopyBuffer. Returns the
// copy-engine regions recorded.
uint32_t VulkanBackend::record_uploads(CopyBatch &batch, const TransferChunk &first) {
    const VkBuffer source = first.mapped.window ? first.mapped.buffer : staging_.buffer;
    if (scatter_) {
        const VkDeviceAddress src = first.mapped.window ? first.mapped.address : staging_address_;
        const VkDeviceAddress dst = src ? buffer_address(vk_, device_, first.gpu_buffer) : 0;
        size_t kept = 0;
        for (VkBufferCopy r : batch.regions) {
            const uint64_t part = dst ? ScatterCopier::shader_part(src + r.srcOffset, dst + r.dstOffset, r.size,
                                                                   config_.shader_copy_max_bytes)
                                      : 0;
            if (part && scatter_->add(batch.slot, src + r.srcOffset, dst + r.dstOffset, uint32_t(part))) {
                if (part == r.size)
                    continue;
                // The last 1-3 bytes of a size that is not a multiple of 4.
                r.srcOffset += part;
                r.dstOffset += part;
                r.size -= part;
            }
            batch.regions[kept++] = r;
        }
        batch.regions.resize(kept);
    }
    const uint32_t n = static_cast<uint32_t>(batch.regions.size());
    if (n)
        vk_.vkCmdCopyBuffer(batch.cmd, source, first.gpu_buffer, n, batch.regions.data());
    return n;
}

// The Decode::Nv chunks sorted to the front of the batch: one vkCmdDecompressMemoryNV with a
// region per tile (the reader checked the header, the table and the tiles' alignment). Returns
// the index of the first chunk that is not one.
size_t VulkanBackend::record_decompressions(CopyBatch &batch) {
    size_t count = 0;
    while (count < batch.chunks.size() && batch.chunks[count].decode == Decode::Nv)
        ++count;
    if (count == 0)
        return 0;
    VkDeviceAddress source = staging_address_;
    if (config_.nv_input_in_device_memory && decode_input_ready() && decode_input_address_ != 0) {
        copy_to_decode_input(batch, 0, count, false);
        VkMemoryBarrier copied{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
        copied.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
        copied.dstAccessMask = VK_ACCESS_MEMORY_READ_BIT;
        // The extension has no stage of its own in synchronization1: ALL_COMMANDS.
        vk_.vkCmdPipelineBarrier(batch.cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, 0, 1,
                                 &copied, 0, nullptr, 0, nullptr);
        source = decode_input_address_;
    }
    batch.decompress.clear();
    for (size_t n = 0; n < count; ++n) {
        const TransferChunk &c = batch.chunks[n];
        const uint8_t *stream = staging_.mapped + c.span.offset;
        const uint32_t tiles = uint32_t(stream[2]) | uint32_t(stream[3]) << 8;
        const uint64_t data = gdeflate::kHeaderSize + 4ull * tiles;
        const VkDeviceAddress dst = buffer_address(vk_, device_, c.gpu_buffer) + c.gpu_offset;
        const VkDeviceAddress src = source + c.span.offset;
        for (uint32_t t = 0; t < tiles; ++t) {
            uint64_t start = t == 0 ? 0 : le32(stream + gdeflate::kHeaderSize + 4ull * t);
            uint64_t end = t + 1 < tiles ? le32(stream + gdeflate::kHeaderSize + 4ull * (t + 1))
                                         : start + le32(stream + gdeflate::kHeaderSize);
            VkDecompressMemoryRegionNV r{};
            r.srcAddress = src + data + start;
            r.dstAddress = dst + uint64_t(t) * gdeflate::kTileSize;
            r.compressedSize = end - start;
            r.decompressedSize = t + 1 < tiles ? gdeflate::kTileSize : c.size - uint64_t(t) * gdeflate::kTileSize;
            r.decompressionMethod = VK_MEMORY_DECOMPRESSION_METHOD_GDEFLATE_1_0_BIT_NV;
            batch.decompress.push_back(r);
        }
    }
    vk_.vkCmdDecompressMemoryNV(batch.cmd, static_cast<uint32_t>(batch.decompress.size()), batch.decompress.data());
    // The extension defines no pipeline stage of its own (with synchronization1): make the
    // decompressed bytes available and visible to everything after, in this batch (read-backs)
    // and in later submissions to the queue.
    VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    barrier.srcAccessMask = VK_ACCESS_MEMORY_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT;
    vk_.vkCmdPipelineBarrier(batch.cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, 0, 1,
                             &barrier, 0, nullptr, 0, nullptr);
    return count;
}

// Makes the device-local copy of staging the GPU decoders read from (config_.
// nv_input_in_device_memory, shader_input_in_device_memory), once; false when neither asks for
// it or it could not be made.
bool VulkanBackend::decode_input_ready() {
    const bool nv = nv_decompression_ && config_.nv_input_in_device_memory;
    const bool shader = shader_ && config_.shader_input_in_device_memory;
    if ((nv || shader) && !decode_input_tried_) {
        decode_input_tried_ = true;
        std::string why;
        // The shader's direct-output variant reaches it by address too (its tiles copy their
        // bytes there); it is ready() by the time a shader chunk is recorded.
        const bool by_address = nv || (shader && shader_->ready() && shader_->direct_output());
        VkBufferUsageFlags usage = shader ? VK_BUFFER_USAGE_STORAGE_BUFFER_BIT : 0;
        if (by_address)
            usage |= VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT;
        if (create_buffer(vk_, physical_, device_, staging_.size, MemoryKind::DeviceLocal, &decode_input_, &why,
                          usage) &&
            by_address)
            decode_input_address_ = buffer_address(vk_, device_, decode_input_.buffer);
    }
    return decode_input_.buffer != VK_NULL_HANDLE;
}

// Records copies of chunks [first, end)'s staging spans into the decode input buffer, at the same
// offsets (a staging span is its chunk's until the batch retires, so that range of the input
// buffer is too): the compressed stream, and for the shader the status words after it. back: the
// other way, the shader's status words only, for the completion thread's reads of staging.
void VulkanBackend::copy_to_decode_input(CopyBatch &batch, size_t first, size_t end, bool back) {
    batch.regions.clear();
    for (size_t n = first; n < end; ++n) {
        const TransferChunk &c = batch.chunks[n];
        if (c.decode == Decode::Nv) {
            batch.regions.push_back(VkBufferCopy{c.span.offset, c.span.offset, c.packed_size});
        } else if (!back) {
            batch.regions.push_back(
                VkBufferCopy{c.span.offset, c.span.offset, ShaderDecoder::staging_bytes(c.packed_size, c.size)});
        } else if (c.record_error == VK_SUCCESS) {
            const uint64_t status = c.span.offset + ShaderDecoder::staging_bytes(c.packed_size, 0);
            batch.regions.push_back(VkBufferCopy{status, status, 4ull * c.tiles});
        }
    }
    if (batch.regions.empty())
        return;
    const uint32_t n = static_cast<uint32_t>(batch.regions.size());
    if (back)
        vk_.vkCmdCopyBuffer(batch.cmd, decode_input_.buffer, staging_.buffer, n, batch.regions.data());
    else
        vk_.vkCmdCopyBuffer(batch.cmd, staging_.buffer, decode_input_.buffer, n, batch.regions.data());
}

// The Decode::Shader chunks that follow the NV ones: a dispatch each, one barrier, then a copy
// scratch -> buffer each (gdeflate_shader.cpp). Returns the index of the first chunk after them.
size_t VulkanBackend::record_shader_decodes(CopyBatch &batch, size_t first) {
    size_t end = first;
    while (end < batch.chunks.size() && batch.chunks[end].decode == Decode::Shader)
        ++end;
    if (end == first)
        return first;
    // From device memory: with the direct-output variant each tile copies its own bytes there
    // (prefetch); otherwise the streams go there by vkCmdCopyBuffer first (ShaderDecoder::record's
    // first barrier makes the copies visible to the dispatches), and the status words come back
    // to staging after.
    const bool device_input = config_.shader_input_in_device_memory && decode_input_ready();
    const bool prefetch = device_input && shader_->direct_output() && decode_input_address_ != 0;
    const bool copied = device_input && !prefetch;
    if (copied)
        copy_to_decode_input(batch, first, end, false);
    uint32_t regions = shader_->record(batch.cmd, batch.slot, copied ? decode_input_.buffer : staging_.buffer, copied,
                                       prefetch ? decode_input_address_ : 0, &batch.chunks[first], end - first);
    stat_gpu_copies_.fetch_add(regions, std::memory_order_relaxed);
    if (copied && !shader_->direct_output()) {  // the direct-output variant writes staging itself
        copy_to_decode_input(batch, first, end, true);
        VkMemoryBarrier back{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
        back.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
        back.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
        vk_.vkCmdPipelineBarrier(batch.cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &back, 0,
                                 nullptr, 0, nullptr);
    }
    return end;
}

VkResult VulkanBackend::submit_batch(CopyBatch &batch) {
    batch.timeline_value = ++next_timeline_value_;
    VkTimelineSemaphoreSubmitInfo timeline{VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO};
    timeline.signalSemaphoreValueCount = 1;
    timeline.pSignalSemaphoreValues = &batch.timeline_value;
    VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    submit.pNext = &timeline;
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &batch.cmd;
    submit.signalSemaphoreCount = 1;
    submit.pSignalSemaphores = &timeline_;
    QueueLock lock(config_);
    return vk_.vkQueueSubmit(queue_, 1, &submit, VK_NULL_HANDLE);
}

}  // namespace ds::vk
