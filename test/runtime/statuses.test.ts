// SPDX-License-Identifier: MIT
// Requests that cannot fully succeed: end of file, bad fds, size 0, bad GPU ranges, bad JS input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendNames, ds, openBackend } from '../lib/backends.ts';
import { assertSameBytes, makeTempDir } from '../lib/temp-files.ts';

const TIMEOUT_MS = 60_000;

for (const name of backendNames) {
  test(`${name}: EOF, invalid fd and size 0 report their status`, { timeout: TIMEOUT_MS }, async (t) => {
    const opened = openBackend(t, name);
    if (!opened) return;
    const dir = makeTempDir();
    const queue = new ds.Queue(opened.backend, { capacity: 16 });
    try {
      const file = dir.randomFile('small.bin', 10_000);
      const fd = dir.open(file.path, 'r');
      const tail = Buffer.alloc(4096);
      const pending = [
        queue.read({ fd, offset: 8000, size: 4096, dst: tail }), // runs off the end
        queue.read({ fd, offset: 20_000, size: 100, dst: Buffer.alloc(100) }), // starts past the end
        queue.read({ fd: -1, offset: 0, size: 100, dst: Buffer.alloc(100) }), // no fd at all
        queue.read({ fd: 1_000_000, offset: 0, size: 100, dst: Buffer.alloc(100) }), // not open
        queue.read({ fd, offset: 0, size: 0, dst: Buffer.alloc(1) }), // nothing to move
        queue.read({ fd, offset: 0, size: 10 }), // nowhere to put it
      ];
      queue.submit();
      const [eof, pastEnd, negativeFd, closedFd, empty, noDst] = await Promise.all(pending);

      assert.equal(eof.status, 'EndOfFile');
      assert.equal(eof.bytes, 2000, 'a short read reports the bytes that arrived');
      assertSameBytes(tail.subarray(0, 2000), file.data.subarray(8000), 'the bytes before EOF');
      assert.equal(pastEnd.status, 'EndOfFile');
      assert.equal(pastEnd.bytes, 0);
      assert.deepEqual([negativeFd.status, negativeFd.field], ['InvalidRequest', 'Fd']);
      assert.equal(closedFd.status, 'IoError');
      assert.equal(closedFd.error, 9, `EBADF expected, got errno ${closedFd.error}`);
      assert.deepEqual([empty.status, empty.field], ['InvalidRequest', 'Size']);
      assert.deepEqual([noDst.status, noDst.field], ['InvalidRequest', 'Destination']);

      const stats = queue.stats();
      assert.equal(stats.requests, 6);
      assert.equal(stats.errors, 6);
    } finally {
      await queue.close();
      dir.remove();
    }
  });
}

test('cpu: GPU requests are refused by a host-only backend', { timeout: TIMEOUT_MS }, async (t) => {
  const opened = openBackend(t, 'cpu');
  if (!opened) return;
  const queue = new ds.Queue(opened.backend, { capacity: 4 });
  try {
    const p = queue.read({ source: 'memory', src: Buffer.alloc(16), gpu: { buffer: 1n, offset: 0, bufferSize: 16 } });
    queue.submit();
    const r = await p;
    assert.deepEqual([r.status, r.field], ['InvalidRequest', 'Destination']);
  } finally {
    await queue.close();
  }
});

test('vulkan: a GPU range past the buffer is refused', { timeout: TIMEOUT_MS }, async (t) => {
  const opened = openBackend(t, 'vulkan');
  if (!opened) return;
  const device = opened.device!;
  const queue = new ds.Queue(opened.backend, { capacity: 4 });
  const buffer = device.createBuffer(4096);
  try {
    const src = Buffer.alloc(4096);
    const over = queue.read({ source: 'memory', src, gpu: { buffer, offset: 1, bufferSize: 4096 } });
    const noBuffer = queue.read({ source: 'memory', src, gpu: { buffer: 0n, offset: 0, bufferSize: 4096 } });
    queue.submit();
    const [a, b] = await Promise.all([over, noBuffer]);
    assert.deepEqual([a.status, a.field], ['InvalidRequest', 'GpuRange']);
    assert.deepEqual([b.status, b.field], ['InvalidRequest', 'GpuBuffer']);
  } finally {
    await queue.close();
    device.destroyBuffer(buffer);
  }
});

test('JS mistakes throw at the call, before reaching the runtime', { timeout: TIMEOUT_MS }, async () => {
  const queue = new ds.Queue(ds.cpu({ workers: 1 }), { capacity: 4 });
  try {
    assert.throws(() => queue.read({ fd: 0, size: 100, dst: Buffer.alloc(10) }), RangeError);
    assert.throws(() => queue.read({ fd: 0, size: -1, dst: Buffer.alloc(10) }), TypeError);
    assert.throws(() => queue.write({ fd: 0, src: 'text' as unknown as Buffer }), TypeError);
    assert.throws(() => new ds.Queue(ds.cpu({ workers: 1 }), { capacity: 0 }), RangeError);
    assert.throws(() => new ds.Queue({} as never), TypeError);
    assert.equal(queue.info().pending, 0, 'a refused call leaves nothing pending');
  } finally {
    await queue.close();
  }
  assert.throws(() => queue.read({ fd: 0, size: 1, dst: Buffer.alloc(1) }), /closed/);
});
