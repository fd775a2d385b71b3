// SPDX-License-Identifier: MIT
// C++ programs written against Microsoft's dstorage.h combine DSTORAGE_DEBUG and
// DSTORAGE_COMPRESSION_SUPPORT flags with | (DEFINE_ENUM_FLAG_OPERATORS); the generated header must
// compile them too, and the combined values must be right.
import { test } from 'node:test';
import path from 'node:path';
import { FIXTURES, generateInto, SCRATCH, sh, wine } from './helpers.ts';

for (const sdk of ['1.3', '1.0']) {
  test(`dstorage.h (SDK ${sdk}) gives C++ the flag operators of DSTORAGE_DEBUG and DSTORAGE_COMPRESSION_SUPPORT`, async () => {
    const gen = await generateInto(`enum-flags-${sdk}`, { target: 'wine-8.0', sdk });
    const exe = path.join(SCRATCH, `enum-flags-${sdk}.exe`);
    await sh('x86_64-w64-mingw32-g++', [
      '-Wall',
      '-Wextra',
      '-Werror',
      `-I${path.join(gen.target('wine-8.0'), 'include')}`,
      path.join(FIXTURES, 'enum_flags_check.cpp'),
      '-o',
      exe,
    ]);
    await wine(exe); // exits non-zero when a combined value is wrong
  });
}
