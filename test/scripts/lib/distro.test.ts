// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { familyOf, installCommand, packagesFor, parseOsRelease } from '../../../scripts/lib/distro.ts';
import { paths } from '../../../scripts/lib/paths.ts';

test('os-release files map to a package family', () => {
  assert.equal(familyOf(parseOsRelease('ID=debian\nVERSION_CODENAME=bookworm\n')), 'debian');
  assert.equal(familyOf(parseOsRelease('ID=ubuntu\nID_LIKE=debian\n')), 'debian');
  assert.equal(familyOf(parseOsRelease('ID=arch\n')), 'arch');
  assert.equal(familyOf(parseOsRelease('ID=endeavouros\nID_LIKE="arch"\n')), 'arch');
  assert.equal(familyOf(parseOsRelease('ID=fedora\n')), 'unknown');
  assert.equal(familyOf(undefined), 'unknown');
  assert.equal(parseOsRelease('PRETTY_NAME="Arch Linux"\n').prettyName, 'Arch Linux');
});

test('install commands: apt-get on Debian, pacman on Arch, sudo unless root', () => {
  assert.equal(installCommand('debian', ['cmake', 'xvfb'], false), 'sudo apt-get install -y --no-install-recommends cmake xvfb');
  assert.equal(installCommand('arch', ['cmake'], true), 'pacman -S --needed --noconfirm cmake');
  assert.equal(installCommand('unknown', ['cmake'], true), undefined);
  assert.equal(installCommand('debian', [], true), undefined);
});

test('scripts/install-deps.sh installs every package doctor knows about', () => {
  const script = readFileSync(paths.installDeps, 'utf8');
  for (const family of ['debian', 'arch'] as const) {
    for (const pkg of packagesFor(family)) {
      assert.match(script, new RegExp(`(^|\\s)${pkg.replace(/[+]/g, '\\+')}(\\s|$)`, 'm'), `${family}: ${pkg} missing from install-deps.sh`);
    }
  }
});
