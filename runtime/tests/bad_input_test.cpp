// SPDX-License-Identifier: MIT
// Each bad input gets its own status and field; nothing crashes, nothing else is disturbed.
#include <cstring>
#include <vector>

#include "check.h"
#include "ds/cpu_backend.h"
#include "held_backend.h"
#include "test_util.h"

using namespace ds;

namespace {

struct Case {
    const char *what;
    Request req;
    Status status;
    Field field;
};

}  // namespace

static void test_each_bad_request() {
    dstest::TempFile f(4096, 9);
    // The bad requests share one destination they must never write; every good request reads
    // into its own, as concurrent reads into one buffer would race (TSan runs this test).
    std::vector<uint8_t> bad_dst(4096, 0xEE);
    Request good;
    good.fd = f.fd;
    good.size = 4096;
    good.dst = bad_dst.data();

    std::vector<Case> cases;
    auto add = [&](const char *what, auto mutate, Status s, Field fld) {
        Request r = good;
        mutate(r);
        cases.push_back({what, r, s, fld});
    };
    add(
        "invalid fd", [](Request &r) { r.fd = -1; }, Status::InvalidRequest, Field::Fd);
    add(
        "size 0", [](Request &r) { r.size = 0; }, Status::InvalidRequest, Field::Size);
    add(
        "null destination", [](Request &r) { r.dst = nullptr; }, Status::InvalidRequest, Field::Destination);
    add(
        "memory source without src", [](Request &r) { r.source = Source::Memory; }, Status::InvalidRequest,
        Field::Source);
    add(
        "write without src", [](Request &r) { r.op = Op::Write; }, Status::InvalidRequest, Field::Source);
    add(
        "gpu destination on a backend without a device",
        [](Request &r) {
            r.memory = Memory::Gpu;
            r.gpu_buffer = 1;
            r.gpu_buffer_size = 1 << 20;
        },
        Status::InvalidRequest, Field::Destination);
    add(
        "unknown op", [](Request &r) { r.op = static_cast<Op>(9); }, Status::InvalidRequest, Field::Op);
    add(
        "gdeflate without uncompressed_size", [](Request &r) { r.compression = Compression::GDeflate; },
        Status::InvalidRequest, Field::Compression);
    add(
        "unknown compression", [](Request &r) { r.compression = static_cast<Compression>(7); }, Status::InvalidRequest,
        Field::Compression);
    add(
        "offset past end of file", [](Request &r) { r.offset = 1 << 20; }, Status::EndOfFile, Field::None);

    QueueConfig qc;
    qc.capacity = 64;
    auto q = Queue::create(make_cpu_backend({2, 0}), qc);
    // A good request between every bad one: it must be untouched by its neighbours.
    std::vector<std::vector<uint8_t>> good_dst(cases.size(), std::vector<uint8_t>(4096));
    for (size_t i = 0; i < cases.size(); ++i) {
        cases[i].req.user_data = i;
        q->enqueue(cases[i].req);
        Request g = good;
        g.dst = good_dst[i].data();
        g.user_data = 1000 + i;
        q->enqueue(g);
    }
    q->submit();
    auto done = dstest::drain(*q, cases.size() * 2);
    CHECK_EQ(done.size(), cases.size() * 2);
    for (const Completion &c : done) {
        if (c.user_data >= 1000) {
            CHECK_EQ(c.status, Status::Ok);
            CHECK_EQ(c.bytes, 4096u);
            continue;
        }
        const Case &k = cases[c.user_data];
        if (c.status != k.status || c.field != k.field)
            std::fprintf(stderr, "case '%s':\n", k.what);
        CHECK_EQ(c.status, k.status);
        CHECK_EQ(c.field, k.field);
    }
    for (const auto &d : good_dst)
        CHECK(std::memcmp(d.data(), f.bytes.data(), 4096) == 0);
    CHECK(bad_dst == std::vector<uint8_t>(4096, 0xEE));
}

static void test_gpu_range_past_end_of_buffer() {
    auto b = std::make_shared<dstest::HeldBackend>();
    b->caps_.gpu = true;
    auto q = Queue::create(b, QueueConfig{});
    Request r;
    r.fd = 0;
    r.size = 4096;
    r.memory = Memory::Gpu;
    r.gpu_buffer = 0x1234;
    r.gpu_buffer_size = 8192;
    r.gpu_offset = 4097;
    q->enqueue(r);
    r.gpu_offset = UINT64_MAX;  // overflow must not wrap around the check
    q->enqueue(r);
    r.gpu_buffer = 0;
    r.gpu_offset = 0;
    q->enqueue(r);
    // A compressed read is checked by what it decodes to, not by its compressed size.
    r.gpu_buffer = 0x1234;
    r.compression = Compression::GDeflate;
    r.size = 100;
    r.uncompressed_size = 8193;
    q->enqueue(r);
    q->submit();
    CHECK_EQ(b->held(), 0u);
    auto done = dstest::drain(*q, 4);
    CHECK_EQ(done[0].field, Field::GpuRange);
    CHECK_EQ(done[1].field, Field::GpuRange);
    CHECK_EQ(done[2].field, Field::GpuBuffer);
    CHECK_EQ(done[3].field, Field::GpuRange);
}

static void test_gdeflate_on_a_backend_without_a_decoder() {
    auto b = std::make_shared<dstest::HeldBackend>();  // caps().gdeflate == false
    auto q = Queue::create(b, QueueConfig{});
    Request r = dstest::fake_read(1);
    r.compression = Compression::GDeflate;
    r.uncompressed_size = 64;
    q->enqueue(r);
    q->submit();
    CHECK_EQ(b->held(), 0u);
    auto done = dstest::drain(*q, 1);
    CHECK_EQ(done[0].status, Status::Unsupported);
    CHECK_EQ(done[0].field, Field::Compression);
}

static void test_enqueue_on_closed_queue() {
    auto q = Queue::create(make_cpu_backend({1, 0}), QueueConfig{});
    q->close();
    char d[1];
    Request r;
    r.fd = 0;
    r.size = 1;
    r.dst = d;
    CHECK_EQ(q->enqueue(r), QueueResult::Closed);
    CHECK_EQ(q->try_enqueue(r), QueueResult::Closed);
    CHECK_EQ(q->enqueue_status(1), QueueResult::Closed);
    Completion c[1];
    size_t n = 0;
    CHECK_EQ(q->wait(c, 1, &n, std::chrono::milliseconds(1)), QueueResult::Closed);
}

int main() {
    test_each_bad_request();
    test_gpu_range_past_end_of_buffer();
    test_gdeflate_on_a_backend_without_a_decoder();
    test_enqueue_on_closed_queue();
    return dstest::finish("bad_input_test");
}
