// SPDX-License-Identifier: MIT
// What `ds-kit patch` leaves in a tree so that `--revert` restores it byte for byte: <tree>/.ds-kit/
// holds the exact patches applied, copies of the files autoreconf rewrites, and applied.json.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const STATE_DIR = '.ds-kit';
/** What autoreconf -f may rewrite in a Wine tree (aclocal.m4 is Wine's own and normally left alone; the ~ files are autoconf's backups). */
export const REGENERATED = ['configure', 'include/config.h.in', 'aclocal.m4', 'autom4te.cache', 'configure~', 'include/config.h.in~'];

export interface AppliedRecord {
  series: string;
  wineVersion: string;
  /** File names under .ds-kit/patches, in application order. */
  patches: string[];
  /** REGENERATED entries that existed before (backed up); the others are deleted on revert. */
  existed: string[];
  appliedAt: string;
}

const stateDir = (tree: string): string => join(tree, STATE_DIR);
const recordPath = (tree: string): string => join(stateDir(tree), 'applied.json');

export function readRecord(tree: string): AppliedRecord | undefined {
  return existsSync(recordPath(tree)) ? (JSON.parse(readFileSync(recordPath(tree), 'utf8')) as AppliedRecord) : undefined;
}

export const storedPatches = (tree: string, record: AppliedRecord): string[] => record.patches.map((p) => join(stateDir(tree), 'patches', p));

/** Copies the patches and the files autoreconf will rewrite; call before changing anything. */
export function saveState(tree: string, series: string, wineVersion: string, patches: string[]): AppliedRecord {
  const dir = stateDir(tree);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'patches'), { recursive: true });
  for (const p of patches) cpSync(p, join(dir, 'patches', basename(p)));
  const existed = REGENERATED.filter((f) => existsSync(join(tree, f)));
  for (const f of existed) {
    mkdirSync(dirname(join(dir, 'backup', f)), { recursive: true });
    cpSync(join(tree, f), join(dir, 'backup', f), { recursive: true, preserveTimestamps: true });
  }
  const record: AppliedRecord = {
    series, wineVersion, patches: patches.map((p) => basename(p)), existed, appliedAt: new Date().toISOString(),
  };
  writeFileSync(recordPath(tree), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

/** Puts back what autoreconf rewrote and removes .ds-kit/; the patches must already be reversed. */
export function restoreState(tree: string, record: AppliedRecord): void {
  const dir = stateDir(tree);
  for (const f of REGENERATED) {
    rmSync(join(tree, f), { recursive: true, force: true });
    if (record.existed.includes(f)) cpSync(join(dir, 'backup', f), join(tree, f), { recursive: true, preserveTimestamps: true });
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Removes .ds-kit/ without touching anything else (a patch that failed before changing the tree). */
export const dropState = (tree: string): void => rmSync(stateDir(tree), { recursive: true, force: true });
