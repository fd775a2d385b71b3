// SPDX-License-Identifier: MIT
// ds::vk::VulkanBackend: the threads and Vulkan objects behind make_vulkan_backend.
//
// Pipeline (see docs/vulkan-backend.md):
//   submit() -> tasks_ -> reader threads (pread/memcpy into the staging ring, or host I/O)
//            -> ready_ -> recorder thread (one command buffer per batch, one vkQueueSubmit,
//               signals the timeline semaphore) -> in_flight_ -> completion thread (waits on
//               the timeline, frees staging, completes chunks) -> writes_ -> writer thread
//               (pwrite of read-back data).
// Each stage is in its own file: vulkan_backend.cpp (setup, submit, shutdown),
// vulkan_readers.cpp, vulkan_recorder.cpp, vulkan_completion.cpp; the GDeflate compute shader's
// pipeline and scratch are in gdeflate_shader.cpp.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ds/vulkan_backend.h"
#include "vulkan/file_mapping_imports.h"
#include "vulkan/gdeflate_shader.h"
#include "vulkan/scatter_copier.h"
#include "vulkan/staging_ring.h"
#include "vulkan/transfer_chunk.h"
#include "vulkan/vk_dispatch.h"
#include "vulkan/vk_memory.h"

namespace ds::vk {

class VulkanBackend final : public Backend {
public:
    static std::shared_ptr<Backend> create(const VulkanBackendConfig &config, std::string *error);
    /// Completes everything still inside (Cancelled if not started), waits for the GPU,
    /// then frees what it owns. Never destroys the borrowed device or queue.
    ~VulkanBackend() override;

    const char *name() const override { return "vulkan"; }
    BackendCaps caps() const override;
    BackendStats stats() const override;
    void submit(Work *const *items, size_t count) override;

private:
    explicit VulkanBackend(const VulkanBackendConfig &config);
    bool init(std::string *error);
    void start_threads();
    bool nv_decompression_usable();
    bool queue_has_compute();
    void stop_threads();
    // One chunk for a whole compressed request, with decode = Decode::Cpu.
    static TransferChunk whole_request_chunk(Work *work);
    // The decoded bytes (uncompressed_size) fit the GPU buffer from gpu_offset.
    static bool decoded_bytes_fit_gpu_buffer(const Request &req);

    // vulkan_readers.cpp
    void reader_loop();
    void run_host_chunk(TransferChunk &chunk);
    void stage_gpu_chunks(TransferChunk *chunks, size_t count);
    void run_gdeflate_host(TransferChunk &chunk);
    void stage_gdeflate(TransferChunk &chunk);
    void stage_gdeflate_gpu(TransferChunk &chunk);
    bool stage_gdeflate_cpu(TransferChunk &chunk, const uint8_t *packed);
    void hand_to_recorder(TransferChunk &chunk);

    // vulkan_zstd.cpp
    bool queue_zstd(Work *work, Field *field);
    void run_zstd(TransferChunk &chunk);

    // vulkan_recorder.cpp
    void recorder_loop();
    void record(CopyBatch &batch);
    size_t record_decompressions(CopyBatch &batch);
    bool decode_input_ready();
    void copy_to_decode_input(CopyBatch &batch, size_t first, size_t end, bool back);
    size_t record_shader_decodes(CopyBatch &batch, size_t first);
    uint32_t record_uploads(CopyBatch &batch, const TransferChunk &first);
    VkResult submit_batch(CopyBatch &batch);

    // vulkan_completion.cpp
    void completion_loop();
    void retire(CopyBatch &batch);
    void fail(CopyBatch &batch, VkResult result);
    void retire_shader_decode(TransferChunk &c, FinishBatch &done);
    void free_staging(TransferChunk &c);
    void recycle(CopyBatch *batch);
    bool nv_fits_request(const Request &req) const;
    void batch_left_gpu();
    void writer_loop();

    VulkanBackendConfig config_;
    Dispatch vk_;
    VkPhysicalDevice physical_ = VK_NULL_HANDLE;
    VkDevice device_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    uint64_t chunk_size_ = 0;
    uint32_t reader_count_ = 0;
    bool nv_decompression_ = false;  // vkCmdDecompressMemoryNV usable on queue_
    VkDeviceAddress staging_address_ = 0;
    // config_.nv_/shader_input_in_device_memory: the GPU decoders' compressed streams, at their staging
    // offsets, in device memory (recorder thread only; made at the first GPU decode, left without a
    // buffer when that failed: the decoders then read staging).
    OwnedBuffer decode_input_;
    VkDeviceAddress decode_input_address_ = 0;  // NV path only
    bool decode_input_tried_ = false;
    // The GDeflate compute shader: set when config_.shader_decompression and queue_ has compute;
    // its Vulkan objects are made on first use (ShaderDecoder::ready()).
    std::unique_ptr<ShaderDecoder> shader_;
    // Shader copies (config_.shader_copies, a compute queue, the pipeline made): small upload
    // regions go to one dispatch per batch instead of vkCmdCopyBuffer.
    std::unique_ptr<ScatterCopier> scatter_;

    // Owned Vulkan objects.
    OwnedBuffer staging_;
    std::unique_ptr<StagingRing> ring_;
    // FileStaging::Mapped and usable: file GpuReads copy from imported file mappings.
    std::unique_ptr<FileMappingImports> imports_;
    VkCommandPool pool_ = VK_NULL_HANDLE;  // used by the recorder thread only
    VkSemaphore timeline_ = VK_NULL_HANDLE;
    uint64_t next_timeline_value_ = 0;  // recorder thread only
    std::vector<std::unique_ptr<CopyBatch>> batches_;

    // submit() -> readers.
    std::mutex task_mutex_;
    std::condition_variable task_cv_;
    std::deque<TransferChunk> tasks_;
    bool stopping_ = false;  // under task_mutex_: not-started chunks complete as Cancelled

    // readers -> recorder.
    std::mutex ready_mutex_;
    std::condition_variable ready_cv_;
    std::deque<TransferChunk> ready_;
    uint64_t ready_bytes_ = 0;  // batch_bytes() of ready_, under ready_mutex_
    bool recorder_stop_ = false;

    // recorder <-> completion: free batches and submitted batches in timeline order.
    std::mutex batch_mutex_;
    std::condition_variable batch_freed_cv_;
    std::condition_variable in_flight_cv_;
    std::vector<CopyBatch *> free_batches_;
    std::deque<CopyBatch *> in_flight_;
    std::atomic<uint32_t> in_flight_count_{0};  // submitted, not yet retired (the recorder's kBusyBatches wait)
    bool completion_stop_ = false;

    // completion -> writer (read-back data going to files).
    std::mutex write_mutex_;
    std::condition_variable write_cv_;
    std::deque<TransferChunk> writes_;
    bool writer_stop_ = false;

    // Once the device is lost every later batch fails at once instead of being submitted.
    std::atomic<int32_t> device_lost_result_{VK_SUCCESS};

    std::atomic<uint64_t> stat_submits_{0};
    std::atomic<uint64_t> stat_staging_bytes_{0};
    std::atomic<uint64_t> stat_gpu_copies_{0};
    std::atomic<uint64_t> stat_gdeflate_cpu_{0};
    std::atomic<uint64_t> stat_gdeflate_gpu_{0};
    std::atomic<uint64_t> stat_gdeflate_shader_{0};
    std::atomic<uint64_t> stat_shader_direct_{0};
    std::atomic<uint64_t> stat_mapped_reads_{0};
    std::atomic<uint64_t> stat_shader_copies_{0};

    std::vector<std::thread> readers_;
    std::thread recorder_;
    std::thread completion_;
    std::thread writer_;
};

}  // namespace ds::vk
