// SPDX-License-Identifier: MIT
// Many threads, cancellation storms, a million requests, and destruction with work in flight.
// Every completion is accounted for exactly once.
#include <atomic>
#include <cstring>
#include <thread>

#include "check.h"
#include "ds/cpu_backend.h"
#include "test_util.h"

using namespace ds;

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr uint64_t kMillion = 200000;  // sanitizers are 5-20x slower; the release build runs 1M
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
constexpr uint64_t kMillion = 200000;
#else
constexpr uint64_t kMillion = 1000000;
#endif
#else
constexpr uint64_t kMillion = 1000000;
#endif

// Drains `total` request completions on its own thread, counting each user_data once.
struct Collector {
    Collector(Queue &q, uint64_t total)
        : seen(total), thread([this, &q, total] {
              Completion buf[512];
              uint64_t got = 0;
              while (got < total) {
                  size_t n = 0;
                  auto r = q.wait(buf, 512, &n, std::chrono::seconds(60));
                  if (r != QueueResult::Ok) {
                      std::fprintf(stderr, "collector: wait returned %d after %llu of %llu\n", static_cast<int>(r),
                                   static_cast<unsigned long long>(got), static_cast<unsigned long long>(total));
                      std::exit(1);
                  }
                  for (size_t i = 0; i < n; ++i) {
                      if (buf[i].kind != EntryKind::Request)
                          continue;
                      if (seen[buf[i].user_data].fetch_add(1) != 0)
                          duplicates.fetch_add(1);
                      if (buf[i].status == Status::Cancelled)
                          cancelled.fetch_add(1);
                      else if (buf[i].status != Status::Ok)
                          failed.fetch_add(1);
                      ++got;
                  }
              }
          }) {}
    void join() { thread.join(); }
    uint64_t missing() const {
        uint64_t m = 0;
        for (auto &s : seen)
            m += s.load() == 0;
        return m;
    }
    std::vector<std::atomic<uint8_t>> seen;
    std::atomic<uint64_t> duplicates{0}, cancelled{0}, failed{0};
    std::thread thread;
};

static Request small_read(const void *src, void *dst, uint64_t id, uint64_t tag = 0) {
    Request r;
    r.source = Source::Memory;
    r.src = src;
    r.dst = dst;
    r.size = 64;
    r.user_data = id;
    r.cancel_tag = tag;
    return r;
}

static void test_many_threads_enqueue() {
    constexpr int kThreads = 8;
    constexpr uint64_t kPerThread = 20000;
    QueueConfig qc;
    qc.capacity = 128;
    auto q = Queue::create(make_cpu_backend({4, 0}), qc);
    Collector col(*q, kThreads * kPerThread);
    static uint8_t src[64];
    std::vector<uint8_t> dst(kThreads * kPerThread * 64);  // one destination per request
    std::vector<std::thread> producers;
    for (int t = 0; t < kThreads; ++t)
        producers.emplace_back([&, t] {
            for (uint64_t i = 0; i < kPerThread; ++i) {
                CHECK_EQ(q->enqueue(small_read(src, &dst[(t * kPerThread + i) * 64], t * kPerThread + i)),
                         QueueResult::Ok);
                if (i % 64 == 0)
                    q->enqueue_signal(0);
            }
            q->submit();
        });
    for (auto &p : producers)
        p.join();
    q->submit();
    col.join();
    CHECK_EQ(col.missing(), 0u);
    CHECK_EQ(col.duplicates.load(), 0u);
    CHECK_EQ(col.failed.load(), 0u);
}

static void test_cancellation_storm() {
    constexpr uint64_t kTotal = 100000;
    QueueConfig qc;
    qc.capacity = 512;
    auto q = Queue::create(make_cpu_backend({3, 0}), qc);
    Collector col(*q, kTotal);
    static uint8_t src[64];
    std::vector<uint8_t> dst(kTotal * 64);
    std::atomic<bool> done{false};
    std::thread canceller([&] {
        while (!done.load())
            q->cancel(1, 1);  // odd tags
    });
    for (uint64_t i = 0; i < kTotal; ++i)
        q->enqueue(small_read(src, &dst[i * 64], i, i));
    q->submit();
    col.join();
    done = true;
    canceller.join();
    CHECK_EQ(col.missing(), 0u);
    CHECK_EQ(col.duplicates.load(), 0u);
    CHECK_EQ(col.failed.load(), 0u);
    CHECK_EQ(q->stats().cancelled, col.cancelled.load());
    std::printf("cancellation storm: %llu of %llu cancelled\n", static_cast<unsigned long long>(col.cancelled.load()),
                static_cast<unsigned long long>(kTotal));
}

static void test_a_million_small_requests() {
    dstest::TempFile f(1 << 20, 4);
    QueueConfig qc;
    qc.capacity = 4096;
    auto q = Queue::create(make_cpu_backend({2, 0}), qc);
    Collector col(*q, kMillion);
    std::vector<uint8_t> dst(kMillion * 64);  // one destination per request
    for (uint64_t i = 0; i < kMillion; ++i) {
        Request r;
        r.fd = f.fd;
        r.offset = (i * 64) % (1 << 20);
        r.size = 64;
        r.dst = &dst[i * 64];
        r.user_data = i;
        q->enqueue(r);
    }
    q->submit();
    col.join();
    CHECK_EQ(col.missing(), 0u);
    CHECK_EQ(col.duplicates.load(), 0u);
    CHECK_EQ(col.failed.load(), 0u);
    CHECK_EQ(q->stats().requests, kMillion);
    CHECK_EQ(q->stats().bytes, kMillion * 64);
    for (uint64_t i = 0; i < kMillion; i += 9973)
        CHECK(std::memcmp(&dst[i * 64], &f.bytes[(i * 64) % (1 << 20)], 64) == 0);
}

static void test_destroy_with_requests_in_flight() {
    dstest::TempFile f(8 << 20, 6);
    std::vector<uint8_t> dst(16ull * (8 << 20));
    for (int round = 0; round < 20; ++round) {
        auto backend = make_cpu_backend({2, 256 << 10});
        QueueConfig qc;
        qc.capacity = 64;
        auto q = Queue::create(backend, qc);
        for (int i = 0; i < 16; ++i) {
            Request r;
            r.fd = f.fd;
            r.size = 8 << 20;
            r.dst = &dst[static_cast<size_t>(i) * (8 << 20)];
            q->enqueue(r);
        }
        q->submit();
        if (round % 2)
            q->cancel(0, 0);  // cancel everything, some already in flight
        q.reset();            // must not hang, must not leave a completion behind
        backend.reset();
    }
    CHECK(true);
}

int main() {
    test_many_threads_enqueue();
    test_cancellation_storm();
    test_a_million_small_requests();
    test_destroy_with_requests_in_flight();
    return dstest::finish("queue_concurrency_test");
}
