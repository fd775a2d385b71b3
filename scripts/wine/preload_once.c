/* SPDX-License-Identifier: MIT
 * Preloaded after the ASan runtime into a Wine test program (scripts/wine/sanitize.ts): once the
 * process that runs Wine (the wine64 loader) has started with ASan, LD_PRELOAD is taken out of its
 * environment, so the processes Wine starts for it (explorer.exe for the X desktop, services.exe,
 * wineserver) run without ASan. Their executables sit where ASan reserves its shadow gap and
 * Wine 8.0 will not start a main executable it had to relocate. Other processes on the way
 * (the wine script, env, and wine64's first image: Debian's wine64 re-executes itself once, with
 * WINELOADERNOEXEC=1 set, and that second image runs the program) keep the variable. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor)) static void drop_preload_in_wine(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    const char *base;

    if (n <= 0) return;
    exe[n] = 0;
    base = strrchr(exe, '/');
    base = base ? base + 1 : exe;
    if (!strncmp(base, "wine", 4) && strcmp(base, "wineserver") && getenv("WINELOADERNOEXEC"))
        unsetenv("LD_PRELOAD");
}
