// SPDX-License-Identifier: MIT
// `ds-kit <command>`: parses the command line, builds the command's task list, runs it, and
// prints every failure with what to do next. Exit codes: 0 ok, 1 a step failed, 2 usage error.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ListrTask } from 'listr2';
import { describe, UsageError } from './lib/errors.ts';
import { help, text } from './lib/messages.ts';
import { paths } from './lib/paths.ts';
import { runTasks } from './lib/run-tasks.ts';
import { benchTasks } from './tasks/bench.ts';
import { bindingTasks, resolveBindingBuild } from './tasks/binding.ts';
import { doctor } from './tasks/doctor.ts';
import { generateTasks } from './tasks/generate.ts';
import { protonTasks } from './tasks/proton.ts';
import { resolveRuntimeBuild, runtimeBuildTasks } from './tasks/runtime.ts';
import { newTestCtx, testTasks } from './tasks/test.ts';
import { OPTIONS as WINE_TREE_OPTIONS, wineTreeCommand } from './wine-tree/main.ts';

type Options = NonNullable<ParseArgsConfig['options']>;
type Flags = Record<string, string | boolean | undefined>;

const COMMON: Options = {
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean', short: 'v' },
  'log-dir': { type: 'string' },
  jobs: { type: 'string', short: 'j' },
};
const RUNTIME: Options = {
  ...COMMON,
  'build-dir': { type: 'string' },
  'source-dir': { type: 'string' },
  type: { type: 'string' },
  sanitize: { type: 'string' },
  werror: { type: 'boolean' },
};

interface Command {
  options: Options;
  /** Accepts arguments after `--` (handed on untouched). */
  passThrough?: boolean;
  run: (flags: Flags, rest: string[]) => Promise<number>;
}

async function runList(tasks: ListrTask<object>[], flags: Flags, exitOnError = true, ctx: object = {}): Promise<number> {
  const { errors } = await runTasks(tasks, ctx, { verbose: Boolean(flags.verbose), exitOnError });
  if (errors.length === 0) return 0;
  process.stderr.write(`\n${text.failedSteps(errors.length)}\n\n${errors.map(describe).join('\n\n')}\n`);
  return errors.every((e) => e instanceof UsageError) ? 2 : 1;
}

const commands: Record<string, Command> = {
  'build-runtime': {
    options: RUNTIME,
    run: (flags) => runList(runtimeBuildTasks<object>(resolveRuntimeBuild(flags)), flags),
  },
  'build-binding': {
    options: COMMON,
    run: (flags) => runList(bindingTasks<object>(resolveBindingBuild(flags)), flags),
  },
  build: {
    // Without --wine: the runtime and the binding. With --wine TREE: dlls/dstorage in that tree.
    options: { ...RUNTIME, ...WINE_TREE_OPTIONS.build },
    run: (flags) => {
      if (flags.wine) {
        const { tasks, ctx } = wineTreeCommand('build', flags);
        return runList(tasks, flags, true, ctx);
      }
      return runList([...runtimeBuildTasks<object>(resolveRuntimeBuild(flags)), ...bindingTasks<object>(resolveBindingBuild(flags))], flags);
    },
  },
  'fetch-wine': {
    options: { ...COMMON, ...WINE_TREE_OPTIONS['fetch-wine'] },
    run: (flags) => {
      const { tasks, ctx } = wineTreeCommand('fetch-wine', flags);
      return runList(tasks, flags, true, ctx);
    },
  },
  patch: {
    options: { ...COMMON, ...WINE_TREE_OPTIONS.patch },
    run: (flags) => {
      const { tasks, ctx } = wineTreeCommand('patch', flags);
      return runList(tasks, flags, true, ctx);
    },
  },
  'build-proton': {
    options: { ...COMMON, werror: { type: 'boolean' }, install: { type: 'boolean' } },
    run: (flags) => runList(protonTasks(flags), flags),
  },
  generate: {
    options: { help: COMMON.help, verbose: COMMON.verbose, out: { type: 'string' }, target: { type: 'string' }, sdk: { type: 'string' } },
    run: (flags) =>
      runList(generateTasks<object>({ out: flags.out as string, target: flags.target as string, sdk: flags.sdk as string }), flags),
  },
  test: {
    options: { ...RUNTIME, fast: { type: 'boolean' }, 'no-sanitizers': { type: 'boolean' } },
    run: (flags) => runList(testTasks(flags) as ListrTask<object>[], flags, false, newTestCtx()),
  },
  bench: {
    options: { ...COMMON, wine: { type: 'boolean' } },
    passThrough: true,
    run: (flags, rest) =>
      runList(benchTasks<object>({ args: rest, wine: Boolean(flags.wine), verbose: Boolean(flags.verbose),
        logDir: (flags['log-dir'] as string) ?? paths.logDir }), flags),
  },
  doctor: {
    options: { help: { type: 'boolean', short: 'h' }, 'os-release': { type: 'string' } },
    run: async (flags) => {
      const report = doctor({
        osReleasePath: (flags['os-release'] as string) ?? paths.osRelease,
        asRoot: process.getuid?.() === 0,
      });
      process.stdout.write(`${report.lines.join('\n')}\n`);
      return report.ok ? 0 : 1;
    },
  },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? args[0] : undefined;
    process.stdout.write(`${help[topic && help[topic] ? topic : 'main']}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`${text.unknownCommand(name)}\n`);
    return 2;
  }
  const dashDash = args.indexOf('--');
  const own = dashDash >= 0 ? args.slice(0, dashDash) : args;
  const rest = dashDash >= 0 ? args.slice(dashDash + 1) : [];
  if (rest.length > 0 && !command.passThrough) {
    process.stderr.write(`${text.badOption(name, `'ds-kit ${name}' takes no arguments after --.`)}\n`);
    return 2;
  }
  let flags: Flags;
  try {
    flags = parseArgs({ args: own, options: command.options, allowPositionals: false, strict: true }).values as Flags;
  } catch (error) {
    process.stderr.write(`${text.badOption(name, (error as Error).message)}\n`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(`${help[name]}\n`);
    return 0;
  }
  try {
    return await command.run(flags, rest);
  } catch (error) {
    process.stderr.write(`${describe(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
