// SPDX-License-Identifier: MIT
// Every path the CLI reads or writes, as one named constant each (absolute, from the repository root).
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const at = (...parts: string[]): string => path.join(repoRoot, ...parts);

export const paths = {
  runtimeSource: at('runtime'),
  buildRoot: at('build'),
  logDir: at('build', 'logs'),
  /** build/runtime/<variant>: release, asan, tsan */
  runtimeBuild: (variant: string): string => at('build', 'runtime', variant),
  bindingDir: at('runtime', 'node'),
  bindingGyp: at('runtime', 'node', 'binding.gyp'),
  bindingOutput: at('runtime', 'node', 'build', 'Release', 'ds_runtime.node'),
  nodeGyp: at('node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  biome: at('node_modules', '.bin', 'biome'),
  tsc: at('node_modules', '.bin', 'tsc'),
  generateIndex: at('scripts', 'generate', 'index.ts'),
  benchMain: at('scripts', 'bench', 'main.ts'),
  benchWine: at('scripts', 'bench', 'wine.ts'),
  testRoot: at('test'),
  lsanSuppressions: at('scripts', 'lib', 'lsan.supp'),
  tsanSuppressions: at('scripts', 'lib', 'tsan.supp'),
  installDeps: at('scripts', 'install-deps.sh'),
  osRelease: '/etc/os-release',
} as const;

/** A path as the user should see it: relative to the repository when inside it. */
export function shown(p: string): string {
  const rel = path.relative(repoRoot, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}
