// SPDX-License-Identifier: MIT
// Looks up programs and files on this machine (no subprocesses).
import { accessSync, constants, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The first of `names` found on PATH, as an absolute path. */
export function which(names: string[], envPath = process.env.PATH ?? ''): string | undefined {
  for (const name of names) {
    for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
      const candidate = path.join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

export function firstExisting(files: string[]): string | undefined {
  return files.find((f) => existsSync(f));
}

export function cpuCount(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

/** clang for the TSan build (gcc's TSan runtime is less reliable): versioned Debian names first. */
export function clangPair(): { cc: string; cxx: string } | undefined {
  for (const suffix of ['-14', '-15', '-16', '']) {
    const cc = which([`clang${suffix}`]);
    const cxx = which([`clang++${suffix}`]);
    if (cc && cxx) return { cc, cxx };
  }
  return undefined;
}

/**
 * The prefix holding this Node's headers (<prefix>/include/node/node.h), so node-gyp builds
 * offline instead of downloading headers from nodejs.org.
 */
export function nodeHeadersPrefix(execPath = process.execPath): string | undefined {
  const prefix = path.resolve(path.dirname(execPath), '..');
  return existsSync(path.join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}
