// SPDX-License-Identifier: MIT
// The TypeScript face of the ds_runtime addon (runtime/node/src): its types and its loader.
// Tests and benchmarks import this file, never the .node file directly.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type StatusName =
  | 'Ok'
  | 'IoError'
  | 'EndOfFile'
  | 'Cancelled'
  | 'InvalidRequest'
  | 'Unsupported'
  | 'DeviceError';
export type FieldName =
  | 'None'
  | 'Op'
  | 'Fd'
  | 'Size'
  | 'Source'
  | 'Destination'
  | 'GpuBuffer'
  | 'GpuRange'
  | 'Compression';

export type U64 = number | bigint;
export type HostMemory = ArrayBufferView | ArrayBuffer;

export interface GpuRange {
  buffer: bigint;
  offset?: U64;
  bufferSize: U64;
}

export interface ReadOptions {
  fd?: number;
  offset?: U64;
  size?: U64;
  source?: 'file' | 'memory';
  src?: HostMemory;
  dst?: HostMemory;
  gpu?: GpuRange;
  cancelTag?: U64;
  userData?: U64;
  compression?: 'none' | 'gdeflate' | 'zstd';
  uncompressedSize?: U64;
}

export interface WriteOptions {
  fd: number;
  offset?: U64;
  size?: U64;
  src?: HostMemory;
  gpu?: GpuRange;
  cancelTag?: U64;
  userData?: U64;
}

export interface RequestResult {
  status: StatusName;
  bytes: number;
  error: number;
  field: FieldName;
  userData: bigint;
}

export interface CheckpointResult {
  status: StatusName;
  error: number;
  field: FieldName;
  /** userData of the first request that failed since the previous checkpoint (0 when none). */
  failedUserData: number;
}

export interface QueueInfo {
  capacity: number;
  emptySlots: number;
  untilAutoSubmit: number;
  /** entries waiting on the JS side for a free slot */
  backlog: number;
  /** entries whose promise has not settled yet */
  pending: number;
}

export interface QueueStats {
  requests: number;
  bytes: number;
  errors: number;
  cancelled: number;
  busyNs: number;
}

export interface BackendStats {
  submits: number;
  stagingBytes: number;
  gpuCopies: number;
  directReads: number;
  bufferedFallbacks: number;
  gdeflateCpuDecodes: number;
  /** decoded by VK_NV_memory_decompression */
  gdeflateGpuDecodes: number;
  /** decoded by the runtime's own compute shader */
  gdeflateShaderDecodes: number;
  /** Vulkan fileStaging 'mapped': chunks copied straight from an imported file mapping */
  mappedReads: number;
  /** file windows mapped and imported for that */
  mappedImports: number;
  /** Vulkan: upload regions copied by the scatter-copy dispatch instead of the copy engine */
  shaderCopies: number;
  /** staging in this process's imported huge pages (stagingMemory 'host'); 0: the driver's memory */
  hostStagingBytes: number;
  /** Vulkan, GDeflate shader batches (queues with timestamps): GPU ns from each batch's first
   * dispatch to the end of its last, summed, and the bytes they decoded */
  shaderGpuNs: number;
  shaderGpuBytes: number;
  /** Vulkan: GDeflate shader decodes written to their destination by the shader itself */
  shaderDirectOutputs: number;
}

export interface RunReadsOptions {
  /** 'file' (default): reads from `fd`; 'memory': from a copy of `src` (no file I/O). */
  source?: 'file' | 'memory';
  fd?: number;
  src?: HostMemory;
  size: U64;
  count: U64;
  /** read i uses offsets[i % offsets.length] ... */
  offsets?: BigUint64Array;
  /** ... or offset + (i * stride) % span (stride defaults to size, span 0 means no wrap) */
  offset?: U64;
  stride?: U64;
  span?: U64;
  dst?: 'host' | 'gpu';
  gpuBuffer?: bigint;
  gpuBufferSize?: U64;
  hostRingBytes?: U64;
  maxInFlight?: number;
  /** 'slots' (default): each read reuses whichever destination slot was freed last, so
   * destinations are scattered; 'sequential': read i lands at i * size (modulo the
   * destination), as when a game streams one asset in pieces. */
  layout?: 'slots' | 'sequential';
  /** 'gdeflate' / 'zstd': each read is a `size`-byte stream decoding to `uncompressedSize` bytes. */
  compression?: 'none' | 'gdeflate' | 'zstd';
  uncompressedSize?: U64;
}

export interface GdeflateThroughput {
  ratio: number;
  encodeGbps: number;
  decode: { threads: number; gbps: number }[];
}

export interface ZstdThroughput {
  ratio: number;
  encodeGbps: number;
  /** frames the data was cut into (one per chunkSize) */
  chunks: number;
  decode: { threads: number; gbps: number }[];
}

export interface RunReadsResult {
  seconds: number;
  cpuSeconds: number;
  bytes: number;
  requests: number;
  errors: number;
  statuses: Partial<Record<StatusName, number>>;
}

export interface Backend {
  readonly name: string;
  caps(): { gpu: boolean; gdeflate: boolean; zstd: boolean };
  stats(): BackendStats;
}

export interface VulkanBackendOptions {
  stagingBytes?: U64;
  chunkSize?: U64;
  workers?: number;
  flushBytes?: U64;
  /** false: no VK_NV_memory_decompression even where the device has it (true cannot add it). */
  nvMemoryDecompression?: boolean;
  /** VK_NV_memory_decompression: false reads the compressed streams from host staging instead of
   * copying them to device memory first (default true) */
  nvInputInDeviceMemory?: boolean;
  /** the GDeflate compute shader: true decodes from a device-local copy of the compressed
   * streams, false reads them from host staging (default true) */
  shaderInputInDeviceMemory?: boolean;
  /** the GDeflate compute shader decodes into the destinations itself where the device has
   * shader copies (default true); false: into its scratch buffer, then vkCmdCopyBuffer */
  shaderDirectOutput?: boolean;
  /** false: no GDeflate compute shader; GPU-destination GDeflate then decodes on the CPU. */
  shaderDecompression?: boolean;
  /** false: the shader sums its rounds in shared memory even where the device has subgroup
   * arithmetic (default true: subgroup scans there) */
  shaderSubgroupScan?: boolean;
  /** device-local memory the shader decodes into (default 256 MiB) */
  shaderScratchBytes?: U64;
  /** the staging ring's memory: 'host' (this process's anonymous memory on huge pages, imported
   * with VK_EXT_external_memory_host; the default where the device has it, else 'cached'),
   * 'cached' (the driver's, HOST_CACHED preferred) or 'uncached' (the driver's, a type without
   * HOST_CACHED preferred) */
  stagingMemory?: 'cached' | 'uncached' | 'host';
  /** file -> GPU reads: 'copy' (pread into staging, default), 'mapped' (import the file's pages; falls
   * back to copy) or 'auto' (mapped for chunks of at least mappedMinBytes, copy below) */
  fileStaging?: 'copy' | 'mapped' | 'auto';
  /** 'auto': smaller chunks take staging (default 256 KiB) */
  mappedMinBytes?: U64;
  /** 'mapped': the unit of file mapped and imported (default 64 MiB) */
  mappedWindowBytes?: U64;
  /** 'mapped': imports kept for reuse at most (default 1 GiB) */
  mappedBudgetBytes?: U64;
  /** false: every upload region goes to the copy engine (on by default where the device has
   * bufferDeviceAddress and the queue has compute: see preferComputeQueue) */
  shaderCopies?: boolean;
  /** upload regions up to this size go to the scatter-copy dispatch (default 256 KiB) */
  shaderCopyMaxBytes?: U64;
}

export interface VulkanDevice {
  readonly name: string;
  readonly isDiscrete: boolean;
  readonly transferOnlyQueue: boolean;
  /** VK_NV_memory_decompression is enabled (GDeflate decodes on the GPU on a compute queue). */
  readonly memoryDecompression: boolean;
  createBuffer(size: U64): bigint;
  destroyBuffer(buffer: bigint): void;
  upload(buffer: bigint, offset: U64, data: HostMemory): void;
  download(buffer: bigint, offset: U64, size: U64): Buffer;
  /** one vkCmdCopyBuffer staging -> device-local of `size` bytes in `regions` regions, GB/s */
  copyCeilingGbps(size: U64, regions?: number): number;
  backend(options?: VulkanBackendOptions): Backend;
}

export interface Queue {
  read(options: ReadOptions): Promise<RequestResult>;
  write(options: WriteOptions): Promise<RequestResult>;
  signal(): Promise<void>;
  status(): Promise<CheckpointResult>;
  submit(): void;
  cancel(mask: U64, value: U64): number;
  close(): Promise<void>;
  info(): QueueInfo;
  stats(): QueueStats;
  backendStats(): BackendStats;
  runReads(options: RunReadsOptions): Promise<RunReadsResult>;
  readonly backendName: string;
  readonly closed: boolean;
}

export interface QueueOptions {
  capacity?: number;
  autoSubmit?: boolean;
}

export interface PreadCeiling {
  gbps: number;
  requestsPerSecond: number;
  cpuSecondsPerGB: number;
  threads: number;
}

export interface DsRuntime {
  Queue: new (backend: Backend, options?: QueueOptions) => Queue;
  cpu(options?: { workers?: number; chunkSize?: U64 }): Backend;
  /** throws an Error with .errno/.code when io_uring is unavailable */
  ioUring(options?: { queueDepth?: number; chunkSize?: U64; bounceBuffers?: number }): Backend;
  /** throws an Error saying why when no Vulkan device is usable */
  /** preferComputeQueue (default true): a compute queue, needed for shader copies and GPU GDeflate;
   * false: a transfer-only queue where the device has one (every region on the copy engine). */
  vulkanDevice(options?: { preferComputeQueue?: boolean }): VulkanDevice;
  memcpyCeilingGbps(size: U64, options?: { minSeconds?: number }): number;
  /** `count` plain pread()s of `size` bytes (offsets i * size wrapping at `span`) on `threads` threads (0: one per CPU), into a ring of `slots` destinations. */
  preadCeiling(
    fd: number,
    options: { size: U64; span: U64; count: U64; threads?: number; slots?: number },
  ): PreadCeiling;
  /** GDeflate CPU codec speed on half-compressible data; threads 0 means one per CPU. */
  /** data: 'mixed' (default; half stored tiles, half repetitive text) or 'text' (short matches, Huffman-heavy) */
  gdeflateThroughput(options: {
    size: U64;
    level?: number;
    threads?: number[];
    data?: 'mixed' | 'text';
  }): GdeflateThroughput;
  /** A GDeflate tile stream of `data` (level 1..12, default 9). */
  gdeflateEncode(data: Uint8Array, level?: number): Buffer;
  /** The benchmark's half-compressible sample data, or its text-like data (short matches and
   * literals) with 'text'. */
  gdeflateSampleData(size: U64, kind?: 'mixed' | 'text'): Buffer;
  /** Zstandard CPU decode speed: `data` cut into chunkSize frames (default 1 MiB), decoded by each
   * thread count (0: one per CPU); GB/s of decoded bytes. */
  zstdThroughput(
    data: Uint8Array,
    options?: { level?: number; chunkSize?: number; threads?: number[] },
  ): ZstdThroughput;
  /** One Zstandard frame of `data` (level 1..19, default 3). */
  zstdEncode(data: Uint8Array, level?: number): Buffer;
  Status: Record<StatusName, number>;
  Field: Record<FieldName, number>;
}

/** Where node-gyp puts the addon; DS_RUNTIME_ADDON overrides it. */
export const addonPath: string =
  process.env.DS_RUNTIME_ADDON ?? fileURLToPath(new URL('../build/Release/ds_runtime.node', import.meta.url));

let loaded: DsRuntime | undefined;

export function loadDsRuntime(): DsRuntime {
  if (loaded) return loaded;
  if (!existsSync(addonPath)) {
    throw new Error(
      `the ds_runtime addon is not built (${addonPath} is missing): run \`ds-kit build-runtime\` then ` +
        '`ds-kit build-binding` (or set DS_RUNTIME_ADDON to a built ds_runtime.node)',
    );
  }
  loaded = createRequire(import.meta.url)(addonPath) as DsRuntime;
  return loaded;
}
