// SPDX-License-Identifier: MIT
// Finds the Protons of a user's Steam: the Steam roots (~/.steam/root, ~/.local/share/Steam, ...),
// every library listed in their steamapps/libraryfolders.vdf, and in them steamapps/common/Proton*
// (Valve's builds) and <root>/compatibilitytools.d/* (GE-Proton and other custom builds).
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { inspectProton, type ProtonDir } from './proton-dir.ts';
import { asObject, child, parseVdf, VdfError } from './vdf.ts';

/** Where Steam lives, in the order Steam's own scripts look (~/.steam/root is a link to the real one). */
export function defaultSteamRoots(home = homedir()): string[] {
  return [
    join(home, '.steam', 'root'),
    join(home, '.steam', 'steam'),
    join(home, '.local', 'share', 'Steam'),
    join(home, '.var', 'app', 'com.valvesoftware.Steam', 'data', 'Steam'),
  ];
}

/** Compatibility tools installed for every user by distribution packages (Arch's proton-ge-custom). */
export const SYSTEM_TOOL_DIRS = [
  '/usr/share/steam/compatibilitytools.d',
  '/usr/local/share/steam/compatibilitytools.d',
];

const real = (p: string): string | undefined => {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
};

const subdirs = (dir: string): string[] => {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() || e.isSymbolicLink())
      .map((e) => join(dir, e.name))
      .sort();
  } catch {
    return [];
  }
};

/**
 * The library paths a libraryfolders.vdf lists. Steam's current format nests them
 * ("libraryfolders" { "0" { "path" "..." "apps" {...} } }); clients before mid-2021 wrote the path
 * as the value itself ("LibraryFolders" { "1" "/path" }). Both are read.
 */
export function libraryPaths(vdfText: string, file = 'libraryfolders.vdf'): string[] {
  const top = asObject(child(parseVdf(vdfText, file), 'libraryfolders'));
  if (!top) return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(top)) {
    if (!/^\d+$/.test(key)) continue;
    const path = typeof value === 'string' ? value : child(value, 'path');
    if (typeof path === 'string' && path) out.push(path);
  }
  return out;
}

export interface SteamScan {
  /** Steam roots that exist (real paths). */
  roots: string[];
  /** Libraries found (real paths), the roots included. */
  libraries: string[];
  protons: ProtonDir[];
  /** Things worth telling the user: an unreadable libraryfolders.vdf, a library that is gone. */
  notes: string[];
}

export function scanSteam(options: { roots?: string[]; systemToolDirs?: string[] } = {}): SteamScan {
  const scan: SteamScan = { roots: [], libraries: [], protons: [], notes: [] };
  const seenRoots = new Set<string>();
  for (const candidate of options.roots ?? defaultSteamRoots()) {
    const r = real(candidate);
    if (r && !seenRoots.has(r) && existsSync(join(r, 'steamapps'))) {
      seenRoots.add(r);
      scan.roots.push(r);
    }
  }

  const libraries = new Set<string>();
  for (const root of scan.roots) {
    libraries.add(root);
    const vdf = [join(root, 'steamapps', 'libraryfolders.vdf'), join(root, 'config', 'libraryfolders.vdf')].find(
      existsSync,
    );
    if (!vdf) continue;
    let listed: string[] = [];
    try {
      listed = libraryPaths(readFileSync(vdf, 'utf8'), vdf);
    } catch (e) {
      scan.notes.push(
        e instanceof VdfError ? `skipped ${e.message}` : `could not read ${vdf}: ${(e as Error).message}`,
      );
    }
    for (const lib of listed) {
      const r = real(lib);
      if (r) libraries.add(r);
      else scan.notes.push(`${vdf} lists the library ${lib}, which does not exist (an unmounted drive?)`);
    }
  }
  scan.libraries = [...libraries];

  const candidates = [
    ...scan.libraries.flatMap((lib) =>
      subdirs(join(lib, 'steamapps', 'common')).filter((d) => /\/Proton[^/]*$/.test(d)),
    ),
    ...scan.roots.flatMap((root) => subdirs(join(root, 'compatibilitytools.d'))),
    ...(options.systemToolDirs ?? SYSTEM_TOOL_DIRS).flatMap(subdirs),
  ];
  const seen = new Set<string>();
  for (const dir of candidates) {
    const r = real(dir);
    if (!r || seen.has(r)) continue;
    seen.add(r);
    const proton = inspectProton(r);
    if (proton) scan.protons.push(proton);
  }
  return scan;
}
