// SPDX-License-Identifier: MIT
// The programs each wine-tree command needs, checked before anything changes.
import { which } from '../lib/tools.ts';
import { missingTool } from './messages.ts';

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
  { tool: 'gcc', what: 'compile the Unix side and Wine\'s tools', pkg: 'gcc' },
  { tool: 'x86_64-w64-mingw32-gcc', what: 'compile the PE side', pkg: 'gcc-mingw-w64-x86-64' },
  { tool: 'flex', what: 'build widl/wrc', pkg: 'flex' },
  { tool: 'bison', what: 'build widl/wrc', pkg: 'bison' },
];
export const FETCH_TOOLS: Needed[] = [
  { tool: 'apt-get', what: 'download Debian\'s wine source package', pkg: 'apt' },
  { tool: 'dpkg-source', what: 'unpack the source package', pkg: 'dpkg-dev' },
  { tool: 'autoreconf', what: 'generate configure in the unpacked tree', pkg: 'autoconf' },
  { tool: 'perl', what: 'run tools/make_requests and dlls/opengl32/make_opengl', pkg: 'perl (with libxml-libxml-perl)' },
  { tool: 'python3', what: 'run dlls/winevulkan/make_vulkan', pkg: 'python3' },
];

/** Throws a WineTreeError for the first missing program; PATH is read from `env` (tests narrow it). */
export function requireTools(needed: Needed[], env: NodeJS.ProcessEnv = process.env): void {
  for (const n of needed) if (!which([n.tool], env.PATH ?? '')) throw missingTool(n.tool, n.what, n.pkg);
}
