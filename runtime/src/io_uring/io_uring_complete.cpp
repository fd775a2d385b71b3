// SPDX-License-Identifier: MIT
// The ring thread's completion side: short transfers, end of file, bounce copies, the
// buffered fallback for refused O_DIRECT reads, and failing a batch the kernel refused.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "io_uring/uring_backend.h"

namespace ds::uring {
namespace {

bool is_direct(OpKind k) { return k == OpKind::DirectRead || k == OpKind::BounceRead; }

}  // namespace

void UringBackend::complete(uint32_t slot, int res) {
    RingOp &op = slots_[slot];
    if (config_.inject_direct_einval && is_direct(op.kind) && res >= 0)
        res = -EINVAL;
    if (res == -EINVAL && is_direct(op.kind)) {
        fall_back_to_buffered(slot);
        return;
    }
    if (res == -ECANCELED) {
        finish_op(slot, Status::Cancelled, 0);
        return;
    }
    if (res == -EINTR || res == -EAGAIN) {
        resubmit(slot);
        return;
    }
    if (res < 0) {
        finish_op(slot, Status::IoError, 0, -res);
        return;
    }
    const uint64_t got = static_cast<uint64_t>(res);
    switch (op.kind) {
    case OpKind::Read:
        if (got == 0) {
            finish_op(slot, Status::EndOfFile, op.done);
            return;
        }
        op.done += got;
        break;
    case OpKind::Write:
        if (got == 0) {  // no progress and no errno: the device cannot take more
            finish_op(slot, Status::IoError, 0, EIO);
            return;
        }
        op.done += got;
        break;
    case OpKind::DirectRead:
        op.done += got;
        // O_DIRECT stops short of a block boundary only at end of file.
        if (got == 0 || (op.done < op.length && got % kDirectAlign != 0)) {
            finish_op(slot, Status::EndOfFile, op.done);
            return;
        }
        break;
    case OpKind::BounceRead: {
        op.done += got;
        const bool at_eof = got == 0 || got % kDirectAlign != 0;
        if (op.done < op.cover.cover_length && !at_eof) {
            resubmit(slot);
            return;
        }
        // The cover may end past EOF and still hold every wanted byte.
        const uint64_t head = op.file_offset - op.cover.cover_start;
        const uint64_t have = op.done > head ? std::min(op.done - head, op.length) : 0;
        std::memcpy(op.memory, bounce_.data(op.bounce) + head, have);
        finish_op(slot, have == op.length ? Status::Ok : Status::EndOfFile, have);
        return;
    }
    }
    if (op.done < op.length)
        resubmit(slot);  // short transfer: issue the remainder
    else
        finish_op(slot, Status::Ok, op.length);
}

// Issues the rest of a partly done op, unless the backend is shutting down: then a
// remainder that might never come (a pipe) must not hold up the destructor.
void UringBackend::resubmit(uint32_t slot) {
    if (stopping_)
        finish_op(slot, Status::Cancelled, 0);
    else
        prepare(slot);
}

// O_DIRECT was refused for this range (some filesystems reject alignments or O_DIRECT reads
// altogether). A reopen through /proc gives a buffered description of the same file without
// touching the caller's fd flags.
void UringBackend::fall_back_to_buffered(uint32_t slot) {
    RingOp &op = slots_[slot];
    char path[48];
    std::snprintf(path, sizeof path, "/proc/self/fd/%d", op.fd);
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        finish_op(slot, Status::IoError, 0, EINVAL);  // report what the read said, not the reopen
        return;
    }
    buffered_fallbacks_.fetch_add(1, std::memory_order_relaxed);
    if (op.bounce != kNoBounce) {
        bounce_.release(op.bounce);
        op.bounce = kNoBounce;
        op.done = 0;  // progress was in the bounce buffer, not the destination
    }
    op.kind = OpKind::Read;
    op.owned_fd = fd;
    prepare(slot);
}

void UringBackend::finish_op(uint32_t slot, Status status, uint64_t bytes, int error) {
    RingOp &op = slots_[slot];
    Work *w = op.work;
    const bool single = op.single;
    const uint64_t chunk_start = op.chunk_start;
    if (op.bounce != kNoBounce) {
        bounce_.release(op.bounce);
        op.bounce = kNoBounce;
    }
    if (op.owned_fd >= 0) {
        ::close(op.owned_fd);
        op.owned_fd = -1;
    }
    op.work = nullptr;
    slots_.release(slot);
    // Last: the Work may be reused by the queue the moment this returns.
    if (single)
        w->finish(status, bytes, error);
    else
        w->chunk_done(chunk_start, status, bytes, error);
}

// io_uring_submit failed outright. The prepared SQEs are still in the SQ ring (the kernel
// consumed none), so a later submit would run them after we reported them: turn each into a
// NOP whose completion is ignored, and fail its request now so no waiter hangs.
void UringBackend::fail_unsubmitted(int error) {
    io_uring_sq &sq = ring_.sq;
    const unsigned head = io_uring_smp_load_acquire(sq.khead);
    for (unsigned i = head; i != sq.sqe_tail; ++i) {
        io_uring_sqe *sqe = &sq.sqes[i & sq.ring_mask];
        const uint64_t tag = sqe->user_data;
        io_uring_prep_nop(sqe);
        io_uring_sqe_set_data64(sqe, kDiscardedTag);
        if (tag == kWakeTag)
            wake_armed_ = false;
        else if (tag != kDiscardedTag)
            finish_op(static_cast<uint32_t>(tag), Status::IoError, 0, error);
    }
    batch_ops_ = 0;
}

}  // namespace ds::uring
