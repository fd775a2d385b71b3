// SPDX-License-Identifier: MIT
// The ring thread's submission side: starting requests, cutting them into segments and
// preparing one SQE per segment, as far as op slots and bounce buffers allow.
#include <fcntl.h>

#include <cerrno>
#include <cstring>

#include "cpu/app_memory.h"
#include "io_uring/uring_backend.h"

namespace ds::uring {

void UringBackend::issue_pending() {
    while (pending_head_ < pending_.size()) {
        PendingWork &p = pending_[pending_head_];
        if (!p.started && !start(p)) {
            ++pending_head_;  // finished without I/O
            continue;
        }
        while (p.issued < p.segments) {
            if (p.work->cancelled()) {
                cancel_rest(p);
                break;
            }
            const Segment s = p.plan.at(p.next_pos);
            if (!slots_.available() || (s.kind == SegmentKind::Bounce && !bounce_.available()))
                return;  // resumes here once completions free resources
            issue_segment(p, s);
        }
        ++pending_head_;  // fully issued: its Work belongs to the ops in flight now
    }
    pending_.clear();
    pending_head_ = 0;
}

// Returns false when the request was finished here (no I/O needed, or it cannot start).
bool UringBackend::start(PendingWork &p) {
    Work *w = p.work;
    const Request &r = w->req;
    if (w->cancelled()) {
        w->finish(Status::Cancelled, 0);
        return false;
    }
    if (r.memory != Memory::Host || r.compression != Compression::None) {
        w->finish(Status::Unsupported, 0);  // the queue filters these by caps(); kept for safety
        return false;
    }
    if (r.op == Op::Read && r.source == Source::Memory) {
        IoOutcome o = copy_app_memory(r.dst, r.src, r.size);  // a bad pointer fails with EFAULT
        w->finish(o.status, o.bytes, o.error);
        return false;
    }
    bool direct = false;
    if (r.op == Op::Read) {
        // Cheap, and always current: a cache keyed by fd would go stale when fds are reused.
        const int flags = ::fcntl(r.fd, F_GETFL);
        if (flags < 0) {
            w->finish(Status::IoError, 0, errno);
            return false;
        }
        direct = (flags & O_DIRECT) != 0;
    }
    p.started = true;
    p.plan.file_offset = r.offset;
    p.plan.size = r.size;
    p.plan.memory = reinterpret_cast<uintptr_t>(r.op == Op::Read ? r.dst : const_cast<void *>(r.src));
    p.plan.direct = direct;
    p.plan.chunk_size = config_.chunk_size;
    p.plan.bounce_size = bounce_.size();
    p.segments = p.plan.count();
    p.issued = 0;
    p.next_pos = 0;
    if (p.segments > 1)
        w->begin_chunks(p.segments);
    if (direct)
        direct_reads_.fetch_add(1, std::memory_order_relaxed);
    return true;
}

void UringBackend::issue_segment(PendingWork &p, const Segment &s) {
    const Request &r = p.work->req;
    const uint32_t slot = slots_.acquire();
    RingOp &op = slots_[slot];
    op.work = p.work;
    op.single = p.segments == 1;
    op.fd = r.fd;
    op.owned_fd = -1;
    op.chunk_start = s.start;
    op.file_offset = r.offset + s.start;
    op.length = s.length;
    op.memory = reinterpret_cast<uint8_t *>(p.plan.memory) + s.start;
    op.done = 0;
    op.bounce = kNoBounce;
    switch (s.kind) {
    case SegmentKind::Plain: op.kind = r.op == Op::Write ? OpKind::Write : OpKind::Read; break;
    case SegmentKind::Direct: op.kind = OpKind::DirectRead; break;
    case SegmentKind::Bounce:
        op.kind = OpKind::BounceRead;
        op.bounce = bounce_.acquire();
        op.cover = bounce_cover(op.file_offset, op.length);
        break;
    }
    ++p.issued;
    p.next_pos += s.length;
    prepare(slot);
}

// Prepares the SQE for the part of the op not yet done: first issue and short-read resubmits.
void UringBackend::prepare(uint32_t slot) {
    RingOp &op = slots_[slot];
    io_uring_sqe *sqe = get_sqe();
    if (!sqe) {
        // Only when a broken ring keeps rejecting submits and discarded SQEs pile up.
        finish_op(slot, Status::IoError, 0, EBUSY);
        return;
    }
    if (op.kind == OpKind::BounceRead) {
        uint8_t *buf = bounce_.data(op.bounce) + op.done;
        const unsigned len = static_cast<unsigned>(op.cover.cover_length - op.done);
        const uint64_t off = op.cover.cover_start + op.done;
        if (bounce_.registered())
            io_uring_prep_read_fixed(sqe, op.fd, buf, len, off, static_cast<int>(op.bounce));
        else
            io_uring_prep_read(sqe, op.fd, buf, len, off);
    } else if (op.kind == OpKind::Write) {
        io_uring_prep_write(sqe, op.fd, op.memory + op.done, static_cast<unsigned>(op.length - op.done),
                            op.file_offset + op.done);
    } else {
        const int fd = op.owned_fd >= 0 ? op.owned_fd : op.fd;
        io_uring_prep_read(sqe, fd, op.memory + op.done, static_cast<unsigned>(op.length - op.done),
                           op.file_offset + op.done);
    }
    // A buffered read of cached data completes inside io_uring_enter, on this one thread;
    // large ones go to the kernel's workers so the copies run on every core. (O_DIRECT reads
    // are asynchronous already: forcing them onto workers would only add a context switch.)
    const bool buffered = op.kind == OpKind::Read || op.kind == OpKind::Write;
    if (buffered && config_.async_min_size != 0 && op.length - op.done >= config_.async_min_size)
        io_uring_sqe_set_flags(sqe, IOSQE_ASYNC);
    io_uring_sqe_set_data64(sqe, slot);
    ++batch_ops_;
}

void UringBackend::cancel_rest(PendingWork &p) {
    if (p.segments == 1) {
        p.work->finish(Status::Cancelled, 0);
        return;
    }
    // The last of these may finish the request: p.work is not touched afterwards.
    const uint32_t rest = p.segments - p.issued;
    Work *w = p.work;
    uint64_t pos = p.next_pos;
    p.issued = p.segments;
    for (uint32_t i = 0; i < rest; ++i)
        w->chunk_done(pos, Status::Cancelled, 0);
}

void UringBackend::cancel_all_pending() {
    for (size_t i = pending_head_; i < pending_.size(); ++i) {
        PendingWork &p = pending_[i];
        if (!p.started)
            p.work->finish(Status::Cancelled, 0);
        else if (p.issued < p.segments)
            cancel_rest(p);
    }
    pending_.clear();
    pending_head_ = 0;
}

}  // namespace ds::uring
