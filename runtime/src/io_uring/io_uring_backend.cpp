// SPDX-License-Identifier: MIT
// The io_uring backend: factory, the ring thread's loop, submission and reaping.
#include "io_uring/uring_backend.h"
#include "thread_name.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace ds {

std::shared_ptr<Backend> make_io_uring_backend(const IoUringBackendConfig &config, int *error) {
    return uring::UringBackend::create(config, error);
}

namespace uring {
namespace {

uint64_t round_to_block(uint64_t v) { return std::max(kDirectAlign, (v + kDirectAlign - 1) & ~(kDirectAlign - 1)); }

// Keeps the kernel-facing numbers in range: an SQE length is 32 bits, a ring at most 32768.
IoUringBackendConfig normalized(IoUringBackendConfig c) {
    c.queue_depth = std::clamp<uint32_t>(c.queue_depth, 1, 16384);
    c.chunk_size = std::min<uint64_t>(round_to_block(c.chunk_size), 1u << 30);
    c.bounce_buffers = std::clamp<uint32_t>(c.bounce_buffers, 1, 1024);
    c.bounce_buffer_size = std::min<uint64_t>(round_to_block(c.bounce_buffer_size), 64u << 20);
    if (c.inject_submit_error > 0)
        c.inject_submit_error = -c.inject_submit_error;
    return c;
}

}  // namespace

std::shared_ptr<Backend> UringBackend::create(const IoUringBackendConfig &config, int *error) {
    auto backend = std::make_shared<UringBackend>(normalized(config));
    std::unique_lock<std::mutex> lock(backend->mutex_);
    backend->setup_cv_.wait(lock, [&] { return backend->setup_done_; });
    int err = backend->setup_error_;
    lock.unlock();
    if (error)
        *error = err;
    if (err != 0)
        return nullptr;  // the thread has already returned; the destructor joins it
    return backend;
}

UringBackend::UringBackend(const IoUringBackendConfig &config)
    : config_(config), slots_(config.queue_depth), inject_submit_error_(config.inject_submit_error) {
    pending_.reserve(config.queue_depth);
    taken_.reserve(config.queue_depth);
    incoming_.reserve(config.queue_depth);
    thread_ = std::thread([this] { ring_main(); });
    name_thread(thread_, "ds-uring");
}

UringBackend::~UringBackend() {
    bool wake;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
        wake = sleeping_;
        sleeping_ = false;
    }
    if (wake) {
        uint64_t one = 1;
        ssize_t ignored = ::write(wake_fd_, &one, sizeof one);
        (void)ignored;  // a full counter still wakes the reader
    }
    if (thread_.joinable())
        thread_.join();
    if (wake_fd_ >= 0)
        ::close(wake_fd_);
}

BackendStats UringBackend::stats() const {
    BackendStats s;
    s.submits = submits_.load(std::memory_order_relaxed);
    s.direct_reads = direct_reads_.load(std::memory_order_relaxed);
    s.buffered_fallbacks = buffered_fallbacks_.load(std::memory_order_relaxed);
    return s;
}

void UringBackend::submit(Work *const *items, size_t count) {
    if (count == 0)
        return;
    bool wake;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        incoming_.insert(incoming_.end(), items, items + count);
        wake = sleeping_;
        sleeping_ = false;
    }
    // Only a sleeping ring thread needs the syscall; a busy one sees incoming_ on its next turn.
    if (wake) {
        uint64_t one = 1;
        ssize_t ignored = ::write(wake_fd_, &one, sizeof one);
        (void)ignored;
    }
}

int UringBackend::setup_ring() {
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC);
    if (wake_fd_ < 0)
        return -errno;
    // Room for an SQE per op slot and the wakeup read, twice: after a refused submit the
    // refused SQEs stay queued as NOPs (fail_unsubmitted) while new work is prepared.
    const unsigned entries = 2 * (config_.queue_depth + 1);
    io_uring_params params{};
    // SINGLE_ISSUER and COOP_TASKRUN fit the one-thread design and cut kernel overhead;
    // kernels before 6.0 reject them, so retry plain.
    params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN;
    int err = io_uring_queue_init_params(entries, &ring_, &params);
    if (err == -EINVAL) {
        params = io_uring_params{};
        err = io_uring_queue_init_params(entries, &ring_, &params);
    }
    if (err < 0) {
        ::close(wake_fd_);
        wake_fd_ = -1;
        return err;
    }
    err = bounce_.init(&ring_, config_.bounce_buffers, config_.bounce_buffer_size);
    if (err < 0) {
        io_uring_queue_exit(&ring_);
        ::close(wake_fd_);
        wake_fd_ = -1;
    }
    return err;
}

void UringBackend::ring_main() {
    int err = setup_ring();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        setup_done_ = true;
        setup_error_ = err;
    }
    setup_cv_.notify_all();
    if (err != 0)
        return;

    for (;;) {
        const bool stopping = take_incoming();
        if (stopping && !stopping_) {
            stopping_ = true;
            cancel_all_pending();
            cancel_in_flight();
        }
        issue_pending();
        if (stopping_ && slots_.in_use() == 0)
            break;
        if (!stopping_) {
            arm_wakeup();
            submit_batch(decide_to_block());
        } else {
            // A cancel can lose a race with an op that is just being issued (-EALREADY), and
            // an op that never ends (an empty pipe) would then hold the destructor forever:
            // wait in short slices and ask again until every slot is back.
            submit_batch(false);
            __kernel_timespec slice{0, 100 * 1000 * 1000};
            io_uring_cqe *cqe = nullptr;
            if (io_uring_wait_cqe_timeout(&ring_, &cqe, &slice) == -ETIME)
                cancel_in_flight();
        }
        reap();
    }
    // Nothing of ours is in flight; the armed eventfd read is cancelled by the teardown.
    // wake_fd_ stays open: the destructor may still be writing it. It closes it after join.
    bounce_.unregister(&ring_);
    io_uring_queue_exit(&ring_);
}

bool UringBackend::take_incoming() {
    bool stopping;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        taken_.swap(incoming_);
        sleeping_ = false;
        stopping = stop_;
    }
    for (Work *w : taken_) {
        PendingWork p;
        p.work = w;
        pending_.push_back(p);
    }
    taken_.clear();
    return stopping;
}

bool UringBackend::decide_to_block() {
    // Blocking is safe only when something will post a CQE: an op in flight, or the armed
    // eventfd read that a submitter writes once it sees sleeping_.
    if (slots_.in_use() == 0 && !wake_armed_)
        return false;
    std::lock_guard<std::mutex> lock(mutex_);
    if (!incoming_.empty())
        return false;
    if (stop_)         // the destructor saw us awake and did not write the eventfd: go round
        return false;  // again so take_incoming() sees the stop and cancels what is in flight
    sleeping_ = true;
    return true;
}

void UringBackend::arm_wakeup() {
    if (wake_armed_)
        return;
    io_uring_sqe *sqe = get_sqe();
    if (!sqe)
        return;  // retried next turn; decide_to_block() will not sleep without it
    io_uring_prep_read(sqe, wake_fd_, &wake_value_, sizeof wake_value_, 0);
    io_uring_sqe_set_data64(sqe, kWakeTag);
    wake_armed_ = true;
}

// Shutdown: ask the kernel to cancel what it holds. File reads usually cannot be cancelled
// and simply finish; reads that could wait forever (pipes, sockets) end with -ECANCELED.
void UringBackend::cancel_in_flight() {
    for (uint32_t slot = 0; slot < slots_.size(); ++slot) {
        if (!slots_.busy(slot))
            continue;
        io_uring_sqe *sqe = get_sqe();
        if (!sqe)
            return;  // the ops still complete on their own
        io_uring_prep_cancel64(sqe, slot, 0);
        io_uring_sqe_set_data64(sqe, kDiscardedTag);
    }
}

// An SQE, making room by handing the prepared ones to the kernel when the SQ is full.
// Never reaps: callers may be inside reap()'s CQE loop.
io_uring_sqe *UringBackend::get_sqe() {
    if (io_uring_sqe *sqe = io_uring_get_sqe(&ring_))
        return sqe;
    const int r = io_uring_submit(&ring_);
    if (r >= 0) {
        if (batch_ops_ > 0)
            submits_.fetch_add(1, std::memory_order_relaxed);
        batch_ops_ = 0;
    } else if (r != -EINTR && r != -EAGAIN && r != -EBUSY) {
        fail_unsubmitted(-r);
    }
    return io_uring_get_sqe(&ring_);
}

void UringBackend::submit_batch(bool wait) {
    for (int attempt = 0;; ++attempt) {
        int r;
        if (inject_submit_error_ != 0 && batch_ops_ > 0) {
            r = inject_submit_error_;
            inject_submit_error_ = 0;
        } else {
            r = wait ? io_uring_submit_and_wait(&ring_, 1) : io_uring_submit(&ring_);
        }
        if (r >= 0) {
            if (batch_ops_ > 0)
                submits_.fetch_add(1, std::memory_order_relaxed);
            batch_ops_ = 0;
            return;
        }
        if (r == -EINTR)
            continue;
        // The kernel is short of resources or the CQ is full: free CQ space and retry.
        // Bounded, so a ring that stays busy turns into errors rather than a hang.
        if ((r == -EAGAIN || r == -EBUSY) && attempt < 1000) {
            reap();
            if (attempt > 10)
                ::usleep(1000);
            continue;
        }
        fail_unsubmitted(-r);
        return;
    }
}

void UringBackend::reap() {
    unsigned head;
    unsigned seen = 0;
    io_uring_cqe *cqe;
    io_uring_for_each_cqe(&ring_, head, cqe) {
        ++seen;
        const uint64_t tag = io_uring_cqe_get_data64(cqe);
        if (tag == kWakeTag)
            wake_armed_ = false;
        else if (tag != kDiscardedTag)
            complete(static_cast<uint32_t>(tag), cqe->res);
    }
    io_uring_cq_advance(&ring_, seen);
}

}  // namespace uring
}  // namespace ds
