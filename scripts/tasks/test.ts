// SPDX-License-Identifier: MIT
// Task group: `ds-kit test`, the whole suite. Every top-level step runs even when an earlier one
// failed; the run fails at the end if any did. Within a step, the first failure stops that step.
import type { ListrTask } from 'listr2';
import { skips, titles } from '../lib/messages.ts';
import { bindingTasks, resolveBindingBuild } from './binding.ts';
import { checkTasks } from './checks.ts';
import { defaultFuzz, fuzzTasks } from './fuzz.ts';
import { defaultHarness, harnessTasks } from './harness.ts';
import { ctestTask, REFERENCE_LABEL, resolveRuntimeBuild, runtimeBuildTasks, type RuntimeFlags } from './runtime.ts';
import { defaultWineAsan, wineAsanTasks } from './wine-asan.ts';

export interface TestFlags extends RuntimeFlags {
  fast?: boolean;
  'no-sanitizers'?: boolean;
}

export interface TestCtx {
  releaseBuilt: boolean;
  asanBuilt: boolean;
  bindingBuilt: boolean;
}

export const newTestCtx = (): TestCtx => ({ releaseBuilt: false, asanBuilt: false, bindingBuilt: false });

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

export function testTasks(flags: TestFlags, env: NodeJS.ProcessEnv = process.env): ListrTask<TestCtx>[] {
  const common = { verbose: flags.verbose, 'log-dir': flags['log-dir'], jobs: flags.jobs, werror: flags.werror };
  const release = resolveRuntimeBuild({ ...common, 'source-dir': flags['source-dir'] });
  const asan = resolveRuntimeBuild({ ...common, 'source-dir': flags['source-dir'], sanitize: 'address,undefined' });
  const tsan = resolveRuntimeBuild({ ...common, 'source-dir': flags['source-dir'], sanitize: 'thread' });
  const sanitizerSkip = flags.fast ? skips.fast : flags['no-sanitizers'] ? skips.noSanitizers : false;
  const [configure, build] = runtimeBuildTasks<TestCtx>(release);
  const [asanConfigure, asanBuild] = runtimeBuildTasks<TestCtx>(asan);
  // The cross-check needs a codec from outside the repository; without it the step says so loudly
  // and counts as not run, never as a pass (ctest leaves the test out of every other count).
  const reference = env.DS_GDEFLATE_REFERENCE;

  return [
    {
      title: titles.testChecks,
      // Packaging check() functions run --fast: another distro's clang-format may lay code out differently.
      skip: () => (flags.fast ? skips.fast : false),
      task: (_ctx, task) =>
        task.newListr(checkTasks<TestCtx>({ logDir: release.logDir, verbose: release.verbose }), {
          exitOnError: false,
        }),
    },
    {
      title: titles.testRelease,
      task: (_ctx, task) =>
        task.newListr(
          [
            configure,
            marking(build, (ctx) => {
              ctx.releaseBuilt = true;
            }),
            ctestTask<TestCtx>(release),
          ],
          {
            exitOnError: true,
          },
        ),
    },
    {
      title: titles.testReference,
      skip: (ctx) => (!reference ? skips.noReference : ctx.releaseBuilt ? false : skips.releaseFailed),
      task: (_ctx, task) =>
        task.newListr(
          [
            ctestTask<TestCtx>(release, REFERENCE_LABEL, {
              DS_GDEFLATE_REFERENCE: reference ?? '',
              DS_REQUIRE_GDEFLATE_REFERENCE: '1',
            }),
          ],
          { exitOnError: true },
        ),
    },
    {
      title: titles.testAsan,
      skip: () => sanitizerSkip,
      task: (_ctx, task) =>
        task.newListr(
          [
            asanConfigure,
            marking(asanBuild, (ctx) => {
              ctx.asanBuilt = true;
            }),
            ctestTask<TestCtx>(asan),
          ],
          {
            exitOnError: true,
          },
        ),
    },
    {
      title: titles.testTsan,
      skip: () => sanitizerSkip,
      task: (_ctx, task) =>
        task.newListr([...runtimeBuildTasks<TestCtx>(tsan), ctestTask<TestCtx>(tsan)], { exitOnError: true }),
    },
    {
      title: titles.testWineAsan,
      skip: (ctx) => sanitizerSkip || (ctx.asanBuilt ? false : skips.asanFailed),
      task: (_ctx, task) => task.newListr(wineAsanTasks<TestCtx>(defaultWineAsan(common)), { exitOnError: true }),
    },
    {
      title: titles.testFuzz,
      skip: () => (flags.fast ? skips.fast : false),
      task: (_ctx, task) => task.newListr(fuzzTasks<TestCtx>(defaultFuzz(common, env)), { exitOnError: true }),
    },
    {
      title: titles.testBinding,
      // The TypeScript tests load the binding, so --fast builds it too (seconds when it is up to date).
      skip: (ctx) => (ctx.releaseBuilt ? false : skips.releaseFailed),
      task: (_ctx, task) =>
        task.newListr(
          bindingTasks<TestCtx>(resolveBindingBuild(common)).map((t) =>
            marking(t, (ctx) => {
              ctx.bindingBuilt = true;
            }),
          ),
          { exitOnError: true },
        ),
    },
    {
      title: titles.testHarness,
      task: (_ctx, task) =>
        task.newListr(harnessTasks<TestCtx>(defaultHarness({ ...common, fast: flags.fast })), { exitOnError: true }),
    },
  ];
}
