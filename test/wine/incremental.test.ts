// SPDX-License-Identifier: MIT
// The module build is incremental (scripts/wine/wine-tasks.ts over out-of-tree/CMakeLists.txt): with
// nothing changed a second build compiles and links nothing, well inside the 5 s a whole no-op
// `npm run build-proton` may take; a changed module source recompiles that file and relinks its side only.
// Judged from the build logs every step writes (build/logs/wine-module-{pe,unix}-build.log).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { Listr } from 'listr2';
import { defaultOptions, moduleSources, runtimeLibrary } from '../../scripts/wine/layout.ts';
import { repoRoot } from '../../scripts/lib/paths.ts';
import { wineModuleTasks } from '../../scripts/wine/wine-tasks.ts';

const options = defaultOptions();
const skip = process.env.DS_KIT_TEST_FAST ? 'skipped by --fast (DS_KIT_TEST_FAST)' : false;

async function build(): Promise<number> {
  const start = performance.now();
  await new Listr(wineModuleTasks(options), { renderer: 'silent', exitOnError: true }).run();
  return performance.now() - start;
}

const buildLog = (side: 'pe' | 'unix'): string =>
  readFileSync(join(options.logDir, `wine-module-${side}-build.log`), 'utf8');
const compiled = (log: string): string[] =>
  [...log.matchAll(/Building C object \S*\/([^/\s]+)\.c\.o(bj)?\b/g)].map((m) => m[1]);

before(
  async () => {
    if (!skip) await build();
  },
  { timeout: 900_000 },
);

test('with nothing changed, the module step compiles and links nothing, in under 5 s', { skip }, async () => {
  const ms = await build();
  for (const side of ['pe', 'unix'] as const) {
    const log = buildLog(side);
    assert.deepEqual(compiled(log), [], `${side} side recompiled with nothing changed:\n${log}`);
    assert.doesNotMatch(log, /Linking/, `${side} side relinked with nothing changed:\n${log}`);
  }
  assert.ok(ms < 5000, `the no-op module build took ${Math.round(ms)} ms`);
});

test('a changed queue.c recompiles queue.c and relinks dstorage.dll; the Unix side is untouched', {
  skip,
}, async () => {
  const now = new Date();
  utimesSync(join(moduleSources, 'queue.c'), now, now);
  await build();
  const pe = buildLog('pe');
  assert.deepEqual(compiled(pe), ['queue'], `expected queue.c alone to recompile:\n${pe}`);
  assert.match(pe, /Linking dstorage\.dll/, `dstorage.dll was not relinked:\n${pe}`);
  const unix = buildLog('unix');
  assert.deepEqual(compiled(unix), [], `the Unix side recompiled for a PE-side change:\n${unix}`);
  assert.doesNotMatch(unix, /Linking/);
});

test('a changed Unix source recompiles only that file and relinks dstorage.so', { skip }, async () => {
  const now = new Date();
  utimesSync(join(moduleSources, 'unix_file.c'), now, now);
  await build();
  assert.deepEqual(compiled(buildLog('unix')), ['unix_file'], buildLog('unix'));
  assert.match(buildLog('unix'), /Linking C shared module .*dstorage\.so/);
  assert.deepEqual(compiled(buildLog('pe')), [], buildLog('pe'));
});

// A changed runtime source must reach dstorage.so: the runtime's own build tree is brought up to date
// on every module build (it used to be skipped whenever its archive existed, and a stale archive was
// linked).
test('a changed runtime source rebuilds the runtime archive and relinks dstorage.so', { skip }, async () => {
  const archive = runtimeLibrary(options);
  const before = statSync(archive).mtimeMs;
  const now = new Date();
  utimesSync(join(repoRoot, 'runtime/src/names.cpp'), now, now);
  await build();
  assert.ok(statSync(archive).mtimeMs > before, `${archive} was not rebuilt after runtime/src/names.cpp changed`);
  const unix = buildLog('unix');
  assert.match(unix, /Linking C shared module .*dstorage\.so/, `dstorage.so was not relinked:\n${unix}`);
});
