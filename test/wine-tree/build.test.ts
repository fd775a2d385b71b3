// SPDX-License-Identifier: MIT
// ds-kit build on real patched trees. Wine 8.0 (Debian bookworm): the module is built in-tree (Wine's
// tools, ntdll and import libraries first), passes the Windows test programs of test/wine under the
// installed Wine 8.0 from the tree's build output, and the tree reverts byte for byte. Wine 10.0 (Debian
// trixie): the module is built in-tree too; its exports and builtin marker are checked (the installed
// Wine is 8.0, so its programs do not run here).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../scripts/lib/paths.ts';
import { buildTasks, type BuildCtx } from '../../scripts/wine-tree/build-tasks.ts';
import { newPatchCtx, patchTasks } from '../../scripts/wine-tree/patch-tasks.ts';
import { digestDiff, runList, treeSkip, treeDigest, workTree } from './trees.ts';
import { compilePrograms, dllFacts, programs, runProgram, type ProgramRun } from './wine-programs.ts';

const specExports = (
  JSON.parse(readFileSync(join(repoRoot, 'templates/spec/exports.json'), 'utf8')) as { exports: { name: string }[] }
).exports
  .map((e) => e.name)
  .sort();

async function patchAndBuild(suite: string): Promise<{ tree: string; pristine: Map<string, string>; built: BuildCtx }> {
  const tree = await workTree(suite, `build-${suite}`);
  const pristine = treeDigest(tree);
  await runList(patchTasks({ tree }), newPatchCtx());
  const built = await runList(buildTasks<BuildCtx>({ tree }), {});
  return { tree, pristine, built };
}

async function checkModule(moduleDir: string): Promise<void> {
  for (const f of ['dstorage.dll', 'dstorage.so'])
    assert.ok(existsSync(join(moduleDir, f)), `${f} missing from ${moduleDir}`);
  const facts = await dllFacts(join(moduleDir, 'dstorage.dll'));
  assert.equal(facts.format, 'pei-x86-64');
  assert.ok(facts.builtin, 'dstorage.dll lacks the "Wine builtin DLL" marker (winebuild --builtin)');
  assert.deepEqual(facts.exports, specExports, 'exports differ from templates/spec/exports.json');
}

const skip = treeSkip();
let w8: Awaited<ReturnType<typeof patchAndBuild>> | undefined;
let run: ProgramRun | undefined;

before(
  async () => {
    if (skip) return;
    w8 = await patchAndBuild('bookworm');
    run = {
      moduleDir: w8.built.moduleDir as string,
      outDir: join(repoRoot, 'build', 'wine-tree-tests', 'wine-8.0'),
      includeDir: join(repoRoot, 'build', 'generated', 'wine-8.0', 'include'),
    };
    await compilePrograms(run);
  },
  { timeout: 900_000 },
);

test("Wine 8.0: the in-tree module has the spec's exports and the builtin marker", { skip }, async () => {
  await checkModule(w8?.built.moduleDir as string);
});

for (const name of skip ? [] : programs()) {
  test(`Wine 8.0: ${name}.exe passes with the module built in the tree`, { timeout: 300_000 }, async () => {
    await runProgram(run as ProgramRun, name);
  });
}

test('Wine 8.0: a second build reuses the configured build directory', { skip, timeout: 600_000 }, async () => {
  const again = await runList(buildTasks<BuildCtx>({ tree: w8?.tree as string }), {});
  assert.equal(again.reusedConfigure, true);
});

test('Wine 8.0: --revert after the build gives back the tree byte for byte', { skip, timeout: 120_000 }, async () => {
  const { tree, pristine } = w8 as NonNullable<typeof w8>;
  await runList(patchTasks({ tree, revert: true }), newPatchCtx());
  assert.deepEqual(
    digestDiff(pristine, treeDigest(tree)),
    [],
    'the build or the revert left changes in the source tree',
  );
});

test("Wine 10.0: the module builds in-tree with the spec's exports and the builtin marker; the tree reverts", {
  skip,
  timeout: 900_000,
}, async () => {
  const w10 = await patchAndBuild('trixie');
  await checkModule(w10.built.moduleDir as string);
  await runList(patchTasks({ tree: w10.tree, revert: true }), newPatchCtx());
  assert.deepEqual(digestDiff(w10.pristine, treeDigest(w10.tree)), [], 'the 10.0 tree did not revert byte for byte');
});
