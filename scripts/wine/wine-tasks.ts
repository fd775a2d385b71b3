// SPDX-License-Identifier: MIT
// listr2 tasks: runtime (reused when built), generator, both sides through CMake (configured once,
// then incremental), staging, optional install. Every command's output goes to build/logs/wine-module-*.log.
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ListrTask } from 'listr2';
import { cmakeProgress, runCommand } from '../lib/exec.ts';
import { StepError } from '../lib/errors.ts';
import { logPathFor } from '../lib/log.ts';
import { hints, text } from '../lib/messages.ts';
import { repoRoot, shown } from '../lib/paths.ts';
import { which } from '../lib/tools.ts';
import { generate } from '../generate/index.ts';
import { acquireBuildLock, releaseBuildLock } from './build-lock.ts';
import {
  buildArgs,
  cachedValue,
  configureArgs,
  generatedDirs,
  generatedRoot,
  requiredTools,
  runtimeLibrary,
  SIDES,
  sideBuildDir,
  type Side,
  type WineModuleOptions,
} from './layout.ts';

const SIDE_TITLES: Record<Side, string> = { pe: 'dstorage.dll (PE side, MinGW)', unix: 'dstorage.so (Unix side)' };
const STAMP = 'ds-kit-configure.json';

/** A missing program fails like a missing program anywhere else in ds-kit: named, with the install hint. */
export function requireTools(tools: string[], title: string, logDir: string, step: string): void {
  const missing = tools.find((t) => !which([t]));
  if (!missing) return;
  const logPath = logPathFor(logDir, step);
  mkdirSync(logDir, { recursive: true });
  const message = text.stepFailed(title, text.notFound(missing), shown(logPath));
  writeFileSync(logPath, `${message}\n`);
  throw new StepError(title, shown(logPath), message, `${message}\n  next: ${hints.installDeps}`);
}

/** Configure only when the side has never been configured or its options changed; CMake re-runs itself after that. */
function configured(dir: string, args: string[]): boolean {
  const stamp = join(dir, STAMP);
  return (
    existsSync(join(dir, 'CMakeCache.txt')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === JSON.stringify(args)
  );
}

/** One compile_commands.json for both sides (editors and clang-tidy read one file). */
function mergeCompileCommands(o: WineModuleOptions): void {
  const entries = SIDES.flatMap((side) => {
    const file = join(sideBuildDir(o, side), 'compile_commands.json');
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown[]) : [];
  });
  const out = join(o.buildDir, 'compile_commands.json');
  const json = `${JSON.stringify(entries, null, 2)}\n`;
  if (!existsSync(out) || readFileSync(out, 'utf8') !== json) writeFileSync(out, json);
}

function sideTask<Ctx>(o: WineModuleOptions, side: Side): ListrTask<Ctx> {
  const dir = sideBuildDir(o, side);
  const title = SIDE_TITLES[side];
  return {
    title,
    task: async (_ctx, task) => {
      const report = (line: string): void => {
        task.output = line;
      };
      requireTools(requiredTools(side), title, o.logDir, `wine-module-${side}-configure`);
      const args = configureArgs(o, side);
      if (!configured(dir, args)) {
        // The host's CFLAGS/LDFLAGS (makepkg sets them) are for the host compiler, not MinGW.
        const env = side === 'pe' ? { CFLAGS: undefined, CPPFLAGS: undefined, LDFLAGS: undefined } : undefined;
        await runCommand(
          { tool: 'cmake', file: 'cmake', args, env },
          {
            step: `wine-module-${side}-configure`,
            title: `configure ${title}`,
            logDir: o.logDir,
            verbose: o.verbose,
            report,
            progress: (l) => (/^-- Wine:/.test(l) ? l : undefined),
          },
        );
        writeFileSync(join(dir, STAMP), JSON.stringify(args));
      }
      await runCommand(
        { tool: 'cmake', file: 'cmake', args: buildArgs(o, side) },
        {
          step: `wine-module-${side}-build`,
          title: `build ${title}`,
          logDir: o.logDir,
          verbose: o.verbose,
          report,
          progress: cmakeProgress(),
        },
      );
    },
  };
}

export function wineModuleTasks<Ctx>(o: WineModuleOptions): ListrTask<Ctx>[] {
  const dll = join(o.outDir, 'dstorage.dll');
  const so = join(o.outDir, 'dstorage.so');
  return [
    {
      title: `wait for other builds into ${shown(o.outDir)}`,
      task: async (_ctx, task) => {
        await acquireBuildLock(o.outDir);
        task.title = `building into ${shown(o.outDir)}`;
      },
    },
    {
      title: `ds-runtime (${o.variant ?? 'release'})`,
      skip: () => (existsSync(runtimeLibrary(o)) ? `reusing ${shown(runtimeLibrary(o))}` : false),
      task: async (_ctx, task) => {
        const run = {
          logDir: o.logDir,
          verbose: o.verbose,
          report: (l: string) => {
            task.output = l;
          },
        };
        requireTools(['cmake'], `ds-runtime (${o.variant ?? 'release'})`, o.logDir, 'wine-module-runtime');
        await runCommand(
          {
            tool: 'cmake',
            file: 'cmake',
            args: [
              '-S',
              join(repoRoot, 'runtime'),
              '-B',
              o.runtimeDir,
              '-DCMAKE_BUILD_TYPE=Release',
              ...(o.runtimeConfigure ?? []),
            ],
          },
          { ...run, step: 'wine-module-runtime', title: 'configure ds-runtime', progress: () => undefined },
        );
        await runCommand(
          { tool: 'cmake', file: 'cmake', args: ['--build', o.runtimeDir, '--target', 'ds_runtime_static', '-j2'] },
          { ...run, step: 'wine-module-runtime', title: 'build ds-runtime', progress: cmakeProgress(), append: true },
        );
      },
    },
    {
      title: `generate ${o.target} sources`,
      task: async () => {
        // Unchanged files keep their mtimes, so CMake rebuilds only what a template change touched.
        await generate({ out: generatedRoot, target: o.target }).catch((e: Error) => {
          throw new Error(text.generateFailed(e.message), { cause: e });
        });
        if (!existsSync(join(generatedDirs(o).dll, 'unixlib.h')))
          throw new Error(`the generator wrote no ${o.target} module; check scripts/generate/targets.ts`);
      },
    },
    ...SIDES.map((side) => sideTask<Ctx>(o, side)),
    {
      title: 'compile_commands.json',
      task: (_ctx, task) => {
        mergeCompileCommands(o);
        task.title = `compile_commands.json in ${shown(o.buildDir)}`;
      },
    },
    {
      title: 'install into the Wine library directories',
      enabled: () => o.install,
      task: () => {
        const libDir = o.wineLibDir ?? cachedValue(o, 'unix', 'WINE_LIB_DIR');
        if (!libDir)
          throw new Error(`CMake recorded no WINE_LIB_DIR in ${sideBuildDir(o, 'unix')}; pass --wine-lib DIR`);
        for (const [from, sub] of [
          [dll, 'x86_64-windows'],
          [so, 'x86_64-unix'],
        ] as const) {
          const to = join(libDir, sub, basename(from));
          try {
            copyFileSync(from, to);
          } catch (e) {
            throw new Error(
              `cannot write ${to} (${(e as Error).message}); run as root or use WINEDLLPATH=${o.outDir} instead of --install`,
            );
          }
        }
      },
    },
    {
      // What to do with the files is printed by the caller once the task display has ended
      // (build-proton, build-module.ts): listr2 collapses a finished group's output on a terminal.
      title: 'check the staged files',
      task: () => {
        releaseBuildLock(o.outDir);
        if (!statSync(dll).size || !statSync(so).size) throw new Error('empty output; rebuild');
      },
    },
  ];
}
