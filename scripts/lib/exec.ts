// SPDX-License-Identifier: MIT
// Every subprocess of the CLI starts here (no other file imports execa):
// - runCommand: a step's command; output goes to the step's log file, the latest interesting line
//   becomes the task's output, and a failure becomes a StepError naming the step, the tool and the log;
// - capture: a command whose output the caller reads (git apply --check, git diff); a missing
//   program becomes the same "not found, install it" StepError;
// - captureSync: the same for the few callers that cannot wait (gcc -print-file-name).
import { createInterface } from 'node:readline';
import path from 'node:path';
import { execa, execaSync } from 'execa';
import { appendLog, closeLog, logPathFor, openLog } from './log.ts';
import { missingProgram, stepFailure } from './errors.ts';
import { shown } from './paths.ts';

/**
 * The name a failure is reported under and the hints are chosen by. Defaults to the program's
 * file name (`make`, `configure`, `autoreconf`); give it when the program is an interpreter running
 * something else (`node` running node-gyp, `sh -c` running the fuzzer).
 */
export type Tool = string;

export interface Command {
  tool?: Tool;
  file: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string | undefined>;
}

/** The label of a command in errors: its tool, or the program's file name. */
export function toolOf(command: Pick<Command, 'tool' | 'file'>): Tool {
  if (command.tool) return command.tool;
  if (command.file === process.execPath) return 'node';
  return path.basename(command.file);
}

export interface StepRun {
  /** Log name: build/logs/<step>.log */
  step: string;
  /** Human title used in errors ("configure runtime (release)"). */
  title: string;
  logDir: string;
  /** Show the command line and every output line as task output. */
  verbose: boolean;
  /** Receives the line to show as progress. */
  report: (line: string) => void;
  /** Picks the lines worth showing; the default shows every line. */
  progress?: (line: string) => string | undefined;
  /** Append to the step's log instead of starting it (a second command of one step). */
  append?: boolean;
}

export function commandLine(command: Command): string {
  const quote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const env = Object.entries(command.env ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${quote(String(v))}`);
  return [...env, quote(command.file), ...command.args.map(quote)].join(' ');
}

export async function runCommand(command: Command, run: StepRun): Promise<void> {
  const logPath = logPathFor(run.logDir, run.step);
  const log = run.append ? appendLog(logPath) : openLog(logPath);
  const line = commandLine(command);
  log.write(`$ ${line}\n# cwd: ${command.cwd ?? process.cwd()}\n`);
  if (run.verbose) run.report(`$ ${line}`);

  const subprocess = execa(command.file, command.args, {
    cwd: command.cwd,
    env: command.env,
    stdin: 'ignore',
    all: true,
    buffer: false,
    reject: false,
  });
  const every = (l: string): string => l;
  const pick = run.verbose ? every : (run.progress ?? every);
  const lines = subprocess.all ? createInterface({ input: subprocess.all, crlfDelay: Infinity }) : undefined;
  const reading = (async () => {
    if (!lines) return;
    for await (const text of lines) {
      log.write(`${text}\n`);
      const shownLine = pick(text);
      if (shownLine !== undefined) run.report(shownLine);
    }
  })();
  const result = await subprocess;
  await reading;
  const status = result.failed ? `# failed: ${result.shortMessage ?? 'unknown error'}\n` : '# exit 0\n';
  log.write(status);
  await closeLog(log);
  if (result.failed) {
    throw stepFailure({
      tool: toolOf(command),
      title: run.title,
      logPath: shown(logPath),
      commandLine: line,
      exitCode: result.exitCode,
      signal: result.signal,
      spawnCode: (result as { code?: string }).code,
      absoluteLogPath: logPath,
    });
  }
}

export interface Captured {
  ok: boolean;
  exitCode?: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved, trimmed. */
  all: string;
}

/** What capture and captureSync pass to execa: output kept, no stdin, a non-zero exit not thrown. */
const captureOptions = (command: Command) =>
  ({ cwd: command.cwd, env: command.env, extendEnv: true, stdin: 'ignore', all: true, reject: false }) as const;

interface RawResult {
  exitCode?: number;
  stdout?: unknown;
  stderr?: unknown;
  all?: unknown;
}

function captured(result: RawResult, command: Command, title: string | undefined): Captured {
  const spawnCode = (result as { code?: string }).code;
  if (spawnCode === 'ENOENT' || spawnCode === 'EACCES') {
    throw missingProgram(toolOf(command), commandLine(command), title ?? commandLine(command));
  }
  return {
    ok: result.exitCode === 0,
    exitCode: result.exitCode,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    all: String(result.all ?? '').trim(),
  };
}

/**
 * Runs a command and hands back its output (no log file, no task output). A non-zero exit is the
 * caller's to judge (`ok: false`); a program that cannot be started throws a StepError that names
 * it and says how to install it.
 */
export async function capture(command: Command, options: { title?: string } = {}): Promise<Captured> {
  return captured(await execa(command.file, command.args, captureOptions(command)), command, options.title);
}

/** capture for the few callers that cannot wait (gcc -print-file-name, building a helper library). */
export function captureSync(command: Command, options: { title?: string } = {}): Captured {
  return captured(execaSync(command.file, command.args, captureOptions(command)), command, options.title);
}

/**
 * Progress of `cmake --build`: "[ 42%] Building CXX object ..." lines (Makefiles), "[12/40] ..." (Ninja).
 * Make prints some steps without a percentage; those get the latest one seen.
 */
export function cmakeProgress(): (line: string) => string | undefined {
  let percent = '[  0%]';
  return (line) => {
    const marked = /^(\[\s*\d+%\]|\[\d+\/\d+\])\s*(.*)$/.exec(line);
    if (marked) {
      percent = marked[1];
      return line;
    }
    return /^(Building|Linking|Built target)/.test(line) ? `${percent} ${line}` : undefined;
  };
}

/** "3/7 Test #3: queue_test ....   Passed  0.12 sec" lines from ctest. */
export const ctestProgress = (line: string): string | undefined =>
  /^\s*\d+\/\d+ Test\s+#\d+:/.test(line) ? line.trim().replace(/\s*\.{3,}\s*/, ' … ') : undefined;

/** Result lines of node --test's spec reporter ("✔ name (3ms)", "✖ name") and its final counts. */
export const nodeTestProgress = (line: string): string | undefined =>
  /^\s*[✔✖]/.test(line) || /^ℹ (tests|pass|fail) \d+/.test(line) ? line.trim() : undefined;
