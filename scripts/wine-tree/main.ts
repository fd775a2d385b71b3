// SPDX-License-Identifier: MIT
// Standalone entry of the wine-tree commands (the ds-kit CLI calls the same task lists):
//   node --import tsx scripts/wine-tree/main.ts fetch-wine --debian bookworm|trixie [--prepare module|full] [--cache DIR] [--force]
//   node --import tsx scripts/wine-tree/main.ts patch --wine TREE [--revert] [--dry-run]
//   node --import tsx scripts/wine-tree/main.ts build --wine TREE [--full] [--build-dir DIR] [-j N]
import { parseArgs } from 'node:util';
import type { ListrTask } from 'listr2';
import { describe, UsageError } from '../lib/errors.ts';
import { runTasks } from '../lib/run-tasks.ts';
import { buildTasks } from './build-tasks.ts';
import { fetchWineTasks } from './fetch-tasks.ts';
import { newPatchCtx, patchTasks, type PatchCtx } from './patch-tasks.ts';
import type { PrepareMode } from './debian-prepare.ts';

type Flags = Record<string, string | boolean | undefined>;

export const OPTIONS = {
  'fetch-wine': {
    debian: { type: 'string' },
    prepare: { type: 'string' },
    cache: { type: 'string' },
    force: { type: 'boolean' },
  },
  patch: { wine: { type: 'string' }, revert: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
  build: {
    wine: { type: 'string' },
    full: { type: 'boolean' },
    'build-dir': { type: 'string' },
    jobs: { type: 'string', short: 'j' },
  },
} as const;

export const USAGE = `usage:
  ds-kit fetch-wine --debian bookworm|trixie [--prepare module|full] [--cache DIR] [--force]
  ds-kit patch --wine TREE [--revert] [--dry-run]
  ds-kit build --wine TREE [--full] [--build-dir DIR] [-j N]`;

const need = (flags: Flags, name: string): string => {
  const v = flags[name];
  if (typeof v !== 'string' || !v) throw new UsageError(`--${name} is required\n${USAGE}`);
  return v;
};

/** The task list and context of one wine-tree command, from parsed flags. */
export function wineTreeCommand(name: string, flags: Flags): { tasks: ListrTask<object>[]; ctx: object } {
  const verbose = Boolean(flags.verbose);
  const logDir = flags['log-dir'] as string | undefined;
  switch (name) {
    case 'fetch-wine': {
      const prepare = (flags.prepare as string | undefined) ?? 'module';
      if (prepare !== 'module' && prepare !== 'full')
        throw new UsageError(`--prepare takes module or full, not "${prepare}"`);
      return {
        tasks: fetchWineTasks({
          suite: need(flags, 'debian'),
          prepare: prepare as PrepareMode,
          cacheDir: flags.cache as string | undefined,
          force: Boolean(flags.force),
          logDir,
          verbose,
        }) as ListrTask<object>[],
        ctx: {},
      };
    }
    case 'patch':
      return {
        tasks: patchTasks<PatchCtx>({
          tree: need(flags, 'wine'),
          revert: Boolean(flags.revert),
          dryRun: Boolean(flags['dry-run']),
          logDir,
          verbose,
        }) as ListrTask<object>[],
        ctx: newPatchCtx(),
      };
    case 'build': {
      const jobs = flags.jobs === undefined ? undefined : Number(flags.jobs);
      if (jobs !== undefined && !(jobs >= 1)) throw new UsageError(`-j takes a positive number, not "${flags.jobs}"`);
      return {
        tasks: buildTasks({
          tree: need(flags, 'wine'),
          full: Boolean(flags.full),
          buildDir: flags['build-dir'] as string | undefined,
          jobs,
          logDir,
          verbose,
        }) as ListrTask<object>[],
        ctx: {},
      };
    }
    default:
      throw new UsageError(USAGE);
  }
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  try {
    const options = OPTIONS[name as keyof typeof OPTIONS];
    if (!options) throw new UsageError(USAGE);
    const flags = parseArgs({
      args,
      options: { ...options, verbose: { type: 'boolean', short: 'v' }, 'log-dir': { type: 'string' } },
      strict: true,
    }).values as Flags;
    const { tasks, ctx } = wineTreeCommand(name, flags);
    const { errors } = await runTasks(tasks, ctx, { verbose: Boolean(flags.verbose), exitOnError: true });
    if (errors.length === 0) return 0;
    process.stderr.write(`\n${errors.map(describe).join('\n\n')}\n`);
    return errors.every((e) => e instanceof UsageError) ? 2 : 1;
  } catch (error) {
    process.stderr.write(`${describe(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
