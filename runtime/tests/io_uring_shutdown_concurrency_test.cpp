// SPDX-License-Identifier: MIT
// Destroying the io_uring backend with requests in flight and waiting: the destructor returns,
// and every request has been finished exactly once (Ok with the right bytes, or Cancelled).
// Drives Backend::submit directly, so the backend's own destructor is what is tested.
// Also runs under TSan (label "concurrency"): it races the destructor against the ring thread.
#include <unistd.h>

#include <atomic>
#include <cerrno>
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

// Counts how often each request (user_data = index) was finished, and with what.
struct CountingSink final : WorkSink {
    explicit CountingSink(size_t n) : times(n), results(n) {}
    void finish(Work *w, const Completion &c) override {
        results[w->req.user_data] = c;
        times[w->req.user_data].fetch_add(1, std::memory_order_release);
        total.fetch_add(1, std::memory_order_release);
    }
    std::atomic<size_t> total{0};
    std::vector<std::atomic<int>> times;
    std::vector<Completion> results;
};

std::shared_ptr<Backend> make_backend(uint32_t depth) {
    IoUringBackendConfig bc;
    bc.queue_depth = depth;
    bc.chunk_size = 64 << 10;
    int err = 0;
    auto b = make_io_uring_backend(bc, &err);
    if (!b)
        dstest::skip_or_fail("DS_REQUIRE_IO_URING", std::string("io_uring unavailable: ") + std::strerror(-err));
    return b;
}

// Many file reads, small and chunked, destroyed straight after submit.
void test_destroy_with_file_reads_in_flight() {
    dstest::TempFile f(8u << 20, 31);
    const size_t n = 2000;
    CountingSink sink(n);
    std::vector<Work> works(n);
    std::vector<std::vector<uint8_t>> dsts(n);
    std::vector<Work *> ptrs;
    for (size_t i = 0; i < n; ++i) {
        const uint64_t size = (i % 10 == 0) ? (1u << 20) + 5 : 65536;
        dsts[i].resize(size);
        Request &r = works[i].req;
        r.fd = f.fd;
        r.offset = (i * 4099) % (f.bytes.size() - size);
        r.size = size;
        r.dst = dsts[i].data();
        r.user_data = i;
        works[i].sink = &sink;
        ptrs.push_back(&works[i]);
    }
    auto backend = make_backend(8);
    backend->submit(ptrs.data(), ptrs.size());
    // Destroy once the ring is busy: some requests done, some in the kernel, most waiting.
    while (sink.total.load(std::memory_order_acquire) < 20)
        std::this_thread::yield();
    backend.reset();  // must not return before every request is finished

    size_t ok = 0, cancelled = 0;
    for (size_t i = 0; i < n; ++i) {
        if (!CHECK_EQ(sink.times[i].load(std::memory_order_acquire), 1))
            continue;
        const Completion &c = sink.results[i];
        if (c.status == Status::Ok) {
            ++ok;
            CHECK_EQ(c.bytes, dsts[i].size());
            CHECK(std::memcmp(dsts[i].data(), f.bytes.data() + works[i].req.offset, dsts[i].size()) == 0);
        } else {
            ++cancelled;
            CHECK_EQ(c.status, Status::Cancelled);
            CHECK_EQ(c.bytes, 0u);
        }
    }
    std::printf("destroyed with 2000 submitted: %zu ok, %zu cancelled\n", ok, cancelled);
    CHECK(ok >= 20);
    CHECK(cancelled > 0);
}

// Reads that can never complete (empty pipes) fill every op slot; more wait behind them.
// The destructor cancels the in-flight ones in the kernel and the waiting ones itself.
void test_destroy_with_reads_that_never_complete() {
    int pipe_fds[2];
    CHECK_EQ(::pipe(pipe_fds), 0);
    dstest::TempFile f(1u << 20, 32);
    const size_t blocked = 4, waiting = 50;
    const size_t n = blocked + waiting;
    CountingSink sink(n);
    std::vector<Work> works(n);
    std::vector<uint8_t> dst(n * 4096);
    std::vector<Work *> ptrs;
    for (size_t i = 0; i < n; ++i) {
        Request &r = works[i].req;
        r.fd = i < blocked ? pipe_fds[0] : f.fd;
        r.size = 4096;
        r.dst = dst.data() + i * 4096;
        r.user_data = i;
        works[i].sink = &sink;
        ptrs.push_back(&works[i]);
    }
    auto backend = make_backend(static_cast<uint32_t>(blocked));
    backend->submit(ptrs.data(), blocked);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let the pipe reads reach the kernel
    backend->submit(ptrs.data() + blocked, waiting);

    std::atomic<bool> destroyed{false};
    std::thread destroyer([&] {
        backend.reset();
        destroyed = true;
    });
    for (int i = 0; i < 500 && !destroyed; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!destroyed) {
        std::fprintf(stderr, "the destructor is still waiting on reads from an empty pipe after 5 s\n");
        std::exit(1);  // fail now instead of hanging ctest
    }
    destroyer.join();
    for (size_t i = 0; i < n; ++i) {
        CHECK_EQ(sink.times[i].load(std::memory_order_acquire), 1);
        if (i < blocked)
            CHECK_EQ(sink.results[i].status, Status::Cancelled);
        else
            CHECK(sink.results[i].status == Status::Cancelled || sink.results[i].status == Status::Ok);
    }
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
}

}  // namespace

int main() {
    test_destroy_with_file_reads_in_flight();
    test_destroy_with_reads_that_never_complete();
    return dstest::finish("io_uring_shutdown_concurrency_test");
}
