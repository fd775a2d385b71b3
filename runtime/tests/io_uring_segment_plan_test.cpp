// SPDX-License-Identifier: MIT
// The O_DIRECT segment planner: segments tile the request, direct ones are aligned at both
// ends in file and memory, bounce covers fit a bounce buffer, and count() agrees with at().
#include <random>

#include "check.h"
#include "io_uring/segment_plan.h"

using namespace ds::uring;

#ifdef DS_HAVE_IO_URING  // the planner is compiled only with the io_uring backend
static bool check_plan(const SegmentPlan &p) {
    uint64_t pos = 0;
    uint32_t n = 0;
    bool ok = true;
    while (pos < p.size) {
        Segment s = p.at(pos);
        ok &= CHECK_EQ(s.start, pos);
        ok &= CHECK(s.length > 0 && pos + s.length <= p.size);
        const uint64_t file = p.file_offset + pos;
        const uint64_t mem = p.memory + pos;
        if (!p.direct)
            ok &= CHECK(s.kind == SegmentKind::Plain && s.length <= p.chunk_size);
        if (s.kind == SegmentKind::Direct) {
            ok &= CHECK_EQ(file % kDirectAlign, 0u);
            ok &= CHECK_EQ(mem % kDirectAlign, 0u);
            ok &= CHECK_EQ(s.length % kDirectAlign, 0u);
            ok &= CHECK(s.length <= p.chunk_size);
        }
        if (s.kind == SegmentKind::Bounce) {
            BounceCover c = bounce_cover(file, s.length);
            ok &= CHECK_EQ(c.cover_start % kDirectAlign, 0u);
            ok &= CHECK_EQ(c.cover_length % kDirectAlign, 0u);
            ok &= CHECK(c.cover_start <= file && file + s.length <= c.cover_start + c.cover_length);
            ok &= CHECK(c.cover_length <= p.bounce_size);
        }
        pos += s.length;
        ++n;
        if (!ok)
            break;
    }
    ok &= CHECK_EQ(p.count(), n);
    return ok;
}

static void test_same_phase_reads_mostly_direct() {
    SegmentPlan p{100, 3 * 4096 + 50, 0x10000 + 100, true, 1 << 20, 256 << 10};
    CHECK(check_plan(p));
    CHECK(p.at(0).kind == SegmentKind::Bounce);  // head up to 4096
    CHECK_EQ(p.at(0).length, 3996u);
    CHECK(p.at(3996).kind == SegmentKind::Direct);  // two whole blocks
    CHECK_EQ(p.at(3996).length, 8192u);
    CHECK(p.at(3996 + 8192).kind == SegmentKind::Bounce);  // the tail
    CHECK_EQ(p.count(), 3u);
}

static void test_different_phase_is_all_bounce() {
    SegmentPlan p{100, 1 << 20, 0x10000, true, 1 << 20, 256 << 10};
    CHECK(check_plan(p));
    CHECK(p.at(0).kind == SegmentKind::Bounce);
    CHECK_EQ(p.at(0).length, (256u << 10) - 100);
}

static void test_random_plans() {
    std::mt19937_64 rng(42);
    for (int i = 0; i < 20000; ++i) {
        SegmentPlan p;
        p.file_offset = rng() % (64u << 20);
        p.size = 1 + rng() % ((i % 2) ? 100000 : (8u << 20));
        p.memory = 0x100000 + ((i % 3 == 0) ? p.file_offset % 4096 : rng() % 4096);
        p.direct = i % 5 != 0;
        p.chunk_size = 4096 * (1 + rng() % 256);
        p.bounce_size = 4096 * (1 + rng() % 64);
        if (!check_plan(p)) {
            std::fprintf(stderr, "plan: offset=%llu size=%llu memory=%llx direct=%d chunk=%llu bounce=%llu\n",
                         (unsigned long long)p.file_offset, (unsigned long long)p.size, (unsigned long long)p.memory,
                         p.direct, (unsigned long long)p.chunk_size, (unsigned long long)p.bounce_size);
            return;
        }
    }
}

#endif

int main() {
#ifndef DS_HAVE_IO_URING
    dstest::skip_or_fail("DS_REQUIRE_IO_URING", "built with -DDS_WITH_IO_URING=OFF: the planner is not compiled in");
#else
    test_same_phase_reads_mostly_direct();
    test_different_phase_is_all_bounce();
    test_random_plans();
    return dstest::finish("io_uring_segment_plan_test");
#endif
}
