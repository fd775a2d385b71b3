// SPDX-License-Identifier: MIT
// Task group: everything Proton/Wine needs from this repository, as an ordered list of steps. The
// Node binding is not one of them: only the tests and benchmarks load it (ds-kit test / bench build it).
// Later steps (dstorage.dll PE side, its Unix side, installing into a Wine prefix) are appended
// to PROTON_STEPS; each step only returns its own task list.
import type { ListrTask } from 'listr2';
import { titles } from '../lib/messages.ts';
import { resolveRuntimeBuild, runtimeBuildTasks, type RuntimeFlags } from './runtime.ts';
import { LAUNCH_OPTION } from '../proton/messages.ts';
import { cachedValue, defaultOptions, type WineModuleOptions } from '../wine/layout.ts';
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
    tasks: (flags) => wineModuleTasks(wineModuleOptions(flags)),
  },
];

function wineModuleOptions(flags: ProtonFlags): WineModuleOptions {
  return defaultOptions({
    install: Boolean(flags.install),
    winePrefix: flags['wine-prefix'],
    verbose: Boolean(flags.verbose),
    logDir: flags['log-dir'],
    jobs: flags.jobs ? Number.parseInt(flags.jobs, 10) : undefined,
  });
}

/**
 * What build-proton prints once its task display has ended (printed after it, not as task output,
 * so that it stays on a terminal): how to put the module into Proton, and how to use it with plain Wine.
 */
export function protonBuildSummary(flags: ProtonFlags): string {
  const o = wineModuleOptions(flags);
  const wineLibDir =
    o.wineLibDir ?? cachedValue(o, 'unix', 'WINE_LIB_DIR') ?? "the installed Wine's library directories";
  return [
    '',
    `dstorage.dll + dstorage.so are staged in ${o.outDir}.`,
    '',
    "Into Steam's Proton (its proton script sets the DLL path itself, so the files go into the Proton):",
    '  npx ds-kit status                 lists the Protons of your Steam libraries and their Wine',
    '  npx ds-kit install --steam        installs into the ones you pick (or --proton DIR for one)',
    `  then per game, as launch option:  ${LAUNCH_OPTION}`,
    '  or, with no launch option:        npx ds-kit proton-tool --from DIR   (a compatibility tool)',
    '',
    o.install ? `With this Wine (the files were copied into ${wineLibDir}):` : 'With this Wine:',
    o.install
      ? '  WINEDLLOVERRIDES="dstorage,dstoragecore=b,n" wine Game.exe'
      : `  WINEDLLPATH=${o.outDir} WINEDLLOVERRIDES="dstorage,dstoragecore=b,n" wine Game.exe`,
    '',
    'Trace it with WINEDEBUG=+dstorage; DS_KIT_STATS=1 prints per-queue summaries.',
  ].join('\n');
}

export function protonTasks(flags: ProtonFlags, steps: ProtonStep[] = PROTON_STEPS): ListrTask<object>[] {
  return steps.map((step) => ({
    title: step.title,
    task: (_ctx, task) => task.newListr(step.tasks(flags), { exitOnError: true }),
  }));
}
