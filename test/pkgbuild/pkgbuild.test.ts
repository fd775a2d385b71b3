// SPDX-License-Identifier: MIT
// The top-level PKGBUILD with a real makepkg (Debian ships it): .SRCINFO is in sync with
// `makepkg --printsrcinfo`, and a build as an unprivileged user (makepkg refuses root) with --nodeps from
// a release tarball of this checkout (made as a release makes it; its sha256 put into a copy of the
// PKGBUILD, which makepkg verifies) gives two packages: ds-kit-wine (depends on wine>=8.0; the module in
// this machine's Wine library directory, with no build path in the PE file; the license files) and
// ds-runtime (library, headers, CMake config, pkg-config file). The packaged module passes the Windows
// test programs of test/wine, and the packaged ds-runtime.pc alone links a shared object.
// PKGBUILD.local (builds from the checkout) runs its prepare().
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../../scripts/lib/paths.ts';
import { isCI } from '../../scripts/lib/renderer.ts';
import { which } from '../../scripts/lib/tools.ts';
import { findWineLibDir } from '../../scripts/wine/layout.ts';
import { slowSkip } from '../wine-tree/trees.ts';
import { compilePrograms, programs, runProgram, type ProgramRun } from '../wine-tree/wine-programs.ts';

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
const missing =
  which(['makepkg']) && which(['pacman'])
    ? false
    : 'makepkg is not installed (Debian: apt-get install makepkg pacman-package-manager)';
if (missing && isCI(process.env)) throw new Error(`${missing}; CI must run the PKGBUILD tests`);

/** Runs a command as an unprivileged user: nobody when we are root (makepkg refuses root), else ourselves. */
function unprivileged(file: string, args: string[], cwd: string, env: Record<string, string>) {
  const command = asRoot
    ? [
        'setpriv',
        `--reuid=${NOBODY}`,
        `--regid=${NOBODY}`,
        '--clear-groups',
        'env',
        ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
        file,
        ...args,
      ]
    : [file, ...args];
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
  const r = await unprivileged('makepkg', ['--printsrcinfo'], repoRoot, {
    HOME: home,
    BUILDDIR: home,
    PKGDEST: home,
    SRCDEST: home,
    PATH: process.env.PATH ?? '',
  });
  assert.equal(r.exitCode, 0, `makepkg --printsrcinfo failed:\n${r.all}`);
  assert.equal(
    readFileSync(join(repoRoot, '.SRCINFO'), 'utf8'),
    `${r.stdout}\n`.replace(/\n+$/, '\n'),
    '.SRCINFO is stale: regenerate it with `makepkg --printsrcinfo > .SRCINFO` (as a non-root user)',
  );
});

const skip = missing || slowSkip();
const pkgver = /^pkgver=(\S+)$/m.exec(readFileSync(join(repoRoot, 'PKGBUILD'), 'utf8'))?.[1] ?? '';
const packages: Record<string, { file: string; files: string[]; pkginfo: string; root: string }> = {};
let work = '';
const wineLib = findWineLibDir() ?? '/usr/lib/x86_64-linux-gnu/wine';
/** Files of the repository that exist (tracked or new, not ignored): what a release tarball holds. */
async function releaseFiles(): Promise<string[]> {
  const listed = (
    await execa('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot })
  ).stdout.split('\0');
  return listed.filter((f) => f && existsSync(join(repoRoot, f)));
}

/** ds-kit-<ver>.tar.gz with everything under ds-kit-<ver>/, as `git archive --prefix` makes the release asset. */
async function releaseTarball(dest: string): Promise<string> {
  const list = join(dirname(dest), 'release-files');
  writeFileSync(list, `${(await releaseFiles()).join('\0')}\0`);
  await execa('tar', [
    '-C',
    repoRoot,
    '--null',
    '-T',
    list,
    '--transform',
    `s,^,ds-kit-${pkgver}/,`,
    '--owner=0',
    '--group=0',
    '-czf',
    dest,
  ]);
  return createHash('sha256').update(readFileSync(dest)).digest('hex');
}

before(
  async () => {
    if (skip) return;
    work = scratch('makepkg');
    for (const d of ['build', 'pkgdest', 'srcdest', 'home', 'recipe']) mkdirSync(join(work, d));
    const sum = await releaseTarball(join(work, 'srcdest', `ds-kit-${pkgver}.tar.gz`));
    const recipe = readFileSync(join(repoRoot, 'PKGBUILD'), 'utf8').replace(
      /^sha256sums=\('[0-9a-f]{64}'\)$/m,
      `sha256sums=('${sum}')`,
    );
    assert.match(
      recipe,
      new RegExp(`sha256sums=\\('${sum}'\\)`),
      'the PKGBUILD has no single sha256sums entry to check the tarball against',
    );
    writeFileSync(join(work, 'recipe', 'PKGBUILD'), recipe);
    // prepare() runs `npm ci --prefer-offline`: seed the build user's npm cache from ours, so no network is needed.
    const cache = (await execa('npm', ['config', 'get', 'cache'])).stdout.trim();
    if (existsSync(cache)) await execa('cp', ['-a', '--reflink=auto', cache, join(work, 'home', '.npm')]);
    if (asRoot) await execa('chown', ['-R', `${NOBODY}:${NOBODY}`, work]);
    // check() (the fast test suite) is left to real package builds: it rebuilds and retests the runtime,
    // which the rest of this suite already does.
    const r = await unprivileged('makepkg', ['--nodeps', '--nocheck', '--noconfirm', '--force'], join(work, 'recipe'), {
      HOME: join(work, 'home'),
      PATH: process.env.PATH ?? '',
      BUILDDIR: join(work, 'build'),
      PKGDEST: join(work, 'pkgdest'),
      SRCDEST: join(work, 'srcdest'),
      PKGEXT: '.pkg.tar.gz',
      npm_config_cache: join(work, 'home', '.npm'),
    });
    assert.equal(r.exitCode, 0, `makepkg failed:\n${r.all}`);
    assert.match(
      r.all ?? '',
      /ds-kit-[\d.]+\.tar\.gz \.\.\. Passed/,
      `makepkg did not verify the tarball's checksum:\n${r.all}`,
    );
    const built = (await execa('ls', [join(work, 'pkgdest')])).stdout
      .split('\n')
      .filter((f) => f.endsWith('.pkg.tar.gz'));
    assert.deepEqual(
      built.map((f) => f.replace(/-[^-]+-[^-]+-[^-]+\.pkg\.tar\.gz$/, '')).sort(),
      ['ds-kit-wine', 'ds-runtime'],
      `expected the packages ds-kit-wine and ds-runtime in ${join(work, 'pkgdest')}, got ${built.join(', ')}`,
    );
    for (const f of built) {
      const file = join(work, 'pkgdest', f);
      const root = join(work, 'root', f);
      mkdirSync(root, { recursive: true });
      await execa('tar', ['-xzf', file, '-C', root]);
      packages[f.replace(/-[^-]+-[^-]+-[^-]+\.pkg\.tar\.gz$/, '')] = {
        file,
        root,
        files: (await execa('tar', ['-tzf', file])).stdout.split('\n'),
        pkginfo: readFileSync(join(root, '.PKGINFO'), 'utf8'),
      };
    }
  },
  { timeout: 1_800_000 },
);

test("ds-kit-wine depends on wine>=8.0 (not one exact Wine) and carries the module's two licenses", { skip }, () => {
  const { pkginfo } = packages['ds-kit-wine'];
  assert.match(pkginfo, /^pkgname = ds-kit-wine$/m);
  assert.match(pkginfo, /^pkgbase = ds-kit$/m);
  assert.match(pkginfo, /^depend = wine>=8\.0$/m, `.PKGINFO:\n${pkginfo}`);
  assert.doesNotMatch(pkginfo, /^depend = wine=/m, 'wine is pinned to one version');
  assert.match(pkginfo, /^license = MIT$/m);
  assert.match(pkginfo, /^license = LGPL-2\.1-or-later$/m);
});

test("ds-kit-wine holds the module in Wine's library directory, and each license file the sources have", {
  skip,
}, () => {
  const { files, file } = packages['ds-kit-wine'];
  const lib = wineLib.replace(/^\//, '');
  for (const f of [
    `${lib}/x86_64-windows/dstorage.dll`,
    `${lib}/x86_64-unix/dstorage.so`,
    'usr/share/ds-kit/built-for-wine',
  ]) {
    assert.ok(files.includes(f), `${f} missing from ${file}; files:\n${files.join('\n')}`);
  }
  assert.ok(
    !files.some((f) => f.startsWith('usr/lib/libds_runtime') || f.startsWith('usr/include/')),
    "ds-runtime's files belong to the ds-runtime package",
  );
  for (const [source, name] of [
    ['LICENSE', 'LICENSE'],
    ['wine-patches/dlls/dstorage/COPYING', 'COPYING'],
  ]) {
    if (existsSync(join(repoRoot, source)))
      assert.ok(
        files.includes(`usr/share/licenses/ds-kit-wine/${name}`),
        `${source} is not installed as a license of ds-kit-wine`,
      );
  }
});

test('ds-runtime is its own package: static library, headers, CMake config, pkg-config file, license', { skip }, () => {
  const { files, file, pkginfo } = packages['ds-runtime'];
  assert.match(pkginfo, /^pkgname = ds-runtime$/m);
  assert.match(pkginfo, /^license = MIT$/m);
  for (const f of [
    'usr/lib/libds_runtime_static.a',
    'usr/include/ds_runtime.h',
    'usr/lib/cmake/ds-runtime/ds-runtime-config.cmake',
    'usr/lib/pkgconfig/ds-runtime.pc',
  ]) {
    assert.ok(files.includes(f), `${f} missing from ${file}; files:\n${files.join('\n')}`);
  }
  if (existsSync(join(repoRoot, 'LICENSE')))
    assert.ok(files.includes('usr/share/licenses/ds-runtime/LICENSE'), 'LICENSE is not installed for ds-runtime');
});

test("the packaged ds-runtime.pc alone links the archive into a shared object (what Wine's configure does)", {
  skip,
}, async () => {
  const { root } = packages['ds-runtime'];
  const env = { ...process.env, PKG_CONFIG_PATH: join(root, 'usr/lib/pkgconfig') };
  const flags = (await execa('pkg-config', ['--cflags', '--libs', 'ds-runtime'], { env })).stdout
    .split(/\s+/)
    .filter(Boolean);
  const src = join(work, 'unixlib.c');
  writeFileSync(src, '#include <ds_runtime.h>\nconst char *name_of(ds_backend *b) { return ds_backend_name(b); }\n');
  // -z defs: every symbol the archive needs must come from what pkg-config named (libstdc++, libpthread).
  const r = await execa('gcc', ['-shared', '-fPIC', '-o', join(work, 'unixlib.so'), src, ...flags, '-Wl,-z,defs'], {
    reject: false,
    all: true,
  });
  assert.equal(r.exitCode, 0, `linking with \`pkg-config --libs ds-runtime\` (${flags.join(' ')}) failed:\n${r.all}`);
});

test('no build path ($srcdir) in the packaged module', { skip }, () => {
  const lib = wineLib.replace(/^\//, '');
  const srcdir = Buffer.from(join(work, 'build'));
  for (const f of [`${lib}/x86_64-windows/dstorage.dll`, `${lib}/x86_64-unix/dstorage.so`]) {
    const bytes = readFileSync(join(packages['ds-kit-wine'].root, f));
    assert.equal(
      bytes.indexOf(srcdir),
      -1,
      `${f} contains the build path ${srcdir.toString()} (debug info or __FILE__ without -ffile-prefix-map)`,
    );
  }
});

test('PKGBUILD.local prepares the same packages from the checkout, without a tarball', {
  skip,
  timeout: 600_000,
}, async () => {
  const dir = scratch('makepkg-local');
  for (const d of ['build', 'home']) mkdirSync(join(dir, d));
  if (asRoot) await execa('chown', ['-R', `${NOBODY}:${NOBODY}`, dir]);
  const env = {
    HOME: join(dir, 'home'),
    PATH: process.env.PATH ?? '',
    BUILDDIR: join(dir, 'build'),
    PKGDEST: dir,
    SRCDEST: dir,
  };
  const info = await unprivileged('makepkg', ['-p', 'PKGBUILD.local', '--printsrcinfo'], repoRoot, env);
  assert.equal(info.exitCode, 0, info.all);
  assert.doesNotMatch(info.stdout, /^\s*source = /m, 'PKGBUILD.local still lists the release tarball');
  assert.match(info.stdout, /^pkgname = ds-kit-wine$/m);
  assert.match(info.stdout, /^pkgname = ds-runtime$/m);
  const r = await unprivileged(
    'makepkg',
    ['-p', 'PKGBUILD.local', '--nobuild', '--nodeps', '--noconfirm'],
    repoRoot,
    env,
  );
  assert.equal(r.exitCode, 0, `makepkg -p PKGBUILD.local --nobuild failed:\n${r.all}`);
  const copied = join(dir, 'build', 'ds-kit', 'src', `ds-kit-${pkgver}`);
  for (const f of [
    'PKGBUILD',
    'runtime/CMakeLists.txt',
    'wine-patches/dlls/dstorage/queue.c',
    'node_modules/tsx/package.json',
  ]) {
    assert.ok(existsSync(join(copied, f)), `${f} was not copied into ${copied}`);
  }
  assert.ok(
    !existsSync(join(copied, 'build')) && !existsSync(join(copied, '.git')),
    'build outputs or .git were copied',
  );
});

let run: ProgramRun | undefined;
test('the packaged module passes the Wine test programs', { skip, timeout: 1_200_000 }, async (t) => {
  const { root } = packages['ds-kit-wine'];
  const moduleDir = join(root, 'flat');
  mkdirSync(moduleDir, { recursive: true });
  copyFileSync(join(root, wineLib, 'x86_64-windows/dstorage.dll'), join(moduleDir, 'dstorage.dll'));
  copyFileSync(join(root, wineLib, 'x86_64-unix/dstorage.so'), join(moduleDir, 'dstorage.so'));
  const outDir = join(repoRoot, 'build', 'pkgbuild-tests');
  rmSync(outDir, { recursive: true, force: true });
  run = { moduleDir, outDir, includeDir: join(repoRoot, 'build', 'generated', 'wine-8.0', 'include') };
  await compilePrograms(run);
  for (const name of programs())
    await t.test(`${name}.exe`, { timeout: 300_000 }, () => runProgram(run as ProgramRun, name));
});
