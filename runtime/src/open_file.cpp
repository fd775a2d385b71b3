// SPDX-License-Identifier: MIT
#include "ds/file.h"

#include <fcntl.h>

#include <cerrno>

namespace ds {
namespace {

int open_retrying(const char *path, int flags) {
    int fd;
    do {
        fd = ::open(path, flags);
    } while (fd < 0 && errno == EINTR);
    return fd >= 0 ? fd : -errno;
}

}  // namespace

int open_file(const char *path, bool direct, bool *got_direct) {
    if (got_direct)
        *got_direct = false;
    if (!path)
        return -EINVAL;
    if (direct) {
        const int fd = open_retrying(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
        if (fd >= 0) {
            if (got_direct)
                *got_direct = true;
            return fd;
        }
        // EINVAL: this filesystem has no O_DIRECT (procfs, some FUSE and overlay setups).
        // Anything else (ENOENT, EACCES) would fail buffered too: report it as is.
        if (fd != -EINVAL)
            return fd;
    }
    return open_retrying(path, O_RDONLY | O_CLOEXEC);
}

}  // namespace ds
