// SPDX-License-Identifier: MIT
// The whole user path, with real Wines: for each layout (files/lib64/wine for Proton 9, files/lib/wine
// for Proton 10+) a Proton-shaped directory holding Debian bookworm's Wine 8.0 (this machine) and one
// holding Debian trixie's Wine 10.0 (the debootstrapped system test/wine/wine10.test.ts uses, run under
// chroot); `ds-kit install --proton`; the test/wine programs run with that directory's own Wine and the
// Steam launch option's override (no WINEDLLPATH: Wine must find the module where it was installed);
// `ds-kit uninstall`; the tree compared byte for byte with the original. A stand-in for the game's own
// dstorage.dll lies beside the exe, and the prefix forces it native (as winecfg or a protontricks verb
// would), so a passing run proves that the launch option, not a default, makes Wine load the
// installed module. The module exists nowhere else those Wines look (checked), and the programs fail
// before the install and after the uninstall: what they loaded came from the Proton-shaped directory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../../../scripts/lib/paths.ts';
import { defaultModuleDir } from '../../../scripts/proton/commands.ts';
import { LAUNCH_OPTION } from '../../../scripts/proton/messages.ts';
import type { LayoutName } from '../../../scripts/proton/proton-dir.ts';
import { defaultOptions } from '../../../scripts/wine/layout.ts';
import { wineModuleTasks } from '../../../scripts/wine/wine-tasks.ts';
import { Listr } from 'listr2';
import { expectedLines } from '../../wine/expected-output.ts';
import { chrootScript, ensureTrixie } from '../../wine/trixie.ts';
import { dsKit } from '../helpers.ts';
import {
  debianWine,
  differences,
  realWineProton,
  snapshot,
  SYSTEM_WINE,
  type SystemWine,
  wineLibDirOf,
} from './proton-tree.ts';

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
    for (const name of PROGRAMS)
      await mingw(
        [
          '-O1',
          '-g',
          '-Wall',
          '-Wno-unused-function',
          '-I',
          include,
          join(repoRoot, `test/wine/${name}.c`),
          join(options.outDir, 'dstorage.dll'),
          '-o',
          join(exeDir, `${name}.exe`),
          '-ld3d12',
          '-ldxguid',
        ],
        `test/wine/${name}.c`,
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
    if (!fast) await prepareTrixie();
  },
  { timeout: 2_400_000 },
);

/** The test/wine programs: all of them run with the lib layout's Wine, these two with the lib64 one's. */
const PROGRAMS = readdirSync(join(repoRoot, 'test/wine'))
  .filter((f) => f.endsWith('.c'))
  .map((f) => f.slice(0, -2))
  .sort();
const PROGRAMS_LIB64 = ['smoke', 'gdeflate'];
const runner = join(repoRoot, 'test/scripts/proton/run-in-proton.sh');
const fast = process.env.DS_KIT_TEST_FAST ? 'skipped by --fast (DS_KIT_TEST_FAST)' : false;

/**
 * What Proton's script puts into WINEDEBUG for PROTON_LOG=+dstorage (ValveSoftware/Proton proton_9.0,
 * GE-Proton10-34 and GE-Proton11-3 alike: its default list when PROTON_LOG is set, then PROTON_LOG
 * itself appended when it is not "1"), so the README's way of finding the lines is checked as Proton
 * would run the game.
 */
const PROTON_LOG_WINEDEBUG = '+timestamp,+pid,+tid,+seh,+unwind,+threadname,+debugstr,+loaddll,+mscoree,+dstorage';

interface WineUnderTest {
  label: string;
  /** Where the trees, the game folder and the prefix are, on this side. */
  work: string;
  /** That Wine's system files: the module must not be there. */
  system: SystemWine;
  /** A path of this side as the Wine sees it. */
  inside: (path: string) => string;
  /** run-in-proton.sh with these arguments and variables (undefined: unset). */
  run: (args: string[], env: Record<string, string | undefined>, timeout: number) => Promise<Ran>;
}

interface Ran {
  code: number | undefined;
  out: string;
  timedOut: boolean;
}

const hostWine: WineUnderTest = {
  label: '8.0',
  work,
  system: SYSTEM_WINE,
  inside: (path) => path,
  run: async (args, env, timeout) => {
    const r = await execa('bash', [runner, ...args], {
      env: { WINEDLLPATH: undefined, ...env },
      extendEnv: true,
      reject: false,
      all: true,
      timeout,
    });
    return { code: r.exitCode, out: r.all ?? '', timedOut: Boolean(r.timedOut) };
  },
};

/** Wine 10.0 of the trixie system: everything lives under its root and runs under chroot. */
function trixieWine(root: string): WineUnderTest {
  const trixieWork = join(root, 'ds-kit-proton');
  return {
    label: '10.0',
    work: trixieWork,
    system: debianWine(root),
    inside: (path) => `/${relative(root, path)}`,
    run: async (args, env, timeout) => {
      const vars = Object.entries({ PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', ...env })
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${v}`);
      const r = await execa(
        chrootScript,
        ['run', root, '/usr/bin/env', '-i', ...vars, '/ds-kit-proton/run-in-proton.sh', ...args],
        { reject: false, all: true, timeout },
      );
      return { code: r.exitCode, out: r.all ?? '', timedOut: Boolean(r.timedOut) };
    },
  };
}

let trixie: WineUnderTest | undefined;

/** Wine 10.0's side: the trixie system (made on first use) with the game folder and the runner in it. */
async function prepareTrixie(): Promise<void> {
  const root = realpathSync(await ensureTrixie());
  trixie = trixieWine(root);
  rmSync(trixie.work, { recursive: true, force: true });
  mkdirSync(trixie.work, { recursive: true });
  cpSync(exeDir, join(trixie.work, 'game'), { recursive: true });
  copyFileSync(runner, join(trixie.work, 'run-in-proton.sh'));
}

function exercise(wineOf: () => WineUnderTest | undefined, label: string, skip: string | false) {
  for (const layout of ['lib64', 'lib'] as LayoutName[]) {
    test(`Wine ${label}, ${layout} layout: install, the test programs with the launch option, uninstall, byte-for-byte restore`, {
      skip,
      timeout: 1_200_000,
    }, async (t) => {
      const wine = wineOf()!;
      const root = join(wine.work, `Proton-${layout}`);
      const prefix = join(wine.work, 'prefix');
      const game = wine === hostWine ? exeDir : join(wine.work, 'game');
      const exe = (name: string) => `${wine.inside(game)}/${name}`;
      const run = async (args: string[], env: Record<string, string | undefined>): Promise<Ran> => {
        const r = await wine.run(
          [wine.inside(root), ...args],
          { WINEPREFIX: wine.inside(prefix), WINEDEBUG: '-all', ...env },
          RUN_TIMEOUT_MS,
        );
        assert.ok(
          !r.timedOut,
          `${args.join(' ')} under the Wine of ${root} ran past ${RUN_TIMEOUT_MS / 1000} s:\n${r.out}`,
        );
        return r;
      };

      rmSync(root, { recursive: true, force: true });
      realWineProton(root, layout, wine.system);
      const original = snapshot(root);
      for (const sub of ['x86_64-windows', 'x86_64-unix'])
        assert.deepEqual(
          readdirSync(join(wine.system.lib, sub)).filter((n) => n.startsWith('dstorage.')),
          [],
          `the system Wine ${wine.label} has a dstorage module in ${join(wine.system.lib, sub)}; remove it, it would hide where the module is loaded from`,
        );

      const boot = await wine.run(
        [wine.inside(root), 'boot'],
        { WINEPREFIX: wine.inside(prefix), WINEDEBUG: '-all' },
        300_000,
      );
      assert.equal(boot.code, 0, `wineboot with the Wine of ${root} failed:\n${boot.out}`);
      const reg = await run(
        ['wine', 'reg', 'add', 'HKCU\\Software\\Wine\\DllOverrides', '/v', 'dstorage', '/d', 'native', '/f'],
        {},
      );
      assert.equal(reg.code, 0, `setting dstorage=native in the prefix failed:\n${reg.out}`);
      const version = await run(['wine', '--version'], {});
      assert.match(
        version.out,
        new RegExp(`^wine-${wine.label.replace('.', '\\.')}\\b`, 'm'),
        `this tree runs ${version.out}`,
      );

      await t.test('before install, the override finds no builtin dstorage.dll in this Wine', async () => {
        const r = await run(['wine', exe('smoke.exe')], { WINEDLLOVERRIDES: launchOverride });
        assert.notEqual(
          r.code,
          0,
          `smoke.exe passed before ds-kit installed anything; where did it find dstorage.dll?\n${r.out}`,
        );
        assert.doesNotMatch(r.out, /smoke: all checks passed/);
      });

      await t.test(
        'ds-kit install --proton writes the module into the layout and prints the launch option',
        async () => {
          const r = await dsKit(['install', '--proton', root, '--module-dir', defaultModuleDir]);
          assert.equal(r.exitCode, 0, `install failed:\n${r.stdout}\n${r.stderr}`);
          const lib = wineLibDirOf(layout);
          assert.match(r.stdout, new RegExp(`${lib}/x86_64-windows/dstorage\\.dll`));
          assert.match(r.stdout, new RegExp(`${lib}/x86_64-unix/dstorage\\.so`));
          assert.ok(r.stdout.includes(LAUNCH_OPTION), `the launch option is not printed:\n${r.stdout}`);
          assert.match(r.stdout, new RegExp(`Wine ${wine.label.replace('.', '\\.')}`));
          assert.doesNotMatch(r.stderr, /warning/, 'a tested Wine installs without a warning');
          const status = await dsKit(['status', '--proton', root, '--steam-root', join(work, 'no-steam')]);
          assert.match(status.stdout, /ds-kit: installed, .*files match the manifest/, status.stdout);
        },
      );

      for (const name of layout === 'lib' ? PROGRAMS : PROGRAMS_LIB64)
        await t.test(`${name}.exe passes with the launch option and this Proton's Wine`, async () => {
          const r = await run(['wine', exe(`${name}.exe`)], { WINEDLLOVERRIDES: launchOverride });
          assert.equal(r.code, 0, `${name}.exe failed with ${launchOverride}:\n${r.out}`);
          assert.match(r.out, new RegExp(`${name}: all checks passed`));
          for (const line of expectedLines[name] ?? []) assert.match(r.out, line);
          assert.doesNotMatch(r.out, /game's own dstorage\.dll/);
        });

      await t.test(
        'with PROTON_LOG=+dstorage and DS_KIT_STATS=1, the log has the load, the load line and the summaries',
        async () => {
          const r = await run(['wine', exe('smoke.exe')], {
            WINEDLLOVERRIDES: launchOverride,
            WINEDEBUG: PROTON_LOG_WINEDEBUG,
            DS_KIT_STATS: '1',
          });
          assert.equal(r.code, 0, r.out.slice(-4000));
          const ours = r.out.split('\n').filter((l) => l.includes('ds-kit'));
          // The load line names the dstorage.so that runs: this tree's, as that Wine sees it.
          const so = `${wine.inside(realpathSync(root))}/files/${layout}/wine/x86_64-unix/dstorage.so`;
          assert.ok(
            ours.some(
              (l) =>
                /trace:dstorage:\w+ ds-kit \S+: backend \w+, GDeflate \w+, Zstandard \w+, from /.test(l) &&
                l.endsWith(`from ${so}.`),
            ),
            `no load line naming ${so} among:\n${ours.join('\n')}`,
          );
          assert.ok(
            ours.some((l) => /^ds-kit stats: queue .*"smoke": 1 requests/.test(l)),
            `no queue summary among:\n${ours.join('\n')}`,
          );
          assert.ok(
            ours.some((l) => /^ds-kit stats: process, 1 queues?:/.test(l)),
            `no process summary among:\n${ours.join('\n')}`,
          );
          assert.match(r.out, /Loaded L"[^"]*dstorage\.dll" at [0-9A-Fa-f]+: builtin/);
        },
      );

      await t.test("without the launch option the prefix's native override loads the game's copy", async () => {
        const r = await run(['wine', exe('smoke.exe')], { WINEDLLOVERRIDES: undefined });
        assert.match(
          r.out,
          /game's own dstorage\.dll: DStorageGetFactory called/,
          `expected the game's copy to run:\n${r.out}`,
        );
        assert.notEqual(r.code, 0);
        const byPath = await run(['wine', exe('load_by_path.exe')], { WINEDLLOVERRIDES: launchOverride });
        assert.match(byPath.out, /load_by_path: dstorage\.dll is builtin/, byPath.out);
      });

      await t.test('ds-kit uninstall --proton restores the directory byte for byte', async () => {
        const r = await dsKit(['uninstall', '--proton', root]);
        assert.equal(r.exitCode, 0, `uninstall failed:\n${r.stdout}\n${r.stderr}`);
        assert.deepEqual(differences(original, snapshot(root)), []);
        const again = await run(['wine', exe('smoke.exe')], { WINEDLLOVERRIDES: launchOverride });
        assert.notEqual(again.code, 0, `smoke.exe still passes after uninstall:\n${again.out}`);
        // "=b" does not fall back to the game's copy ("=b,n" would): a launch option left behind fails loudly.
        assert.doesNotMatch(again.out, /game's own dstorage\.dll/, again.out);
        const fallback = await run(['wine', exe('smoke.exe')], { WINEDLLOVERRIDES: 'dstorage,dstoragecore=b,n' });
        assert.match(fallback.out, /game's own dstorage\.dll: DStorageGetFactory called/, fallback.out);
      });
    });
  }
}

// The trixie system is a cached fixture shared with other tests (and kept between CI runs): its Wine
// prefix alone is about 0.8 GB, and every run starts from a fresh one anyway.
after(() => {
  if (trixie) rmSync(trixie.work, { recursive: true, force: true });
});

exercise(() => hostWine, '8.0', false);
exercise(() => trixie, '10.0 (Debian trixie)', fast);

// The compatibility tool made from the lib64 tree above: its own Wine, the override only from its
// user_settings.py (read the way Proton's script reads it), the prefix still forcing dstorage native.
test('a compatibility tool made from the lib64 tree runs smoke.exe with no launch option', {
  timeout: 600_000,
}, async () => {
  const source = join(work, 'Proton-lib64');
  const prefix = join(work, 'prefix');
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
