// SPDX-License-Identifier: MIT
// The ceilings the runtime is judged against, measured in the same run on the same machine.
import type { DsRuntime, VulkanDevice } from '../../runtime/node/lib/ds_runtime.ts';

export interface Ceilings {
  /** one thread, memcpy between two warm host buffers */
  memcpyGbps: number;
  memcpySize: number;
  /** vkCmdCopyBuffer host-visible staging -> device-local: one region, 1 MiB and 64 KiB regions */
  copyOneRegionGbps?: number;
  copy1MiBRegionsGbps?: number;
  copy64KiBRegionsGbps?: number;
  copySize?: number;
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
