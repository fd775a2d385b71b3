// SPDX-License-Identifier: MIT
// Load from JS: thousands of concurrent enqueues through a small queue (the backlog path), a
// cancellation storm, and a million small requests with every completion accounted for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendNames, ds, openBackend } from '../lib/backends.ts';
import { assertSameBytes, makeTempDir } from '../lib/temp-files.ts';

const TIMEOUT_MS = 300_000;

for (const name of backendNames) {
  test(`${name}: 5000 concurrent reads through a 64-slot queue`, { timeout: TIMEOUT_MS }, async (t) => {
    const opened = openBackend(t, name);
    if (!opened) return;
    const dir = makeTempDir();
    // No auto-submit: nothing completes before submit(), so the queue surely overflows into the
    // backlog, and submit() must carry over to the entries fed from it later.
    const queue = new ds.Queue(opened.backend, { capacity: 64, autoSubmit: false });
    try {
      const file = dir.randomFile('data.bin', 1 << 20);
      const fd = dir.open(file.path, 'r');
      const count = 5000;
      const dst = Buffer.alloc(count * 200);
      const reads = Array.from({ length: count }, (_, i) =>
        queue.read({ fd, offset: (i * 997) % ((1 << 20) - 200), size: 200, dst: dst.subarray(i * 200, i * 200 + 200) }),
      );
      assert.ok(queue.info().backlog > 0, 'the test means to overflow the queue into the JS backlog');
      queue.submit();
      const results = await Promise.all(reads);
      results.forEach((r, i) => assert.equal(r.status, 'Ok', `read ${i}: ${r.status}`));
      for (let i = 0; i < count; i++) {
        const offset = (i * 997) % ((1 << 20) - 200);
        assertSameBytes(dst.subarray(i * 200, i * 200 + 200), file.data.subarray(offset, offset + 200), `read ${i}`);
      }
      assert.deepEqual([queue.info().backlog, queue.info().pending], [0, 0]);
      assert.equal(queue.stats().requests, count);
    } finally {
      await queue.close();
      dir.remove();
    }
  });

  for (const autoSubmit of [false, true]) {
    const when = autoSubmit ? 'while earlier ones run' : 'before submit';
    test(`${name}: cancellation storm ${when} settles every promise exactly once`, {
      timeout: TIMEOUT_MS,
    }, async (t) => {
      const opened = openBackend(t, name);
      if (!opened) return;
      const dir = makeTempDir();
      const queue = new ds.Queue(opened.backend, { capacity: 256, autoSubmit });
      try {
        const file = dir.randomFile('data.bin', 1 << 20);
        const fd = dir.open(file.path, 'r');
        const count = 4000;
        const settledTimes = new Uint8Array(count);
        const statuses: string[] = new Array(count);
        const reads = Array.from({ length: count }, (_, i) =>
          queue
            .read({ fd, offset: (i * 4096) % (1 << 20), size: 4096, dst: Buffer.alloc(4096), cancelTag: BigInt(i % 2) })
            .then((r) => {
              settledTimes[i]++;
              statuses[i] = r.status;
            }),
        );
        const matched = queue.cancel(1n, 1n);
        queue.submit();
        await Promise.all(reads);
        await new Promise((resolve) => setImmediate(resolve)); // a second settle would show up here
        let cancelled = 0;
        for (let i = 0; i < count; i++) {
          assert.equal(settledTimes[i], 1, `read ${i} settled ${settledTimes[i]} times`);
          if (i % 2 === 0) assert.equal(statuses[i], 'Ok', `untagged read ${i}: ${statuses[i]}`);
          else assert.ok(statuses[i] === 'Ok' || statuses[i] === 'Cancelled', `tagged read ${i}: ${statuses[i]}`);
          if (statuses[i] === 'Cancelled') cancelled++;
        }
        assert.ok(cancelled <= matched, `${cancelled} cancelled but cancel() matched ${matched}`);
        // Nothing had been submitted: every tagged read must have been caught.
        if (!autoSubmit) assert.deepEqual([matched, cancelled], [count / 2, count / 2]);
        assert.deepEqual([queue.info().backlog, queue.info().pending], [0, 0]);
      } finally {
        await queue.close();
        dir.remove();
      }
    });
  }

  test(`${name}: one million small reads, every completion accounted for`, { timeout: TIMEOUT_MS }, async (t) => {
    const opened = openBackend(t, name);
    if (!opened) return;
    const dir = makeTempDir();
    const queue = new ds.Queue(opened.backend, { capacity: 1024 });
    try {
      const file = dir.randomFile('data.bin', 1 << 20);
      const fd = dir.open(file.path, 'r');
      const count = 1_000_000;
      const size = 512;
      const r = await queue.runReads({ fd, size, count, stride: 4096 + size, span: (1 << 20) - size });
      assert.equal(r.requests, count, `${r.requests} completions for ${count} reads`);
      assert.equal(r.errors, 0, `errors: ${JSON.stringify(r.statuses)}`);
      assert.equal(r.bytes, count * size);
      assert.deepEqual(r.statuses, { Ok: count });
      assert.equal(queue.stats().requests, count);
      assert.ok(r.seconds > 0 && r.cpuSeconds >= 0);
      t.diagnostic(`${name}: ${(count / r.seconds / 1e3).toFixed(0)}k requests/s, ${r.cpuSeconds.toFixed(2)} CPU-s`);
      // The queue is usable from JS again afterwards.
      const dst = Buffer.alloc(100);
      const again = queue.read({ fd, offset: 5, size: 100, dst });
      queue.submit();
      assert.equal((await again).status, 'Ok');
      assertSameBytes(dst, file.data.subarray(5, 105), 'a read after runReads');
    } finally {
      await queue.close();
      dir.remove();
    }
  });
}

test('runReads refuses a busy queue, and read() refuses a queue running runReads', {
  timeout: TIMEOUT_MS,
}, async () => {
  const dir = makeTempDir();
  const queue = new ds.Queue(ds.cpu({ workers: 2 }), { capacity: 8 });
  try {
    const file = dir.randomFile('data.bin', 1 << 16);
    const fd = dir.open(file.path, 'r');
    const pending = queue.read({ fd, size: 16, dst: Buffer.alloc(16) });
    assert.throws(() => queue.runReads({ fd, size: 16, count: 1 }), /idle queue/);
    queue.submit();
    await pending;
    const job = queue.runReads({ fd, size: 16, count: 10_000, span: 1 << 15 });
    assert.throws(() => queue.read({ fd, size: 16, dst: Buffer.alloc(16) }), /runReads/);
    assert.equal((await job).requests, 10_000);
  } finally {
    await queue.close();
    dir.remove();
  }
});
