// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
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
