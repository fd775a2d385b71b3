// SPDX-License-Identifier: MIT
// Task group: build the Node binding (runtime/node) with node-gyp from node_modules.
import { existsSync } from 'node:fs';
import type { ListrTask } from 'listr2';
import { runCommand } from '../lib/exec.ts';
import { UsageError } from '../lib/errors.ts';
import { text, titles } from '../lib/messages.ts';
import { positiveInt } from '../lib/option-values.ts';
import { paths, shown } from '../lib/paths.ts';
import { cpuCount, nodeHeadersPrefix } from '../lib/tools.ts';

export interface BindingBuild {
  bindingDir: string;
  logDir: string;
  verbose: boolean;
  jobs: number;
}

export function resolveBindingBuild(flags: { 'log-dir'?: string; verbose?: boolean; jobs?: string }): BindingBuild {
  return {
    bindingDir: paths.bindingDir,
    logDir: flags['log-dir'] ?? paths.logDir,
    verbose: Boolean(flags.verbose),
    jobs: flags.jobs === undefined ? cpuCount() : positiveInt('--jobs', flags.jobs),
  };
}

export function nodeGypArgs(b: BindingBuild, nodedir: string | null = nodeHeadersPrefix() ?? null): string[] {
  const args = [paths.nodeGyp, 'rebuild', '--directory', b.bindingDir, `--jobs=${b.jobs}`];
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  if (b.verbose) args.push('--verbose');
  return args;
}

export function bindingTasks<Ctx>(b: BindingBuild): ListrTask<Ctx>[] {
  return [
    {
      title: titles.binding,
      task: async (_ctx, task) => {
        if (!existsSync(paths.bindingGyp)) throw new UsageError(text.bindingGypMissing(shown(paths.bindingGyp)));
        await runCommand(
          { tool: 'node-gyp', file: process.execPath, args: nodeGypArgs(b) },
          { step: 'binding-build', title: titles.binding, logDir: b.logDir, verbose: b.verbose,
            report: (line) => { task.output = line; } },
        );
      },
    },
  ];
}
