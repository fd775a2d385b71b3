// SPDX-License-Identifier: MIT
// Task group: the benchmarks, `node --import tsx scripts/bench/main.ts`. They read through the Node
// binding, so the release runtime and the binding are built first (both incremental: seconds when
// nothing changed).
import { existsSync } from 'node:fs';
import type { ListrTask } from 'listr2';
import { parseOptions } from '../bench/options.ts';
import { runCommand } from '../lib/exec.ts';
import { UsageError } from '../lib/errors.ts';
import { text, titles } from '../lib/messages.ts';
import { paths, repoRoot, shown } from '../lib/paths.ts';
import { bindingTasks, resolveBindingBuild } from './binding.ts';
import { resolveRuntimeBuild, runtimeBuildTasks } from './runtime.ts';

export interface BenchRun {
  args: string[];
  logDir: string;
  verbose: boolean;
  /** the Wine module's benchmark (scripts/bench/wine.ts) instead of the runtime's */
  wine?: boolean;
  /** Build the release runtime and the binding first (default true). */
  build?: boolean;
}

/** The benchmark's own options, checked before anything is built. */
export function checkBenchArgs(args: string[]): void {
  try {
    parseOptions(args);
  } catch (error) {
    throw new UsageError(text.badBenchArgs((error as Error).message));
  }
}

export function benchTasks<Ctx>(b: BenchRun): ListrTask<Ctx>[] {
  const flags = { verbose: b.verbose, 'log-dir': b.logDir };
  const build =
    b.build === false
      ? []
      : [...runtimeBuildTasks<Ctx>(resolveRuntimeBuild(flags)), ...bindingTasks<Ctx>(resolveBindingBuild(flags))];
  return [
    ...build,
    {
      title: titles.bench,
      task: async (_ctx, task) => {
        const script = b.wine ? paths.benchWine : paths.benchMain;
        if (!existsSync(script)) throw new UsageError(text.benchMissing(shown(script)));
        await runCommand(
          { tool: 'bench', file: process.execPath, args: ['--import', 'tsx', script, ...b.args], cwd: repoRoot },
          {
            step: 'bench',
            title: titles.bench,
            logDir: b.logDir,
            verbose: b.verbose,
            report: (line) => {
              task.output = line;
            },
          },
        );
      },
      rendererOptions: { persistentOutput: true, bottomBar: Infinity },
    } as ListrTask<Ctx>,
  ];
}
