// SPDX-License-Identifier: MIT
// Real Wine trees for the wine-tree tests: Debian's wine source packages (bookworm 8.0, trixie 10.0),
// fetched and prepared once into build/cache/wine-src (reused across runs), then copied per test file
// into build/cache/wine-src/work/<name> so a failed run never leaves the cached tree patched.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Listr, type ListrTask } from 'listr2';
import { which } from '../../scripts/lib/tools.ts';
import { defaultCacheDir, fetchWineTasks, suiteLayout } from '../../scripts/wine-tree/fetch-tasks.ts';

export const SUITES = { '8.0': 'bookworm', '10.0': 'trixie' } as const;

/** Runs a task list silently and returns its context; rejects with the first error. */
export async function runList<Ctx extends object>(tasks: ListrTask<Ctx>[], ctx: Ctx): Promise<Ctx> {
  await new Listr<Ctx, 'silent', 'silent'>(tasks, {
    ctx,
    renderer: 'silent',
    fallbackRenderer: 'silent',
    exitOnError: true,
  }).run();
  return ctx;
}

/** The prepared, never-patched tree of a suite (fetched on first use). */
export async function cachedTree(suite: string): Promise<string> {
  await runList(fetchWineTasks({ suite }), {});
  return suiteLayout(defaultCacheDir, suite).tree;
}

/** A fresh copy of the suite's tree (cp -a keeps mtimes, so later builds stay incremental). */
export async function workTree(suite: string, name: string): Promise<string> {
  const source = await cachedTree(suite);
  const dest = join(defaultCacheDir, 'work', name);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dirname(dest), { recursive: true });
  execFileSync('cp', ['-a', '--reflink=auto', source, dest]);
  return dest;
}

/** Path → hash of type, mode and content (or link target) for every entry: byte-identity of a tree. */
export function treeDigest(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    const full = join(root, rel);
    const st = lstatSync(full);
    if (st.isSymbolicLink()) out.set(rel, `link ${readlinkSync(full)}`);
    else if (st.isDirectory()) {
      out.set(rel || '.', `dir ${st.mode}`);
      for (const e of readdirSync(full).sort()) walk(rel ? join(rel, e) : e);
    } else out.set(rel, `file ${st.mode} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`);
  };
  walk('');
  return out;
}

/** The entries that differ between two digests ("+ added", "- removed", "~ changed"), for messages. */
export function digestDiff(before: Map<string, string>, after: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const [p, v] of after)
    if (!before.has(p)) lines.push(`+ ${p}`);
    else if (before.get(p) !== v) lines.push(`~ ${p}`);
  for (const p of before.keys()) if (!after.has(p)) lines.push(`- ${p}`);
  return lines;
}

/** Slow tests (real trees, builds, makepkg) skip under `ds-kit test --fast`. */
export const slowSkip = (): string | false =>
  process.env.DS_KIT_TEST_FAST ? 'skipped by --fast (DS_KIT_TEST_FAST)' : false;

/** The tree tests need Debian's apt-get and dpkg-source to fetch the trees (not on Arch). */
export const treeSkip = (): string | false =>
  slowSkip() ||
  (which(['apt-get']) && which(['dpkg-source'])
    ? false
    : "needs apt-get and dpkg-source to fetch Debian's wine sources");
