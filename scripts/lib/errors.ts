// SPDX-License-Identifier: MIT
// Tool-specific error translation: a failed command becomes a StepError whose message names the
// failing step and its log, and whose details say what to do next.
import { tailOf } from './log.ts';
import type { Tool } from './exec.ts';
import { hints, text } from './messages.ts';

export class StepError extends Error {
  readonly step: string;
  readonly logPath: string;
  readonly details: string;

  constructor(step: string, logPath: string, message: string, details: string) {
    super(message);
    this.name = 'StepError';
    this.step = step;
    this.logPath = logPath;
    this.details = details;
  }
}

/** An error the user caused (bad option, missing file): no log, just what to do. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Failure {
  tool: Tool;
  title: string;
  logPath: string;
  absoluteLogPath: string;
  commandLine: string;
  exitCode?: number;
  signal?: string;
  spawnCode?: string;
}

export function stepFailure(failure: Failure): StepError {
  const tail = tailOf(failure.absoluteLogPath, 20);
  const how =
    failure.spawnCode === 'ENOENT'
      ? text.notFound(failure.commandLine.split(' ').find((w) => !w.includes('=')) ?? failure.tool)
      : failure.signal
        ? text.killedBy(failure.tool, failure.signal)
        : text.exitedWith(failure.tool, failure.exitCode);
  const message = text.stepFailed(failure.title, how, failure.logPath);
  const hint = hintFor(failure, tail);
  const details = [
    message,
    `  command: ${shortened(failure.commandLine)}`,
    ...(tail.length ? [`  last ${tail.length} lines of ${failure.logPath}:`, ...tail.map((l) => `    ${l}`)] : []),
    `  next: ${hint}`,
  ].join('\n');
  return new StepError(failure.title, failure.logPath, message, details);
}

/** A command line cut to a readable length (file lists run long); the log has all of it. */
export function shortened(commandLine: string, max = 300): string {
  return commandLine.length <= max ? commandLine : `${commandLine.slice(0, max)} … (the whole command is in the log)`;
}

/** A program that could not be started at all (not installed, not executable). */
export function missingProgram(tool: string, commandLine: string, title: string): StepError {
  const message = `${title} failed (${text.notFound(tool)})`;
  const details = [message, `  command: ${commandLine}`, `  next: ${hints.installDeps}`].join('\n');
  return new StepError(title, '', message, details);
}

/** What to do next, from the tool and the end of its log. */
export function hintFor(
  failure: Pick<Failure, 'tool' | 'spawnCode' | 'logPath'> & { commandLine?: string },
  tail: string[],
): string {
  const log = tail.join('\n');
  if (failure.spawnCode === 'ENOENT') return hints.installDeps;
  if (/unexpected memory mapping|FATAL: ThreadSanitizer/.test(log)) return hints.tsanMapping;
  if (/LeakSanitizer has encountered a fatal error/.test(log)) return hints.lsanPtrace;
  switch (failure.tool) {
    case 'cmake':
      if (/Could not find|not found|No CMAKE_.*_COMPILER/.test(log)) return hints.cmakeMissing;
      if (/CMake Error/.test(log)) return hints.cmakeError(failure.logPath);
      if (/-Werror|error:/.test(log)) return hints.compileError(failure.logPath);
      return hints.cmakeGeneric(failure.logPath);
    case 'ctest': {
      const failed = tail.map((l) => /^\s*\d+ - (\S+) \((.+)\)\s*$/.exec(l)).filter((m) => m !== null);
      const dir = /--test-dir (\S+)/.exec(failure.commandLine ?? '')?.[1];
      if (failed.length && dir)
        return hints.ctestFailed(
          failed.map((m) => `${m[1]} (${m[2]})`),
          dir,
          failed[0][1],
        );
      return hints.ctest;
    }
    case 'fuzz':
      if (/clang\+\+(-14)?: not found|cannot find -l|unsupported option '-fsanitize=fuzzer/.test(log))
        return hints.installDeps;
      return hints.fuzzCrash(failure.logPath);
    case 'node-gyp':
      if (/binding\.gyp/.test(log)) return hints.bindingGyp;
      if (/libds_runtime_static\.a/.test(log)) return hints.bindingNeedsRuntime;
      return hints.nodeGyp(failure.logPath);
    case 'node-test':
      return hints.nodeTest;
    case 'configure':
      return hints.configure(failure.logPath);
    case 'make':
      return hints.make(failure.logPath);
    case 'autoreconf':
      return hints.autoreconf(failure.logPath);
    case 'biome':
      return /\sformat(\s|$)/.test(failure.commandLine ?? '') ? hints.format : hints.lint;
    case 'clang-format':
      return hints.format;
    case 'tsc':
      return hints.typecheck;
    default:
      return hints.readLog(failure.logPath);
  }
}

/** The generator's own errors already say what is wrong; add which step failed and what to do. */
export function generatorFailure(error: unknown): Error {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'OptionsError') return new UsageError(text.generateBadOptions(message));
  return new Error(text.generateFailed(message), { cause: error });
}

/** The text printed at the end of a failed run, one block per failure. */
export function describe(error: unknown): string {
  if (error instanceof StepError) return error.details;
  if (error instanceof UsageError) return error.message;
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}
