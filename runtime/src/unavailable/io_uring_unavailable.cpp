// SPDX-License-Identifier: MIT
// Built instead of src/io_uring/ when DS_WITH_IO_URING=OFF: the factory exists and says why
// it cannot help, so callers fall back to the CPU backend.
#include <cerrno>

#include "ds/io_uring_backend.h"

namespace ds {

std::shared_ptr<Backend> make_io_uring_backend(const IoUringBackendConfig &, int *error) {
    if (error)
        *error = -ENOSYS;  // rebuild with -DDS_WITH_IO_URING=ON (needs liburing-dev) to enable
    return nullptr;
}

}  // namespace ds
