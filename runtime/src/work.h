// SPDX-License-Identifier: MIT
// ds::Work: a request in flight, shared by the queue and the backend executing it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "ds/request.h"

namespace ds {

struct Work;

/// Receives finished work. Implemented by the queue; called from backend threads.
class WorkSink {
public:
    virtual void finish(Work *work, const Completion &result) = 0;
    /// Several at once, e.g. under one lock with one wake-up; by default one by one.
    virtual void finish_many(Work *const *works, const Completion *results, size_t count) {
        for (size_t i = 0; i < count; ++i)
            finish(works[i], results[i]);
    }

protected:
    ~WorkSink() = default;
};

/// One request as a backend sees it. A backend may split it into chunks executed in
/// parallel: it calls begin_chunks(n) once, then chunk_done() n times; the last call
/// finishes the request. Unsplit work calls finish() directly.
struct Work {
    Request req;
    WorkSink *sink = nullptr;
    uint32_t index = 0;  ///< the owner's slot number for this item
    std::atomic<bool> cancel_requested{false};

    /// Exactly once per request: hands the result to the queue. `this` may be reused after.
    void finish(Status status, uint64_t bytes, int32_t error = 0, Field field = Field::None);
    /// The completion finish() would hand over, for a caller that hands several at once
    /// (WorkSink::finish_many): that call then counts as this request's finish().
    Completion completion(Status status, uint64_t bytes, int32_t error = 0, Field field = Field::None) const;

    void begin_chunks(uint32_t count);
    /// chunk_start: the chunk's offset within the request; bytes: how many it moved.
    /// A chunk that ran short (EOF) reports EndOfFile with the bytes it did move.
    void chunk_done(uint64_t chunk_start, Status status, uint64_t bytes, int32_t error = 0);
    /// chunk_done() that hands the request's completion to `out` instead of finishing it: true
    /// when this was the last chunk, and the caller must then hand `*out` over (FinishBatch).
    bool chunk_settle(uint64_t chunk_start, Status status, uint64_t bytes, int32_t error, Completion *out);

    bool cancelled() const { return cancel_requested.load(std::memory_order_relaxed); }

private:
    std::atomic<uint32_t> chunks_left_{0};
    std::atomic<uint8_t> worst_{0};  // Status severity rank, see work.cpp
    std::atomic<int32_t> error_{0};
    std::atomic<uint64_t> short_at_{UINT64_MAX};  // smallest end of a short chunk
};

/// Completions handed to their queues together: one WorkSink::finish_many per run of consecutive
/// works of one sink, so a backend that completes many requests at once takes each queue's lock
/// and wakes its waiters once, not once per request. Flushed when full, when the sink changes and
/// at destruction; a work added here counts as finished (its finish() must not be called too).
class FinishBatch {
public:
    FinishBatch() = default;
    FinishBatch(const FinishBatch &) = delete;
    FinishBatch &operator=(const FinishBatch &) = delete;
    ~FinishBatch() { flush(); }

    void add(Work *work, const Completion &result);
    /// A chunk's end: adds the request's completion when it was the last chunk.
    void chunk(Work *work, uint64_t chunk_start, Status status, uint64_t bytes, int32_t error = 0);
    void flush();

private:
    static constexpr size_t kCapacity = 64;
    Work *works_[kCapacity];
    Completion results_[kCapacity];
    size_t count_ = 0;
};

}  // namespace ds
