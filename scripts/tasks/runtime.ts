// SPDX-License-Identifier: MIT
// Task group: configure and build ds-runtime with CMake, and run its ctest programs.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ListrTask } from 'listr2';
import { cmakeProgress, ctestProgress, runCommand } from '../lib/exec.ts';
import { UsageError } from '../lib/errors.ts';
import { text, titles } from '../lib/messages.ts';
import { oneOf, positiveInt } from '../lib/option-values.ts';
import { paths, shown } from '../lib/paths.ts';
import { isCI } from '../lib/renderer.ts';
import { testEnv } from '../lib/test-env.ts';
import { clangPair, cpuCount } from '../lib/tools.ts';

export type Sanitize = 'address,undefined' | 'thread';

/** CMAKE_BUILD_TYPE values CMake knows; --type takes them in any case. */
export const BUILD_TYPES = ['Release', 'Debug', 'RelWithDebInfo', 'MinSizeRel'] as const;

export interface RuntimeBuild {
  variant: string;
  sourceDir: string;
  buildDir: string;
  buildType: string;
  sanitize?: Sanitize;
  werror: boolean;
  jobs: number;
  logDir: string;
  verbose: boolean;
  compilers?: { cc: string; cxx: string };
}

export interface RuntimeFlags {
  'source-dir'?: string;
  'build-dir'?: string;
  'log-dir'?: string;
  type?: string;
  sanitize?: string;
  werror?: boolean;
  jobs?: string;
  verbose?: boolean;
}

/** ctest's parallelism: the CI machines have 2 cores and the Vulkan tests are thread-heavy. */
export const CTEST_JOBS = 2;

export function parseSanitize(value: string | undefined): Sanitize | undefined {
  if (value === undefined || value === '') return undefined;
  const normal = value
    .split(',')
    .map((s) => s.trim())
    .sort()
    .join(',');
  if (normal === 'address,undefined' || normal === 'address') return 'address,undefined';
  if (normal === 'thread') return 'thread';
  throw new UsageError(text.badSanitize(value));
}

export function variantOf(buildType: string, sanitize: Sanitize | undefined): string {
  if (sanitize === 'address,undefined') return 'asan';
  if (sanitize === 'thread') return 'tsan';
  return buildType.toLowerCase();
}

export function resolveRuntimeBuild(flags: RuntimeFlags, env: NodeJS.ProcessEnv = process.env): RuntimeBuild {
  const sanitize = parseSanitize(flags.sanitize);
  const type = flags.type === undefined ? undefined : oneOf('--type', flags.type, BUILD_TYPES);
  const buildType = type ?? (sanitize ? 'RelWithDebInfo' : 'Release');
  const variant = variantOf(type ?? 'Release', sanitize);
  const jobs = flags.jobs === undefined ? cpuCount() : positiveInt('--jobs', flags.jobs);
  return {
    variant,
    sourceDir: flags['source-dir'] ?? paths.runtimeSource,
    buildDir: flags['build-dir'] ?? paths.runtimeBuild(variant),
    buildType,
    sanitize,
    werror: Boolean(flags.werror) || isCI(env),
    jobs,
    logDir: flags['log-dir'] ?? paths.logDir,
    verbose: Boolean(flags.verbose),
    compilers: sanitize === 'thread' ? clangPair() : undefined,
  };
}

export function configureArgs(b: RuntimeBuild): string[] {
  const args = [
    '-S',
    b.sourceDir,
    '-B',
    b.buildDir,
    `-DCMAKE_BUILD_TYPE=${b.buildType}`,
    '-DDS_BUILD_TESTS=ON',
    '-DDS_BUILD_SHARED=ON',
  ];
  if (b.werror) args.push('-DDS_WERROR=ON');
  if (b.sanitize) args.push(`-DDS_SANITIZE=${b.sanitize}`);
  if (b.compilers) args.push(`-DCMAKE_C_COMPILER=${b.compilers.cc}`, `-DCMAKE_CXX_COMPILER=${b.compilers.cxx}`);
  return args;
}

export function buildArgs(b: RuntimeBuild): string[] {
  return ['--build', b.buildDir, `-j${b.jobs}`];
}

export function ctestArgs(b: RuntimeBuild, label?: string): string[] {
  const args = ['--test-dir', b.buildDir, '--output-on-failure', `-j${CTEST_JOBS}`];
  if (label) args.push('-L', label);
  // The reference cross-check (label "reference") needs a codec from outside the repository: it is
  // never counted here, and runs as its own step when that codec is given (referenceCheckTask).
  // Gigabyte-sized tests (label "large") would take minutes and gigabytes more under a sanitizer;
  // the release build runs them.
  if (label !== REFERENCE_LABEL) args.push('-LE', b.sanitize ? '^(large|reference)$' : '^reference$');
  return args;
}

/** ctest label of the tests that need a codec built outside the repository. */
export const REFERENCE_LABEL = 'reference';

const step = (b: RuntimeBuild, what: string): string => `runtime-${b.variant}-${what}`;

/** Records the configure arguments a build directory was last configured with. */
export const configureStamp = (b: RuntimeBuild): string => path.join(b.buildDir, 'ds-kit-configure.json');

/**
 * Whether the build directory is already configured with exactly these arguments. Then configure
 * is skipped: `cmake --build` re-runs it by itself when a CMakeLists.txt changed, and a second
 * configure would only cost time.
 */
export function configuredAlready(b: RuntimeBuild): boolean {
  if (!existsSync(path.join(b.buildDir, 'CMakeCache.txt')) || !existsSync(configureStamp(b))) return false;
  try {
    const { args } = JSON.parse(readFileSync(configureStamp(b), 'utf8')) as { args?: string[] };
    return JSON.stringify(args) === JSON.stringify(configureArgs(b));
  } catch {
    return false;
  }
}

/** Configure (unless configured with the same arguments already) + build, in order. */
export function runtimeBuildTasks<Ctx>(b: RuntimeBuild): ListrTask<Ctx>[] {
  return [
    {
      title: titles.configure(b.variant),
      skip: () => (configuredAlready(b) ? text.configuredAlready(shown(b.buildDir)) : false),
      task: async (_ctx, task) => {
        await runCommand(
          { tool: 'cmake', file: 'cmake', args: configureArgs(b) },
          {
            step: step(b, 'configure'),
            title: titles.configure(b.variant),
            logDir: b.logDir,
            verbose: b.verbose,
            report: (line) => {
              task.output = line;
            },
            progress: () => undefined,
          },
        );
        writeFileSync(configureStamp(b), `${JSON.stringify({ args: configureArgs(b) }, null, 2)}\n`);
      },
    },
    {
      title: titles.build(b.variant),
      task: (_ctx, task) =>
        runCommand(
          { tool: 'cmake', file: 'cmake', args: buildArgs(b) },
          {
            step: step(b, 'build'),
            title: titles.build(b.variant),
            logDir: b.logDir,
            verbose: b.verbose,
            report: (line) => {
              task.output = line;
            },
            progress: cmakeProgress(),
          },
        ),
    },
  ];
}

export function ctestTask<Ctx>(b: RuntimeBuild, label?: string, env: Record<string, string> = {}): ListrTask<Ctx> {
  const title = titles.ctest(b.variant, label);
  return {
    title,
    task: (_ctx, task) =>
      runCommand(
        { tool: 'ctest', file: 'ctest', args: ctestArgs(b, label), env: { ...testEnv(b.variant), ...env } },
        {
          step: step(b, 'ctest'),
          title,
          logDir: b.logDir,
          verbose: b.verbose,
          report: (line) => {
            task.output = line;
          },
          progress: ctestProgress,
        },
      ),
  };
}
