// SPDX-License-Identifier: MIT
// What a Proton / GE-Proton directory looks like from outside: where its Wine keeps the 64-bit
// builtin DLLs (Proton 9: files/lib64/wine, Proton 10 and later: files/lib/wine), its name, and
// the build named in its `version` file. Reading only; install.ts writes.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../lib/errors.ts';
import { protonText } from './messages.ts';
import { asObject, child, parseVdf } from './vdf.ts';

export type LayoutName = 'lib64' | 'lib';

export interface ProtonLayout {
  name: LayoutName;
  /** Relative to the Proton root: the directory holding x86_64-windows/ and x86_64-unix/. */
  wineLibDir: string;
  /** Which Proton releases use it, for messages. */
  describes: string;
}

/** Proton 9 keeps 64-bit Wine in lib64; Proton 10 and later moved everything under lib. */
export const LAYOUTS: readonly ProtonLayout[] = [
  { name: 'lib', wineLibDir: 'files/lib/wine', describes: 'Proton 10 and later' },
  { name: 'lib64', wineLibDir: 'files/lib64/wine', describes: 'Proton 9 and earlier' },
];

export const PE_DIR = 'x86_64-windows';
export const UNIX_DIR = 'x86_64-unix';

export interface ProtonDir {
  /** Absolute path of the Proton root (the folder holding `proton` and `files/`). */
  root: string;
  /** What Steam shows: compatibilitytool.vdf's display_name, else the folder name. */
  displayName: string;
  /** The build named in `version` ("proton-9.0-3", "GE-Proton10-4"), when there is one. */
  build?: string;
  layout: ProtonLayout;
}

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** The layout whose 64-bit Wine is really there (ntdll in both halves); undefined when neither is. */
export function detectLayout(root: string): ProtonLayout | undefined {
  return LAYOUTS.find(
    (l) =>
      existsSync(join(root, l.wineLibDir, PE_DIR, 'ntdll.dll')) &&
      existsSync(join(root, l.wineLibDir, UNIX_DIR, 'ntdll.so')),
  );
}

/** The second word of `version` ("1718286393 proton-9.0-3"), or its only word. */
export function readBuild(root: string): string | undefined {
  try {
    const words = readFileSync(join(root, 'version'), 'utf8').split('\n')[0].trim().split(/\s+/).filter(Boolean);
    return words.length ? words[words.length - 1] : undefined;
  } catch {
    return undefined;
  }
}

function readDisplayName(root: string): string | undefined {
  const file = join(root, 'compatibilitytool.vdf');
  if (!existsSync(file)) return undefined;
  try {
    const tools = asObject(
      child(asObject(child(parseVdf(readFileSync(file, 'utf8'), file), 'compatibilitytools')), 'compat_tools'),
    );
    const first = tools && asObject(Object.values(tools)[0]);
    const name = child(first, 'display_name');
    return typeof name === 'string' && name ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Inspects a directory; undefined when it is not a Proton with a 64-bit Wine in a known layout. */
export function inspectProton(dir: string): ProtonDir | undefined {
  const root = resolve(dir);
  const layout = detectLayout(root);
  if (!layout) return undefined;
  return { root, layout, displayName: readDisplayName(root) ?? basename(root), build: readBuild(root) };
}

/** Like inspectProton, but a directory that is not a Proton is the user's error, said plainly. */
export function openProton(dir: string): ProtonDir {
  const root = resolve(dir);
  if (!isDir(root)) throw new UsageError(protonText.noSuchDir(root));
  const found = inspectProton(root);
  if (!found)
    throw new UsageError(
      protonText.notProton(
        root,
        LAYOUTS.map((l) => `${l.wineLibDir}/${PE_DIR} (${l.describes})`),
      ),
    );
  return found;
}

export const peDir = (p: ProtonDir): string => join(p.root, p.layout.wineLibDir, PE_DIR);
export const unixDir = (p: ProtonDir): string => join(p.root, p.layout.wineLibDir, UNIX_DIR);
