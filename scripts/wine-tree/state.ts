// SPDX-License-Identifier: MIT
// What `ds-kit patch` keeps in a tree so that --revert restores it byte for byte and an interrupted run
// (kill -9, power loss) is finished or rolled back by the next one. <tree>/.ds-kit/ holds the exact
// patches applied, copies of every file the series modifies or autoreconf rewrites, and applied.json:
// the journal. applied.json is only ever replaced atomically (write, fsync, rename) and names the phase:
//   applying      the backups are complete; git apply may have written some, all or none of the series
//   regenerating  the series is in; autoreconf may not have finished
//   applied       done
//   reverting     the tree is being restored from the backups
// The tree is changed only while applied.json exists, and restoring from the backups is idempotent, so
// whatever was interrupted can be rolled back (or, for `regenerating`, completed) by running it again.
import {
  closeSync,
  copyFileSync,
  cpSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fsFailure } from './fs-errors.ts';
import { WineTreeError } from './messages.ts';

export const STATE_DIR = '.ds-kit';
/** What autoreconf -f may rewrite in a Wine tree (aclocal.m4 is Wine's own and normally left alone; the ~ files are autoconf's backups). */
export const REGENERATED = [
  'configure',
  'include/config.h.in',
  'aclocal.m4',
  'autom4te.cache',
  'configure~',
  'include/config.h.in~',
];
/** Journal format written by this version; records without it come from an older ds-kit. */
export const STATE_FORMAT = 2;

export type Phase = 'applying' | 'regenerating' | 'applied' | 'reverting';
const PHASES: readonly Phase[] = ['applying', 'regenerating', 'applied', 'reverting'];

export interface AppliedRecord {
  format: typeof STATE_FORMAT;
  phase: Phase;
  series: string;
  wineVersion: string;
  /** File names under .ds-kit/patches, in application order. */
  patches: string[];
  /** Files the series changes that existed before: backed up under .ds-kit/backup. */
  modified: string[];
  /** Files the series creates: deleted on rollback and revert. */
  created: string[];
  /** Directories the series creates (parents first): removed when empty. */
  createdDirs: string[];
  /** REGENERATED entries that existed before (backed up); the others are deleted on revert. */
  existed: string[];
  /** The ds-kit process that wrote this phase (another live one means: hands off). */
  pid: number;
  appliedAt: string;
}

export const stateDir = (tree: string): string => join(tree, STATE_DIR);
export const recordPath = (tree: string): string => join(stateDir(tree), 'applied.json');
const backupPath = (tree: string, f: string): string => join(stateDir(tree), 'backup', f);

const handRepair = (tree: string): string =>
  `to take the series out by hand: in ${tree}, copy every file under .ds-kit/backup/ back to its place, delete dlls/dstorage and ` +
  'include/dstorage*.h, then delete .ds-kit; or start again from a fresh copy of the Wine sources';

/** The journal, or undefined when the tree is not patched by ds-kit. A damaged journal is a WineTreeError, never a stack trace. */
export function readRecord(tree: string): AppliedRecord | undefined {
  const file = recordPath(tree);
  if (!existsSync(file)) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw fsFailure(error, `read ${file}`, 'make the tree readable by this user, then run the command again');
  }
  let parsed: Partial<AppliedRecord>;
  try {
    parsed = JSON.parse(text) as Partial<AppliedRecord>;
  } catch (error) {
    const why =
      text.length === 0 ? 'it is empty' : `it is not valid JSON (${(error as Error).message}; ${text.length} bytes)`;
    throw new WineTreeError(
      `${file} is damaged: ${why}, so ds-kit cannot tell what it applied to ${tree}`,
      handRepair(tree),
    );
  }
  if (parsed.format !== STATE_FORMAT) {
    throw new WineTreeError(
      `${file} was written by an older ds-kit (no "format": ${STATE_FORMAT}) that kept no backups of the files the series changes`,
      `in ${tree}: git apply -R .ds-kit/patches/*.patch, copy .ds-kit/backup/* back, delete .ds-kit; or start again from a fresh copy of the Wine sources`,
    );
  }
  const lists = ['patches', 'modified', 'created', 'createdDirs', 'existed'] as const;
  if (
    !PHASES.includes(parsed.phase as Phase) ||
    lists.some((k) => !Array.isArray(parsed[k])) ||
    typeof parsed.series !== 'string'
  ) {
    throw new WineTreeError(
      `${file} is damaged: fields are missing or have the wrong type, so ds-kit cannot tell what it applied to ${tree}`,
      handRepair(tree),
    );
  }
  return parsed as AppliedRecord;
}

export const storedPatches = (tree: string, record: AppliedRecord): string[] =>
  record.patches.map((p) => join(stateDir(tree), 'patches', p));

/** Writes a file so that a reader sees the old bytes or the new ones, never a part. */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dir = openSync(dirname(file), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

function writeRecord(tree: string, record: AppliedRecord): void {
  writeAtomically(recordPath(tree), `${JSON.stringify(record, null, 2)}\n`);
}

/** Moves the journal to the next phase (the commit point of each step). */
export function setPhase(tree: string, record: AppliedRecord, phase: Phase): AppliedRecord {
  const next = { ...record, phase, pid: process.pid };
  writeRecord(tree, next);
  return next;
}

/** A .ds-kit/ without applied.json: the first steps of a run that was stopped before it changed the tree. */
export function hasStaleState(tree: string): boolean {
  return existsSync(stateDir(tree)) && !existsSync(recordPath(tree));
}

export interface SeriesFiles {
  modified: string[];
  created: string[];
}

/** Directories that creating `files` makes, parents first. */
function newDirectories(tree: string, files: string[]): string[] {
  const dirs = new Set<string>();
  for (const f of files) {
    for (let d = dirname(f); d !== '.' && d !== '/' && !existsSync(join(tree, d)); d = dirname(d)) dirs.add(d);
  }
  return [...dirs].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
}

/**
 * Copies the patches and every file the series or autoreconf will change, then writes the journal
 * (phase `applying`). Call before changing anything; until the journal exists the tree is untouched.
 */
export function beginPatch(
  tree: string,
  series: string,
  wineVersion: string,
  patches: string[],
  files: SeriesFiles,
): AppliedRecord {
  const dir = stateDir(tree);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'patches'), { recursive: true });
  for (const p of patches) copyFileSync(p, join(dir, 'patches', basename(p)));
  const existed = REGENERATED.filter((f) => existsSync(join(tree, f)));
  for (const f of [...files.modified, ...existed]) {
    mkdirSync(dirname(backupPath(tree, f)), { recursive: true });
    cpSync(join(tree, f), backupPath(tree, f), { recursive: true, preserveTimestamps: true });
  }
  const record: AppliedRecord = {
    format: STATE_FORMAT,
    phase: 'applying',
    series,
    wineVersion,
    patches: patches.map((p) => basename(p)),
    modified: files.modified,
    created: files.created,
    createdDirs: newDirectories(tree, files.created),
    existed,
    pid: process.pid,
    appliedAt: new Date().toISOString(),
  };
  writeRecord(tree, record);
  return record;
}

/** Puts one backed-up file back through a temporary file in .ds-kit, so the tree never holds a partial copy. */
function restoreFile(tree: string, f: string): void {
  const tmp = join(stateDir(tree), 'restore.tmp');
  const from = backupPath(tree, f);
  copyFileSync(from, tmp);
  const st = statSync(from);
  utimesSync(tmp, st.atime, st.mtime);
  renameSync(tmp, join(tree, f));
}

/**
 * autom4te (Perl's File::Temp) writes configure and config.h.in through a temporary file of ten
 * random letters, digits and underscores beside the output and renames it; a kill in between
 * leaves that file.
 * Those that appeared after the journal was started are autoreconf's leftovers.
 */
function removeAutoconfTemps(tree: string, since: string): void {
  const started = Date.parse(since);
  for (const dir of ['.', 'include']) {
    const full = join(tree, dir);
    if (!existsSync(full)) continue;
    for (const name of readdirSync(full)) {
      if (!/^\w{10}$/.test(name)) continue;
      const file = join(full, name);
      const st = statSync(file);
      if (st.isFile() && st.mtimeMs >= started - 1000) rmSync(file, { force: true });
    }
  }
}

/** Puts back what autoreconf rewrote (idempotent), and removes what a killed autoreconf left. */
export function restoreRegenerated(tree: string, record: AppliedRecord): void {
  removeAutoconfTemps(tree, record.appliedAt);
  for (const f of REGENERATED) {
    const existed = record.existed.includes(f);
    if (existed && statSync(backupPath(tree, f)).isFile()) {
      restoreFile(tree, f);
      continue;
    }
    rmSync(join(tree, f), { recursive: true, force: true });
    if (existed) cpSync(backupPath(tree, f), join(tree, f), { recursive: true, preserveTimestamps: true });
  }
}

/**
 * Gives back the tree as it was before the series, from the backups, whatever phase was interrupted,
 * and removes .ds-kit/. Safe to repeat after an interruption: every step is idempotent, and the journal
 * goes first (after it, .ds-kit/ is only leftovers). Returns created directories that were not empty
 * (files someone else put there), which are left in place.
 */
export function restorePristine(tree: string, record: AppliedRecord): string[] {
  if (record.phase !== 'reverting') record = setPhase(tree, record, 'reverting');
  for (const f of record.created) rmSync(join(tree, f), { force: true });
  const kept: string[] = [];
  for (const d of [...record.createdDirs].reverse()) {
    const full = join(tree, d);
    if (!existsSync(full)) continue;
    if (readdirSync(full).length === 0) rmdirSync(full);
    else kept.push(d);
  }
  for (const f of record.modified) restoreFile(tree, f);
  restoreRegenerated(tree, record);
  dropState(tree);
  return kept;
}

/** Removes .ds-kit/: the journal first (the commit point), then the rest. */
export function dropState(tree: string): void {
  if (existsSync(recordPath(tree))) unlinkSync(recordPath(tree));
  rmSync(stateDir(tree), { recursive: true, force: true });
}

/** Is the process that wrote the journal still running (another ds-kit at work on this tree)? */
export function ownerAlive(record: AppliedRecord): boolean {
  if (!record.pid || record.pid === process.pid) return false;
  try {
    process.kill(record.pid, 0);
  } catch {
    return false;
  }
  // A reused pid that is not a ds-kit (node) process does not count.
  try {
    return /node|ds-kit/.test(readFileSync(`/proc/${record.pid}/cmdline`, 'utf8'));
  } catch {
    return true;
  }
}
