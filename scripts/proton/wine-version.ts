// SPDX-License-Identifier: MIT
// Which Wine a Proton carries, and whether the module is known to work with it. Read without
// running anything: Proton's wine binary needs the Steam Runtime's libraries, ntdll.so does not
// have to be executed to read the build string Wine compiles into it ("wine-9.0 (Proton...)").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UNIX_DIR, PE_DIR, type ProtonDir } from './proton-dir.ts';

export interface WineVersion {
  major: number;
  minor: number;
  /** As found: "wine-8.0 (Debian 8.0~repack-4)", or the Proton build it was inferred from. */
  text: string;
  /** Where it came from, for `ds-kit status`. */
  source: string;
}

const BUILD_STRING = /wine-(\d+)\.(\d+)[^\0\n]{0,120}/;

/** The first "wine-X.Y..." string in a binary (Wine's build id, compiled into ntdll). */
export function versionInBinary(bytes: Buffer): { major: number; minor: number; text: string } | undefined {
  const m = BUILD_STRING.exec(bytes.toString('latin1'));
  return m ? { major: Number(m[1]), minor: Number(m[2]), text: m[0] } : undefined;
}

/**
 * Proton X carries Wine X; GE-ProtonX-N follows Proton X. Only a fallback when ntdll says nothing.
 * Valve writes `git describe --tags` into `version`: `proton-9.0-3`, and for Proton Experimental
 * `experimental-9.0-20241016` or `experimental-bleeding-edge-9.0-130046-20241025-…`; GE-Proton its
 * release name, `GE-Proton10-4`.
 */
export function versionFromBuild(build: string): { major: number; minor: number } | undefined {
  const m = /^(?:proton|ge-proton|experimental(?:-bleeding-edge)?)[-_]?(\d+)(?:\.(\d+))?/i.exec(build);
  return m ? { major: Number(m[1]), minor: Number(m[2] ?? 0) } : undefined;
}

export function readWineVersion(p: ProtonDir): WineVersion | undefined {
  for (const rel of [join(p.layout.wineLibDir, UNIX_DIR, 'ntdll.so'), join(p.layout.wineLibDir, PE_DIR, 'ntdll.dll')]) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(p.root, rel));
    } catch {
      continue;
    }
    const found = versionInBinary(bytes);
    if (found) return { ...found, text: found.text.trim(), source: rel };
  }
  const fromBuild = p.build ? versionFromBuild(p.build) : undefined;
  return fromBuild && { ...fromBuild, text: `Proton build ${p.build}`, source: 'version (the Proton build name)' };
}

export const versionLabel = (v: WineVersion | undefined): string => (v ? `${v.major}.${v.minor}` : 'unknown');
