// SPDX-License-Identifier: MIT
// Blocking host-memory transfers shared by the CPU-side paths of every backend.
#pragma once

#include <cstdint>

#include "ds/request.h"

namespace ds {

struct IoOutcome {
    Status status = Status::Ok;
    uint64_t bytes = 0;
    int32_t error = 0;
};

/// Reads fd [offset, offset+size) into dst, retrying short reads and EINTR.
/// A read that hits end of file reports EndOfFile with the bytes that arrived.
IoOutcome read_fully(int fd, void *dst, uint64_t size, uint64_t offset);
/// Writes src to fd at offset, retrying short writes and EINTR.
IoOutcome write_fully(int fd, const void *src, uint64_t size, uint64_t offset);
/// Runs bytes [start, start+length) of a host-memory request (file/memory -> dst, src -> file).
IoOutcome run_host_transfer(const Request &req, uint64_t start, uint64_t length);

}  // namespace ds
