// SPDX-License-Identifier: MIT
// A backend for queue-ordering tests: it holds submitted work until the test releases each
// item, so tests choose the completion order. (The real backends are tested elsewhere.)
#pragma once

#include <mutex>
#include <vector>

#include "ds/backend.h"
#include "work.h"

namespace dstest {

class HeldBackend final : public ds::Backend {
public:
    const char *name() const override { return "held"; }
    ds::BackendCaps caps() const override { return caps_; }
    ds::BackendStats stats() const override { return {}; }
    void submit(ds::Work *const *items, size_t count) override {
        std::lock_guard lk(m_);
        held_.insert(held_.end(), items, items + count);
    }

    size_t held() {
        std::lock_guard lk(m_);
        return held_.size();
    }
    /// Completes the held item whose user_data matches.
    bool release(uint64_t user_data, ds::Status status = ds::Status::Ok, uint64_t bytes = 0) {
        ds::Work *w = nullptr;
        {
            std::lock_guard lk(m_);
            for (size_t i = 0; i < held_.size(); ++i)
                if (held_[i]->req.user_data == user_data) {
                    w = held_[i];
                    held_.erase(held_.begin() + static_cast<long>(i));
                    break;
                }
        }
        if (!w)
            return false;
        w->finish(status, bytes ? bytes : (status == ds::Status::Ok ? w->req.size : 0));
        return true;
    }
    /// Completes everything held; Cancelled where cancellation was requested.
    void release_all() {
        std::vector<ds::Work *> all;
        {
            std::lock_guard lk(m_);
            all.swap(held_);
        }
        for (ds::Work *w : all)
            w->finish(w->cancelled() ? ds::Status::Cancelled : ds::Status::Ok, w->cancelled() ? 0 : w->req.size);
    }

    ds::BackendCaps caps_;

private:
    std::mutex m_;
    std::vector<ds::Work *> held_;
};

/// A valid host read for the ordering tests (never touches memory: HeldBackend does no I/O).
inline ds::Request fake_read(uint64_t user_data, uint64_t tag = 0) {
    static char sink[16];
    ds::Request r;
    r.fd = 0;
    r.size = 8;
    r.dst = sink;
    r.user_data = user_data;
    r.cancel_tag = tag;
    return r;
}

}  // namespace dstest
