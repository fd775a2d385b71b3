// SPDX-License-Identifier: MIT
// Reads on every backend, checked byte for byte: file -> host, memory -> host, file -> GPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendNames, ds, openBackend } from '../lib/backends.ts';
import { assertSameBytes, makeTempDir } from '../lib/temp-files.ts';

const FILE_SIZE = (8 << 20) + 4321;
const SIZES = [1, 4095, 4096, 65536 + 7, 1 << 20, (5 << 20) + 123];
const OFFSETS = [0, 1, 4096, 12345];
const TIMEOUT_MS = 120_000;

for (const name of backendNames) {
  test(`${name}: file -> host at several sizes and offsets`, { timeout: TIMEOUT_MS }, async (t) => {
    const opened = openBackend(t, name);
    if (!opened) return;
    const dir = makeTempDir();
    const queue = new ds.Queue(opened.backend, { capacity: 64 });
    try {
      const file = dir.randomFile('data.bin', FILE_SIZE);
      const fd = dir.open(file.path, 'r');
      const cases = SIZES.flatMap((size) => OFFSETS.map((offset) => ({ size, offset })));
      const pending = cases.map(({ size, offset }) => {
        const dst = Buffer.alloc(size);
        return queue.read({ fd, offset, size, dst }).then((r) => ({ r, dst, size, offset }));
      });
      queue.submit();
      const results = await Promise.all(pending);
      for (const { r, dst, size, offset } of results) {
        assert.equal(r.status, 'Ok', `read ${size} bytes at ${offset}: status ${r.status} (error ${r.error})`);
        assert.equal(r.bytes, size);
        assertSameBytes(dst, file.data.subarray(offset, offset + size), `read ${size} bytes at ${offset}`);
      }
    } finally {
      await queue.close();
      dir.remove();
    }
  });

  test(`${name}: memory -> host`, { timeout: TIMEOUT_MS }, async (t) => {
    const opened = openBackend(t, name);
    if (!opened) return;
    const queue = new ds.Queue(opened.backend, { capacity: 16 });
    try {
      for (const size of [1, 4096, 300_000, 3 << 20]) {
        const src = Buffer.alloc(size);
        for (let i = 0; i < size; i++) src[i] = (i * 131 + 7) & 0xff;
        const dst = new Uint8Array(size);
        const pending = queue.read({ source: 'memory', src, dst });
        queue.submit();
        const r = await pending;
        assert.equal(r.status, 'Ok', `memory read of ${size} bytes: ${r.status}`);
        assert.equal(r.bytes, size);
        assertSameBytes(dst, src, `memory read of ${size} bytes`);
      }
    } finally {
      await queue.close();
    }
  });
}

test('vulkan: file -> GPU buffer, read back with download', { timeout: TIMEOUT_MS }, async (t) => {
  const opened = openBackend(t, 'vulkan');
  if (!opened) return;
  const device = opened.device!;
  const dir = makeTempDir();
  const queue = new ds.Queue(opened.backend, { capacity: 64 });
  const bufferSize = 12 << 20;
  const buffer = device.createBuffer(bufferSize);
  try {
    const file = dir.randomFile('data.bin', FILE_SIZE);
    const fd = dir.open(file.path, 'r');
    // Non-overlapping destinations, so every read can be checked after all of them finish.
    let gpuOffset = 0;
    const cases = SIZES.map((size, i) => {
      const c = { size, offset: OFFSETS[i % OFFSETS.length], gpuOffset };
      gpuOffset += size + 256;
      return c;
    });
    const results = cases.map((c) =>
      queue.read({ fd, offset: c.offset, size: c.size, gpu: { buffer, offset: c.gpuOffset, bufferSize } }),
    );
    queue.submit();
    const done = await Promise.all(results);
    done.forEach((r, i) => {
      const c = cases[i];
      assert.equal(
        r.status,
        'Ok',
        `gpu read ${c.size} at ${c.offset}: ${r.status} (error ${r.error}, field ${r.field})`,
      );
      assert.equal(r.bytes, c.size);
      const back = device.download(buffer, c.gpuOffset, c.size);
      assertSameBytes(back, file.data.subarray(c.offset, c.offset + c.size), `gpu read ${c.size} bytes at ${c.offset}`);
    });
    const stats = queue.backendStats();
    assert.ok(stats.gpuCopies > 0, `the Vulkan backend recorded no copy regions: ${JSON.stringify(stats)}`);
  } finally {
    await queue.close();
    device.destroyBuffer(buffer);
    dir.remove();
  }
});

test('vulkan: memory -> GPU buffer', { timeout: TIMEOUT_MS }, async (t) => {
  const opened = openBackend(t, 'vulkan');
  if (!opened) return;
  const device = opened.device!;
  const queue = new ds.Queue(opened.backend, { capacity: 8 });
  const size = (2 << 20) + 17;
  const buffer = device.createBuffer(size + 4096);
  try {
    const src = Buffer.alloc(size, 0);
    for (let i = 0; i < size; i++) src[i] = (i * 7 + 3) & 0xff;
    const pending = queue.read({ source: 'memory', src, gpu: { buffer, offset: 4096, bufferSize: size + 4096 } });
    queue.submit();
    const r = await pending;
    assert.equal(r.status, 'Ok', `memory -> gpu: ${r.status} (field ${r.field})`);
    assertSameBytes(device.download(buffer, 4096, size), src, 'memory -> gpu');
  } finally {
    await queue.close();
    device.destroyBuffer(buffer);
  }
});
