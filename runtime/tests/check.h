// SPDX-License-Identifier: MIT
// Tiny test helpers: each test is a small program; CHECK prints "expected X, got Y" and fails.
// Exit codes: 0 pass, 1 fail, 77 skip (ctest SKIP_RETURN_CODE). Set DS_REQUIRE_VULKAN=1 (CI)
// to turn a missing Vulkan device into a failure instead of a skip.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <type_traits>

namespace dstest {

inline int &failures() {
    static int n = 0;
    return n;
}

/// Printable form: enums as their number, everything else as streamed.
template <typename T> std::string show(const T &v) {
    std::ostringstream o;
    if constexpr (std::is_enum_v<T>)
        o << static_cast<long long>(v);
    else if constexpr (std::is_integral_v<T>)
        o << +v;
    else
        o << v;
    return o.str();
}

template <typename A, typename B>
bool check_eq(const A &got, const B &expected, const char *expr, const char *file, int line) {
    if (got == expected)
        return true;
    std::fprintf(stderr, "%s:%d: %s: expected %s, got %s\n", file, line, expr, show(expected).c_str(),
                 show(got).c_str());
    ++failures();
    return false;
}

inline bool check_true(bool ok, const char *expr, const char *file, int line) {
    if (!ok) {
        std::fprintf(stderr, "%s:%d: check failed: %s\n", file, line, expr);
        ++failures();
    }
    return ok;
}

/// Exit 77 (skip) or, when DS_REQUIRE_<what> is set, fail: CI must not silently skip.
[[noreturn]] inline void skip_or_fail(const char *require_var, const std::string &why) {
    const char *req = std::getenv(require_var);
    if (req && *req && std::strcmp(req, "0") != 0) {
        std::fprintf(stderr, "FAIL: %s is set but: %s\n", require_var, why.c_str());
        std::exit(1);
    }
    std::fprintf(stderr, "SKIP: %s (set %s=1 to make this a failure)\n", why.c_str(), require_var);
    std::exit(77);
}

inline int finish(const char *name) {
    if (failures()) {
        std::fprintf(stderr, "%s: %d check(s) failed\n", name, failures());
        return 1;
    }
    std::printf("%s: ok\n", name);
    return 0;
}

}  // namespace dstest

#define CHECK_EQ(got, expected) ::dstest::check_eq((got), (expected), #got " == " #expected, __FILE__, __LINE__)
#define CHECK(cond) ::dstest::check_true(static_cast<bool>(cond), #cond, __FILE__, __LINE__)
