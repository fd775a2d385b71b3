// SPDX-License-Identifier: MIT
// Task group: everything Proton/Wine needs from this repository, as an ordered list of steps. The
// Node binding is not one of them: only the tests and benchmarks load it (ds-kit test / bench build it).
// Later steps (dstorage.dll PE side, its Unix side, installing into a Wine prefix) are appended
// to PROTON_STEPS; each step only returns its own task list.
import type { ListrTask } from 'listr2';
import { titles } from '../lib/messages.ts';
import { resolveRuntimeBuild, runtimeBuildTasks, type RuntimeFlags } from './runtime.ts';
import { defaultOptions } from '../wine/layout.ts';
import { wineModuleTasks } from '../wine/wine-tasks.ts';

export interface ProtonFlags extends RuntimeFlags {
  /** Copy dstorage.dll/.so into the installed Wine's library directories (explicit only). */
  install?: boolean;
  /** Build the module against the Wine installed under this prefix (default: the one on PATH). */
  'wine-prefix'?: string;
}

export interface ProtonStep {
  id: string;
  title: string;
  tasks: (flags: ProtonFlags) => ListrTask<object>[];
}

export const PROTON_STEPS: ProtonStep[] = [
  {
    id: 'runtime',
    title: titles.runtime('release'),
    tasks: (flags) => runtimeBuildTasks(resolveRuntimeBuild({ ...flags, sanitize: undefined })),
  },
  {
    id: 'wine-module',
    title: titles.wineModule,
    tasks: (flags) =>
      wineModuleTasks(
        defaultOptions({
          install: Boolean(flags.install),
          winePrefix: flags['wine-prefix'],
          verbose: Boolean(flags.verbose),
          logDir: flags['log-dir'],
          jobs: flags.jobs ? Number.parseInt(flags.jobs, 10) : undefined,
        }),
      ),
  },
];

export function protonTasks(flags: ProtonFlags, steps: ProtonStep[] = PROTON_STEPS): ListrTask<object>[] {
  return steps.map((step) => ({
    title: step.title,
    task: (_ctx, task) => task.newListr(step.tasks(flags), { exitOnError: true }),
  }));
}
