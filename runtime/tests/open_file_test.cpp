// SPDX-License-Identifier: MIT
// ds::open_file: O_DIRECT where the filesystem has it, buffered where it refuses, errors as -errno.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "check.h"
#include "ds/file.h"
#include "test_util.h"

static bool has_direct(int fd) { return (::fcntl(fd, F_GETFL) & O_DIRECT) != 0; }

static void test_disk_file_gets_direct() {
    dstest::TempFile f(8192, 1, "/var/tmp");  // ext4/xfs/btrfs: all support O_DIRECT
    bool got = false;
    int fd = ds::open_file(f.path.c_str(), true, &got);
    CHECK(fd >= 0);
    CHECK(got);
    CHECK(has_direct(fd));
    CHECK((::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    CHECK_EQ(::fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
    ::close(fd);
}

static void test_buffered_when_not_asked() {
    dstest::TempFile f(100, 2, "/var/tmp");
    bool got = true;
    int fd = ds::open_file(f.path.c_str(), false, &got);
    CHECK(fd >= 0);
    CHECK(!got);
    CHECK(!has_direct(fd));
    ::close(fd);
}

// procfs has no O_DIRECT: the open is refused with EINVAL and must fall back to buffered.
static void test_refused_direct_falls_back() {
    bool got = true;
    int fd = ds::open_file("/proc/self/stat", true, &got);
    CHECK(fd >= 0);
    CHECK(!got);
    if (fd >= 0) {
        CHECK(!has_direct(fd));
        char c;
        CHECK_EQ(::read(fd, &c, 1), 1);
        ::close(fd);
    }
}

static void test_errors_are_negative_errno() {
    bool got = true;
    CHECK_EQ(ds::open_file("/nonexistent/ds-kit/file", true, &got), -ENOENT);
    CHECK(!got);
    CHECK_EQ(ds::open_file("/nonexistent/ds-kit/file", false), -ENOENT);
    CHECK_EQ(ds::open_file(nullptr, true), -EINVAL);
}

int main() {
    test_disk_file_gets_direct();
    test_buffered_when_not_asked();
    test_refused_direct_falls_back();
    test_errors_are_negative_errno();
    return dstest::finish("open_file_test");
}
