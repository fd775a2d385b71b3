// SPDX-License-Identifier: MIT
// GDeflate into GPU buffers through the Vulkan backend, one row per decode path in the same run:
// the CPU decoder on the readers, VK_NV_memory_decompression (where the device has it) and the
// runtime's compute shader. Two tables: "GPU decode" (the stream comes from memory, so the rows
// measure decoding plus the copies around it) and "file -> GPU buffer" (page-cached file, against
// uncompressed reads of the same decoded size).
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type {
  DsRuntime,
  RunReadsOptions,
  VulkanBackendOptions,
  VulkanDevice,
} from '../../runtime/node/lib/ds_runtime.ts';
import { table } from './report.ts';

export type GdeflatePath =
  | 'cpu'
  | 'nv'
  | 'nv-staging'
  | 'nv-256'
  | 'shader'
  | 'shader-shared-sums'
  | 'shader-staging-input'
  | 'shader-scratch-copies'
  | 'shader-scratch-copies-staging-input'
  | 'shader-256';

/** A decode path and how to get it: which device (queue) and which backend switches. */
export interface GdeflatePathSetup {
  path: GdeflatePath;
  label: string;
  device: VulkanDevice;
  options: VulkanBackendOptions;
}

export interface GdeflateGpuRow {
  path: string; ///< the setup's label ('uncompressed' rows: the device's queue)
  data: 'gdeflate' | 'gdeflate text' | 'uncompressed';
  /** which decoder completed the reads, from the backend's counters ('-' for uncompressed) */
  decodedBy: string;
  gbps: number; ///< decoded (destination) bytes per second
  /** the shader's decoded bytes per second of GPU time in its batches (timestamps); 0: not measured */
  shaderBusyGbps: number;
  compressedGbps: number; ///< bytes read from the file (or memory) per second
  requests: number;
  errors: number;
  gpuDecodes: number; ///< VK_NV_memory_decompression
  shaderDecodes: number;
  cpuDecodes: number;
}

interface Setup {
  ds: DsRuntime;
  dataFile: string; ///< the benchmark's (uncompressed) data file, at least `uncompressed` bytes
  dataFileSize: number;
  outDir: string;
  uncompressed: number; ///< bytes one request decodes to
  requests: number;
}

const copies = 16; // distinct stream copies the reads cycle through

/**
 * The paths this machine can run. `compute` is a device on a compute queue (the NV path and
 * the shader need one); without it only the CPU path runs.
 */
export function gdeflatePaths(device: VulkanDevice, compute: VulkanDevice | undefined): GdeflatePathSetup[] {
  const paths: GdeflatePathSetup[] = [
    {
      path: 'cpu',
      label: 'CPU decode (readers)',
      device,
      options: { nvMemoryDecompression: false, shaderDecompression: false },
    },
  ];
  if (compute?.memoryDecompression) {
    paths.push({
      path: 'nv',
      label: 'VK_NV_memory_decompression',
      device: compute,
      options: { shaderDecompression: false },
    });
    // The same with the compressed streams read across the bus from staging.
    paths.push({
      path: 'nv-staging',
      label: 'VK_NV_memory_decompression, input in staging',
      device: compute,
      options: { shaderDecompression: false, nvInputInDeviceMemory: false },
    });
    // Batches of 256 MiB instead of flushBytes' 64 MiB: more tiles per vkCmdDecompressMemoryNV.
    paths.push({
      path: 'nv-256',
      label: 'VK_NV_memory_decompression, 256 MiB batches',
      device: compute,
      options: { shaderDecompression: false, flushBytes: 256 << 20 },
    });
  }
  if (compute) {
    paths.push({ path: 'shader', label: 'compute shader', device: compute, options: { nvMemoryDecompression: false } });
    // The variant for devices without subgroup arithmetic: each round summed in shared memory.
    paths.push({
      path: 'shader-shared-sums',
      label: 'compute shader, sums in shared memory',
      device: compute,
      options: { nvMemoryDecompression: false, shaderSubgroupScan: false },
    });
    // The streams read from host staging across the bus instead of from a device-local copy.
    paths.push({
      path: 'shader-staging-input',
      label: 'compute shader, input in staging',
      device: compute,
      options: { nvMemoryDecompression: false, shaderInputInDeviceMemory: false },
    });
    // The variant with bindings (devices without shader copies): decoded into scratch, then
    // vkCmdCopyBuffer to the destination after a barrier; the streams copied to device memory by
    // vkCmdCopyBuffer, or read from staging (session 10's default).
    paths.push({
      path: 'shader-scratch-copies',
      label: 'compute shader, copied from scratch',
      device: compute,
      options: { nvMemoryDecompression: false, shaderDirectOutput: false },
    });
    paths.push({
      path: 'shader-scratch-copies-staging-input',
      label: 'compute shader, copied from scratch, input in staging',
      device: compute,
      options: { nvMemoryDecompression: false, shaderDirectOutput: false, shaderInputInDeviceMemory: false },
    });
    // Batches and scratch of 256 MiB instead of 64 MiB each: more tiles per batch in flight.
    paths.push({
      path: 'shader-256',
      label: 'compute shader, 256 MiB batches and scratch',
      device: compute,
      options: { nvMemoryDecompression: false, flushBytes: 256 << 20, shaderScratchBytes: 256 << 20 },
    });
  }
  return paths;
}

function decodedBy(d: { gpuDecodes: number; shaderDecodes: number; cpuDecodes: number }): string {
  const parts = [
    ['nv', d.gpuDecodes],
    ['shader', d.shaderDecodes],
    ['cpu', d.cpuDecodes],
  ].filter(([, n]) => Number(n) > 0);
  return parts.length === 0 ? '-' : parts.map(([name, n]) => (parts.length === 1 ? name : `${name} ${n}`)).join(', ');
}

/** One stream of the benchmark's half-compressible sample data (or of its text-like data). */
function sampleStream(ds: DsRuntime, uncompressed: number, kind: 'mixed' | 'text' = 'mixed'): Buffer {
  return ds.gdeflateEncode(ds.gdeflateSampleData(uncompressed, kind));
}

/** Writes `copies` back-to-back copies of `stream`, then reads the file into the page cache. */
function writeCompressedFile(file: string, stream: Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'w');
  try {
    for (let i = 0; i < copies; ++i) writeSync(fd, stream);
  } finally {
    closeSync(fd);
  }
  readFileSync(file);
}

/** Where the reads come from: a page-cached file, or memory (runReads copies it once). */
type Source = { file: string } | { memory: Buffer };

async function run(
  ds: DsRuntime,
  device: VulkanDevice,
  options: VulkanBackendOptions,
  label: string,
  source: Source,
  reads: Omit<RunReadsOptions, 'source' | 'fd' | 'src'>,
  data: GdeflateGpuRow['data'],
  compressedPerRequest: number,
  bufferSize: number,
): Promise<GdeflateGpuRow> {
  const backend = device.backend(options);
  const queue = new ds.Queue(backend, { capacity: 256 });
  const buffer = device.createBuffer(bufferSize);
  const fd = 'file' in source ? openSync(source.file, 'r') : undefined;
  try {
    const from = 'file' in source ? { fd } : { source: 'memory' as const, src: source.memory };
    // Warm-up, not measured: the shader path builds its pipeline on first use (a driver compile
    // that would otherwise land in the first row that uses it) and every path faults in staging.
    await queue.runReads({
      ...reads,
      ...from,
      count: Math.min(Number(reads.count), 4),
      gpuBuffer: buffer,
      gpuBufferSize: bufferSize,
    });
    const before = backend.stats();
    const r = await queue.runReads({ ...reads, ...from, gpuBuffer: buffer, gpuBufferSize: bufferSize });
    const after = backend.stats();
    const counts = {
      gpuDecodes: after.gdeflateGpuDecodes - before.gdeflateGpuDecodes,
      shaderDecodes: after.gdeflateShaderDecodes - before.gdeflateShaderDecodes,
      cpuDecodes: after.gdeflateCpuDecodes - before.gdeflateCpuDecodes,
    };
    const gpuNs = after.shaderGpuNs - before.shaderGpuNs;
    return {
      path: label,
      data,
      decodedBy: decodedBy(counts),
      gbps: r.bytes / 1e9 / r.seconds,
      shaderBusyGbps: gpuNs > 0 ? (after.shaderGpuBytes - before.shaderGpuBytes) / gpuNs : 0,
      compressedGbps: (r.requests * compressedPerRequest) / 1e9 / r.seconds,
      requests: r.requests,
      errors: r.errors,
      ...counts,
    };
  } finally {
    if (fd !== undefined) closeSync(fd);
    await queue.close();
    device.destroyBuffer(buffer);
  }
}

/** A GDeflate row of path `p`: `s.requests` reads of `stream`, back to back over `span` bytes of `source`. */
function streamRow(
  s: Setup,
  p: GdeflatePathSetup,
  source: Source,
  stream: Buffer,
  span: number,
  data: GdeflateGpuRow['data'],
): Promise<GdeflateGpuRow> {
  const reads = {
    size: stream.length,
    count: s.requests,
    stride: stream.length,
    span,
    dst: 'gpu',
    layout: 'sequential',
    compression: 'gdeflate',
    uncompressedSize: s.uncompressed,
  } as const;
  return run(s.ds, p.device, p.options, p.label, source, reads, data, stream.length, s.uncompressed * 16);
}

/** Memory -> GPU buffer: decoded GB/s of each path, no file I/O. */
export async function measureGdeflateGpuDecode(s: Setup, paths: GdeflatePathSetup[]): Promise<GdeflateGpuRow[]> {
  const stream = sampleStream(s.ds, s.uncompressed);
  const memory = Buffer.concat(Array.from({ length: copies }, () => stream));
  const rows: GdeflateGpuRow[] = [];
  for (const p of paths) {
    rows.push(await streamRow(s, p, { memory }, stream, memory.length, 'gdeflate'));
  }
  return rows;
}

/** Page-cached file -> GPU buffer: each path with GDeflate, then each device uncompressed. */
export async function measureGdeflateToGpu(s: Setup, paths: GdeflatePathSetup[]): Promise<GdeflateGpuRow[]> {
  const file = path.join(s.outDir, 'gdeflate.bin');
  const stream = sampleStream(s.ds, s.uncompressed);
  writeCompressedFile(file, stream);
  const rows: GdeflateGpuRow[] = [];
  for (const p of paths) {
    rows.push(await streamRow(s, p, { file }, stream, stream.length * copies, 'gdeflate'));
  }
  // Text-like data (short matches and literals: the Huffman-heavy case) on each path's defaults.
  const textFile = path.join(s.outDir, 'gdeflate-text.bin');
  const textStream = sampleStream(s.ds, s.uncompressed, 'text');
  writeCompressedFile(textFile, textStream);
  const textPaths = new Set<GdeflatePath>([
    'cpu',
    'nv',
    'shader',
    'shader-shared-sums',
    'shader-staging-input',
    'shader-scratch-copies-staging-input',
  ]);
  for (const p of paths.filter((q) => textPaths.has(q.path))) {
    rows.push(await streamRow(s, p, { file: textFile }, textStream, textStream.length * copies, 'gdeflate text'));
  }
  const plainSpan = Math.floor(s.dataFileSize / s.uncompressed) * s.uncompressed;
  for (const device of [...new Set(paths.map((p) => p.device))]) {
    const label = device.transferOnlyQueue
      ? 'transfer queue'
      : paths.some((p) => p.device === device && p.path !== 'cpu')
        ? 'compute queue'
        : 'default queue';
    rows.push(
      await run(
        s.ds,
        device,
        {},
        label,
        { file: s.dataFile },
        {
          size: s.uncompressed,
          count: s.requests,
          span: plainSpan,
          dst: 'gpu',
          layout: 'sequential',
        },
        'uncompressed',
        s.uncompressed,
        s.uncompressed * 16,
      ),
    );
  }
  return rows;
}

const rowCells = (r: GdeflateGpuRow): string[] => [
  r.path,
  r.data,
  r.gbps.toFixed(2),
  r.compressedGbps.toFixed(2),
  r.shaderBusyGbps > 0 ? r.shaderBusyGbps.toFixed(2) : '-',
  r.decodedBy,
  String(r.requests),
  String(r.errors),
];

export function formatGdeflateGpuDecode(rows: GdeflateGpuRow[], uncompressed: number): string {
  const mib = (uncompressed / (1024 * 1024)).toFixed(0);
  return (
    `\n== GPU decode: memory -> GPU buffer, ${mib} MiB per request, half-compressible data ==\n` +
    table([
      [
        'decode path',
        'data',
        'GB/s decoded',
        'GB/s compressed',
        'shader GB/s busy',
        'decoded by',
        'requests',
        'errors',
      ],
      ...rows.map(rowCells),
    ])
  );
}

export function formatGdeflateToGpu(rows: GdeflateGpuRow[], uncompressed: number): string {
  const mib = (uncompressed / (1024 * 1024)).toFixed(0);
  return (
    `\n== file -> GPU buffer, ${mib} MiB per request: GDeflate against uncompressed ==\n` +
    table([
      [
        'decode path / queue',
        'data',
        'GB/s decoded',
        'GB/s read',
        'shader GB/s busy',
        'decoded by',
        'requests',
        'errors',
      ],
      ...rows.map(rowCells),
    ])
  );
}
