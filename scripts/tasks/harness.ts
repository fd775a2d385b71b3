// SPDX-License-Identifier: MIT
// Task group: the TypeScript test harness, node --test over every test/**/*.test.ts
// (Node 20's --test does not expand globs, so the files are listed here).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { ListrTask } from 'listr2';
import { nodeTestProgress, runCommand } from '../lib/exec.ts';
import { UsageError } from '../lib/errors.ts';
import { text, titles } from '../lib/messages.ts';
import { paths, repoRoot, shown } from '../lib/paths.ts';
import { testEnv } from '../lib/test-env.ts';

export interface HarnessRun {
  testRoot: string;
  logDir: string;
  verbose: boolean;
  /** --fast: slow suites (real Wine trees, makepkg) skip, saying so (DS_KIT_TEST_FAST=1). */
  fast?: boolean;
}

export function findTestFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.test.ts')) found.push(full);
    }
  };
  walk(root);
  return found.sort();
}

export function harnessArgs(files: string[]): string[] {
  return ['--import', 'tsx', '--test', '--test-reporter=spec', ...files.map((f) => path.relative(repoRoot, f))];
}

export function harnessTasks<Ctx>(h: HarnessRun): ListrTask<Ctx>[] {
  return [
    {
      title: titles.harness,
      task: async (_ctx, task) => {
        const files = findTestFiles(h.testRoot);
        if (files.length === 0) throw new UsageError(text.noTestFiles(shown(h.testRoot)));
        // Children of this run must render normally, not inherit a parent test runner's context.
        const env: Record<string, string | undefined> = {
          ...testEnv('release'),
          NODE_TEST_CONTEXT: undefined,
          ...(h.fast ? { DS_KIT_TEST_FAST: '1' } : {}),
        };
        await runCommand(
          { tool: 'node-test', file: process.execPath, args: harnessArgs(files), cwd: repoRoot, env },
          {
            step: 'ts-harness',
            title: titles.harness,
            logDir: h.logDir,
            verbose: h.verbose,
            report: (line) => {
              task.output = line;
            },
            progress: nodeTestProgress,
          },
        );
      },
    },
  ];
}

export const defaultHarness = (flags: { 'log-dir'?: string; verbose?: boolean; fast?: boolean }): HarnessRun => ({
  testRoot: paths.testRoot,
  logDir: flags['log-dir'] ?? paths.logDir,
  verbose: Boolean(flags.verbose),
  fast: Boolean(flags.fast),
});
