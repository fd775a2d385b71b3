// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { capture, cmakeProgress, commandLine, ctestProgress, runCommand, toolOf } from '../../../scripts/lib/exec.ts';
import { repoRoot } from '../../../scripts/lib/paths.ts';
import { StepError } from '../../../scripts/lib/errors.ts';
import { tempDir } from '../helpers.ts';

const quiet = { verbose: false, report: () => {} };

test('a failing command becomes a StepError naming the step, the log and its last lines', async () => {
  const logDir = tempDir('exec');
  const script = 'for i in $(seq 1 30); do echo line $i; done; echo "error: broken" >&2; exit 3';
  const error = await runCommand(
    { tool: 'cmake', file: 'sh', args: ['-c', script] },
    { ...quiet, step: 'demo-step', title: 'Demo step', logDir },
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof StepError, `expected StepError, got ${String(error)}`);
  const logPath = path.join(logDir, 'demo-step.log');
  assert.match(error.message, /^Demo step failed \(cmake exited with code 3\); full log: /);
  assert.ok(error.message.includes(logPath), `expected ${logPath} in: ${error.message}`);
  assert.match(error.details, /line 30/);
  assert.match(error.details, /error: broken/);
  assert.doesNotMatch(error.details, /line 10\b/, 'only the last 20 lines are shown');
  assert.match(error.details, /next: /);
  const log = readFileSync(logPath, 'utf8');
  assert.match(log, /^\$ sh -c /);
  assert.match(log, /line 1\n/);
});

test('a missing program says to install it', async () => {
  const error = await runCommand(
    { tool: 'cmake', file: 'ds-kit-no-such-program', args: [] },
    { ...quiet, step: 'missing', title: 'Missing tool', logDir: tempDir('exec') },
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof StepError);
  assert.match(error.message, /'ds-kit-no-such-program' was not found/);
  assert.match(error.details, /install-deps\.sh/);
});

test('progress lines reach the task, the rest only the log', async () => {
  const seen: string[] = [];
  await runCommand(
    {
      tool: 'cmake',
      file: 'sh',
      args: ['-c', 'echo noise; echo "[ 50%] Building CXX object a.o"; echo "Linking CXX executable t"'],
    },
    {
      verbose: false,
      report: (l) => seen.push(l),
      progress: cmakeProgress(),
      step: 'progress',
      title: 'Progress',
      logDir: tempDir('exec'),
    },
  );
  assert.deepEqual(seen, ['[ 50%] Building CXX object a.o', '[ 50%] Linking CXX executable t']);
});

test('--verbose shows the command line first', async () => {
  const seen: string[] = [];
  await runCommand(
    { tool: 'node', file: 'true', args: [], env: { FOO: 'a b' } },
    { verbose: true, report: (l) => seen.push(l), step: 'verbose', title: 'Verbose', logDir: tempDir('exec') },
  );
  assert.deepEqual(seen, ["$ FOO='a b' true"]);
});

test('ctest progress keeps the test lines', () => {
  assert.equal(
    ctestProgress('1/4 Test #2: queue_test .......   Passed    0.10 sec'),
    '1/4 Test #2: queue_test … Passed    0.10 sec',
  );
  assert.equal(ctestProgress('Start 1: queue_test'), undefined);
  assert.equal(commandLine({ tool: 'ctest', file: 'ctest', args: ['-L', 'concurrency'] }), 'ctest -L concurrency');
});

test('a failed ctest run names the failing tests and how to re-run one', async () => {
  const script = 'echo "The following tests FAILED:"; printf "\\t  4 - io_uring_read_test (Timeout)\\n"; exit 8';
  const error = await runCommand(
    { tool: 'ctest', file: 'sh', args: ['-c', script, '--test-dir', 'build/runtime/release'] },
    { ...quiet, step: 'ctest', title: 'Run ctest', logDir: tempDir('exec') },
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof StepError);
  assert.match(
    error.details,
    /next: failed: io_uring_read_test \(Timeout\); re-run one alone with 'ctest --test-dir build\/runtime\/release -R '\^io_uring_read_test\$'/,
  );
});

test('a command is reported under its program: configure, make and autoreconf are not "node"', async () => {
  const dir = tempDir('exec-label');
  const configure = path.join(dir, 'configure');
  writeFileSync(configure, '#!/bin/sh\necho "checking for gcc... no"\nexit 1\n');
  chmodSync(configure, 0o755);
  const error = await runCommand(
    { file: configure, args: ['--enable-win64'], cwd: dir },
    { ...quiet, step: 'configure', title: 'configure the tree', logDir: dir },
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof StepError);
  assert.match(error.message, /^configure the tree failed \(configure exited with code 1\)/);
  assert.match(error.details, /next: configure stopped at the check printed last/);
  assert.equal(toolOf({ file: 'make' }), 'make');
  assert.equal(toolOf({ file: '/usr/bin/autoreconf' }), 'autoreconf');
  assert.equal(toolOf({ file: process.execPath }), 'node');
  assert.equal(toolOf({ tool: 'node-gyp', file: process.execPath }), 'node-gyp');
});

test('a make failure points at the first error, under the name make', async () => {
  const dir = tempDir('exec-make');
  const error = await runCommand(
    { tool: 'make', file: 'sh', args: ['-c', 'echo "foo.c:1: error: nope"; exit 2'] },
    { ...quiet, step: 'make', title: 'make dlls/dstorage', logDir: dir },
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof StepError);
  assert.match(error.message, /\(make exited with code 2\)/);
  assert.match(error.details, /next: fix the first 'error:'/);
});

test('capture hands back the output and the exit status', async () => {
  const ok = await capture({ file: 'sh', args: ['-c', 'echo out; echo err >&2'] });
  assert.equal(ok.ok, true);
  assert.equal(ok.stdout, 'out');
  assert.equal(ok.stderr, 'err');
  assert.match(ok.all, /out\nerr|err\nout/);
  const failed = await capture({ file: 'sh', args: ['-c', 'exit 4'] });
  assert.equal(failed.ok, false);
  assert.equal(failed.exitCode, 4);
});

test('capture of a missing program says which one and how to install it', async () => {
  const error = await capture({ file: 'ds-kit-no-such-program', args: ['x'] }, { title: 'Probe' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof StepError, `expected StepError, got ${String(error)}`);
  assert.match(error.message, /^Probe failed \('ds-kit-no-such-program' was not found\)/);
  assert.match(error.details, /install-deps\.sh/);
});

test('no file under scripts/ starts a subprocess except through scripts/lib/exec.ts', () => {
  // scripts/wine/wine-tasks.ts is being replaced by the module's CMake build on another branch,
  // which runs its commands through runCommand; take it off this list when that lands.
  const pending = new Set<string>();
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (/\.[cm]?[jt]s$/.test(entry.name) && rel !== 'scripts/lib/exec.ts' && !pending.has(rel)) {
        const source = readFileSync(path.join(repoRoot, rel), 'utf8');
        if (/from ['"](execa|node:child_process|child_process)['"]/.test(source)) offenders.push(rel);
      }
    }
  };
  walk('scripts');
  assert.deepEqual(offenders, [], 'run these commands through runCommand or capture from scripts/lib/exec.ts');
});
