// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTasks } from '../../../scripts/lib/run-tasks.ts';
import { StepError } from '../../../scripts/lib/errors.ts';

const silent = { verbose: false, env: { DS_KIT_RENDERER: 'silent' }, isTTY: false };
const failing = (name: string) => async () => {
  throw new StepError(name, `build/logs/${name}.log`, `${name} failed`, `${name} details`);
};

test('exitOnError=false runs every task and returns every failure', async () => {
  const ran: string[] = [];
  const { errors } = await runTasks(
    [
      { title: 'one', task: failing('one') },
      {
        title: 'two',
        task: async () => {
          ran.push('two');
        },
      },
      { title: 'three', task: failing('three') },
    ],
    {},
    { ...silent, exitOnError: false },
  );
  assert.deepEqual(ran, ['two']);
  assert.deepEqual(
    errors.map((e) => (e as StepError).step),
    ['one', 'three'],
  );
});

test('exitOnError=true stops at the first failure', async () => {
  const ran: string[] = [];
  const { errors } = await runTasks(
    [
      { title: 'one', task: failing('one') },
      {
        title: 'two',
        task: async () => {
          ran.push('two');
        },
      },
    ],
    {},
    { ...silent, exitOnError: true },
  );
  assert.deepEqual(ran, []);
  assert.equal(errors.length, 1);
});

test('a failure inside a nested list is reported once', async () => {
  const { errors } = await runTasks(
    [
      {
        title: 'group',
        task: (_ctx, task) => task.newListr([{ title: 'inner', task: failing('inner') }], { exitOnError: true }),
      },
    ],
    {},
    { ...silent, exitOnError: false },
  );
  assert.equal(errors.length, 1);
  assert.equal((errors[0] as StepError).step, 'inner');
});
