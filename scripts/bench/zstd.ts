// SPDX-License-Identifier: MIT
// Zstandard rows of `ds-kit bench` (DirectStorage 1.4): the CPU decoder's GB/s on one thread and on
// all of them (1 MiB frames, as requests would carry them) against the single-thread memcpy
// ceiling of the same run, and page-cached file -> GPU buffer through the Vulkan backend (decoded
// on its readers) against uncompressed reads of the same decoded size and the copy ceiling.
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { DsRuntime, RunReadsOptions, VulkanDevice, ZstdThroughput } from '../../runtime/node/lib/ds_runtime.ts';
import type { Ceilings } from './ceilings.ts';
import { table } from './report.ts';

/** The CPU rows: the benchmark's half-compressible sample data, cut into 1 MiB frames. */
export function measureZstdCpu(ds: DsRuntime, size: number): ZstdThroughput {
  return ds.zstdThroughput(ds.gdeflateSampleData(size), { chunkSize: 1 << 20, threads: [1, 0] });
}

export function formatZstdCpu(z: ZstdThroughput, c: Ceilings): string {
  const pct = (gbps: number) => `${((gbps / c.memcpyGbps) * 100).toFixed(0)}%`;
  return (
    `\n== zstd (CPU decode, libzstd, level 3, ${z.chunks} frames of 1 MiB, half-compressible data) ==\n` +
    table([
      ['operation', 'threads', 'GB/s (decoded)', 'GB/s per thread', 'of 1-thread memcpy'],
      ['encode', '1', z.encodeGbps.toFixed(2), z.encodeGbps.toFixed(2), pct(z.encodeGbps)],
      ...z.decode.map((d) => [
        'decode',
        String(d.threads),
        d.gbps.toFixed(2),
        (d.gbps / d.threads).toFixed(2),
        pct(d.gbps),
      ]),
    ]) +
    `\n  compression ratio ${z.ratio.toFixed(2)}:1; memcpy ceiling ${c.memcpyGbps.toFixed(1)} GB/s (one thread)`
  );
}

export interface ZstdGpuRow {
  data: 'zstd' | 'uncompressed';
  gbps: number; ///< decoded (destination) bytes per second
  readGbps: number; ///< bytes read from the file per second
  cpuSecondsPerGb: number; ///< CPU time of the whole process per decoded GB
  requests: number;
  errors: number;
}

interface Setup {
  ds: DsRuntime;
  device: VulkanDevice;
  dataFile: string; ///< the benchmark's (uncompressed) data file
  dataFileSize: number;
  outDir: string;
  uncompressed: number; ///< bytes one request decodes to
  requests: number;
}

const copies = 16; // distinct stream copies the reads cycle through

async function run(s: Setup, file: string, reads: Omit<RunReadsOptions, 'fd'>, perRequestRead: number) {
  const backend = s.device.backend();
  const queue = new s.ds.Queue(backend, { capacity: 256 });
  const bufferSize = s.uncompressed * 16;
  const buffer = s.device.createBuffer(bufferSize);
  const fd = openSync(file, 'r');
  try {
    const common = { ...reads, fd, dst: 'gpu' as const, gpuBuffer: buffer, gpuBufferSize: bufferSize };
    await queue.runReads({ ...common, count: Math.min(Number(reads.count), 4) }); // warm-up
    const r = await queue.runReads(common);
    return {
      gbps: r.bytes / 1e9 / r.seconds,
      readGbps: (r.requests * perRequestRead) / 1e9 / r.seconds,
      cpuSecondsPerGb: r.bytes > 0 ? r.cpuSeconds / (r.bytes / 1e9) : 0,
      requests: r.requests,
      errors: r.errors,
    };
  } finally {
    closeSync(fd);
    await queue.close();
    s.device.destroyBuffer(buffer);
  }
}

/** Page-cached file -> GPU buffer: Zstandard (decoded on the readers), then uncompressed. */
export async function measureZstdToGpu(s: Setup): Promise<ZstdGpuRow[]> {
  const stream = s.ds.zstdEncode(s.ds.gdeflateSampleData(s.uncompressed));
  const file = path.join(s.outDir, 'zstd.bin');
  mkdirSync(path.dirname(file), { recursive: true });
  const out = openSync(file, 'w');
  try {
    for (let i = 0; i < copies; ++i) writeSync(out, stream);
  } finally {
    closeSync(out);
  }
  readFileSync(file); // into the page cache
  const zstd = await run(
    s,
    file,
    {
      size: stream.length,
      count: s.requests,
      stride: stream.length,
      span: stream.length * copies,
      layout: 'sequential',
      compression: 'zstd',
      uncompressedSize: s.uncompressed,
    },
    stream.length,
  );
  const plainSpan = Math.floor(s.dataFileSize / s.uncompressed) * s.uncompressed;
  const plain = await run(
    s,
    s.dataFile,
    { size: s.uncompressed, count: s.requests, span: plainSpan, layout: 'sequential' },
    s.uncompressed,
  );
  return [
    { data: 'zstd', ...zstd },
    { data: 'uncompressed', ...plain },
  ];
}

export function formatZstdToGpu(rows: ZstdGpuRow[], uncompressed: number, c: Ceilings): string {
  const mib = (uncompressed / (1024 * 1024)).toFixed(0);
  const plain = rows.find((r) => r.data === 'uncompressed');
  const ofPlain = (r: ZstdGpuRow) => (plain && plain.gbps > 0 ? `${((r.gbps / plain.gbps) * 100).toFixed(0)}%` : '-');
  const ofCopy = (r: ZstdGpuRow) =>
    c.copyOneRegionGbps ? `${((r.gbps / c.copyOneRegionGbps) * 100).toFixed(0)}%` : '-';
  return (
    `\n== file -> GPU buffer, ${mib} MiB per request: Zstandard (CPU decode on the readers) against uncompressed ==\n` +
    table([
      ['data', 'GB/s decoded', 'GB/s read', 'CPU-s/GB', 'of uncompressed', 'of copy ceiling', 'requests', 'errors'],
      ...rows.map((r) => [
        r.data,
        r.gbps.toFixed(2),
        r.readGbps.toFixed(2),
        r.cpuSecondsPerGb.toFixed(2),
        ofPlain(r),
        ofCopy(r),
        String(r.requests),
        String(r.errors),
      ]),
    ])
  );
}
