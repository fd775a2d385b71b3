// SPDX-License-Identifier: MIT
// The programs each wine-tree command needs, checked before anything changes.
import { existsSync } from 'node:fs';
import { which } from '../lib/tools.ts';
import { missingTool, WineTreeError } from './messages.ts';

export interface Needed {
  tool: string;
  what: string;
  /** Debian package that provides it (scripts/install-deps.sh). */
  pkg: string;
}

export const PATCH_TOOLS: Needed[] = [
  { tool: 'git', what: 'apply the patch series (git apply)', pkg: 'git' },
  { tool: 'autoreconf', what: 'regenerate configure after configure.ac changes', pkg: 'autoconf' },
];
export const REVERT_TOOLS: Needed[] = [PATCH_TOOLS[0]];
export const BUILD_TOOLS: Needed[] = [
  { tool: 'make', what: 'build the tree', pkg: 'make' },
  { tool: 'gcc', what: "compile the Unix side and Wine's tools", pkg: 'gcc' },
  { tool: 'x86_64-w64-mingw32-gcc', what: 'compile the PE side', pkg: 'gcc-mingw-w64-x86-64' },
  { tool: 'flex', what: 'build widl/wrc', pkg: 'flex' },
  { tool: 'bison', what: 'build widl/wrc', pkg: 'bison' },
  {
    tool: 'pkg-config',
    what: 'let configure find ds-runtime (pkg-config ds-runtime)',
    pkg: 'pkg-config (Arch: pkgconf)',
  },
  { tool: 'cmake', what: 'build and install ds-runtime for configure', pkg: 'cmake' },
];
export const FETCH_TOOLS: Needed[] = [
  { tool: 'apt-get', what: "download Debian's wine source package", pkg: 'apt' },
  { tool: 'dpkg-source', what: 'unpack the source package', pkg: 'dpkg-dev' },
  { tool: 'autoreconf', what: 'generate configure in the unpacked tree', pkg: 'autoconf' },
  {
    tool: 'perl',
    what: 'run tools/make_requests and dlls/opengl32/make_opengl',
    pkg: 'perl (with libxml-libxml-perl)',
  },
  { tool: 'python3', what: 'run dlls/winevulkan/make_vulkan', pkg: 'python3' },
];

/** Files (not programs) a command needs from the machine. */
export interface NeededFile {
  file: string;
  what: string;
  pkg: string;
}

/** debian/rules links these into tools/ before autoreconf (AC_CANONICAL_HOST needs them). */
export const FETCH_FILES: NeededFile[] = [
  {
    file: '/usr/share/misc/config.sub',
    what: 'debian/rules links it into tools/ for configure (AC_CANONICAL_HOST)',
    pkg: 'autotools-dev',
  },
  {
    file: '/usr/share/misc/config.guess',
    what: 'debian/rules links it into tools/ for configure (AC_CANONICAL_HOST)',
    pkg: 'autotools-dev',
  },
];

/** Throws a WineTreeError for the first missing file. */
export function requireFiles(needed: NeededFile[]): void {
  for (const n of needed) {
    if (!existsSync(n.file)) {
      throw new WineTreeError(
        `${n.file} not found (${n.what})`,
        `install ${n.pkg} (apt-get install ${n.pkg}; scripts/install-deps.sh installs it), then run the command again; nothing was changed`,
      );
    }
  }
}

/** Throws a WineTreeError for the first missing program; PATH is read from `env` (tests narrow it). */
export function requireTools(needed: Needed[], env: NodeJS.ProcessEnv = process.env): void {
  for (const n of needed) if (!which([n.tool], env.PATH ?? '')) throw missingTool(n.tool, n.what, n.pkg);
}
