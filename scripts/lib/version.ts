// SPDX-License-Identifier: MIT
// The kit's version: package.json's "version", the one place it is written.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.ts';

export function kitVersion(packageJson = path.join(repoRoot, 'package.json')): string {
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: string };
  if (!version) throw new Error(`${packageJson} has no "version"`);
  return version;
}
