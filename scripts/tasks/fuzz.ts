// SPDX-License-Identifier: MIT
// Task group: the libFuzzer targets (runtime/fuzz/run.sh), each for a bounded time, starting from
// the corpus persisted in runtime/fuzz/corpus/<target>/ and merging what they find back into it.
// Every `ds-kit test` runs them, so CI fuzzes each change; longer runs are the same script by hand.
import path from 'node:path';
import type { ListrTask } from 'listr2';
import { runCommand } from '../lib/exec.ts';
import { titles } from '../lib/messages.ts';
import { paths, repoRoot } from '../lib/paths.ts';

/** Seconds per target unless DS_KIT_FUZZ_SECONDS says otherwise. */
export const FUZZ_SECONDS = 60;

/** gdeflate_decode: the GDeflate decoder; zstd_request: the Zstandard request path (libzstd); queue_c_abi: request
 * validation and the queue via ds_runtime.h. */
export const FUZZ_TARGETS = ['gdeflate_decode', 'zstd_request', 'queue_c_abi'] as const;
export type FuzzTarget = (typeof FUZZ_TARGETS)[number];

export interface FuzzRun {
  target: FuzzTarget;
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
  if (/^corpus .*: \d+ -> \d+ inputs/.test(line)) return line;
  return undefined;
}

export function fuzzArgs(f: FuzzRun): string[] {
  return [path.join(repoRoot, 'runtime', 'fuzz', 'run.sh'), f.target, String(f.seconds), f.buildDir];
}

export function fuzzTasks<Ctx>(runs: FuzzRun[]): ListrTask<Ctx>[] {
  return runs.map((f) => ({
    title: titles.fuzzRun(f.target, f.seconds),
    task: (_ctx, task) =>
      runCommand(
        { tool: 'fuzz', file: 'sh', args: fuzzArgs(f), cwd: repoRoot },
        {
          step: `fuzz-${f.target}`,
          title: titles.fuzzRun(f.target, f.seconds),
          logDir: f.logDir,
          verbose: f.verbose,
          report: (line) => {
            task.output = line;
          },
          progress: fuzzProgress,
        },
      ),
  }));
}

export function fuzzSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.DS_KIT_FUZZ_SECONDS);
  return Number.isInteger(n) && n > 0 ? n : FUZZ_SECONDS;
}

export const defaultFuzz = (flags: { 'log-dir'?: string; verbose?: boolean }, env = process.env): FuzzRun[] =>
  FUZZ_TARGETS.map((target) => ({
    target,
    seconds: fuzzSeconds(env),
    buildDir: path.join(paths.buildRoot, 'fuzz-ci'),
    logDir: flags['log-dir'] ?? paths.logDir,
    verbose: flags.verbose ?? false,
  }));
