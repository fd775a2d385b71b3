// SPDX-License-Identifier: MIT
// listr2 tasks: runtime (reused when built), generator, PE side, Unix side, staging, optional install.
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import type { ListrTask } from 'listr2';
import { repoRoot } from '../lib/paths.ts';
import {
  generatedDirs, objDir, peCompile, peLink, sources, unixCompile, unixLink, usage, winebuildPath, winegccPath,
  type WineModuleOptions,
} from './layout.ts';

async function run(file: string, args: string[], what: string): Promise<void> {
  const r = await execa(file, args, { cwd: repoRoot, reject: false, all: true });
  if (r.exitCode !== 0) {
    throw new Error(`${what} failed (${file} exited ${r.exitCode}):\n${r.all ?? ''}\n` +
      `fix the error above; the full command was: ${file} ${args.join(' ')}`);
  }
}

/** Compiles one side, two at a time (the build machine has two cores). */
async function compileAll(files: string[], outDir: string, compiler: string, argsOf: (src: string, obj: string) => string[]): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const objs = files.map((f) => join(outDir, basename(f, '.c') + '.o'));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      await run(compiler, argsOf(files[i], objs[i]), `compile ${basename(files[i])}`);
    }
  };
  await Promise.all([worker(), worker()]);
  return objs;
}

export function wineModuleTasks<Ctx>(o: WineModuleOptions): ListrTask<Ctx>[] {
  const runtimeLib = join(o.runtimeDir, 'libds_runtime_static.a');
  const dll = join(o.outDir, 'dstorage.dll');
  const so = join(o.outDir, 'dstorage.so');
  return [
    {
      title: `ds-runtime (${o.variant ?? 'release'})`,
      skip: () => (existsSync(runtimeLib) ? `reusing ${runtimeLib}` : false),
      task: async () => {
        await run('cmake', ['-S', 'runtime', '-B', o.runtimeDir, '-DCMAKE_BUILD_TYPE=Release', ...(o.runtimeConfigure ?? [])],
          'configure ds-runtime');
        await run('cmake', ['--build', o.runtimeDir, '-j2'], 'build ds-runtime');
      },
    },
    {
      title: `generate ${o.target} sources`,
      task: async () => {
        await run(process.execPath, ['--import', 'tsx', 'scripts/generate/main.ts', '--out', 'build/generated'], 'generate');
        if (!existsSync(join(generatedDirs(o).dll, 'unixlib.h'))) throw new Error(`the generator wrote no ${o.target} module; check scripts/generate/targets.ts`);
      },
    },
    {
      title: 'dstorage.dll (PE side, mingw)',
      task: async () => {
        const objs = await compileAll(sources(o).pe, join(objDir(o), 'pe'), 'x86_64-w64-mingw32-gcc', (s, obj) => peCompile(o, s, obj));
        mkdirSync(o.outDir, { recursive: true });
        await run(winegccPath(), peLink(o, objs, dll), 'link dstorage.dll');
        await run(winebuildPath(), ['--builtin', dll], 'mark dstorage.dll builtin');
      },
    },
    {
      title: `dstorage.so (Unix side${o.variant ? `, ${o.variant}` : ''})`,
      task: async () => {
        const objs = await compileAll(sources(o).unix, join(objDir(o), 'unix'), 'gcc', (s, obj) => unixCompile(o, s, obj));
        await run('gcc', unixLink(o, objs, so), 'link dstorage.so');
      },
    },
    {
      title: 'install into the Wine library directories',
      enabled: () => o.install,
      task: () => {
        for (const [from, sub] of [[dll, 'x86_64-windows'], [so, 'x86_64-unix']] as const) {
          const to = join(o.wineLibDir, sub, basename(from));
          try {
            copyFileSync(from, to);
          } catch (e) {
            throw new Error(`cannot write ${to} (${(e as Error).message}); run as root or use WINEDLLPATH=${o.outDir} instead of --install`);
          }
        }
      },
    },
    {
      title: 'usage',
      task: (_ctx, task) => {
        if (!statSync(dll).size || !statSync(so).size) throw new Error('empty output; rebuild');
        task.output = usage(o);
      },
      rendererOptions: { persistentOutput: true },
    },
  ];
}
