// SPDX-License-Identifier: MIT
// The ASan+UBSan variant of the Wine module's Unix side, and the environment Wine needs to run it.
//
// Only dstorage.so (and the ds-runtime archive linked into it) is instrumented: mingw has no
// AddressSanitizer, so the PE side is the ordinary build. Wine's own binaries are not
// instrumented either, so the ASan runtime must come first in the process: it is preloaded
// (LD_PRELOAD) into the test program only, and told not to insist on being linked first, not to
// take over the signals Wine handles itself, and not to report Wine's own never-freed memory.
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { captureSync } from '../lib/exec.ts';
import { repoRoot } from '../lib/paths.ts';
import { defaultOptions, type WineModuleOptions } from './layout.ts';

/** Set to 'address,undefined' (the only supported value) to run test/wine against the ASan module. */
export const WINE_SANITIZE_ENV = 'DS_KIT_WINE_SANITIZE';

export const SANITIZE_FLAGS = [
  '-fsanitize=address,undefined',
  '-fno-sanitize-recover=undefined',
  '-fno-omit-frame-pointer',
  '-g',
];

export function wineSanitizeRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[WINE_SANITIZE_ENV];
  if (!value) return false;
  const normal = value
    .split(',')
    .map((s) => s.trim())
    .sort()
    .join(',');
  if (normal !== 'address,undefined') {
    throw new Error(
      `${WINE_SANITIZE_ENV}=${value} is not supported: use ${WINE_SANITIZE_ENV}=address,undefined or unset it.`,
    );
  }
  return true;
}

/** build/wine-module-asan: its own runtime (build/runtime/asan), objects and output directory. */
export function sanitizedModuleOptions(overrides: Partial<WineModuleOptions> = {}): WineModuleOptions {
  return defaultOptions({
    runtimeDir: join(repoRoot, 'build/runtime/asan'),
    outDir: join(repoRoot, 'build/wine-module-asan'),
    variant: 'asan',
    unixFlags: SANITIZE_FLAGS,
    runtimeConfigure: ['-DCMAKE_BUILD_TYPE=RelWithDebInfo', '-DDS_SANITIZE=address,undefined'],
    ...overrides,
  });
}

/** gcc's shared ASan runtime (the one -fsanitize=address links dstorage.so against). */
export function asanRuntime(cc = 'gcc'): string {
  let found = '';
  try {
    const r = captureSync({ file: cc, args: ['-print-file-name=libasan.so'] });
    if (r.ok) found = r.stdout.trim();
  } catch {
    // reported below
  }
  if (!found || !existsSync(found)) {
    throw new Error(
      `${cc} has no shared ASan runtime (libasan.so); install it (Debian: libasan8 via gcc, Arch: gcc-libs), ` +
        `or run the Wine tests without ${WINE_SANITIZE_ENV}.`,
    );
  }
  return realpathSync(found);
}

/**
 * Options for a process whose main binary (Wine's loader) is not instrumented:
 * - verify_asan_link_order=0: the runtime is preloaded, not linked into wine;
 * - handle_segv/sigbus/sigfpe=0, allow_user_segv_handler=1: Wine turns these signals into Windows
 *   exceptions (games and Wine itself rely on that); ASan must leave them to Wine;
 * - use_sigaltstack=0: Wine gives each thread its own signal stack; with ASan's own, ASan fails
 *   ("unable to unmap") when a Wine thread exits;
 * - detect_leaks=0: Wine frees little at exit by design; leaks of ds-runtime are checked by the
 *   ASan ctest step, where the process is ours;
 * - halt_on_error / abort_on_error=0 + exitcode=66: the first report ends the program with a
 *   status the test sees, and the report is in its output.
 */
export const WINE_ASAN_OPTIONS = [
  'verify_asan_link_order=0',
  'detect_leaks=0',
  'handle_segv=0',
  'handle_sigbus=0',
  'handle_sigfpe=0',
  'allow_user_segv_handler=1',
  'use_sigaltstack=0',
  'halt_on_error=1',
  'exitcode=66',
  'detect_stack_use_after_return=0',
].join(':');
export const WINE_UBSAN_OPTIONS = 'halt_on_error=1:print_stacktrace=1';

/**
 * The test programs' link flags under ASan. ASan reserves its shadow gap (0x8fff7000 up to 2 TiB),
 * where mingw puts an exe by default (0x140000000); Wine 8.0 refuses to start a main exe it had to
 * relocate (STATUS_IMAGE_NOT_AT_BASE), so the programs are linked at a base below the gap.
 * DLLs (ntdll.dll included) are relocated by Wine and work.
 */
export const SANITIZED_EXE_FLAGS = ['-Wl,--image-base,0x20000000'];

/**
 * Builds scripts/wine/preload_once.c into outDir: preloaded after ASan, it takes LD_PRELOAD out of
 * the Wine process's environment so the processes Wine starts (explorer.exe, services.exe,
 * wineserver) run without ASan; their executables cannot load inside ASan's shadow gap.
 */
export function buildPreloadOnce(outDir: string, cc = 'gcc'): string {
  const so = join(outDir, 'preload-once.so');
  mkdirSync(outDir, { recursive: true });
  const command = {
    file: cc,
    args: ['-shared', '-fPIC', '-O2', '-Wall', '-o', so, join(repoRoot, 'scripts/wine/preload_once.c')],
  };
  const r = captureSync(command, { title: 'build preload-once.so' });
  if (!r.ok) throw new Error(`${cc} could not build ${so} (exit ${r.exitCode}):\n${r.all}`);
  return so;
}

/** The environment of one test program under ASan: the program's own process only gets ASan. */
export function sanitizerRunEnv(preloadOnce: string, runtime = asanRuntime()): Record<string, string> {
  return {
    LD_PRELOAD: `${runtime}:${preloadOnce}`,
    ASAN_OPTIONS: WINE_ASAN_OPTIONS,
    UBSAN_OPTIONS: WINE_UBSAN_OPTIONS,
  };
}

/** What a sanitizer report in a program's output looks like. */
export const SANITIZER_REPORT = /ERROR: AddressSanitizer|runtime error: |SUMMARY: UndefinedBehaviorSanitizer/;
