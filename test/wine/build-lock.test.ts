// SPDX-License-Identifier: MIT
// scripts/wine/build-lock.ts: one module build per staging directory at a time, across processes;
// a lock left by a process that is gone is taken over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../../scripts/lib/paths.ts';
import { acquireBuildLock, releaseBuildLock } from '../../scripts/wine/build-lock.ts';

const lockModule = join(repoRoot, 'scripts/wine/build-lock.ts');
const otherProcess = (target: string, timeoutMs: number) =>
  execa(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { acquireBuildLock } from ${JSON.stringify(lockModule)}; await acquireBuildLock(${JSON.stringify(target)}, ${timeoutMs}); console.log('acquired');`,
    ],
    { cwd: repoRoot, reject: false, all: true },
  );

test('a second process waits while the lock is held, and gets it once released', async () => {
  const target = join(mkdtempSync(join(tmpdir(), 'ds-lock-')), 'wine-module');
  await acquireBuildLock(target);
  const refused = await otherProcess(target, 500);
  assert.notEqual(refused.exitCode, 0, `acquired a held lock:\n${refused.all}`);
  assert.match(refused.all ?? '', new RegExp(`pid ${process.pid}`), 'the error names the holder');
  releaseBuildLock(target);
  assert.ok(!existsSync(`${target}.lock`));
  const granted = await otherProcess(target, 5000);
  assert.equal(granted.exitCode, 0, granted.all);
  assert.match(granted.stdout, /acquired/);
});

test('a lock whose owner is gone is taken over', async () => {
  const target = join(mkdtempSync(join(tmpdir(), 'ds-lock-')), 'wine-module');
  const dead = await execa(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  mkdirSync(`${target}.lock`);
  writeFileSync(join(`${target}.lock`, 'pid'), dead.stdout);
  await acquireBuildLock(target, 5000);
  releaseBuildLock(target);
});
