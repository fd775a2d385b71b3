// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTON_STEPS, protonTasks } from '../../../scripts/tasks/proton.ts';
import { titles } from '../../../scripts/lib/messages.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../../../scripts/lib/paths.ts';
import { bin, dsKit, tempDir } from '../helpers.ts';

test('build-proton builds the release runtime, then the Wine module; not the Node binding', () => {
  assert.deepEqual(
    PROTON_STEPS.map((s) => s.id),
    ['runtime', 'wine-module'],
  );
  assert.deepEqual(
    protonTasks({}).map((t) => t.title),
    [titles.runtime('release'), titles.wineModule],
  );
});

test('the Wine module installs into Wine only when --install is given', () => {
  const step = PROTON_STEPS.find((s) => s.id === 'wine-module')!;
  const installTask = (install: boolean) => step.tasks({ install }).find((t) => String(t.title).startsWith('install'))!;
  const enabled = (t: ReturnType<typeof installTask>) =>
    typeof t.enabled === 'function' ? t.enabled(undefined as never) : t.enabled;
  assert.equal(enabled(installTask(false)), false);
  assert.equal(enabled(installTask(true)), true);
});

test('a new step is one more entry in the list', () => {
  const extra = { id: 'dll', title: 'Build dstorage.dll', tasks: () => [] };
  assert.deepEqual(
    protonTasks({}, [...PROTON_STEPS, extra])
      .map((t) => t.title)
      .at(-1),
    'Build dstorage.dll',
  );
});

// The closing message says how to put the module into Proton, and stays on a terminal: listr2's live
// renderer collapses a finished group's output (the message used to be task output and vanished), so
// it is printed after the display has ended. Checked on a real pseudo-terminal (script(1)): nothing
// after the message moves the cursor up or erases. Rebuilds incrementally (seconds once built).
const ESC = String.fromCharCode(0x1b);
const SUMMARY_LINES = [
  /npx ds-kit install --steam/,
  /WINEDLLOVERRIDES="dstorage,dstoragecore=b" %command%/,
  /proton-tool --from DIR/,
];

test('build-proton: the closing message stays on a terminal after the task display ends', {
  timeout: 900_000,
}, async () => {
  const raw = join(tempDir('tty'), 'typescript');
  const env: Record<string, string | undefined> = { ...process.env, TERM: 'xterm-256color' };
  for (const name of ['CI', 'DS_KIT_RENDERER', 'NODE_TEST_CONTEXT']) delete env[name];
  const r = await execa(
    'script',
    ['-qec', `stty cols 120 rows 50 && exec ${process.execPath} ${bin} build-proton`, raw],
    { env, extendEnv: false, reject: false, all: true, cwd: repoRoot },
  );
  const out = readFileSync(raw, 'utf8');
  assert.equal(r.exitCode, 0, `build-proton failed on a terminal:\n${out.slice(-4000)}`);
  assert.ok(out.includes(`${ESC}[?25l`), 'expected the live renderer (it hides the cursor) on a terminal');
  const at = out.lastIndexOf('npx ds-kit install --steam');
  assert.ok(at >= 0, `the closing message is missing:\n${out.slice(-3000)}`);
  // Cursor up, erase line / to end of screen: what the live renderer redraws with.
  const redraws = [...out.matchAll(new RegExp(`${ESC}\\[\\d*[AJ]|${ESC}\\[2K`, 'g'))].map((m) => m.index ?? 0);
  assert.ok(redraws.length > 0, 'expected the live renderer to redraw (the check below would prove nothing)');
  assert.ok(
    redraws.every((i) => i < at),
    `the live display redraws after the closing message (escape at ${Math.max(...redraws)}, message at ${at})`,
  );
  for (const line of SUMMARY_LINES) assert.match(out.slice(at - 500), line);
});

test('build-proton: the closing message is printed once without a terminal', { timeout: 900_000 }, async () => {
  const r = await dsKit(['build-proton'], { DS_KIT_RENDERER: undefined, NODE_TEST_CONTEXT: undefined, CI: 'true' });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.stdout.match(/npx ds-kit install --steam/g)?.length, 1, r.stdout);
  for (const line of SUMMARY_LINES) assert.match(r.stdout, line);
});
