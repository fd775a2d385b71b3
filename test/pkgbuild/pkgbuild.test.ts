// SPDX-License-Identifier: MIT
// The top-level PKGBUILD with a real makepkg (Debian ships it): .SRCINFO is in sync with
// `makepkg --printsrcinfo`, and a build as an unprivileged user (makepkg refuses root) with --nodeps
// gives a package whose .PKGINFO pins the Wine it was built against, whose file list holds the module in
// this machine's Wine library directory plus ds-runtime's library, headers, CMake config and pkg-config
// file, and whose packaged module passes the Windows test programs of test/wine.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../../scripts/lib/paths.ts';
import { isCI } from '../../scripts/lib/renderer.ts';
import { which } from '../../scripts/lib/tools.ts';
import { findWineLibDir } from '../../scripts/wine/layout.ts';
import { slowSkip } from '../wine-tree/trees.ts';
import { compilePrograms, programs, runProgram, type ProgramRun } from '../wine-tree/wine-programs.ts';

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
const missing = which(['makepkg']) && which(['pacman']) ? false : 'makepkg is not installed (Debian: apt-get install makepkg pacman-package-manager)';
if (missing && isCI(process.env)) throw new Error(`${missing}; CI must run the PKGBUILD tests`);

/** Runs a command as an unprivileged user: nobody when we are root (makepkg refuses root), else ourselves. */
function unprivileged(file: string, args: string[], cwd: string, env: Record<string, string>) {
  const command = asRoot ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), file, ...args] : [file, ...args];
  return execa(command[0], command.slice(1), { cwd, env: asRoot ? undefined : env, reject: false, all: true });
}

function scratch(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ds-kit-${name}-`));
  chmodSync(dir, 0o755);
  if (asRoot) chownSync(dir, NOBODY, NOBODY);
  return dir;
}

test('.SRCINFO is in sync with makepkg --printsrcinfo', { skip: missing }, async () => {
  const home = scratch('home');
  // makepkg insists on writable BUILDDIR/PKGDEST/SRCDEST even when it only prints.
  const r = await unprivileged('makepkg', ['--printsrcinfo'], repoRoot,
    { HOME: home, BUILDDIR: home, PKGDEST: home, SRCDEST: home, PATH: process.env.PATH ?? '' });
  assert.equal(r.exitCode, 0, `makepkg --printsrcinfo failed:\n${r.all}`);
  assert.equal(readFileSync(join(repoRoot, '.SRCINFO'), 'utf8'), `${r.stdout}\n`.replace(/\n+$/, '\n'),
    '.SRCINFO is stale: regenerate it with `makepkg --printsrcinfo > .SRCINFO` (as a non-root user)');
});

const skip = missing || slowSkip();
let pkgFile = '';
let files: string[] = [];
let pkginfo = '';
let extracted = '';
const wineLib = findWineLibDir() ?? '/usr/lib/x86_64-linux-gnu/wine';

before(async () => {
  if (skip) return;
  const work = scratch('makepkg');
  for (const d of ['build', 'pkgdest', 'srcdest', 'home']) {
    mkdirSync(join(work, d));
    if (asRoot) chownSync(join(work, d), NOBODY, NOBODY);
  }
  // check() (the fast test suite) is left to real package builds: it rebuilds and retests the runtime,
  // which the rest of this suite already does.
  const r = await unprivileged('makepkg', ['--nodeps', '--nocheck', '--noconfirm', '--force'], repoRoot, {
    HOME: join(work, 'home'), PATH: process.env.PATH ?? '', BUILDDIR: join(work, 'build'), PKGDEST: join(work, 'pkgdest'),
    SRCDEST: join(work, 'srcdest'), PKGEXT: '.pkg.tar.gz', npm_config_cache: join(work, 'home', '.npm'),
  });
  assert.equal(r.exitCode, 0, `makepkg failed:\n${r.all}`);
  const built = (await execa('ls', [join(work, 'pkgdest')])).stdout.split('\n').filter((f) => f.endsWith('.pkg.tar.gz'));
  assert.equal(built.length, 1, `expected one package in ${join(work, 'pkgdest')}, got ${built.join(', ')}`);
  pkgFile = join(work, 'pkgdest', built[0]);
  files = (await execa('tar', ['-tzf', pkgFile])).stdout.split('\n');
  pkginfo = (await execa('tar', ['-xzOf', pkgFile, '.PKGINFO'])).stdout;
  extracted = join(work, 'root');
  mkdirSync(extracted);
  await execa('tar', ['-xzf', pkgFile, '-C', extracted]);
}, { timeout: 900_000 });

test('.PKGINFO pins the Wine the module was built against', { skip }, async () => {
  const wine = /version (\d+\.\d+(?:\.\d+)?)/.exec((await execa('winebuild', ['--version'])).stdout)?.[1];
  assert.ok(wine, 'cannot read the installed Wine version');
  assert.match(pkginfo, /^pkgname = ds-kit-wine$/m);
  assert.match(pkginfo, new RegExp(`^depend = wine=${wine.replace(/\./g, '\\.')}$`, 'm'), `.PKGINFO:\n${pkginfo}`);
  assert.match(pkginfo, /^provides = ds-runtime$/m);
});

test('the package holds the module in Wine\'s library directory and ds-runtime\'s development files', { skip }, () => {
  const lib = wineLib.replace(/^\//, '');
  for (const f of [`${lib}/x86_64-windows/dstorage.dll`, `${lib}/x86_64-unix/dstorage.so`, 'usr/lib/libds_runtime_static.a',
    'usr/include/ds_runtime.h', 'usr/lib/cmake/ds-runtime/ds-runtime-config.cmake', 'usr/lib/pkgconfig/ds-runtime.pc',
    'usr/share/ds-kit/built-for-wine']) {
    assert.ok(files.includes(f), `${f} missing from ${pkgFile}; files:\n${files.join('\n')}`);
  }
});

let run: ProgramRun | undefined;
test('the packaged module passes the Wine test programs', { skip, timeout: 1_200_000 }, async (t) => {
  const moduleDir = join(extracted, 'flat');
  mkdirSync(moduleDir, { recursive: true });
  copyFileSync(join(extracted, wineLib, 'x86_64-windows/dstorage.dll'), join(moduleDir, 'dstorage.dll'));
  copyFileSync(join(extracted, wineLib, 'x86_64-unix/dstorage.so'), join(moduleDir, 'dstorage.so'));
  const outDir = join(repoRoot, 'build', 'pkgbuild-tests');
  rmSync(outDir, { recursive: true, force: true });
  run = { moduleDir, outDir, includeDir: join(repoRoot, 'build', 'generated', 'wine-8.0', 'include') };
  await compilePrograms(run);
  for (const name of programs()) await t.test(`${name}.exe`, { timeout: 300_000 }, () => runProgram(run as ProgramRun, name));
});
