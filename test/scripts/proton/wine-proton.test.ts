// SPDX-License-Identifier: MIT
// The whole user path, with a real Wine: a Proton-shaped directory per layout (files/lib64/wine for
// Proton 9, files/lib/wine for Proton 10+) holding Debian's Wine 8.0, `ds-kit install --proton`,
// test/wine/smoke.c run with that directory's Wine and the Steam launch option's override (no
// WINEDLLPATH: Wine must find the module where it was installed), `ds-kit uninstall`, and the tree
// compared byte for byte with the original. A stand-in for the game's own dstorage.dll lies beside
// the exe, and the prefix forces it native (as winecfg or a protontricks verb would), so a passing
// run proves that the launch option, not a default, makes Wine load the installed module.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../../../scripts/lib/paths.ts';
import { defaultModuleDir } from '../../../scripts/proton/commands.ts';
import { LAUNCH_OPTION } from '../../../scripts/proton/messages.ts';
import type { LayoutName } from '../../../scripts/proton/proton-dir.ts';
import { defaultOptions } from '../../../scripts/wine/layout.ts';
import { wineModuleTasks } from '../../../scripts/wine/wine-tasks.ts';
import { Listr } from 'listr2';
import { dsKit } from '../helpers.ts';
import { differences, realWineProton, snapshot, wineLibDirOf } from './proton-tree.ts';

const work = join(repoRoot, 'build/proton-tests');
const exeDir = join(work, 'game');
const fixtures = join(repoRoot, 'test/scripts/proton/fixtures');
const RUN_TIMEOUT_MS = 180_000;

/** The WINEDLLOVERRIDES value of the launch option users are told to set. */
const launchOverride = /WINEDLLOVERRIDES="([^"]+)"/.exec(LAUNCH_OPTION)![1];

async function mingw(args: string[], what: string): Promise<void> {
  const r = await execa('x86_64-w64-mingw32-gcc', args, { reject: false, all: true });
  assert.equal(r.exitCode, 0, `compiling ${what} failed:\n${r.all}`);
}

before(
  async () => {
    const options = defaultOptions();
    await new Listr(wineModuleTasks(options), { renderer: 'silent', exitOnError: true }).run();
    mkdirSync(exeDir, { recursive: true });
    const include = join(repoRoot, 'build/generated', options.target, 'include');
    await mingw(
      [
        '-O1',
        '-g',
        '-Wall',
        '-Wno-unused-function',
        '-I',
        include,
        join(repoRoot, 'test/wine/smoke.c'),
        join(options.outDir, 'dstorage.dll'),
        '-o',
        join(exeDir, 'smoke.exe'),
        '-ld3d12',
        '-ldxguid',
      ],
      'test/wine/smoke.c',
    );
    await mingw(
      ['-O1', '-Wall', join(fixtures, 'load_by_path.c'), '-o', join(exeDir, 'load_by_path.exe')],
      'load_by_path.c',
    );
    // The game's own dstorage.dll, beside its exe.
    await mingw(
      [
        '-shared',
        '-O1',
        '-Wall',
        join(fixtures, 'game_dstorage.c'),
        '-Wl,--kill-at',
        '-o',
        join(exeDir, 'dstorage.dll'),
      ],
      'game_dstorage.c',
    );
  },
  { timeout: 900_000 },
);

for (const layout of ['lib64', 'lib'] as LayoutName[]) {
  const root = join(work, `Proton-${layout}`);
  const prefix = join(work, `prefix-${layout}`);
  const wine = join(root, 'files/bin/wine64');

  const run = async (exe: string, override: string | undefined) => {
    const env: Record<string, string | undefined> = {
      WINEPREFIX: prefix,
      WINEDEBUG: '-all',
      WINEDLLPATH: undefined,
      WINEDLLOVERRIDES: override,
    };
    const r = await execa('xvfb-run', ['-a', wine, join(exeDir, exe)], {
      env,
      extendEnv: true,
      reject: false,
      all: true,
      timeout: RUN_TIMEOUT_MS,
      cwd: exeDir,
    });
    assert.ok(!r.timedOut, `${exe} under ${wine} ran past ${RUN_TIMEOUT_MS / 1000} s:\n${r.all}`);
    return { code: r.exitCode, out: r.all ?? '' };
  };

  test(`${layout} layout: install, run with the launch option, uninstall, byte-for-byte restore`, {
    timeout: 900_000,
  }, async (t) => {
    rmSync(root, { recursive: true, force: true });
    realWineProton(root, layout);
    const original = snapshot(root);

    if (!existsSync(join(prefix, 'system.reg'))) {
      const boot = await execa('xvfb-run', ['-a', wine, 'wineboot', '-i'], {
        env: { WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLPATH: undefined },
        extendEnv: true,
        reject: false,
        all: true,
        timeout: 300_000,
      });
      assert.equal(boot.exitCode, 0, `wineboot with ${wine} failed:\n${boot.all}`);
    }
    const reg = await execa(
      wine,
      ['reg', 'add', 'HKCU\\Software\\Wine\\DllOverrides', '/v', 'dstorage', '/d', 'native', '/f'],
      { env: { WINEPREFIX: prefix, WINEDEBUG: '-all' }, reject: false, all: true, timeout: 120_000 },
    );
    assert.equal(reg.exitCode, 0, `setting dstorage=native in the prefix failed:\n${reg.all}`);

    await t.test('before install, the override finds no builtin dstorage.dll in this Wine', async () => {
      const r = await run('smoke.exe', launchOverride);
      assert.notEqual(
        r.code,
        0,
        `smoke.exe passed before ds-kit installed anything; where did it find dstorage.dll?\n${r.out}`,
      );
      assert.doesNotMatch(r.out, /smoke: all checks passed/);
    });

    await t.test('ds-kit install --proton writes the module into the layout and prints the launch option', async () => {
      const r = await dsKit(['install', '--proton', root, '--module-dir', defaultModuleDir]);
      assert.equal(r.exitCode, 0, `install failed:\n${r.stdout}\n${r.stderr}`);
      const lib = wineLibDirOf(layout);
      assert.match(r.stdout, new RegExp(`${lib}/x86_64-windows/dstorage\\.dll`));
      assert.match(r.stdout, new RegExp(`${lib}/x86_64-unix/dstorage\\.so`));
      assert.ok(r.stdout.includes(LAUNCH_OPTION), `the launch option is not printed:\n${r.stdout}`);
      assert.match(r.stdout, /Wine 8\.0/);
      const status = await dsKit(['status', '--proton', root, '--steam-root', join(work, 'no-steam')]);
      assert.match(status.stdout, /ds-kit: installed, .*files match the manifest/, status.stdout);
    });

    await t.test("smoke.exe passes with the launch option and this Proton's Wine", async () => {
      const r = await run('smoke.exe', launchOverride);
      assert.equal(r.code, 0, `smoke.exe failed with ${launchOverride}:\n${r.out}`);
      assert.match(r.out, /smoke: all checks passed/);
      assert.doesNotMatch(r.out, /game's own dstorage\.dll/);
    });

    await t.test("without the launch option the prefix's native override loads the game's copy", async () => {
      const r = await run('smoke.exe', undefined);
      assert.match(
        r.out,
        /game's own dstorage\.dll: DStorageGetFactory called/,
        `expected the game's copy to run:\n${r.out}`,
      );
      assert.notEqual(r.code, 0);
      const byPath = await run('load_by_path.exe', launchOverride);
      assert.match(byPath.out, /load_by_path: dstorage\.dll is builtin/, byPath.out);
    });

    await t.test('ds-kit uninstall --proton restores the directory byte for byte', async () => {
      const r = await dsKit(['uninstall', '--proton', root]);
      assert.equal(r.exitCode, 0, `uninstall failed:\n${r.stdout}\n${r.stderr}`);
      assert.deepEqual(differences(original, snapshot(root)), []);
      const again = await run('smoke.exe', launchOverride);
      assert.notEqual(again.code, 0, `smoke.exe still passes after uninstall:\n${again.out}`);
    });
  });

  after(async () => {
    await execa(join(root, 'files/bin/wineserver'), ['-k'], { env: { WINEPREFIX: prefix }, reject: false });
  });
}

// The compatibility tool made from the lib64 tree above: its own Wine, the override only from its
// user_settings.py (read the way Proton's script reads it), the prefix still forcing dstorage native.
test('a compatibility tool made from the lib64 tree runs smoke.exe with no launch option', {
  timeout: 600_000,
}, async () => {
  const source = join(work, 'Proton-lib64');
  const prefix = join(work, 'prefix-lib64');
  const steam = join(work, 'steam');
  rmSync(steam, { recursive: true, force: true });
  mkdirSync(join(steam, 'steamapps'), { recursive: true });
  const before = snapshot(source);
  const made = await dsKit([
    'install',
    '--compat-tool',
    'ds-kit-test',
    '--from',
    source,
    '--steam-root',
    steam,
    '--module-dir',
    defaultModuleDir,
  ]);
  assert.equal(made.exitCode, 0, `${made.stdout}\n${made.stderr}`);
  const tool = join(steam, 'compatibilitytools.d/ds-kit-test');
  const settings = await execa(
    'python3',
    ['-c', 'import user_settings; print(user_settings.user_settings["WINEDLLOVERRIDES"])'],
    { cwd: tool },
  );
  assert.equal(settings.stdout.trim(), launchOverride);
  const env = {
    WINEPREFIX: prefix,
    WINEDEBUG: '-all',
    WINEDLLPATH: undefined,
    WINEDLLOVERRIDES: settings.stdout.trim(),
  };
  const r = await execa('xvfb-run', ['-a', join(tool, 'files/bin/wine64'), join(exeDir, 'smoke.exe')], {
    env,
    extendEnv: true,
    reject: false,
    all: true,
    timeout: RUN_TIMEOUT_MS,
    cwd: exeDir,
  });
  assert.equal(r.exitCode, 0, `smoke.exe under the compatibility tool failed:\n${r.all}`);
  assert.match(r.all ?? '', /smoke: all checks passed/);
  assert.deepEqual(differences(before, snapshot(source)), [], 'the Proton it was made from is unchanged');
  await execa(join(tool, 'files/bin/wineserver'), ['-k'], { env: { WINEPREFIX: prefix }, reject: false });
});
