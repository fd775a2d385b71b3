// SPDX-License-Identifier: MIT
// The io_uring backend's private class. One thread owns the ring: it creates it, prepares
// SQEs, submits, reaps and tears it down. Other threads only append to `incoming_` and, when
// the ring thread sleeps, write the eventfd whose read is kept armed in the ring.
#pragma once

#include <liburing.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "ds/io_uring_backend.h"
#include "io_uring/bounce_pool.h"
#include "io_uring/op_slots.h"
#include "io_uring/segment_plan.h"
#include "work.h"

namespace ds::uring {

/// A request the ring thread has taken but not fully issued.
struct PendingWork {
    Work *work = nullptr;
    bool started = false;
    SegmentPlan plan;
    uint32_t segments = 0;
    uint32_t issued = 0;
    uint64_t next_pos = 0;
};

class UringBackend final : public Backend {
public:
    /// Starts the ring thread and waits until it has set the ring up. nullptr and *error
    /// (negative errno) when the kernel refuses.
    static std::shared_ptr<Backend> create(const IoUringBackendConfig &config, int *error);
    explicit UringBackend(const IoUringBackendConfig &config);
    ~UringBackend() override;

    const char *name() const override { return "io_uring"; }
    BackendCaps caps() const override { return {}; }
    BackendStats stats() const override;
    void submit(Work *const *items, size_t count) override;

private:
    // Ring thread: io_uring_backend.cpp
    void ring_main();
    int setup_ring();
    bool take_incoming();
    bool decide_to_block();
    io_uring_sqe *get_sqe();
    void submit_batch(bool wait);
    void reap();
    void arm_wakeup();
    void cancel_in_flight();

    // Starting requests and preparing SQEs: io_uring_issue.cpp
    void issue_pending();
    bool start(PendingWork &p);
    void issue_segment(PendingWork &p, const Segment &s);
    void cancel_rest(PendingWork &p);
    void cancel_all_pending();
    void prepare(uint32_t slot);

    // Completions: io_uring_complete.cpp
    void complete(uint32_t slot, int res);
    void resubmit(uint32_t slot);
    void fall_back_to_buffered(uint32_t slot);
    void finish_op(uint32_t slot, Status status, uint64_t bytes, int error = 0);
    void fail_unsubmitted(int error);

    const IoUringBackendConfig config_;
    io_uring ring_{};
    OpSlots slots_;
    BouncePool bounce_;
    int wake_fd_ = -1;
    uint64_t wake_value_ = 0;  // the armed eventfd read lands here
    bool wake_armed_ = false;
    bool stopping_ = false;  // ring thread's copy of stop_: no new work, no resubmits
    int inject_submit_error_ = 0;
    uint32_t batch_ops_ = 0;  // request SQEs prepared since the last submit

    std::vector<PendingWork> pending_;  // FIFO: pending_[pending_head_ ..]
    size_t pending_head_ = 0;
    std::vector<Work *> taken_;  // swapped with incoming_ under the lock

    std::mutex mutex_;
    std::condition_variable setup_cv_;
    bool setup_done_ = false;
    int setup_error_ = 0;
    std::vector<Work *> incoming_;
    bool sleeping_ = false;  // the ring thread may block: submitters must write the eventfd
    bool stop_ = false;
    std::thread thread_;

    std::atomic<uint64_t> submits_{0};
    std::atomic<uint64_t> direct_reads_{0};
    std::atomic<uint64_t> buffered_fallbacks_{0};
};

/// user_data values that are not slot indices.
inline constexpr uint64_t kWakeTag = UINT64_MAX;
inline constexpr uint64_t kDiscardedTag = UINT64_MAX - 1;

}  // namespace ds::uring
