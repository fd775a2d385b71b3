// SPDX-License-Identifier: MIT
// The generated PE side (vtables, QueryInterface tables, thunks, fixed results) compiles with mingw
// against Wine's headers, links with the hand-written stubs of fixtures/pe_stubs.c, and behaves
// (fixtures/pe_main.c, run under Wine).
import { test } from 'node:test';
import path from 'node:path';
import { FIXTURES, generateInto, SCRATCH, sh, wine, WINE_PE_LIBS, winePeFlags } from './helpers.ts';

for (const target of ['wine-8.0', 'wine-current']) {
  test(`${target}: PE scaffolding compiles, links against the stub hand-written side and runs`, async () => {
    const gen = await generateInto(`pe-${target}`, { target });
    const root = gen.target(target);
    const sources = [
      path.join(root, 'dlls/dstorage/dstorage_gen.c'),
      path.join(FIXTURES, 'pe_stubs.c'),
      path.join(FIXTURES, 'pe_main.c'),
    ];
    const objects: string[] = [];
    for (const source of sources) {
      const object = path.join(SCRATCH, `pe-${target}-${path.basename(source, '.c')}.o`);
      await sh('x86_64-w64-mingw32-gcc', [
        ...winePeFlags(root, target),
        '-Wall',
        '-Werror',
        '-c',
        source,
        '-o',
        object,
      ]);
      objects.push(object);
    }
    const exe = path.join(SCRATCH, `pe-${target}.exe`);
    await sh('x86_64-w64-mingw32-gcc', [
      '-o',
      exe,
      ...objects,
      ...['ntdll', 'uuid', 'ucrtbase'].map((l) => path.join(WINE_PE_LIBS, `lib${l}.a`)),
    ]);
    await wine(exe);
  });
}
