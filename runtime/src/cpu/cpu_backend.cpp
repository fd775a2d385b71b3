// SPDX-License-Identifier: MIT
// The CPU backend: worker threads pull chunks of requests and run pread/pwrite/memcpy.
#include "ds/cpu_backend.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "cpu/file_io.h"
#include "ds/gacl.h"
#include "ds/zstd.h"
#include "gdeflate/host_request.h"
#include "zstd/host_request.h"
#include "work.h"
#include "thread_name.h"

namespace ds {
namespace {

struct Task {
    Work *work;
    uint64_t start;  // within the request
    uint64_t length;
    bool chunked;
};

class CpuBackend final : public Backend {
public:
    explicit CpuBackend(const CpuBackendConfig &config)
        : chunk_size_(config.chunk_size ? config.chunk_size : 4u << 20) {
        uint32_t n = config.worker_count;
        if (n == 0)
            n = std::clamp<uint32_t>(std::thread::hardware_concurrency(), 1, 64);
        n = std::min(n, kMaxCpuWorkers);
        decode_threads_ = n;
        worker_count_ = n;
        workers_.reserve(n);
        try {
            for (uint32_t i = 0; i < n; ++i) {
                workers_.emplace_back([this] { run(); });
                name_thread(workers_.back(), "ds-cpu-read");
            }
        } catch (...) {
            // A thread that cannot start (EAGAIN: limits, memory) fails the backend cleanly: the
            // ones already running are stopped and joined, never destroyed while joinable.
            stop_workers();
            throw;
        }
    }

    ~CpuBackend() override { stop_workers(); }

    const char *name() const override { return "cpu"; }
    BackendCaps caps() const override {
        BackendCaps c;
        c.gdeflate = true;           // decoded on the worker thread (src/gdeflate/host_request.cpp)
        c.zstd = zstd::available();  // likewise (src/zstd/host_request.cpp)
        c.gacl = true;               // undone on the worker once the bytes are in (execute)
        return c;
    }
    BackendStats stats() const override {
        std::lock_guard lk(m_);
        return stats_;
    }

    void submit(Work *const *items, size_t count) override {
        {
            std::lock_guard lk(m_);
            ++stats_.submits;
            for (size_t i = 0; i < count; ++i) {
                Work *w = items[i];
                uint64_t size = w->req.size;
                // A GACL shuffle is undone over the whole request: one task.
                if (size <= chunk_size_ || w->req.compression != Compression::None ||
                    w->req.transform != Transform::None) {
                    tasks_.push_back(Task{w, 0, size, false});
                    continue;
                }
                uint64_t chunks = (size + chunk_size_ - 1) / chunk_size_;
                w->begin_chunks(static_cast<uint32_t>(chunks));
                for (uint64_t start = 0; start < size; start += chunk_size_)
                    tasks_.push_back(Task{w, start, std::min(chunk_size_, size - start), true});
            }
        }
        cv_.notify_all();
    }

private:
    void stop_workers() {
        {
            std::lock_guard lk(m_);
            stopping_ = true;
        }
        cv_.notify_all();
        for (auto &t : workers_)
            t.join();
        workers_.clear();
    }

    // A worker takes a share of the waiting tasks per lock (one when there are few, so that
    // every worker gets some; at most kMaxBatch small ones, kBatchBytes together, so that a
    // finished request does not wait long for the others) and hands their completions to the
    // queue together: one lock and one wake-up there instead of one per request.
    static constexpr size_t kMaxBatch = 8;
    static constexpr uint64_t kBatchBytes = 512u << 10;

    void run() {
        Task batch[kMaxBatch];
        FinishBatch finished;
        for (;;) {
            size_t n = 0;
            {
                std::unique_lock lk(m_);
                cv_.wait(lk, [&] { return stopping_ || !tasks_.empty(); });
                if (tasks_.empty())
                    return;  // stopping, and everything handed to us has been done
                size_t limit = std::clamp<size_t>(tasks_.size() / (2 * worker_count_ + 1), 1, kMaxBatch);
                uint64_t bytes = 0;
                while (n < limit && !tasks_.empty() && bytes < kBatchBytes) {
                    const Task &t = tasks_.front();
                    bytes += t.work->req.compression == Compression::None ? t.length : kBatchBytes;
                    batch[n++] = t;
                    tasks_.pop_front();
                }
            }
            for (size_t i = 0; i < n; ++i)
                execute(batch[i], finished);
            finished.flush();
        }
    }

    // The GACL shuffle undone over what the read produced, in the destination.
    static IoOutcome undo_transform(const Request &req, IoOutcome done) {
        auto t = static_cast<gacl::Transform>(req.transform);
        if (!gacl::unshuffle_in_place(t, static_cast<uint8_t *>(req.dst), done.bytes)) {
            done.status = Status::IoError;
            done.error = ENOMEM;
            done.bytes = 0;
        }
        return done;
    }

    void execute(const Task &t, FinishBatch &finished) const {
        Work *w = t.work;
        IoOutcome o;
        if (w->cancelled())
            o.status = Status::Cancelled;
        else if (w->req.compression == Compression::GDeflate)
            o = run_gdeflate_read(w->req, decode_threads_);
        else if (w->req.compression == Compression::Zstd)
            o = run_zstd_read(w->req);
        else
            o = run_host_transfer(w->req, t.start, t.length);
        if (o.status == Status::Ok && w->req.transform != Transform::None)
            o = undo_transform(w->req, o);
        if (t.chunked)
            finished.chunk(w, t.start, o.status, o.bytes, o.error);
        else
            finished.add(w, w->completion(o.status, o.bytes, o.error));
    }

    const uint64_t chunk_size_;
    uint32_t decode_threads_ = 1;  ///< a large GDeflate stream is decoded with this many threads
    uint32_t worker_count_ = 1;
    mutable std::mutex m_;
    std::condition_variable cv_;
    std::deque<Task> tasks_;
    bool stopping_ = false;
    BackendStats stats_;
    std::vector<std::thread> workers_;
};

}  // namespace

std::shared_ptr<Backend> make_cpu_backend(const CpuBackendConfig &config) {
    return std::make_shared<CpuBackend>(config);
}

}  // namespace ds
