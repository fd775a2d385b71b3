// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTON_STEPS, protonTasks } from '../../../scripts/tasks/proton.ts';
import { titles } from '../../../scripts/lib/messages.ts';

test('build-proton builds the release runtime, then the Wine module; not the Node binding', () => {
  assert.deepEqual(
    PROTON_STEPS.map((s) => s.id),
    ['runtime', 'wine-module'],
  );
  assert.deepEqual(
    protonTasks({}).map((t) => t.title),
    [titles.runtime('release'), titles.wineModule],
  );
});

test('the Wine module installs into Wine only when --install is given', () => {
  const step = PROTON_STEPS.find((s) => s.id === 'wine-module')!;
  const installTask = (install: boolean) => step.tasks({ install }).find((t) => String(t.title).startsWith('install'))!;
  const enabled = (t: ReturnType<typeof installTask>) =>
    typeof t.enabled === 'function' ? t.enabled(undefined as never) : t.enabled;
  assert.equal(enabled(installTask(false)), false);
  assert.equal(enabled(installTask(true)), true);
});

test('a new step is one more entry in the list', () => {
  const extra = { id: 'dll', title: 'Build dstorage.dll', tasks: () => [] };
  assert.deepEqual(
    protonTasks({}, [...PROTON_STEPS, extra])
      .map((t) => t.title)
      .at(-1),
    'Build dstorage.dll',
  );
});
