// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cmakeProgress, commandLine, ctestProgress, runCommand } from '../../../scripts/lib/exec.ts';
import { StepError } from '../../../scripts/lib/errors.ts';
import { tempDir } from '../helpers.ts';

const quiet = { verbose: false, report: () => {} };

test('a failing command becomes a StepError naming the step, the log and its last lines', async () => {
  const logDir = tempDir('exec');
  const script = 'for i in $(seq 1 30); do echo line $i; done; echo "error: broken" >&2; exit 3';
  const error = await runCommand(
    { tool: 'cmake', file: 'sh', args: ['-c', script] },
    { ...quiet, step: 'demo-step', title: 'Demo step', logDir },
  ).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof StepError, `expected StepError, got ${String(error)}`);
  const logPath = path.join(logDir, 'demo-step.log');
  assert.match(error.message, /^Demo step failed \(exit code 3\); full log: /);
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
  ).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof StepError);
  assert.match(error.message, /'ds-kit-no-such-program' was not found/);
  assert.match(error.details, /install-deps\.sh/);
});

test('progress lines reach the task, the rest only the log', async () => {
  const seen: string[] = [];
  await runCommand(
    { tool: 'cmake', file: 'sh', args: ['-c', 'echo noise; echo "[ 50%] Building CXX object a.o"; echo "Linking CXX executable t"'] },
    { verbose: false, report: (l) => seen.push(l), progress: cmakeProgress(), step: 'progress', title: 'Progress', logDir: tempDir('exec') },
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
  assert.equal(ctestProgress('1/4 Test #2: queue_test .......   Passed    0.10 sec'), '1/4 Test #2: queue_test … Passed    0.10 sec');
  assert.equal(ctestProgress('Start 1: queue_test'), undefined);
  assert.equal(commandLine({ tool: 'ctest', file: 'ctest', args: ['-L', 'concurrency'] }), 'ctest -L concurrency');
});

test('a failed ctest run names the failing tests and how to re-run one', async () => {
  const script = 'echo "The following tests FAILED:"; printf "\\t  4 - io_uring_read_test (Timeout)\\n"; exit 8';
  const error = await runCommand(
    { tool: 'ctest', file: 'sh', args: ['-c', script, '--test-dir', 'build/runtime/release'] },
    { ...quiet, step: 'ctest', title: 'Run ctest', logDir: tempDir('exec') },
  ).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof StepError);
  assert.match(error.details, /next: failed: io_uring_read_test \(Timeout\); re-run one alone with 'ctest --test-dir build\/runtime\/release -R '\^io_uring_read_test\$'/);
});
