// SPDX-License-Identifier: MIT
// ds::Queue: slots, submission, ordering of signals/checkpoints, cancellation and shutdown.
//
// Every entry (request, signal, checkpoint) holds a slot from enqueue until the owner
// retrieves its completion, so memory is bounded by the capacity. Requests complete in any
// order; `order_` keeps entries in enqueue order so signals and checkpoints fire only once
// everything enqueued before them is done ("the frontier").
#include "ds/queue.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <vector>

#include "request_check.h"
#include "work.h"

namespace ds {

namespace {
using Clock = std::chrono::steady_clock;

enum class SlotState : uint8_t { Free, Pending, InFlight, Ready };

bool is_failure(Status s) { return s != Status::Ok && s != Status::Cancelled; }
}  // namespace

struct Queue::Impl final : WorkSink {
    struct OrderRec {
        uint64_t seq;
        uint32_t slot;
        EntryKind kind;
        bool done = false;
        Status status = Status::Ok;
        uint64_t user_data = 0;
    };
    struct Slot {
        Work work;
        SlotState state = SlotState::Free;
        EntryKind kind = EntryKind::Request;
        OrderRec *rec = nullptr;
        Completion result;
    };

    std::shared_ptr<Backend> backend;
    BackendCaps caps;
    QueueConfig config;
    uint32_t auto_submit_at;

    mutable std::mutex m;
    std::condition_variable space_cv;  // a slot was freed, or the queue closed
    std::condition_variable ready_cv;  // a completion is ready, or the queue closed
    std::condition_variable idle_cv;   // nothing in flight any more

    std::unique_ptr<Slot[]> slots;
    std::vector<uint32_t> free_slots;
    std::vector<uint32_t> pending;  // requests enqueued, not yet submitted
    uint32_t unsubmitted = 0;       // entries of any kind since the last submit
    std::deque<OrderRec> order;     // entries not yet passed by the frontier
    std::deque<uint32_t> ready;     // slots whose completion awaits retrieval
    uint64_t next_seq = 0;
    uint64_t submitted_seq = 0;  // entries with seq below this were submitted
    uint32_t in_flight = 0;      // requests handed to the backend
    bool closed = false;

    bool have_failure = false;  // first failure since the last checkpoint
    Status failure_status = Status::Ok;
    uint64_t failure_user_data = 0;

    QueueStats counters;
    Clock::time_point busy_since;

    Impl(std::shared_ptr<Backend> b, const QueueConfig &c)
        : backend(std::move(b)), caps(backend->caps()), config(c),
          auto_submit_at(std::max<uint32_t>(1, c.capacity / 2)), slots(new Slot[c.capacity]) {
        free_slots.reserve(c.capacity);
        for (uint32_t i = c.capacity; i-- > 0;) {
            free_slots.push_back(i);
            slots[i].work.sink = this;
            slots[i].work.index = i;
        }
        pending.reserve(c.capacity);
    }

    static uint32_t slot_of(const Work *w) { return w->index; }

    // --- enqueue -------------------------------------------------------------------------
    QueueResult take_slot(std::unique_lock<std::mutex> &lk, bool block, uint32_t *out) {
        while (!closed && free_slots.empty()) {
            if (!block)
                return QueueResult::Full;
            space_cv.wait(lk);
        }
        if (closed)
            return QueueResult::Closed;
        *out = free_slots.back();
        free_slots.pop_back();
        return QueueResult::Ok;
    }

    OrderRec *append(uint32_t slot, EntryKind kind, uint64_t user_data) {
        order.push_back(OrderRec{next_seq++, slot, kind});
        order.back().user_data = user_data;
        Slot &s = slots[slot];
        s.kind = kind;
        s.rec = &order.back();  // std::deque keeps element addresses stable on push/pop at the ends
        ++unsubmitted;
        return s.rec;
    }

    QueueResult enqueue_request(const Request &req, bool block) {
        std::vector<Work *> batch;
        {
            std::unique_lock lk(m);
            uint32_t slot;
            QueueResult r = take_slot(lk, block, &slot);
            if (r != QueueResult::Ok)
                return r;
            Slot &s = slots[slot];
            s.work.req = req;
            s.work.cancel_requested.store(false, std::memory_order_relaxed);
            s.state = SlotState::Pending;
            append(slot, EntryKind::Request, req.user_data);
            pending.push_back(slot);
            if (config.auto_submit && unsubmitted >= auto_submit_at)
                take_batch(batch);
        }
        hand_to_backend(batch);
        return QueueResult::Ok;
    }

    QueueResult enqueue_marker(EntryKind kind, uint64_t user_data) {
        std::vector<Work *> batch;
        {
            std::unique_lock lk(m);
            uint32_t slot;
            QueueResult r = take_slot(lk, true, &slot);
            if (r != QueueResult::Ok)
                return r;
            slots[slot].state = SlotState::Pending;
            append(slot, kind, user_data);
            if (config.auto_submit && unsubmitted >= auto_submit_at)
                take_batch(batch);
        }
        hand_to_backend(batch);
        return QueueResult::Ok;
    }

    // --- submission ----------------------------------------------------------------------
    // Under the lock: marks everything enqueued so far as submitted, completes requests that
    // fail validation on the spot, and returns the rest for the backend.
    void take_batch(std::vector<Work *> &batch) {
        submitted_seq = next_seq;
        unsubmitted = 0;
        batch.reserve(pending.size());
        for (uint32_t slot : pending) {
            Slot &s = slots[slot];
            Completion verdict;
            if (!check_request(s.work.req, caps, &verdict)) {
                s.state = SlotState::InFlight;
                count_in_flight(1);
                complete_locked(slot, verdict);
                continue;
            }
            s.state = SlotState::InFlight;
            batch.push_back(&s.work);
        }
        pending.clear();
        count_in_flight(static_cast<uint32_t>(batch.size()));
        advance_frontier();
    }

    void hand_to_backend(std::vector<Work *> &batch) {
        if (!batch.empty())
            backend->submit(batch.data(), batch.size());
    }

    void count_in_flight(uint32_t n) {
        if (n && in_flight == 0)
            busy_since = Clock::now();
        in_flight += n;
    }

    // --- completion ----------------------------------------------------------------------
    void finish(Work *work, const Completion &result) override {
        std::lock_guard lk(m);
        complete_locked(slot_of(work), result);
        advance_frontier();
        // Notify while holding the lock: once we unlock, the queue may be destroyed.
        if (in_flight == 0)
            idle_cv.notify_all();
    }

    // One lock and one wake-up for several completions (the CPU backend's workers batch them).
    void finish_many(Work *const *works, const Completion *results, size_t count) override {
        std::lock_guard lk(m);
        for (size_t i = 0; i < count; ++i)
            complete_locked(slot_of(works[i]), results[i], false);
        advance_frontier();
        ready_cv.notify_all();  // every waiter: there may be more completions than one takes
        if (in_flight == 0)
            idle_cv.notify_all();
    }

    // A request leaves flight (or is cancelled before submission) with `result`.
    void complete_locked(uint32_t slot, const Completion &result, bool notify = true) {
        Slot &s = slots[slot];
        bool was_in_flight = s.state == SlotState::InFlight;
        s.result = result;
        s.result.kind = EntryKind::Request;
        s.result.user_data = s.work.req.user_data;
        s.rec->done = true;
        s.rec->status = result.status;
        s.state = SlotState::Ready;
        ready.push_back(slot);
        if (notify)
            ready_cv.notify_one();

        ++counters.requests;
        counters.bytes += result.bytes;
        if (result.status == Status::Cancelled)
            ++counters.cancelled;
        else if (is_failure(result.status))
            ++counters.errors;
        if (was_in_flight && --in_flight == 0)
            counters.busy_ns += static_cast<uint64_t>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - busy_since).count());
    }

    // Fires signals and checkpoints whose predecessors have all completed.
    void advance_frontier() {
        while (!order.empty() && order.front().seq < submitted_seq) {
            OrderRec &rec = order.front();
            if (rec.kind == EntryKind::Request) {
                if (!rec.done)
                    return;
                if (is_failure(rec.status) && !have_failure) {
                    have_failure = true;
                    failure_status = rec.status;
                    failure_user_data = rec.user_data;
                }
            } else {
                Slot &s = slots[rec.slot];
                s.result = Completion{};
                s.result.kind = rec.kind;
                s.result.user_data = rec.user_data;
                if (rec.kind == EntryKind::Status && have_failure) {
                    s.result.status = failure_status;
                    s.result.failed_user_data = failure_user_data;
                }
                if (rec.kind == EntryKind::Status)
                    have_failure = false;
                s.state = SlotState::Ready;
                ready.push_back(rec.slot);
                ready_cv.notify_one();
            }
            // A finished request's slot may already have been retrieved and reused.
            if (slots[rec.slot].rec == &rec)
                slots[rec.slot].rec = nullptr;
            order.pop_front();
        }
    }

    // --- retrieval -----------------------------------------------------------------------
    size_t take_ready(Completion *out, size_t max) {
        size_t n = std::min(max, ready.size());
        for (size_t i = 0; i < n; ++i) {
            uint32_t slot = ready.front();
            ready.pop_front();
            out[i] = slots[slot].result;
            slots[slot].state = SlotState::Free;
            free_slots.push_back(slot);
        }
        if (n)
            space_cv.notify_all();
        return n;
    }

    // --- cancellation and shutdown -------------------------------------------------------
    uint32_t cancel(uint64_t mask, uint64_t value) {
        std::lock_guard lk(m);
        uint32_t matched = 0;
        auto matches = [&](const Slot &s) { return (s.work.req.cancel_tag & mask) == value; };
        auto keep = std::remove_if(pending.begin(), pending.end(), [&](uint32_t slot) {
            if (!matches(slots[slot]))
                return false;
            ++matched;
            Completion c;
            c.status = Status::Cancelled;
            complete_locked(slot, c);
            return true;
        });
        pending.erase(keep, pending.end());
        for (uint32_t i = 0; i < config.capacity; ++i) {
            Slot &s = slots[i];
            if (s.state == SlotState::InFlight && s.kind == EntryKind::Request && matches(s)) {
                s.work.cancel_requested.store(true, std::memory_order_relaxed);
                ++matched;
            }
        }
        return matched;
    }

    void close() {
        std::unique_lock lk(m);
        closed = true;
        for (uint32_t slot : pending) {
            Completion c;
            c.status = Status::Cancelled;
            complete_locked(slot, c);
        }
        pending.clear();
        submitted_seq = next_seq;  // let signals and checkpoints fire as the rest drains
        unsubmitted = 0;
        for (uint32_t i = 0; i < config.capacity; ++i)
            if (slots[i].state == SlotState::InFlight)
                slots[i].work.cancel_requested.store(true, std::memory_order_relaxed);
        advance_frontier();
        space_cv.notify_all();
        idle_cv.wait(lk, [&] { return in_flight == 0; });
        ready_cv.notify_all();
    }
};

// --- public surface ----------------------------------------------------------------------

std::unique_ptr<Queue> Queue::create(std::shared_ptr<Backend> backend, const QueueConfig &config) {
    if (!backend || config.capacity == 0 || config.capacity > kMaxQueueCapacity)
        return nullptr;
    return std::unique_ptr<Queue>(new Queue(std::make_unique<Impl>(std::move(backend), config)));
}

Queue::Queue(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Queue::~Queue() {
    if (impl_)
        impl_->close();
}

QueueResult Queue::enqueue(const Request &req) { return impl_->enqueue_request(req, true); }
QueueResult Queue::try_enqueue(const Request &req) { return impl_->enqueue_request(req, false); }
QueueResult Queue::enqueue_signal(uint64_t user_data) { return impl_->enqueue_marker(EntryKind::Signal, user_data); }
QueueResult Queue::enqueue_status(uint64_t user_data) { return impl_->enqueue_marker(EntryKind::Status, user_data); }

void Queue::submit() {
    std::vector<Work *> batch;
    {
        std::lock_guard lk(impl_->m);
        if (impl_->closed)
            return;
        impl_->take_batch(batch);
    }
    impl_->hand_to_backend(batch);
}

uint32_t Queue::cancel(uint64_t mask, uint64_t value) { return impl_->cancel(mask, value); }
void Queue::close() { impl_->close(); }

size_t Queue::poll(Completion *out, size_t max) {
    std::lock_guard lk(impl_->m);
    return impl_->take_ready(out, max);
}

QueueResult Queue::wait(Completion *out, size_t max, size_t *count, std::chrono::nanoseconds timeout) {
    *count = 0;
    if (!out || max == 0)
        return QueueResult::InvalidArgument;
    std::unique_lock lk(impl_->m);
    auto deliverable = [&] { return !impl_->ready.empty() || (impl_->closed && impl_->in_flight == 0); };
    if (timeout == std::chrono::nanoseconds::max())
        impl_->ready_cv.wait(lk, deliverable);
    else if (!impl_->ready_cv.wait_for(lk, timeout, deliverable))
        return QueueResult::Timeout;
    *count = impl_->take_ready(out, max);
    if (*count == 0)
        return QueueResult::Closed;
    return QueueResult::Ok;
}

QueueInfo Queue::info() const {
    std::lock_guard lk(impl_->m);
    QueueInfo i;
    i.capacity = impl_->config.capacity;
    i.empty_slots = static_cast<uint32_t>(impl_->free_slots.size());
    i.until_auto_submit = impl_->config.auto_submit
                              ? impl_->auto_submit_at - std::min(impl_->unsubmitted, impl_->auto_submit_at)
                              : UINT32_MAX;
    return i;
}

QueueStats Queue::stats() const {
    std::lock_guard lk(impl_->m);
    QueueStats s = impl_->counters;
    if (impl_->in_flight)
        s.busy_ns += static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - impl_->busy_since).count());
    return s;
}

Backend &Queue::backend() const { return *impl_->backend; }

}  // namespace ds
