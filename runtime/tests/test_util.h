// SPDX-License-Identifier: MIT
// Shared fixtures: temporary files of random content, and draining a queue.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ds/queue.h"
#include "ds/vulkan_backend.h"

namespace dstest {

/// A file of `size` pseudo-random bytes (seeded) in $TMPDIR (or /tmp); removed on destruction.
struct TempFile {
    explicit TempFile(uint64_t size, uint32_t seed = 1, const char *dir = nullptr);
    ~TempFile();
    TempFile(const TempFile &) = delete;
    TempFile &operator=(const TempFile &) = delete;

    std::string path;
    std::vector<uint8_t> bytes;  ///< the file's content
    int fd = -1;                 ///< open read-write
};

std::vector<uint8_t> random_bytes(uint64_t size, uint32_t seed);

bool is_tmpfs(const char *dir);
/// A writable directory on a disk filesystem (O_DIRECT works there, not on tmpfs): /var/tmp or
/// the current directory; nullptr when both are tmpfs.
const char *disk_dir();

/// Waits for `count` completions (timeout: fail), returns them in arrival order.
/// Waits up to timeout_ms (times DS_TEST_TIMEOUT_SCALE when set) for count completions.
std::vector<ds::Completion> drain(ds::Queue &queue, size_t count, int timeout_ms = 60000);

/// False under DS_TEST_SHADER_COPIES=0, which the ASan+UBSan ctest run sets (scripts/lib/test-env.ts):
/// there, ASan's slow malloc unwinding deadlocks inside libgcc while llvmpipe JIT-compiles a shader at
/// dispatch time, so test devices are made without bufferDeviceAddress and copies stay on the copy
/// engine. The release and TSan runs keep shader copies.
bool shader_copies_allowed();

/// `options` for a test's own VulkanDevice::create: without bufferDeviceAddress unless
/// shader_copies_allowed().
ds::VulkanDeviceOptions test_device_options(ds::VulkanDeviceOptions options);

/// The standalone Vulkan device, or exit 77 (skip) / 1 under DS_REQUIRE_VULKAN=1 with the reason.
/// Under DS_TEST_SHADER_COPIES=0 it is made without bufferDeviceAddress.
std::unique_ptr<ds::VulkanDevice> open_vulkan_device_or_skip();
std::unique_ptr<ds::VulkanDevice> open_vulkan_device_or_skip(const ds::VulkanDeviceOptions &options);

/// A queue of `capacity` slots on a Vulkan backend made from `config`; a backend that cannot be made
/// fails a CHECK and prints why (the queue then has no backend).
std::unique_ptr<ds::Queue> vulkan_queue(const ds::VulkanBackendConfig &config, uint32_t capacity);

/// How many threads of this process carry `name` (/proc/self/task/*/comm).
int threads_named(const std::string &name);

}  // namespace dstest
