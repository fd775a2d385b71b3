// SPDX-License-Identifier: MIT
// Cold-cache rows: the same reads through a file descriptor opened with O_DIRECT, so every byte
// comes from the disk (the page cache is bypassed, whatever it holds), next to a plain O_DIRECT
// pread loop on one thread per CPU: the disk's own speed and CPU cost, measured in the same run.
import { closeSync, constants, openSync } from 'node:fs';
import type { DsRuntime, PreadCeiling } from '../../runtime/node/lib/ds_runtime.ts';
import { measurePreadCeilings } from './ceilings.ts';
import { measure, type Measurement, type Target } from './measure.ts';
import { formatBytes } from './options.ts';
import { table } from './report.ts';

export interface ColdRows {
  /** why no cold rows were measured (the filesystem refused O_DIRECT, ...) */
  skipped?: string;
  preadLoops: Record<number, PreadCeiling>;
  rows: Measurement[];
}

/** O_DIRECT needs aligned offsets and sizes: the bench's request sizes are multiples of 4 KiB. */
export function openDirect(file: string): number | string {
  try {
    return openSync(file, constants.O_RDONLY | constants.O_DIRECT);
  } catch (e) {
    return `O_DIRECT open of ${file} failed (${(e as Error).message}): put --file on a disk filesystem (not tmpfs)`;
  }
}

export async function measureCold(
  ds: DsRuntime,
  targets: Target[],
  file: string,
  fileSize: number,
  sizes: number[],
  bytes: number,
  capacity: number,
): Promise<ColdRows> {
  const fd = openDirect(file);
  if (typeof fd === 'string') return { skipped: fd, preadLoops: {}, rows: [] };
  try {
    const aligned = sizes.filter((s) => s % 4096 === 0);
    const preadLoops = measurePreadCeilings(ds, fd, fileSize, aligned, bytes, capacity);
    const rows: Measurement[] = [];
    for (const target of targets)
      for (const size of aligned)
        rows.push({
          ...(await measure(ds, target, fd, fileSize, size, bytes, capacity)),
          backend: `${target.name} cold`,
        });
    return { preadLoops, rows };
  } finally {
    closeSync(fd);
  }
}

export function formatCold(c: ColdRows): string {
  if (c.skipped) return `\n== cold cache (O_DIRECT) ==\nskipped: ${c.skipped}`;
  const header = ['backend', 'request', 'GB/s', 'requests/s', 'CPU-s/GB', 'of O_DIRECT pread loop', 'errors'];
  const body = c.rows.map((m) => [
    m.backend,
    `${formatBytes(m.requestSize)} -> ${m.destination}`,
    m.gbps.toFixed(2),
    Math.round(m.requestsPerSecond).toLocaleString('en-US'),
    m.cpuSecondsPerGB.toFixed(3),
    c.preadLoops[m.requestSize] ? `${((m.gbps / c.preadLoops[m.requestSize].gbps) * 100).toFixed(0)}%` : '-',
    String(m.errors),
  ]);
  const loops = Object.entries(c.preadLoops).map(
    ([size, p]) =>
      `  O_DIRECT pread loop, ${p.threads} threads, ${formatBytes(Number(size))}: ${p.gbps.toFixed(2)} GB/s, ` +
      `${p.cpuSecondsPerGB.toFixed(3)} CPU-s/GB`,
  );
  return `\n== cold cache (O_DIRECT: every byte from the disk) ==\n${table([header, ...body])}\n${loops.join('\n')}`;
}
