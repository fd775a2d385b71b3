// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { doctor } from '../../../scripts/tasks/doctor.ts';
import type { Requirement } from '../../../scripts/lib/distro.ts';
import { dsKit, tempDir, writeFiles } from '../helpers.ts';

const fakeOsRelease = (content: string): string => path.join(writeFiles(tempDir('os'), { 'os-release': content }), 'os-release');

const requirements: Requirement[] = [
  { what: 'present tool', probe: () => '/usr/bin/present', debian: ['present-deb'], arch: ['present-arch'] },
  { what: 'absent tool', probe: () => undefined, debian: ['absent-deb'], arch: ['absent-arch'] },
];

test('doctor names what is missing and the apt-get command for it on Debian', () => {
  const report = doctor({ osReleasePath: fakeOsRelease('ID=debian\n'), asRoot: false, nodeVersion: 'v20.1.0', requirements });
  assert.equal(report.ok, false);
  assert.deepEqual(report.missing, ['absent tool']);
  const text = report.lines.join('\n');
  assert.match(text, /MISSING  absent tool \(package: absent-deb\)/);
  assert.match(text, /^  sudo apt-get install -y --no-install-recommends absent-deb$/m);
});

test('doctor gives the pacman command on Arch, without sudo as root', () => {
  const report = doctor({ osReleasePath: fakeOsRelease('ID=arch\n'), asRoot: true, nodeVersion: 'v22.0.0', requirements });
  assert.match(report.lines.join('\n'), /^  pacman -S --needed --noconfirm absent-arch$/m);
});

test('doctor flags Node older than 20 and says where Node 20 comes from on Debian', () => {
  const report = doctor({ osReleasePath: fakeOsRelease('ID=debian\n'), asRoot: true, nodeVersion: 'v18.19.0', requirements: [] });
  assert.equal(report.ok, false);
  assert.match(report.lines.join('\n'), /Node\.js 20 or newer \(this is v18\.19\.0\).*NodeSource/);
});

test('ds-kit doctor --os-release prints the full install command for that distro', async () => {
  const arch = await dsKit(['doctor', '--os-release', fakeOsRelease('ID=arch\nPRETTY_NAME="Arch Linux"\n')]);
  assert.ok(arch.exitCode === 0 || arch.exitCode === 1, arch.stderr);
  assert.match(arch.stdout, /^System: Arch Linux -> package family: arch$/m);
  assert.match(arch.stdout, /pacman -S --needed --noconfirm .*mingw-w64-gcc/);
  const debian = await dsKit(['doctor', '--os-release', fakeOsRelease('ID=debian\n')]);
  assert.match(debian.stdout, /apt-get install -y --no-install-recommends .*libclang-rt-14-dev/);
});

test('doctor says which Wine versions the module is tested with', () => {
  const report = doctor({ osReleasePath: fakeOsRelease('ID=debian\n'), asRoot: true, nodeVersion: 'v20.1.0', requirements: [] });
  assert.ok(report.lines.some((l) => /Wine 8\.0 and 10\.0/.test(l)), report.lines.join('\n'));
});
