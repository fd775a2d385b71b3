// SPDX-License-Identifier: MIT
// runReads(): `count` reads pushed through a ds::Queue entirely in C++, so a benchmark
// measures the runtime and not one JS promise per request.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ds/queue.h"

namespace dsnode {

struct BulkReadsJob {
    int fd = -1;
    uint64_t size = 0;              ///< bytes per read
    uint64_t count = 0;             ///< reads to complete
    std::vector<uint64_t> offsets;  ///< when set, read i uses offsets[i % offsets.size()]
    uint64_t base_offset = 0;       ///< otherwise read i uses base + (i * stride) % span
    uint64_t stride = 0;            ///< 0: size
    uint64_t span = 0;              ///< 0: no wrap
    bool to_gpu = false;
    uint64_t gpu_buffer = 0;  ///< VkBuffer; reads land in slot-sized regions of it
    uint64_t gpu_buffer_size = 0;
    uint64_t host_ring_bytes = 256ull << 20;  ///< host destination memory, split into slots
    uint32_t max_in_flight = 0;               ///< 0: the queue's capacity
    /// Destinations in issue order (read i lands at (i * size) modulo the destination), the
    /// way a game streams one asset in pieces; otherwise each read takes whichever
    /// destination slot was freed last. A position still in flight is never reused.
    bool sequential = false;
    /// GDeflate / Zstd: each read is a `size`-byte stream that decodes to `uncompressed_size` bytes.
    ds::Compression compression = ds::Compression::None;
    uint64_t uncompressed_size = 0;
    /// Source::Memory reads: read i takes `size` bytes of this copy of the caller's data, at the
    /// offset a file read would use (measures the backend without file I/O).
    bool from_memory = false;
    std::vector<uint8_t> src;
};

struct BulkReadsResult {
    double seconds = 0;              ///< wall time from the first enqueue to the last completion
    double cpu_seconds = 0;          ///< getrusage(RUSAGE_SELF) user + system over the same interval
    uint64_t bytes = 0;              ///< bytes reported by completions
    uint64_t requests = 0;           ///< completions received
    uint64_t errors = 0;             ///< completions with a status other than Ok
    uint64_t status_counts[8] = {};  ///< completions per ds::Status
    std::string failure;             ///< set when the job could not run or stalled
};

/// Runs the job on the calling thread, which must be the queue's only enqueuer and waiter.
BulkReadsResult run_bulk_reads(ds::Queue &queue, const BulkReadsJob &job);

}  // namespace dsnode
