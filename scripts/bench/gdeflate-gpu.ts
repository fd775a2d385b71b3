// SPDX-License-Identifier: MIT
// GDeflate file -> GPU buffer against uncompressed reads of the same decoded size, in the same
// run: through the default device (transfer-only queue: the backend decodes on the CPU into
// staging) and through a compute-queue device (VK_NV_memory_decompression when present).
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { DsRuntime, RunReadsOptions, VulkanDevice } from '../../runtime/node/lib/ds_runtime.ts';
import { table } from './report.ts';

export interface GdeflateGpuRow {
  path: string;
  data: 'gdeflate' | 'uncompressed';
  gbps: number;            ///< decoded (destination) bytes per second
  compressedGbps: number;  ///< bytes read from the file per second
  requests: number;
  errors: number;
  gpuDecodes: number;
  cpuDecodes: number;
}

interface Setup {
  ds: DsRuntime;
  dataFile: string;        ///< the benchmark's (uncompressed) data file, at least `uncompressed` bytes
  dataFileSize: number;
  outDir: string;
  uncompressed: number;    ///< bytes one request decodes to
  requests: number;
}

/** Writes `copies` back-to-back copies of one stream; returns the stream's size. */
function writeCompressedFile(ds: DsRuntime, file: string, uncompressed: number, copies: number): number {
  const stream = ds.gdeflateEncode(ds.gdeflateSampleData(uncompressed));
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'w');
  try {
    for (let i = 0; i < copies; ++i) writeSync(fd, stream);
  } finally {
    closeSync(fd);
  }
  readFileSync(file);  // into the page cache
  return stream.length;
}

async function run(ds: DsRuntime, device: VulkanDevice, label: string, file: string, opts: Omit<RunReadsOptions, 'fd' | 'gpuBuffer'>,
  bufferSize: number, data: GdeflateGpuRow['data'], compressedPerRequest: number): Promise<GdeflateGpuRow> {
  const backend = device.backend();
  const queue = new ds.Queue(backend, { capacity: 256 });
  const buffer = device.createBuffer(bufferSize);
  const fd = openSync(file, 'r');
  try {
    const before = backend.stats();
    const r = await queue.runReads({ ...opts, fd, gpuBuffer: buffer, gpuBufferSize: bufferSize });
    const after = backend.stats();
    return {
      path: label, data,
      gbps: r.bytes / 1e9 / r.seconds,
      compressedGbps: (r.requests * compressedPerRequest) / 1e9 / r.seconds,
      requests: r.requests, errors: r.errors,
      gpuDecodes: after.gdeflateGpuDecodes - before.gdeflateGpuDecodes,
      cpuDecodes: after.gdeflateCpuDecodes - before.gdeflateCpuDecodes,
    };
  } finally {
    closeSync(fd);
    await queue.close();
    device.destroyBuffer(buffer);
  }
}

export async function measureGdeflateToGpu(s: Setup, devices: { device: VulkanDevice; label: string }[]): Promise<GdeflateGpuRow[]> {
  const copies = 16;
  const file = path.join(s.outDir, 'gdeflate.bin');
  const compressed = writeCompressedFile(s.ds, file, s.uncompressed, copies);
  const bufferSize = s.uncompressed * 16;
  const rows: GdeflateGpuRow[] = [];
  for (const { device, label } of devices) {
    const common = { size: compressed, count: s.requests, stride: compressed, span: compressed * copies, dst: 'gpu' as const, layout: 'sequential' as const };
    rows.push(await run(s.ds, device, label, file, { ...common, compression: 'gdeflate', uncompressedSize: s.uncompressed }, bufferSize, 'gdeflate', compressed));
    const plainSpan = Math.floor(s.dataFileSize / s.uncompressed) * s.uncompressed;
    rows.push(await run(s.ds, device, label, s.dataFile,
      { size: s.uncompressed, count: s.requests, span: plainSpan, dst: 'gpu', layout: 'sequential' }, bufferSize, 'uncompressed', s.uncompressed));
  }
  return rows;
}

export function formatGdeflateToGpu(rows: GdeflateGpuRow[], uncompressed: number): string {
  const mib = (uncompressed / (1024 * 1024)).toFixed(0);
  return `\n== file -> GPU buffer, ${mib} MiB per request: GDeflate against uncompressed ==\n` +
    table([
      ['device queue / decode', 'data', 'GB/s decoded', 'GB/s read', 'gpu decodes', 'cpu decodes', 'errors'],
      ...rows.map((r) => [r.path, r.data, r.gbps.toFixed(2), r.compressedGbps.toFixed(2), String(r.gpuDecodes), String(r.cpuDecodes), String(r.errors)]),
    ]);
}
