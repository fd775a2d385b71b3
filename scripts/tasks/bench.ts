// SPDX-License-Identifier: MIT
// Task group: the benchmarks, `node --import tsx scripts/bench/main.ts` when it exists.
import { existsSync } from 'node:fs';
import type { ListrTask } from 'listr2';
import { runCommand } from '../lib/exec.ts';
import { UsageError } from '../lib/errors.ts';
import { text, titles } from '../lib/messages.ts';
import { paths, repoRoot, shown } from '../lib/paths.ts';

export interface BenchRun {
  args: string[];
  logDir: string;
  verbose: boolean;
  /** the Wine module's benchmark (scripts/bench/wine.ts) instead of the runtime's */
  wine?: boolean;
}

export function benchTasks<Ctx>(b: BenchRun): ListrTask<Ctx>[] {
  return [
    {
      title: titles.bench,
      task: async (_ctx, task) => {
        const script = b.wine ? paths.benchWine : paths.benchMain;
        if (!existsSync(script)) throw new UsageError(text.benchMissing(shown(script)));
        await runCommand(
          { tool: 'node', file: process.execPath, args: ['--import', 'tsx', script, ...b.args], cwd: repoRoot },
          { step: 'bench', title: titles.bench, logDir: b.logDir, verbose: b.verbose,
            report: (line) => { task.output = line; } },
        );
      },
      rendererOptions: { persistentOutput: true, bottomBar: Infinity },
    } as ListrTask<Ctx>,
  ];
}
