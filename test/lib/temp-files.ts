// SPDX-License-Identifier: MIT
// Temporary directories and files of random content for the runtime tests.
import { mkdtempSync, openSync, closeSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TempDir {
  path: string;
  /** A file of `size` random bytes; its content is returned for comparison. */
  randomFile(name: string, size: number): { path: string; data: Buffer };
  /** An empty file (for writes). */
  emptyFile(name: string): string;
  /** Opens a file and remembers the fd so remove() closes it. */
  open(file: string, flags: 'r' | 'r+' | 'w+'): number;
  remove(): void;
}

export function makeTempDir(prefix = 'ds-runtime-test-'): TempDir {
  const dir = mkdtempSync(path.join(process.env.DS_TEST_TMPDIR ?? tmpdir(), prefix));
  const fds: number[] = [];
  return {
    path: dir,
    randomFile(name, size) {
      const file = path.join(dir, name);
      const data = randomBytes(size);
      writeFileSync(file, data);
      return { path: file, data };
    },
    emptyFile(name) {
      const file = path.join(dir, name);
      writeFileSync(file, Buffer.alloc(0));
      return file;
    },
    open(file, flags) {
      const fd = openSync(file, flags);
      fds.push(fd);
      return fd;
    },
    remove() {
      for (const fd of fds.splice(0)) {
        try {
          closeSync(fd);
        } catch {
          /* already closed by the test */
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const readBack = (file: string): Buffer => readFileSync(file);

/** The first differing index of two buffers (-1 when equal), for messages better than a diff dump. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** Asserts byte equality with a message naming the first difference and what it was checking. */
export function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  const at = firstDifference(actual, expected);
  if (at !== -1) {
    throw new Error(
      `${what}: bytes differ at index ${at} of ${expected.length} (expected ${expected[at]}, got ${actual[at]}; ` +
        `lengths ${expected.length} vs ${actual.length})`,
    );
  }
}
