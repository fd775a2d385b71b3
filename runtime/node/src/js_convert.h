// SPDX-License-Identifier: MIT
// Conversions between JS values and the runtime's plain types, shared by every wrapper.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

#include "ds/backend.h"
#include "ds/queue.h"
#include "ds/request.h"

namespace dsnode {

/// A non-negative integer given as a Number or a BigInt; throws a TypeError naming `what`.
uint64_t to_u64(const Napi::Value &value, const char *what);
/// Like to_u64, but `fallback` when the value is undefined.
uint64_t to_u64_or(const Napi::Value &value, const char *what, uint64_t fallback);
/// The value's truthiness (JS rules: null is false), or `fallback` when it is undefined.
bool to_bool_or(const Napi::Value &value, bool fallback);
/// Numbers up to 2^53 stay Numbers in results; the runtime's counters never get near that.
Napi::Value from_u64(Napi::Env env, uint64_t value);

/// Stable JS names: 'Ok', 'IoError', 'EndOfFile', 'Cancelled', ... and 'None', 'Fd', ...
const char *status_js_name(ds::Status status);
const char *field_js_name(ds::Field field);
/// The Status and Field name tables as frozen-ish JS objects (name -> number).
Napi::Object status_table(Napi::Env env);
Napi::Object field_table(Napi::Env env);

/// {status, bytes, error, field} for a request; {status, failedUserData} for a checkpoint.
Napi::Object request_result(Napi::Env env, const ds::Completion &c);
Napi::Object checkpoint_result(Napi::Env env, const ds::Completion &c, uint64_t failed_request_id);

Napi::Object queue_info_object(Napi::Env env, const ds::QueueInfo &info);
Napi::Object queue_stats_object(Napi::Env env, const ds::QueueStats &stats);
Napi::Object backend_stats_object(Napi::Env env, const ds::BackendStats &stats);

/// The bytes behind a Buffer, TypedArray, DataView or ArrayBuffer; throws a TypeError naming `what`.
struct ByteView {
    uint8_t *data;
    size_t size;
};
ByteView byte_view(const Napi::Value &value, const char *what);

/// Throws a JS Error whose message is `message`, with `code` and `errno` properties set.
[[noreturn]] void throw_errno_error(Napi::Env env, const std::string &message, int negative_errno);

}  // namespace dsnode
