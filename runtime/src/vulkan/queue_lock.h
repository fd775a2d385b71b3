// SPDX-License-Identifier: MIT
// Holds the borrowed VkQueue's external lock for one scope. Vulkan requires queue access to be
// externally synchronized, and the owner (vkd3d-proton, or a second backend on the same
// standalone device) submits to the same queue from its own threads.
#pragma once

#include "ds/vulkan_backend.h"

namespace ds::vk {

class QueueLock {
public:
    explicit QueueLock(const VulkanBackendConfig &config) : config_(config) {
        if (config_.lock_queue)
            config_.lock_queue(config_.lock_ctx);
    }
    ~QueueLock() {
        if (config_.unlock_queue)
            config_.unlock_queue(config_.lock_ctx);
    }
    QueueLock(const QueueLock &) = delete;
    QueueLock &operator=(const QueueLock &) = delete;

private:
    const VulkanBackendConfig &config_;
};

}  // namespace ds::vk
