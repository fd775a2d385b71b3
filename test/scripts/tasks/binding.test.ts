// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeGypArgs, resolveBindingBuild } from '../../../scripts/tasks/binding.ts';
import { paths } from '../../../scripts/lib/paths.ts';

test('node-gyp comes from node_modules and rebuilds runtime/node', () => {
  const args = nodeGypArgs(resolveBindingBuild({ jobs: '3' }), '/usr');
  assert.deepEqual(args.slice(0, 4), [paths.nodeGyp, 'rebuild', '--directory', paths.bindingDir]);
  assert.ok(args.includes('--jobs=3'));
});

test('local Node headers are used when present, so no download is needed', () => {
  assert.ok(nodeGypArgs(resolveBindingBuild({}), '/usr').includes('--nodedir=/usr'));
  assert.ok(!nodeGypArgs(resolveBindingBuild({}), null).some((a) => a.startsWith('--nodedir')));
});
