// SPDX-License-Identifier: MIT
// ds-kit patch / --revert killed with SIGKILL part-way on a real Wine 8.0 tree (the real CLI in its own
// process group; kill.ts picks the moment by watching for the child process, or for the first change in
// dlls/dstorage): during git apply, during autoreconf, during the restore of --revert. The next patch,
// --revert or build must finish or roll back what was interrupted, say so, and leave the tree byte for
// byte as a clean run would (pristine after --revert, the same bytes as an uninterrupted patch after patch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newPatchCtx, patchTasks } from '../../scripts/wine-tree/patch-tasks.ts';
import { killDuring, killOnChange, runCli, type CliResult } from './cli-process.ts';
import { digestDiff, runList, treeSkip, treeDigest, workTree } from './trees.ts';

/**
 * What differs between two uninterrupted runs of the same patch: the journal's time stamp and pid, and
 * autom4te's cache index (autom4te.cache/requests, a Perl dump whose order changes from run to run).
 */
const VARIES = ['.ds-kit/applied.json', 'autom4te.cache/requests'];
const withoutJournal = (d: Map<string, string>): Map<string, string> =>
  new Map([...d].filter(([p]) => !VARIES.includes(p)));

function noStackTrace(r: CliResult): void {
  assert.doesNotMatch(r.output, /^\s+at .+:\d+:\d+\)?$/m, `a raw stack trace was printed:\n${r.output}`);
}

test('kill -9 part-way through ds-kit patch and --revert: the next run finishes or rolls back (Wine 8.0)', {
  skip: treeSkip(),
  timeout: 2_400_000,
}, async (t) => {
  const tree = await workTree('bookworm', 'interrupt-bookworm');
  const journal = join(tree, '.ds-kit', 'applied.json');
  const phase = (): string | undefined =>
    existsSync(journal) ? (JSON.parse(readFileSync(journal, 'utf8')) as { phase: string }).phase : undefined;
  const pristine = treeDigest(tree);
  await runList(patchTasks({ tree }), newPatchCtx());
  const patched = withoutJournal(treeDigest(tree));
  await runList(patchTasks({ tree, revert: true }), newPatchCtx());
  assert.deepEqual(
    digestDiff(pristine, treeDigest(tree)),
    [],
    'an uninterrupted patch + revert did not give back the tree',
  );

  const assertPristine = (what: string): void =>
    assert.deepEqual(
      digestDiff(pristine, treeDigest(tree)),
      [],
      `${what}: the tree is not byte-identical to the original`,
    );
  const assertPatched = (what: string): void => {
    assert.equal(phase(), 'applied', `${what}: the journal is not "applied"`);
    assert.match(
      readFileSync(join(tree, 'configure'), 'utf8'),
      /dlls\/dstorage/,
      `${what}: configure was not regenerated with dlls/dstorage`,
    );
    assert.deepEqual(
      digestDiff(patched, withoutJournal(treeDigest(tree))),
      [],
      `${what}: the tree differs from an uninterrupted patch`,
    );
  };
  /** Kills until the journal is left in `wanted` (a kill can land just after the step ends); cleans up misses. */
  async function killUntil(wanted: string, kill: () => Promise<{ killed: boolean }>, attempts = 6): Promise<number> {
    for (let i = 1; i <= attempts; i++) {
      const r = await kill();
      if (r.killed && phase() === wanted) return i;
      t.diagnostic(`attempt ${i}: killed=${r.killed}, journal phase ${phase() ?? 'none'}; trying again`);
      await runList(patchTasks({ tree, revert: true }), newPatchCtx());
      assertPristine('cleaning up a missed kill');
    }
    throw new Error(`no kill landed in phase "${wanted}" in ${attempts} attempts`);
  }

  await t.test(
    'killed during git apply: build refuses, patch rolls back and applies, --revert gives back the tree',
    async () => {
      const attempts = await killUntil('applying', () =>
        killDuring(['patch', '--wine', tree], { when: /git apply \//, delayMs: Math.floor(Math.random() * 15) }),
      );
      const record = JSON.parse(readFileSync(journal, 'utf8')) as { created: string[]; modified: string[] };
      const written = record.created.filter((f) => existsSync(join(tree, f))).length;
      const gone = record.modified.filter((f) => !existsSync(join(tree, f)));
      t.diagnostic(
        `killed in git apply after ${attempts} attempt(s): ${written} of ${record.created.length} new files written; ` +
          `${gone.length ? `${gone.join(', ')} missing (git apply replaces a file by unlink + create)` : 'no modified file missing'}`,
      );

      const build = await runCli(['build', '--wine', tree]);
      assert.equal(build.code, 2, `build on an interrupted tree:\n${build.output}`);
      assert.match(build.output, /interrupted ds-kit patch .*phase "applying"/);
      assert.match(build.output, /fix: run ds-kit patch --wine .* to finish it/);
      noStackTrace(build);

      const again = await runCli(['patch', '--wine', tree]);
      assert.equal(again.code, 0, again.output);
      assert.match(again.output, /rolled back an interrupted ds-kit patch \(stopped while the series went in\)/);
      assertPatched('patch after a kill in git apply');

      const revert = await runCli(['patch', '--revert', '--wine', tree]);
      assert.equal(revert.code, 0, revert.output);
      assertPristine('--revert after the repaired patch');
    },
  );

  await t.test('killed during autoreconf, then --revert: the tree is as it was', async () => {
    const attempts = await killUntil('regenerating', () =>
      killDuring(['patch', '--wine', tree], { when: /autoreconf|autom4te/, delayMs: Math.floor(Math.random() * 1500) }),
    );
    t.diagnostic(`killed in autoreconf after ${attempts} attempt(s)`);
    const revert = await runCli(['patch', '--revert', '--wine', tree]);
    assert.equal(revert.code, 0, revert.output);
    assert.match(revert.output, /rolled back an interrupted ds-kit patch \(stopped while autoreconf ran\)/);
    assertPristine('--revert after a kill in autoreconf');
  });

  await t.test('killed during autoreconf, then patch: autoreconf is run again and the tree is patched', async () => {
    await killUntil('regenerating', () =>
      killDuring(['patch', '--wine', tree], { when: /autoreconf|autom4te/, delayMs: Math.floor(Math.random() * 1500) }),
    );
    const again = await runCli(['patch', '--wine', tree]);
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /completed an interrupted ds-kit patch .*autoreconf had not finished/);
    assertPatched('patch after a kill in autoreconf');
    const second = await runCli(['patch', '--wine', tree]);
    assert.match(second.output, /already applied/);
  });

  await t.test("autom4te's temporary file from a kill in autoreconf: --revert removes it", async () => {
    // The window is a few milliseconds (autom4te writes configure through a File::Temp file of ten
    // random characters beside it, then renames it), so the state after such a kill is made here:
    // the journal back in "regenerating", written by a process that is gone, and the leftover file.
    assert.equal(phase(), 'applied');
    const record = JSON.parse(readFileSync(journal, 'utf8')) as Record<string, unknown>;
    writeFileSync(journal, `${JSON.stringify({ ...record, phase: 'regenerating', pid: 4_194_303 }, null, 2)}\n`);
    // File::Temp draws from letters, digits and '_' (a CI run once left "IGrgGRW4P_").
    writeFileSync(join(tree, 'UjA6b_4shu'), '#! /bin/sh\n# half of a configure\n');
    const revert = await runCli(['patch', '--revert', '--wine', tree]);
    assert.equal(revert.code, 0, revert.output);
    assertPristine('--revert after a kill that left an autom4te temporary file');
    const again = await runCli(['patch', '--wine', tree]); // the next subtest starts from a patched tree
    assert.equal(again.code, 0, again.output);
  });

  await t.test(
    'killed during --revert: --revert again finishes it; patch after such a kill finishes it and applies',
    async () => {
      // The tree is patched (previous subtest). The restore deletes the files of dlls/dstorage first.
      let attempts = 0;
      for (;;) {
        attempts++;
        const r = await killOnChange(['patch', '--revert', '--wine', tree], join(tree, 'dlls', 'dstorage'));
        if (r.killed && phase() === 'reverting') break;
        assert.ok(attempts < 6, `no kill landed during the restore in ${attempts} attempts`);
        if (phase() === undefined) await runList(patchTasks({ tree }), newPatchCtx());
      }
      t.diagnostic(`killed in the restore after ${attempts} attempt(s)`);
      const revert = await runCli(['patch', '--revert', '--wine', tree]);
      assert.equal(revert.code, 0, revert.output);
      assert.match(revert.output, /finished an interrupted ds-kit patch --revert/);
      assertPristine('--revert after a kill in --revert');

      await runList(patchTasks({ tree }), newPatchCtx());
      for (attempts = 1; ; attempts++) {
        const r = await killOnChange(['patch', '--revert', '--wine', tree], join(tree, 'dlls', 'dstorage'));
        if (r.killed && phase() === 'reverting') break;
        assert.ok(attempts < 6, `no kill landed during the restore in ${attempts} attempts`);
        if (phase() === undefined) await runList(patchTasks({ tree }), newPatchCtx());
      }
      const patch = await runCli(['patch', '--wine', tree]);
      assert.equal(patch.code, 0, patch.output);
      assert.match(patch.output, /finished an interrupted ds-kit patch --revert/);
      assertPatched('patch after a kill in --revert');
      await runList(patchTasks({ tree, revert: true }), newPatchCtx());
      assertPristine('the final --revert');
    },
  );
});
