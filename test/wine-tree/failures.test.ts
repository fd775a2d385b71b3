// SPDX-License-Identifier: MIT
// Every refusal of ds-kit patch / fetch-wine names the problem and the fix, and leaves the tree exactly
// as it was: not a tree, an unsupported version, a conflicting tree, a missing tool, an autoreconf that
// fails after the patches went in, a revert after the user edited a patched file, an unknown suite; and,
// through the real CLI (no stack trace, exit status 2): a read-only tree (EROFS, a read-only bind mount),
// a tree this user may not write (EACCES, as nobody), a truncated applied.json, fetch-wine without
// autotools-dev's config.sub, and fetch-wine --prepare full over a tree prepared as module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCacheDir, fetchWineTasks, suiteLayout } from '../../scripts/wine-tree/fetch-tasks.ts';
import { WineTreeError } from '../../scripts/wine-tree/messages.ts';
import { newPatchCtx, patchTasks } from '../../scripts/wine-tree/patch-tasks.ts';
import { which } from '../../scripts/lib/tools.ts';
import { asNobody, hidden, readOnly, runCli, type CliResult } from './cli-process.ts';
import { cachedTree, digestDiff, runList, treeSkip, treeDigest, workTree } from './trees.ts';

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
  await refusal(
    runList(patchTasks({ tree: dir }), newPatchCtx()),
    /is not a Wine source tree/,
    /VERSION and configure\.ac/,
  );
});

test('an unsupported Wine version', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-kit-wine9-'));
  writeFileSync(join(dir, 'VERSION'), 'Wine version 9.0\n');
  writeFileSync(join(dir, 'configure.ac'), 'AC_INIT\n');
  const before = treeDigest(dir);
  await refusal(
    runList(patchTasks({ tree: dir }), newPatchCtx()),
    /Wine version 9\.0 .* has no ds-kit patch series/,
    /supported: wine-8\.0, wine-10\.0/,
  );
  assert.deepEqual(digestDiff(before, treeDigest(dir)), []);
});

test('an unknown Debian suite', async () => {
  await refusal(
    runList(fetchWineTasks({ suite: 'buster' }), {}),
    /unknown Debian suite "buster"/,
    /--debian bookworm or --debian trixie/,
  );
});

test('failures on a real 8.0 tree leave it exactly as it was', { skip: treeSkip(), timeout: 600_000 }, async (t) => {
  const tree = await workTree('bookworm', 'failures-bookworm');

  await t.test('a conflicting configure.ac', async () => {
    const file = join(tree, 'configure.ac');
    const original = readFileSync(file, 'utf8');
    writeFileSync(
      file,
      original.replace(
        'WINE_CONFIG_MAKEFILE(dlls/dssenh/tests)\n',
        'WINE_CONFIG_MAKEFILE(dlls/dssenh/tests)\nWINE_CONFIG_MAKEFILE(dlls/dsmine)\n',
      ),
    );
    const before = treeDigest(tree);
    await refusal(
      runList(patchTasks({ tree }), newPatchCtx()),
      /does not apply to .*configure\.ac conflict/,
      /restore those files .* not changed/,
    );
    assert.deepEqual(digestDiff(before, treeDigest(tree)), [], 'a refused patch changed the tree');
    writeFileSync(file, original);
  });

  await t.test('autoreconf missing', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'ds-kit-bin-'));
    symlinkSync(which(['git']) as string, join(bin, 'git'));
    const before = treeDigest(tree);
    await refusal(
      runList(patchTasks({ tree, env: { ...process.env, PATH: bin } }), newPatchCtx()),
      /autoreconf not found/,
      /install autoconf .* nothing was changed/,
    );
    assert.deepEqual(digestDiff(before, treeDigest(tree)), []);
  });

  await t.test('autoreconf failing after the patches went in rolls back', async () => {
    const file = join(tree, 'configure.ac');
    const original = readFileSync(file, 'utf8');
    appendFileSync(file, 'm4_fatal([broken on purpose by the ds-kit test])\n');
    const before = treeDigest(tree);
    await assert.rejects(
      runList(patchTasks({ tree }), newPatchCtx()),
      /autoreconf -f .* failed .*full log: .*wine-tree-autoreconf\.log/,
    );
    assert.deepEqual(digestDiff(before, treeDigest(tree)), [], 'the rollback after autoreconf failed left changes');
    writeFileSync(file, original);
  });

  await t.test('revert after the user edited a patched file', async () => {
    await runList(patchTasks({ tree }), newPatchCtx());
    appendFileSync(join(tree, 'dlls/dstorage/queue.c'), '/* local edit */\n');
    const before = treeDigest(tree);
    await refusal(
      runList(patchTasks({ tree, revert: true }), newPatchCtx()),
      /changed since ds-kit applied wine-8\.0: .*dlls\/dstorage\/queue\.c/,
      /undo your own edits/,
    );
    assert.deepEqual(digestDiff(before, treeDigest(tree)), []);
  });
  mkdirSync(tree, { recursive: true });
});

/** The read-only, nobody and no-autotools-dev cases need root and mount namespaces (not every container allows them). */
function rootSkip(): string | false {
  if (treeSkip()) return treeSkip();
  if (process.getuid?.() !== 0) return 'needs root (a read-only bind mount in a private mount namespace, setpriv)';
  try {
    execFileSync('unshare', ['--mount', '--propagation', 'private', 'true'], { stdio: 'ignore' });
  } catch {
    return 'unshare --mount is not permitted here (a container without CAP_SYS_ADMIN)';
  }
  return false;
}

/** A refusal from the real CLI: exit status 2, the problem and the fix line, no stack trace. */
function cliRefusal(r: CliResult, problem: RegExp, fix: RegExp): void {
  assert.equal(r.code, 2, `expected exit status 2, got ${r.code}:\n${r.output}`);
  assert.match(r.output, problem);
  assert.match(r.output, /^\s*fix: /m, `no fix line:\n${r.output}`);
  assert.match(r.output, fix);
  assert.doesNotMatch(r.output, /^\s+at .+:\d+:\d+\)?$/m, `a raw stack trace was printed:\n${r.output}`);
}

test('a tree that cannot be written and a damaged applied.json: errno, fix line, tree unchanged (Wine 8.0)', {
  skip: rootSkip(),
  timeout: 900_000,
}, async (t) => {
  const tree = await workTree('bookworm', 'unwritable-bookworm');

  await t.test('patch on a read-only tree: EROFS', async () => {
    const before = treeDigest(tree);
    cliRefusal(
      await runCli(['patch', '--wine', tree], undefined, readOnly(tree)),
      /cannot write .* \(ds-kit patch\): EROFS \(read-only file system\); nothing was changed/,
      /fix: the file system holding .* is mounted read-only/,
    );
    assert.deepEqual(digestDiff(before, treeDigest(tree)), []);
  });

  await t.test('patch on a tree this user may not write: EACCES', async () => {
    const before = treeDigest(tree);
    cliRefusal(
      await runCli(['patch', '--wine', tree], { PATH: process.env.PATH ?? '', HOME: '/nonexistent' }, asNobody),
      /cannot write .* \(ds-kit patch\): EACCES \(permission denied\); nothing was changed/,
      /fix: this user may not write/,
    );
    assert.deepEqual(digestDiff(before, treeDigest(tree)), []);
  });

  await runList(patchTasks({ tree }), newPatchCtx());

  await t.test('--revert on a read-only tree: EROFS', async () => {
    const before = treeDigest(tree);
    cliRefusal(
      await runCli(['patch', '--revert', '--wine', tree], undefined, readOnly(tree)),
      /cannot write .* \(ds-kit patch --revert\): EROFS \(read-only file system\)/,
      /fix: the file system holding .* is mounted read-only/,
    );
    assert.deepEqual(digestDiff(before, treeDigest(tree)), []);
  });

  await t.test('a truncated applied.json: patch, --revert and build say it is damaged and how to recover', async () => {
    const journal = join(tree, '.ds-kit', 'applied.json');
    const intact = readFileSync(journal);
    truncateSync(journal, 57);
    const before = treeDigest(tree);
    for (const args of [['patch'], ['patch', '--revert'], ['build']]) {
      cliRefusal(
        await runCli([...args, '--wine', tree]),
        /applied\.json is damaged: it is not valid JSON .*so ds-kit cannot tell what it applied/,
        /fix: to take the series out by hand: .* copy every file under \.ds-kit\/backup\/ back/,
      );
    }
    assert.deepEqual(digestDiff(before, treeDigest(tree)), [], 'a refusal changed the tree');
    truncateSync(journal, 0);
    const empty = treeDigest(tree);
    cliRefusal(
      await runCli(['patch', '--wine', tree]),
      /applied\.json is damaged: it is empty/,
      /fix: to take the series out by hand/,
    );
    assert.deepEqual(digestDiff(empty, treeDigest(tree)), [], 'a refusal changed the tree');
    writeFileSync(journal, intact);
    await runList(patchTasks({ tree, revert: true }), newPatchCtx());
  });
});

/** A fetch-wine cache with the suite's downloaded source package (hard links) but no tree: no network needed. */
async function cacheWithPackage(suite: string): Promise<string> {
  await cachedTree(suite);
  const from = suiteLayout(defaultCacheDir, suite);
  const cache = mkdtempSync(join(defaultCacheDir, '..', `fetch-test-${suite}-`));
  const to = suiteLayout(cache, suite);
  mkdirSync(to.root, { recursive: true });
  execFileSync('cp', ['-al', from.pkg, to.pkg]);
  execFileSync('cp', ['-a', join(from.root, 'apt'), join(to.root, 'apt')]);
  return cache;
}

test('fetch-wine without autotools-dev: names /usr/share/misc/config.sub and the package, before unpacking', {
  skip: rootSkip(),
  timeout: 600_000,
}, async () => {
  const cache = await cacheWithPackage('bookworm');
  cliRefusal(
    await runCli(['fetch-wine', '--debian', 'bookworm', '--cache', cache], undefined, hidden('/usr/share/misc')),
    /\/usr\/share\/misc\/config\.sub not found \(debian\/rules links it into tools\//,
    /fix: install autotools-dev/,
  );
  assert.ok(!existsSync(suiteLayout(cache, 'bookworm').tree), 'the tree was unpacked although the refusal came first');
  rmSync(cache, { recursive: true, force: true });
});

test('fetch-wine --prepare full over a tree prepared as module refuses to delete it and names --force', {
  skip: treeSkip(),
  timeout: 600_000,
}, async () => {
  const cache = await cacheWithPackage('bookworm');
  const l = suiteLayout(cache, 'bookworm');
  mkdirSync(join(l.tree, 'dlls', 'dstorage'), { recursive: true });
  writeFileSync(join(l.tree, 'configure'), '#!/bin/sh\n');
  writeFileSync(join(l.tree, 'configure.ac'), 'AC_INIT\n');
  writeFileSync(join(l.tree, 'VERSION'), 'Wine version 8.0\n');
  writeFileSync(join(l.tree, 'dlls', 'dstorage', 'my-change.c'), '/* the user patched this tree in place */\n');
  writeFileSync(l.stamp, `${JSON.stringify({ suite: 'bookworm', mode: 'module' })}\n`);
  const before = treeDigest(l.tree);
  cliRefusal(
    await runCli(['fetch-wine', '--debian', 'bookworm', '--prepare', 'full', '--cache', cache]),
    /was prepared with --prepare module; preparing it as "full" would delete it/,
    /add --force .*--prepare full --force.*--cache DIR/,
  );
  assert.deepEqual(digestDiff(before, treeDigest(l.tree)), [], 'the module tree was changed');
  const cached = await runCli(['fetch-wine', '--debian', 'bookworm', '--cache', cache]);
  assert.equal(cached.code, 0, `--prepare module on the module tree should reuse it:\n${cached.output}`);
  assert.ok(existsSync(join(l.tree, 'dlls', 'dstorage', 'my-change.c')));
  rmSync(cache, { recursive: true, force: true });
});
