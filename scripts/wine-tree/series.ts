// SPDX-License-Identifier: MIT
// Which patch series fits a Wine tree: read from the tree's VERSION file ("Wine version 8.0").
// Pure data and one file read; everything else in scripts/wine-tree builds on it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../lib/paths.ts';
import { WineTreeError } from './messages.ts';

export interface Series {
  /** Directory under wine-patches/ and build/wine-patches/. */
  id: 'wine-8.0' | 'wine-10.0';
  /** The generator's target (build/generated/<target>/). */
  target: 'wine-8.0' | 'wine-current';
  /** Which Wine versions the series' configure.ac/include hunks were written against. */
  matches: (major: number, minor: number) => boolean;
  /** configure flags of a 64-bit module build (8.0: separate 64/32-bit trees; 10.0: --enable-archs). */
  configureFlags: string[];
}

export const SERIES: readonly Series[] = [
  {
    id: 'wine-8.0',
    target: 'wine-8.0',
    // 8.0 and its stable releases (8.0.x): C_SRCS, separate 64- and 32-bit trees.
    matches: (major, minor) => major === 8 && minor === 0,
    configureFlags: ['--enable-win64', '--without-x', '--without-freetype', '--disable-tests'],
  },
  {
    id: 'wine-10.0',
    target: 'wine-current',
    // 10.0 and 10.0.x: SOURCES, new-WoW64 trees built with --enable-archs.
    matches: (major, minor) => major === 10 && minor === 0,
    configureFlags: ['--enable-archs=x86_64', '--without-x', '--without-freetype', '--disable-tests'],
  },
];

export const seriesDir = (s: Series): string => join(repoRoot, 'wine-patches', s.id);

export interface TreeVersion {
  text: string;
  major: number;
  minor: number;
}

/** The tree's Wine version, from VERSION; throws a WineTreeError naming the problem and the fix. */
export function treeVersion(tree: string): TreeVersion {
  const file = join(tree, 'VERSION');
  if (!existsSync(join(tree, 'configure.ac')) || !existsSync(file)) {
    throw new WineTreeError(
      `${tree} is not a Wine source tree (no VERSION or configure.ac)`,
      'pass the top directory of a Wine checkout (the one holding VERSION and configure.ac), or get one with `ds-kit fetch-wine --debian bookworm`',
    );
  }
  const text = readFileSync(file, 'utf8').trim();
  const m = /^Wine version (\d+)\.(\d+)/.exec(text);
  if (!m)
    throw new WineTreeError(
      `cannot read the Wine version in ${file} ("${text}")`,
      'the file should read "Wine version X.Y"; restore it from the Wine sources',
    );
  return { text, major: Number(m[1]), minor: Number(m[2]) };
}

export function seriesFor(tree: string): { series: Series; version: TreeVersion } {
  const version = treeVersion(tree);
  const series = SERIES.find((s) => s.matches(version.major, version.minor));
  if (!series) {
    throw new WineTreeError(
      `${version.text} (${tree}) has no ds-kit patch series`,
      `supported: ${SERIES.map((s) => s.id).join(', ')} (and their .x stable releases); ` +
        'use one of those trees, or add a series under wine-patches/ (docs/wine-trees.md, "Adding a Wine version")',
    );
  }
  return { series, version };
}

/** The committed patches of a series, in application order (wine-patches/<id>/series). */
export function committedPatches(s: Series): string[] {
  return readFileSync(join(seriesDir(s), 'series'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((name) => join(seriesDir(s), name));
}
