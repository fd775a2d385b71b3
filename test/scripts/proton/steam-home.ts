// SPDX-License-Identifier: MIT
// A fake Steam installation under a temporary HOME, laid out as Steam lays it out: the real root in
// ~/.local/share/Steam with ~/.steam/root and ~/.steam/steam linking to it, a second library on
// "another drive" listed in steamapps/libraryfolders.vdf (written the way Steam writes it), Valve's
// Protons in steamapps/common, GE-Proton in compatibilitytools.d, and things that are not Protons.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatVdf, type VdfObject } from '../../../scripts/proton/vdf.ts';
import { fakeProton } from './proton-tree.ts';

export interface SteamHome {
  home: string;
  root: string;
  library2: string;
  protons: Record<'proton9' | 'experimental' | 'proton8' | 'ge', string>;
}

export function libraryFoldersVdf(paths: string[]): string {
  const folders = Object.fromEntries(
    paths.map((path, i) => [
      String(i),
      {
        path,
        label: '',
        contentid: String(4317915328862226573n + BigInt(i)),
        totalsize: i ? '499963174912' : '0',
        update_clean_bytes_tally: '52361547866',
        time_last_update_verified: '1733061962',
        apps: (i === 0 ? { 228980: '464451208', 1493710: '1193419722' } : { 2805730: '1543419712' }) as VdfObject,
      },
    ]),
  );
  return formatVdf({ libraryfolders: folders });
}

export function makeSteamHome(home: string): SteamHome {
  const root = join(home, '.local/share/Steam');
  const library2 = join(home, 'mnt/Games Drive/SteamLibrary');
  mkdirSync(join(root, 'steamapps/common'), { recursive: true });
  mkdirSync(join(library2, 'steamapps/common'), { recursive: true });
  mkdirSync(join(home, '.steam'), { recursive: true });
  symlinkSync(root, join(home, '.steam/root'));
  symlinkSync(root, join(home, '.steam/steam'));
  writeFileSync(
    join(root, 'steamapps/libraryfolders.vdf'),
    libraryFoldersVdf([root, library2, join(home, 'mnt/unplugged/SteamLibrary')]),
  );

  const protons = {
    proton9: fakeProton(
      join(root, 'steamapps/common/Proton 9.0 (Beta)'),
      'lib64',
      'wine-9.0 (Proton 9.0-3)',
      'proton-9.0-3',
    ),
    experimental: fakeProton(
      join(root, 'steamapps/common/Proton - Experimental'),
      'lib',
      'wine-10.0 (Proton experimental)',
      'proton-10.0-100',
    ),
    proton8: fakeProton(
      join(library2, 'steamapps/common/Proton 8.0'),
      'lib64',
      'wine-8.0 (Proton 8.0-5)',
      'proton-8.0-5',
    ),
    ge: fakeProton(join(root, 'compatibilitytools.d/GE-Proton10-4'), 'lib', 'wine-10.0 (Staging)', 'GE-Proton10-4'),
  };
  writeFileSync(
    join(protons.ge, 'compatibilitytool.vdf'),
    formatVdf({
      compatibilitytools: {
        compat_tools: {
          'GE-Proton10-4': {
            install_path: '.',
            display_name: 'GE-Proton10-4 (custom)',
            from_oslist: 'windows',
            to_oslist: 'linux',
          },
        },
      },
    }),
  );
  // Not Protons: a game, a Proton-named folder without Wine, another kind of compatibility tool.
  mkdirSync(join(root, 'steamapps/common/Half-Life 2/bin'), { recursive: true });
  mkdirSync(join(library2, 'steamapps/common/Proton EasyAntiCheat Runtime/v2'), { recursive: true });
  mkdirSync(join(root, 'compatibilitytools.d/Boxtron'), { recursive: true });
  writeFileSync(
    join(root, 'compatibilitytools.d/Boxtron/toolmanifest.vdf'),
    formatVdf({ manifest: { commandline: '/run-dosbox %verb%' } }),
  );
  return { home, root, library2, protons };
}
