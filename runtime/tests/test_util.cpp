// SPDX-License-Identifier: MIT
#include "test_util.h"

#include "check.h"

#include <fcntl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

namespace dstest {

std::vector<uint8_t> random_bytes(uint64_t size, uint32_t seed) {
    std::vector<uint8_t> out(size);
    std::mt19937_64 rng(seed);
    uint64_t i = 0;
    for (; i + 8 <= size; i += 8) {
        uint64_t v = rng();
        for (int b = 0; b < 8; ++b)
            out[i + b] = static_cast<uint8_t>(v >> (8 * b));
    }
    for (uint64_t v = rng(); i < size; ++i, v >>= 8)
        out[i] = static_cast<uint8_t>(v);
    return out;
}

TempFile::TempFile(uint64_t size, uint32_t seed, const char *dir) : bytes(random_bytes(size, seed)) {
    if (!dir) {
        dir = std::getenv("TMPDIR");
        if (!dir || !*dir)
            dir = "/tmp";
    }
    path = std::string(dir) + "/ds-test-XXXXXX";
    fd = mkstemp(path.data());
    if (fd < 0)
        throw std::runtime_error("mkstemp failed in " + std::string(dir));
    uint64_t done = 0;
    while (done < size) {
        ssize_t n = ::pwrite(fd, bytes.data() + done, size - done, static_cast<off_t>(done));
        if (n <= 0)
            throw std::runtime_error("cannot write test file " + path);
        done += static_cast<uint64_t>(n);
    }
}

TempFile::~TempFile() {
    if (fd >= 0)
        ::close(fd);
    ::unlink(path.c_str());
}

std::vector<ds::Completion> drain(ds::Queue &queue, size_t count, int timeout_ms) {
    std::vector<ds::Completion> out;
    out.reserve(count);
    ds::Completion buf[256];
    // Sanitizer builds run many times slower (TSan: lavapipe's shader decode); ds-kit scales the wait.
    const char *scale_env = std::getenv("DS_TEST_TIMEOUT_SCALE");
    long scale = scale_env ? std::strtol(scale_env, nullptr, 10) : 1;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms) * (scale > 1 ? scale : 1);
    while (out.size() < count) {
        auto left = deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::nanoseconds(0)) {
            std::fprintf(stderr, "drain: expected %zu completions, got %zu before the timeout\n", count, out.size());
            std::exit(1);
        }
        size_t n = 0;
        auto r = queue.wait(buf, std::min<size_t>(256, count - out.size()), &n, left);
        if (r == ds::QueueResult::Closed)
            break;
        out.insert(out.end(), buf, buf + n);
    }
    return out;
}

bool shader_copies_allowed() {
    const char *v = std::getenv("DS_TEST_SHADER_COPIES");
    return !(v && std::string(v) == "0");
}

ds::VulkanDeviceOptions test_device_options(ds::VulkanDeviceOptions options) {
    if (!shader_copies_allowed())
        options.buffer_device_address = false;  // no shader copies (and no NV path) on this device
    return options;
}

std::unique_ptr<ds::VulkanDevice> open_vulkan_device_or_skip() { return open_vulkan_device_or_skip({}); }

std::unique_ptr<ds::VulkanDevice> open_vulkan_device_or_skip(const ds::VulkanDeviceOptions &options) {
    std::string why;
    auto dev = ds::VulkanDevice::create(&why, test_device_options(options));
    if (!dev)
        skip_or_fail("DS_REQUIRE_VULKAN", why);
    return dev;
}

std::unique_ptr<ds::Queue> vulkan_queue(const ds::VulkanBackendConfig &config, uint32_t capacity) {
    std::string why;
    auto backend = ds::make_vulkan_backend(config, &why);
    if (!CHECK(backend != nullptr))
        std::fprintf(stderr, "make_vulkan_backend: %s\n", why.c_str());
    ds::QueueConfig qc;
    qc.capacity = capacity;
    return ds::Queue::create(backend, qc);
}

bool is_tmpfs(const char *dir) {
    struct statfs s {};
    return ::statfs(dir, &s) == 0 && s.f_type == 0x01021994;  // TMPFS_MAGIC
}

const char *disk_dir() {
    for (const char *d : {"/var/tmp", "."})
        if (!is_tmpfs(d) && ::access(d, W_OK) == 0)
            return d;
    return nullptr;
}

int threads_named(const std::string &name) {
    int n = 0;
    for (const auto &task : std::filesystem::directory_iterator("/proc/self/task")) {
        std::ifstream comm(task.path() / "comm");
        std::string got;
        std::getline(comm, got);
        n += got == name;
    }
    return n;
}

}  // namespace dstest
