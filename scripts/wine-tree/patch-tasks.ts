// SPDX-License-Identifier: MIT
// `ds-kit patch --wine <tree> [--revert] [--dry-run]` as a listr2 task list. Nothing in the tree
// changes until every patch is known to apply; a failure after that (autoreconf) rolls back, so a
// failed patch leaves the tree exactly as it was.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ListrTask } from 'listr2';
import { generate } from '../generate/index.ts';
import { runCommand } from '../lib/exec.ts';
import { paths } from '../lib/paths.ts';
import { applyPatches, checkPatches, conflictingPaths, listChanges } from './git-apply.ts';
import { WineTreeError } from './messages.ts';
import { defaultRuntimeLib, writeModulePatches } from './module-patch.ts';
import { committedPatches, seriesFor, type Series } from './series.ts';
import { readRecord, restoreState, saveState, storedPatches, type AppliedRecord } from './state.ts';
import { PATCH_TOOLS, REVERT_TOOLS, requireTools } from './tools.ts';

export interface PatchOptions {
  tree: string;
  revert?: boolean;
  dryRun?: boolean;
  /** Default build/runtime/release/libds_runtime_static.a (built when missing). */
  runtimeLib?: string;
  generatedRoot?: string;
  logDir?: string;
  verbose?: boolean;
  /** PATH and friends for the tools (tests narrow PATH to check the missing-tool error). */
  env?: NodeJS.ProcessEnv;
}

export interface PatchCtx {
  series?: Series;
  wineVersion?: string;
  record?: AppliedRecord;
  patches?: string[];
  /** Lines of `--dry-run` / results, for callers and tests. */
  report: string[];
  outcome?: 'applied' | 'already-applied' | 'reverted' | 'not-patched' | 'dry-run';
}

export const newPatchCtx = (): PatchCtx => ({ report: [] });

function resolved(o: PatchOptions): Required<Omit<PatchOptions, 'env'>> & { env: NodeJS.ProcessEnv } {
  return {
    tree: resolve(o.tree), revert: Boolean(o.revert), dryRun: Boolean(o.dryRun),
    runtimeLib: o.runtimeLib ?? defaultRuntimeLib, generatedRoot: o.generatedRoot ?? join(paths.buildRoot, 'generated'),
    logDir: o.logDir ?? paths.logDir, verbose: Boolean(o.verbose), env: o.env ?? process.env,
  };
}

const say = (ctx: PatchCtx, line: string): string => { ctx.report.push(line); return line; };

function identify<Ctx extends PatchCtx>(o: ReturnType<typeof resolved>): ListrTask<Ctx> {
  return {
    title: `read the Wine version of ${o.tree}`,
    task: (ctx, task) => {
      if (!existsSync(o.tree)) throw new WineTreeError(`${o.tree} does not exist`, 'pass --wine <path of a Wine source tree>');
      const { series, version } = seriesFor(o.tree);
      requireTools(o.revert ? REVERT_TOOLS : PATCH_TOOLS, o.env);
      ctx.series = series;
      ctx.wineVersion = version.text;
      ctx.record = readRecord(o.tree);
      task.title = `${version.text}: series ${series.id}`;
    },
  };
}

async function rollback(tree: string, record: AppliedRecord, patches: string[]): Promise<void> {
  await applyPatches(tree, patches, true);
  restoreState(tree, record);
}

export function patchTasks<Ctx extends PatchCtx>(options: PatchOptions): ListrTask<Ctx>[] {
  const o = resolved(options);
  if (o.revert) return revertTasks<Ctx>(o);
  const applied = (ctx: Ctx): string | false =>
    ctx.record ? `already applied (series ${ctx.record.series}, ${ctx.record.appliedAt}); nothing changed` : false;
  return [
    identify<Ctx>(o),
    {
      title: 'already applied?',
      task: (ctx, task) => {
        if (ctx.record) {
          ctx.outcome = 'already-applied';
          task.title = say(ctx, applied(ctx) as string);
        } else task.title = 'not applied yet';
      },
    },
    {
      title: 'ds-runtime (release): libds_runtime_static.a',
      skip: (ctx) => applied(ctx) || (existsSync(o.runtimeLib) ? `reusing ${o.runtimeLib}` : false),
      task: async (_ctx, task) => {
        const dir = paths.runtimeBuild('release');
        const report = (line: string): void => { task.output = line; };
        await runCommand({ tool: 'cmake', file: 'cmake', args: ['-S', paths.runtimeSource, '-B', dir, '-DCMAKE_BUILD_TYPE=Release'] },
          { step: 'wine-tree-runtime', title: 'configure ds-runtime (release)', logDir: o.logDir, verbose: o.verbose, report });
        await runCommand({ tool: 'cmake', file: 'cmake', args: ['--build', dir, '--target', 'ds_runtime_static', '-j2'] },
          { step: 'wine-tree-runtime', title: 'build ds-runtime (release)', logDir: o.logDir, verbose: o.verbose, report, append: true });
      },
    },
    {
      title: 'generate the module sources and write the series',
      skip: applied,
      task: async (ctx, task) => {
        const s = ctx.series as Series;
        await generate({ out: o.generatedRoot, target: s.target });
        ctx.patches = [...committedPatches(s), ...(await writeModulePatches(s, { generatedRoot: o.generatedRoot, runtimeLib: o.runtimeLib }))];
        task.title = `series ${s.id}: ${ctx.patches.length} patches`;
      },
    },
    {
      title: 'check that every patch applies (git apply --check)',
      skip: applied,
      task: async (ctx) => {
        const patches = ctx.patches as string[];
        const check = await checkPatches(o.tree, patches);
        if (check.ok) return;
        const reverse = await checkPatches(o.tree, patches, true);
        if (reverse.ok) {
          throw new WineTreeError(`the ${ctx.series?.id} series is already in ${o.tree}, but not through ds-kit (no .ds-kit/applied.json)`,
            'nothing to do if you applied it yourself; to let ds-kit manage it, remove dlls/dstorage and the configure.ac/include/Makefile.in hunks, then run ds-kit patch again. The tree was not changed');
        }
        const where = conflictingPaths(check.output);
        throw new WineTreeError(`the ${ctx.series?.id} series does not apply to ${o.tree}: ${where.length ? where.join(', ') : 'see below'} conflict\n  git apply --check said:\n${check.output.split('\n').map((l) => `    ${l}`).join('\n')}`,
          'restore those files to the Wine release (git checkout -- <file>, or unpack the source again) or remove what another patch added there, then run ds-kit patch again. The tree was not changed');
      },
    },
    {
      title: 'what would change (--dry-run)',
      enabled: () => o.dryRun,
      skip: applied,
      task: async (ctx, task) => {
        const changes = await listChanges(o.tree, ctx.patches as string[]);
        for (const c of changes) {
          const size = c.added === 'binary' ? 'binary' : c.kind === 'create' ? `${c.added} lines` : `+${c.added} -${c.removed}`;
          say(ctx, `${c.kind} ${c.path} (${size})`);
        }
        say(ctx, 'regenerate configure and include/config.h.in (autoreconf -f)');
        say(ctx, `record the applied series in ${join(o.tree, '.ds-kit')} (for --revert)`);
        ctx.outcome = 'dry-run';
        task.output = ctx.report.join('\n');
        task.title = `would change ${changes.length} files (dry run: nothing changed)`;
      },
      rendererOptions: { persistentOutput: true },
    },
    {
      title: 'apply the series',
      enabled: () => !o.dryRun,
      skip: applied,
      task: async (ctx) => {
        const patches = ctx.patches as string[];
        ctx.record = undefined;
        const record = saveState(o.tree, ctx.series?.id as string, ctx.wineVersion as string, patches);
        const result = await applyPatches(o.tree, patches);
        if (!result.ok) {
          restoreState(o.tree, record);
          throw new WineTreeError(`git apply failed after its check passed: ${result.output}`, 'the tree was left as it was; run ds-kit patch again, and report this if it repeats');
        }
        try {
          await runCommand({ file: 'autoreconf', args: ['-f'], cwd: o.tree, env: o.env as Record<string, string> },
            { step: 'wine-tree-autoreconf', title: `autoreconf -f in ${o.tree}`, logDir: o.logDir, verbose: o.verbose, report: () => {} });
        } catch (error) {
          await rollback(o.tree, record, patches.map((p) => p));
          throw error;
        }
        ctx.outcome = 'applied';
        say(ctx, `applied ${patches.length} patches to ${o.tree}; regenerated configure`);
      },
    },
  ];
}

function revertTasks<Ctx extends PatchCtx>(o: ReturnType<typeof resolved>): ListrTask<Ctx>[] {
  const notPatched = (ctx: Ctx): string | false => (ctx.record ? false : say(ctx, `${o.tree} is not patched by ds-kit (no .ds-kit/applied.json): nothing to revert`));
  return [
    identify<Ctx>(o),
    {
      title: 'check that the applied series comes out cleanly (git apply -R --check)',
      skip: (ctx) => { const s = notPatched(ctx); if (s) ctx.outcome = 'not-patched'; return s; },
      task: async (ctx) => {
        const record = ctx.record as AppliedRecord;
        const check = await checkPatches(o.tree, storedPatches(o.tree, record), true);
        if (check.ok) return;
        const where = conflictingPaths(check.output);
        throw new WineTreeError(`${o.tree} changed since ds-kit applied ${record.series}: ${where.length ? where.join(', ') : 'see below'} no longer match\n  git apply -R --check said:\n${check.output.split('\n').map((l) => `    ${l}`).join('\n')}`,
          'undo your own edits to those files (the applied patches are in .ds-kit/patches), then run ds-kit patch --revert again. The tree was not changed');
      },
    },
    {
      title: 'remove the series and restore configure',
      enabled: (ctx) => Boolean(ctx.record) && !o.dryRun,
      task: async (ctx) => {
        const record = ctx.record as AppliedRecord;
        const result = await applyPatches(o.tree, storedPatches(o.tree, record), true);
        if (!result.ok) throw new WineTreeError(`git apply -R failed after its check passed: ${result.output}`, 'run ds-kit patch --revert again; the tree was not changed');
        restoreState(o.tree, record);
        ctx.outcome = 'reverted';
        say(ctx, `reverted ${record.series} from ${o.tree}`);
      },
    },
  ];
}
