// SPDX-License-Identifier: MIT
// The out-of-tree build's CMake command lines (scripts/wine/layout.ts), and how a missing compiler is
// reported (scripts/wine/wine-tasks.ts): named, with the install hint, and a log like every step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StepError } from '../../scripts/lib/errors.ts';
import { hints } from '../../scripts/lib/messages.ts';
import {
  cmakeSource,
  configureArgs,
  defaultOptions,
  sideBuildDir,
  toolchainFile,
  usage,
} from '../../scripts/wine/layout.ts';
import { requireTools } from '../../scripts/wine/wine-tasks.ts';

const o = defaultOptions({ outDir: '/tmp/ds-stage' });

test('each side has its own CMake build directory over the one CMakeLists.txt', () => {
  for (const side of ['pe', 'unix'] as const) {
    const args = configureArgs(o, side, 'Ninja');
    assert.deepEqual(args.slice(0, 4), ['-S', cmakeSource, '-B', sideBuildDir(o, side)]);
    assert.ok(args.includes(`-DDSTORAGE_SIDE=${side}`));
    assert.ok(args.includes('-DDSTORAGE_OUTPUT_DIR=/tmp/ds-stage'));
  }
  assert.notEqual(sideBuildDir(o, 'pe'), sideBuildDir(o, 'unix'));
  assert.ok(existsSync(join(cmakeSource, 'CMakeLists.txt')));
});

test('the PE side uses the MinGW toolchain file; the Unix side links ds-runtime', () => {
  const pe = configureArgs(o, 'pe', 'Ninja');
  assert.ok(pe.includes(`-DCMAKE_TOOLCHAIN_FILE=${toolchainFile}`));
  assert.ok(existsSync(toolchainFile), `${toolchainFile} is missing`);
  assert.ok(!pe.some((a) => a.startsWith('-DDS_RUNTIME_LIBRARY')));
  const unix = configureArgs(o, 'unix', 'Ninja');
  assert.ok(unix.some((a) => /^-DDS_RUNTIME_LIBRARY=.*libds_runtime_static\.a$/.test(a)));
  assert.ok(!unix.some((a) => a.startsWith('-DCMAKE_TOOLCHAIN_FILE')));
});

test('Wine is found by CMake unless --wine-prefix / --wine-lib say where', () => {
  assert.ok(!configureArgs(o, 'pe').some((a) => a.startsWith('-DWINE_')), 'no Wine path is assumed by default');
  const custom = defaultOptions({ winePrefix: '/opt/wine', wineLibDir: '/opt/wine/lib64/wine' });
  for (const side of ['pe', 'unix'] as const) {
    const args = configureArgs(custom, side);
    assert.ok(args.includes('-DWINE_PREFIX=/opt/wine'));
    assert.ok(args.includes('-DWINE_LIB_DIR=/opt/wine/lib64/wine'));
  }
});

test('a missing compiler fails like any missing tool: named, with the install hint and a log', () => {
  const logDir = mkdtempSync(join(tmpdir(), 'ds-wine-tools-'));
  const title = 'dstorage.dll (PE side, MinGW)';
  assert.throws(
    () => requireTools(['x86_64-w64-mingw32-gcc-that-is-not-installed'], title, logDir, 'wine-module-pe-configure'),
    (e: unknown) => {
      assert.ok(e instanceof StepError, `expected a StepError, got ${String(e)}`);
      assert.match(e.message, /'x86_64-w64-mingw32-gcc-that-is-not-installed' was not found/);
      assert.match(e.details, new RegExp(hints.installDeps.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      assert.doesNotMatch(e.details, /exited undefined|\n\s+at /);
      return true;
    },
  );
  assert.match(readFileSync(join(logDir, 'wine-module-pe-configure.log'), 'utf8'), /was not found/);
  assert.doesNotThrow(() => requireTools(['sh'], title, logDir, 'wine-module-pe-configure'));
});

test('usage names WINEDLLPATH and the builtin-first override', () => {
  const text = usage(o, '/usr/lib/wine');
  assert.match(text, /WINEDLLPATH=\/tmp\/ds-stage/);
  assert.match(text, /WINEDLLOVERRIDES="dstorage,dstoragecore=b,n"/);
  assert.match(text, /copies into \/usr\/lib\/wine/);
});
