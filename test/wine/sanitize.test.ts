// SPDX-License-Identifier: MIT
// The ASan+UBSan variant of the module: only the Unix side is instrumented, it gets its own
// directories, and the run environment carries what Wine needs (docs/building.md, "Sanitizers").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../scripts/lib/paths.ts';
import { configureArgs, defaultOptions } from '../../scripts/wine/layout.ts';
import {
  asanRuntime,
  SANITIZE_FLAGS,
  SANITIZER_REPORT,
  sanitizedModuleOptions,
  sanitizerRunEnv,
  WINE_ASAN_OPTIONS,
  wineSanitizeRequested,
} from '../../scripts/wine/sanitize.ts';

const asan = sanitizedModuleOptions();
const plain = defaultOptions();

test('the sanitized module has its own runtime, objects and output; the plain one is unchanged', () => {
  assert.equal(asan.runtimeDir, join(repoRoot, 'build/runtime/asan'));
  assert.equal(asan.outDir, join(repoRoot, 'build/wine-module-asan'));
  assert.notEqual(asan.buildDir, plain.buildDir);
  assert.equal(plain.unixFlags, undefined);
  assert.ok(asan.runtimeConfigure?.includes('-DDS_SANITIZE=address,undefined'));
});

test('only the Unix side is compiled and linked with the sanitizers', () => {
  const unix = configureArgs(asan, 'unix', 'Ninja');
  for (const name of ['CMAKE_C_FLAGS', 'CMAKE_MODULE_LINKER_FLAGS']) {
    const arg = unix.find((a) => a.startsWith(`-D${name}=`));
    for (const flag of SANITIZE_FLAGS) assert.ok(arg?.includes(flag), `unix ${name} lacks ${flag}`);
  }
  assert.ok(
    !configureArgs(asan, 'pe', 'Ninja').some((a) => a.includes('-fsanitize')),
    'mingw has no ASan: the PE side must not get it',
  );
  assert.ok(!configureArgs(plain, 'unix', 'Ninja').some((a) => a.includes('-fsanitize')));
});

test('the run environment preloads ASan and leaves signals and signal stacks to Wine', () => {
  const env = sanitizerRunEnv('/b/preload-once.so', '/usr/lib/libasan.so.8');
  assert.equal(
    env.LD_PRELOAD,
    '/usr/lib/libasan.so.8:/b/preload-once.so',
    'ASan first, then the helper that keeps it out of child processes',
  );
  for (const option of [
    'verify_asan_link_order=0',
    'handle_segv=0',
    'allow_user_segv_handler=1',
    'use_sigaltstack=0',
    'detect_leaks=0',
  ]) {
    assert.ok(WINE_ASAN_OPTIONS.split(':').includes(option), `ASAN_OPTIONS lacks ${option}`);
  }
});

test('gcc has the shared ASan runtime the module links against', {
  skip: !existsSync('/usr/bin/gcc') && 'no gcc',
}, () => {
  assert.match(asanRuntime(), /libasan\.so/);
});

test('a report is recognised even when Wine cut it short', () => {
  assert.match('==5622==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x6040', SANITIZER_REPORT);
  assert.match('unix_queue.c:52:52: runtime error: store to address 0x6040', SANITIZER_REPORT);
  assert.doesNotMatch('smoke: all checks passed', SANITIZER_REPORT);
});

test('DS_KIT_WINE_SANITIZE accepts address,undefined only, with a fix in the message', () => {
  assert.equal(wineSanitizeRequested({}), false);
  assert.equal(wineSanitizeRequested({ DS_KIT_WINE_SANITIZE: 'undefined,address' }), true);
  assert.throws(
    () => wineSanitizeRequested({ DS_KIT_WINE_SANITIZE: 'thread' }),
    /use DS_KIT_WINE_SANITIZE=address,undefined/,
  );
});
