// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../scripts/lib/paths.ts';
import { WINE_TEST_FILE, wineAsanArgs, wineAsanEnv } from '../../../scripts/tasks/wine-asan.ts';
import { WINE_SANITIZE_ENV } from '../../../scripts/wine/sanitize.ts';

test('the Wine ASan step runs the test/wine suite once with the sanitized module', () => {
  assert.ok(existsSync(join(repoRoot, WINE_TEST_FILE)), `${WINE_TEST_FILE} is missing`);
  assert.deepEqual(wineAsanArgs().slice(-1), [WINE_TEST_FILE]);
  const env = wineAsanEnv();
  assert.equal(env[WINE_SANITIZE_ENV], 'address,undefined');
  assert.ok(
    'NODE_TEST_CONTEXT' in env && env.NODE_TEST_CONTEXT === undefined,
    'a parent test runner must not capture the child',
  );
});
