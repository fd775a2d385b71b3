// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { findTestFiles, harnessArgs } from '../../../scripts/tasks/harness.ts';
import { tempDir, writeFiles } from '../helpers.ts';

test('every *.test.ts below the test root is found, sorted, node_modules excluded', () => {
  const root = writeFiles(tempDir('harness'), {
    'b/two.test.ts': '',
    'a/deep/one.test.ts': '',
    'a/helper.ts': '',
    'node_modules/x/skip.test.ts': '',
  });
  assert.deepEqual(
    findTestFiles(root).map((f) => path.relative(root, f)),
    ['a/deep/one.test.ts', 'b/two.test.ts'],
  );
});

test('the harness runs node --import tsx --test over the files', () => {
  const args = harnessArgs([]);
  assert.deepEqual(args.slice(0, 3), ['--import', 'tsx', '--test']);
});
