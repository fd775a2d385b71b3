// SPDX-License-Identifier: MIT
// Thread counts a caller may ask for through the C ABI (DSTORAGE_CONFIGURATION.NumSubmitThreads
// reaches ds_cpu_backend_create unchanged): an absurd count is clamped to 256 workers, and a
// worker that cannot start fails creation cleanly (no std::terminate from joinable threads).
#include <dirent.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <vector>

#include "check.h"
#include "ds_runtime.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define DS_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define DS_TEST_SANITIZED 1
#endif
#endif

static size_t thread_count() {
    size_t n = 0;
    if (DIR *d = opendir("/proc/self/task")) {
        while (dirent *e = readdir(d))
            n += e->d_name[0] != '.';
        closedir(d);
    }
    return n;
}

static void test_forty_thousand_workers_are_clamped() {
    size_t before = thread_count();
    ds_cpu_backend_desc desc = {40000, 0};
    ds_backend *backend = nullptr;
    CHECK_EQ(ds_cpu_backend_create(&desc, &backend), DS_OK);
    CHECK(backend != nullptr);
    size_t started = thread_count() - before;
#ifdef DS_TEST_SANITIZED
    // TSan starts its own background thread with the first thread the program creates.
    if (started > 256)
        --started;
#endif
    if (started > 256)
        std::fprintf(stderr, "started %zu worker threads\n", started);
    CHECK(started <= 256);
    CHECK(started >= 1);

    // The clamped backend works: one memory read through a queue.
    ds_queue_desc qd = {};
    qd.capacity = 8;
    ds_queue *queue = nullptr;
    CHECK_EQ(ds_queue_create(backend, &qd, &queue), DS_OK);
    std::vector<uint8_t> src(1 << 16, 0x42), dst(1 << 16, 0);
    ds_request r = {};
    r.op = DS_OP_READ;
    r.source = DS_SOURCE_MEMORY;
    r.memory = DS_MEMORY_HOST;
    r.fd = -1;
    r.src = src.data();
    r.dst = dst.data();
    r.size = src.size();
    CHECK_EQ(ds_queue_enqueue(queue, &r), DS_OK);
    ds_queue_submit(queue);
    ds_completion c = {};
    size_t got = 0;
    CHECK_EQ(ds_queue_wait(queue, &c, 1, &got, 30ull * 1000 * 1000 * 1000), DS_OK);
    CHECK_EQ(got, 1u);
    CHECK_EQ(c.status, DS_STATUS_OK);
    CHECK(dst == src);
    ds_queue_destroy(queue);
    ds_backend_destroy(backend);
}

// In a child whose address space leaves room for only a few thread stacks: creation must return
// an error, not abort (before the fix: "terminate called without an active exception", SIGABRT).
static void test_worker_that_cannot_start_is_a_clean_error() {
#ifdef DS_TEST_SANITIZED
    std::printf("thread-start failure: skipped in sanitizer builds (they reserve terabytes of address space, "
                "so RLIMIT_AS cannot make a thread fail); the release build runs it\n");
#else
    std::fflush(nullptr);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        // Current usage plus 48 MiB: a handful of 8 MiB stacks, far fewer than 256.
        FILE *f = std::fopen("/proc/self/statm", "r");
        unsigned long pages = 0;
        if (!f || std::fscanf(f, "%lu", &pages) != 1)
            _exit(3);
        std::fclose(f);
        rlimit lim;
        lim.rlim_cur = lim.rlim_max = pages * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) + (48u << 20);
        if (setrlimit(RLIMIT_AS, &lim) != 0)
            _exit(4);
        ds_cpu_backend_desc desc = {256, 0};
        ds_backend *backend = nullptr;
        ds_result res = ds_cpu_backend_create(&desc, &backend);
        if (res == DS_OK) {
            ds_backend_destroy(backend);
            _exit(5);  // the limit did not bite: the test proves nothing
        }
        _exit(res == DS_ERR_UNAVAILABLE || res == DS_ERR_NO_MEMORY ? 0 : 6);
    }
    int status = 0;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status))
        std::fprintf(stderr, "the child died of signal %d\n", WTERMSIG(status));
    CHECK(WIFEXITED(status));
    CHECK_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0);
#endif
}

int main() {
    test_forty_thousand_workers_are_clamped();
    test_worker_that_cannot_start_is_a_clean_error();
    return dstest::finish("cpu_backend_limits_test");
}
