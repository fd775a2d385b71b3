// SPDX-License-Identifier: MIT
// ds::Work's chunk settlement: what a request split into chunks reports when its chunks disagree.
#include "check.h"
#include "work.h"

// Settles the chunks in the order given; returns the request's completion (the last call's).
static ds::Completion settle(ds::Work &w, std::initializer_list<std::pair<ds::Status, uint64_t>> chunks) {
    w.begin_chunks(static_cast<uint32_t>(chunks.size()));
    ds::Completion c;
    uint64_t start = 0;
    size_t left = chunks.size();
    for (const auto &[status, bytes] : chunks) {
        bool last = w.chunk_settle(start, status, bytes, 0, &c);
        CHECK_EQ(last, --left == 0);
        start += 512;
    }
    return c;
}

// A chunked read cancelled half-way whose later chunk crossed the end of the file: the skipped
// chunks never wrote their bytes, so it must not report END_OF_FILE with a prefix it never read.
static void test_cancelled_chunk_outranks_end_of_file() {
    ds::Work w;
    w.req.size = 2048;
    ds::Completion c = settle(
        w,
        {{ds::Status::Cancelled, 0}, {ds::Status::Ok, 512}, {ds::Status::EndOfFile, 48}, {ds::Status::EndOfFile, 0}});
    CHECK(c.status == ds::Status::Cancelled);
    CHECK_EQ(c.bytes, 0u);
    // Whatever order the chunks finish in.
    c = settle(
        w,
        {{ds::Status::EndOfFile, 0}, {ds::Status::EndOfFile, 48}, {ds::Status::Ok, 512}, {ds::Status::Cancelled, 0}});
    CHECK(c.status == ds::Status::Cancelled);
    CHECK_EQ(c.bytes, 0u);
}

// Without a cancellation, END_OF_FILE reports the prefix up to the first short chunk.
static void test_end_of_file_reports_the_shortest_prefix() {
    ds::Work w;
    w.req.size = 2048;
    ds::Completion c = settle(
        w, {{ds::Status::Ok, 512}, {ds::Status::Ok, 512}, {ds::Status::EndOfFile, 48}, {ds::Status::EndOfFile, 0}});
    CHECK(c.status == ds::Status::EndOfFile);
    CHECK_EQ(c.bytes, 1024u + 48u);
    c = settle(w, {{ds::Status::Ok, 512}, {ds::Status::Ok, 512}, {ds::Status::Ok, 512}, {ds::Status::Ok, 512}});
    CHECK(c.status == ds::Status::Ok);
    CHECK_EQ(c.bytes, 2048u);
}

// An I/O error still outranks a cancellation.
static void test_io_error_outranks_cancelled() {
    ds::Work w;
    w.req.size = 1024;
    ds::Completion c = settle(w, {{ds::Status::Cancelled, 0}, {ds::Status::IoError, 0}});
    CHECK(c.status == ds::Status::IoError);
}

int main() {
    test_cancelled_chunk_outranks_end_of_file();
    test_end_of_file_reports_the_shortest_prefix();
    test_io_error_outranks_cancelled();
    return dstest::finish("work_test");
}
