// SPDX-License-Identifier: MIT
// `ds-kit bench`: GB/s, requests/s and CPU-seconds per GB of every backend at 64 KiB, 1 MiB and
// 16 MiB reads from a page-cached file, next to the ceilings measured in the same run; the GDeflate
// and Zstandard decoders on the CPU and into GPU buffers
// (docs/performance.md explains the columns).
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDsRuntime, type VulkanDevice } from '../../runtime/node/lib/ds_runtime.ts';
import { measureCopyCeilings, measureHostCeiling, measurePreadCeilings, type Ceilings } from './ceilings.ts';
import { formatCold, measureCold, type ColdRows } from './cold.ts';
import { ensureDataFile, warmPageCache } from './data-file.ts';
import { measure, type Measurement, type Target } from './measure.ts';
import { formatBytes, parseOptions, usage, type BenchBackend, type BenchOptions } from './options.ts';
import {
  formatGdeflateGpuDecode,
  formatGdeflateToGpu,
  gdeflatePaths,
  measureGdeflateGpuDecode,
  measureGdeflateToGpu,
  type GdeflateGpuRow,
} from './gdeflate-gpu.ts';
import { evaluateTargets, formatBackendTable, formatCeilings, formatGdeflate, formatTargets } from './report.ts';
import { formatZstdCpu, formatZstdToGpu, measureZstdCpu, measureZstdToGpu, type ZstdGpuRow } from './zstd.ts';

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

interface Skipped {
  backend: BenchBackend;
  reason: string;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    log(usage);
    return 0;
  }
  const ds = loadDsRuntime();
  log(`ds-runtime benchmark${options.quick ? ' (--quick: smoke test, the numbers mean little)' : ''}`);
  log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`);

  ensureDataFile(options.file, options.fileSize, log);
  const warm = warmPageCache(options.file);
  log(`data file: ${options.file} (${formatBytes(options.fileSize)}), warming pass ${warm.toFixed(1)} GB/s`);

  // The default device (a compute queue: shader copies, GPU decode paths) and one on the
  // transfer-only queue where the device has one (the copy ceilings, vulkan-gpu-transfer).
  let device: VulkanDevice | undefined;
  let transfer: VulkanDevice | undefined;
  let deviceError = '';
  const wantsVulkan = options.backends.some((b) => b.startsWith('vulkan'));
  if (wantsVulkan) {
    try {
      device = ds.vulkanDevice();
      transfer = ds.vulkanDevice({ preferComputeQueue: false });
      for (const [what, d] of [
        ['vulkan device', device],
        ['transfer device', transfer],
      ] as const)
        log(
          `${what}: ${d.name}${d.isDiscrete ? ' (discrete)' : ''}` +
            `${d.transferOnlyQueue ? ', transfer-only queue' : ', queue with compute'}`,
        );
    } catch (e) {
      deviceError = (e as Error).message;
    }
  }

  const fd = openSync(options.file, 'r');
  const hostBackends = options.backends.some((b) => b === 'cpu' || b === 'io_uring' || b === 'vulkan-host');
  const ceilings: Ceilings = {
    ...measureHostCeiling(ds, options.ceilingSize),
    ...(transfer ? measureCopyCeilings(transfer, options.ceilingSize) : {}),
    ...(hostBackends
      ? {
          preadLoops: measurePreadCeilings(
            ds,
            fd,
            options.fileSize,
            options.requestSizes,
            options.bytesPerRun,
            options.capacity,
          ),
        }
      : {}),
  };
  log(formatCeilings(ceilings));

  const results: Measurement[] = [];
  const skipped: Skipped[] = [];
  const opened: Target[] = [];
  let cold: ColdRows | undefined;
  const gpuBuffers = new Map<VulkanDevice, bigint>(); // one destination buffer per device
  // One size whatever --sizes says: with 16 slots of the largest size, `--sizes 64K` scattered its
  // reads over 1 MiB, and every dispatch rewrote the same few slots (7 GB/s on the H200, 34 GB/s
  // over 256 MiB in the same build).
  const gpuBufferSize = Math.max(options.quick ? 64 << 20 : 256 << 20, Math.max(...options.requestSizes));
  try {
    for (const name of options.backends) {
      const on = name === 'vulkan-gpu-transfer' ? transfer : device;
      const target = openTarget(name, options, on, deviceError, gpuBufferSize, () => {
        if (!gpuBuffers.has(on!)) gpuBuffers.set(on!, on!.createBuffer(gpuBufferSize));
        return gpuBuffers.get(on!)!;
      });
      if (typeof target === 'string') {
        skipped.push({ backend: name, reason: target });
        log(`\n== ${name} ==\nskipped: ${target}`);
        continue;
      }
      const rows: Measurement[] = [];
      const anonBefore = anonymousKiB();
      for (const size of options.requestSizes) {
        rows.push(await measure(ds, target, fd, options.fileSize, size, options.bytesPerRun, options.capacity));
      }
      results.push(...rows);
      opened.push(target);
      log(formatBackendTable(`${name} (${target.backend.name})`, rows, ceilings));
      if (name.includes('mapped') || name === 'vulkan-gpu-auto') {
        const st = target.backend.stats();
        log(
          `  mapped reads: ${st.mappedReads} chunks copied from imported file windows (${st.mappedImports} imports), ` +
            `${st.stagingBytes} bytes through staging; anonymous memory (RssAnon) ` +
            `${formatBytes(anonBefore * 1024)} before the rows, ${formatBytes(anonymousKiB() * 1024)} with the imports held`,
        );
      }
      if (name.startsWith('vulkan-gpu')) {
        const st = target.backend.stats();
        log(`  regions: ${st.shaderCopies} by shader copies, ${st.gpuCopies} by the copy engine`);
        log(
          `  staging: ${st.hostStagingBytes > 0 ? `${formatBytes(st.hostStagingBytes)} of this process's huge pages, imported` : "the driver's memory"}`,
        );
      }
    }
    if (options.coldBytes > 0) {
      // The GPU rows that stage (a mapping would fill the page cache: not a cold read), the host pools.
      // A backend named twice in --backends gets its cold rows once.
      const coldNames: string[] = ['cpu', 'io_uring', 'vulkan-gpu', 'vulkan-gpu-cached'];
      const coldTargets = opened.filter(
        (t, i) => coldNames.includes(t.name) && opened.findIndex((o) => o.name === t.name) === i,
      );
      cold = await measureCold(
        ds,
        coldTargets,
        options.file,
        options.fileSize,
        options.requestSizes,
        options.coldBytes,
        options.capacity,
      );
      log(formatCold(cold));
    }
  } finally {
    closeSync(fd);
    for (const [owner, buffer] of gpuBuffers) owner.destroyBuffer(buffer);
  }

  // GDeflate: the CPU codec on half-compressible data; on the GPU below.
  const gdeflate = ds.gdeflateThroughput({ size: options.quick ? 4 * 1024 * 1024 : 64 * 1024 * 1024 });
  log(formatGdeflate(gdeflate));
  // The Huffman-heavy case (short matches and literals, no stored tiles), one thread.
  // 16 MiB: the encoder is slow on this data (about 0.002 GB/s a thread at the default level).
  const gdeflateText = ds.gdeflateThroughput({
    size: options.quick ? 4 * 1024 * 1024 : 16 * 1024 * 1024,
    data: 'text',
    threads: [1],
  });
  log(formatGdeflate(gdeflateText, 'text-like data: short matches and literals'));
  // Zstandard (DirectStorage 1.4): the CPU decoder on the same data, one thread and all of them.
  const zstd = measureZstdCpu(ds, options.quick ? 4 * 1024 * 1024 : 64 * 1024 * 1024);
  log(formatZstdCpu(zstd, ceilings));

  // GDeflate into GPU buffers: each decode path (CPU, VK_NV_memory_decompression, compute shader)
  // from memory ("GPU decode") and from the page-cached file, side by side.
  let gdeflateGpuDecode: GdeflateGpuRow[] = [];
  let gdeflateToGpu: GdeflateGpuRow[] = [];
  let zstdToGpu: ZstdGpuRow[] = [];
  if (device && options.backends.some((b) => b.startsWith('vulkan-gpu'))) {
    const paths = gdeflatePaths(transfer ?? device, device.transferOnlyQueue ? undefined : device);
    const uncompressed = (options.quick ? 1 : 16) * 1024 * 1024;
    const setup = {
      ds,
      dataFile: options.file,
      dataFileSize: options.fileSize,
      outDir: path.dirname(path.resolve(options.file)),
      uncompressed,
      requests: Math.max(8, Math.floor(options.bytesPerRun / uncompressed / 4)),
    };
    gdeflateGpuDecode = await measureGdeflateGpuDecode(setup, paths);
    log(formatGdeflateGpuDecode(gdeflateGpuDecode, uncompressed));
    gdeflateToGpu = await measureGdeflateToGpu(setup, paths);
    log(formatGdeflateToGpu(gdeflateToGpu, uncompressed));
    zstdToGpu = await measureZstdToGpu({ ...setup, device });
    log(formatZstdToGpu(zstdToGpu, uncompressed, ceilings));
  }

  const targets = evaluateTargets(results, ceilings);
  log(formatTargets(targets));

  if (options.json) {
    mkdirSync(path.dirname(path.resolve(options.json)), { recursive: true });
    writeFileSync(
      options.json,
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          machine: {
            cpus: os.cpus().length,
            cpuModel: os.cpus()[0]?.model,
            node: process.version,
            vulkanDevice: device?.name ?? null,
          },
          options: { ...options, json: undefined },
          ceilings,
          results,
          cold,
          skipped,
          targets,
          gdeflate,
          gdeflateText,
          gdeflateGpuDecode,
          gdeflateToGpu,
          zstd,
          zstdToGpu,
        },
        null,
        2,
      )}\n`,
    );
    log(`\nresults written to ${options.json}`);
  }

  const failed = [...results, ...(cold?.rows ?? [])].filter((m) => m.errors > 0);
  const gdeflateRows = [...gdeflateGpuDecode, ...gdeflateToGpu];
  for (const g of gdeflateRows.filter((r) => r.errors > 0)) log(`ERROR: ${g.path} ${g.data}: ${g.errors} failed reads`);
  if (gdeflateRows.some((r) => r.errors > 0)) return 1;
  for (const z of zstdToGpu.filter((r) => r.errors > 0))
    log(`ERROR: zstd file -> GPU ${z.data}: ${z.errors} failed reads`);
  if (zstdToGpu.some((r) => r.errors > 0)) return 1;
  for (const m of failed)
    log(`ERROR: ${m.backend} ${formatBytes(m.requestSize)}: ${m.errors} failed reads ${JSON.stringify(m.statuses)}`);
  if (results.length === 0) log('ERROR: no backend could run; see the skip reasons above');
  return failed.length > 0 || results.length === 0 ? 1 : 0;
}

/** The process's anonymous resident memory (copy-on-write copies of mapped file pages count here). */
function anonymousKiB(): number {
  const m = /^RssAnon:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : 0;
}

function openTarget(
  name: BenchBackend,
  options: BenchOptions,
  device: VulkanDevice | undefined,
  deviceError: string,
  gpuBufferSize: number,
  gpuBuffer: () => bigint,
): Target | string {
  const ds = loadDsRuntime();
  try {
    switch (name) {
      case 'cpu':
        return { backend: ds.cpu(), name, destination: 'host' };
      case 'io_uring':
        return { backend: ds.ioUring({ queueDepth: Math.min(options.capacity, 4096) }), name, destination: 'host' };
      case 'vulkan-gpu':
      case 'vulkan-gpu-seq':
      case 'vulkan-gpu-mapped':
      case 'vulkan-gpu-mapped-seq':
      case 'vulkan-gpu-auto':
      case 'vulkan-gpu-dma':
      case 'vulkan-gpu-transfer':
      case 'vulkan-gpu-uncached':
      case 'vulkan-gpu-cached':
        if (!device) return deviceError;
        return {
          backend: device.backend({
            ...(name === 'vulkan-gpu-dma' ? { shaderCopies: false } : {}),
            ...(name === 'vulkan-gpu-uncached' ? { stagingMemory: 'uncached' as const } : {}),
            ...(name === 'vulkan-gpu-cached' ? { stagingMemory: 'cached' as const } : {}),
            // File pages imported with VK_EXT_external_memory_host instead of pread into staging
            // (falls back to staging where the device or driver says no: see the mapped-reads line).
            ...(name.startsWith('vulkan-gpu-mapped') ? { fileStaging: 'mapped' as const } : {}),
            ...(name === 'vulkan-gpu-auto' ? { fileStaging: 'auto' as const } : {}),
            ...(options.shaderCopyMax === undefined ? {} : { shaderCopyMaxBytes: options.shaderCopyMax }),
            ...(options.readers === undefined ? {} : { workers: options.readers }),
          }),
          name,
          destination: 'gpu',
          gpuBuffer: gpuBuffer(),
          gpuBufferSize,
          layout: name.endsWith('-seq') ? 'sequential' : undefined,
        };
      case 'vulkan-host':
        if (!device) return deviceError;
        return { backend: device.backend(), name, destination: 'host' };
    }
  } catch (e) {
    return (e as Error).message;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench failed: ${(e as Error).message ?? e}\n`);
    process.exitCode = 1;
  },
);
