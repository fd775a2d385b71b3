// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newTestCtx, testTasks } from '../../../scripts/tasks/test.ts';
import { skips, titles } from '../../../scripts/lib/messages.ts';

const skipOf = (flags: Parameters<typeof testTasks>[0], title: string, ctx = newTestCtx()) => {
  const task = testTasks(flags).find((t) => t.title === title);
  assert.ok(task, `no task titled ${title}`);
  return typeof task.skip === 'function' ? task.skip(ctx) : task.skip ?? false;
};

test('the suite has its seven steps in order', () => {
  assert.deepEqual(testTasks({}).map((t) => t.title), [
    titles.testChecks, titles.testRelease, titles.testAsan, titles.testTsan, titles.testFuzz, titles.testBinding, titles.testHarness,
  ]);
});

test('--fast keeps the release tests, the binding they need and the TypeScript tests only', () => {
  const flags = { fast: true };
  assert.equal(skipOf(flags, titles.testChecks), skips.fast);
  assert.equal(skipOf(flags, titles.testRelease), false);
  assert.equal(skipOf(flags, titles.testAsan), skips.fast);
  assert.equal(skipOf(flags, titles.testTsan), skips.fast);
  assert.equal(skipOf(flags, titles.testFuzz), skips.fast);
  assert.equal(skipOf(flags, titles.testBinding, { releaseBuilt: true, bindingBuilt: false }), false);
  assert.equal(skipOf(flags, titles.testHarness), false);
});

test('--no-sanitizers skips ASan and TSan; the binding waits for the release build', () => {
  const flags = { 'no-sanitizers': true };
  assert.equal(skipOf(flags, titles.testAsan), skips.noSanitizers);
  assert.equal(skipOf(flags, titles.testTsan), skips.noSanitizers);
  assert.equal(skipOf(flags, titles.testBinding), skips.releaseFailed);
  assert.equal(skipOf(flags, titles.testBinding, { releaseBuilt: true, bindingBuilt: false }), false);
});
