// SPDX-License-Identifier: MIT
// The out-of-tree build's command lines: which sources go to which side, and the flags that make
// the result a loadable builtin (Wine headers on the PE side, ntdll.so on the Unix side).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultOptions, generatedDirs, peCompile, peLink, sources, unixLink, usage } from '../../scripts/wine/layout.ts';

const o = defaultOptions({ outDir: '/tmp/ds-stage' });

test('sources split by the unix_ prefix, hand-written and generated', { skip: !existsSync(generatedDirs(o).dll) && 'run the generator first' }, () => {
  const { pe, unix } = sources(o);
  assert.ok(pe.some((f) => f.endsWith('/dstorage_gen.c')), `expected dstorage_gen.c on the PE side, got ${pe.join(' ')}`);
  assert.ok(pe.some((f) => f.endsWith('/queue.c')), 'expected queue.c on the PE side');
  assert.ok(unix.some((f) => f.endsWith('/unix_translate_gen.c')), 'expected unix_translate_gen.c on the Unix side');
  assert.ok(unix.some((f) => f.endsWith('/unix_queue.c')), 'expected unix_queue.c on the Unix side');
  assert.equal(pe.filter((f) => /\/unix_/.test(f)).length, 0, 'no Unix source on the PE side');
});

test('PE side builds with Wine headers, not mingw ones', () => {
  const args = peCompile(o, 'a.c', 'a.o');
  assert.ok(args.includes('-nostdinc'));
  assert.ok(args.includes(join(o.wineInclude, 'wine/msvcrt')));
  assert.ok(args.some((a) => a.endsWith('out-of-tree')), 'the unixlib.h shim is on the include path');
});

test('links: spec + Wine import libs for the DLL, ntdll.so + runtime for the .so', () => {
  const pe = peLink(o, ['x.o'], 'dstorage.dll');
  assert.ok(pe.some((a) => a.endsWith('dstorage.spec')));
  for (const lib of ['-lntdll', '-lkernel32', '-lwinecrt0']) assert.ok(pe.includes(lib), `missing ${lib}`);
  const unix = unixLink(o, ['y.o'], 'dstorage.so');
  assert.ok(unix.some((a) => a.endsWith('x86_64-unix/ntdll.so')));
  assert.ok(unix.some((a) => a.endsWith('libds_runtime_static.a')));
  assert.ok(unix.includes('-lstdc++'));
});

test('usage names WINEDLLPATH and the builtin-first override', () => {
  const text = usage(o);
  assert.match(text, /WINEDLLPATH=\/tmp\/ds-stage/);
  assert.match(text, /WINEDLLOVERRIDES="dstorage,dstoragecore=b,n"/);
});
