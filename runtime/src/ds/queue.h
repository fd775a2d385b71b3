// SPDX-License-Identifier: MIT
// ds::Queue: bounded, ordered request queue with signals, status checkpoints and cancellation.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "ds/backend.h"
#include "ds/request.h"

namespace ds {

inline constexpr uint32_t kMaxQueueCapacity = 65536;

/// Result of a queue operation (not of a request: requests report through completions).
enum class QueueResult : uint8_t {
    Ok = 0,
    Full = 1,    ///< try_enqueue only: no free slot
    Closed = 2,  ///< the queue was closed
    InvalidArgument = 3,
    Timeout = 4,  ///< wait: nothing completed in time
};

struct QueueConfig {
    uint32_t capacity = 1024;  ///< slots; 1 .. kMaxQueueCapacity
    bool auto_submit = true;   ///< submit once capacity/2 entries wait unsubmitted
};

/// Snapshot for DirectStorage's Query().
struct QueueInfo {
    uint32_t capacity = 0;
    uint32_t empty_slots = 0;
    uint32_t until_auto_submit = 0;
};

struct QueueStats {
    uint64_t requests = 0;  ///< requests completed (any status)
    uint64_t bytes = 0;     ///< bytes transferred by completed requests
    uint64_t errors = 0;    ///< requests completed with a status other than Ok or Cancelled
    uint64_t cancelled = 0;
    uint64_t busy_ns = 0;  ///< time with at least one request submitted and not yet complete
};

/// A slot is taken at enqueue and given back when its completion is retrieved with
/// poll() or wait(): the queue never holds more than `capacity` results.
/// Completions are delivered to the owner only; no user code runs on backend threads.
class Queue {
public:
    /// nullptr when config is invalid (capacity 0 or above kMaxQueueCapacity) or backend is null.
    static std::unique_ptr<Queue> create(std::shared_ptr<Backend> backend, const QueueConfig &config);
    ~Queue();  ///< closes, cancels what has not started, waits for what has
    Queue(const Queue &) = delete;
    Queue &operator=(const Queue &) = delete;

    QueueResult enqueue(const Request &req);         ///< blocks while full
    QueueResult try_enqueue(const Request &req);     ///< Full instead of blocking
    QueueResult enqueue_signal(uint64_t user_data);  ///< fires after everything enqueued before it
    QueueResult enqueue_status(uint64_t user_data);  ///< reports the first failure since the last one

    void submit();
    /// Cancels requests with (cancel_tag & mask) == value that have not started; flags started
    /// ones so a backend that has not touched them yet completes them as Cancelled.
    /// Returns how many were matched.
    uint32_t cancel(uint64_t mask, uint64_t value);
    /// Refuses new entries, cancels unsubmitted requests and waits for in-flight ones.
    /// Completions already produced can still be retrieved.
    void close();

    /// Non-blocking: moves up to max completions into out.
    size_t poll(Completion *out, size_t max);
    /// Blocks until at least one completion is available, the timeout expires (Timeout),
    /// or the queue is closed with nothing left to deliver (Closed).
    QueueResult wait(Completion *out, size_t max, size_t *count, std::chrono::nanoseconds timeout);

    QueueInfo info() const;
    QueueStats stats() const;
    Backend &backend() const;

    struct Impl;

private:
    explicit Queue(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace ds
