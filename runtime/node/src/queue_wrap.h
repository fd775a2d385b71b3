// SPDX-License-Identifier: MIT
// Queue: ds::Queue for JavaScript, every entry answered by a Promise.
//
// Design
// - One waiter thread per Queue blocks in ds::Queue::wait() and hands each batch of completions
//   to the JS thread through one ThreadSafeFunction call; the JS thread resolves the batch's
//   promises in completion order (so a signal's promise settles after those before it).
// - Enqueueing never blocks the JS thread: read()/write()/signal()/status() use try_enqueue, and
//   when the queue is full the entry waits in a FIFO backlog on the JS thread. Every batch of
//   completions frees slots, so the backlog is fed right after the batch is resolved. Once the
//   backlog is non-empty every new entry joins it, which keeps the enqueue order intact; submit()
//   remembers how far it reached so fed entries it covered are submitted too.
// - The JS buffers a request points into are held (napi references) until it completes, and the
//   Queue object itself, and the event loop, are kept alive while anything is outstanding.
// - runReads() hands a whole benchmark job to the waiter thread, which then is the queue's only
//   enqueuer and waiter; it needs an idle queue and resolves one promise at the end.
// - close() is also carried out by the waiter thread (ds::Queue::close waits for in-flight I/O).
#pragma once

#include <napi.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bulk_reads.h"
#include "ds/queue.h"

namespace dsnode {

class QueueWrap;

/// What the waiter thread sends to the JS thread.
struct QueueMessage {
    enum class Kind { Completions, JobDone, Closed } kind = Kind::Completions;
    std::vector<ds::Completion> completions;
    BulkReadsResult job;
};

/// The ThreadSafeFunction's context; outlives the QueueWrap, which clears `owner`.
struct QueueLink {
    QueueWrap *owner = nullptr;
};

/// Runs on the JS thread (env is null when the environment is being torn down).
void deliver_to_js(Napi::Env env, Napi::Function unused, QueueLink *link, QueueMessage *message);
using QueueTsfn = Napi::TypedThreadSafeFunction<QueueLink, QueueMessage, deliver_to_js>;

class QueueWrap : public Napi::ObjectWrap<QueueWrap> {
public:
    static Napi::Function define(Napi::Env env);
    /// new Queue(backend, {capacity = 1024, autoSubmit = true})
    explicit QueueWrap(const Napi::CallbackInfo &info);
    ~QueueWrap() override;

    void deliver(Napi::Env env, QueueMessage &message);

private:
    struct Pending {
        Napi::Promise::Deferred deferred;
        ds::EntryKind kind;
        uint64_t user_data;  // the caller's userData (default: the entry's id)
        std::vector<Napi::Reference<Napi::Value>> keep_alive;
    };
    struct Backlogged {
        ds::EntryKind kind;
        ds::Request req;  // req.user_data is the entry's id
    };

    Napi::Value read(const Napi::CallbackInfo &info);
    Napi::Value write(const Napi::CallbackInfo &info);
    Napi::Value signal(const Napi::CallbackInfo &info);
    Napi::Value status(const Napi::CallbackInfo &info);
    Napi::Value submit(const Napi::CallbackInfo &info);
    Napi::Value cancel(const Napi::CallbackInfo &info);
    Napi::Value close(const Napi::CallbackInfo &info);
    Napi::Value info(const Napi::CallbackInfo &info);
    Napi::Value stats(const Napi::CallbackInfo &info);
    Napi::Value backend_stats(const Napi::CallbackInfo &info);
    Napi::Value backend_name(const Napi::CallbackInfo &info);
    Napi::Value closed(const Napi::CallbackInfo &info);
    Napi::Value run_reads(const Napi::CallbackInfo &info);

    void require_open(Napi::Env env, const char *what);
    Napi::Value add_entry(Napi::Env env, ds::EntryKind kind, ds::Request req, uint64_t user_data,
                          std::vector<Napi::Reference<Napi::Value>> keep_alive);
    ds::QueueResult try_push(const Backlogged &entry);
    void feed_backlog(Napi::Env env);
    void settle(Napi::Env env, const ds::Completion &c);
    void settle_unqueued(Napi::Env env, const Backlogged &entry, ds::Status status);
    void update_keep_alive();
    void waiter_main();
    void post(QueueMessage *message);
    void stop_waiter();
    static void on_env_cleanup(void *self);

    std::shared_ptr<ds::Backend> backend_;
    std::unique_ptr<ds::Queue> queue_;

    // JS-thread state.
    std::unordered_map<uint64_t, Pending> pending_;
    std::deque<Backlogged> backlog_;
    struct Failure {
        uint64_t user_data;
        ds::Field field;
        int32_t error;
    };
    std::map<uint64_t, Failure> failures_;  // failed requests by id, until a checkpoint covers them
    uint64_t next_id_ = 1;
    uint64_t submitted_through_ = 0;  // submit() covers entries with id <= this
    bool closing_ = false;
    bool closed_ = false;
    bool kept_alive_ = false;
    std::vector<Napi::Promise::Deferred> close_waiters_;
    std::optional<Napi::Promise::Deferred> job_deferred_;

    // Shared with the waiter thread.
    QueueTsfn tsfn_;
    QueueLink *link_ = nullptr;  // owned by tsfn_ (deleted by its finalizer)
    bool tsfn_released_ = false;
    bool cleanup_hook_added_ = false;
    std::thread waiter_;
    std::atomic<bool> close_requested_{false};
    std::atomic<bool> detached_{false};  // the QueueWrap is going away: post nothing more
    std::mutex job_mutex_;
    std::unique_ptr<BulkReadsJob> job_;
};

}  // namespace dsnode
