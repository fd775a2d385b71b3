// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSteamRoots, libraryPaths, scanSteam } from '../../../scripts/proton/steam.ts';
import { tempDir } from '../helpers.ts';
import { fakeProton } from './proton-tree.ts';
import { libraryFoldersVdf, makeSteamHome } from './steam-home.ts';

test('finds every Proton of every library, once, and nothing that is not a Proton', () => {
  const s = makeSteamHome(tempDir('steam'));
  const scan = scanSteam({ roots: defaultSteamRoots(s.home), systemToolDirs: [] });
  assert.deepEqual(scan.roots, [realpathSync(s.root)], 'the ~/.steam links and ~/.local/share/Steam are one root');
  assert.deepEqual(
    scan.libraries,
    [s.root, s.library2].map((p) => realpathSync(p)),
  );
  assert.deepEqual(
    scan.protons.map((p) => p.root).sort(),
    Object.values(s.protons)
      .map((p) => realpathSync(p))
      .sort(),
  );
  const ge = scan.protons.find((p) => p.build === 'GE-Proton10-4')!;
  assert.equal(ge.displayName, 'GE-Proton10-4 (custom)');
  assert.equal(ge.layout.name, 'lib');
  assert.equal(scan.protons.find((p) => p.build === 'proton-8.0-5')!.layout.name, 'lib64');
  assert.equal(scan.notes.length, 1);
  assert.match(scan.notes[0], /lists the library .*unplugged\/SteamLibrary, which does not exist/);
});

test('a library listed by two roots, and system-wide compatibility tools', () => {
  const s = makeSteamHome(tempDir('steam'));
  const flatpak = join(s.home, '.var/app/com.valvesoftware.Steam/data/Steam');
  mkdirSync(join(flatpak, 'steamapps'), { recursive: true });
  writeFileSync(join(flatpak, 'steamapps/libraryfolders.vdf'), libraryFoldersVdf([flatpak, s.library2]));
  const system = tempDir('system-tools');
  fakeProton(join(system, 'proton-ge-custom'), 'lib', 'wine-10.0 (Staging)', 'GE-Proton10-1');
  const scan = scanSteam({ roots: defaultSteamRoots(s.home), systemToolDirs: [system] });
  assert.equal(scan.roots.length, 2);
  assert.equal(scan.libraries.length, 3, scan.libraries.join('\n'));
  assert.equal(
    scan.protons.filter((p) => p.build === 'proton-8.0-5').length,
    1,
    'Proton 8.0 of the shared library is listed once',
  );
  assert.ok(
    scan.protons.some((p) => p.build === 'GE-Proton10-1'),
    'the system-wide GE-Proton is found',
  );
});

test('no Steam at all, and an unreadable libraryfolders.vdf', () => {
  const home = tempDir('nosteam');
  assert.deepEqual(scanSteam({ roots: defaultSteamRoots(home), systemToolDirs: [] }), {
    roots: [],
    libraries: [],
    protons: [],
    notes: [],
  });
  const s = makeSteamHome(tempDir('steam'));
  writeFileSync(join(s.root, 'steamapps/libraryfolders.vdf'), '"libraryfolders"\n{\n\t"0"\n\t{\n');
  const scan = scanSteam({ roots: [s.root], systemToolDirs: [] });
  assert.match(scan.notes.join('\n'), /skipped .*libraryfolders\.vdf:4: a '\{' block is never closed/);
  assert.equal(scan.protons.length, 3, 'the root library is still scanned');
});

test('library paths from the current format and from the pre-2021 one', () => {
  assert.deepEqual(libraryPaths(libraryFoldersVdf(['/a', '/b c'])), ['/a', '/b c']);
  const old =
    '"LibraryFolders"\n{\n\t"TimeNextStatsReport"\t\t"1625000000"\n\t"ContentStatsID"\t\t"-123"\n\t"1"\t\t"/mnt/games/SteamLibrary"\n}\n';
  assert.deepEqual(libraryPaths(old), ['/mnt/games/SteamLibrary']);
  assert.deepEqual(libraryPaths('"somethingelse" { }'), []);
});

// Steam's own text, not our writer's: tabs, two tabs between key and value, the fields Steam keeps
// (December 2024 client), and Debian's steam-installer layout, where the root is
// ~/.steam/debian-installation with ~/.steam/root and ~/.steam/steam linking to it and there is no
// ~/.local/share/Steam. Three libraries: the root, a second drive, and one on a drive not mounted.
test('libraryfolders.vdf as Steam writes it, with the root in ~/.steam (Debian steam-installer)', () => {
  const home = tempDir('steam-debian');
  const root = join(home, '.steam/debian-installation');
  const games = join(home, 'media/Games/SteamLibrary');
  for (const dir of [
    join(root, 'steamapps/common'),
    join(games, 'steamapps/common'),
    join(root, 'compatibilitytools.d'),
  ])
    mkdirSync(dir, { recursive: true });
  symlinkSync(root, join(home, '.steam/root'));
  symlinkSync(root, join(home, '.steam/steam'));
  const text = [
    '"libraryfolders"',
    '{',
    '\t"0"',
    '\t{',
    `\t\t"path"\t\t"${root}"`,
    '\t\t"label"\t\t""',
    '\t\t"contentid"\t\t"6519498937524839410"',
    '\t\t"totalsize"\t\t"0"',
    '\t\t"update_clean_bytes_tally"\t\t"18374410011"',
    '\t\t"time_last_update_verified"\t\t"1733067412"',
    '\t\t"apps"',
    '\t\t{',
    '\t\t\t"228980"\t\t"464451208"',
    '\t\t\t"2348590"\t\t"1221447389"',
    '\t\t}',
    '\t}',
    '\t"1"',
    '\t{',
    `\t\t"path"\t\t"${games}"`,
    '\t\t"label"\t\t"Games"',
    '\t\t"contentid"\t\t"2925046305946102171"',
    '\t\t"totalsize"\t\t"1000186310656"',
    '\t\t"update_clean_bytes_tally"\t\t"0"',
    '\t\t"time_last_update_verified"\t\t"0"',
    '\t\t"apps"',
    '\t\t{',
    '\t\t\t"1493710"\t\t"1193419722"',
    '\t\t}',
    '\t}',
    '\t"2"',
    '\t{',
    `\t\t"path"\t\t"${join(home, 'media/Backup/SteamLibrary')}"`,
    '\t\t"label"\t\t""',
    '\t\t"contentid"\t\t"123456789"',
    '\t\t"totalsize"\t\t"0"',
    '\t\t"apps"',
    '\t\t{',
    '\t\t}',
    '\t}',
    '}',
    '',
  ].join('\n');
  writeFileSync(join(root, 'steamapps/libraryfolders.vdf'), text);
  const proton9 = fakeProton(join(games, 'steamapps/common/Proton 9.0 (Beta)'), 'lib64', 'wine-9.0', 'proton-9.0-3');
  const ge11 = fakeProton(
    join(root, 'compatibilitytools.d/GE-Proton11-3'),
    'lib',
    'wine-11.0 (Staging)',
    'GE-Proton11-3',
  );
  const ge10 = fakeProton(join(root, 'compatibilitytools.d/GE-Proton10-34'), 'lib', 'wine-10.0', 'GE-Proton10-34');
  writeFileSync(
    join(ge11, 'compatibilitytool.vdf'),
    '"compatibilitytools"\n{\n  "compat_tools"\n  {\n    "GE-Proton11-3" // comments, as in the file GE-Proton ships\n    {\n' +
      '      "install_path" "."\n      "display_name" "GE-Proton11-3"\n      "from_oslist"  "windows"\n' +
      '      "to_oslist"    "linux"\n    }\n  }\n}\n',
  );

  const scan = scanSteam({ roots: defaultSteamRoots(home), systemToolDirs: [] });
  assert.deepEqual(scan.roots, [realpathSync(root)], '~/.steam/root and ~/.steam/steam are one root');
  assert.deepEqual(scan.libraries, [realpathSync(root), realpathSync(games)]);
  assert.match(scan.notes.join('\n'), /lists the library .*media\/Backup\/SteamLibrary, which does not exist/);
  assert.deepEqual(scan.protons.map((p) => [p.displayName, p.layout.name]).sort(), [
    ['GE-Proton10-34', 'lib'],
    ['GE-Proton11-3', 'lib'],
    ['Proton 9.0 (Beta)', 'lib64'],
  ]);
  assert.deepEqual(scan.protons.map((p) => p.root).sort(), [proton9, ge11, ge10].map((p) => realpathSync(p)).sort());
});
