// SPDX-License-Identifier: MIT
// Throughput of file (page cache) -> device-local buffer through the Vulkan backend, next to
// the single-command-buffer copy ceiling. Prints GB/s; fails only if bytes arrive wrong.
// On lavapipe the numbers mean nothing; on a real GPU set DS_BENCH_MIB=1024 (default 64).
// Tuning knobs: DS_BENCH_WORKERS, DS_BENCH_CHUNK_KIB, DS_BENCH_STAGING_MIB (backend config).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "check.h"
#include "ds/queue.h"
#include "ds/vulkan_backend.h"
#include "test_util.h"

using namespace ds;

// Keeps up to the queue's capacity in flight: enqueue until full, then collect completions.
static uint64_t env_or(const char *name, uint64_t fallback) {
    const char *v = std::getenv(name);
    return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

// host_dst: read into host memory instead (the CPU side alone, for comparison).
static double run_gbps(Queue &q, const dstest::TempFile &f, uint64_t buf, uint64_t total, uint64_t request,
                       uint8_t *host_dst = nullptr) {
    const uint64_t count = total / request;
    Completion done[1024];
    uint64_t enqueued = 0, completed = 0, bad = 0;
    auto t0 = std::chrono::steady_clock::now();
    while (completed < count) {
        while (enqueued < count) {
            Request r;
            r.memory = Memory::Gpu;
            r.fd = f.fd;
            r.offset = enqueued * request;
            r.size = request;
            r.gpu_buffer = buf;
            r.gpu_buffer_size = total;
            r.gpu_offset = enqueued * request;
            if (host_dst) {
                r.memory = Memory::Host;
                r.dst = host_dst + enqueued * request;
            }
            if (q.try_enqueue(r) != QueueResult::Ok)
                break;
            ++enqueued;
        }
        q.submit();
        size_t n = 0;
        q.wait(done, 1024, &n, std::chrono::seconds(30));
        for (size_t i = 0; i < n; ++i)
            bad += done[i].status != Status::Ok;
        completed += n;
        if (n == 0)
            break;
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK_EQ(completed, count);
    CHECK_EQ(bad, 0u);
    return static_cast<double>(count * request) / seconds / 1e9;
}

int main() {
    auto dev = dstest::open_vulkan_device_or_skip();
    const uint64_t total = env_or("DS_BENCH_MIB", 64) << 20;
    std::printf("device: %s (%s, %s queue)\n", dev->device_name().c_str(),
                dev->is_discrete() ? "discrete" : "not discrete",
                dev->transfer_only_queue() ? "transfer-only" : "general");
    dstest::TempFile f(total, 51);
    uint64_t buf = dev->create_buffer(total);
    if (!CHECK(buf != 0))
        return dstest::finish("vulkan_throughput_test");
    std::printf("ceiling, 1 region:        %6.2f GB/s\n", dev->copy_ceiling_gbps(total, 1));
    std::printf("ceiling, 1 MiB regions:   %6.2f GB/s\n",
                dev->copy_ceiling_gbps(total, static_cast<uint32_t>(total >> 20)));
    std::printf("ceiling, 64 KiB regions:  %6.2f GB/s\n",
                dev->copy_ceiling_gbps(total, static_cast<uint32_t>(total >> 16)));

    VulkanBackendConfig bc = dev->backend_config();
    bc.worker_count = static_cast<uint32_t>(env_or("DS_BENCH_WORKERS", bc.worker_count));
    bc.chunk_size = env_or("DS_BENCH_CHUNK_KIB", bc.chunk_size >> 10) << 10;
    bc.staging_bytes = env_or("DS_BENCH_STAGING_MIB", bc.staging_bytes >> 20) << 20;
    auto backend = make_vulkan_backend(bc);
    QueueConfig qc;
    qc.capacity = 8192;
    auto q = Queue::create(backend, qc);
    for (uint64_t request : {uint64_t(1) << 20, uint64_t(64) << 10}) {
        double best = 0;
        BackendStats before = backend->stats();
        for (int run = 0; run < 3; ++run)
            best = std::max(best, run_gbps(*q, f, buf, total, request));
        BackendStats after = backend->stats();
        std::printf("backend, %4llu KiB requests: %6.2f GB/s (%llu requests: %llu submits, %llu regions)\n",
                    static_cast<unsigned long long>(request >> 10), best,
                    static_cast<unsigned long long>(3 * total / request),
                    static_cast<unsigned long long>(after.submits - before.submits),
                    static_cast<unsigned long long>(after.gpu_copies - before.gpu_copies));
    }
    std::vector<uint8_t> host(total);
    double host_gbps = 0;
    for (int run = 0; run < 3; ++run)
        host_gbps = std::max(host_gbps, run_gbps(*q, f, buf, total, 1u << 20, host.data()));
    std::printf("same readers, 1024 KiB requests -> host memory: %6.2f GB/s\n", host_gbps);
    CHECK(host == f.bytes);
    BackendStats s = backend->stats();
    std::printf("submits %llu, copies %llu, staged %llu MiB\n", static_cast<unsigned long long>(s.submits),
                static_cast<unsigned long long>(s.gpu_copies), static_cast<unsigned long long>(s.staging_bytes >> 20));

    std::vector<uint8_t> got(total);
    CHECK(dev->download(buf, 0, got.data(), total));
    CHECK(got == f.bytes);
    q.reset();
    backend.reset();
    dev->destroy_buffer(buf);
    return dstest::finish("vulkan_throughput_test");
}
