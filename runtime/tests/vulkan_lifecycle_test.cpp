// SPDX-License-Identifier: MIT
// Vulkan backend lifetime: cancellation before start, destruction with work in flight (each
// request completes exactly once, no hang), two backends on one device, the queue lock
// callbacks, and the borrowed device surviving the backend.
#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>

#include "check.h"
#include "ds/queue.h"
#include "ds/vulkan_backend.h"
#include "test_util.h"
#include "work.h"

using namespace ds;

static std::shared_ptr<Backend> backend_for(const VulkanBackendConfig &bc) {
    std::string why;
    auto backend = make_vulkan_backend(bc, &why);
    if (!CHECK(backend != nullptr))
        std::fprintf(stderr, "make_vulkan_backend: %s\n", why.c_str());
    return backend;
}

/// Drives the backend without a queue and records every completion per request.
class RecordingSink final : public WorkSink {
public:
    explicit RecordingSink(size_t n) : results_(n), calls_(n) {}
    void finish(Work *work, const Completion &c) override {
        std::lock_guard<std::mutex> lock(mutex_);
        results_.at(work->req.user_data) = c;
        ++calls_.at(work->req.user_data);
    }
    Completion result(size_t i) {
        std::lock_guard<std::mutex> lock(mutex_);
        return results_.at(i);
    }
    size_t completed() {
        std::lock_guard<std::mutex> lock(mutex_);
        size_t n = 0;
        for (int c : calls_)
            n += c > 0;
        return n;
    }
    int calls(size_t i) {
        std::lock_guard<std::mutex> lock(mutex_);
        return calls_.at(i);
    }

private:
    std::mutex mutex_;
    std::vector<Completion> results_;
    std::vector<int> calls_;
};

static Request gpu_read(const dstest::TempFile &f, uint64_t offset, uint64_t size, uint64_t buf, uint64_t buf_size,
                        uint64_t gpu_offset) {
    Request r;
    r.memory = Memory::Gpu;
    r.fd = f.fd;
    r.offset = offset;
    r.size = size;
    r.gpu_buffer = buf;
    r.gpu_buffer_size = buf_size;
    r.gpu_offset = gpu_offset;
    return r;
}

static void test_cancelled_before_start(VulkanDevice &dev) {
    dstest::TempFile f(1u << 20, 41);
    uint64_t buf = dev.create_buffer(f.bytes.size());
    std::vector<uint8_t> zeros(f.bytes.size(), 0);
    CHECK(dev.upload(buf, 0, zeros.data(), zeros.size()));
    auto backend = backend_for(dev.backend_config());
    const size_t n = 8;
    RecordingSink sink(n);
    std::vector<Work> works(n);
    std::vector<Work *> items;
    for (size_t i = 0; i < n; ++i) {
        works[i].req = gpu_read(f, 0, f.bytes.size(), buf, f.bytes.size(), 0);
        works[i].req.user_data = i;
        works[i].sink = &sink;
        works[i].cancel_requested = true;
        items.push_back(&works[i]);
    }
    backend->submit(items.data(), items.size());
    backend.reset();  // returns only after every request completed
    for (size_t i = 0; i < n; ++i) {
        CHECK_EQ(sink.calls(i), 1);
        CHECK_EQ(sink.result(i).status, Status::Cancelled);
        CHECK_EQ(sink.result(i).bytes, 0u);
    }
    std::vector<uint8_t> after(zeros.size(), 1);
    CHECK(dev.download(buf, 0, after.data(), after.size()));
    CHECK(after == zeros);  // nothing was copied
    dev.destroy_buffer(buf);
}

// Destroying the backend right after a large submission: every request completes exactly
// once (Ok or Cancelled), and the ones reported Ok really arrived.
static void test_destroy_with_work_in_flight(VulkanDevice &dev) {
    const size_t n = 64;
    const uint64_t size = 256u << 10;
    dstest::TempFile f(n * size, 42);
    uint64_t buf = dev.create_buffer(n * size);
    VulkanBackendConfig bc = dev.backend_config();
    bc.staging_bytes = 1u << 20;
    bc.chunk_size = 64u << 10;
    auto backend = backend_for(bc);
    RecordingSink sink(n);
    std::vector<Work> works(n);
    std::vector<Work *> items;
    for (size_t i = 0; i < n; ++i) {
        works[i].req = gpu_read(f, i * size, size, buf, n * size, i * size);
        works[i].req.user_data = i;
        works[i].sink = &sink;
        items.push_back(&works[i]);
    }
    backend->submit(items.data(), items.size());
    // Let the pipeline get going so the destructor meets started and unstarted requests.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (sink.completed() == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    backend.reset();
    size_t ok = 0, cancelled = 0;
    std::vector<uint8_t> got(size);
    for (size_t i = 0; i < n; ++i) {
        CHECK_EQ(sink.calls(i), 1);
        Completion c = sink.result(i);
        if (c.status == Status::Ok) {
            ++ok;
            CHECK(dev.download(buf, i * size, got.data(), size));
            CHECK(std::memcmp(got.data(), f.bytes.data() + i * size, size) == 0);
        } else {
            CHECK_EQ(c.status, Status::Cancelled);
            ++cancelled;
        }
    }
    std::printf("destroyed with %zu requests: %zu ok, %zu cancelled\n", n, ok, cancelled);

    // The same through a queue: closing it with requests in flight must not hang.
    auto q = Queue::create(backend_for(bc), QueueConfig{});
    for (size_t i = 0; i < n; ++i)
        CHECK_EQ(q->enqueue(gpu_read(f, i * size, size, buf, n * size, i * size)), QueueResult::Ok);
    q->submit();
    q.reset();
    dev.destroy_buffer(buf);
}

struct LockCounter {
    VulkanBackendConfig inner;
    std::atomic<int> locks{0};
    std::atomic<int> unlocks{0};
    std::atomic<int> held{0};
    std::atomic<bool> nested{false};
    static void lock(void *ctx) {
        auto *self = static_cast<LockCounter *>(ctx);
        self->inner.lock_queue(self->inner.lock_ctx);  // still serialize with the device's helpers
        if (self->held.fetch_add(1) != 0)
            self->nested = true;
        ++self->locks;
    }
    static void unlock(void *ctx) {
        auto *self = static_cast<LockCounter *>(ctx);
        ++self->unlocks;
        self->held.fetch_sub(1);
        self->inner.unlock_queue(self->inner.lock_ctx);
    }
};

// Two backends at once on one device, one with counting lock callbacks; both move the right
// bytes, the callbacks wrap every submit and are balanced.
static void test_two_backends_and_lock_callbacks(VulkanDevice &dev) {
    dstest::TempFile f(4u << 20, 43);
    const uint64_t size = f.bytes.size();
    uint64_t buf_a = dev.create_buffer(size), buf_b = dev.create_buffer(size);
    LockCounter counter;
    counter.inner = dev.backend_config();
    VulkanBackendConfig counted = counter.inner;
    counted.lock_queue = &LockCounter::lock;
    counted.unlock_queue = &LockCounter::unlock;
    counted.lock_ctx = &counter;
    counted.chunk_size = 256u << 10;
    auto backend_a = backend_for(counted);
    auto backend_b = backend_for(dev.backend_config());
    auto qa = Queue::create(backend_a, QueueConfig{});
    auto qb = Queue::create(backend_b, QueueConfig{});
    CHECK_EQ(qa->enqueue(gpu_read(f, 0, size, buf_a, size, 0)), QueueResult::Ok);
    CHECK_EQ(qb->enqueue(gpu_read(f, 0, size, buf_b, size, 0)), QueueResult::Ok);
    qa->submit();
    qb->submit();
    CHECK_EQ(dstest::drain(*qa, 1).at(0).status, Status::Ok);
    CHECK_EQ(dstest::drain(*qb, 1).at(0).status, Status::Ok);
    std::vector<uint8_t> got(size);
    CHECK(dev.download(buf_a, 0, got.data(), size));
    CHECK(got == f.bytes);
    CHECK(dev.download(buf_b, 0, got.data(), size));
    CHECK(got == f.bytes);

    uint64_t submits = backend_a->stats().submits;
    qa.reset();
    backend_a.reset();
    CHECK(counter.locks.load() >= 1);
    CHECK_EQ(static_cast<uint64_t>(counter.locks.load()), submits);  // every submit, and only submits
    CHECK_EQ(counter.locks.load(), counter.unlocks.load());
    CHECK(!counter.nested.load());
    qb.reset();
    backend_b.reset();
    dev.destroy_buffer(buf_a);
    dev.destroy_buffer(buf_b);
}

// The backend borrowed the device: after it is gone the device, queue and buffers still work,
// and a new backend can be made from the same handles.
static void test_borrowed_handles_survive(VulkanDevice &dev) {
    dstest::TempFile f(64u << 10, 44);
    uint64_t buf = dev.create_buffer(f.bytes.size());
    {
        auto q = Queue::create(backend_for(dev.backend_config()), QueueConfig{});
        CHECK_EQ(q->enqueue(gpu_read(f, 0, f.bytes.size(), buf, f.bytes.size(), 0)), QueueResult::Ok);
        q->submit();
        CHECK_EQ(dstest::drain(*q, 1).at(0).status, Status::Ok);
    }
    std::vector<uint8_t> got(f.bytes.size());
    CHECK(dev.download(buf, 0, got.data(), got.size()));
    CHECK(got == f.bytes);
    auto data = dstest::random_bytes(f.bytes.size(), 45);
    CHECK(dev.upload(buf, 0, data.data(), data.size()));
    CHECK(dev.download(buf, 0, got.data(), got.size()));
    CHECK(got == data);
    auto again = backend_for(dev.backend_config());
    CHECK(again != nullptr);
    dev.destroy_buffer(buf);
}

// The backend's threads say whose they are: readers, recorder, completion and writer.
static void test_threads_are_named(VulkanDevice &dev) {
    VulkanBackendConfig bc = dev.backend_config();
    bc.worker_count = 2;
    auto backend = backend_for(bc);
    CHECK_EQ(dstest::threads_named("ds-vk-read"), 2);
    for (const char *name : {"ds-vk-record", "ds-vk-complete", "ds-vk-write"})
        CHECK_EQ(dstest::threads_named(name), 1);
    backend.reset();
    CHECK_EQ(dstest::threads_named("ds-vk-read"), 0);
}

static void test_config_errors_say_what_to_do(VulkanDevice &dev) {
    VulkanBackendConfig bc = dev.backend_config();
    bc.device = 0;
    std::string why;
    CHECK(make_vulkan_backend(bc, &why) == nullptr);
    CHECK(why.find("device") != std::string::npos);
    bc = dev.backend_config();
    bc.get_instance_proc_addr = nullptr;
    why.clear();
    CHECK(make_vulkan_backend(bc, &why) == nullptr);
    CHECK(why.find("vkGetInstanceProcAddr") != std::string::npos);
}

int main() {
    auto dev = dstest::open_vulkan_device_or_skip();
    CHECK(dev->copy_ceiling_gbps(8u << 20, 8) > 0);
    test_cancelled_before_start(*dev);
    test_destroy_with_work_in_flight(*dev);
    test_two_backends_and_lock_callbacks(*dev);
    test_borrowed_handles_survive(*dev);
    test_threads_are_named(*dev);
    test_config_errors_say_what_to_do(*dev);
    return dstest::finish("vulkan_lifecycle_test");
}
