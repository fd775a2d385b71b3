// SPDX-License-Identifier: MIT
// The backend matrix of the runtime tests: cpu, io_uring and Vulkan (lavapipe on machines without
// a GPU). An unavailable backend skips its tests with the reason, unless the environment
// requires it (CI=1 or DS_REQUIRE_VULKAN=1 for Vulkan, DS_REQUIRE_IO_URING=1 for io_uring):
// then the tests fail.
import type { TestContext } from 'node:test';
import { loadDsRuntime, type Backend, type DsRuntime, type VulkanDevice } from '../../runtime/node/lib/ds_runtime.ts';

export type BackendName = 'cpu' | 'io_uring' | 'vulkan';
export const backendNames: readonly BackendName[] = ['cpu', 'io_uring', 'vulkan'];

const truthy = (v: string | undefined): boolean => v !== undefined && v !== '' && v !== '0' && v !== 'false';
export const vulkanRequired = (): boolean => truthy(process.env.CI) || truthy(process.env.DS_REQUIRE_VULKAN);
export const ioUringRequired = (): boolean => truthy(process.env.DS_REQUIRE_IO_URING);

export const ds: DsRuntime = loadDsRuntime();

let device: VulkanDevice | undefined;
let deviceError: string | undefined;

/** The process's one Vulkan device (made on first use), or the reason there is none. */
export function vulkanDevice(): { device?: VulkanDevice; reason?: string } {
  if (!device && !deviceError) {
    try {
      device = ds.vulkanDevice();
    } catch (e) {
      deviceError = (e as Error).message;
    }
  }
  return device ? { device } : { reason: deviceError };
}

export interface OpenedBackend {
  backend: Backend;
  /** set for the Vulkan backend: make GPU buffers and read them back with it */
  device?: VulkanDevice;
}

/** Opens the named backend, or skips the test (or fails it, when required) saying why not. */
export function openBackend(t: TestContext, name: BackendName): OpenedBackend | undefined {
  const unavailable = (reason: string, required: boolean, flag: string): undefined => {
    if (required) throw new Error(`${name} backend required (${flag}) but unavailable: ${reason}`);
    t.skip(`${name} unavailable: ${reason}`);
    return undefined;
  };
  switch (name) {
    case 'cpu':
      return { backend: ds.cpu({ workers: 4 }) };
    case 'io_uring':
      try {
        return { backend: ds.ioUring({ queueDepth: 64 }) };
      } catch (e) {
        return unavailable((e as Error).message, ioUringRequired(), 'DS_REQUIRE_IO_URING=1');
      }
    case 'vulkan': {
      const { device: dev, reason } = vulkanDevice();
      if (!dev) return unavailable(reason ?? 'unknown', vulkanRequired(), 'CI=1 or DS_REQUIRE_VULKAN=1');
      return { backend: dev.backend({ stagingBytes: 32 << 20, chunkSize: 1 << 20 }), device: dev };
    }
  }
}
