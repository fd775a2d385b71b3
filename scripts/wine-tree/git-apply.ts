// SPDX-License-Identifier: MIT
// `git apply` on a Wine tree, one invocation per action so a series applies all or nothing.
// git apply works on plain directories too; GIT_CEILING_DIRECTORIES stops it from treating an
// enclosing repository (a tree unpacked inside another checkout) as the one to patch, which would
// make it skip every file.
import { dirname } from 'node:path';
import { capture } from '../lib/exec.ts';

export interface ApplyResult {
  ok: boolean;
  output: string;
}

export function gitEnv(tree: string): Record<string, string> {
  return {
    GIT_CEILING_DIRECTORIES: dirname(tree),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    LC_ALL: 'C',
  };
}

async function git(tree: string, args: string[]): Promise<ApplyResult> {
  const r = await capture(
    { file: 'git', args: ['apply', ...args], cwd: tree, env: gitEnv(tree) },
    { title: `git apply in ${tree}` },
  );
  return { ok: r.ok, output: r.all };
}

/** Would every patch apply (or, with reverse, un-apply) cleanly? Changes nothing. */
export const checkPatches = (tree: string, patches: string[], reverse = false): Promise<ApplyResult> =>
  git(tree, ['--check', ...(reverse ? ['-R'] : []), ...patches]);

export const applyPatches = (tree: string, patches: string[], reverse = false): Promise<ApplyResult> =>
  git(tree, [...(reverse ? ['-R'] : []), ...patches]);

export interface Change {
  path: string;
  kind: 'create' | 'modify' | 'delete';
  added: number | 'binary';
  removed: number | 'binary';
}

/** What the patches would change, file by file (git apply --numstat --summary). */
export async function listChanges(tree: string, patches: string[]): Promise<Change[]> {
  const r = await git(tree, ['--numstat', '--summary', ...patches]);
  if (!r.ok) throw new Error(`git apply --numstat failed: ${r.output}`);
  const created = new Set<string>();
  const deleted = new Set<string>();
  const changes: Change[] = [];
  for (const line of r.output.split('\n')) {
    const mode = /^\s*(create|delete) mode \d+ (.+)$/.exec(line);
    if (mode) (mode[1] === 'create' ? created : deleted).add(mode[2]);
    const stat = /^(\d+|-)\t(\d+|-)\t(.+)$/.exec(line);
    if (stat) {
      const n = (s: string): number | 'binary' => (s === '-' ? 'binary' : Number(s));
      changes.push({ path: stat[3], kind: 'modify', added: n(stat[1]), removed: n(stat[2]) });
    }
  }
  for (const c of changes) c.kind = created.has(c.path) ? 'create' : deleted.has(c.path) ? 'delete' : 'modify';
  return changes;
}

/** The paths git named as failing in a --check output ("error: patch failed: configure.ac:2571"). */
export function conflictingPaths(output: string): string[] {
  const paths = new Set<string>();
  for (const m of output.matchAll(
    /^error: (?:patch failed: ([^:\n]+):\d+|([^:\n]+): (?:already exists in working directory|does not exist in index|No such file or directory|patch does not apply))/gm,
  )) {
    paths.add(m[1] ?? m[2]);
  }
  return [...paths];
}
