// SPDX-License-Identifier: MIT
// Runs a task list with the renderer chosen once, and reports every failure at the end.
import { Listr, type ListrTask } from 'listr2';
import { chooseRenderer } from './renderer.ts';
import { StepError } from './errors.ts';

export interface RunOptions {
  verbose: boolean;
  /** false: keep running the remaining top-level tasks after a failure (ds-kit test). */
  exitOnError: boolean;
  env?: NodeJS.ProcessEnv;
  isTTY?: boolean;
}

export interface RunResult<Ctx> {
  ctx: Ctx;
  errors: Error[];
}

export async function runTasks<Ctx extends object>(
  tasks: ListrTask<Ctx>[],
  ctx: Ctx,
  options: RunOptions,
): Promise<RunResult<Ctx>> {
  const renderer = chooseRenderer({
    env: options.env ?? process.env,
    isTTY: options.isTTY ?? Boolean(process.stdout.isTTY),
    verbose: options.verbose,
  });
  const list = new Listr<Ctx, typeof renderer, 'simple'>(tasks, {
    ctx,
    renderer,
    fallbackRenderer: 'simple',
    exitOnError: options.exitOnError,
    collectErrors: 'minimal',
    rendererOptions: { collapseErrors: false, showErrorMessage: true } as never,
  });
  const errors: Error[] = [];
  try {
    await list.run();
  } catch (error) {
    errors.push(error as Error);
  }
  for (const collected of list.errors) {
    const inner = collected.error;
    if (!errors.includes(inner)) errors.push(inner);
  }
  return { ctx, errors: unique(errors) };
}

/** One entry per failed step: nested lists re-throw their child's error. */
function unique(errors: Error[]): Error[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = error instanceof StepError ? `${error.step}|${error.logPath}` : error.message;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
