// SPDX-License-Identifier: MIT
// Runs one command for a task: output goes to the step's log file, the latest interesting line
// becomes the task's output, and a failure becomes a StepError naming the step and the log.
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { appendLog, closeLog, logPathFor, openLog } from './log.ts';
import { stepFailure } from './errors.ts';
import { shown } from './paths.ts';

export type Tool = 'cmake' | 'ctest' | 'node-gyp' | 'node-test' | 'node' | 'fuzz';

export interface Command {
  tool: Tool;
  file: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string | undefined>;
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
  const pick = run.verbose ? every : run.progress ?? every;
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
  const status = result.failed
    ? `# failed: ${result.shortMessage ?? 'unknown error'}\n`
    : '# exit 0\n';
  log.write(status);
  await closeLog(log);
  if (result.failed) {
    throw stepFailure({
      tool: command.tool,
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
