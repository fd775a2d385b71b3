// SPDX-License-Identifier: MIT
// Signals settle after everything enqueued before them; status checkpoints report the first failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendNames, ds, openBackend } from '../lib/backends.ts';
import { makeTempDir } from '../lib/temp-files.ts';

const TIMEOUT_MS = 60_000;

for (const name of backendNames) {
  test(`${name}: a signal settles after every entry before it`, { timeout: TIMEOUT_MS }, async (t) => {
    const opened = openBackend(t, name);
    if (!opened) return;
    const dir = makeTempDir();
    const queue = new ds.Queue(opened.backend, { capacity: 64 });
    try {
      const file = dir.randomFile('data.bin', 4 << 20);
      const fd = dir.open(file.path, 'r');
      const settled: string[] = [];
      const rounds = 5;
      const all: Promise<unknown>[] = [];
      for (let round = 0; round < rounds; round++) {
        for (let i = 0; i < 20; i++) {
          // Big and small reads mixed, so they finish out of order.
          const size = i % 3 === 0 ? 1 << 20 : 512;
          all.push(
            queue.read({ fd, offset: (i * 4099) % (3 << 20), size, dst: Buffer.alloc(size) }).then(() => {
              settled.push(`r${round}`);
            }),
          );
        }
        all.push(
          queue.signal().then(() => {
            settled.push(`s${round}`);
          }),
        );
      }
      queue.submit();
      await Promise.all(all);
      for (let round = 0; round < rounds; round++) {
        const signalAt = settled.indexOf(`s${round}`);
        const lastRead = settled.lastIndexOf(`r${round}`);
        assert.ok(
          signalAt > lastRead,
          `signal ${round} settled at ${signalAt}, before read at ${lastRead}: ${settled}`,
        );
      }
    } finally {
      await queue.close();
      dir.remove();
    }
  });

  test(`${name}: status checkpoints report the first failure since the previous one`, {
    timeout: TIMEOUT_MS,
  }, async (t) => {
    const opened = openBackend(t, name);
    if (!opened) return;
    const dir = makeTempDir();
    const queue = new ds.Queue(opened.backend, { capacity: 64 });
    try {
      const file = dir.randomFile('data.bin', 1 << 20);
      const fd = dir.open(file.path, 'r');
      const ok = (userData: number) => queue.read({ fd, offset: 0, size: 4096, dst: Buffer.alloc(4096), userData });
      const bad = (userData: number) => queue.read({ fd: -1, offset: 0, size: 16, dst: Buffer.alloc(16), userData });

      const first = [ok(1), ok(2)];
      const clean = queue.status();
      const second = [ok(3), bad(4), ok(5), bad(6)];
      const failing = queue.status();
      const third = [ok(7)];
      const cleanAgain = queue.status();
      queue.submit();

      const [c1, c2, c3] = await Promise.all([clean, failing, cleanAgain]);
      await Promise.all([...first, ...second, ...third]);
      assert.equal(c1.status, 'Ok');
      assert.equal(c1.failedUserData, 0);
      assert.equal(c2.status, 'InvalidRequest', `checkpoint 2 status ${c2.status}`);
      assert.equal(c2.failedUserData, 4, 'the first failure since the previous checkpoint is request 4');
      assert.equal(c2.field, 'Fd');
      assert.equal(c3.status, 'Ok', 'a checkpoint forgets failures reported by the one before it');
      const results = await Promise.all(second);
      assert.deepEqual(
        results.map((r) => Number(r.userData)),
        [3, 4, 5, 6],
      );
    } finally {
      await queue.close();
      dir.remove();
    }
  });
}
