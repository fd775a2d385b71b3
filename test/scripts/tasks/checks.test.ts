// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { checkCommands, cSources, formatTasks } from '../../../scripts/tasks/checks.ts';
import { runCommand } from '../../../scripts/lib/exec.ts';
import { StepError } from '../../../scripts/lib/errors.ts';
import { titles } from '../../../scripts/lib/messages.ts';
import { repoRoot } from '../../../scripts/lib/paths.ts';
import { tempDir, writeFiles } from '../helpers.ts';

test('clang-format covers the runtime, the Wine module and the Windows test programs, not build output', () => {
  const files = cSources();
  for (const f of [
    'runtime/src/queue.cpp',
    'runtime/include/ds_runtime.h',
    'runtime/node/src/addon.cpp',
    'wine-patches/dlls/dstorage/queue.c',
    'test/wine/smoke.c',
  ]) {
    assert.ok(files.includes(f), `${f} is not checked`);
  }
  assert.ok(!files.some((f) => f.includes('/build/') || f.includes('node_modules')), 'build output is checked');
});

test('each tree gets its own style: LLVM-based at 120 columns for runtime/, Wine style at 100 for the module and tests', async () => {
  const style = async (file: string) =>
    (await execa('clang-format', ['--dump-config', file], { cwd: repoRoot })).stdout;
  const runtime = await style('runtime/src/queue.cpp');
  assert.match(runtime, /^ColumnLimit:\s+120$/m);
  assert.match(runtime, /^BreakBeforeBraces:\s+Attach$/m);
  for (const file of ['wine-patches/dlls/dstorage/queue.c', 'test/wine/smoke.c']) {
    const wine = await style(file);
    assert.match(wine, /^ColumnLimit:\s+100$/m, file);
    assert.match(wine, /^BreakBeforeBraces:\s+Allman$/m, file);
    assert.match(wine, /^SortIncludes:\s+Never$/m, file);
  }
});

test('the format check fails on a badly laid out file and names the command that fixes it', async () => {
  const dir = writeFiles(tempDir('format'), {
    '.clang-format': readFileSync(path.join(repoRoot, 'runtime', '.clang-format'), 'utf8'),
  });
  const file = path.join(dir, 'bad.cpp');
  writeFileSync(file, 'int  main( ){return 0;}\n');
  const check = checkCommands.formatC();
  const error = await runCommand(
    { ...check, args: ['--dry-run', '--Werror', file] },
    { step: 'format-c', title: titles.formatCheckC, logDir: dir, verbose: false, report: () => {} },
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof StepError, `expected a StepError, got ${String(error)}`);
  assert.match(error.message, /clang-format exited with code 1/);
  assert.match(error.details, /bad\.cpp:1:\d+: error: code should be clang-formatted/);
  assert.match(error.details, /next: run 'npm run format'/);
});

test('the TypeScript check and ds-kit format --check name npm run format too', async () => {
  const dir = tempDir('format-ts');
  const error = await runCommand(
    {
      ...checkCommands.formatTs(),
      file: 'sh',
      args: ['-c', 'echo "The following files need to be formatted: a.ts"; exit 1', 'biome', 'format'],
    },
    { step: 'format-ts', title: titles.formatCheckTs, logDir: dir, verbose: false, report: () => {} },
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof StepError);
  assert.match(error.message, /biome exited with code 1/);
  assert.match(error.details, /next: run 'npm run format'/);
  assert.deepEqual(
    formatTasks({ logDir: dir, verbose: false }, true).map((t) => t.title),
    [titles.formatCheckTs, titles.formatCheckC],
  );
});
