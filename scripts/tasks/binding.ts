// SPDX-License-Identifier: MIT
// Task group: build the Node binding (runtime/node) with node-gyp from node_modules, incrementally:
// `node-gyp configure` only when the binding has not been configured for this Node and this
// binding.gyp, then `node-gyp build` (make: only what changed is compiled). The binding links
// libds_runtime_static.a, which gyp's Makefile does not track, so a newer archive removes the linked
// module first and make links it again.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ListrTask } from 'listr2';
import { runCommand } from '../lib/exec.ts';
import { UsageError } from '../lib/errors.ts';
import { text, titles } from '../lib/messages.ts';
import { positiveInt } from '../lib/option-values.ts';
import { paths, shown } from '../lib/paths.ts';
import { cpuCount, nodeHeadersPrefix } from '../lib/tools.ts';

export interface BindingBuild {
  bindingDir: string;
  logDir: string;
  verbose: boolean;
  jobs: number;
  /** The archive the binding links (build/runtime/release/libds_runtime_static.a). */
  runtimeLib: string;
}

export function resolveBindingBuild(flags: { 'log-dir'?: string; verbose?: boolean; jobs?: string }): BindingBuild {
  return {
    bindingDir: paths.bindingDir,
    logDir: flags['log-dir'] ?? paths.logDir,
    verbose: Boolean(flags.verbose),
    jobs: flags.jobs === undefined ? cpuCount() : positiveInt('--jobs', flags.jobs),
    runtimeLib: path.join(paths.runtimeBuild('release'), 'libds_runtime_static.a'),
  };
}

export type GypAction = 'configure' | 'build';

export function nodeGypArgs(
  b: BindingBuild,
  action: GypAction,
  nodedir: string | null = nodeHeadersPrefix() ?? null,
): string[] {
  const args = [paths.nodeGyp, action, '--directory', b.bindingDir];
  if (action === 'build') args.push(`--jobs=${b.jobs}`);
  if (action === 'configure' && nodedir) args.push(`--nodedir=${nodedir}`);
  if (b.verbose) args.push('--verbose');
  return args;
}

const buildDir = (b: BindingBuild): string => path.join(b.bindingDir, 'build');
const stampPath = (b: BindingBuild): string => path.join(buildDir(b), 'ds-kit-configure.json');

/** What the configured Makefile depends on: the Node it builds for and binding.gyp. */
export function configureKey(b: BindingBuild, nodedir: string | null = nodeHeadersPrefix() ?? null): string {
  const gyp = existsSync(path.join(b.bindingDir, 'binding.gyp'))
    ? readFileSync(path.join(b.bindingDir, 'binding.gyp'))
    : '';
  return JSON.stringify({ node: process.version, nodedir, gyp: createHash('sha256').update(gyp).digest('hex') });
}

export function needsConfigure(b: BindingBuild): boolean {
  if (!existsSync(path.join(buildDir(b), 'Makefile')) || !existsSync(stampPath(b))) return true;
  return readFileSync(stampPath(b), 'utf8') !== configureKey(b);
}

/** The linked module, wherever gyp's Makefile puts it (build/Release and its obj.target copy). */
const linkedModules = (b: BindingBuild): string[] => [
  path.join(buildDir(b), 'Release', 'ds_runtime.node'),
  path.join(buildDir(b), 'Release', 'obj.target', 'ds_runtime.node'),
];

/** Removes the linked module when the runtime archive is newer, so make links it again. */
export function dropStaleLink(b: BindingBuild): boolean {
  if (!existsSync(b.runtimeLib)) return false;
  const archive = statSync(b.runtimeLib).mtimeMs;
  const stale = linkedModules(b).filter((m) => existsSync(m) && statSync(m).mtimeMs < archive);
  for (const m of stale) rmSync(m, { force: true });
  return stale.length > 0;
}

export function bindingTasks<Ctx>(b: BindingBuild): ListrTask<Ctx>[] {
  const run = { step: 'binding-build', title: titles.binding, logDir: b.logDir, verbose: b.verbose };
  return [
    {
      title: titles.binding,
      task: async (_ctx, task) => {
        if (!existsSync(paths.bindingGyp)) throw new UsageError(text.bindingGypMissing(shown(paths.bindingGyp)));
        const report = (line: string): void => {
          task.output = line;
        };
        const configure = needsConfigure(b);
        if (configure) {
          rmSync(stampPath(b), { force: true });
          await runCommand(
            { tool: 'node-gyp', file: process.execPath, args: nodeGypArgs(b, 'configure') },
            { ...run, report },
          );
          mkdirSync(buildDir(b), { recursive: true });
          writeFileSync(stampPath(b), configureKey(b));
        }
        dropStaleLink(b);
        await runCommand(
          { tool: 'node-gyp', file: process.execPath, args: nodeGypArgs(b, 'build') },
          { ...run, report, append: configure },
        );
      },
    },
  ];
}
