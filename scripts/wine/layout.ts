// SPDX-License-Identifier: MIT
// Where the out-of-tree dstorage build reads and writes, and the CMake command lines that build it
// (wine-patches/dlls/dstorage/out-of-tree/CMakeLists.txt, one build directory per side).
// Pure data: wine-tasks.ts runs these, tests can inspect them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../lib/paths.ts';
import { which } from '../lib/tools.ts';

export interface WineModuleOptions {
  /** Wine flavour the generator targets (build/generated/<target>). */
  target: string;
  /** Prefix of the Wine to build against (its bin/winebuild, include/wine, lib/wine); default: the one on PATH. */
  winePrefix?: string;
  /** Wine's library directory (x86_64-windows/, x86_64-unix/), when it is not where the prefix says. */
  wineLibDir?: string;
  /** ds-runtime build directory holding libds_runtime_static.a. */
  runtimeDir: string;
  /** Staging directory: dstorage.dll + dstorage.so, usable as WINEDLLPATH. */
  outDir: string;
  /** CMake build directories (pe/, unix/) and the merged compile_commands.json. */
  buildDir: string;
  /** Copy into the Wine library directory as well (explicit only). */
  install: boolean;
  /** build/logs/<step>.log */
  logDir: string;
  verbose: boolean;
  jobs?: number;
  /** A variant of the Unix side (e.g. 'asan'): objects go to their own directory. */
  variant?: string;
  /** Extra compiler+linker flags for the Unix side (sanitizers). The PE side never gets them. */
  unixFlags?: string[];
  /** Extra CMake arguments when the runtime in runtimeDir has to be configured first. */
  runtimeConfigure?: string[];
}

export type Side = 'pe' | 'unix';
export const SIDES: Side[] = ['pe', 'unix'];

/** Where distributions put Wine's library directory (Debian, Arch/upstream, Fedora, WineHQ's packages). */
export const WINE_LIB_CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/wine',
  '/usr/lib/wine',
  '/usr/lib64/wine',
  '/opt/wine-stable/lib/wine',
];

/** The installed Wine's library directory, for packaging scripts; the build itself asks CMake (WineLayout.cmake). */
export function findWineLibDir(): string | undefined {
  return WINE_LIB_CANDIDATES.find(
    (d) => existsSync(join(d, 'x86_64-windows', 'ntdll.dll')) && existsSync(join(d, 'x86_64-unix', 'ntdll.so')),
  );
}

export function defaultOptions(given: Partial<WineModuleOptions> = {}): WineModuleOptions {
  // An option passed as undefined (a flag not given) keeps its default.
  const overrides = Object.fromEntries(
    Object.entries(given).filter(([, v]) => v !== undefined),
  ) as Partial<WineModuleOptions>;
  const target = overrides.target ?? 'wine-8.0';
  return {
    target,
    runtimeDir: join(repoRoot, 'build/runtime/release'),
    outDir: join(repoRoot, 'build/wine-module'),
    buildDir: join(repoRoot, 'build/wine-module-obj', overrides.variant ? `${target}-${overrides.variant}` : target),
    install: false,
    logDir: join(repoRoot, 'build/logs'),
    verbose: false,
    ...overrides,
  };
}

export const moduleSources = join(repoRoot, 'wine-patches/dlls/dstorage');
export const cmakeSource = join(moduleSources, 'out-of-tree');
export const toolchainFile = join(cmakeSource, 'cmake/x86_64-w64-mingw32.cmake');
export const generatedRoot = join(repoRoot, 'build/generated');
export const runtimeLibrary = (o: WineModuleOptions): string => join(o.runtimeDir, 'libds_runtime_static.a');
export const sideBuildDir = (o: WineModuleOptions, side: Side): string => join(o.buildDir, side);

export function generatedDirs(o: WineModuleOptions): { root: string; include: string; dll: string } {
  const root = join(generatedRoot, o.target);
  return { root, include: join(root, 'include'), dll: join(root, 'dlls/dstorage') };
}

/** Programs each side needs before CMake runs (Wine's own tools are found by CMake, from the Wine). */
export function requiredTools(side: Side): string[] {
  return side === 'pe' ? ['cmake', 'x86_64-w64-mingw32-gcc'] : ['cmake', 'gcc'];
}

/** Ninja when it is installed (its no-op build is the fastest), else Make. */
export function cmakeGenerator(): string {
  return which(['ninja']) ? 'Ninja' : 'Unix Makefiles';
}

/** Extra PE-side flags from DS_KIT_PE_CFLAGS (packagers: -ffile-prefix-map=$srcdir=/usr/src/debug/ds-kit). */
export const peFlagsFromEnv = (env: NodeJS.ProcessEnv = process.env): string[] =>
  (env.DS_KIT_PE_CFLAGS ?? '').split(/\s+/).filter(Boolean);

export function configureArgs(o: WineModuleOptions, side: Side, generator = cmakeGenerator()): string[] {
  const args = [
    '-S',
    cmakeSource,
    '-B',
    sideBuildDir(o, side),
    '-G',
    generator,
    `-DDSTORAGE_SIDE=${side}`,
    `-DDSTORAGE_GENERATED_DIR=${generatedDirs(o).root}`,
    `-DDSTORAGE_OUTPUT_DIR=${o.outDir}`,
  ];
  if (side === 'pe') {
    args.push(`-DCMAKE_TOOLCHAIN_FILE=${toolchainFile}`);
    const peFlags = peFlagsFromEnv();
    if (peFlags.length) args.push(`-DCMAKE_C_FLAGS=${peFlags.join(' ')}`);
  } else {
    args.push(
      `-DDS_RUNTIME_LIBRARY=${runtimeLibrary(o)}`,
      `-DDS_RUNTIME_INCLUDE_DIR=${join(repoRoot, 'runtime/include')}`,
    );
    // A variant of the Unix side (sanitizers): its flags on every compile and on the link.
    if (o.unixFlags?.length) {
      const flags = o.unixFlags.join(' ');
      args.push(
        `-DCMAKE_C_FLAGS=${flags}`,
        `-DCMAKE_MODULE_LINKER_FLAGS=${flags}`,
        `-DCMAKE_SHARED_LINKER_FLAGS=${flags}`,
      );
    }
  }
  if (o.winePrefix) args.push(`-DWINE_PREFIX=${o.winePrefix}`);
  if (o.wineLibDir) args.push(`-DWINE_LIB_DIR=${o.wineLibDir}`);
  return args;
}

export function buildArgs(o: WineModuleOptions, side: Side): string[] {
  return ['--build', sideBuildDir(o, side), ...(o.jobs ? [`-j${o.jobs}`] : [])];
}

/** A value CMake settled on (e.g. WINE_LIB_DIR), read from a configured side's CMakeCache.txt. */
export function cachedValue(o: WineModuleOptions, side: Side, name: string): string | undefined {
  const cache = join(sideBuildDir(o, side), 'CMakeCache.txt');
  if (!existsSync(cache)) return undefined;
  const line = readFileSync(cache, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  return line?.slice(line.indexOf('=') + 1);
}

/** What a user sets to load the staged module instead of a game's own dstorage.dll. */
export function usage(o: WineModuleOptions, wineLibDir = o.wineLibDir ?? 'the Wine library directory'): string {
  return [
    `dstorage.dll + dstorage.so staged in ${o.outDir}`,
    `run a game with:`,
    `  WINEDLLPATH=${o.outDir} WINEDLLOVERRIDES="dstorage,dstoragecore=b,n" wine Game.exe`,
    `trace it with WINEDEBUG=+dstorage; install system-wide with --install (copies into ${wineLibDir}).`,
  ].join('\n');
}
