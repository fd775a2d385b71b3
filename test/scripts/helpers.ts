// SPDX-License-Identifier: MIT
// Shared helpers for the CLI tests: run ds-kit as a subprocess, make temporary directories.
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../../scripts/lib/paths.ts';

export const bin = path.join(repoRoot, 'bin', 'ds-kit.mjs');

export async function dsKit(args: string[], env: Record<string, string | undefined> = {}) {
  return execa(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    reject: false,
    env: { DS_KIT_RENDERER: 'silent', CI: undefined, ...env },
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `ds-kit-${prefix}-`));
}

export function writeFiles(dir: string, files: Record<string, string>): string {
  for (const [name, content] of Object.entries(files)) {
    const full = path.join(dir, name);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return dir;
}
