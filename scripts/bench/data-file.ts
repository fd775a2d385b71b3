// SPDX-License-Identifier: MIT
// The benchmark's data file: created once with random content, then read once so it sits in the
// page cache (the benchmark measures the runtime, not the disk).
import { closeSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

const CHUNK = 16 << 20;

export function ensureDataFile(file: string, size: number, log: (line: string) => void): void {
  let current = -1;
  try {
    current = statSync(file).size;
  } catch {
    /* missing */
  }
  if (current === size) return;
  log(`creating ${file} (${size} bytes of random data)`);
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'w');
  try {
    const block = randomBytes(CHUNK);
    for (let written = 0; written < size; ) {
      const n = Math.min(CHUNK, size - written);
      // Rotate the block so no two chunks are identical (keeps any dedup or compression honest).
      block.writeUInt32LE(written >>> 0, 0);
      written += writeSync(fd, block, 0, n, written);
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads the whole file once; returns the GB/s of that (cached or not) pass. */
export function warmPageCache(file: string): number {
  const fd = openSync(file, 'r');
  const buffer = Buffer.allocUnsafe(CHUNK);
  const t0 = process.hrtime.bigint();
  let total = 0;
  try {
    for (let n; (n = readSync(fd, buffer, 0, CHUNK, total)) > 0; ) total += n;
  } finally {
    closeSync(fd);
  }
  return total / (Number(process.hrtime.bigint() - t0) / 1e9) / 1e9;
}
