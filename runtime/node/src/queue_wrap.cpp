// SPDX-License-Identifier: MIT
#include "queue_wrap.h"

#include <chrono>
#include <string>
#include <utility>

#include "backend_wrap.h"
#include "js_convert.h"
#include "request_builder.h"

namespace dsnode {

namespace {

constexpr size_t kBatch = 512;
constexpr auto kWaiterTick = std::chrono::milliseconds(20);  // how soon the waiter notices close/jobs

bool is_failure(ds::Status s) { return s != ds::Status::Ok && s != ds::Status::Cancelled; }

}  // namespace

void deliver_to_js(Napi::Env env, Napi::Function, QueueLink *link, QueueMessage *message) {
    std::unique_ptr<QueueMessage> owned(message);
    if (env == nullptr || link == nullptr || link->owner == nullptr)
        return;
    link->owner->deliver(env, *owned);
}

Napi::Function QueueWrap::define(Napi::Env env) {
    return DefineClass(
        env, "Queue",
        {InstanceMethod<&QueueWrap::read>("read"), InstanceMethod<&QueueWrap::write>("write"),
         InstanceMethod<&QueueWrap::signal>("signal"), InstanceMethod<&QueueWrap::status>("status"),
         InstanceMethod<&QueueWrap::submit>("submit"), InstanceMethod<&QueueWrap::cancel>("cancel"),
         InstanceMethod<&QueueWrap::close>("close"), InstanceMethod<&QueueWrap::info>("info"),
         InstanceMethod<&QueueWrap::stats>("stats"), InstanceMethod<&QueueWrap::backend_stats>("backendStats"),
         InstanceMethod<&QueueWrap::run_reads>("runReads"), InstanceAccessor<&QueueWrap::backend_name>("backendName"),
         InstanceAccessor<&QueueWrap::closed>("closed")});
}

QueueWrap::QueueWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<QueueWrap>(info) {
    Napi::Env env = info.Env();
    if (!info.IsConstructCall())
        throw Napi::TypeError::New(env, "Queue must be called with new");
    backend_ = BackendWrap::unwrap(info[0], "new Queue(backend)");
    ds::QueueConfig config;
    if (info.Length() > 1 && info[1].IsObject()) {
        Napi::Object o = info[1].As<Napi::Object>();
        config.capacity = uint32_t(to_u64_or(o.Get("capacity"), "new Queue({capacity})", config.capacity));
        config.auto_submit = to_bool_or(o.Get("autoSubmit"), config.auto_submit);
    }
    queue_ = ds::Queue::create(backend_, config);
    if (!queue_)
        throw Napi::RangeError::New(env, "new Queue: capacity must be 1 .. " + std::to_string(ds::kMaxQueueCapacity) +
                                             " (got " + std::to_string(config.capacity) + ")");

    link_ = new QueueLink{this};
    tsfn_ = QueueTsfn::New(env, "ds-runtime queue completions", 0, 1, link_,
                           [](Napi::Env, void *, QueueLink *link) { delete link; });
    tsfn_.Unref(env);  // only outstanding entries keep the process alive (update_keep_alive)
    // Registered after the ThreadSafeFunction, so at teardown it runs before the TSFN's own hook:
    // the waiter thread is gone before the TSFN is.
    napi_add_env_cleanup_hook(env, &QueueWrap::on_env_cleanup, this);
    cleanup_hook_added_ = true;
    waiter_ = std::thread([this] { waiter_main(); });
}

QueueWrap::~QueueWrap() {
    // Reached when the object is collected (nothing outstanding: update_keep_alive holds it
    // otherwise) or when the environment is torn down.
    stop_waiter();
    if (cleanup_hook_added_)
        napi_remove_env_cleanup_hook(Env(), &QueueWrap::on_env_cleanup, this);
}

void QueueWrap::on_env_cleanup(void *self) {
    auto *queue = static_cast<QueueWrap *>(self);
    queue->cleanup_hook_added_ = false;
    queue->stop_waiter();
}

void QueueWrap::stop_waiter() {
    detached_.store(true);
    close_requested_.store(true);
    if (waiter_.joinable())
        waiter_.join();
    if (!tsfn_released_) {
        if (link_)
            link_->owner = nullptr;
        link_ = nullptr;  // the TSFN's finalizer deletes it
        tsfn_released_ = true;
        tsfn_.Abort();
    }
}

// ---- waiter thread ---------------------------------------------------------------------------

void QueueWrap::post(QueueMessage *message) {
    if (detached_.load() || tsfn_.NonBlockingCall(message) != napi_ok)
        delete message;
}

void QueueWrap::waiter_main() {
    std::vector<ds::Completion> buffer(kBatch);
    bool close_called = false;
    for (;;) {
        std::unique_ptr<BulkReadsJob> job;
        {
            std::lock_guard<std::mutex> lock(job_mutex_);
            job = std::move(job_);
        }
        if (job) {
            auto *message = new QueueMessage{QueueMessage::Kind::JobDone, {}, run_bulk_reads(*queue_, *job)};
            post(message);
            continue;
        }
        if (close_requested_.load() && !close_called) {
            queue_->close();
            close_called = true;
        }
        size_t n = 0;
        ds::QueueResult r = queue_->wait(buffer.data(), buffer.size(), &n, kWaiterTick);
        if (n > 0) {
            auto *message = new QueueMessage{};
            message->completions.assign(buffer.begin(), buffer.begin() + ptrdiff_t(n));
            // Drain what else is ready so one JS call settles as many promises as possible.
            size_t more;
            while ((more = queue_->poll(buffer.data(), buffer.size())) > 0)
                message->completions.insert(message->completions.end(), buffer.begin(),
                                            buffer.begin() + ptrdiff_t(more));
            post(message);
        }
        if (r == ds::QueueResult::Closed && close_called)
            break;
    }
    post(new QueueMessage{QueueMessage::Kind::Closed, {}, {}});
}

// ---- JS thread -------------------------------------------------------------------------------

void QueueWrap::deliver(Napi::Env env, QueueMessage &message) {
    Napi::HandleScope scope(env);
    switch (message.kind) {
    case QueueMessage::Kind::Completions:
        for (const ds::Completion &c : message.completions)
            settle(env, c);
        feed_backlog(env);
        break;
    case QueueMessage::Kind::JobDone: {
        const BulkReadsResult &r = message.job;
        Napi::Promise::Deferred deferred = std::move(*job_deferred_);
        job_deferred_.reset();
        if (!r.failure.empty()) {
            deferred.Reject(Napi::Error::New(env, "runReads: " + r.failure).Value());
            break;
        }
        Napi::Object o = Napi::Object::New(env);
        o.Set("seconds", r.seconds);
        o.Set("cpuSeconds", r.cpu_seconds);
        o.Set("bytes", from_u64(env, r.bytes));
        o.Set("requests", from_u64(env, r.requests));
        o.Set("errors", from_u64(env, r.errors));
        Napi::Object by_status = Napi::Object::New(env);
        for (size_t s = 0; s < 7; ++s)
            if (r.status_counts[s])
                by_status.Set(status_js_name(ds::Status(s)), from_u64(env, r.status_counts[s]));
        o.Set("statuses", by_status);
        deferred.Resolve(o);
        break;
    }
    case QueueMessage::Kind::Closed:
        closed_ = true;
        if (waiter_.joinable())
            waiter_.join();             // it posted this as its last act
        for (auto &entry : pending_) {  // nothing should be left; never leave a promise hanging
            ds::Completion c;
            c.status = ds::Status::Cancelled;
            c.user_data = entry.first;
            if (entry.second.kind == ds::EntryKind::Request)
                entry.second.deferred.Resolve(request_result(env, c));
            else
                entry.second.deferred.Reject(Napi::Error::New(env, "the queue closed first").Value());
        }
        pending_.clear();
        for (auto &d : close_waiters_)
            d.Resolve(env.Undefined());
        close_waiters_.clear();
        break;
    }
    update_keep_alive();
    if (closed_ && !tsfn_released_) {
        link_->owner = nullptr;
        link_ = nullptr;  // the TSFN's finalizer deletes it
        tsfn_released_ = true;
        tsfn_.Release();
    }
}

void QueueWrap::settle(Napi::Env env, const ds::Completion &c) {
    auto it = pending_.find(c.user_data);
    if (it == pending_.end())
        return;
    Pending p = std::move(it->second);
    pending_.erase(it);
    switch (p.kind) {
    case ds::EntryKind::Request: {
        if (is_failure(c.status))
            failures_.emplace(c.user_data, Failure{p.user_data, c.field, c.error});
        Napi::Object result = request_result(env, c);
        result.Set("userData", Napi::BigInt::New(env, p.user_data));
        p.deferred.Resolve(result);
        break;
    }
    case ds::EntryKind::Signal: p.deferred.Resolve(env.Undefined()); break;
    case ds::EntryKind::Status: {
        // The runtime names the failed request by id; report the caller's userData, field and error.
        ds::Completion report = c;
        uint64_t failed_user_data = c.failed_user_data;
        if (auto failed = failures_.find(c.failed_user_data); failed != failures_.end()) {
            failed_user_data = failed->second.user_data;
            if (report.field == ds::Field::None)
                report.field = failed->second.field;
            if (report.error == 0)
                report.error = failed->second.error;
        }
        failures_.erase(failures_.begin(), failures_.lower_bound(c.user_data));
        Napi::Object result = checkpoint_result(env, report, failed_user_data);
        p.deferred.Resolve(result);
        break;
    }
    }
}

void QueueWrap::settle_unqueued(Napi::Env env, const Backlogged &entry, ds::Status status) {
    ds::Completion c;
    c.kind = entry.kind;
    c.status = entry.kind == ds::EntryKind::Request ? status : ds::Status::Ok;
    c.user_data = entry.req.user_data;
    settle(env, c);
}

void QueueWrap::update_keep_alive() {
    bool busy = !pending_.empty() || !close_waiters_.empty() || job_deferred_.has_value();
    if (busy == kept_alive_ || tsfn_released_)
        return;
    kept_alive_ = busy;
    if (busy) {
        tsfn_.Ref(Env());
        Ref();
    } else {
        tsfn_.Unref(Env());
        Unref();
    }
}

void QueueWrap::require_open(Napi::Env env, const char *what) {
    if (closing_ || closed_)
        throw Napi::Error::New(env, std::string(what) + ": the queue is closed; create a new Queue");
    if (job_deferred_)
        throw Napi::Error::New(env, std::string(what) + ": runReads() is running on this queue; await it first");
}

ds::QueueResult QueueWrap::try_push(const Backlogged &entry) {
    switch (entry.kind) {
    case ds::EntryKind::Request: return queue_->try_enqueue(entry.req);
    case ds::EntryKind::Signal:
    case ds::EntryKind::Status:
        // Only this thread takes slots, so a free one stays free until we use it: the
        // signal/status calls below cannot block.
        if (queue_->info().empty_slots == 0)
            return ds::QueueResult::Full;
        return entry.kind == ds::EntryKind::Signal ? queue_->enqueue_signal(entry.req.user_data)
                                                   : queue_->enqueue_status(entry.req.user_data);
    }
    return ds::QueueResult::InvalidArgument;
}

Napi::Value QueueWrap::add_entry(Napi::Env env, ds::EntryKind kind, ds::Request req, uint64_t user_data,
                                 std::vector<Napi::Reference<Napi::Value>> keep_alive) {
    uint64_t id = next_id_++;
    req.user_data = id;
    Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
    Napi::Promise promise = deferred.Promise();
    pending_.emplace(id, Pending{std::move(deferred), kind, user_data ? user_data : id, std::move(keep_alive)});
    Backlogged entry{kind, req};
    ds::QueueResult r = backlog_.empty() ? try_push(entry) : ds::QueueResult::Full;
    if (r == ds::QueueResult::Full) {
        backlog_.push_back(entry);
    } else if (r != ds::QueueResult::Ok) {
        settle_unqueued(env, entry, ds::Status::InvalidRequest);
    }
    update_keep_alive();
    return promise;
}

void QueueWrap::feed_backlog(Napi::Env env) {
    bool covered_by_submit = false;
    while (!backlog_.empty() && !closing_) {
        const Backlogged &entry = backlog_.front();
        ds::QueueResult r = try_push(entry);
        if (r == ds::QueueResult::Full)
            break;
        if (r != ds::QueueResult::Ok)
            settle_unqueued(env, entry, ds::Status::InvalidRequest);
        if (entry.req.user_data <= submitted_through_)
            covered_by_submit = true;
        backlog_.pop_front();
    }
    if (covered_by_submit)
        queue_->submit();
}

Napi::Value QueueWrap::read(const Napi::CallbackInfo &info) {
    require_open(info.Env(), "read");
    BuiltRequest built = build_request(ds::Op::Read, info[0]);
    uint64_t user_data = to_u64_or(info[0].As<Napi::Object>().Get("userData"), "userData", 0);
    return add_entry(info.Env(), ds::EntryKind::Request, built.req, user_data, std::move(built.keep_alive));
}

Napi::Value QueueWrap::write(const Napi::CallbackInfo &info) {
    require_open(info.Env(), "write");
    BuiltRequest built = build_request(ds::Op::Write, info[0]);
    uint64_t user_data = to_u64_or(info[0].As<Napi::Object>().Get("userData"), "userData", 0);
    return add_entry(info.Env(), ds::EntryKind::Request, built.req, user_data, std::move(built.keep_alive));
}

Napi::Value QueueWrap::signal(const Napi::CallbackInfo &info) {
    require_open(info.Env(), "signal");
    return add_entry(info.Env(), ds::EntryKind::Signal, ds::Request{}, 0, {});
}

Napi::Value QueueWrap::status(const Napi::CallbackInfo &info) {
    require_open(info.Env(), "status");
    return add_entry(info.Env(), ds::EntryKind::Status, ds::Request{}, 0, {});
}

Napi::Value QueueWrap::submit(const Napi::CallbackInfo &info) {
    require_open(info.Env(), "submit");
    submitted_through_ = next_id_ - 1;
    queue_->submit();
    return info.Env().Undefined();
}

Napi::Value QueueWrap::cancel(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    uint64_t mask = to_u64(info[0], "cancel(mask)");
    uint64_t value = to_u64(info[1], "cancel(mask, value)");
    if (closed_)
        return Napi::Number::New(env, 0);
    // Entries still in the backlog never reached the runtime: cancel them here, in order.
    std::deque<Backlogged> kept;
    std::vector<Backlogged> cancelled;
    for (Backlogged &entry : backlog_) {
        bool match = entry.kind == ds::EntryKind::Request && (entry.req.cancel_tag & mask) == value;
        (match ? cancelled.push_back(entry) : kept.push_back(entry));
    }
    backlog_.swap(kept);
    uint32_t matched = queue_->cancel(mask, value) + uint32_t(cancelled.size());
    for (const Backlogged &entry : cancelled)
        settle_unqueued(env, entry, ds::Status::Cancelled);
    update_keep_alive();
    return Napi::Number::New(env, matched);
}

Napi::Value QueueWrap::close(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
    Napi::Promise promise = deferred.Promise();
    if (closed_) {
        deferred.Resolve(env.Undefined());
        return promise;
    }
    if (!closing_) {
        closing_ = true;
        std::deque<Backlogged> never_queued;
        never_queued.swap(backlog_);
        for (const Backlogged &entry : never_queued)
            settle_unqueued(env, entry, ds::Status::Cancelled);
        close_requested_.store(true);
    }
    close_waiters_.push_back(std::move(deferred));
    update_keep_alive();
    return promise;
}

Napi::Value QueueWrap::info(const Napi::CallbackInfo &info) {
    Napi::Object o = queue_info_object(info.Env(), queue_->info());
    o.Set("backlog", Napi::Number::New(info.Env(), double(backlog_.size())));
    o.Set("pending", Napi::Number::New(info.Env(), double(pending_.size())));
    return o;
}

Napi::Value QueueWrap::stats(const Napi::CallbackInfo &info) { return queue_stats_object(info.Env(), queue_->stats()); }

Napi::Value QueueWrap::backend_stats(const Napi::CallbackInfo &info) {
    return backend_stats_object(info.Env(), backend_->stats());
}

Napi::Value QueueWrap::backend_name(const Napi::CallbackInfo &info) {
    return Napi::String::New(info.Env(), backend_->name());
}

Napi::Value QueueWrap::closed(const Napi::CallbackInfo &info) { return Napi::Boolean::New(info.Env(), closed_); }

Napi::Value QueueWrap::run_reads(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    require_open(env, "runReads");
    if (!pending_.empty() || !backlog_.empty())
        throw Napi::Error::New(env, "runReads needs an idle queue: await the promises of earlier "
                                    "read()/write()/signal()/status() calls first");
    if (!info[0].IsObject())
        throw Napi::TypeError::New(env, "runReads(options): options must be an object");
    Napi::Object o = info[0].As<Napi::Object>();

    auto job = std::make_unique<BulkReadsJob>();
    Napi::Value source = o.Get("source");
    std::string source_name = source.IsUndefined() ? "file" : source.ToString().Utf8Value();
    if (source_name == "memory") {
        ByteView src = byte_view(o.Get("src"), "runReads({src})");
        job->from_memory = true;
        job->src.assign(src.data, src.data + src.size);  // the job runs on another thread
    } else if (source_name == "file") {
        Napi::Value fd = o.Get("fd");
        if (!fd.IsNumber())
            throw Napi::TypeError::New(env, "runReads: fd must be a number");
        job->fd = fd.As<Napi::Number>().Int32Value();
    } else {
        throw Napi::TypeError::New(env, "runReads: source must be 'file' or 'memory', not '" + source_name + "'");
    }
    job->size = to_u64(o.Get("size"), "runReads({size})");
    job->count = to_u64(o.Get("count"), "runReads({count})");
    Napi::Value offsets = o.Get("offsets");
    if (!offsets.IsUndefined()) {
        if (!offsets.IsTypedArray() || offsets.As<Napi::TypedArray>().TypedArrayType() != napi_biguint64_array)
            throw Napi::TypeError::New(env, "runReads: offsets must be a BigUint64Array");
        auto arr = offsets.As<Napi::TypedArrayOf<uint64_t>>();
        if (arr.ElementLength() == 0)
            throw Napi::RangeError::New(env, "runReads: offsets is empty");
        job->offsets.assign(arr.Data(), arr.Data() + arr.ElementLength());
    }
    job->base_offset = to_u64_or(o.Get("offset"), "runReads({offset})", 0);
    job->stride = to_u64_or(o.Get("stride"), "runReads({stride})", 0);
    job->span = to_u64_or(o.Get("span"), "runReads({span})", 0);
    job->host_ring_bytes = to_u64_or(o.Get("hostRingBytes"), "runReads({hostRingBytes})", job->host_ring_bytes);
    job->max_in_flight = uint32_t(to_u64_or(o.Get("maxInFlight"), "runReads({maxInFlight})", 0));
    Napi::Value layout = o.Get("layout");
    std::string layout_name = layout.IsUndefined() ? "slots" : layout.ToString().Utf8Value();
    if (layout_name != "slots" && layout_name != "sequential")
        throw Napi::TypeError::New(env, "runReads: layout must be 'slots' or 'sequential', not '" + layout_name + "'");
    job->sequential = layout_name == "sequential";
    Napi::Value compression = o.Get("compression");
    if (!compression.IsUndefined()) {
        std::string c = compression.ToString().Utf8Value();
        if (c != "gdeflate" && c != "zstd" && c != "none")
            throw Napi::TypeError::New(env,
                                       "runReads: compression must be 'none', 'gdeflate' or 'zstd', not '" + c + "'");
        job->compression = c == "gdeflate" ? ds::Compression::GDeflate
                           : c == "zstd"   ? ds::Compression::Zstd
                                           : ds::Compression::None;
        if (job->compression != ds::Compression::None)
            job->uncompressed_size = to_u64(o.Get("uncompressedSize"), "runReads({uncompressedSize})");
    }
    Napi::Value dst = o.Get("dst");
    std::string where = dst.IsUndefined() ? "host" : dst.ToString().Utf8Value();
    if (where == "gpu") {
        job->to_gpu = true;
        job->gpu_buffer = to_u64(o.Get("gpuBuffer"), "runReads({gpuBuffer})");
        job->gpu_buffer_size = to_u64(o.Get("gpuBufferSize"), "runReads({gpuBufferSize})");
    } else if (where != "host") {
        throw Napi::TypeError::New(env, "runReads: dst must be 'host' or 'gpu', not '" + where + "'");
    }

    job_deferred_ = Napi::Promise::Deferred::New(env);
    Napi::Promise promise = job_deferred_->Promise();
    {
        std::lock_guard<std::mutex> lock(job_mutex_);
        job_ = std::move(job);
    }
    update_keep_alive();
    return promise;
}

}  // namespace dsnode
