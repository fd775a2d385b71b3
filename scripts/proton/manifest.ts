// SPDX-License-Identifier: MIT
// The record ds-kit keeps inside a Proton directory: <root>/.ds-kit/manifest.json says which files
// it wrote (with SHA-256), which originals it moved aside into <root>/.ds-kit/backup/, and the
// times of the directories it changed, so that uninstall can put the directory back as it was.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../lib/errors.ts';
import { protonText } from './messages.ts';

export const STATE_DIR = '.ds-kit';
export const MANIFEST = join(STATE_DIR, 'manifest.json');
export const BACKUP_DIR = join(STATE_DIR, 'backup');
export const MANIFEST_FORMAT = 1;

export interface ManifestFile {
  /** Relative to the Proton root. */
  path: string;
  sha256: string;
  size: number;
  /** Relative to the Proton root: where the file that was there before now lies. */
  backup?: string;
}

export interface DirectoryTimes {
  /** Relative to the Proton root ('' is the root itself). */
  path: string;
  atimeMs: number;
  mtimeMs: number;
}

export interface Manifest {
  tool: 'ds-kit';
  format: number;
  installedAt: string;
  /** Where the installed module came from (build/wine-module or --module-dir). */
  from: string;
  layout: string;
  wine: { version: string; text: string; source: string } | null;
  files: ManifestFile[];
  /** Directories whose entries ds-kit changed, with their times from before the first install. */
  directories: DirectoryTimes[];
}

export function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export function readManifest(root: string): Manifest | undefined {
  const file = join(root, MANIFEST);
  if (!existsSync(file)) return undefined;
  let parsed: Manifest;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch (e) {
    throw new UsageError(protonText.badManifest(file, (e as Error).message));
  }
  if (parsed.tool !== 'ds-kit' || !Array.isArray(parsed.files) || !Array.isArray(parsed.directories)) {
    throw new UsageError(protonText.badManifest(file, 'it is not a ds-kit manifest'));
  }
  if (parsed.format > MANIFEST_FORMAT) throw new UsageError(protonText.newerManifest(file, parsed.format));
  return parsed;
}

/** Written to a temporary name first, so a crash never leaves half a manifest. */
export function writeManifest(root: string, manifest: Manifest): void {
  const file = join(root, MANIFEST);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
