// SPDX-License-Identifier: MIT
// The Windows test programs of test/wine (every *.c there) and how each runner builds them against
// the module: wine-module.test.ts, wine10.test.ts and the opt-in vkd3d-proton runs.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { Listr } from 'listr2';
import { repoRoot } from '../../scripts/lib/paths.ts';
import { generatedDirs, type WineModuleOptions } from '../../scripts/wine/layout.ts';
import { wineModuleTasks } from '../../scripts/wine/wine-tasks.ts';

export const testDir = join(repoRoot, 'test/wine');

/** Every program's name (test/wine/NAME.c), sorted. */
export const testPrograms: string[] = readdirSync(testDir)
  .filter((f) => f.endsWith('.c'))
  .map((f) => basename(f, '.c'))
  .sort();

/** Compiles each program into outDir/NAME.exe against the module in options.outDir; a compile error
 * fails the caller with the compiler's output. */
export async function compileTestPrograms(
  options: WineModuleOptions,
  outDir: string,
  extraFlags: string[] = [],
  names: string[] = testPrograms,
): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  for (const name of names) {
    const r = await execa(
      'x86_64-w64-mingw32-gcc',
      [
        '-O1',
        '-g',
        '-Wall',
        '-Wno-unused-function',
        '-I',
        generatedDirs(options).include,
        join(testDir, `${name}.c`),
        join(options.outDir, 'dstorage.dll'),
        '-o',
        join(outDir, `${name}.exe`),
        '-ld3d12',
        '-ldxguid',
        ...extraFlags,
      ],
      { reject: false, all: true },
    );
    assert.equal(r.exitCode, 0, `compiling ${name}.c failed:\n${r.all}`);
  }
}

/** The opt-in vkd3d-proton runs: builds the module, puts vkd3d-proton's DLLs (from vkd3dDir) and a
 * copy of dstorage.dll (Wine 8.0 takes the WINEDLLPATH builtin for LoadLibrary only with one on the
 * search path) beside the programs, and compiles them into outDir. */
export async function stageForVkd3dProton(options: WineModuleOptions, vkd3dDir: string, outDir: string): Promise<void> {
  for (const dll of ['d3d12.dll', 'd3d12core.dll'])
    assert.ok(existsSync(join(vkd3dDir, dll)), `DS_KIT_VKD3D_PROTON_DIR=${vkd3dDir} has no ${dll}`);
  await new Listr(wineModuleTasks(options), { renderer: 'silent', exitOnError: true }).run();
  mkdirSync(outDir, { recursive: true });
  for (const dll of ['d3d12.dll', 'd3d12core.dll']) copyFileSync(join(vkd3dDir, dll), join(outDir, dll));
  copyFileSync(join(options.outDir, 'dstorage.dll'), join(outDir, 'dstorage.dll'));
  await compileTestPrograms(options, outDir);
}
