// SPDX-License-Identifier: MIT
// `ds-kit build --wine <tree> [--full] [--build-dir DIR]`: installs this repository's ds-runtime into a
// prefix (build/runtime/prefix) for configure's pkg-config check, configures a build directory beside the
// source (or reuses it) with PKG_CONFIG_PATH pointing there, builds dlls/dstorage with everything it needs
// (Wine's tools, ntdll, the import libraries) or all of Wine with --full, and stages dstorage.dll +
// dstorage.so in <build>/ds-kit-module. The full make output goes to build/logs/wine-tree-make-<series>.log,
// named by every error.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ListrTask } from 'listr2';
import { runCommand } from '../lib/exec.ts';
import { paths, repoRoot } from '../lib/paths.ts';
import { cpuCount } from '../lib/tools.ts';
import { WineTreeError } from './messages.ts';
import { seriesFor, type Series } from './series.ts';
import { readRecord } from './state.ts';
import { BUILD_TOOLS, requireTools } from './tools.ts';

export interface BuildOptions {
  tree: string;
  buildDir?: string;
  full?: boolean;
  jobs?: number;
  logDir?: string;
  verbose?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Where this repository's ds-runtime is installed for configure (default build/runtime/prefix). */
  runtimePrefix?: string;
}

export const defaultRuntimePrefix = join(paths.buildRoot, 'runtime', 'prefix');
const RUNTIME_ARCHIVE = (prefix: string): string => join(prefix, 'lib', 'libds_runtime_static.a');

/** PKG_CONFIG_PATH for configure: the runtime prefix first, then whatever the caller had. */
export function pkgConfigPath(prefix: string, env: NodeJS.ProcessEnv = process.env): string {
  return [join(prefix, 'lib', 'pkgconfig'), ...(env.PKG_CONFIG_PATH ? [env.PKG_CONFIG_PATH] : [])].join(':');
}

export interface BuildCtx {
  series?: Series;
  buildDir?: string;
  /** dstorage.dll + dstorage.so, usable as WINEDLLPATH. */
  moduleDir?: string;
  reusedConfigure?: boolean;
}

/** build/wine-trees/<series>-<tree name>-<hash of its path>: one build directory per tree. */
export function defaultBuildDir(tree: string, series: Series): string {
  const hash = createHash('sha256').update(resolve(tree)).digest('hex').slice(0, 8);
  return join(repoRoot, 'build', 'wine-trees', `${series.id}-${basename(resolve(tree))}-${hash}`);
}

/** Configure's arguments for a tree: the series' flags plus what Debian's tree needs out of source. */
export function configureArgs(tree: string, series: Series, buildDir: string): string[] {
  const args = [...series.configureFlags];
  // Debian's version-string patch writes dlls/ntdll/unix/version.h into the build directory but includes
  // it as "version.h" from the source directory: an out-of-source build needs that directory on the path.
  if (existsSync(join(tree, 'debian', 'patches'))) args.push(`CPPFLAGS=-I${join(buildDir, 'dlls/ntdll/unix')}`);
  return args;
}

/**
 * Debian's fixes/temporary-directory.patch makes makedep emit a dependency on include/wine/server_tmpdir.h
 * relative to the build directory (Debian builds in the source tree): out of source, make finds no rule
 * for it. A link in the build directory to the source file satisfies it.
 */
export const DEBIAN_BUILD_LINKS = ['include/wine/server_tmpdir.h'];

export function linkDebianFiles(tree: string, buildDir: string): string[] {
  const made: string[] = [];
  for (const f of DEBIAN_BUILD_LINKS) {
    const from = join(tree, f);
    const to = join(buildDir, f);
    if (!existsSync(from) || existsSync(to)) continue;
    mkdirSync(dirname(to), { recursive: true });
    symlinkSync(from, to);
    made.push(f);
  }
  return made;
}

const STAMP = 'ds-kit-configure.json';

function reusable(tree: string, buildDir: string, args: string[]): boolean {
  const status = join(buildDir, 'config.status');
  const stamp = join(buildDir, STAMP);
  if (![status, stamp, join(buildDir, 'Makefile')].every(existsSync)) return false;
  let saved: { tree: string; args: string[] };
  try {
    saved = JSON.parse(readFileSync(stamp, 'utf8')) as { tree: string; args: string[] };
  } catch {
    return false;
  }
  return (
    saved.tree === tree &&
    JSON.stringify(saved.args) === JSON.stringify(args) &&
    statSync(join(tree, 'configure')).mtimeMs <= statSync(status).mtimeMs
  );
}

/** Progress of Wine's make: the file each compile/link writes. */
export function makeProgress(line: string): string | undefined {
  const out = /\s-o\s+(\S+)/.exec(line);
  return out && /^(\S*gcc|\S*winegcc|\S*winebuild|\S*widl|\S*wrc)\b|^\$\(CC\)/.test(line.trim())
    ? `building ${out[1]}`
    : undefined;
}

export function buildTasks<Ctx extends BuildCtx>(options: BuildOptions): ListrTask<Ctx>[] {
  const tree = resolve(options.tree);
  const logDir = options.logDir ?? paths.logDir;
  const verbose = Boolean(options.verbose);
  const jobs = options.jobs ?? cpuCount();
  const prefix = resolve(options.runtimePrefix ?? defaultRuntimePrefix);
  const env = { ...(options.env ?? process.env), PKG_CONFIG_PATH: pkgConfigPath(prefix, options.env) } as Record<
    string,
    string
  >;
  return [
    {
      title: `check ${tree}`,
      task: (ctx, task) => {
        // The journal first: an interrupted patch may have left the tree without configure.ac.
        const record = readRecord(tree);
        if (record && record.phase !== 'applied') {
          throw new WineTreeError(
            `${tree} holds an interrupted ds-kit patch${record.phase === 'reverting' ? ' --revert' : ''} (phase "${record.phase}" in .ds-kit/applied.json): its configure is not the patched one`,
            `run ds-kit patch --wine ${tree} to finish it (or ds-kit patch --revert --wine ${tree} to take it out), then build again`,
          );
        }
        const { series, version } = seriesFor(tree);
        requireTools(BUILD_TOOLS, options.env);
        if (!record) {
          throw new WineTreeError(
            `${tree} is not patched (no .ds-kit/applied.json)`,
            `run ds-kit patch --wine ${tree} first`,
          );
        }
        ctx.series = series;
        ctx.buildDir = resolve(options.buildDir ?? defaultBuildDir(tree, series));
        task.title = `${version.text} (${series.id}), build directory ${ctx.buildDir}`;
      },
    },
    {
      title: `ds-runtime: build (release) and install into ${prefix} for pkg-config`,
      task: async (ctx, task) => {
        const dir = paths.runtimeBuild('release');
        const report = (line: string): void => {
          task.output = line;
        };
        const run = (args: string[], title: string, append: boolean): Promise<void> =>
          runCommand({ file: 'cmake', args }, { step: 'wine-tree-runtime', title, logDir, verbose, report, append });
        const configured = existsSync(join(dir, 'CMakeCache.txt'));
        if (!configured)
          await run(
            ['-S', paths.runtimeSource, '-B', dir, '-DCMAKE_BUILD_TYPE=Release'],
            'configure ds-runtime (release)',
            false,
          );
        await run(['--build', dir, '--target', 'ds_runtime_static', '-j2'], 'build ds-runtime (release)', !configured);
        await run(['--install', dir, '--prefix', prefix], `install ds-runtime into ${prefix}`, true);
        // Wine's makefiles do not know that dstorage.so depends on the archive: relink when it is newer.
        const so = join(ctx.buildDir as string, 'dlls', 'dstorage', 'dstorage.so');
        if (existsSync(so) && statSync(RUNTIME_ARCHIVE(prefix)).mtimeMs > statSync(so).mtimeMs) rmSync(so);
        task.title = `ds-runtime installed in ${prefix} (PKG_CONFIG_PATH=${env.PKG_CONFIG_PATH})`;
      },
    },
    {
      title: 'configure',
      task: async (ctx, task) => {
        const buildDir = ctx.buildDir as string;
        const args = [...configureArgs(tree, ctx.series as Series, buildDir), `PKG_CONFIG_PATH=${env.PKG_CONFIG_PATH}`];
        if (reusable(tree, buildDir, args)) {
          linkDebianFiles(tree, buildDir);
          ctx.reusedConfigure = true;
          task.skip(`reusing the configured ${buildDir}`);
          return;
        }
        mkdirSync(buildDir, { recursive: true });
        await runCommand(
          { file: join(tree, 'configure'), args, cwd: buildDir, env },
          {
            step: `wine-tree-configure-${ctx.series?.id}`,
            title: `configure ${tree}`,
            logDir,
            verbose,
            report: (l) => {
              task.output = l;
            },
            progress: (l) => (/^checking /.test(l) ? l : undefined),
          },
        );
        writeFileSync(join(buildDir, STAMP), `${JSON.stringify({ tree, args }, null, 2)}\n`);
        linkDebianFiles(tree, buildDir);
      },
    },
    {
      title: 'makedep picked up dlls/dstorage',
      task: (ctx) => {
        const makefile = readFileSync(join(ctx.buildDir as string, 'Makefile'), 'utf8');
        if (!/^dlls\/dstorage\/all:/m.test(makefile)) {
          const configureLog = join(logDir, `wine-tree-configure-${ctx.series?.id}.log`);
          const log = existsSync(configureLog) ? readFileSync(configureLog, 'utf8') : '';
          if (/ds-runtime development files not found/.test(log)) {
            throw new WineTreeError(
              `configure left dlls/dstorage out: it did not find ds-runtime (pkg-config ds-runtime, PKG_CONFIG_PATH=${env.PKG_CONFIG_PATH})`,
              `check that ${join(prefix, 'lib', 'pkgconfig', 'ds-runtime.pc')} exists and that config.log in ${ctx.buildDir} shows why ds_runtime.h or -lds_runtime_static failed; delete ${ctx.buildDir} and build again`,
            );
          }
          throw new WineTreeError(
            `the configured Makefile in ${ctx.buildDir} has no dlls/dstorage rules`,
            `configure did not see dlls/dstorage: check that ${tree} is patched (ds-kit patch --wine ${tree}) and that configure was regenerated, then delete ${ctx.buildDir} and build again`,
          );
        }
      },
    },
    {
      title: options.full
        ? 'make (all of Wine)'
        : 'make dlls/dstorage (with the tools, ntdll and import libraries it needs)',
      task: async (ctx, task) => {
        const targets = options.full ? [] : ['dlls/dstorage/all'];
        await runCommand(
          { file: 'make', args: [`-j${jobs}`, ...targets], cwd: ctx.buildDir, env },
          {
            step: `wine-tree-make-${ctx.series?.id}`,
            title: `make ${targets.join(' ') || 'all'} in ${ctx.buildDir}`,
            logDir,
            verbose,
            report: (l) => {
              task.output = l;
            },
            progress: makeProgress,
          },
        );
      },
    },
    {
      title: 'stage dstorage.dll + dstorage.so',
      task: (ctx, task) => {
        const buildDir = ctx.buildDir as string;
        const moduleDir = join(buildDir, 'ds-kit-module');
        mkdirSync(moduleDir, { recursive: true });
        const outputs: [string, string][] = [
          [join(buildDir, 'dlls/dstorage/x86_64-windows/dstorage.dll'), 'dstorage.dll'],
          [join(buildDir, 'dlls/dstorage/dstorage.so'), 'dstorage.so'],
        ];
        for (const [from, name] of outputs) {
          if (!existsSync(from)) {
            throw new WineTreeError(
              `make finished but ${from} is missing`,
              `read ${join(logDir, `wine-tree-make-${ctx.series?.id}.log`)}; delete ${buildDir} and build again`,
            );
          }
          copyFileSync(from, join(moduleDir, name));
        }
        ctx.moduleDir = moduleDir;
        task.output = `WINEDLLPATH=${moduleDir} WINEDLLOVERRIDES="dstorage,dstoragecore=b,n" wine Game.exe`;
      },
      rendererOptions: { persistentOutput: true },
    },
  ];
}
