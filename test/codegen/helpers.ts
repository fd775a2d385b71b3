// SPDX-License-Identifier: MIT
// Shared by the codegen tests: generating into a scratch folder, compiling, running under Wine.
import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generate } from '../../scripts/generate/index.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(ROOT, 'test/codegen/fixtures');
export const SCRATCH = path.join(ROOT, 'build/codegen-test');
export const WINE_HEADERS = '/usr/include/wine/wine/windows';
export const WINE_PE_LIBS = '/usr/lib/x86_64-linux-gnu/wine/x86_64-windows';
const run = promisify(execFile);

/** Generates into build/codegen-test/<name>/ (fresh) and returns the root of each target. */
export async function generateInto(name: string, options: { target?: string; sdk?: string } = {}) {
  const out = path.join(SCRATCH, name);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const { files } = await generate({ out, ...options });
  return { out, files, target: (t: string) => path.join(out, t) };
}

/** Runs a command; on failure throws with its output so the test report shows the compiler's message. */
export async function sh(file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  try {
    return await run(file, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, maxBuffer: 16 << 20 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    throw new Error(`${file} ${args.join(' ')} failed (exit ${e.code}):\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** Runs a Windows .exe under Wine in a prefix under build/ (the first start takes 30-60 s). */
export async function wine(exe: string) {
  const prefix = path.join(ROOT, 'build/codegen-wineprefix');
  await mkdir(prefix, { recursive: true });
  return sh('wine', [exe], { env: { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all' } });
}

/** mingw flags that compile PE code against Wine's own headers, as a Wine tree build does. */
export function winePeFlags(targetRoot: string, target: string): string[] {
  return [
    '-nostdinc',
    '-isystem',
    '/usr/lib/gcc/x86_64-w64-mingw32/12-win32/include',
    '-I/usr/include/wine/wine/msvcrt',
    `-I${WINE_HEADERS}`,
    '-D__WINESRC__',
    ...(target === 'wine-current' ? ['-DDSKIT_TEST_WINE_CURRENT'] : []),
    ...generatedIncludes(targetRoot),
    '-I/usr/include/wine',
  ];
}

/** Native gcc flags for the Unix side: Wine's Windows headers, ds_runtime.h, the generated headers. */
export function unixFlags(targetRoot: string): string[] {
  return [
    '-Wall',
    '-Wextra',
    '-Werror',
    ...generatedIncludes(targetRoot),
    `-I${WINE_HEADERS}`,
    `-I${path.join(ROOT, 'runtime/include')}`,
  ];
}

function generatedIncludes(targetRoot: string): string[] {
  return [
    `-I${path.join(targetRoot, 'include')}`,
    `-I${path.join(targetRoot, 'dlls/dstorage')}`,
    `-I${path.join(FIXTURES, 'include')}`,
  ];
}
