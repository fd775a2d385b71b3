// SPDX-License-Identifier: MIT
// Proton-shaped directories for the tests, in either layout: `fakeProton` (a few files, a Wine build
// string in ntdll.so, no runnable Wine) and `realWineProton` (Debian's installed Wine 8.0 arranged the
// way Proton arranges its files/, runnable, from this machine or a debootstrapped system), and `snapshot`, a byte-for-byte picture of a tree.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { LAYOUTS, type LayoutName } from '../../../scripts/proton/proton-dir.ts';

export const wineLibDirOf = (layout: LayoutName): string => LAYOUTS.find((l) => l.name === layout)!.wineLibDir;

function write(root: string, rel: string, content: string | Buffer, mode = 0o644): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), content, { mode });
}

/** A Proton root with a `version` file, a `proton` stand-in and a 64-bit Wine that says `wineBuild`. */
export function fakeProton(root: string, layout: LayoutName, wineBuild: string, build = 'proton-9.0-3'): string {
  const lib = wineLibDirOf(layout);
  write(root, 'version', `1718286393 ${build}\n`);
  write(root, 'proton', '#!/bin/sh\n# stand-in for the entry point of a Proton build (tests never run it)\n', 0o755);
  write(
    root,
    join(lib, 'x86_64-windows', 'ntdll.dll'),
    Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62), Buffer.from('Wine builtin DLL\0')]),
  );
  write(root, join(lib, 'x86_64-windows', 'kernel32.dll'), 'MZ kernel32');
  write(
    root,
    join(lib, 'x86_64-unix', 'ntdll.so'),
    Buffer.concat([Buffer.from('\x7fELF'), Buffer.alloc(40), Buffer.from(`${wineBuild}\0`)]),
    0o755,
  );
  symlinkSync('ntdll.so', join(root, lib, 'x86_64-unix', 'ntdll-link.so'));
  write(root, 'files/share/default_pfx/system.reg', 'WINE REGISTRY Version 2\n');
  return root;
}

/** Where a Debian Wine lives inside a system root (`/`, or a debootstrapped one such as trixie's). */
export interface SystemWine {
  /** The system's root as seen from here: '/' for this machine's Wine. */
  sysroot: string;
  lib: string;
  loader: string;
  server: string;
  data: string;
}

/** Debian's layout (bookworm's 8.0 and trixie's 10.0 alike), under `sysroot`. */
export const debianWine = (sysroot = '/'): SystemWine => ({
  sysroot,
  lib: join(sysroot, 'usr/lib/x86_64-linux-gnu/wine'),
  loader: join(sysroot, 'usr/lib/wine/wine64'),
  server: join(sysroot, 'usr/lib/wine/wineserver64'),
  data: join(sysroot, 'usr/share/wine'),
});

export const SYSTEM_WINE = debianWine('/');

/** A symlink at `link` to `target`, written relative so it resolves the same inside a chroot. */
function relativeLink(target: string, link: string): void {
  symlinkSync(relative(dirname(link), target), link);
}

/**
 * A Debian Wine in a Proton layout. Everything is a symlink to the system's files except the ones
 * whose real path Wine derives its directories from: the loader (its folder gives the data and
 * server folders, and where it looks for ntdll.so) and ntdll.so (its folder gives the builtin DLL
 * folder). Debian's loader looks for ntdll.so at ../x86_64-linux-gnu/wine/x86_64-unix/ from its own
 * folder (8.0 has the path compiled in, 10.0 computes it from its build directories, to the same
 * result) and for data at ../../share/wine, so it lives in files/lib/wine/ with
 * files/lib/x86_64-linux-gnu pointing at the lib folder of the layout: two entries real Proton does
 * not have (its Wine is built for its layout). The links are relative, so a tree made inside a
 * debootstrapped system (`wine.sysroot`) works in it under chroot, and what ds-kit reads on this side
 * (ntdll.dll, kernel32.dll for the import check) is that system's file, not this machine's.
 */
export function realWineProton(root: string, layout: LayoutName, wine: SystemWine = SYSTEM_WINE): string {
  const lib = wineLibDirOf(layout);
  write(root, 'version', '1700000000 proton-dskit-test\n');
  write(
    root,
    'proton',
    '#!/bin/sh\n# stand-in for the entry point of a Proton build (tests run files/bin/wine directly)\n',
    0o755,
  );
  mkdirSync(join(root, 'files/lib/wine'), { recursive: true });
  copyFileSync(wine.loader, join(root, 'files/lib/wine/wine64'));
  copyFileSync(wine.server, join(root, 'files/lib/wine/wineserver'));
  symlinkSync(layout === 'lib64' ? '../lib64' : '.', join(root, 'files/lib/x86_64-linux-gnu'));
  mkdirSync(join(root, 'files/bin'), { recursive: true });
  symlinkSync('../lib/wine/wine64', join(root, 'files/bin/wine64'));
  symlinkSync('wine64', join(root, 'files/bin/wine'));
  symlinkSync('../lib/wine/wineserver', join(root, 'files/bin/wineserver'));
  mkdirSync(join(root, 'files/share'), { recursive: true });
  relativeLink(wine.data, join(root, 'files/share/wine'));
  for (const sub of ['x86_64-windows', 'x86_64-unix']) {
    mkdirSync(join(root, lib, sub), { recursive: true });
    for (const name of readdirSync(join(wine.lib, sub))) {
      // A dstorage module someone installed into the system Wine must not leak into this one.
      if (name.startsWith('dstorage.')) continue;
      if (name === 'ntdll.so') copyFileSync(join(wine.lib, sub, name), join(root, lib, sub, name));
      else relativeLink(join(wine.lib, sub, name), join(root, lib, sub, name));
    }
  }
  return root;
}

export interface Entry {
  type: 'file' | 'dir' | 'link';
  mode: number;
  mtimeMs: number;
  content?: string;
}

/** Every entry under root (symlinks not followed): type, mode, mtime, SHA-256 or link target. */
export function snapshot(root: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const walk = (rel: string): void => {
    const abs = join(root, rel);
    const st = lstatSync(abs);
    const base = { mode: st.mode & 0o7777, mtimeMs: st.mtimeMs };
    if (st.isSymbolicLink()) {
      out.set(rel, { type: 'link', ...base, content: readlinkSync(abs) });
      return;
    }
    if (st.isFile()) {
      out.set(rel, { type: 'file', ...base, content: createHash('sha256').update(readFileSync(abs)).digest('hex') });
      return;
    }
    out.set(rel, { type: 'dir', ...base });
    for (const name of readdirSync(abs).sort()) walk(rel ? join(rel, name) : name);
  };
  walk('');
  return out;
}

/** Times are restored through utimes(): Node hands libuv the seconds as a double (about 0.24 µs of
 * precision today) and libuv truncates them to the microsecond below, so a restored time lies up to
 * just over 1 µs before the original (a CI run saw 1796311103683.985 restored as .984). Within 2 µs
 * is the same time. */
const sameEntry = (a: Entry, b: Entry): boolean =>
  a.type === b.type && a.mode === b.mode && a.content === b.content && Math.abs(a.mtimeMs - b.mtimeMs) < 0.002;

/** Lines naming every difference between two snapshots (empty when identical). */
export function differences(before: Map<string, Entry>, after: Map<string, Entry>): string[] {
  const lines: string[] = [];
  for (const [path, e] of before) {
    const a = after.get(path);
    if (!a) lines.push(`missing after: ${path || '.'}`);
    else if (!sameEntry(a, e)) lines.push(`changed: ${path || '.'} ${JSON.stringify(e)} -> ${JSON.stringify(a)}`);
  }
  for (const path of after.keys()) if (!before.has(path)) lines.push(`added: ${path}`);
  return lines;
}
