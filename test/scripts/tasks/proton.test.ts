// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTON_STEPS, protonTasks } from '../../../scripts/tasks/proton.ts';
import { titles } from '../../../scripts/lib/messages.ts';

test('build-proton builds the release runtime, then the binding', () => {
  assert.deepEqual(PROTON_STEPS.map((s) => s.id), ['runtime', 'binding']);
  assert.deepEqual(protonTasks({}).map((t) => t.title), [titles.runtime('release'), titles.binding]);
});

test('a new step is one more entry in the list', () => {
  const extra = { id: 'dll', title: 'Build dstorage.dll', tasks: () => [] };
  assert.deepEqual(protonTasks({}, [...PROTON_STEPS, extra]).map((t) => t.title).at(-1), 'Build dstorage.dll');
});
