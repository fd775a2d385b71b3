// SPDX-License-Identifier: MIT
// Task group: the GDeflate decoder's libFuzzer target (runtime/fuzz/run.sh) for a bounded time.
// Every `ds-kit test` runs it, so CI fuzzes each change; longer runs are the same script by hand.
import path from 'node:path';
import type { ListrTask } from 'listr2';
import { runCommand } from '../lib/exec.ts';
import { titles } from '../lib/messages.ts';
import { paths, repoRoot } from '../lib/paths.ts';

export const FUZZ_SECONDS = 60;

export interface FuzzRun {
  seconds: number;
  buildDir: string;
  logDir: string;
  verbose: boolean;
}

/** libFuzzer's progress lines ("#4096 pulse cov: 812 ... exec/s: 2048") and its final count. */
export function fuzzProgress(line: string): string | undefined {
  const pulse = /^#(\d+)\s+\w+\s+cov: (\d+).*exec\/s: (\d+)/.exec(line);
  if (pulse) return `${pulse[1]} inputs, coverage ${pulse[2]}, ${pulse[3]} exec/s`;
  if (/^Done \d+ runs in \d+ second/.test(line)) return line;
  return undefined;
}

export function fuzzArgs(f: FuzzRun): string[] {
  return [path.join(repoRoot, 'runtime', 'fuzz', 'run.sh'), String(f.seconds), f.buildDir];
}

export function fuzzTasks<Ctx>(f: FuzzRun): ListrTask<Ctx>[] {
  return [
    {
      title: titles.fuzzRun(f.seconds),
      task: (_ctx, task) =>
        runCommand(
          { tool: 'fuzz', file: 'sh', args: fuzzArgs(f), cwd: repoRoot },
          { step: 'gdeflate-fuzz', title: titles.fuzzRun(f.seconds), logDir: f.logDir, verbose: f.verbose,
            report: (line) => { task.output = line; }, progress: fuzzProgress },
        ),
    },
  ];
}

export const defaultFuzz = (flags: { 'log-dir'?: string; verbose?: boolean }, env = process.env): FuzzRun => ({
  seconds: Number(env.DS_KIT_FUZZ_SECONDS) > 0 ? Number(env.DS_KIT_FUZZ_SECONDS) : FUZZ_SECONDS,
  buildDir: path.join(paths.buildRoot, 'fuzz-ci'),
  logDir: flags['log-dir'] ?? paths.logDir,
  verbose: flags.verbose ?? false,
});
