// SPDX-License-Identifier: MIT
// Signals and checkpoints fire after everything before them; requests complete in any order.
#include <thread>

#include "check.h"
#include "held_backend.h"
#include "test_util.h"

using namespace ds;
using dstest::fake_read;

static std::unique_ptr<Queue> make_queue(std::shared_ptr<dstest::HeldBackend> b, uint32_t capacity = 64,
                                         bool auto_submit = true) {
    QueueConfig c;
    c.capacity = capacity;
    c.auto_submit = auto_submit;
    return Queue::create(b, c);
}

static void test_signal_waits_for_earlier_requests() {
    auto b = std::make_shared<dstest::HeldBackend>();
    auto q = make_queue(b);
    CHECK_EQ(q->enqueue(fake_read(1)), QueueResult::Ok);
    CHECK_EQ(q->enqueue(fake_read(2)), QueueResult::Ok);
    CHECK_EQ(q->enqueue_signal(100), QueueResult::Ok);
    CHECK_EQ(q->enqueue(fake_read(3)), QueueResult::Ok);
    q->submit();
    CHECK_EQ(b->held(), 3u);

    Completion c[8];
    // Request 3 (after the signal) completes first: it is delivered, the signal is not.
    CHECK(b->release(3));
    CHECK_EQ(q->poll(c, 8), 1u);
    CHECK_EQ(c[0].user_data, 3u);
    CHECK(b->release(2));
    CHECK_EQ(q->poll(c, 8), 1u);
    CHECK_EQ(c[0].user_data, 2u);
    // The last request before the signal completes: the request, then the signal.
    CHECK(b->release(1));
    CHECK_EQ(q->poll(c, 8), 2u);
    CHECK_EQ(c[0].user_data, 1u);
    CHECK_EQ(c[1].kind, EntryKind::Signal);
    CHECK_EQ(c[1].user_data, 100u);
}

static void test_nothing_runs_before_submit() {
    auto b = std::make_shared<dstest::HeldBackend>();
    auto q = make_queue(b, 64);
    for (uint64_t i = 0; i < 31; ++i)
        q->enqueue(fake_read(i));
    CHECK_EQ(b->held(), 0u);
    CHECK_EQ(q->info().until_auto_submit, 1u);
    CHECK_EQ(q->info().empty_slots, 33u);
    // The 32nd entry reaches half the capacity: auto-submit.
    q->enqueue(fake_read(31));
    CHECK_EQ(b->held(), 32u);
    CHECK_EQ(q->info().until_auto_submit, 32u);
    b->release_all();
}

static void test_signal_before_submit_does_not_fire() {
    auto b = std::make_shared<dstest::HeldBackend>();
    auto q = make_queue(b);
    q->enqueue_signal(7);
    Completion c[2];
    CHECK_EQ(q->poll(c, 2), 0u);
    q->submit();
    CHECK_EQ(q->poll(c, 2), 1u);
    CHECK_EQ(c[0].kind, EntryKind::Signal);
}

static void test_checkpoint_reports_first_failure_in_enqueue_order() {
    auto b = std::make_shared<dstest::HeldBackend>();
    auto q = make_queue(b);
    q->enqueue(fake_read(1));
    q->enqueue(fake_read(2));
    q->enqueue(fake_read(3));
    q->enqueue_status(50);
    q->enqueue(fake_read(4));
    q->enqueue_status(51);
    q->submit();
    // Completion order 3 (fails), 2 (fails), 1 ok: the first failure in enqueue order is 2.
    b->release(3, Status::IoError);
    b->release(2, Status::EndOfFile, 4);
    b->release(1);
    b->release(4);
    auto all = dstest::drain(*q, 6);
    int seen = 0;
    for (auto &c : all) {
        if (c.kind != EntryKind::Status)
            continue;
        if (c.user_data == 50) {
            CHECK_EQ(c.status, Status::EndOfFile);
            CHECK_EQ(c.failed_user_data, 2u);
            CHECK_EQ(seen, 0);
        } else {
            CHECK_EQ(c.user_data, 51u);
            CHECK_EQ(c.status, Status::Ok);  // nothing failed since checkpoint 50
        }
        ++seen;
    }
    CHECK_EQ(seen, 2);
}

static void test_cancel_unsubmitted_and_in_flight() {
    auto b = std::make_shared<dstest::HeldBackend>();
    auto q = make_queue(b, 64, false);
    q->enqueue(fake_read(1, 0xA1));
    q->enqueue(fake_read(2, 0xB1));
    q->submit();
    q->enqueue(fake_read(3, 0xA2));
    q->enqueue(fake_read(4, 0xB2));
    // Mask 0xF0 value 0xA0 matches 1 (in flight) and 3 (not yet submitted).
    CHECK_EQ(q->cancel(0xF0, 0xA0), 2u);
    Completion c[8];
    CHECK_EQ(q->poll(c, 8), 1u);
    CHECK_EQ(c[0].user_data, 3u);
    CHECK_EQ(c[0].status, Status::Cancelled);
    q->submit();
    b->release_all();
    auto rest = dstest::drain(*q, 3);
    for (auto &r : rest)
        CHECK_EQ(r.status, r.user_data == 1 ? Status::Cancelled : Status::Ok);
    CHECK_EQ(q->stats().cancelled, 2u);
    CHECK_EQ(q->stats().errors, 0u);
}

static void test_try_enqueue_full_and_slots_return_on_retrieval() {
    auto b = std::make_shared<dstest::HeldBackend>();
    auto q = make_queue(b, 4, false);
    for (uint64_t i = 0; i < 4; ++i)
        CHECK_EQ(q->try_enqueue(fake_read(i)), QueueResult::Ok);
    CHECK_EQ(q->try_enqueue(fake_read(9)), QueueResult::Full);
    q->submit();
    b->release_all();
    // Completed but not retrieved: still full.
    CHECK_EQ(q->try_enqueue(fake_read(9)), QueueResult::Full);
    Completion c[1];
    CHECK_EQ(q->poll(c, 1), 1u);
    CHECK_EQ(q->try_enqueue(fake_read(9)), QueueResult::Ok);
    q->submit();
    b->release_all();
}

static void test_blocking_enqueue_wakes_when_a_slot_frees() {
    auto b = std::make_shared<dstest::HeldBackend>();
    auto q = make_queue(b, 2, false);
    q->enqueue(fake_read(1));
    q->enqueue(fake_read(2));
    q->submit();
    std::thread t([&] { CHECK_EQ(q->enqueue(fake_read(3)), QueueResult::Ok); });
    b->release(1);
    Completion c[1];
    size_t n = 0;
    CHECK_EQ(q->wait(c, 1, &n, std::chrono::seconds(10)), QueueResult::Ok);
    t.join();
    q->submit();
    b->release_all();
}

static void test_close_cancels_pending_and_rejects_new() {
    auto b = std::make_shared<dstest::HeldBackend>();
    auto q = make_queue(b, 8, false);
    q->enqueue(fake_read(1));
    q->submit();
    q->enqueue(fake_read(2));
    q->enqueue_signal(9);
    std::thread closer([&] { q->close(); });
    // close() waits for request 1, which the backend still holds.
    while (b->held() != 1)
        std::this_thread::yield();
    b->release_all();
    closer.join();
    CHECK_EQ(q->enqueue(fake_read(3)), QueueResult::Closed);
    CHECK_EQ(q->enqueue_signal(1), QueueResult::Closed);
    auto all = dstest::drain(*q, 3);
    CHECK_EQ(all.size(), 3u);
    CHECK_EQ(all.back().kind, EntryKind::Signal);
    Completion c[1];
    size_t n = 0;
    CHECK_EQ(q->wait(c, 1, &n, std::chrono::milliseconds(10)), QueueResult::Closed);
}

static void test_wait_times_out() {
    auto b = std::make_shared<dstest::HeldBackend>();
    auto q = make_queue(b);
    Completion c[1];
    size_t n = 0;
    CHECK_EQ(q->wait(c, 1, &n, std::chrono::milliseconds(20)), QueueResult::Timeout);
    CHECK_EQ(n, 0u);
}

static void test_capacity_limits() {
    auto b = std::make_shared<dstest::HeldBackend>();
    QueueConfig c;
    c.capacity = 0;
    CHECK(Queue::create(b, c) == nullptr);
    c.capacity = kMaxQueueCapacity + 1;
    CHECK(Queue::create(b, c) == nullptr);
    c.capacity = kMaxQueueCapacity;
    CHECK(Queue::create(b, c) != nullptr);
    CHECK(Queue::create(nullptr, QueueConfig{}) == nullptr);
}

int main() {
    test_signal_waits_for_earlier_requests();
    test_nothing_runs_before_submit();
    test_signal_before_submit_does_not_fire();
    test_checkpoint_reports_first_failure_in_enqueue_order();
    test_cancel_unsubmitted_and_in_flight();
    test_try_enqueue_full_and_slots_return_on_retrieval();
    test_blocking_enqueue_wakes_when_a_slot_frees();
    test_close_cancels_pending_and_rejects_new();
    test_wait_times_out();
    test_capacity_limits();
    return dstest::finish("queue_ordering_test");
}
