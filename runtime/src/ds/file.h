// SPDX-License-Identifier: MIT
// Opening files the way the backends like them.
#pragma once

namespace ds {

/// Opens a file read-only. With direct = true it asks for O_DIRECT and, when the
/// filesystem refuses it (EINVAL, e.g. tmpfs), opens it buffered instead.
/// Returns the fd or a negative errno; *got_direct (optional) says which it got.
int open_file(const char *path, bool direct, bool *got_direct = nullptr);

}  // namespace ds
