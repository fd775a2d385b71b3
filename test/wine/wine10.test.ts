// SPDX-License-Identifier: MIT
// One build for every Wine: the dstorage.dll + dstorage.so built here against the installed Wine 8.0
// (Debian bookworm) must pass the test/wine programs under Debian trixie's Wine 10.0 as well. Wine 10
// comes from a minimal Debian trixie made by debootstrap (Debian's packages only; cached under
// /var/cache/ds-kit, or DS_KIT_CHROOT_CACHE, by suite and package list), and the programs run in it
// through test/wine/wine-chroot.sh (bind mounts released on every exit path) and chroot-runner.sh.
// Needs root and debootstrap: without them this test fails and says how to get them; it does not skip.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { Listr } from 'listr2';
import { repoRoot } from '../../scripts/lib/paths.ts';
import { cmakeSource, defaultOptions } from '../../scripts/wine/layout.ts';
import { wineModuleTasks } from '../../scripts/wine/wine-tasks.ts';
import { expectedLines } from './expected-output.ts';
import { compileTestPrograms, testDir, testPrograms } from './programs.ts';
import { chrootScript, ensureTrixie, TRIXIE_SUITE } from './trixie.ts';

const SUITE = TRIXIE_SUITE;
const exeDir = join(repoRoot, 'build/wine10-tests');
const PROGRAM_TIMEOUT_MS = 240_000;
const skip = process.env.DS_KIT_TEST_FAST ? 'skipped by --fast (DS_KIT_TEST_FAST)' : false;

const options = defaultOptions();
const programs = testPrograms;
let root = '';

/** Runs chroot-runner.sh inside the Wine 10 system. */
function inChroot(args: string[], env: Record<string, string> = {}, timeout = PROGRAM_TIMEOUT_MS) {
  return execa(chrootScript, ['run', root, '/ds-kit-test/chroot-runner.sh', ...args], {
    env: { WINEDEBUG: process.env.WINEDEBUG ?? '-all', ...env },
    reject: false,
    all: true,
    timeout,
  });
}

/** Names a PE file imports from ntdll.dll, or exports (objdump -p). */
async function peNames(file: string, what: 'imports-from-ntdll' | 'exports'): Promise<string[]> {
  const r = await execa('x86_64-w64-mingw32-objdump', ['-p', file]);
  if (what === 'exports') {
    const table = r.stdout.split('[Ordinal/Name Pointer] Table')[1] ?? '';
    return [...table.matchAll(/^\s*\[\s*\d+\]\s+(\S+)/gm)].map((m) => m[1]);
  }
  // The block ends at its blank line (what follows can be the next directory entry's hex columns).
  const block = r.stdout.split('DLL Name: ntdll.dll')[1]?.split(/\n\s*\n/)[0] ?? '';
  return [...block.matchAll(/^\s*[0-9a-f]+\s+\d+\s+(\S+)/gm)].map((m) => m[1]);
}

/** Dynamic symbols a shared object defines, or leaves undefined (nm -D). */
async function elfNames(file: string, which: 'defined' | 'undefined'): Promise<string[]> {
  const r = await execa('nm', ['-D', which === 'defined' ? '--defined-only' : '--undefined-only', file]);
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/).pop() ?? '')
    .filter(Boolean)
    .map((s) => s.replace(/@.*$/, ''));
}

/** ntdll.dll / ntdll.so of a Wine installed under `prefix` (Debian's multiarch layout, or upstream's). */
function wineFile(prefix: string, sub: string): string {
  const found = ['usr/lib/x86_64-linux-gnu/wine', 'usr/lib/wine']
    .map((d) => join(prefix, d, sub))
    .find((f) => existsSync(f));
  assert.ok(found, `no ${sub} in the Wine under ${prefix || '/'}`);
  return found;
}

before(
  async () => {
    if (skip) return;
    await new Listr(wineModuleTasks(options), { renderer: 'silent', exitOnError: true }).run();
    rmSync(exeDir, { recursive: true, force: true });
    mkdirSync(exeDir, { recursive: true });
    await compileTestPrograms(options, exeDir);
    root = await ensureTrixie();

    // The very files built above, nothing rebuilt for Wine 10.
    const stage = join(root, 'ds-kit-test');
    rmSync(stage, { recursive: true, force: true });
    mkdirSync(join(stage, 'module'), { recursive: true });
    mkdirSync(join(stage, 'bin'));
    for (const f of ['dstorage.dll', 'dstorage.so']) copyFileSync(join(options.outDir, f), join(stage, 'module', f));
    for (const name of programs) copyFileSync(join(exeDir, `${name}.exe`), join(stage, 'bin', `${name}.exe`));
    copyFileSync(join(testDir, 'chroot-runner.sh'), join(stage, 'chroot-runner.sh'));
    const prefix = await inChroot(['prefix'], {}, 300_000);
    assert.equal(prefix.exitCode, 0, `creating the Wine prefix in the ${SUITE} system failed:\n${prefix.all}`);
  },
  { timeout: 2_400_000 },
);

test(`the ${SUITE} system runs Wine 10.0`, { skip }, async () => {
  const r = await inChroot(['version'], {}, 60_000);
  assert.equal(r.exitCode, 0, r.all);
  assert.match(r.stdout, /^wine-10\.0\b/m, `expected wine-10.0, got ${r.stdout}`);
});

// The abort this test exists for: Wine 8.0's import library binds __wine_unix_call, which Wine >= 9's
// ntdll.dll does not export. Whatever the PE side imports from ntdll.dll must exist in both.
test('dstorage.dll imports from ntdll.dll only what Wine 8.0 and 10.0 both export', { skip }, async () => {
  const imports = await peNames(join(options.outDir, 'dstorage.dll'), 'imports-from-ntdll');
  assert.ok(imports.length > 0, 'expected dstorage.dll to import something from ntdll.dll');
  for (const [wine, prefix] of [
    ['8.0 (this machine)', '/'],
    ['10.0 (trixie)', root],
  ] as const) {
    const exports = new Set(await peNames(wineFile(prefix, 'x86_64-windows/ntdll.dll'), 'exports'));
    const missing = imports.filter((n) => !exports.has(n));
    assert.deepEqual(
      missing,
      [],
      `Wine ${wine}'s ntdll.dll does not export ${missing.join(', ')}, which dstorage.dll imports`,
    );
  }
});

// Wine 8.0's ntdll.so exports these with ms_abi, Wine >= 9's with System V, under the same names: the
// Unix side must not bind them at link time, and every name it looks up at run time must exist in both.
test('dstorage.so binds nothing from ntdll.so at link time; what it looks up there, Wine 8.0 and 10.0 both export', {
  skip,
}, async () => {
  const bound = (await elfNames(join(options.outDir, 'dstorage.so'), 'undefined')).filter((n) => /^(__)?wine_/.test(n));
  assert.deepEqual(
    bound,
    [],
    `dstorage.so binds ${bound.join(', ')} at link time; route them through out-of-tree/unix_wine_abi.c`,
  );
  const shim = readFileSync(join(cmakeSource, 'wine_abi.h'), 'utf8');
  const looked = [...shim.matchAll(/^#define ((?:__)?wine_\w+) dstorage_\w+$/gm)].map((m) => m[1]);
  assert.ok(
    looked.includes('wine_server_handle_to_fd'),
    `expected wine_server_handle_to_fd among ${looked.join(', ')}`,
  );
  for (const [wine, prefix] of [
    ['8.0 (this machine)', '/'],
    ['10.0 (trixie)', root],
  ] as const) {
    const defined = new Set(await elfNames(wineFile(prefix, 'x86_64-unix/ntdll.so'), 'defined'));
    const missing = looked.filter((n) => !defined.has(n));
    assert.deepEqual(
      missing,
      [],
      `Wine ${wine}'s ntdll.so does not export ${missing.join(', ')}, which dstorage.so looks up`,
    );
    // unix_wine_abi.c picks System V where ntdll.so has this symbol and ms_abi where it has not.
    assert.equal(
      defined.has('__wine_unix_call_dispatcher'),
      wine.startsWith('10'),
      `the calling-convention marker __wine_unix_call_dispatcher is ${defined.has('__wine_unix_call_dispatcher') ? '' : 'not '}in Wine ${wine}'s ntdll.so`,
    );
  }
});

for (const name of programs) {
  test(`${name}.exe under Wine 10.0 with the module built against Wine 8.0`, {
    skip,
    timeout: PROGRAM_TIMEOUT_MS + 30_000,
  }, async () => {
    const r = await inChroot(['program', name]);
    const out = r.all ?? '';
    assert.ok(
      !r.timedOut,
      `${name}.exe ran past ${PROGRAM_TIMEOUT_MS / 1000} s under Wine 10.0 (hang?); output:\n${out}`,
    );
    assert.equal(r.exitCode, 0, `${name}.exe exited ${r.exitCode} under Wine 10.0; output:\n${out}`);
    assert.match(
      out,
      new RegExp(`${name}: all checks passed`),
      `${name}.exe did not report success under Wine 10.0; output:\n${out}`,
    );
    for (const line of expectedLines[name] ?? [])
      assert.match(out, line, `${name}.exe output lacks ${line} under Wine 10.0:\n${out}`);
  });
}
