// SPDX-License-Identifier: MIT
// Human-readable names for statuses and fields (logs, test messages, the C ABI).
#include "ds/request.h"

namespace ds {

const char *status_name(Status s) {
    switch (s) {
    case Status::Ok: return "ok";
    case Status::IoError: return "io-error";
    case Status::EndOfFile: return "end-of-file";
    case Status::Cancelled: return "cancelled";
    case Status::InvalidRequest: return "invalid-request";
    case Status::Unsupported: return "unsupported";
    case Status::DeviceError: return "device-error";
    }
    return "unknown-status";
}

const char *field_name(Field f) {
    switch (f) {
    case Field::None: return "none";
    case Field::Op: return "op";
    case Field::Fd: return "fd";
    case Field::Size: return "size";
    case Field::Source: return "source";
    case Field::Destination: return "destination";
    case Field::GpuBuffer: return "gpu_buffer";
    case Field::GpuRange: return "gpu_range";
    case Field::Compression: return "compression";
    case Field::Transform: return "transform";
    }
    return "unknown-field";
}

}  // namespace ds
