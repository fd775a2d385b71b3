// SPDX-License-Identifier: MIT
// Command-line options of the benchmark.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** vulkan-gpu: destinations scattered over the buffer (worst case, one copy region per read);
 * vulkan-gpu-seq: destinations in issue order (one asset streamed in pieces, regions merge).
 * Both on the default device (a compute queue: small regions by shader copies). vulkan-gpu-dma:
 * the same scattered reads with shader copies off (every region on the copy engine);
 * vulkan-gpu-auto: fileStaging 'auto' (mapped for chunks of 256 KiB and more, staging below);
 * vulkan-gpu-transfer: on a device whose queue is transfer-only where there is one (the default
 * before shader copies); vulkan-gpu-cached / vulkan-gpu-uncached: vulkan-gpu with the staging ring in
 * the driver's cached memory (the default before host staging) / its uncached memory (stagingMemory). */
export type BenchBackend =
  | 'cpu'
  | 'io_uring'
  | 'vulkan-gpu'
  | 'vulkan-gpu-seq'
  | 'vulkan-gpu-mapped'
  | 'vulkan-gpu-mapped-seq'
  | 'vulkan-gpu-auto'
  | 'vulkan-gpu-dma'
  | 'vulkan-gpu-transfer'
  | 'vulkan-gpu-uncached'
  | 'vulkan-gpu-cached'
  | 'vulkan-host';
export const allBackends: readonly BenchBackend[] = [
  'cpu',
  'io_uring',
  'vulkan-gpu',
  'vulkan-gpu-seq',
  'vulkan-gpu-mapped',
  'vulkan-gpu-mapped-seq',
  'vulkan-gpu-auto',
  'vulkan-gpu-dma',
  'vulkan-gpu-transfer',
  'vulkan-gpu-uncached',
  'vulkan-gpu-cached',
  'vulkan-host',
];

export interface BenchOptions {
  file: string;
  fileSize: number;
  /** bytes moved per (backend, request size) measurement */
  bytesPerRun: number;
  /** bytes per cold-cache (O_DIRECT) row; 0: none */
  coldBytes: number;
  requestSizes: number[];
  backends: BenchBackend[];
  /** size of the Vulkan copy-ceiling measurement */
  ceilingSize: number;
  capacity: number;
  /** vulkan-gpu rows: upload regions up to this size go to shader copies (undefined: the backend's default) */
  shaderCopyMax?: number;
  /** vulkan-gpu rows: the backend's file readers (undefined: its default, 3/4 of the CPUs) */
  readers?: number;
  json?: string;
  quick: boolean;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export const usage = `usage: node --import tsx scripts/bench/main.ts [options]
  --quick              small file and runs (smoke test; numbers mean little)
  --file PATH          data file (created when missing or of another size; default build/bench/data.bin)
  --file-size BYTES    size of the data file (default 1 GiB, --quick 64 MiB); suffixes K, M, G
  --bytes BYTES        bytes read per measurement (default 8 GiB, --quick 128 MiB)
  --sizes LIST         request sizes (default 64K,1M,16M)
  --cold-bytes BYTES   bytes per cold-cache (O_DIRECT) row (default 1 GiB, --quick 32 MiB; 0: no cold rows)
  --backends LIST      of ${allBackends.join(', ')} (default: all)
  --capacity N         queue capacity (default 1024)
  --shader-copy-max BYTES  GPU rows: upload regions up to this size go to shader copies (default 256K)
  --readers N          GPU rows: the Vulkan backend's file reader threads (default 3/4 of the CPUs)
  --json PATH          also write the results as JSON
  --help`;

export function parseSize(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgKMG]?)(?:i?[bB])?$/.exec(text.trim());
  if (!m) throw new Error(`${what}: '${text}' is not a size; write e.g. 65536, 64K, 1M or 1G`);
  const unit = { '': 1, k: KiB, m: MiB, g: GiB }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(m[1]) * unit);
}

// The Vulkan backend takes at most 16 readers (kMaxWorkers in runtime/src/vulkan/vulkan_backend.cpp).
function parseCount(text: string, what: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || Number(text) > 16)
    throw new Error(`${what}: '${text}' is not a reader count; write a whole number from 1 to 16`);
  return Number(text);
}

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      file: { type: 'string' },
      'file-size': { type: 'string' },
      bytes: { type: 'string' },
      'cold-bytes': { type: 'string' },
      sizes: { type: 'string' },
      backends: { type: 'string' },
      capacity: { type: 'string' },
      'shader-copy-max': { type: 'string' },
      readers: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const quick = Boolean(values.quick);
  const backends = (values.backends ?? allBackends.join(','))
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean) as BenchBackend[];
  for (const b of backends) {
    if (!allBackends.includes(b))
      throw new Error(`--backends: unknown backend '${b}'; choose from ${allBackends.join(', ')}`);
  }
  const fileSize = parseSize(values['file-size'] ?? (quick ? '64M' : '1G'), '--file-size');
  const requestSizes = (values.sizes ?? '64K,1M,16M').split(',').map((s) => parseSize(s, '--sizes'));
  for (const size of requestSizes) {
    if (size <= 0 || size > fileSize)
      throw new Error(`--sizes: ${size} must be above 0 and at most --file-size (${fileSize})`);
  }
  return {
    file: path.resolve(values.file ?? path.join(repoRoot, 'build', 'bench', 'data.bin')),
    fileSize,
    bytesPerRun: parseSize(values.bytes ?? (quick ? '128M' : '8G'), '--bytes'),
    coldBytes: parseSize(values['cold-bytes'] ?? (quick ? '32M' : '1G'), '--cold-bytes'),
    requestSizes,
    backends,
    ceilingSize: Math.min(quick ? 64 * MiB : GiB, fileSize),
    capacity: Number.parseInt(values.capacity ?? '1024', 10),
    shaderCopyMax:
      values['shader-copy-max'] === undefined ? undefined : parseSize(values['shader-copy-max'], '--shader-copy-max'),
    readers: values.readers === undefined ? undefined : parseCount(values.readers, '--readers'),
    json: values.json,
    quick,
  };
}

export function formatBytes(n: number): string {
  if (n >= GiB && n % GiB === 0) return `${n / GiB} GiB`;
  if (n >= MiB && n % MiB === 0) return `${n / MiB} MiB`;
  if (n >= KiB && n % KiB === 0) return `${n / KiB} KiB`;
  return `${n} B`;
}
