// SPDX-License-Identifier: MIT
// Per-step log files under build/logs/<step>.log: the full output of the step's commands.
import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import path from 'node:path';

export function logPathFor(logDir: string, step: string): string {
  return path.join(logDir, `${step}.log`);
}

/** Starts (truncates) a step's log file. */
export function openLog(logPath: string): WriteStream {
  mkdirSync(path.dirname(logPath), { recursive: true });
  return createWriteStream(logPath, { flags: 'w' });
}

/** Appends to a log already started by an earlier command of the same step. */
export function appendLog(logPath: string): WriteStream {
  mkdirSync(path.dirname(logPath), { recursive: true });
  return createWriteStream(logPath, { flags: 'a' });
}

export function closeLog(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => stream.end(resolve));
}

/** The last `count` non-empty lines of a log, or [] when it cannot be read. */
export function tailOf(logPath: string, count = 20): string[] {
  try {
    const lines = readFileSync(logPath, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !/^# (cwd|failed|exit)\b/.test(line));
    return lines.slice(-count);
  } catch {
    return [];
  }
}
