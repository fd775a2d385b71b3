// SPDX-License-Identifier: MIT
// The Vulkan backend's staging ring (no device needed): spans never overlap, frees may come in
// any order, wrapping works, and a full ring blocks until space is freed.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "check.h"

#ifndef DS_HAVE_VULKAN
// The ring is compiled only into Vulkan-enabled builds.
int main() { dstest::skip_or_fail("DS_REQUIRE_VULKAN", "ds-runtime was built with DS_WITH_VULKAN=OFF"); }
#else
#include "vulkan/staging_ring.h"

using ds::vk::RingSpan;
using ds::vk::StagingRing;

static void test_fills_then_reuses_after_out_of_order_frees() {
    StagingRing ring(4096, 256);
    RingSpan a, b, c, d, e;
    CHECK(ring.try_alloc(1024, &a));
    CHECK(ring.try_alloc(1024, &b));
    CHECK(ring.try_alloc(1024, &c));
    CHECK(ring.try_alloc(1024, &d));
    CHECK_EQ(a.offset, 0u);
    CHECK_EQ(d.offset, 3072u);
    CHECK(!ring.try_alloc(256, &e));  // full
    ring.free(b.id);                  // out of order: the tail is still held by a
    CHECK(!ring.try_alloc(256, &e));
    ring.free(a.id);  // tail advances over a and b
    CHECK_EQ(ring.used(), 2048u);
    CHECK(ring.try_alloc(2048, &e));
    CHECK_EQ(e.offset, 0u);
    ring.free(c.id);
    ring.free(d.id);
    ring.free(e.id);
    CHECK_EQ(ring.used(), 0u);
}

static void test_wrap_skips_the_end() {
    StagingRing ring(4096, 256);
    RingSpan a, b, c;
    CHECK(ring.try_alloc(3000, &a));  // rounds up to 3072
    CHECK(ring.try_alloc(512, &b));   // [3072, 3584)
    ring.free(a.id);
    CHECK(ring.try_alloc(1024, &c));  // 512 left at the end: wraps to 0
    CHECK_EQ(c.offset, 0u);
    CHECK_EQ(ring.used(), 512u + 512u + 1024u);  // b, the skipped end, c
    ring.free(b.id);
    ring.free(c.id);
    CHECK_EQ(ring.used(), 0u);
    CHECK(ring.try_alloc(4096, &a));  // empty ring takes a whole-capacity span
    CHECK(!ring.try_alloc(4097, &b));
    ring.free(a.id);
}

static void test_blocked_alloc_wakes_on_free() {
    StagingRing ring(4096, 256);
    RingSpan full;
    CHECK(ring.try_alloc(4096, &full));
    std::atomic<bool> got{false};
    std::thread waiter([&] {
        RingSpan s = ring.alloc(1024);
        got = true;
        ring.free(s.id);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(!got.load());
    ring.free(full.id);
    waiter.join();
    CHECK(got.load());
}

static void test_runs_are_contiguous_and_freed_one_by_one() {
    StagingRing ring(4096, 256);
    RingSpan first, run[3];
    CHECK(ring.try_alloc(3072, &first));
    ring.free(first.id);  // empty again: the next allocation starts over at 0
    RingSpan filler;
    CHECK(ring.try_alloc(3072, &filler));
    const uint64_t sizes[3] = {100, 300, 50};
    ring.alloc_run(sizes, 3, run);  // 450 bytes, 512 held: fits in [3072, 4096)
    CHECK_EQ(run[0].offset, 3072u);
    CHECK_EQ(run[1].offset, 3172u);
    CHECK_EQ(run[2].offset, 3472u);
    ring.free(filler.id);
    ring.free(run[1].id);
    ring.free(run[0].id);
    CHECK_EQ(ring.used(), 512u - 400u);  // run[2] still holds its bytes and the alignment padding
    ring.free(run[2].id);
    CHECK_EQ(ring.used(), 0u);
}

// Several threads allocate, stamp their span, hold it a random while and free it in random
// order; any overlap corrupts a stamp.
static void test_concurrent_spans_never_overlap() {
    const uint64_t capacity = 64 * 1024;
    StagingRing ring(capacity, 64);
    std::vector<std::atomic<uint32_t>> owner(capacity);
    std::atomic<int> overlaps{0};
    std::vector<std::thread> threads;
    for (uint32_t t = 1; t <= 4; ++t) {
        threads.emplace_back([&, t] {
            std::mt19937 rng(t);
            for (int i = 0; i < 2000; ++i) {
                uint64_t size = 1 + rng() % 8192;
                RingSpan s = ring.alloc(size);
                for (uint64_t b = s.offset; b < s.offset + size; b += 64)
                    if (owner[b].exchange(t) != 0)
                        ++overlaps;
                if (rng() % 4 == 0)
                    std::this_thread::yield();
                for (uint64_t b = s.offset; b < s.offset + size; b += 64)
                    owner[b].store(0);
                ring.free(s.id);
            }
        });
    }
    for (auto &th : threads)
        th.join();
    CHECK_EQ(overlaps.load(), 0);
    CHECK_EQ(ring.used(), 0u);
}

int main() {
    test_fills_then_reuses_after_out_of_order_frees();
    test_wrap_skips_the_end();
    test_blocked_alloc_wakes_on_free();
    test_runs_are_contiguous_and_freed_one_by_one();
    test_concurrent_spans_never_overlap();
    return dstest::finish("vulkan_staging_ring_test");
}
#endif  // DS_HAVE_VULKAN
