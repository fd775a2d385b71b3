// SPDX-License-Identifier: MIT
// Task group: `ds-kit test`, the whole suite. Every top-level step runs even when an earlier one
// failed; the run fails at the end if any did. Within a step, the first failure stops that step.
import type { ListrTask } from 'listr2';
import { skips, titles } from '../lib/messages.ts';
import { bindingTasks, resolveBindingBuild } from './binding.ts';
import { checkTasks } from './checks.ts';
import { defaultFuzz, fuzzTasks } from './fuzz.ts';
import { defaultHarness, harnessTasks } from './harness.ts';
import { ctestTask, resolveRuntimeBuild, runtimeBuildTasks, type RuntimeFlags } from './runtime.ts';

export interface TestFlags extends RuntimeFlags {
  fast?: boolean;
  'no-sanitizers'?: boolean;
}

export interface TestCtx {
  releaseBuilt: boolean;
  bindingBuilt: boolean;
}

export const newTestCtx = (): TestCtx => ({ releaseBuilt: false, bindingBuilt: false });

/** Runs `task`, then records success in the context. */
function marking(task: ListrTask<TestCtx>, mark: (ctx: TestCtx) => void): ListrTask<TestCtx> {
  const run = task.task;
  return {
    ...task,
    task: async (ctx, wrapper) => {
      const result = await run(ctx, wrapper);
      mark(ctx);
      return result;
    },
  };
}

export function testTasks(flags: TestFlags): ListrTask<TestCtx>[] {
  const common = { verbose: flags.verbose, 'log-dir': flags['log-dir'], jobs: flags.jobs, werror: flags.werror };
  const release = resolveRuntimeBuild({ ...common, 'source-dir': flags['source-dir'] });
  const asan = resolveRuntimeBuild({ ...common, 'source-dir': flags['source-dir'], sanitize: 'address,undefined' });
  const tsan = resolveRuntimeBuild({ ...common, 'source-dir': flags['source-dir'], sanitize: 'thread' });
  const sanitizerSkip = flags.fast ? skips.fast : flags['no-sanitizers'] ? skips.noSanitizers : false;
  const [configure, build] = runtimeBuildTasks<TestCtx>(release);

  return [
    {
      title: titles.testChecks,
      // Packaging check() functions run --fast: another distro's clang-format may lay code out differently.
      skip: () => (flags.fast ? skips.fast : false),
      task: (_ctx, task) =>
        task.newListr(checkTasks<TestCtx>({ logDir: release.logDir, verbose: release.verbose }), { exitOnError: false }),
    },
    {
      title: titles.testRelease,
      task: (_ctx, task) =>
        task.newListr([configure, marking(build, (ctx) => { ctx.releaseBuilt = true; }), ctestTask<TestCtx>(release)], {
          exitOnError: true,
        }),
    },
    {
      title: titles.testAsan,
      skip: () => sanitizerSkip,
      task: (_ctx, task) => task.newListr([...runtimeBuildTasks<TestCtx>(asan), ctestTask<TestCtx>(asan)], { exitOnError: true }),
    },
    {
      title: titles.testTsan,
      skip: () => sanitizerSkip,
      task: (_ctx, task) =>
        task.newListr([...runtimeBuildTasks<TestCtx>(tsan), ctestTask<TestCtx>(tsan, 'concurrency')], { exitOnError: true }),
    },
    {
      title: titles.testFuzz,
      skip: () => (flags.fast ? skips.fast : false),
      task: (_ctx, task) => task.newListr(fuzzTasks<TestCtx>(defaultFuzz(common)), { exitOnError: true }),
    },
    {
      title: titles.testBinding,
      // The TypeScript tests load the binding, so --fast builds it too (seconds when it is up to date).
      skip: (ctx) => (ctx.releaseBuilt ? false : skips.releaseFailed),
      task: (_ctx, task) =>
        task.newListr(
          bindingTasks<TestCtx>(resolveBindingBuild(common)).map((t) => marking(t, (ctx) => { ctx.bindingBuilt = true; })),
          { exitOnError: true },
        ),
    },
    {
      title: titles.testHarness,
      task: (_ctx, task) => task.newListr(harnessTasks<TestCtx>(defaultHarness({ ...common, fast: flags.fast })), { exitOnError: true }),
    },
  ];
}
