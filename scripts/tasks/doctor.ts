// SPDX-License-Identifier: MIT
// `ds-kit doctor`: what is installed, what is missing, and the exact command that installs it.
// A report rather than a task list: it runs nothing, it only looks.
import {
  familyOf, installCommand, NODE_MIN_MAJOR, nodeMajor, packagesFor, readOsRelease, REQUIREMENTS, type Family,
  type Requirement,
} from '../lib/distro.ts';
import { doctorText } from '../lib/messages.ts';

export interface DoctorInput {
  osReleasePath: string;
  asRoot: boolean;
  nodeVersion?: string;
  requirements?: Requirement[];
}

export interface DoctorReport {
  family: Family;
  lines: string[];
  missing: string[];
  ok: boolean;
}

export function doctor(input: DoctorInput): DoctorReport {
  const os = readOsRelease(input.osReleasePath);
  const family = familyOf(os);
  const requirements = input.requirements ?? REQUIREMENTS;
  const lines = [doctorText.system(os?.prettyName, family, input.osReleasePath)];
  const missingPackages: string[] = [];
  const missingThings: string[] = [];

  for (const req of requirements) {
    const where = req.probe();
    const pkgs = family === 'unknown' ? [] : req[family];
    lines.push(where ? doctorText.found(req.what, where) : doctorText.missing(req.what, pkgs));
    if (!where) {
      missingThings.push(req.what);
      missingPackages.push(...pkgs);
    }
  }

  const version = input.nodeVersion ?? process.version;
  const nodeOk = nodeMajor(version) >= NODE_MIN_MAJOR;
  lines.push(nodeOk ? doctorText.found('Node.js', version) : doctorText.nodeTooOld(version, family));
  if (!nodeOk) missingThings.push('Node.js 20+');

  const missing = [...new Set(missingPackages)];
  const command = installCommand(family, missing, input.asRoot);
  lines.push(doctorText.wineTested);
  lines.push('');
  if (missingThings.length === 0) lines.push(doctorText.allFound);
  else if (command) lines.push(doctorText.installMissing, `  ${command}`);
  else if (family === 'unknown') lines.push(doctorText.unknownDistro);
  const everything = installCommand(family, packagesFor(family), input.asRoot);
  if (everything) lines.push(doctorText.installAll, `  ${everything}`, doctorText.orScript);
  return { family, lines, missing: missingThings, ok: missingThings.length === 0 };
}
