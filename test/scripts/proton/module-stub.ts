// SPDX-License-Identifier: MIT
// A stand-in for the built module for tests that need no Wine run: a real PE dstorage.dll (mingw,
// so install's import check can read it; it imports from kernel32 and msvcrt) and a stand-in .so.
import { execFileSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers.ts';

let built: string | undefined;

function stubDll(): string {
  if (built) return built;
  const dir = tempDir('stub-dll');
  writeFileSync(join(dir, 'stub.c'), '__declspec(dllexport) int DStorageGetFactory(void) { return 0; }\n');
  execFileSync('x86_64-w64-mingw32-gcc', ['-shared', '-O1', '-o', join(dir, 'dstorage.dll'), join(dir, 'stub.c')]);
  built = join(dir, 'dstorage.dll');
  return built;
}

/** A folder holding dstorage.dll (PE) and dstorage.so, as --module-dir takes it. */
export function stubModule(): string {
  const dir = tempDir('module');
  copyFileSync(stubDll(), join(dir, 'dstorage.dll'));
  writeFileSync(join(dir, 'dstorage.so'), '\x7fELF stand-in for the built dstorage.so');
  return dir;
}

/** A DLL named `name` exporting only `exports` (functions returning 0), for a Proton whose Wine lacks something. */
export function dllExporting(path: string, exports: string[]): void {
  const dir = tempDir('dll');
  writeFileSync(join(dir, 'x.c'), exports.map((e) => `__declspec(dllexport) int ${e}(void) { return 0; }\n`).join(''));
  execFileSync('x86_64-w64-mingw32-gcc', [
    '-shared',
    '-nostdlib',
    '-Wl,-e,0',
    '-o',
    join(dir, 'x.dll'),
    join(dir, 'x.c'),
  ]);
  copyFileSync(join(dir, 'x.dll'), path);
}
