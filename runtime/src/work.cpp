// SPDX-License-Identifier: MIT
#include "work.h"

namespace ds {
namespace {

// When chunks disagree, the request reports the most serious outcome. A cancelled chunk outranks
// end of file: its bytes were never read, so an END_OF_FILE "N bytes delivered" would claim bytes
// that are not in the destination (found by the queue_c_abi fuzz target: a chunked read cancelled
// half-way that also crossed the end of the file).
uint8_t severity(Status s) {
    switch (s) {
    case Status::Ok: return 0;
    case Status::EndOfFile: return 1;
    case Status::Cancelled: return 2;
    case Status::Unsupported: return 3;
    case Status::InvalidRequest: return 4;
    case Status::IoError: return 5;
    case Status::DeviceError: return 6;
    }
    return 6;
}

constexpr Status kByRank[] = {Status::Ok,          Status::EndOfFile,      Status::Cancelled,
                              Status::Unsupported, Status::InvalidRequest, Status::IoError,
                              Status::DeviceError};

}  // namespace

Completion Work::completion(Status status, uint64_t bytes, int32_t error, Field field) const {
    Completion c;
    c.kind = EntryKind::Request;
    c.status = status;
    c.field = field;
    c.error = error;
    c.bytes = bytes;
    c.user_data = req.user_data;
    return c;
}

void Work::finish(Status status, uint64_t bytes, int32_t error, Field field) {
    sink->finish(this, completion(status, bytes, error, field));
}

void Work::begin_chunks(uint32_t count) {
    chunks_left_.store(count, std::memory_order_relaxed);
    worst_.store(0, std::memory_order_relaxed);
    error_.store(0, std::memory_order_relaxed);
    short_at_.store(UINT64_MAX, std::memory_order_relaxed);
}

void Work::chunk_done(uint64_t chunk_start, Status status, uint64_t bytes, int32_t error) {
    Completion c;
    if (chunk_settle(chunk_start, status, bytes, error, &c))
        sink->finish(this, c);
}

bool Work::chunk_settle(uint64_t chunk_start, Status status, uint64_t bytes, int32_t error, Completion *out) {
    uint8_t rank = severity(status);
    uint8_t seen = worst_.load(std::memory_order_relaxed);
    while (rank > seen && !worst_.compare_exchange_weak(seen, rank, std::memory_order_relaxed)) {
    }
    if (rank > seen && error)
        error_.store(error, std::memory_order_relaxed);
    if (status == Status::EndOfFile) {
        uint64_t end = chunk_start + bytes;
        uint64_t cur = short_at_.load(std::memory_order_relaxed);
        while (end < cur && !short_at_.compare_exchange_weak(cur, end, std::memory_order_relaxed)) {
        }
    }
    if (chunks_left_.fetch_sub(1, std::memory_order_acq_rel) != 1)
        return false;
    Status final_status = kByRank[worst_.load(std::memory_order_relaxed)];
    uint64_t total = short_at_.load(std::memory_order_relaxed);
    if (total == UINT64_MAX)
        total = final_status == Status::Ok ? req.size : 0;
    if (final_status == Status::Cancelled)
        total = 0;
    *out = completion(final_status, total, error_.load(std::memory_order_relaxed));
    return true;
}

void FinishBatch::add(Work *work, const Completion &result) {
    if (count_ == kCapacity || (count_ && works_[0]->sink != work->sink))
        flush();
    works_[count_] = work;
    results_[count_++] = result;
}

void FinishBatch::chunk(Work *work, uint64_t chunk_start, Status status, uint64_t bytes, int32_t error) {
    Completion c;
    if (work->chunk_settle(chunk_start, status, bytes, error, &c))
        add(work, c);
}

void FinishBatch::flush() {
    if (count_)
        works_[0]->sink->finish_many(works_, results_, count_);
    count_ = 0;
}

}  // namespace ds
