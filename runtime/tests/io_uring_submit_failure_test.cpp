// SPDX-License-Identifier: MIT
// io_uring_submit failing outright (injected: IoUringBackendConfig::inject_submit_error):
// every request of the refused batch completes with IoError and that errno, nothing hangs,
// nothing completes twice, and the ring keeps working afterwards.
#include <cerrno>
#include <cstring>
#include <set>

#include "check.h"
#include "ds/io_uring_backend.h"
#include "test_util.h"

using namespace ds;

static void test_refused_batch_fails_its_requests() {
    dstest::TempFile f(4u << 20, 41);
    IoUringBackendConfig bc;
    bc.queue_depth = 32;
    bc.chunk_size = 256 << 10;
    bc.inject_submit_error = -EIO;
    int err = 0;
    auto backend = make_io_uring_backend(bc, &err);
    if (!backend)
        dstest::skip_or_fail("DS_REQUIRE_IO_URING", std::string("io_uring unavailable: ") + std::strerror(-err));
    QueueConfig qc;
    qc.capacity = 256;
    auto q = Queue::create(backend, qc);

    for (int round = 0; round < 2; ++round) {
        const size_t n = 100;
        std::vector<std::vector<uint8_t>> dsts(n);
        for (size_t i = 0; i < n; ++i) {
            dsts[i].assign(i % 7 == 0 ? (1u << 20) : 4096 + i, 0);  // some split into 4 segments
            Request r;
            r.fd = f.fd;
            r.offset = i * 8192;
            r.size = dsts[i].size();
            r.dst = dsts[i].data();
            r.user_data = i;
            CHECK_EQ(q->enqueue(r), QueueResult::Ok);
        }
        q->submit();
        std::set<uint64_t> seen;
        size_t failed = 0;
        for (const Completion &c : dstest::drain(*q, n, 20000)) {
            CHECK(seen.insert(c.user_data).second);
            if (c.status == Status::IoError) {
                ++failed;
                CHECK_EQ(c.error, EIO);
                continue;
            }
            CHECK_EQ(c.status, Status::Ok);
            CHECK_EQ(c.bytes, dsts[c.user_data].size());
            CHECK(std::memcmp(dsts[c.user_data].data(), f.bytes.data() + c.user_data * 8192, c.bytes) == 0);
        }
        CHECK_EQ(seen.size(), n);
        if (round == 0) {
            std::printf("refused batch: %zu of %zu requests failed with EIO\n", failed, n);
            CHECK(failed > 0);
        } else {
            CHECK_EQ(failed, 0u);  // injected once: the ring works again
        }
    }
}

int main() {
    test_refused_batch_fails_its_requests();
    return dstest::finish("io_uring_submit_failure_test");
}
