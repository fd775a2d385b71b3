/* SPDX-License-Identifier: MIT
 * The GDeflate part of the C ABI, as C99: compress bound, round trips at every level and at tile
 * boundaries, a larger destination, too small buffers, corrupt and truncated streams, and a CPU
 * backend queue decoding a compressed file read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ds_runtime.h"

#include "check_c.h"

static void fill(unsigned char *p, size_t n) {
    size_t i;
    for (i = 0; i < n; ++i)
        p[i] = (unsigned char)((i % 251) < 120 ? (i / 7) & 0x3f : (i * 2654435761u) >> 13);
}

static void round_trip(size_t size, int level) {
    unsigned char *src = malloc(size + 1), *out = malloc(size + 16);
    uint64_t bound = ds_gdeflate_compress_bound(size), announced = 0;
    unsigned char *packed = malloc((size_t)bound);
    size_t written = 0, got = 0;

    fill(src, size);
    EXPECT_EQ(ds_gdeflate_compress(src, size, level, packed, (size_t)bound, &written, 0), DS_GDEFLATE_OK);
    if (written > bound) {
        fprintf(stderr, "size %zu level %d: stream %zu above bound %llu\n", size, level, written,
                (unsigned long long)bound);
        ++failures;
    }
    EXPECT_EQ(ds_gdeflate_uncompressed_size(packed, written, &announced), DS_GDEFLATE_OK);
    EXPECT_EQ(announced, size);
    memset(out, 0xcd, size + 16);
    /* a larger destination is allowed: only the stream's bytes are written */
    EXPECT_EQ(ds_gdeflate_decompress(packed, written, out, size + 16, &got, 0), DS_GDEFLATE_OK);
    EXPECT_EQ(got, size);
    if (memcmp(out, src, size) != 0) {
        fprintf(stderr, "size %zu level %d: decoded bytes differ\n", size, level);
        ++failures;
    }
    EXPECT_EQ(out[size], 0xcd);
    if (size) {
        EXPECT_EQ(ds_gdeflate_decompress(packed, written, out, size - 1, &got, 1), DS_GDEFLATE_OUTPUT_OVERRUN);
        EXPECT_EQ(got, 0);
        /* the stream needs more than 16 bytes: a 16-byte destination is too small */
        EXPECT_EQ(ds_gdeflate_compress(src, size, level, packed, 16, &written, 1), DS_GDEFLATE_OUTPUT_OVERRUN);
    }
    free(src);
    free(out);
    free(packed);
}

static void test_errors(void) {
    static unsigned char src[200000], packed[300000], out[200000];
    size_t written = 0, got = 0, i;
    int corrupt_failed = 0;

    fill(src, sizeof src);
    EXPECT_EQ(ds_gdeflate_compress(src, sizeof src, 0, packed, sizeof packed, &written, 1),
              DS_GDEFLATE_INVALID_ARGUMENT);
    EXPECT_EQ(ds_gdeflate_compress(src, sizeof src, 13, packed, sizeof packed, &written, 1),
              DS_GDEFLATE_INVALID_ARGUMENT);
    EXPECT_EQ(ds_gdeflate_compress(src, sizeof src, 9, packed, sizeof packed, NULL, 1), DS_GDEFLATE_INVALID_ARGUMENT);
    EXPECT_EQ(ds_gdeflate_compress_bound(DS_GDEFLATE_MAX_UNCOMPRESSED + 1), 0);
    EXPECT_EQ(ds_gdeflate_compress(src, sizeof src, DS_GDEFLATE_LEVEL_DEFAULT, packed, sizeof packed, &written, 1),
              DS_GDEFLATE_OK);

    /* header */
    packed[0] ^= 1;
    EXPECT_EQ(ds_gdeflate_decompress(packed, written, out, sizeof out, &got, 1), DS_GDEFLATE_BAD_HEADER);
    packed[0] ^= 1;
    /* truncated */
    EXPECT_EQ(ds_gdeflate_decompress(packed, 4, out, sizeof out, &got, 1), DS_GDEFLATE_TRUNCATED);
    if (ds_gdeflate_decompress(packed, written - 100, out, sizeof out, &got, 1) == DS_GDEFLATE_OK) {
        fprintf(stderr, "a stream cut by 100 bytes decoded\n");
        ++failures;
    }
    /* flipped bits in the tile data: never a crash; a failure, or (rarely) other bytes */
    for (i = 40; i < written; i += written / 17) {
        ds_gdeflate_error e;
        packed[i] ^= 0x5a;
        e = ds_gdeflate_decompress(packed, written, out, sizeof out, &got, 1);
        if (e != DS_GDEFLATE_OK)
            ++corrupt_failed;
        if (e == DS_GDEFLATE_OUTPUT_OVERRUN) {
            /* the destination is large enough: OUTPUT_OVERRUN would wrongly blame the caller */
            fprintf(stderr, "corrupt byte %zu: OUTPUT_OVERRUN with a large enough destination\n", i);
            ++failures;
        }
        packed[i] ^= 0x5a;
    }
    if (!corrupt_failed) {
        fprintf(stderr, "no corrupted stream was refused\n");
        ++failures;
    }
    EXPECT_EQ(ds_gdeflate_decompress(packed, written, out, sizeof out, &got, 1), DS_GDEFLATE_OK);
    EXPECT_EQ(memcmp(out, src, sizeof src), 0);
    /* 0xff bytes in the middle of a tile: a decoding error, never OUTPUT_OVERRUN (dst is large enough) */
    memset(packed + written / 2, 0xff, 256);
    {
        ds_gdeflate_error e = ds_gdeflate_decompress(packed, written, out, sizeof out, &got, 1);
        if (e == DS_GDEFLATE_OK || e == DS_GDEFLATE_OUTPUT_OVERRUN) {
            fprintf(stderr, "0xff run in a tile: expected a decoding error, got %s\n", ds_gdeflate_error_name(e));
            ++failures;
        }
    }
    EXPECT_EQ(got, 0);
    if (strcmp(ds_gdeflate_error_name(DS_GDEFLATE_TRUNCATED), ds_gdeflate_error_name(DS_GDEFLATE_OK)) == 0) {
        fprintf(stderr, "error names are not distinct\n");
        ++failures;
    }
}

static void test_backend(void) {
    static unsigned char src[300000], packed[400000], out[300000];
    char path[] = "/tmp/ds-c-abi-gdeflate-XXXXXX";
    ds_backend *backend = NULL;
    ds_queue *queue = NULL;
    ds_queue_desc desc = {16, 1};
    ds_request req;
    ds_completion c;
    size_t written = 0, n = 0;
    int fd = mkstemp(path);

    unlink(path);
    fill(src, sizeof src);
    EXPECT_EQ(ds_gdeflate_compress(src, sizeof src, DS_GDEFLATE_LEVEL_FASTEST, packed, sizeof packed, &written, 0),
              DS_GDEFLATE_OK);
    EXPECT_EQ(write(fd, packed, written), (long long)written);
    EXPECT_EQ(ds_backend_supports_gdeflate(NULL), 0);
    EXPECT_EQ(ds_cpu_backend_create(NULL, &backend), DS_OK);
    EXPECT_EQ(ds_backend_supports_gdeflate(backend), 1);
    EXPECT_EQ(ds_backend_gdeflate_gpu_path(NULL), 0);
    EXPECT_EQ(ds_backend_gdeflate_gpu_path(backend), 0); /* the CPU backend: no GPU destinations */
    EXPECT_EQ(ds_queue_create(backend, &desc, &queue), DS_OK);

    memset(&req, 0, sizeof req);
    req.op = DS_OP_READ;
    req.source = DS_SOURCE_FILE;
    req.memory = DS_MEMORY_HOST;
    req.compression = DS_COMPRESSION_GDEFLATE;
    req.fd = fd;
    req.size = written;
    req.uncompressed_size = sizeof src;
    req.dst = out;
    req.user_data = 1;
    EXPECT_EQ(ds_queue_enqueue(queue, &req), DS_OK);
    ds_queue_submit(queue);
    EXPECT_EQ(ds_queue_wait(queue, &c, 1, &n, UINT64_MAX), DS_OK);
    EXPECT_EQ(c.status, DS_STATUS_OK);
    EXPECT_EQ(c.bytes, sizeof src);
    EXPECT_EQ(memcmp(out, src, sizeof src), 0);

    ds_queue_destroy(queue);
    ds_backend_destroy(backend);
    close(fd);
}

int main(void) {
    static const size_t sizes[] = {0, 1, 65535, 65536, 65537, 3u << 20};
    static const int levels[] = {1, 2, 5, 9, 12};
    size_t s, l;

    EXPECT_EQ(ds_gdeflate_compress_bound(0), 65536 + 4 + 832 + 32 + 16);
    EXPECT_EQ(ds_gdeflate_compress_bound(65537), 2 * (65536 + 4 + 832 + 32) + 16);
    for (s = 0; s < sizeof sizes / sizeof sizes[0]; ++s)
        for (l = 0; l < sizeof levels / sizeof levels[0]; ++l)
            round_trip(sizes[s], levels[l]);
    test_errors();
    test_backend();
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("c_abi_gdeflate_test: ok\n");
    return 0;
}
