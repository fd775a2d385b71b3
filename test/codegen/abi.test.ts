// SPDX-License-Identifier: MIT
// The generated dstorage.h against Microsoft's x64 layout (fixtures/abi_check.c carries the expected
// numbers independently of the spec): compiled as C and as C++ with mingw, run under Wine.
import { test } from 'node:test';
import path from 'node:path';
import { FIXTURES, generateInto, SCRATCH, sh, wine } from './helpers.ts';

for (const sdk of ['1.4', '1.3', '1.0']) {
  for (const lang of ['c', 'c++']) {
    test(`dstorage.h (SDK ${sdk}) has Microsoft's layout, IIDs and vtable slots in ${lang}`, async () => {
      const gen = await generateInto(`abi-${sdk}`, { target: 'wine-8.0', sdk });
      const exe = path.join(SCRATCH, `abi-${sdk}-${lang}.exe`);
      const compiler = lang === 'c' ? 'x86_64-w64-mingw32-gcc' : 'x86_64-w64-mingw32-g++';
      await sh(compiler, [
        '-x',
        lang,
        '-Wall',
        '-Wextra',
        '-Werror',
        ...(sdk === '1.0' ? ['-DABI_SDK_1_0'] : []),
        ...(sdk === '1.4' ? ['-DABI_SDK_1_4'] : []),
        `-I${path.join(gen.target('wine-8.0'), 'include')}`,
        path.join(FIXTURES, 'abi_check.c'),
        '-o',
        exe,
      ]);
      await wine(exe); // exits non-zero on any failed byte/IID check
    });
  }
}
