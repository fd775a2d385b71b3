// SPDX-License-Identifier: MIT
// Every refusal of ds-kit patch / fetch-wine names the problem and the fix, and leaves the tree exactly
// as it was: not a tree, an unsupported version, a conflicting tree, a missing tool, an autoreconf that
// fails after the patches went in, a revert after the user edited a patched file, an unknown suite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchWineTasks } from '../../scripts/wine-tree/fetch-tasks.ts';
import { WineTreeError } from '../../scripts/wine-tree/messages.ts';
import { newPatchCtx, patchTasks } from '../../scripts/wine-tree/patch-tasks.ts';
import { which } from '../../scripts/lib/tools.ts';
import { digestDiff, runList, treeSkip, treeDigest, workTree } from './trees.ts';

async function refusal(promise: Promise<unknown>, problem: RegExp, fix: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof WineTreeError, `expected a WineTreeError, got ${String(error)}`);
    assert.match(error.problem, problem);
    assert.match(error.fix, fix);
    return true;
  });
}

test('a directory that is not a Wine tree', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-kit-notree-'));
  await refusal(runList(patchTasks({ tree: dir }), newPatchCtx()), /is not a Wine source tree/, /VERSION and configure\.ac/);
});

test('an unsupported Wine version', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-kit-wine9-'));
  writeFileSync(join(dir, 'VERSION'), 'Wine version 9.0\n');
  writeFileSync(join(dir, 'configure.ac'), 'AC_INIT\n');
  const before = treeDigest(dir);
  await refusal(runList(patchTasks({ tree: dir }), newPatchCtx()), /Wine version 9\.0 .* has no ds-kit patch series/, /supported: wine-8\.0, wine-10\.0/);
  assert.deepEqual(digestDiff(before, treeDigest(dir)), []);
});

test('an unknown Debian suite', async () => {
  await refusal(runList(fetchWineTasks({ suite: 'buster' }), {}), /unknown Debian suite "buster"/, /--debian bookworm or --debian trixie/);
});

test('failures on a real 8.0 tree leave it exactly as it was', { skip: treeSkip(), timeout: 600_000 }, async (t) => {
  const tree = await workTree('bookworm', 'failures-bookworm');

  await t.test('a conflicting configure.ac', async () => {
    const file = join(tree, 'configure.ac');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('WINE_CONFIG_MAKEFILE(dlls/dssenh/tests)\n', 'WINE_CONFIG_MAKEFILE(dlls/dssenh/tests)\nWINE_CONFIG_MAKEFILE(dlls/dsmine)\n'));
    const before = treeDigest(tree);
    await refusal(runList(patchTasks({ tree }), newPatchCtx()), /does not apply to .*configure\.ac conflict/, /restore those files .* not changed/);
    assert.deepEqual(digestDiff(before, treeDigest(tree)), [], 'a refused patch changed the tree');
    writeFileSync(file, original);
  });

  await t.test('autoreconf missing', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'ds-kit-bin-'));
    symlinkSync(which(['git']) as string, join(bin, 'git'));
    const before = treeDigest(tree);
    await refusal(runList(patchTasks({ tree, env: { ...process.env, PATH: bin } }), newPatchCtx()), /autoreconf not found/, /install autoconf .* nothing was changed/);
    assert.deepEqual(digestDiff(before, treeDigest(tree)), []);
  });

  await t.test('autoreconf failing after the patches went in rolls back', async () => {
    const file = join(tree, 'configure.ac');
    const original = readFileSync(file, 'utf8');
    appendFileSync(file, 'm4_fatal([broken on purpose by the ds-kit test])\n');
    const before = treeDigest(tree);
    await assert.rejects(runList(patchTasks({ tree }), newPatchCtx()), /autoreconf -f .* failed .*full log: .*wine-tree-autoreconf\.log/);
    assert.deepEqual(digestDiff(before, treeDigest(tree)), [], 'the rollback after autoreconf failed left changes');
    writeFileSync(file, original);
  });

  await t.test('revert after the user edited a patched file', async () => {
    await runList(patchTasks({ tree }), newPatchCtx());
    appendFileSync(join(tree, 'dlls/dstorage/queue.c'), '/* local edit */\n');
    const before = treeDigest(tree);
    await refusal(runList(patchTasks({ tree, revert: true }), newPatchCtx()), /changed since ds-kit applied wine-8\.0: .*dlls\/dstorage\/queue\.c/, /undo your own edits/);
    assert.deepEqual(digestDiff(before, treeDigest(tree)), []);
  });
  mkdirSync(tree, { recursive: true });
});
