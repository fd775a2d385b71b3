// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newTestCtx, testTasks } from '../../../scripts/tasks/test.ts';
import { skips, titles } from '../../../scripts/lib/messages.ts';

const skipOf = (
  flags: Parameters<typeof testTasks>[0],
  title: string,
  ctx = newTestCtx(),
  env: NodeJS.ProcessEnv = {},
) => {
  const task = testTasks(flags, env).find((t) => t.title === title);
  assert.ok(task, `no task titled ${title}`);
  return typeof task.skip === 'function' ? task.skip(ctx) : (task.skip ?? false);
};

test('the suite has its nine steps in order', () => {
  assert.deepEqual(
    testTasks({}).map((t) => t.title),
    [
      titles.testChecks,
      titles.testRelease,
      titles.testReference,
      titles.testAsan,
      titles.testTsan,
      titles.testWineAsan,
      titles.testFuzz,
      titles.testBinding,
      titles.testHarness,
    ],
  );
});

test('the reference cross-check is loudly not run (never a pass) without DS_GDEFLATE_REFERENCE', () => {
  const built = { ...newTestCtx(), releaseBuilt: true };
  const skipped = skipOf({}, titles.testReference, built);
  assert.equal(skipped, skips.noReference);
  assert.match(String(skipped), /NOT RUN, not counted/);
  assert.equal(skipOf({}, titles.testReference, built, { DS_GDEFLATE_REFERENCE: '/opt/ref/gdeflate-ref' }), false);
  assert.equal(skipOf({}, titles.testReference, newTestCtx(), { DS_GDEFLATE_REFERENCE: '/x' }), skips.releaseFailed);
});

test('the Wine module runs under ASan once the ASan runtime built, unless sanitizers are off', () => {
  assert.equal(skipOf({}, titles.testWineAsan), skips.asanFailed);
  assert.equal(skipOf({}, titles.testWineAsan, { ...newTestCtx(), asanBuilt: true }), false);
  assert.equal(
    skipOf({ 'no-sanitizers': true }, titles.testWineAsan, { ...newTestCtx(), asanBuilt: true }),
    skips.noSanitizers,
  );
  assert.equal(skipOf({ fast: true }, titles.testWineAsan, { ...newTestCtx(), asanBuilt: true }), skips.fast);
});

test('--fast keeps the release tests, the binding they need and the TypeScript tests only', () => {
  const flags = { fast: true };
  assert.equal(skipOf(flags, titles.testChecks), skips.fast);
  assert.equal(skipOf(flags, titles.testRelease), false);
  assert.equal(skipOf(flags, titles.testAsan), skips.fast);
  assert.equal(skipOf(flags, titles.testTsan), skips.fast);
  assert.equal(skipOf(flags, titles.testFuzz), skips.fast);
  assert.equal(skipOf(flags, titles.testBinding, { ...newTestCtx(), releaseBuilt: true }), false);
  assert.equal(skipOf(flags, titles.testHarness), false);
});

test('--no-sanitizers skips ASan and TSan; the binding waits for the release build', () => {
  const flags = { 'no-sanitizers': true };
  assert.equal(skipOf(flags, titles.testAsan), skips.noSanitizers);
  assert.equal(skipOf(flags, titles.testTsan), skips.noSanitizers);
  assert.equal(skipOf(flags, titles.testBinding), skips.releaseFailed);
  assert.equal(skipOf(flags, titles.testBinding, { ...newTestCtx(), releaseBuilt: true }), false);
});
