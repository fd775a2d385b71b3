// SPDX-License-Identifier: MIT
// install / uninstall / status on Proton-shaped directories with a stand-in Wine (fast, no Wine run):
// where the files go in each layout, the manifest, backups, the Wine-version gate, the byte-for-byte
// restore. wine-proton.test.ts runs the same path with a real Wine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  mkdirSync,
  readlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { installInto, moduleFiles, uninstallFrom, checkInstall } from '../../../scripts/proton/install.ts';
import { MANIFEST, readManifest, sha256Of } from '../../../scripts/proton/manifest.ts';
import { LAUNCH_OPTION } from '../../../scripts/proton/messages.ts';
import { parsePick } from '../../../scripts/proton/pick.ts';
import { openProton, type LayoutName } from '../../../scripts/proton/proton-dir.ts';
import { readWineVersion } from '../../../scripts/proton/wine-version.ts';
import { execa } from 'execa';
import { stubModule } from './module-stub.ts';
import { bin, dsKit, tempDir } from '../helpers.ts';
import { differences, fakeProton, snapshot, wineLibDirOf } from './proton-tree.ts';
import { makeSteamHome } from './steam-home.ts';

const fakeModule = stubModule;

for (const layout of ['lib64', 'lib'] as LayoutName[]) {
  test(`${layout}: install puts both halves beside ntdll, records them, uninstall restores the tree`, () => {
    const root = fakeProton(join(tempDir('proton'), 'Proton'), layout, 'wine-10.0 (Proton)');
    const before = snapshot(root);
    const module = moduleFiles(fakeModule());
    const p = openProton(root);
    const lib = join(root, wineLibDirOf(layout));
    const r = installInto(p, module, readWineVersion(p));
    assert.deepEqual(
      r.files.map((f) => f.path),
      [`${wineLibDirOf(layout)}/x86_64-windows/dstorage.dll`, `${wineLibDirOf(layout)}/x86_64-unix/dstorage.so`],
    );
    assert.deepEqual(readFileSync(join(lib, 'x86_64-windows/dstorage.dll')), readFileSync(module.dll));
    assert.deepEqual(readFileSync(join(lib, 'x86_64-unix/dstorage.so')), readFileSync(module.so));
    assert.equal(statSync(join(lib, 'x86_64-unix/dstorage.so')).mode & 0o777, 0o755, 'takes the mode of ntdll.so');
    assert.equal(statSync(join(lib, 'x86_64-windows/dstorage.dll')).mode & 0o777, 0o644, 'takes the mode of ntdll.dll');
    const m = readManifest(root)!;
    assert.equal(m.wine?.version, '10.0');
    assert.equal(m.layout, layout);
    for (const f of m.files) assert.equal(f.sha256, sha256Of(join(root, f.path)));
    assert.equal(checkInstall(p).state, 'installed');

    const u = uninstallFrom(p)!;
    assert.equal(u.removed.length, 2);
    assert.deepEqual(differences(before, snapshot(root)), [], 'files, links, modes and directory times as before');
    assert.equal(checkInstall(p).state, 'not installed');
  });
}

test('a dstorage.dll already there (file or symlink) is moved aside and comes back byte for byte', () => {
  const root = fakeProton(join(tempDir('proton'), 'GE-Proton'), 'lib', 'wine-10.0 (Staging)');
  const lib = join(root, wineLibDirOf('lib'));
  writeFileSync(join(lib, 'x86_64-windows/dstorage.dll'), "someone else's builtin", { mode: 0o600 });
  symlinkSync('/nowhere/dstorage.so', join(lib, 'x86_64-unix/dstorage.so'));
  const before = snapshot(root);
  const p = openProton(root);
  const module = moduleFiles(fakeModule());
  const first = installInto(p, module, readWineVersion(p));
  assert.deepEqual(
    first.files.map((f) => f.backup),
    [
      '.ds-kit/backup/files/lib/wine/x86_64-windows/dstorage.dll',
      '.ds-kit/backup/files/lib/wine/x86_64-unix/dstorage.so',
    ],
  );
  assert.equal(
    readlinkSync(join(root, '.ds-kit/backup/files/lib/wine/x86_64-unix/dstorage.so')),
    '/nowhere/dstorage.so',
  );
  // A second install (a newer build) keeps the first install's backups.
  writeFileSync(module.dll, 'MZ a newer build');
  const second = installInto(p, module, readWineVersion(p));
  assert.equal(second.updated, true);
  assert.deepEqual(
    second.files.map((f) => f.backup),
    first.files.map((f) => f.backup),
  );
  assert.equal(readFileSync(join(lib, 'x86_64-windows/dstorage.dll'), 'utf8'), 'MZ a newer build');
  const u = uninstallFrom(p)!;
  assert.equal(u.restored.length, 2);
  assert.deepEqual(differences(before, snapshot(root)), []);
});

test('an install interrupted after its backup never overwrites that backup', () => {
  const root = fakeProton(join(tempDir('proton'), 'P'), 'lib', 'wine-10.0');
  const lib = join(root, wineLibDirOf('lib'));
  writeFileSync(join(lib, 'x86_64-windows/dstorage.dll'), 'the original');
  writeFileSync(join(lib, 'x86_64-unix/dstorage.so'), 'the original .so');
  // The .so's backup is the one left behind, so the check must come before the .dll moves.
  const backup = join(root, '.ds-kit/backup', wineLibDirOf('lib'), 'x86_64-unix/dstorage.so');
  mkdirSync(join(backup, '..'), { recursive: true });
  writeFileSync(backup, 'the original, moved aside by an install that died before its manifest');
  const p = openProton(root);
  const before = snapshot(root);
  assert.throws(
    () => installInto(p, moduleFiles(fakeModule()), readWineVersion(p)),
    /dstorage\.so exists but no manifest lists it: an earlier install was interrupted/,
  );
  assert.deepEqual(differences(before, snapshot(root)), [], 'nothing moved');
});

test('Wine versions: tested installs quietly, untested warns, others and unknown need --force', async () => {
  const module = fakeModule();
  const cases: [string, number, RegExp | null][] = [
    ['wine-8.0 (Proton 8.0-5)', 0, null],
    ['wine-9.0 (Proton 9.0-3)', 0, /warning: Wine 9\.0 is not one the module is tested with \(8\.0, 10\.0\)/],
    ['wine-7.0 (Proton 7.0-6)', 2, /carries Wine 7\.0; the module runs on Wine 8\.x to 11\.x .*Pass --force/],
    ['wine-12.0', 2, /carries Wine 12\.0/],
    // Build strings shaped as Proton 9/10/11 and GE-Proton 10/11 compile them into ntdll (Wine's
    // `git describe` of their wine tree; GE-Proton's is wine-staging's): the major and minor decide.
    ['wine-9.0-4271-gde1e7a4e8c8', 0, /warning: Wine 9\.0 is not one the module is tested with/],
    ['wine-10.0-1203-g0c1f2b37a11', 0, null],
    ['wine-11.0-512-g5e0f8b2d9c4', 0, /warning: Wine 11\.0 is not one the module is tested with/],
    ['wine-10.0 (Staging)', 0, null],
    ['wine-10.15 (Staging)', 0, /warning: Wine 10\.15 is not one the module is tested with/],
    ['wine-11.0 (Staging)', 0, /warning: Wine 11\.0 is not one the module is tested with/],
  ];
  for (const [build, code, message] of cases) {
    const root = fakeProton(join(tempDir('proton'), 'P'), 'lib64', build);
    const r = await dsKit(['install', '--proton', root, '--module-dir', module]);
    assert.equal(r.exitCode, code, `${build}: ${r.stdout}\n${r.stderr}`);
    if (message) assert.match(r.stderr, message, build);
    else assert.doesNotMatch(r.stderr, /warning/, `${build}: a tested Wine installs quietly`);
    if (code === 0) assert.ok(r.stdout.includes(LAUNCH_OPTION));
    else assert.equal(readManifest(root), undefined, `${build}: nothing is written when refused`);
  }
  const old = fakeProton(join(tempDir('proton'), 'P'), 'lib64', 'wine-7.0 (Proton 7.0-6)');
  const forced = await dsKit(['install', '--proton', old, '--module-dir', module, '--force']);
  assert.equal(forced.exitCode, 0, forced.stderr);
  assert.match(forced.stderr, /warning \(--force\): .*carries Wine 7\.0/);
});

test('the Wine version: from ntdll.so, else ntdll.dll, else the Proton build name', () => {
  const root = fakeProton(join(tempDir('proton'), 'P'), 'lib', 'no build string here', 'GE-Proton9-27');
  const lib = join(root, wineLibDirOf('lib'));
  assert.deepEqual(readWineVersion(openProton(root)), {
    major: 9,
    minor: 0,
    text: 'Proton build GE-Proton9-27',
    source: 'version (the Proton build name)',
  });
  writeFileSync(join(lib, 'x86_64-windows/ntdll.dll'), Buffer.from('MZ\0\0wine-9.22 (Staging)\0'));
  assert.equal(readWineVersion(openProton(root))?.source, 'files/lib/wine/x86_64-windows/ntdll.dll');
  assert.equal(readWineVersion(openProton(root))?.minor, 22);
  writeFileSync(join(root, 'version'), '1718286393 experimental-bleeding-edge\n');
  writeFileSync(join(lib, 'x86_64-windows/ntdll.dll'), 'MZ');
  assert.equal(readWineVersion(openProton(root)), undefined);
});

test('the Proton build names of Valve (git describe --tags) and GE-Proton give the Wine major', () => {
  const cases: [string, string | undefined][] = [
    ['proton-9.0-3', '9.0'],
    ['proton-9.0-3-5-g1a73b04', '9.0'],
    ['proton-10.0-1', '10.0'],
    ['proton-11.0-2', '11.0'],
    ['experimental-9.0-20241016', '9.0'],
    ['experimental-bleeding-edge-9.0-130046-20241025-pd3084b-w9be2df-d662cfd-v59d6d4', '9.0'],
    ['experimental-10.0-20250612', '10.0'],
    ['GE-Proton9-27', '9.0'],
    ['GE-Proton10-34', '10.0'],
    ['GE-Proton11-3', '11.0'],
    ['experimental-bleeding-edge', undefined],
    ['my-own-build', undefined],
  ];
  for (const [build, expected] of cases) {
    const root = fakeProton(join(tempDir('proton'), 'P'), 'lib', 'no build string', build);
    const v = readWineVersion(openProton(root));
    assert.equal(v && `${v.major}.${v.minor}`, expected, build);
  }
});

test('GE-Proton 11 installs with a warning, and a Proton whose Wine cannot be read is refused, --force overrides', async () => {
  const module = fakeModule();
  const ge11 = fakeProton(join(tempDir('proton'), 'GE-Proton11-3'), 'lib', 'wine-11.0 (Staging)', 'GE-Proton11-3');
  const r = await dsKit(['install', '--proton', ge11, '--module-dir', module]);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /warning: Wine 11\.0 is not one the module is tested with \(8\.0, 10\.0\)/);
  const unknown = fakeProton(join(tempDir('proton'), 'P'), 'lib', 'no build string', 'experimental-bleeding-edge');
  const refused = await dsKit(['install', '--proton', unknown, '--module-dir', module]);
  assert.equal(refused.exitCode, 2);
  assert.match(refused.stderr, /cannot tell which Wine .* carries .*Pass --force/);
  const forced = await dsKit(['install', '--proton', unknown, '--module-dir', module, '--force']);
  assert.equal(forced.exitCode, 0, forced.stderr);
  assert.match(forced.stderr, /warning \(--force\): cannot tell which Wine/);
});

test('an unknown Wine is refused without --force', async () => {
  const root = fakeProton(join(tempDir('proton'), 'P'), 'lib', 'no build string', 'my-own-build');
  const r = await dsKit(['install', '--proton', root, '--module-dir', fakeModule()]);
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /cannot tell which Wine .* carries .*Pass --force/);
});

test('a file changed after install: status says so, uninstall keeps it unless --force', async () => {
  const root = fakeProton(join(tempDir('proton'), 'P'), 'lib64', 'wine-8.0');
  const before = snapshot(root);
  assert.equal((await dsKit(['install', '--proton', root, '--module-dir', fakeModule()])).exitCode, 0);
  const dll = join(root, 'files/lib64/wine/x86_64-windows/dstorage.dll');
  writeFileSync(dll, 'MZ replaced by a Proton update');
  const status = await dsKit(['status', '--proton', root, '--steam-root', join(root, 'none')]);
  assert.match(status.stdout, /ds-kit: changed/);
  assert.match(status.stdout, /files\/lib64\/wine\/x86_64-windows\/dstorage\.dll differs from what ds-kit installed/);
  const refused = await dsKit(['uninstall', '--proton', root]);
  assert.equal(refused.exitCode, 2);
  assert.match(refused.stderr, /dstorage\.dll is not the file ds-kit installed .*--force/);
  assert.equal(readFileSync(dll, 'utf8'), 'MZ replaced by a Proton update');
  const reinstall = await dsKit(['install', '--proton', root, '--module-dir', fakeModule()]);
  assert.equal(reinstall.exitCode, 2, 'install does not overwrite it either');
  const forced = await dsKit(['uninstall', '--proton', root, '--force']);
  assert.equal(forced.exitCode, 0, forced.stderr);
  assert.deepEqual(differences(before, snapshot(root)), []);
});

test('a deleted file shows as incomplete; uninstall still cleans up', async () => {
  const root = fakeProton(join(tempDir('proton'), 'P'), 'lib', 'wine-10.0');
  const before = snapshot(root);
  const p = openProton(root);
  installInto(p, moduleFiles(fakeModule()), readWineVersion(p));
  rmSync(join(root, 'files/lib/wine/x86_64-unix/dstorage.so'));
  assert.equal(checkInstall(p).state, 'incomplete');
  const r = await dsKit(['uninstall', '--proton', root]);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /x86_64-unix\/dstorage\.so was already gone/);
  assert.deepEqual(differences(before, snapshot(root)), []);
});

test('clear errors: not a Proton, no such folder, module not built, no target, bad manifest', async () => {
  const notProton = tempDir('notproton');
  mkdirSync(join(notProton, 'files/lib/wine'), { recursive: true });
  const r1 = await dsKit(['install', '--proton', notProton, '--module-dir', fakeModule()]);
  assert.equal(r1.exitCode, 2);
  assert.match(
    r1.stderr,
    /is not a Proton directory ds-kit knows: it has neither files\/lib\/wine\/x86_64-windows \(Proton 10 and later\) nor files\/lib64\/wine\/x86_64-windows/,
  );
  const r2 = await dsKit(['uninstall', '--proton', join(notProton, 'nope')]);
  assert.equal(r2.exitCode, 2);
  assert.match(r2.stderr, /nope does not exist or is not a directory/);
  const root = fakeProton(join(tempDir('proton'), 'P'), 'lib', 'wine-10.0');
  const r3 = await dsKit(['install', '--proton', root, '--module-dir', tempDir('empty')]);
  assert.equal(r3.exitCode, 2);
  assert.match(
    r3.stderr,
    /the module is not built: .*dstorage\.dll and .*dstorage\.so missing\. Run 'npm run build-proton' first/,
  );
  // Asked before whether the module is built: the build folder's state does not change the answer.
  const r4 = await dsKit(['install', '--module-dir', tempDir('empty')]);
  assert.equal(r4.exitCode, 2);
  assert.match(r4.stderr, /'ds-kit install' needs --proton DIR or --steam/);
  mkdirSync(join(root, '.ds-kit'));
  writeFileSync(join(root, MANIFEST), '{ not json');
  const r5 = await dsKit(['status', '--proton', root, '--steam-root', join(root, 'none')]);
  assert.equal(r5.exitCode, 0, 'status lists the others');
  assert.match(r5.stdout, /ds-kit: changed\n {10}.*manifest\.json cannot be read/);
  const r5b = await dsKit(['uninstall', '--proton', root]);
  assert.equal(r5b.exitCode, 2);
  assert.match(r5b.stderr, /manifest\.json cannot be read \(.*\)\. Move it away if ds-kit did not write it/);
  const r6 = await dsKit(['uninstall', '--proton', fakeProton(join(tempDir('proton'), 'Q'), 'lib', 'wine-10.0')]);
  assert.equal(r6.exitCode, 0);
  assert.match(r6.stdout, /ds-kit is not installed in Q .*nothing to do/);
});

test('--steam: needs --all without a terminal; --all installs into every Proton and uninstalls from them', async () => {
  const s = makeSteamHome(tempDir('steam'));
  const roots = Object.values(s.protons);
  const before = roots.map(snapshot);
  const env = { HOME: s.home };
  const module = fakeModule();
  const asked = await dsKit(['install', '--steam', '--module-dir', module], env);
  assert.equal(asked.exitCode, 2);
  assert.match(asked.stderr, /4 Protons found and no terminal to ask which: pass --all/);

  const r = await dsKit(['install', '--steam', '--all', '--module-dir', module], env);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.stdout.match(/^installed dstorage\.dll \+ dstorage\.so in /gm)?.length, 4, r.stdout);
  assert.match(r.stdout, /with any of these 4 Protons/);
  assert.ok(r.stdout.includes(LAUNCH_OPTION));

  const status = await dsKit(['status'], env);
  assert.equal(status.exitCode, 0);
  assert.match(status.stdout, /Libraries: .*Games Drive\/SteamLibrary/);
  assert.equal(status.stdout.match(/ds-kit: installed, .*files match the manifest/g)?.length, 4, status.stdout);
  assert.match(
    status.stdout,
    /GE-Proton10-4 \(custom\) .*\n  build: {2}GE-Proton10-4; layout files\/lib\/wine \(Proton 10 and later\)\n  Wine: {3}10\.0, tested/,
  );
  assert.match(
    status.stdout,
    /Proton 9\.0 \(Beta\) .*\n.*layout files\/lib64\/wine \(Proton 9 and earlier\)\n  Wine: {3}9\.0, untested/,
  );

  const u = await dsKit(['uninstall', '--steam', '--all'], env);
  assert.equal(u.exitCode, 0, u.stderr);
  assert.equal(u.stdout.match(/^removed ds-kit from /gm)?.length, 4, u.stdout);
  roots.forEach((root, i) => assert.deepEqual(differences(before[i], snapshot(root)), [], root));
  const again = await dsKit(['uninstall', '--steam', '--all'], env);
  assert.match(again.stdout, /ds-kit is not installed in any Proton of these Steam libraries/);
  const none = await dsKit(['install', '--steam', '--all', '--module-dir', module], { HOME: tempDir('nosteam') });
  assert.equal(none.exitCode, 2);
  assert.match(none.stderr, /no Steam installation found \(looked in .*\.steam\/root.*\)\. Pass --steam-root DIR/);
});

test('one failing Proton does not stop the others', async () => {
  const s = makeSteamHome(tempDir('steam'));
  chmodSync(join(s.protons.proton8, 'files/lib64/wine/x86_64-unix/ntdll.so'), 0o755);
  writeFileSync(join(s.protons.proton8, 'files/lib64/wine/x86_64-unix/ntdll.so'), 'wine-7.0 (Proton 7.0-6)');
  const r = await dsKit(['install', '--steam', '--all', '--module-dir', fakeModule()], { HOME: s.home });
  assert.equal(r.exitCode, 2);
  assert.equal(r.stdout.match(/^installed /gm)?.length, 3, r.stdout);
  assert.match(r.stderr, /1 Proton not changed:\n {2}Proton 8\.0 .*\n {4}.*carries Wine 7\.0/);
});

test('in a terminal, --steam asks which Protons', async () => {
  const s = makeSteamHome(tempDir('steam'));
  const module = fakeModule();
  // script(1) gives ds-kit a terminal; the answer is typed once the question is up.
  const r = await execa(
    'sh',
    [
      '-c',
      `(sleep 2; printf '2 4\\n') | script -qec "${process.execPath} ${bin} install --steam --module-dir ${module}" /dev/null`,
    ],
    { env: { HOME: s.home, DS_KIT_RENDERER: 'silent' }, reject: false, all: true, timeout: 60_000 },
  );
  const out = r.all ?? '';
  assert.equal(r.exitCode, 0, out);
  assert.match(out, / {3}1\) Proton - Experimental: Wine 10\.0 \(tested\), ds-kit not installed/);
  assert.match(out, /Install into which\? \(numbers, e\.g\. "1 3"; "a" for all; Enter for none\)/);
  assert.equal(out.match(/^installed dstorage\.dll/gm)?.length, 2, out);
  assert.equal(readManifest(s.protons.proton9)?.files.length, 2, 'answer 2: Proton 9.0 (Beta)');
  assert.equal(readManifest(s.protons.ge)?.files.length, 2, 'answer 4: GE-Proton10-4');
  assert.equal(readManifest(s.protons.experimental), undefined);
  assert.equal(readManifest(s.protons.proton8), undefined);
});

test('the answer to "which?"', () => {
  assert.deepEqual(parsePick('', 3), []);
  assert.deepEqual(parsePick(' a ', 3), [0, 1, 2]);
  assert.deepEqual(parsePick('3, 1 3', 3), [0, 2]);
  assert.throws(() => parsePick('4', 3), /"4" is not a list of numbers from 1 to 3, nor "a"/);
  assert.throws(() => parsePick('1 x', 3), /"1 x" is not a list/);
});
