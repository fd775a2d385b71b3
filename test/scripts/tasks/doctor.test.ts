// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { doctor } from '../../../scripts/tasks/doctor.ts';
import { REQUIREMENTS, WINE_LOADERS, type Requirement } from '../../../scripts/lib/distro.ts';
import { dsKit, tempDir, writeFiles } from '../helpers.ts';

const fakeOsRelease = (content: string): string =>
  path.join(writeFiles(tempDir('os'), { 'os-release': content }), 'os-release');

const requirements: Requirement[] = [
  {
    what: 'present tool',
    need: 'build',
    probe: () => '/usr/bin/present',
    debian: ['present-deb'],
    arch: ['present-arch'],
  },
  { what: 'absent tool', need: 'build', probe: () => undefined, debian: ['absent-deb'], arch: ['absent-arch'] },
];

test('doctor names what is missing and the apt-get command for it on Debian', () => {
  const report = doctor({
    osReleasePath: fakeOsRelease('ID=debian\n'),
    asRoot: false,
    nodeVersion: 'v20.1.0',
    requirements,
  });
  assert.equal(report.ok, false);
  assert.equal(report.buildOk, false);
  assert.deepEqual(report.missing, ['absent tool']);
  const text = report.lines.join('\n');
  assert.match(text, /MISSING  absent tool \(package: absent-deb\)/);
  assert.match(text, /^  sudo apt-get update && sudo apt-get install -y --no-install-recommends absent-deb$/m);
});

test('doctor gives the pacman command on Arch, without sudo as root', () => {
  const report = doctor({
    osReleasePath: fakeOsRelease('ID=arch\n'),
    asRoot: true,
    nodeVersion: 'v22.0.0',
    requirements,
  });
  assert.match(report.lines.join('\n'), /^  pacman -S --needed --noconfirm absent-arch$/m);
});

test('doctor groups building and testing needs; missing test tools leave building ready', () => {
  const report = doctor({
    osReleasePath: fakeOsRelease('ID=debian\n'),
    asRoot: true,
    nodeVersion: 'v20.1.0',
    requirements: [requirements[0], { ...requirements[1], need: 'test' }],
  });
  const text = report.lines.join('\n');
  assert.ok(text.indexOf('To build') < text.indexOf('present tool'));
  assert.ok(text.indexOf('To test') < text.indexOf('absent tool'));
  assert.ok(text.indexOf('present tool') < text.indexOf('To test'));
  assert.equal(report.buildOk, true);
  assert.equal(report.ok, false);
  assert.match(text, /^Building: ready\. Testing: something above is missing\.$/m);
});

test('doctor says a program installed off PATH is not usable, and names the package that fixes it', () => {
  const req: Requirement = {
    what: 'wine and wineboot commands',
    need: 'build',
    probe: () => undefined,
    elsewhere: () => '/usr/lib/wine/wine64',
    debian: ['wine'],
    arch: ['wine'],
  };
  const report = doctor({
    osReleasePath: fakeOsRelease('ID=debian\n'),
    asRoot: true,
    nodeVersion: 'v20.1.0',
    requirements: [req],
  });
  const text = report.lines.join('\n');
  assert.match(
    text,
    /MISSING  wine and wineboot commands: installed \(\/usr\/lib\/wine\/wine64\) but not on PATH: install `wine`/,
  );
  assert.match(text, /^  apt-get update && apt-get install -y --no-install-recommends wine$/m);
});

const wine64 = WINE_LOADERS.find((f) => existsSync(f));
test("Debian's wine64 without the wine package: the real probes find Wine, and say the commands need `wine`", {
  skip: wine64 ? false : 'no wine64 loader on this machine',
}, () => {
  // What a machine with wine64 but without the `wine` package sees: no wine/wineboot on PATH.
  const saved = process.env.PATH;
  process.env.PATH = tempDir('path');
  try {
    const report = doctor({
      osReleasePath: fakeOsRelease('ID=debian\n'),
      asRoot: true,
      nodeVersion: 'v20.1.0',
      requirements: REQUIREMENTS.filter((r) => /wine/i.test(r.what)),
    });
    const text = report.lines.join('\n');
    assert.match(text, new RegExp(`ok       Wine \\(64-bit\\): ${wine64}`));
    assert.match(text, /MISSING  wine and wineboot commands: installed \(.*wine64\) but not on PATH: install `wine`/);
    assert.match(text, /apt-get install -y --no-install-recommends wine$/m);
  } finally {
    process.env.PATH = saved;
  }
});

test('doctor flags Node older than 20 and says where Node 20 comes from on Debian', () => {
  const report = doctor({
    osReleasePath: fakeOsRelease('ID=debian\n'),
    asRoot: true,
    nodeVersion: 'v18.19.0',
    requirements: [],
  });
  assert.equal(report.ok, false);
  assert.match(report.lines.join('\n'), /Node\.js 20 or newer \(this is v18\.19\.0\).*install-deps\.sh adds a pinned/);
});

test('ds-kit doctor --os-release prints the build and the test install commands for that distro', async () => {
  const arch = await dsKit(['doctor', '--os-release', fakeOsRelease('ID=arch\nPRETTY_NAME="Arch Linux"\n')]);
  assert.ok(arch.exitCode === 0 || arch.exitCode === 1, arch.stderr);
  assert.match(arch.stdout, /^System: Arch Linux -> package family: arch$/m);
  assert.match(arch.stdout, /pacman -S --needed --noconfirm .*mingw-w64-gcc/);
  const debian = await dsKit(['doctor', '--os-release', fakeOsRelease('ID=debian\n')]);
  const build = /^Everything building needs, in one command:\n {2}(.*)$/m.exec(debian.stdout)?.[1] ?? '';
  const all = /^Everything building and testing need, in one command:\n {2}(.*)$/m.exec(debian.stdout)?.[1] ?? '';
  assert.match(build, /apt-get install -y --no-install-recommends .* wine .*libarchive-tools/);
  assert.doesNotMatch(build, /libclang-rt-14-dev/);
  assert.match(all, /libclang-rt-14-dev/);
  assert.match(debian.stdout, /install-deps\.sh --test/);
});

test('doctor says which Wine versions the module is tested with', () => {
  const report = doctor({
    osReleasePath: fakeOsRelease('ID=debian\n'),
    asRoot: true,
    nodeVersion: 'v20.1.0',
    requirements: [],
  });
  assert.ok(
    report.lines.some((l) => /Wine 8\.0 and 10\.0/.test(l)),
    report.lines.join('\n'),
  );
});
