// SPDX-License-Identifier: MIT
// Task group: lint, formatting and type checks (the first step of `ds-kit test`), and `ds-kit format`,
// which rewrites what the format check would reject. TypeScript: Biome (biome.jsonc) and tsc;
// C/C++: clang-format with the .clang-format of each tree (runtime/, wine-patches/dlls/dstorage/,
// test/wine/). Each failure names the command that fixes it.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { ListrTask } from 'listr2';
import { runCommand } from '../lib/exec.ts';
import { titles } from '../lib/messages.ts';
import { paths, repoRoot } from '../lib/paths.ts';

export interface ChecksRun {
  logDir: string;
  verbose: boolean;
}

/** The trees whose C/C++ sources clang-format owns, each with its own .clang-format. */
export const C_TREES = ['runtime', 'wine-patches/dlls/dstorage', 'test/wine'];
const C_SOURCE = /\.(c|h|cpp|hpp)$/;
/** Build output and fetched code inside those trees. */
const SKIPPED_DIRS = new Set(['build', 'node_modules', 'out-of-tree']);

/** Every C/C++ source of the C_TREES, relative to the repository root, sorted. */
export function cSources(root = repoRoot): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(rel);
      else if (entry.isFile() && C_SOURCE.test(entry.name)) found.push(rel);
    }
  };
  for (const tree of C_TREES) walk(tree);
  return found.sort();
}

const biome = (args: string[]) => ({ tool: 'biome', file: paths.biome, args, cwd: repoRoot });

export const checkCommands = {
  lint: () => biome(['lint', '--error-on-warnings', '--no-errors-on-unmatched']),
  formatTs: () => biome(['format', '--reporter=summary', '--no-errors-on-unmatched']),
  formatC: () => ({
    tool: 'clang-format',
    file: 'clang-format',
    args: ['--dry-run', '--Werror', ...cSources()],
    cwd: repoRoot,
  }),
  typecheck: () => ({ tool: 'tsc', file: paths.tsc, args: ['--noEmit', '-p', 'tsconfig.json'], cwd: repoRoot }),
  writeTs: () => biome(['format', '--write', '--no-errors-on-unmatched']),
  writeC: () => ({ tool: 'clang-format', file: 'clang-format', args: ['-i', ...cSources()], cwd: repoRoot }),
};

type Which = keyof typeof checkCommands;

function commandTask<Ctx>(which: Which, title: string, step: string, c: ChecksRun): ListrTask<Ctx> {
  return {
    title,
    task: (_ctx, task) =>
      runCommand(checkCommands[which](), {
        step,
        title,
        logDir: c.logDir,
        verbose: c.verbose,
        report: (line) => {
          task.output = line;
        },
        progress: () => undefined,
      }),
  };
}

/** Lint, both format checks and the type check; each runs even when another failed. */
export function checkTasks<Ctx>(c: ChecksRun): ListrTask<Ctx>[] {
  return [
    commandTask<Ctx>('lint', titles.lint, 'check-lint', c),
    commandTask<Ctx>('formatTs', titles.formatCheckTs, 'check-format-ts', c),
    commandTask<Ctx>('formatC', titles.formatCheckC, 'check-format-c', c),
    commandTask<Ctx>('typecheck', titles.typecheck, 'check-typecheck', c),
  ];
}

export const lintTasks = <Ctx>(c: ChecksRun): ListrTask<Ctx>[] => [
  commandTask<Ctx>('lint', titles.lint, 'check-lint', c),
];

export function formatTasks<Ctx>(c: ChecksRun, check: boolean): ListrTask<Ctx>[] {
  if (check) return checkTasks<Ctx>(c).slice(1, 3);
  return [
    commandTask<Ctx>('writeTs', titles.formatTs, 'format-ts', c),
    commandTask<Ctx>('writeC', titles.formatC, 'format-c', c),
  ];
}
