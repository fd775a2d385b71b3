// SPDX-License-Identifier: MIT
// Distro detection (/etc/os-release) and the system packages ds-kit needs, per distro.
// scripts/install-deps.sh installs the same packages; test/scripts/lib/distro.test.ts keeps them in step.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { which } from './tools.ts';

export type Family = 'debian' | 'arch' | 'unknown';

export interface OsRelease {
  id: string;
  idLike: string[];
  prettyName: string;
}

export function parseOsRelease(content: string): OsRelease {
  const fields: Record<string, string> = {};
  for (const line of content.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) fields[match[1]] = match[2].replace(/^(["'])(.*)\1$/, '$2');
  }
  return {
    id: (fields.ID ?? '').toLowerCase(),
    idLike: (fields.ID_LIKE ?? '').toLowerCase().split(/\s+/).filter(Boolean),
    prettyName: fields.PRETTY_NAME ?? fields.NAME ?? 'unknown Linux',
  };
}

export function readOsRelease(file: string): OsRelease | undefined {
  try {
    return parseOsRelease(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

export function familyOf(os: OsRelease | undefined): Family {
  if (!os) return 'unknown';
  const ids = [os.id, ...os.idLike];
  if (ids.includes('debian') || ids.includes('ubuntu')) return 'debian';
  if (ids.includes('arch')) return 'arch';
  return 'unknown';
}

export interface Requirement {
  what: string;
  /** Where it is found: returns the location, or undefined when missing. */
  probe: () => string | undefined;
  debian: string[];
  arch: string[];
}

const command = (...names: string[]) => () => which(names);
const file = (...files: string[]) => () => files.find((f) => existsSync(f));
/** A file named `name` in any directory matching `dirs` (one '*' level per path part). */
const fileIn = (dirs: string[], name: RegExp) => () => {
  for (const pattern of dirs) {
    for (const dir of expand(pattern)) {
      try {
        const hit = readdirSync(dir).find((n) => name.test(n));
        if (hit) return path.join(dir, hit);
      } catch {
        // not here
      }
    }
  }
  return undefined;
};

function expand(pattern: string): string[] {
  const parts = pattern.split('/');
  let dirs = [parts[0] === '' ? '/' : parts[0]];
  for (const part of parts.slice(1)) {
    if (part === '') continue;
    dirs = dirs.flatMap((dir) => {
      if (part !== '*') return [path.join(dir, part)];
      try {
        return readdirSync(dir).map((n) => path.join(dir, n));
      } catch {
        return [];
      }
    });
  }
  return dirs;
}

const LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib'];

export const REQUIREMENTS: Requirement[] = [
  { what: 'C/C++ compiler and make', probe: command('g++'), debian: ['build-essential'], arch: ['base-devel'] },
  { what: 'CMake', probe: command('cmake'), debian: ['cmake'], arch: ['cmake'] },
  { what: 'Ninja', probe: command('ninja'), debian: ['ninja-build'], arch: ['ninja'] },
  { what: 'pkg-config', probe: command('pkg-config', 'pkgconf'), debian: ['pkg-config'], arch: ['pkgconf'] },
  { what: 'git', probe: command('git'), debian: ['git'], arch: ['git'] },
  { what: 'Python 3 (node-gyp)', probe: command('python3'), debian: ['python3'], arch: ['python'] },
  { what: 'liburing headers', probe: file('/usr/include/liburing.h'), debian: ['liburing-dev'], arch: ['liburing'] },
  { what: 'Vulkan headers', probe: file('/usr/include/vulkan/vulkan.h'), debian: ['libvulkan-dev'], arch: ['vulkan-headers'] },
  { what: 'Vulkan loader', probe: fileIn(LIB_DIRS, /^libvulkan\.so\.1$/), debian: ['libvulkan-dev'], arch: ['vulkan-icd-loader'] },
  {
    what: 'lavapipe (software Vulkan)',
    probe: fileIn(['/usr/share/vulkan/icd.d'], /^lvp_icd/),
    debian: ['mesa-vulkan-drivers'],
    arch: ['vulkan-swrast'],
  },
  { what: 'vulkaninfo', probe: command('vulkaninfo'), debian: ['vulkan-tools'], arch: ['vulkan-tools'] },
  { what: 'glslangValidator', probe: command('glslangValidator'), debian: ['glslang-tools'], arch: ['glslang'] },
  { what: 'clang (TSan build)', probe: command('clang++-14', 'clang++'), debian: ['clang-14'], arch: ['clang'] },
  {
    what: 'clang sanitizer runtimes',
    probe: fileIn(['/usr/lib/llvm-14/lib/clang/*/lib/linux', '/usr/lib/clang/*/lib/linux', '/usr/lib/clang/*/lib/x86_64-pc-linux-gnu'], /^libclang_rt\.tsan/),
    debian: ['libclang-rt-14-dev'],
    arch: ['compiler-rt'],
  },
  { what: 'Xvfb', probe: command('Xvfb'), debian: ['xvfb'], arch: ['xorg-server-xvfb'] },
  { what: 'xauth', probe: command('xauth'), debian: ['xauth'], arch: ['xorg-xauth'] },
  { what: 'Wine (64-bit)', probe: command('wine64', 'wine'), debian: ['wine64'], arch: ['wine'] },
  { what: 'winegcc / winebuild', probe: command('winebuild'), debian: ['wine64-tools'], arch: ['wine'] },
  {
    what: 'Wine headers (d3d12.h)',
    probe: file('/usr/include/wine/wine/windows/d3d12.h', '/usr/include/wine/windows/d3d12.h'),
    debian: ['libwine-dev'],
    arch: ['wine'],
  },
  { what: 'mingw-w64 cross compiler', probe: command('x86_64-w64-mingw32-gcc'), debian: ['mingw-w64'], arch: ['mingw-w64-gcc'] },
  // Wine source trees (ds-kit fetch-wine / patch / build --wine) and the PKGBUILD test.
  { what: 'autoconf', probe: command('autoreconf'), debian: ['autoconf'], arch: ['base-devel'] },
  { what: 'flex', probe: command('flex'), debian: ['flex'], arch: ['base-devel'] },
  { what: 'bison', probe: command('bison'), debian: ['bison'], arch: ['base-devel'] },
  { what: 'dpkg-source', probe: command('dpkg-source'), debian: ['dpkg-dev'], arch: [] },
  { what: 'XML::LibXML (Wine tree generators)', probe: fileIn(['/usr/lib/x86_64-linux-gnu/perl5/*/XML', '/usr/lib/perl5/*/XML'], /^LibXML\.pm$/), debian: ['libxml-libxml-perl'], arch: [] },
  { what: 'Khronos API registry', probe: file('/usr/share/khronos-api/gl.xml'), debian: ['khronos-api'], arch: [] },
  { what: 'Unicode data', probe: file('/usr/share/unicode/UnicodeData.txt'), debian: ['unicode-data'], arch: [] },
  { what: 'makepkg', probe: command('makepkg'), debian: ['makepkg'], arch: ['base-devel'] },
  { what: 'pacman (makepkg needs it)', probe: command('pacman'), debian: ['pacman-package-manager'], arch: [] },
  // test/wine/wine10.test.ts: a Debian trixie with Wine 10.0 (the module is tested with 8.0 and 10.0).
  { what: 'debootstrap', probe: file('/usr/sbin/debootstrap', '/usr/bin/debootstrap'), debian: ['debootstrap'], arch: ['debootstrap'] },
];

/** Node is special on Debian: bookworm ships Node 18, so Node 20 comes from NodeSource or nvm. */
export const NODE_MIN_MAJOR = 20;
export const NODE_PACKAGES: Record<Family, string[]> = { debian: [], arch: ['nodejs', 'npm'], unknown: [] };

export function nodeMajor(version = process.version): number {
  return Number.parseInt(version.replace(/^v/, ''), 10);
}

export function packagesFor(family: Family, requirements: Requirement[] = REQUIREMENTS): string[] {
  if (family === 'unknown') return [];
  const all = requirements.flatMap((r) => r[family]).concat(NODE_PACKAGES[family]);
  return [...new Set(all)];
}

export function installCommand(family: Family, packages: string[], asRoot: boolean): string | undefined {
  if (packages.length === 0 || family === 'unknown') return undefined;
  const sudo = asRoot ? '' : 'sudo ';
  if (family === 'debian') return `${sudo}apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  return `${sudo}pacman -S --needed --noconfirm ${packages.join(' ')}`;
}
