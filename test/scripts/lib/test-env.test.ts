// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { testEnv } from '../../../scripts/lib/test-env.ts';
import { paths } from '../../../scripts/lib/paths.ts';

test('CI makes a missing Vulkan device or io_uring a failure', () => {
  assert.equal(testEnv('release', { CI: '1' }).DS_REQUIRE_VULKAN, '1');
  assert.equal(testEnv('release', { CI: '1' }).DS_REQUIRE_IO_URING, '1');
  assert.equal(testEnv('release', {}).DS_REQUIRE_VULKAN, undefined);
});

test('an ICD chosen by the user is left alone', () => {
  assert.equal(testEnv('release', { CI: '1', VK_DRIVER_FILES: '/x.json' }).VK_DRIVER_FILES, undefined);
});

test('sanitizer runs stop at the first report and use the leak suppressions', () => {
  const asan = testEnv('asan', {});
  assert.match(asan.ASAN_OPTIONS, /detect_leaks=1/);
  assert.match(asan.UBSAN_OPTIONS, /halt_on_error=1/);
  assert.ok(existsSync(paths.lsanSuppressions));
  assert.equal(asan.LSAN_OPTIONS, `suppressions=${paths.lsanSuppressions}:print_suppressions=0`);
  assert.equal(testEnv('asan', { ASAN_OPTIONS: 'detect_leaks=0' }).ASAN_OPTIONS, 'detect_leaks=0');
  assert.match(testEnv('tsan', {}).TSAN_OPTIONS, /halt_on_error=1/);
});

test('the TSan run uses the race suppressions and gives slow waits more time', () => {
  const tsan = testEnv('tsan', {});
  assert.ok(existsSync(paths.tsanSuppressions));
  assert.match(tsan.TSAN_OPTIONS, new RegExp(`suppressions=${paths.tsanSuppressions}`));
  assert.equal(tsan.DS_TEST_TIMEOUT_SCALE, '4');
  assert.equal(testEnv('tsan', { DS_TEST_TIMEOUT_SCALE: '10' }).DS_TEST_TIMEOUT_SCALE, '10');
  assert.equal(testEnv('release', {}).DS_TEST_TIMEOUT_SCALE, undefined);
});

test('the suppression files name third-party libraries only, never a frame our code shares', () => {
  for (const file of [paths.lsanSuppressions, paths.tsanSuppressions]) {
    const entries = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'));
    assert.ok(entries.length > 0, `${file} has no entries`);
    for (const entry of entries) {
      assert.match(entry, /^(leak|race):lib[\w.-]+\.so/, `${file}: '${entry}' does not name a library`);
      assert.doesNotMatch(entry, /pthread_once|call_once|ds_|ds::/, `${file}: '${entry}' would hide our own code`);
    }
  }
});
