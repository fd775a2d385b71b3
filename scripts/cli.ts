// SPDX-License-Identifier: MIT
// `ds-kit <command>`: parses the command line, builds the command's task list, runs it, and
// prints every failure with what to do next. Exit codes: 0 ok, 1 a step failed, 2 usage error.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ListrTask } from 'listr2';
import { describe, UsageError } from './lib/errors.ts';
import { help, text } from './lib/messages.ts';
import { paths } from './lib/paths.ts';
import { splitPassThrough } from './lib/args.ts';
import { runTasks } from './lib/run-tasks.ts';
import { closest } from './lib/suggest.ts';
import { kitVersion } from './lib/version.ts';
import { benchTasks, checkBenchArgs } from './tasks/bench.ts';
import { bindingTasks, resolveBindingBuild } from './tasks/binding.ts';
import { formatTasks, lintTasks } from './tasks/checks.ts';
import { doctor } from './tasks/doctor.ts';
import { generateTasks } from './tasks/generate.ts';
import { protonBuildSummary, protonTasks } from './tasks/proton.ts';
import { protonCommands, protonHelp } from './proton/commands.ts';
import { resolveRuntimeBuild, runtimeBuildTasks } from './tasks/runtime.ts';
import { newTestCtx, testTasks } from './tasks/test.ts';
import { OPTIONS as WINE_TREE_OPTIONS, wineTreeCommand } from './wine-tree/main.ts';

type Options = NonNullable<ParseArgsConfig['options']>;
type Flags = Record<string, string | boolean | undefined>;
Object.assign(help, protonHelp);

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
  /**
   * Hands every argument that is not one of `options` on untouched (and everything after `--`),
   * so `npm run bench -- --quick` reaches the benchmark.
   */
  passThrough?: boolean;
  run: (flags: Flags, rest: string[]) => Promise<number>;
}

async function runList(
  tasks: ListrTask<object>[],
  flags: Flags,
  exitOnError = true,
  ctx: object = {},
): Promise<number> {
  const { errors } = await runTasks(tasks, ctx, { verbose: Boolean(flags.verbose), exitOnError });
  if (errors.length === 0) return 0;
  process.stderr.write(`\n${text.failedSteps(errors.length)}\n\n${errors.map(describe).join('\n\n')}\n`);
  return errors.every((e) => e instanceof UsageError) ? 2 : 1;
}

const checksRun = (flags: Flags) => ({
  logDir: (flags['log-dir'] as string) ?? paths.logDir,
  verbose: Boolean(flags.verbose),
});

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
      return runList(
        [...runtimeBuildTasks<object>(resolveRuntimeBuild(flags)), ...bindingTasks<object>(resolveBindingBuild(flags))],
        flags,
      );
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
    options: {
      ...COMMON,
      werror: { type: 'boolean' },
      install: { type: 'boolean' },
      'wine-prefix': { type: 'string' },
    },
    run: async (flags) => {
      const code = await runList(protonTasks(flags), flags);
      if (code === 0) process.stdout.write(`${protonBuildSummary(flags)}\n`);
      return code;
    },
  },
  generate: {
    options: {
      help: COMMON.help,
      verbose: COMMON.verbose,
      out: { type: 'string' },
      target: { type: 'string' },
      sdk: { type: 'string' },
    },
    run: (flags) =>
      runList(
        generateTasks<object>({ out: flags.out as string, target: flags.target as string, sdk: flags.sdk as string }),
        flags,
      ),
  },
  test: {
    options: { ...RUNTIME, fast: { type: 'boolean' }, 'no-sanitizers': { type: 'boolean' } },
    run: (flags) => runList(testTasks(flags) as ListrTask<object>[], flags, false, newTestCtx()),
  },
  bench: {
    options: { help: COMMON.help, verbose: COMMON.verbose, 'log-dir': COMMON['log-dir'], wine: { type: 'boolean' } },
    passThrough: true,
    run: (flags, rest) => {
      if (!flags.wine) checkBenchArgs(rest);
      return runList(
        benchTasks<object>({
          args: rest,
          wine: Boolean(flags.wine),
          verbose: Boolean(flags.verbose),
          logDir: (flags['log-dir'] as string) ?? paths.logDir,
        }),
        flags,
      );
    },
  },
  lint: {
    options: { help: COMMON.help, verbose: COMMON.verbose, 'log-dir': COMMON['log-dir'] },
    run: (flags) => runList(lintTasks<object>(checksRun(flags)), flags),
  },
  format: {
    options: { help: COMMON.help, verbose: COMMON.verbose, 'log-dir': COMMON['log-dir'], check: { type: 'boolean' } },
    run: (flags) => runList(formatTasks<object>(checksRun(flags), Boolean(flags.check)), flags, false),
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
  ...protonCommands,
};

function splitArgs(name: string, command: Command, args: string[]): { own: string[]; rest: string[] } {
  if (command.passThrough) return splitPassThrough(args, command.options);
  const dashDash = args.indexOf('--');
  if (dashDash >= 0 && dashDash < args.length - 1)
    throw new UsageError(text.badOption(name, `'ds-kit ${name}' takes no arguments after --.`));
  return { own: dashDash >= 0 ? args.slice(0, dashDash) : args, rest: [] };
}

/** parseArgs' message, with the closest option of the command for an unknown one. */
function optionError(error: unknown, options: Options): string {
  const message = (error as Error).message;
  const unknown = /Unknown option '--?([^'=]+)/.exec(message);
  return text.unknownOption(message, unknown ? closest(unknown[1], Object.keys(options)) : undefined);
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? args[0] : undefined;
    process.stdout.write(`${help[topic && help[topic] ? topic : 'main']}\n`);
    return 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`${text.version(kitVersion())}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`${text.unknownCommand(name, closest(name, Object.keys(commands)))}\n`);
    return 2;
  }
  let flags: Flags;
  let rest: string[];
  try {
    const split = splitArgs(name, command, args);
    rest = split.rest;
    flags = parseArgs({ args: split.own, options: command.options, allowPositionals: false, strict: true })
      .values as Flags;
  } catch (error) {
    const why = error instanceof UsageError ? error.message : text.badOption(name, optionError(error, command.options));
    process.stderr.write(`${why}\n`);
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
