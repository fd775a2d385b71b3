// SPDX-License-Identifier: MIT
// One module build at a time per staging directory: test files that build the module run in parallel
// on machines with many cores, and two ninja runs in one build directory corrupt each other.
// The lock is a directory (mkdir is atomic) holding the owner's pid; a dead owner's lock is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const held = new Set<string>();
process.on('exit', () => {
  for (const dir of held) rmSync(dir, { recursive: true, force: true });
});

function ownerAlive(dir: string): boolean {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(join(dir, 'pid'), 'utf8'), 10);
  } catch {
    return false; // being created or being removed: look again
  }
  if (!pid || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits until this process holds `<target>.lock`; gives up after `timeoutMs` with an error naming the holder. */
export async function acquireBuildLock(target: string, timeoutMs = 30 * 60_000): Promise<void> {
  const dir = `${target}.lock`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir, { recursive: false });
      writeFileSync(join(dir, 'pid'), String(process.pid));
      held.add(dir);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') mkdirSync(join(dir, '..'), { recursive: true });
      else if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (!ownerAlive(dir)) {
      await sleep(100); // a lock seen between mkdir and its pid file gets a moment
      if (!ownerAlive(dir)) rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `another build of ${target} (pid ${readFileSync(join(dir, 'pid'), 'utf8')}) has held ${dir} for ${timeoutMs / 60_000} minutes; ` +
          `wait for it, or remove ${dir} if that process is gone`,
      );
    }
    await sleep(250);
  }
}

export function releaseBuildLock(target: string): void {
  const dir = `${target}.lock`;
  if (held.delete(dir)) rmSync(dir, { recursive: true, force: true });
}
