/* SPDX-License-Identifier: MIT
 * check.h's "expected X, got Y" for the C99 tests of the C ABI. One translation unit per test
 * program includes it, so the counter can live here. */
#ifndef DS_TESTS_CHECK_C_H
#define DS_TESTS_CHECK_C_H

#include <stdio.h>

static int failures;

#define EXPECT_EQ(got, want)                                                                                           \
    do {                                                                                                               \
        long long g_ = (long long)(got), w_ = (long long)(want);                                                       \
        if (g_ != w_) {                                                                                                \
            fprintf(stderr, "%s:%d: %s: expected %lld, got %lld\n", __FILE__, __LINE__, #got, w_, g_);                 \
            ++failures;                                                                                                \
        }                                                                                                              \
    } while (0)

#endif
