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

/** What a requirement is for: building (build-proton, `wine Game.exe`, makepkg) or testing (`npm test`). */
export type Need = 'build' | 'test';
export const NEEDS: Need[] = ['build', 'test'];

export interface Requirement {
  what: string;
  need: Need;
  /** Where it is found: returns the location, or undefined when missing. */
  probe: () => string | undefined;
  /**
   * Where it may be installed without being usable (a program that is not on PATH): when `probe`
   * misses but this finds something, doctor says so and names the package that makes it usable.
   */
  elsewhere?: () => string | undefined;
  debian: string[];
  arch: string[];
}

const command =
  (...names: string[]) =>
  () =>
    which(names);
const allCommands =
  (...names: string[]) =>
  () => {
    const found = names.map((n) => which([n]));
    return found.every(Boolean) ? found.join(', ') : undefined;
  };
const file =
  (...files: string[]) =>
  () =>
    files.find((f) => existsSync(f));
const either =
  (...probes: Array<() => string | undefined>) =>
  () => {
    for (const probe of probes) {
      const hit = probe();
      if (hit) return hit;
    }
    return undefined;
  };
/** A file named `name` in any directory matching `dirs` ('*' matches within one path part). */
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
      if (!part.includes('*')) return [path.join(dir, part)];
      const glob = new RegExp(
        `^${part
          .split('*')
          .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
      );
      try {
        return readdirSync(dir)
          .filter((n) => glob.test(n))
          .map((n) => path.join(dir, n));
      } catch {
        return [];
      }
    });
  }
  return dirs;
}

const LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib'];

/** The GNU build ID of an ELF64 file (its NT_GNU_BUILD_ID note), as hex. */
export function elfBuildId(file: string): string | undefined {
  const align4 = (n: number) => (n + 3) & ~3;
  try {
    const b = readFileSync(file);
    if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1) return undefined; // ELF, 64-bit, little-endian
    const phoff = Number(b.readBigUInt64LE(0x20));
    const phentsize = b.readUInt16LE(0x36);
    for (let i = 0; i < b.readUInt16LE(0x38); i++) {
      const ph = phoff + i * phentsize;
      if (b.readUInt32LE(ph) !== 4) continue; // PT_NOTE
      let off = Number(b.readBigUInt64LE(ph + 8));
      const end = off + Number(b.readBigUInt64LE(ph + 32));
      while (off + 12 <= end) {
        const [namesz, descsz, type] = [b.readUInt32LE(off), b.readUInt32LE(off + 4), b.readUInt32LE(off + 8)];
        const desc = off + 12 + align4(namesz);
        if (type === 3 && b.toString('latin1', off + 12, off + 12 + namesz) === 'GNU\0')
          return b.subarray(desc, desc + descsz).toString('hex');
        off = desc + align4(descsz);
      }
    }
  } catch {
    // not readable, not ELF
  }
  return undefined;
}

/**
 * The detached debug symbols of this system's libc. The LSan suppressions name a libc-internal
 * frame (__pthread_once_slow), which is only known with these symbols: without them, leaks of the
 * Vulkan driver that the suppressions cover fail the ASan tests.
 */
const libcDebugSymbols = () => {
  for (const libc of ['/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/libc.so.6']) {
    const id = existsSync(libc) ? elfBuildId(libc) : undefined;
    if (!id) continue;
    const debug = `/usr/lib/debug/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug`;
    return existsSync(debug) ? debug : undefined;
  }
  return undefined;
};

/**
 * Wine's 64-bit loader where the distros put it. Debian's wine64 installs it as /usr/lib/wine/wine64
 * only; the `wine`, `wineboot`, `winebuild`, ... commands on PATH come from the `wine` package
 * (alternatives pointing at the *-stable names). Arch's wine installs /usr/bin/wine itself.
 */
export const WINE_LOADERS = [
  '/usr/lib/wine/wine64',
  '/usr/lib/x86_64-linux-gnu/wine/wine64',
  '/usr/lib64/wine/wine64',
  '/opt/wine-stable/bin/wine64',
];
const wineLoader = either(command('wine64'), file(...WINE_LOADERS), command('wine'));

export const REQUIREMENTS: Requirement[] = [
  // Building: npm run build-proton (runtime, binding, the Wine module), `wine Game.exe`, makepkg.
  {
    what: 'C/C++ compiler and make',
    need: 'build',
    probe: command('g++'),
    debian: ['build-essential'],
    arch: ['base-devel'],
  },
  { what: 'CMake', need: 'build', probe: command('cmake'), debian: ['cmake'], arch: ['cmake'] },
  { what: 'Ninja', need: 'build', probe: command('ninja'), debian: ['ninja-build'], arch: ['ninja'] },
  {
    what: 'pkg-config',
    need: 'build',
    probe: command('pkg-config', 'pkgconf'),
    debian: ['pkg-config'],
    arch: ['pkgconf'],
  },
  { what: 'git', need: 'build', probe: command('git'), debian: ['git'], arch: ['git'] },
  { what: 'Python 3 (node-gyp)', need: 'build', probe: command('python3'), debian: ['python3'], arch: ['python'] },
  {
    what: 'TLS certificate authorities',
    need: 'build',
    probe: file('/etc/ssl/certs/ca-certificates.crt'),
    debian: ['ca-certificates'],
    arch: [],
  },
  {
    what: 'liburing headers',
    need: 'build',
    probe: file('/usr/include/liburing.h'),
    debian: ['liburing-dev'],
    arch: ['liburing'],
  },
  {
    what: 'zstd headers and static library',
    need: 'build',
    probe: file('/usr/include/zstd.h'),
    debian: ['libzstd-dev'],
    arch: ['zstd'],
  },
  {
    what: 'Vulkan headers',
    need: 'build',
    probe: file('/usr/include/vulkan/vulkan.h'),
    debian: ['libvulkan-dev'],
    arch: ['vulkan-headers'],
  },
  {
    what: 'Vulkan loader',
    need: 'build',
    probe: fileIn(LIB_DIRS, /^libvulkan\.so\.1$/),
    debian: ['libvulkan-dev'],
    arch: ['vulkan-icd-loader'],
  },
  {
    what: 'glslangValidator',
    need: 'build',
    probe: command('glslangValidator'),
    debian: ['glslang-tools'],
    arch: ['glslang'],
  },
  { what: 'Wine (64-bit)', need: 'build', probe: wineLoader, debian: ['wine64'], arch: ['wine'] },
  {
    what: 'wine and wineboot commands',
    need: 'build',
    probe: allCommands('wine', 'wineboot'),
    elsewhere: either(file(...WINE_LOADERS), command('wine64')),
    debian: ['wine'],
    arch: ['wine'],
  },
  {
    what: 'winebuild',
    need: 'build',
    probe: either(command('winebuild'), file('/usr/lib/wine/winebuild', '/usr/bin/winebuild-stable')),
    debian: ['wine64-tools'],
    arch: ['wine'],
  },
  {
    what: 'clang-format (C/C++ format check)',
    need: 'test',
    probe: command('clang-format'),
    debian: ['clang-format'],
    arch: ['clang'],
  },
  {
    what: 'Wine headers (d3d12.h)',
    need: 'build',
    probe: file('/usr/include/wine/wine/windows/d3d12.h', '/usr/include/wine/windows/d3d12.h'),
    debian: ['libwine-dev'],
    arch: ['wine'],
  },
  {
    what: 'mingw-w64 cross compiler',
    need: 'build',
    probe: command('x86_64-w64-mingw32-gcc'),
    debian: ['mingw-w64'],
    arch: ['mingw-w64-gcc'],
  },
  { what: 'makepkg', need: 'build', probe: command('makepkg'), debian: ['makepkg'], arch: ['base-devel'] },
  {
    what: 'pacman (makepkg needs it)',
    need: 'build',
    probe: command('pacman'),
    debian: ['pacman-package-manager'],
    arch: [],
  },
  {
    what: 'bsdtar (makepkg needs it)',
    need: 'build',
    probe: command('bsdtar'),
    debian: ['libarchive-tools'],
    arch: ['libarchive'],
  },
  // Testing: npm test (sanitizer builds, Vulkan on lavapipe, Wine under Xvfb), and the Wine
  // source-tree tools (ds-kit fetch-wine / patch / build --wine) that the tests exercise.
  {
    what: 'lavapipe (software Vulkan)',
    need: 'test',
    probe: fileIn(['/usr/share/vulkan/icd.d'], /^lvp_icd/),
    debian: ['mesa-vulkan-drivers'],
    arch: ['vulkan-swrast'],
  },
  { what: 'vulkaninfo', need: 'test', probe: command('vulkaninfo'), debian: ['vulkan-tools'], arch: ['vulkan-tools'] },
  {
    what: 'clang (TSan build)',
    need: 'test',
    probe: command('clang++-14', 'clang++'),
    debian: ['clang-14'],
    arch: ['clang'],
  },
  {
    what: 'clang sanitizer runtimes',
    need: 'test',
    probe: fileIn(
      [
        '/usr/lib/llvm-14/lib/clang/*/lib/linux',
        '/usr/lib/clang/*/lib/linux',
        '/usr/lib/clang/*/lib/x86_64-pc-linux-gnu',
      ],
      /^libclang_rt\.tsan/,
    ),
    debian: ['libclang-rt-14-dev'],
    arch: ['compiler-rt'],
  },
  {
    what: 'libc debug symbols (LSan suppressions)',
    need: 'test',
    probe: libcDebugSymbols,
    debian: ['libc6-dbg'],
    arch: [],
  },
  { what: 'zstd command (codec interop)', need: 'test', probe: command('zstd'), debian: ['zstd'], arch: ['zstd'] },
  { what: 'Xvfb', need: 'test', probe: command('Xvfb'), debian: ['xvfb'], arch: ['xorg-server-xvfb'] },
  { what: 'xauth', need: 'test', probe: command('xauth'), debian: ['xauth'], arch: ['xorg-xauth'] },
  { what: 'autoconf', need: 'test', probe: command('autoreconf'), debian: ['autoconf'], arch: ['base-devel'] },
  {
    what: 'config.sub (fetch-wine)',
    need: 'test',
    probe: either(file('/usr/share/misc/config.sub'), fileIn(['/usr/share/automake-*'], /^config\.sub$/)),
    debian: ['autotools-dev'],
    arch: ['base-devel'],
  },
  { what: 'flex', need: 'test', probe: command('flex'), debian: ['flex'], arch: ['base-devel'] },
  { what: 'bison', need: 'test', probe: command('bison'), debian: ['bison'], arch: ['base-devel'] },
  { what: 'dpkg-source', need: 'test', probe: command('dpkg-source'), debian: ['dpkg-dev'], arch: [] },
  {
    what: 'XML::LibXML (Wine tree generators)',
    need: 'test',
    probe: fileIn(['/usr/lib/x86_64-linux-gnu/perl5/*/XML', '/usr/lib/perl5/*/XML'], /^LibXML\.pm$/),
    debian: ['libxml-libxml-perl'],
    arch: [],
  },
  {
    what: 'Khronos API registry',
    need: 'test',
    probe: file('/usr/share/khronos-api/gl.xml'),
    debian: ['khronos-api'],
    arch: [],
  },
  {
    what: 'Unicode data',
    need: 'test',
    probe: file('/usr/share/unicode/UnicodeData.txt'),
    debian: ['unicode-data'],
    arch: [],
  },
  {
    what: 'debootstrap (Debian chroots)',
    need: 'test',
    probe: either(command('debootstrap'), file('/usr/sbin/debootstrap', '/usr/bin/debootstrap')),
    debian: ['debootstrap'],
    arch: ['debootstrap'],
  },
];

/**
 * Node is special on Debian: bookworm ships Node 18, so install-deps.sh adds a pinned, integrity-checked
 * Node 20 from the npm registry (or use NodeSource / nvm).
 */
export const NODE_MIN_MAJOR = 20;
export const NODE_PACKAGES: Record<Family, string[]> = { debian: [], arch: ['nodejs', 'npm'], unknown: [] };

export function nodeMajor(version = process.version): number {
  return Number.parseInt(version.replace(/^v/, ''), 10);
}

/**
 * The packages of `family` for `needs` (both by default), deduplicated, in list order. Node's
 * packages count as building needs.
 */
export function packagesFor(
  family: Family,
  needs: Need[] = NEEDS,
  requirements: Requirement[] = REQUIREMENTS,
): string[] {
  if (family === 'unknown') return [];
  const all = requirements.filter((r) => needs.includes(r.need)).flatMap((r) => r[family]);
  if (needs.includes('build')) all.push(...NODE_PACKAGES[family]);
  return [...new Set(all)];
}

export function installCommand(family: Family, packages: string[], asRoot: boolean): string | undefined {
  if (packages.length === 0 || family === 'unknown') return undefined;
  const sudo = asRoot ? '' : 'sudo ';
  // A fresh system has no package lists yet: without the update, the install finds nothing.
  if (family === 'debian')
    return `${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  return `${sudo}pacman -S --needed --noconfirm ${packages.join(' ')}`;
}
