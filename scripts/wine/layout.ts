// SPDX-License-Identifier: MIT
// Where the out-of-tree dstorage build reads and writes, and the compiler/linker command lines.
// Pure data: wine-tasks.ts runs these, tests can inspect them.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../lib/paths.ts';

export interface WineModuleOptions {
  /** Wine flavour the generator targets (build/generated/<target>). */
  target: string;
  /** Installed Wine: the directory holding x86_64-windows/ and x86_64-unix/. */
  wineLibDir: string;
  /** Windows headers of the installed Wine (d3d12.h, windef.h ...). */
  wineInclude: string;
  /** ds-runtime build directory holding libds_runtime_static.a. */
  runtimeDir: string;
  /** Staging directory: dstorage.dll + dstorage.so, usable as WINEDLLPATH. */
  outDir: string;
  /** Copy into wineLibDir as well (explicit only). */
  install: boolean;
  /** A variant of the Unix side (e.g. 'asan'): objects go to their own directory. */
  variant?: string;
  /** Extra compiler+linker flags for the Unix side (sanitizers). The PE side never gets them. */
  unixFlags?: string[];
  /** Extra CMake arguments when the runtime in runtimeDir has to be configured first. */
  runtimeConfigure?: string[];
}

export const WINE_LIB_CANDIDATES = ['/usr/lib/x86_64-linux-gnu/wine', '/usr/lib/wine', '/usr/lib64/wine', '/opt/wine-stable/lib/wine'];

export function findWineLibDir(): string | undefined {
  return WINE_LIB_CANDIDATES.find((d) => existsSync(join(d, 'x86_64-windows', 'ntdll.dll')) && existsSync(join(d, 'x86_64-unix', 'ntdll.so')));
}

export function defaultOptions(overrides: Partial<WineModuleOptions> = {}): WineModuleOptions {
  return {
    target: 'wine-8.0',
    wineLibDir: findWineLibDir() ?? WINE_LIB_CANDIDATES[0],
    wineInclude: '/usr/include/wine',
    runtimeDir: join(repoRoot, 'build/runtime/release'),
    outDir: join(repoRoot, 'build/wine-module'),
    install: false,
    ...overrides,
  };
}

export const moduleSources = join(repoRoot, 'wine-patches/dlls/dstorage');
export const generatedRoot = join(repoRoot, 'build/generated');
export const objDir = (o: WineModuleOptions): string =>
  join(repoRoot, 'build/wine-module-obj', o.variant ? `${o.target}-${o.variant}` : o.target);

export function generatedDirs(o: WineModuleOptions): { include: string; dll: string } {
  return { include: join(generatedRoot, o.target, 'include'), dll: join(generatedRoot, o.target, 'dlls/dstorage') };
}

/** Sources of each side: hand-written + generated. Unix files start with unix_. */
export function sources(o: WineModuleOptions): { pe: string[]; unix: string[] } {
  const g = generatedDirs(o);
  const list = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.c')).sort().map((f) => join(dir, f));
  const all = [...list(moduleSources), ...list(g.dll)];
  const isUnix = (f: string): boolean => /\/unix_[^/]*\.c$/.test(f);
  return { pe: all.filter((f) => !isUnix(f)), unix: all.filter(isUnix) };
}

function includes(o: WineModuleOptions): string[] {
  const g = generatedDirs(o);
  // out-of-tree/ supplies wine/unixlib.h, which Debian's libwine-dev does not ship.
  return ['-I', g.include, '-I', g.dll, '-I', moduleSources, '-I', join(moduleSources, 'out-of-tree'), '-I', join(o.wineInclude, 'wine/windows')];
}

/** PE side: mingw with Wine's own Windows and msvcrt headers (not mingw's), as Wine builds its DLLs. */
export function peCompile(o: WineModuleOptions, src: string, obj: string): string[] {
  return ['-c', '-O2', '-g', '-D__WINESRC__', '-D_UCRT', '-nostdinc', '-fno-builtin', '-Wall', ...includes(o),
    '-I', join(o.wineInclude, 'wine/msvcrt'), '-I', o.wineInclude, src, '-o', obj];
}

export function unixCompile(o: WineModuleOptions, src: string, obj: string): string[] {
  return ['-c', '-O2', '-g', '-fPIC', '-D__WINESRC__', '-DWINE_UNIX_LIB', '-Wall', ...includes(o), '-I', o.wineInclude,
    '-I', join(repoRoot, 'runtime/include'), ...(o.unixFlags ?? []), src, '-o', obj];
}

export function peLink(o: WineModuleOptions, objs: string[], dll: string): string[] {
  const winLibs = join(o.wineLibDir, 'x86_64-windows');
  return ['-b', 'x86_64-w64-mingw32', '--winebuild', winebuildPath(), '-shared', join(generatedDirs(o).dll, 'dstorage.spec'), ...objs,
    '-o', dll, '-nodefaultlibs', '-L', winLibs, '-lwinecrt0', '-lucrtbase', '-luuid', '-lkernel32', '-lntdll'];
}

export function unixLink(o: WineModuleOptions, objs: string[], so: string): string[] {
  return ['-shared', ...(o.unixFlags ?? []), '-o', so, ...objs, join(o.runtimeDir, 'libds_runtime_static.a'),
    join(o.wineLibDir, 'x86_64-unix/ntdll.so'), '-lstdc++', '-lpthread', '-ldl', '-Wl,-z,defs'];
}

export function winebuildPath(): string {
  return ['/usr/lib/wine/winebuild', '/usr/bin/winebuild'].find((p) => existsSync(p)) ?? 'winebuild';
}

export function winegccPath(): string {
  return ['/usr/bin/winegcc', '/usr/lib/wine/winegcc'].find((p) => existsSync(p)) ?? 'winegcc';
}

/** What a user sets to load the staged module instead of a game's own dstorage.dll. */
export function usage(o: WineModuleOptions): string {
  return [
    `dstorage.dll + dstorage.so staged in ${o.outDir}`,
    `run a game with:`,
    `  WINEDLLPATH=${o.outDir} WINEDLLOVERRIDES="dstorage,dstoragecore=b,n" wine Game.exe`,
    `trace it with WINEDEBUG=+dstorage; install system-wide with --install (copies into ${o.wineLibDir}).`,
  ].join('\n');
}
