// SPDX-License-Identifier: MIT
// `ds-kit bench --wine -- --quick` (scripts/bench/wine.ts): the Wine module's benchmark runs to the
// end under Wine (lavapipe in CI), prints every row with GB/s and CPU-s/GB, and every byte it moved
// checks out. A smoke test: the numbers mean nothing here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { repoRoot } from '../../scripts/lib/paths.ts';

/** scripts/bench/wine.ts with these bench_module arguments, in the repository root. */
const benchModule = (args: string[]) =>
  execa(process.execPath, ['--import', 'tsx', 'scripts/bench/wine.ts', ...args], {
    cwd: repoRoot,
    reject: false,
    all: true,
    timeout: 540_000,
  });

test('bench_module.exe --quick under wine: all rows, all bytes checked', { timeout: 900_000 }, async () => {
  const r = await execa(process.execPath, ['--import', 'tsx', 'scripts/bench/wine.ts', '--quick'], {
    cwd: repoRoot,
    reject: false,
    all: true,
    timeout: 840_000,
  });
  const out = r.all ?? '';
  assert.ok(!r.timedOut, `bench_module ran past 840 s; output:\n${out}`);
  assert.equal(r.exitCode, 0, `bench_module exited ${r.exitCode}; output:\n${out}`);
  assert.match(out, /bench_module: all bytes checked/, `no "all bytes checked" line:\n${out}`);
  for (const row of [
    'baseline ReadFile -> memory',
    'baseline ReadFile -> upload -> buffer',
    'dstorage file -> memory',
    'dstorage file -> buffer',
    'dstorage GDeflate file -> memory',
    'dstorage GDeflate file -> buffer',
  ]) {
    for (const size of ['64 KiB', '1 MiB', '16 MiB']) {
      const line = new RegExp(`\\| ${row.replace(/[>-]/g, '\\$&')}\\s+\\|\\s+${size} \\|\\s+[\\d.]+ \\|`);
      assert.match(out, line, `no ${row} row for ${size}:\n${out}`);
    }
  }
});

// --threads: under each row, its CPU seconds by Linux thread name, found through Wine's Z: drive
// (/proc/PID/task): the file -> memory row's reads run on the runtime's named workers.
test('bench_module.exe --threads: each row says which threads spent its CPU time', { timeout: 600_000 }, async () => {
  const r = await benchModule(['--mib', '256', '--reps', '1', '--only', 'plain', '--size', '1024', '--threads']);
  const out = r.all ?? '';
  assert.equal(r.exitCode, 0, `bench_module exited ${r.exitCode}; output:\n${out}`);
  assert.doesNotMatch(out, /--threads: no process named/, out);
  assert.match(
    out,
    /\| dstorage file -> memory\s+\|\s+1 MiB \|.*\r?\n {2}its threads, last repetition \(CPU s, threads that ran\):.* ds-cpu-read \d+\.\d\d \(\d+\);/,
    `no thread line naming ds-cpu-read under the file -> memory row:\n${out}`,
  );
});

// --scatter: neighbouring requests land in permuted slots of the GPU buffer (no merged copy
// regions), and the check follows the permutation: every byte is compared where it must be.
test('bench_module.exe --scatter: scattered GPU buffer destinations, all bytes checked', {
  timeout: 600_000,
}, async () => {
  const r = await benchModule([
    '--mib',
    '64',
    '--reps',
    '1',
    '--only',
    'plain',
    '--size',
    '64',
    '--dest',
    'buffer',
    '--scatter',
  ]);
  const out = r.all ?? '';
  assert.equal(r.exitCode, 0, `bench_module exited ${r.exitCode}; output:\n${out}`);
  assert.match(out, /\| dstorage file -> buffer\s+\|\s+64 KiB \|/, out);
  assert.match(out, /bench_module: all bytes checked/, out);
});
