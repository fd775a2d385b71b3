// SPDX-License-Identifier: MIT
// Task group: the test/wine programs against dstorage.so built with ASan+UBSan (one pass).
// test/wine/wine-module.test.ts does the work; DS_KIT_WINE_SANITIZE switches it to the sanitized
// module (scripts/wine/sanitize.ts), which links build/runtime/asan (the ASan ctest step builds it).
import type { ListrTask } from 'listr2';
import { nodeTestProgress, runCommand } from '../lib/exec.ts';
import { titles } from '../lib/messages.ts';
import { paths, repoRoot } from '../lib/paths.ts';
import { testEnv } from '../lib/test-env.ts';
import { WINE_SANITIZE_ENV } from '../wine/sanitize.ts';

export const WINE_TEST_FILE = 'test/wine/wine-module.test.ts';

export interface WineAsanRun {
  logDir: string;
  verbose: boolean;
}

export function wineAsanArgs(): string[] {
  return ['--import', 'tsx', '--test', '--test-reporter=spec', WINE_TEST_FILE];
}

export function wineAsanEnv(): Record<string, string | undefined> {
  return { ...testEnv('release'), NODE_TEST_CONTEXT: undefined, [WINE_SANITIZE_ENV]: 'address,undefined' };
}

export function wineAsanTasks<Ctx>(w: WineAsanRun): ListrTask<Ctx>[] {
  return [
    {
      title: titles.testWineAsan,
      task: (_ctx, task) =>
        runCommand(
          { tool: 'node-test', file: process.execPath, args: wineAsanArgs(), cwd: repoRoot, env: wineAsanEnv() },
          {
            step: 'wine-asan',
            title: titles.testWineAsan,
            logDir: w.logDir,
            verbose: w.verbose,
            report: (line) => {
              task.output = line;
            },
            progress: nodeTestProgress,
          },
        ),
    },
  ];
}

export const defaultWineAsan = (flags: { 'log-dir'?: string; verbose?: boolean }): WineAsanRun => ({
  logDir: flags['log-dir'] ?? paths.logDir,
  verbose: Boolean(flags.verbose),
});
