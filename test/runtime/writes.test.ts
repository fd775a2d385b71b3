// SPDX-License-Identifier: MIT
// Writes on every backend: host -> file, and GPU buffer -> file on Vulkan, checked byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { backendNames, ds, openBackend } from '../lib/backends.ts';
import { assertSameBytes, makeTempDir, readBack } from '../lib/temp-files.ts';

const TIMEOUT_MS = 120_000;
const PIECES = [1, 4095, 4096, 65536 + 7, 1 << 20, (3 << 20) + 5];

for (const name of backendNames) {
  test(`${name}: host -> file`, { timeout: TIMEOUT_MS }, async (t) => {
    const opened = openBackend(t, name);
    if (!opened) return;
    const dir = makeTempDir();
    const queue = new ds.Queue(opened.backend, { capacity: 32 });
    try {
      const file = dir.emptyFile('out.bin');
      const fd = dir.open(file, 'r+');
      const total = PIECES.reduce((a, b) => a + b, 0);
      const expected = randomBytes(total);
      let offset = 0;
      const writes = PIECES.map((size) => {
        const src = expected.subarray(offset, offset + size);
        const p = queue.write({ fd, offset, src });
        offset += size;
        return p;
      });
      queue.submit();
      for (const r of await Promise.all(writes)) assert.equal(r.status, 'Ok', `write: ${r.status} (error ${r.error})`);
      assertSameBytes(readBack(file), expected, `${name} host -> file`);
    } finally {
      await queue.close();
      dir.remove();
    }
  });
}

test('vulkan: GPU buffer -> file', { timeout: TIMEOUT_MS }, async (t) => {
  const opened = openBackend(t, 'vulkan');
  if (!opened) return;
  const device = opened.device!;
  const dir = makeTempDir();
  const queue = new ds.Queue(opened.backend, { capacity: 16 });
  const bufferSize = 8 << 20;
  const buffer = device.createBuffer(bufferSize);
  try {
    const content = randomBytes(bufferSize);
    device.upload(buffer, 0, content);
    const file = dir.emptyFile('out.bin');
    const fd = dir.open(file, 'r+');
    // Scatter: file range i takes GPU range i, in pieces of varied sizes.
    const pieces = [
      { gpu: 0, size: 4096 },
      { gpu: 4096, size: 1 },
      { gpu: 4097, size: (1 << 20) + 3 },
      { gpu: 2 << 20, size: (5 << 20) + 77 },
    ];
    const writes = pieces.map((p) =>
      queue.write({ fd, offset: p.gpu, size: p.size, gpu: { buffer, offset: p.gpu, bufferSize } }),
    );
    queue.submit();
    for (const r of await Promise.all(writes))
      assert.equal(r.status, 'Ok', `gpu -> file: ${r.status} (error ${r.error}, field ${r.field})`);
    const written = readBack(file);
    for (const p of pieces) {
      assertSameBytes(
        written.subarray(p.gpu, p.gpu + p.size),
        content.subarray(p.gpu, p.gpu + p.size),
        `gpu -> file, ${p.size} bytes at ${p.gpu}`,
      );
    }
  } finally {
    await queue.close();
    device.destroyBuffer(buffer);
    dir.remove();
  }
});
