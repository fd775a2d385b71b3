// SPDX-License-Identifier: MIT
// Runs the real wine-tree CLI (scripts/wine-tree/main.ts) as a process of its own: to the end (optionally
// wrapped: in a mount namespace with a read-only tree, as another user), or killed with SIGKILL, whole
// process group, at a moment chosen by watching it: when a given child process (git apply, autoreconf)
// shows up in /proc, optionally after a random delay, or at the first change in a directory. Nothing in
// the CLI is replaced or slowed down; the watching only picks the moment of a real kill -9.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, watch } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../scripts/lib/paths.ts';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

const MAIN = join(repoRoot, 'scripts', 'wine-tree', 'main.ts');

/** `wrap` goes before node: e.g. ['setpriv', '--reuid=65534', ...] or an unshare + mount shell. */
export function spawnCli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  wrap: string[] = [],
): { child: ChildProcess; done: Promise<CliResult> } {
  const command = [...wrap, process.execPath, '--import', 'tsx', MAIN, ...args];
  const child = spawn(command[0], command.slice(1), {
    cwd: repoRoot,
    env: { ...env, NODE_TEST_CONTEXT: undefined, DS_KIT_RENDERER: 'simple' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, output })),
  );
  return { child, done };
}

/** Runs the CLI to the end. */
export const runCli = (args: string[], env?: NodeJS.ProcessEnv, wrap?: string[]): Promise<CliResult> =>
  spawnCli(args, env, wrap).done;

/** Runs with `dir` bind-mounted read-only over itself in a private mount namespace (needs root): a real EROFS. */
export const readOnly = (dir: string): string[] => [
  'unshare',
  '--mount',
  '--propagation',
  'private',
  'sh',
  '-ec',
  'mount --bind -o ro "$0" "$0"; exec "$@"',
  dir,
];

/** Runs with `dir` (e.g. /usr/share/misc) hidden under an empty tmpfs in a private mount namespace (needs root). */
export const hidden = (dir: string): string[] => [
  'unshare',
  '--mount',
  '--propagation',
  'private',
  'sh',
  '-ec',
  'mount -t tmpfs none "$0"; exec "$@"',
  dir,
];

/** Runs as the unprivileged user nobody (from root), for a real EACCES. */
export const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];

/** Command lines of every descendant of pid (through /proc/<pid>/task/<tid>/children). */
export function descendants(pid: number): string[] {
  const out: string[] = [];
  const walk = (p: number): void => {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const t of tasks) {
      let kids: string;
      try {
        kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const k of kids.trim().split(/\s+/).filter(Boolean).map(Number)) {
        try {
          out.push(readFileSync(`/proc/${k}/cmdline`, 'utf8').split('\0').join(' ').trim());
        } catch {
          /* gone */
        }
        walk(k);
      }
    }
  };
  walk(pid);
  return out;
}

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

export interface KillPlan {
  /** A descendant whose command line matches this marks the moment. */
  when: RegExp;
  /** Kill this many milliseconds after the match (0: at once). */
  delayMs?: number;
  /** Give up after this long (the CLI then runs to its end). */
  timeoutMs?: number;
}

/**
 * Starts the CLI and SIGKILLs its process group once `plan.when` matches a descendant, after the delay
 * if one is given. Resolves with what happened: killed or not, what matched, and the CLI's output.
 * The poll is synchronous (sub-millisecond) so that short steps such as git apply can be caught.
 */
export async function killDuring(
  args: string[],
  plan: KillPlan,
): Promise<{ killed: boolean; seen?: string; result: CliResult }> {
  const { child, done } = spawnCli(args);
  let exited = false;
  void done.then(() => {
    exited = true;
  });
  const pid = child.pid as number;
  const deadline = Date.now() + (plan.timeoutMs ?? 300_000);
  let seen: string | undefined;
  // Let the event loop run between bursts of polling so that `close` is noticed.
  while (!exited && !seen && Date.now() < deadline) {
    const burstEnd = Date.now() + 50;
    while (!seen && Date.now() < burstEnd) seen = descendants(pid).find((c) => plan.when.test(c));
    if (!seen) await new Promise((r) => setImmediate(r));
  }
  if (seen) {
    if (plan.delayMs) sleepSync(plan.delayMs);
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* ended already */
    }
  }
  const result = await done;
  return { killed: result.signal === 'SIGKILL', seen, result };
}

/** Starts the CLI and SIGKILLs its process group at the first change fs.watch reports in `dir`. */
export async function killOnChange(args: string[], dir: string): Promise<{ killed: boolean; result: CliResult }> {
  const { child, done } = spawnCli(args);
  const watcher = watch(dir, () => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      /* ended already */
    }
  });
  const result = await done;
  watcher.close();
  return { killed: result.signal === 'SIGKILL', result };
}
