// SPDX-License-Identifier: MIT
// Puts dstorage.dll + dstorage.so into one Proton's 64-bit Wine and takes them out again.
// Install moves any file it would replace into .ds-kit/backup/ (a rename: bytes, mode, times and
// symlinks stay as they were) and writes the manifest; uninstall deletes what the manifest lists
// (only when it still has the checksum ds-kit wrote), moves the backups back, removes .ds-kit/ and
// restores the times of the directories it touched. Reinstalling over an install keeps the first
// install's backups and times.
import {
  accessSync,
  chmodSync,
  constants,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { UsageError } from '../lib/errors.ts';
import {
  BACKUP_DIR,
  MANIFEST_FORMAT,
  STATE_DIR,
  readManifest,
  sha256Of,
  writeManifest,
  type DirectoryTimes,
  type Manifest,
  type ManifestFile,
} from './manifest.ts';
import { protonText } from './messages.ts';
import { PE_DIR, UNIX_DIR, type ProtonDir } from './proton-dir.ts';
import type { WineVersion } from './wine-version.ts';

export interface ModuleFiles {
  /** Holds dstorage.dll and dstorage.so (build/wine-module by default). */
  dir: string;
  dll: string;
  so: string;
}

export function moduleFiles(dir: string): ModuleFiles {
  const files = { dir, dll: join(dir, 'dstorage.dll'), so: join(dir, 'dstorage.so') };
  const missing = [files.dll, files.so].filter((f) => !existsSync(f));
  if (missing.length) throw new UsageError(protonText.moduleMissing(missing));
  return files;
}

interface Target {
  from: string;
  /** Relative to the Proton root. */
  path: string;
  /** A file of the same kind in the same directory whose mode the new file takes. */
  modeLike: string;
}

function targets(p: ProtonDir, m: ModuleFiles): Target[] {
  const lib = p.layout.wineLibDir;
  return [
    { from: m.dll, path: join(lib, PE_DIR, 'dstorage.dll'), modeLike: join(lib, PE_DIR, 'ntdll.dll') },
    { from: m.so, path: join(lib, UNIX_DIR, 'dstorage.so'), modeLike: join(lib, UNIX_DIR, 'ntdll.so') },
  ];
}

/** The directories whose entries an install changes: the root (.ds-kit/) and each target's folder. */
const touchedDirs = (ts: Target[]): string[] => ['', ...new Set(ts.map((t) => dirname(t.path)))];

const lexists = (p: string): boolean => {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

function requireWritable(p: ProtonDir, dirs: string[]): void {
  for (const d of dirs) {
    try {
      accessSync(join(p.root, d), constants.W_OK);
    } catch {
      throw new UsageError(protonText.notWritable(join(p.root, d), p.root));
    }
  }
}

function timesOf(root: string, dirs: string[]): DirectoryTimes[] {
  return dirs.map((d) => {
    const st = statSync(join(root, d));
    return { path: d, atimeMs: st.atimeMs, mtimeMs: st.mtimeMs };
  });
}

/** Copies through a temporary name in the same directory, so the target is never half written. */
function placeFile(from: string, to: string, modeLike: string): void {
  const tmp = `${to}.ds-kit-tmp`;
  copyFileSync(from, tmp);
  chmodSync(tmp, existsSync(modeLike) ? statSync(modeLike).mode & 0o7777 : 0o644);
  renameSync(tmp, to);
}

export interface InstallResult {
  proton: ProtonDir;
  files: ManifestFile[];
  /** True when it replaced an earlier ds-kit install. */
  updated: boolean;
}

export function installInto(
  p: ProtonDir,
  m: ModuleFiles,
  wine: WineVersion | undefined,
  options: { force?: boolean } = {},
): InstallResult {
  const ts = targets(p, m);
  const dirs = touchedDirs(ts);
  requireWritable(p, dirs);
  const previous = readManifest(p.root);

  // Before anything moves: a file ds-kit wrote earlier that someone else changed since is theirs.
  if (previous && !options.force) {
    for (const f of previous.files) {
      const abs = join(p.root, f.path);
      if (existsSync(abs) && sha256Of(abs) !== f.sha256)
        throw new UsageError(protonText.changedSinceInstall(abs, 'install'));
    }
  }

  // The plan first, every check before anything moves.
  const plan = ts.map((t) => {
    const abs = join(p.root, t.path);
    const earlier = previous?.files.find((f) => f.path === t.path);
    const moveAside = !earlier && lexists(abs);
    const backup = moveAside ? join(BACKUP_DIR, t.path) : earlier?.backup;
    // A backup without a manifest is what an interrupted install leaves: never overwrite it.
    if (moveAside && lexists(join(p.root, backup!)))
      throw new UsageError(protonText.interruptedInstall(join(p.root, backup!), abs));
    return { t, abs, backup, moveAside };
  });

  const directories = previous?.directories ?? timesOf(p.root, dirs);
  mkdirSync(join(p.root, STATE_DIR), { recursive: true });
  const files: ManifestFile[] = [];
  for (const { t, abs, backup, moveAside } of plan) {
    if (moveAside) {
      mkdirSync(join(p.root, dirname(backup!)), { recursive: true });
      renameSync(abs, join(p.root, backup!));
    }
    placeFile(t.from, abs, join(p.root, t.modeLike));
    files.push({ path: t.path, sha256: sha256Of(abs), size: statSync(abs).size, ...(backup ? { backup } : {}) });
  }
  const manifest: Manifest = {
    tool: 'ds-kit',
    format: MANIFEST_FORMAT,
    installedAt: new Date().toISOString(),
    from: m.dir,
    layout: p.layout.name,
    wine: wine ? { version: `${wine.major}.${wine.minor}`, text: wine.text, source: wine.source } : null,
    files,
    directories,
  };
  writeManifest(p.root, manifest);
  return { proton: p, files, updated: previous !== undefined };
}

export interface UninstallResult {
  proton: ProtonDir;
  removed: string[];
  restored: string[];
  /** Files the manifest lists that were already gone. */
  missing: string[];
}

export function uninstallFrom(p: ProtonDir, options: { force?: boolean } = {}): UninstallResult | undefined {
  const manifest = readManifest(p.root);
  if (!manifest) return undefined;
  requireWritable(p, [...new Set(['', ...manifest.files.map((f) => dirname(f.path))])]);
  const abs = (rel: string): string => join(p.root, rel);

  for (const f of manifest.files) {
    if (existsSync(abs(f.path)) && sha256Of(abs(f.path)) !== f.sha256 && !options.force) {
      throw new UsageError(protonText.changedSinceInstall(abs(f.path), 'uninstall'));
    }
    if (f.backup && !lexists(abs(f.backup))) throw new UsageError(protonText.backupMissing(abs(f.backup), abs(f.path)));
  }
  const result: UninstallResult = { proton: p, removed: [], restored: [], missing: [] };
  for (const f of manifest.files) {
    if (lexists(abs(f.path))) {
      rmSync(abs(f.path));
      result.removed.push(f.path);
    } else {
      result.missing.push(f.path);
    }
    if (f.backup) {
      renameSync(abs(f.backup), abs(f.path));
      result.restored.push(f.path);
    }
  }
  rmSync(abs(STATE_DIR), { recursive: true, force: true });
  // Deepest first: restoring a folder's times must come after every change inside it.
  for (const d of [...manifest.directories].sort((a, b) => b.path.length - a.path.length)) {
    if (existsSync(abs(d.path))) utimesSync(abs(d.path), d.atimeMs / 1000, d.mtimeMs / 1000);
  }
  return result;
}

export type InstallState = 'not installed' | 'installed' | 'changed' | 'incomplete';

export interface InstallCheck {
  state: InstallState;
  manifest?: Manifest;
  /** One line per file that does not match the manifest. */
  problems: string[];
}

/** Whether ds-kit is installed here, and whether the files still match the manifest. */
export function checkInstall(p: ProtonDir): InstallCheck {
  const manifest = readManifest(p.root);
  if (!manifest) return { state: 'not installed', problems: [] };
  const problems: string[] = [];
  let missing = false;
  for (const f of manifest.files) {
    const file = join(p.root, f.path);
    if (!existsSync(file)) {
      missing = true;
      problems.push(protonText.fileMissing(relative(p.root, file)));
    } else if (sha256Of(file) !== f.sha256) {
      problems.push(protonText.fileChanged(relative(p.root, file)));
    }
  }
  const state: InstallState = problems.length === 0 ? 'installed' : missing ? 'incomplete' : 'changed';
  return { state, manifest, problems };
}
