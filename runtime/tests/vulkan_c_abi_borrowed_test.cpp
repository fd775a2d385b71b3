// SPDX-License-Identifier: MIT
// Borrowed-device mode through the C ABI, as Wine's Unix side uses it for vkd3d-proton's device
// (wine-patches/dlls/dstorage/unix_vulkan.c): a device the test creates and owns is lent to
// ds_vulkan_backend_create with the host loader's vkGetInstanceProcAddr (dlopen'd libvulkan.so.1)
// and lock hooks that hand the queue lock to another thread, the way the module hands it to a PE
// thread holding LockCommandQueue. Checked: the bytes land; every submission happens while that
// other thread holds the lock (one lock round per submit, strictly alternating); destroying the
// backend destroys nothing of the device (its queue, buffers and a new backend still work); and
// creation without a loader entry point fails with a message.
#include <dlfcn.h>

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "check.h"
#include "ds_runtime.h"
#include "test_util.h"

namespace {

/// The owner's lock (vkd3d-proton's queue mutex in the module) is taken and released by a holder
/// thread; the backend's hooks only ask for it and wait, as unix_vulkan.c's do.
struct HandoffLock {
    ds::VulkanBackendConfig owner;  // the device's own queue lock: its helpers share the queue
    std::mutex m;
    std::condition_variable cv;
    bool requested = false, granted = false, release = false, stop = false;
    int rounds = 0, bad_order = 0;
    std::thread::id holder_id, hook_caller;
    std::thread holder;

    void run() {
        std::unique_lock<std::mutex> l(m);
        holder_id = std::this_thread::get_id();
        for (;;) {
            cv.wait(l, [&] { return requested || stop; });
            if (!requested)
                return;
            requested = false;
            l.unlock();
            owner.lock_queue(owner.lock_ctx);  // "LockCommandQueue" on the holder thread
            l.lock();
            granted = true;
            ++rounds;
            cv.notify_all();
            cv.wait(l, [&] { return release; });
            release = false;
            l.unlock();
            owner.unlock_queue(owner.lock_ctx);  // "UnlockCommandQueue"
            l.lock();
            granted = false;
            cv.notify_all();
        }
    }
    static void lock(void *ctx) {
        auto *self = static_cast<HandoffLock *>(ctx);
        std::unique_lock<std::mutex> l(self->m);
        if (self->requested || self->granted)
            ++self->bad_order;  // a second lock before the first was released
        self->hook_caller = std::this_thread::get_id();
        self->requested = true;
        self->cv.notify_all();
        self->cv.wait(l, [&] { return self->granted; });
    }
    static void unlock(void *ctx) {
        auto *self = static_cast<HandoffLock *>(ctx);
        std::unique_lock<std::mutex> l(self->m);
        if (!self->granted)
            ++self->bad_order;  // unlock without the lock held
        self->release = true;
        self->cv.notify_all();
        self->cv.wait(l, [&] { return !self->granted; });
    }
    void start() {
        holder = std::thread([this] { run(); });
    }
    void finish() {
        {
            std::lock_guard<std::mutex> l(m);
            stop = true;
        }
        cv.notify_all();
        holder.join();
    }
};

ds_vulkan_backend_desc lend(const ds::VulkanBackendConfig &bc, void *gipa, HandoffLock *lock) {
    ds_vulkan_backend_desc d;
    std::memset(&d, 0, sizeof d);
    d.instance = bc.instance;
    d.physical_device = bc.physical_device;
    d.device = bc.device;
    d.queue = bc.queue;
    d.queue_family_index = bc.queue_family_index;
    d.get_instance_proc_addr = gipa;
    if (lock) {
        d.lock_queue = &HandoffLock::lock;
        d.unlock_queue = &HandoffLock::unlock;
        d.lock_ctx = lock;
    }
    d.staging_bytes = 1u << 20;  // several submissions for the 4 MiB below
    d.chunk_size = 256u << 10;
    if (bc.nv_memory_decompression)  // the test's device enabled it (NVIDIA)
        d.flags |= DS_VULKAN_BACKEND_NV_MEMORY_DECOMPRESSION;
    if (bc.shader_copies)  // bufferDeviceAddress enabled, buffers made with device-address usage
        d.flags |= DS_VULKAN_BACKEND_SHADER_COPIES;
    if (bc.external_memory_host)  // staging in the test's own imported memory
        d.flags |= DS_VULKAN_BACKEND_HOST_STAGING;
    return d;
}

ds_request gpu_read(const dstest::TempFile &f, uint64_t offset, uint64_t size, uint64_t buffer, uint64_t buffer_size,
                    uint64_t gpu_offset, uint64_t user_data) {
    ds_request r;
    std::memset(&r, 0, sizeof r);
    r.op = DS_OP_READ;
    r.source = DS_SOURCE_FILE;
    r.memory = DS_MEMORY_GPU;
    r.fd = f.fd;
    r.offset = offset;
    r.size = size;
    r.uncompressed_size = size;
    r.gpu_buffer = buffer;
    r.gpu_buffer_size = buffer_size;
    r.gpu_offset = gpu_offset;
    r.user_data = user_data;
    return r;
}

/// Runs n requests of size bytes each through a fresh queue on backend; all must complete Ok.
/// reversed: request i lands at slot n - 1 - i (file neighbours are not GPU neighbours).
void read_through(ds_backend *backend, const dstest::TempFile &f, uint64_t buffer, size_t n, uint64_t size,
                  bool reversed = false) {
    ds_queue_desc qd = {256, 0};
    ds_queue *queue = nullptr;
    CHECK_EQ(ds_queue_create(backend, &qd, &queue), DS_OK);
    if (!queue)
        return;
    for (size_t i = 0; i < n; ++i) {
        ds_request r = gpu_read(f, i * size, size, buffer, n * size, (reversed ? n - 1 - i : i) * size, i);
        CHECK_EQ(ds_queue_enqueue(queue, &r), DS_OK);
    }
    ds_queue_submit(queue);
    size_t done = 0;
    ds_completion c[64];
    while (done < n) {
        size_t count = 0;
        if (!CHECK_EQ(ds_queue_wait(queue, c, 64, &count, 60ull * 1000000000ull), DS_OK))
            break;
        for (size_t i = 0; i < count; ++i)
            CHECK_EQ(c[i].status, DS_STATUS_OK);
        done += count;
    }
    ds_queue_destroy(queue);
}

}  // namespace

int main() {
    auto dev = dstest::open_vulkan_device_or_skip();
    void *loader = dlopen("libvulkan.so.1", RTLD_NOW);
    if (!CHECK(loader != nullptr))
        return dstest::finish("vulkan_c_abi_borrowed_test");
    void *gipa = dlsym(loader, "vkGetInstanceProcAddr");
    CHECK(gipa != nullptr);

    const size_t n = 16;
    const uint64_t size = 256u << 10;
    dstest::TempFile f(n * size, 51);
    uint64_t buffer = dev->create_buffer(n * size);
    std::vector<uint8_t> zeros(n * size, 0), got(n * size);
    CHECK(dev->upload(buffer, 0, zeros.data(), zeros.size()));

    HandoffLock lock;
    lock.owner = dev->backend_config();
    lock.start();
    ds_vulkan_backend_desc desc = lend(dev->backend_config(), gipa, &lock);
    ds_backend *backend = nullptr;
    char why[256] = "";
    CHECK_EQ(ds_vulkan_backend_create(&desc, &backend, why, sizeof why), DS_OK);
    if (!backend) {
        std::fprintf(stderr, "ds_vulkan_backend_create: %s\n", why);
        lock.finish();
        return dstest::finish("vulkan_c_abi_borrowed_test");
    }
    // GDeflate into GPU buffers: on a transfer-only queue (the test device's choice on NVIDIA)
    // neither vkCmdDecompressMemoryNV nor the shader can run; on a compute queue the driver's
    // decompression when the flag says the device has it, else the library's shader.
    const ds::VulkanBackendConfig lent = dev->backend_config();
    const int shader_or_cpu = dev->transfer_only_queue() ? 0 : 1;
    // (The shader is preferred where both can decode: prefer_shader_decode.)
    CHECK_EQ(ds_backend_gdeflate_gpu_path(backend), dev->transfer_only_queue()                                   ? 0
                                                    : lent.nv_memory_decompression && !lent.prefer_shader_decode ? 2
                                                                                                                 : 1);
    read_through(backend, f, buffer, n, size);
    ds_backend_stats stats;
    ds_backend_get_stats(backend, &stats);
    ds_backend_destroy(backend);  // may still submit: the holder thread is still serving
    lock.finish();

    // Bytes landed.
    CHECK(dev->download(buffer, 0, got.data(), got.size()));
    CHECK(got == f.bytes);
    // Every submission inside one lock round held by the other thread, strictly alternating.
    CHECK(stats.submits >= 2);
    CHECK_EQ(static_cast<uint64_t>(lock.rounds), stats.submits);
    CHECK_EQ(lock.bad_order, 0);
    CHECK(lock.hook_caller != lock.holder_id);
    // DS_VULKAN_BACKEND_HOST_STAGING on a device with VK_EXT_external_memory_host: our own memory.
    CHECK_EQ(stats.host_staging_bytes != 0, lent.external_memory_host);

    // Nothing of the device was destroyed: its queue and buffers still work, and a new backend
    // (no lock hooks: the device's own helpers are idle now) can borrow the same handles.
    auto again = dstest::random_bytes(got.size(), 52);
    CHECK(dev->upload(buffer, 0, again.data(), again.size()));
    CHECK(dev->download(buffer, 0, got.data(), got.size()));
    CHECK(got == again);
    ds::VulkanBackendConfig bc = dev->backend_config();
    ds_vulkan_backend_desc plain = lend(bc, gipa, nullptr);
    plain.lock_queue = bc.lock_queue;
    plain.unlock_queue = bc.unlock_queue;
    plain.lock_ctx = bc.lock_ctx;
    plain.flags = 0;  // not told about VK_NV_memory_decompression: never uses it
    ds_backend *second = nullptr;
    CHECK_EQ(ds_vulkan_backend_create(&plain, &second, why, sizeof why), DS_OK);
    CHECK_EQ(ds_backend_gdeflate_gpu_path(second), shader_or_cpu);
    if (second) {
        read_through(second, f, buffer, n, size);
        ds_backend_destroy(second);
        CHECK(dev->download(buffer, 0, got.data(), got.size()));
        CHECK(got == f.bytes);
    }

    // DS_VULKAN_BACKEND_SHADER_COPIES: 64 KiB reads into scattered destinations are copied by
    // the runtime's dispatch (no copy-engine region); without the flag each takes a region.
    if (bc.shader_copies && !dev->transfer_only_queue()) {
        const size_t small = n * size / 65536;
        std::vector<uint8_t> expected(n * size);
        for (size_t i = 0; i < small; ++i)
            std::memcpy(expected.data() + (small - 1 - i) * 65536, f.bytes.data() + i * 65536, 65536);
        for (uint32_t flags : {uint32_t(DS_VULKAN_BACKEND_SHADER_COPIES), 0u}) {
            ds_vulkan_backend_desc d = plain;
            d.flags = flags;
            ds_backend *b = nullptr;
            CHECK_EQ(ds_vulkan_backend_create(&d, &b, why, sizeof why), DS_OK);
            if (!b)
                continue;
            CHECK(dev->upload(buffer, 0, zeros.data(), zeros.size()));
            read_through(b, f, buffer, small, 65536, true);
            ds_backend_stats s;
            ds_backend_get_stats(b, &s);
            ds_backend_destroy(b);
            CHECK(dev->download(buffer, 0, got.data(), got.size()));
            CHECK(got == expected);
            if (flags)
                CHECK_EQ(s.gpu_copies, 0u);
            else
                CHECK(s.gpu_copies >= small / 2);  // neighbours staged in reverse order may merge
        }
    }

    // No loader entry point: refused with a message naming it, nothing created.
    ds_vulkan_backend_desc none = lend(bc, nullptr, nullptr);
    ds_backend *refused = nullptr;
    why[0] = 0;
    CHECK(ds_vulkan_backend_create(&none, &refused, why, sizeof why) != DS_OK);
    CHECK(refused == nullptr);
    CHECK(std::strstr(why, "vkGetInstanceProcAddr") != nullptr);

    dev->destroy_buffer(buffer);
    return dstest::finish("vulkan_c_abi_borrowed_test");
}
