// SPDX-License-Identifier: MIT
// The ceilings the runtime is judged against, measured in the same run on the same machine.
import type { DsRuntime, PreadCeiling, VulkanDevice } from '../../runtime/node/lib/ds_runtime.ts';
import { hostSlots } from './measure.ts';

export interface Ceilings {
  /** one thread, memcpy between two warm host buffers */
  memcpyGbps: number;
  memcpySize: number;
  /** vkCmdCopyBuffer host-visible staging -> device-local: one region, 1 MiB and 64 KiB regions */
  copyOneRegionGbps?: number;
  copy1MiBRegionsGbps?: number;
  copy64KiBRegionsGbps?: number;
  copySize?: number;
  /** plain pread() loops on one thread per CPU, by request size: the host rows' per-request ceiling */
  preadLoops?: Record<number, PreadCeiling>;
}

/**
 * A thread pool's least work per request (pread, nothing else), at each request size, into as
 * many destination slots as the host rows use (the copy's cost depends on the footprint).
 */
export function measurePreadCeilings(
  ds: DsRuntime,
  fd: number,
  fileSize: number,
  sizes: number[],
  bytes: number,
  capacity: number,
): Record<number, PreadCeiling> {
  const out: Record<number, PreadCeiling> = {};
  for (const size of sizes) {
    const span = Math.floor(fileSize / size) * size;
    if (span < size) continue;
    const count = Math.max(1, Math.ceil(bytes / size));
    const slots = hostSlots(size, capacity, count);
    ds.preadCeiling(fd, { size, span, slots, count: Math.min(64, count) }); // warm-up
    out[size] = ds.preadCeiling(fd, { size, span, slots, count });
  }
  return out;
}

export function measureHostCeiling(ds: DsRuntime, size: number): Pick<Ceilings, 'memcpyGbps' | 'memcpySize'> {
  const memcpySize = Math.min(size, 256 << 20);
  return { memcpyGbps: ds.memcpyCeilingGbps(memcpySize, { minSeconds: 0.3 }), memcpySize };
}

/** Halves the size until the device can allocate what the copy needs. */
export function measureCopyCeilings(device: VulkanDevice, size: number): Partial<Ceilings> {
  for (let s = size; s >= 16 << 20; s /= 2) {
    try {
      return {
        copyOneRegionGbps: device.copyCeilingGbps(s, 1),
        copy1MiBRegionsGbps: device.copyCeilingGbps(s, s / (1 << 20)),
        copy64KiBRegionsGbps: device.copyCeilingGbps(s, s / (64 << 10)),
        copySize: s,
      };
    } catch {
      // try a smaller size
    }
  }
  return {};
}
