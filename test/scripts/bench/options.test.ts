// SPDX-License-Identifier: MIT
// The benchmark's command line (scripts/bench/options.ts): sizes, and the GPU rows' reader count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOptions } from '../../../scripts/bench/options.ts';

test('--readers sets the GPU rows reader threads; unset keeps the backend default', () => {
  const set = parseOptions(['--readers', '14']);
  assert.notEqual(set, 'help');
  if (set !== 'help') assert.equal(set.readers, 14);
  const unset = parseOptions([]);
  if (unset !== 'help') assert.equal(unset.readers, undefined);
});

test('--readers refuses what is not a reader count (the backend takes at most 16), and says what to write', () => {
  for (const bad of ['0', 'x', '1.5', '17'])
    assert.throws(() => parseOptions(['--readers', bad]), /--readers: .* write a whole number from 1 to 16/);
});

test('--sizes takes K, M and G suffixes', () => {
  const o = parseOptions(['--sizes', '64K,1M,2G', '--file-size', '4G']);
  if (o !== 'help') assert.deepEqual(o.requestSizes, [65536, 1 << 20, 2 * 1024 * 1024 * 1024]);
});
