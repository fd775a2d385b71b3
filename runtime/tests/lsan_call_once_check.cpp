// SPDX-License-Identifier: MIT
// Leaks 4096 bytes under std::call_once on purpose. Registered only in the ASan build, where ctest
// passes it when LeakSanitizer REPORTS that leak with this function in the stack: it guards
// scripts/lib/lsan.supp against entries (such as one on __pthread_once_slow) that would also hide
// leaks of ds-runtime's own std::call_once code.
#include <cstdio>
#include <mutex>

namespace {

std::once_flag g_once;
void *volatile g_sink;

__attribute__((noinline)) void ds_test_leak_under_call_once() {
    char *lost = new char[4096];
    lost[0] = 1;
    g_sink = lost;
    g_sink = nullptr;  // the only pointer is gone: a definite leak
}

}  // namespace

int main() {
    std::call_once(g_once, ds_test_leak_under_call_once);
    std::puts("lsan_call_once_check: leaked 4096 bytes under std::call_once; LeakSanitizer must report it");
    return 0;
}
