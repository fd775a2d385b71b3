// SPDX-License-Identifier: MIT
// ds-kit patch on real Debian trees (8.0 and 10.0): --dry-run changes nothing and lists the files,
// the series applies, a second application is a no-op, --revert gives back the tree byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newPatchCtx, patchTasks } from '../../scripts/wine-tree/patch-tasks.ts';
import { digestDiff, runList, treeSkip, SUITES, treeDigest, workTree } from './trees.ts';

for (const [version, suite] of Object.entries(SUITES)) {
  test(`Wine ${version} (Debian ${suite}): dry run, apply, apply again, revert`, {
    skip: treeSkip(),
    timeout: 600_000,
  }, async () => {
    const tree = await workTree(suite, `patch-${suite}`);
    const pristine = treeDigest(tree);

    const dry = await runList(patchTasks({ tree, dryRun: true }), newPatchCtx());
    assert.equal(dry.outcome, 'dry-run');
    for (const line of [
      'modify configure.ac (+17 -0)',
      'modify include/Makefile.in (+2 -0)',
      'create dlls/dstorage/Makefile.in',
      'create include/dstorage.h',
    ]) {
      assert.ok(
        dry.report.some((l) => l.startsWith(line)),
        `--dry-run should list "${line}", got:\n${dry.report.join('\n')}`,
      );
    }
    assert.deepEqual(digestDiff(pristine, treeDigest(tree)), [], '--dry-run changed the tree');

    const first = await runList(patchTasks({ tree }), newPatchCtx());
    assert.equal(first.outcome, 'applied');
    const makefile = readFileSync(join(tree, 'dlls/dstorage/Makefile.in'), 'utf8');
    assert.match(
      makefile,
      version === '8.0' ? /^C_SRCS = /m : /^SOURCES = [^]*dstorage\.spec/m,
      'Makefile.in of the wrong generation',
    );
    assert.match(
      readFileSync(join(tree, 'configure'), 'utf8'),
      /dlls\/dstorage/,
      'autoreconf did not regenerate configure with dlls/dstorage',
    );
    assert.match(
      readFileSync(join(tree, 'configure'), 'utf8'),
      /DS_RUNTIME_LIBS=`\$PKG_CONFIG --libs ds-runtime/,
      'configure does not ask pkg-config for ds-runtime',
    );
    assert.ok(!existsSync(join(tree, 'dlls/dstorage/ds-runtime')), 'the series still puts ds-runtime into the tree');
    assert.ok(!dry.report.some((l) => /binary/.test(l)), `--dry-run lists a binary file:\n${dry.report.join('\n')}`);
    const patched = treeDigest(tree);

    const second = await runList(patchTasks({ tree }), newPatchCtx());
    assert.equal(second.outcome, 'already-applied');
    assert.match(second.report.join('\n'), /already applied/);
    assert.deepEqual(digestDiff(patched, treeDigest(tree)), [], 'a second application changed the tree');

    const reverted = await runList(patchTasks({ tree, revert: true }), newPatchCtx());
    assert.equal(reverted.outcome, 'reverted');
    assert.deepEqual(digestDiff(pristine, treeDigest(tree)), [], '--revert did not restore the tree byte for byte');

    const again = await runList(patchTasks({ tree, revert: true }), newPatchCtx());
    assert.equal(again.outcome, 'not-patched');
  });
}
