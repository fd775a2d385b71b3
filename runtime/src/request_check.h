// SPDX-License-Identifier: MIT
// Validation every request passes before a backend sees it.
#pragma once

#include "ds/backend.h"
#include "ds/request.h"

namespace ds {

/// True when `req` can go to a backend with `caps`. Otherwise fills *verdict with
/// InvalidRequest (and the field to blame) or Unsupported, and returns false.
bool check_request(const Request &req, const BackendCaps &caps, Completion *verdict);

}  // namespace ds
