// SPDX-License-Identifier: MIT
// 100k small requests from four submitting threads straight into the io_uring backend:
// every request is finished exactly once with the right bytes, and the ring thread's
// sleep/wake handshake never loses a submission (a lost wakeup shows up as a timeout).
// Runs under TSan (label "concurrency").
#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "check.h"
#include "ds/io_uring_backend.h"
#include "test_util.h"
#include "work.h"

using namespace ds;

namespace {

constexpr size_t kThreads = 4;
constexpr size_t kPerThread = 25000;
constexpr size_t kTotal = kThreads * kPerThread;
constexpr uint64_t kReadSize = 64;
constexpr size_t kWindow = 256;  // requests a thread keeps outstanding

struct Sink final : WorkSink {
    std::vector<std::atomic<uint32_t>> times = std::vector<std::atomic<uint32_t>>(kTotal);
    std::vector<std::atomic<uint32_t>> bad = std::vector<std::atomic<uint32_t>>(kTotal);
    std::atomic<size_t> outstanding[kThreads] = {};
    std::atomic<size_t> finished{0};

    void finish(Work *w, const Completion &c) override {
        const uint64_t i = c.user_data;
        if (c.status != Status::Ok || c.bytes != kReadSize)
            bad[i].fetch_add(1, std::memory_order_relaxed);
        times[i].fetch_add(1, std::memory_order_relaxed);
        (void)w;
        outstanding[i / kPerThread].fetch_sub(1, std::memory_order_release);
        finished.fetch_add(1, std::memory_order_release);
    }
};

}  // namespace

int main() {
    IoUringBackendConfig bc;
    bc.queue_depth = 128;
    int err = 0;
    auto backend = make_io_uring_backend(bc, &err);
    if (!backend)
        dstest::skip_or_fail("DS_REQUIRE_IO_URING", std::string("io_uring unavailable: ") + std::strerror(-err));

    dstest::TempFile f(kTotal * kReadSize / 8, 51);  // requests overlap: offsets step by 8
    std::vector<uint8_t> dst(kTotal * kReadSize, 0);
    std::vector<Work> works(kTotal);
    Sink sink;

    auto submitter = [&](size_t t) {
        std::vector<Work *> batch;
        for (size_t k = 0; k < kPerThread;) {
            // Keep at most kWindow in flight, submitting in batches of 1..32.
            while (sink.outstanding[t].load(std::memory_order_acquire) + 32 > kWindow)
                std::this_thread::yield();
            batch.clear();
            const size_t n = std::min<size_t>(1 + (k % 32), kPerThread - k);
            for (size_t j = 0; j < n; ++j, ++k) {
                const size_t i = t * kPerThread + k;
                Work &w = works[i];
                w.sink = &sink;
                w.req.fd = f.fd;
                w.req.offset = (i * 8) % (f.bytes.size() - kReadSize);
                w.req.size = kReadSize;
                w.req.dst = dst.data() + i * kReadSize;
                w.req.user_data = i;
                batch.push_back(&w);
            }
            sink.outstanding[t].fetch_add(n, std::memory_order_relaxed);
            backend->submit(batch.data(), batch.size());
            if (k % 1000 < 32)
                std::this_thread::sleep_for(std::chrono::microseconds(200));  // let the ring go idle
        }
    };
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (size_t t = 0; t < kThreads; ++t)
        threads.emplace_back(submitter, t);
    for (auto &th : threads)
        th.join();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (sink.finished.load(std::memory_order_acquire) < kTotal) {
        if (std::chrono::steady_clock::now() > deadline) {
            std::fprintf(stderr, "only %zu of %zu requests finished after 60 s: a lost wakeup or a stuck op\n",
                         sink.finished.load(), kTotal);
            return 1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%zu requests in %.3f s (%.0f/s)\n", kTotal, secs, kTotal / secs);

    size_t wrong_count = 0, wrong_result = 0, wrong_bytes = 0;
    for (size_t i = 0; i < kTotal; ++i) {
        wrong_count += sink.times[i].load() != 1;
        wrong_result += sink.bad[i].load() != 0;
        wrong_bytes += std::memcmp(dst.data() + i * kReadSize, f.bytes.data() + works[i].req.offset, kReadSize) != 0;
    }
    CHECK_EQ(wrong_count, 0u);
    CHECK_EQ(wrong_result, 0u);
    CHECK_EQ(wrong_bytes, 0u);
    backend.reset();
    return dstest::finish("io_uring_concurrency_test");
}
