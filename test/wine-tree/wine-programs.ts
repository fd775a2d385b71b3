// SPDX-License-Identifier: MIT
// The Windows test programs of test/wine (*.c), compiled with mingw against the generated dstorage.h
// and run under the installed Wine with a given dstorage.dll + dstorage.so directory as WINEDLLPATH:
// the same checks as test/wine/wine-module.test.ts, pointed at a module built in a tree or packaged.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { execa } from 'execa';
import { generate } from '../../scripts/generate/index.ts';
import { repoRoot } from '../../scripts/lib/paths.ts';
import { expectedLines } from '../wine/expected-output.ts';

const programDir = join(repoRoot, 'test/wine');
const PROGRAM_TIMEOUT_MS = 240_000;

export const programs = (): string[] =>
  readdirSync(programDir)
    .filter((f) => f.endsWith('.c'))
    .map((f) => basename(f, '.c'))
    .sort();

export interface ProgramRun {
  /** Holds dstorage.dll and dstorage.so (WINEDLLPATH). */
  moduleDir: string;
  /** Where the .exe files and the Wine prefix go. */
  outDir: string;
  /** build/generated/<target>/include, for dstorage.h. */
  includeDir: string;
}

const wineEnv = (r: ProgramRun): Record<string, string> => ({
  WINEPREFIX: join(r.outDir, 'prefix'),
  WINEDEBUG: process.env.WINEDEBUG ?? '-all',
  WINEDLLOVERRIDES: 'dstorage,dstoragecore=b,n',
  WINEDLLPATH: r.moduleDir,
});

export async function compilePrograms(r: ProgramRun): Promise<void> {
  mkdirSync(r.outDir, { recursive: true });
  // The programs need the generated dstorage.h; a test running first on a clean clone must
  // not depend on another test having generated it.
  if (!existsSync(join(r.includeDir, 'dstorage.h'))) {
    const targetDir = dirname(r.includeDir);
    await generate({ out: dirname(targetDir), target: basename(targetDir) });
  }
  for (const name of programs()) {
    const out = await execa(
      'x86_64-w64-mingw32-gcc',
      [
        '-O1',
        '-g',
        '-Wall',
        '-Wno-unused-function',
        '-I',
        r.includeDir,
        join(programDir, `${name}.c`),
        join(r.moduleDir, 'dstorage.dll'),
        '-o',
        join(r.outDir, `${name}.exe`),
        '-ld3d12',
        '-ldxguid',
      ],
      { reject: false, all: true },
    );
    assert.equal(out.exitCode, 0, `compiling ${name}.c failed:\n${out.all}`);
  }
  if (!existsSync(join(r.outDir, 'prefix', 'system.reg'))) {
    const boot = await execa('wineboot', ['-i'], { env: wineEnv(r), reject: false, all: true, timeout: 120_000 });
    assert.equal(boot.exitCode, 0, `creating the Wine prefix failed:\n${boot.all}`);
  }
}

/** Runs one program; asserts it exits 0 and reports "<name>: all checks passed". */
export async function runProgram(r: ProgramRun, name: string): Promise<void> {
  const out = await execa('xvfb-run', ['-a', 'wine', join(r.outDir, `${name}.exe`)], {
    env: wineEnv(r),
    reject: false,
    all: true,
    timeout: PROGRAM_TIMEOUT_MS,
  });
  const text = out.all ?? '';
  assert.ok(!out.timedOut, `${name}.exe ran past ${PROGRAM_TIMEOUT_MS / 1000} s (hang?); output:\n${text}`);
  assert.equal(
    out.exitCode,
    0,
    `${name}.exe exited ${out.exitCode} with the module from ${r.moduleDir}; output:\n${text}`,
  );
  assert.match(text, new RegExp(`${name}: all checks passed`), `${name}.exe did not report success; output:\n${text}`);
  for (const line of expectedLines[name] ?? []) assert.match(text, line, `${name}.exe output lacks ${line}:\n${text}`);
}

/** The DLL's export names (winedump), its format (objdump -f) and whether winebuild marked it builtin. */
export async function dllFacts(dll: string): Promise<{ exports: string[]; format: string; builtin: boolean }> {
  const dump = await execa('winedump', ['-j', 'export', dll], { all: true });
  const exports = [...(dump.all ?? '').matchAll(/^\s+[0-9A-F]{8}\s+\d+\s+(\w+)/gm)].map((m) => m[1]).sort();
  const format = /file format (\S+)/.exec((await execa('objdump', ['-f', dll])).stdout)?.[1] ?? 'unknown';
  // winebuild --builtin writes "Wine builtin DLL" right after the DOS header (offset 0x40).
  const builtin = readFileSync(dll).subarray(0x40, 0x60).toString('latin1').includes('Wine builtin DLL');
  return { exports, format, builtin };
}
