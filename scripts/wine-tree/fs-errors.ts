// SPDX-License-Identifier: MIT
// File-system failures in a Wine tree as WineTreeErrors: the operation, the path, the errno the kernel
// gave (EROFS, EACCES, ENOSPC, ...) and what to do, instead of Node's stack trace. Also the check that
// a tree is writable before anything in it changes.
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { WineTreeError } from './messages.ts';

const MEANING: Record<string, string> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOENT: 'no such file or directory',
  EIO: 'input/output error',
};

const FIX: Record<string, (path: string) => string> = {
  EROFS: (p) =>
    `the file system holding ${p} is mounted read-only: copy the tree to a writable place (cp -a) or remount it read-write, then run the command again`,
  EACCES: (p) =>
    `this user may not write ${p}: run as the tree's owner, or give yourself write access (chmod -R u+w on the tree), then run the command again`,
  EPERM: (p) =>
    `this user may not change ${p} (owner or immutable flag): run as the tree's owner, or copy the tree, then run the command again`,
  ENOSPC: () => 'free some space on that file system, then run the command again',
  EDQUOT: () => 'free some space within your quota, then run the command again',
};

export const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/**
 * A WineTreeError for a failed file operation. `doing` says what was being done ("write <path>");
 * `fallbackFix` is used for errnos without a specific fix. Errors that are not errno errors pass through.
 */
export function fsFailure(error: unknown, doing: string, fallbackFix: string, after = ''): Error {
  const code = errnoOf(error);
  if (!code || error instanceof WineTreeError) return error as Error;
  const path = (error as NodeJS.ErrnoException).path ?? doing;
  const fix = FIX[code]?.(path) ?? fallbackFix;
  return new WineTreeError(
    `cannot ${doing}: ${code} (${MEANING[code] ?? (error as Error).message})${after ? `; ${after}` : ''}`,
    fix,
  );
}

/** The nearest path that exists: where a new file's write permission is decided. */
function existingAncestor(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/**
 * Throws a WineTreeError (with the errno) unless every path can be written: existing files themselves,
 * new ones through the nearest existing directory. access(2) reports EROFS for read-only mounts and
 * EACCES for permissions, which is what a write would get. Relative paths are taken under `tree`.
 */
export function requireWritable(tree: string, paths: string[], what: string): void {
  for (const rel of ['.', ...paths]) {
    const target = existingAncestor(join(tree, rel));
    try {
      accessSync(target, constants.W_OK);
    } catch (error) {
      throw fsFailure(
        error,
        `write ${target} (${what})`,
        `make ${tree} writable, then run the command again`,
        'nothing was changed',
      );
    }
  }
}
