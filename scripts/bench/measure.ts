// SPDX-License-Identifier: MIT
// One measurement: `bytes` of reads of one size through one backend, run by queue.runReads()
// entirely in C++ (no JS per request).
import type { Backend, DsRuntime, RunReadsResult } from '../../runtime/node/lib/ds_runtime.ts';

export interface Measurement {
  backend: string;
  destination: 'host' | 'gpu';
  requestSize: number;
  requests: number;
  bytes: number;
  seconds: number;
  cpuSeconds: number;
  gbps: number;
  requestsPerSecond: number;
  cpuSecondsPerGB: number;
  errors: number;
  statuses: RunReadsResult['statuses'];
}

export interface Target {
  backend: Backend;
  name: string;
  destination: 'host' | 'gpu';
  gpuBuffer?: bigint;
  gpuBufferSize?: number;
  /** see RunReadsOptions.layout */
  layout?: 'slots' | 'sequential';
}

/** Destination memory of a host row: runReads gives each request in flight a slot of it. */
export const hostRingBytes = (requestSize: number): number => Math.min(1 << 30, Math.max(256 << 20, 64 * requestSize));

/** How many destination slots runReads uses for a host row (see bulk_reads.cpp). */
export const hostSlots = (requestSize: number, capacity: number, count: number): number =>
  Math.max(1, Math.min(capacity, count, Math.floor(hostRingBytes(requestSize) / requestSize)));

export async function measure(
  ds: DsRuntime,
  target: Target,
  fd: number,
  fileSize: number,
  requestSize: number,
  bytes: number,
  capacity: number,
): Promise<Measurement> {
  const queue = new ds.Queue(target.backend, { capacity });
  try {
    const span = Math.floor(fileSize / requestSize) * requestSize; // sequential, wrapping at the end
    const common = {
      fd,
      size: requestSize,
      span,
      dst: target.destination,
      gpuBuffer: target.gpuBuffer,
      gpuBufferSize: target.gpuBufferSize,
      layout: target.layout,
      hostRingBytes: hostRingBytes(requestSize),
    };
    await queue.runReads({ ...common, count: Math.min(64, Math.ceil(bytes / requestSize)) }); // warm-up
    const count = Math.max(1, Math.ceil(bytes / requestSize));
    const r = await queue.runReads({ ...common, count });
    const gb = r.bytes / 1e9;
    return {
      backend: target.name,
      destination: target.destination,
      requestSize,
      requests: r.requests,
      bytes: r.bytes,
      seconds: r.seconds,
      cpuSeconds: r.cpuSeconds,
      gbps: gb / r.seconds,
      requestsPerSecond: r.requests / r.seconds,
      cpuSecondsPerGB: gb > 0 ? r.cpuSeconds / gb : 0,
      errors: r.errors,
      statuses: r.statuses,
    };
  } finally {
    await queue.close();
  }
}
