// SPDX-License-Identifier: MIT
// Runs a tile loop on the caller's thread plus helpers: the encoder and the decoder share it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

#include "thread_name.h"

namespace ds::gdeflate {

/// Calls work() on min(threads, tiles) threads, the caller's included (threads 0: one per
/// hardware thread), and returns once all have returned. work() takes tiles from a shared
/// counter, so when a helper cannot be started the caller's thread still does everything left.
template <typename Work> void run_tile_workers(unsigned threads, uint32_t tiles, Work &&work) {
    if (threads == 0)
        threads = std::max(1u, std::thread::hardware_concurrency());
    threads = std::min<unsigned>(threads, std::max<uint32_t>(1, tiles));
    std::vector<std::thread> helpers;
    try {
        for (unsigned t = 1; t < threads; ++t) {
            helpers.emplace_back([&work] { work(); });
            name_thread(helpers.back(), "ds-gdeflate");
        }
    } catch (...) {
        // fewer helpers than asked for
    }
    work();
    for (auto &h : helpers)
        h.join();
}

}  // namespace ds::gdeflate
