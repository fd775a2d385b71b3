// SPDX-License-Identifier: MIT
// `ds-kit doctor`: what is installed, what is missing, and the exact command that installs it,
// grouped by what it is for (building, testing). A report rather than a task list: it runs nothing,
// it only looks.
import {
  familyOf,
  installCommand,
  NEEDS,
  NODE_MIN_MAJOR,
  nodeMajor,
  packagesFor,
  readOsRelease,
  REQUIREMENTS,
  type Family,
  type Need,
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
  /** What is missing, for building or testing. */
  missing: string[];
  /** Everything is there, for building and testing. */
  ok: boolean;
  /** Everything building needs is there (testing may still miss something). */
  buildOk: boolean;
}

export function doctor(input: DoctorInput): DoctorReport {
  const os = readOsRelease(input.osReleasePath);
  const family = familyOf(os);
  const requirements = input.requirements ?? REQUIREMENTS;
  const lines = [doctorText.system(os?.prettyName, family, input.osReleasePath)];
  const missingPackages: string[] = [];
  const missing: Record<Need, string[]> = { build: [], test: [] };

  for (const need of NEEDS) {
    lines.push(doctorText.heading[need]);
    for (const req of requirements.filter((r) => r.need === need)) {
      const where = req.probe();
      const pkgs = family === 'unknown' ? [] : req[family];
      if (where) {
        lines.push(doctorText.found(req.what, where));
        continue;
      }
      const elsewhere = req.elsewhere?.();
      lines.push(elsewhere ? doctorText.notOnPath(req.what, elsewhere, pkgs) : doctorText.missing(req.what, pkgs));
      missing[need].push(req.what);
      missingPackages.push(...pkgs);
    }
    if (need === 'build') {
      const version = input.nodeVersion ?? process.version;
      const nodeOk = nodeMajor(version) >= NODE_MIN_MAJOR;
      lines.push(nodeOk ? doctorText.found('Node.js', version) : doctorText.nodeTooOld(version, family));
      if (!nodeOk) missing.build.push(`Node.js ${NODE_MIN_MAJOR}+`);
    }
  }

  const missingThings = [...missing.build, ...missing.test];
  const command = installCommand(family, [...new Set(missingPackages)], input.asRoot);
  lines.push(doctorText.wineTested);
  lines.push('');
  if (missingThings.length === 0) lines.push(doctorText.allFound);
  else {
    lines.push(missing.build.length === 0 ? doctorText.buildReady : doctorText.buildNotReady(missing.build.length));
    if (command) lines.push(doctorText.installMissing, `  ${command}`);
    else if (family === 'unknown') lines.push(doctorText.unknownDistro);
  }
  const forBuild = installCommand(family, packagesFor(family, ['build']), input.asRoot);
  const forTest = installCommand(family, packagesFor(family, ['build', 'test']), input.asRoot);
  if (forBuild) lines.push(doctorText.installBuild, `  ${forBuild}`, doctorText.orScript);
  if (forTest) lines.push(doctorText.installTest, `  ${forTest}`, doctorText.orScriptTest);
  return { family, lines, missing: missingThings, ok: missingThings.length === 0, buildOk: missing.build.length === 0 };
}
