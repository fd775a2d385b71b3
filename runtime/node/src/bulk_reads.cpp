// SPDX-License-Identifier: MIT
#include "bulk_reads.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace dsnode {

namespace {

constexpr uint64_t kBulkTag = 1ull << 63;  // marks this job's user_data
constexpr auto kStallLimit = std::chrono::seconds(60);

double cpu_now() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

struct FreeDeleter {
    void operator()(void *p) const { std::free(p); }
};

uint64_t offset_of(const BulkReadsJob &job, uint64_t i) {
    if (!job.offsets.empty())
        return job.offsets[i % job.offsets.size()];
    uint64_t step = (job.stride ? job.stride : job.size) * i;
    return job.base_offset + (job.span ? step % job.span : step);
}

}  // namespace

BulkReadsResult run_bulk_reads(ds::Queue &queue, const BulkReadsJob &job) {
    BulkReadsResult result;
    if (job.count == 0)
        return result;
    // A destination slot holds what a read produces: the decoded bytes for a compressed read.
    const uint64_t produced = job.compression != ds::Compression::None ? job.uncompressed_size : job.size;
    const uint64_t size_for_slots = std::max<uint64_t>(produced, 1);

    // One slot per request in flight; each slot owns a destination range.
    uint64_t slots = job.max_in_flight ? job.max_in_flight : queue.info().capacity;
    slots = std::min<uint64_t>(slots, job.count);
    uint64_t room = job.to_gpu ? job.gpu_buffer_size : job.host_ring_bytes;
    slots = std::max<uint64_t>(1, std::min<uint64_t>(slots, room / size_for_slots));

    std::unique_ptr<uint8_t, FreeDeleter> ring;
    if (!job.to_gpu) {
        size_t bytes = size_t((slots * size_for_slots + 4095) & ~uint64_t(4095));
        ring.reset(static_cast<uint8_t *>(std::aligned_alloc(4096, bytes)));
        if (!ring) {
            result.failure =
                "could not allocate " + std::to_string(bytes) + " bytes of destination memory; lower hostRingBytes";
            return result;
        }
        std::memset(ring.get(), 0, bytes);  // fault the pages in before the clock starts
    }

    std::vector<uint32_t> free_slots(slots);
    for (uint64_t s = 0; s < slots; ++s)
        free_slots[s] = uint32_t(slots - 1 - s);
    // Sequential layout: every slot-sized position of the destination, in issue order.
    const uint64_t positions =
        std::max<uint64_t>(1, (job.to_gpu ? job.gpu_buffer_size : slots * size_for_slots) / size_for_slots);
    std::vector<uint8_t> position_busy(job.sequential ? positions : 0);
    std::vector<ds::Completion> done(std::max<uint64_t>(64, std::min<uint64_t>(slots, 4096)));

    ds::Request req;
    req.op = ds::Op::Read;
    req.source = job.from_memory ? ds::Source::Memory : ds::Source::File;
    req.memory = job.to_gpu ? ds::Memory::Gpu : ds::Memory::Host;
    req.fd = job.fd;
    req.size = job.size;
    req.gpu_buffer = job.gpu_buffer;
    req.gpu_buffer_size = job.gpu_buffer_size;
    if (job.compression != ds::Compression::None) {
        req.compression = job.compression;
        req.uncompressed_size = job.uncompressed_size;
    }

    uint64_t issued = 0;
    const double cpu0 = cpu_now();
    const auto t0 = std::chrono::steady_clock::now();
    auto last_progress = t0;

    while (result.requests < job.count) {
        bool added = false;
        while (issued < job.count && !free_slots.empty() && result.failure.empty()) {
            uint32_t slot = free_slots.back();
            if (job.sequential) {
                slot = uint32_t(issued % positions);
                if (position_busy[slot])
                    break;  // wait until that position's read completes
            }
            req.offset = offset_of(job, issued);
            if (job.from_memory) {
                if (req.offset > job.src.size() || job.size > job.src.size() - req.offset) {
                    result.failure = "read " + std::to_string(issued) + " (offset " + std::to_string(req.offset) +
                                     ", size " + std::to_string(job.size) + ") is past the end of src (" +
                                     std::to_string(job.src.size()) + " bytes); check offset/stride/span";
                    break;
                }
                req.src = job.src.data() + req.offset;
            }
            req.user_data = kBulkTag | slot;
            if (job.to_gpu)
                req.gpu_offset = uint64_t(slot) * size_for_slots;
            else
                req.dst = ring.get() + uint64_t(slot) * size_for_slots;
            ds::QueueResult r = queue.try_enqueue(req);
            if (r == ds::QueueResult::Full)
                break;
            if (r != ds::QueueResult::Ok) {
                result.failure = "the queue refused a request (closed or invalid); close nothing while runReads runs";
                break;
            }
            free_slots.pop_back();
            if (job.sequential)
                position_busy[slot] = 1;
            ++issued;
            added = true;
        }
        if (!result.failure.empty() && issued == result.requests)
            break;
        if (added)
            queue.submit();

        size_t n = 0;
        ds::QueueResult r = queue.wait(done.data(), done.size(), &n, std::chrono::milliseconds(200));
        for (size_t k = 0; k < n; ++k) {
            const ds::Completion &c = done[k];
            if (c.kind != ds::EntryKind::Request || !(c.user_data & kBulkTag))
                continue;
            ++result.requests;
            result.bytes += c.bytes;
            if (c.status != ds::Status::Ok)
                ++result.errors;
            result.status_counts[size_t(c.status) & 7]++;
            uint32_t slot = uint32_t(c.user_data & ~kBulkTag);
            if (job.sequential) {
                position_busy[slot] = 0;
                free_slots.push_back(0);  // only the count of free slots matters here
            } else {
                free_slots.push_back(slot);
            }
        }
        auto now = std::chrono::steady_clock::now();
        if (n)
            last_progress = now;
        if (r == ds::QueueResult::Closed) {
            result.failure = "the queue was closed while runReads was running";
            break;
        }
        if (now - last_progress > kStallLimit) {
            result.failure = "no completion for 60 s with " + std::to_string(issued - result.requests) +
                             " reads in flight: the backend stalled";
            break;
        }
    }

    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    result.cpu_seconds = cpu_now() - cpu0;
    return result;
}

}  // namespace dsnode
