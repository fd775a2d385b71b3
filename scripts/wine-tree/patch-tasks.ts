// SPDX-License-Identifier: MIT
// `ds-kit patch --wine <tree> [--revert] [--dry-run]` as a listr2 task list. Nothing in the tree
// changes until every patch is known to apply and every file it touches is backed up (state.ts); a
// failure after that (autoreconf) rolls back, so a failed patch leaves the tree exactly as it was. A run
// that was killed part-way is finished or rolled back by the next patch, --revert (or told by build).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ListrTask } from 'listr2';
import { generate } from '../generate/index.ts';
import { runCommand } from '../lib/exec.ts';
import { paths } from '../lib/paths.ts';
import { fsFailure, requireWritable } from './fs-errors.ts';
import { applyPatches, checkPatches, conflictingPaths, listChanges } from './git-apply.ts';
import { WineTreeError } from './messages.ts';
import { generatedPatchDir, writeModulePatches } from './module-patch.ts';
import { committedPatches, seriesFor, type Series } from './series.ts';
import {
  beginPatch,
  dropState,
  hasStaleState,
  ownerAlive,
  readRecord,
  REGENERATED,
  restorePristine,
  restoreRegenerated,
  setPhase,
  STATE_DIR,
  storedPatches,
  type AppliedRecord,
} from './state.ts';
import { PATCH_TOOLS, REVERT_TOOLS, requireTools } from './tools.ts';

export interface PatchOptions {
  tree: string;
  revert?: boolean;
  dryRun?: boolean;
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
  /** This run's own directory under build/wine-patches (generated sources, 0002), removed at the end. */
  runDir?: string;
  /** What was done about an interrupted earlier run, if anything. */
  recovered?: 'rolled-back' | 'completed' | 'revert-finished' | 'leftovers-removed';
  outcome?: 'applied' | 'already-applied' | 'reverted' | 'not-patched' | 'dry-run' | 'repaired';
}

export const newPatchCtx = (): PatchCtx => ({ report: [] });

type Resolved = Required<Omit<PatchOptions, 'env' | 'generatedRoot'>> & {
  env: NodeJS.ProcessEnv;
  generatedRoot?: string;
};

function resolved(o: PatchOptions): Resolved {
  return {
    tree: resolve(o.tree),
    revert: Boolean(o.revert),
    dryRun: Boolean(o.dryRun),
    generatedRoot: o.generatedRoot,
    logDir: o.logDir ?? paths.logDir,
    verbose: Boolean(o.verbose),
    env: o.env ?? process.env,
  };
}

const say = (ctx: PatchCtx, line: string): string => {
  ctx.report.push(line);
  return line;
};

/** Removes this run's scratch directory (the patches are in .ds-kit/patches by then, or not needed). */
function dropRun(ctx: PatchCtx): void {
  if (ctx.runDir) rmSync(ctx.runDir, { recursive: true, force: true });
  ctx.runDir = undefined;
}

/** The journal first: an interrupted run may have left the tree without configure.ac (git apply replaces files by unlink + create). */
function readJournal<Ctx extends PatchCtx>(o: Resolved): ListrTask<Ctx> {
  return {
    title: `read ${join(o.tree, STATE_DIR, 'applied.json')}`,
    task: (ctx, task) => {
      if (!existsSync(o.tree))
        throw new WineTreeError(`${o.tree} does not exist`, 'pass --wine <path of a Wine source tree>');
      ctx.record = readRecord(o.tree);
      task.title = ctx.record
        ? `journal: phase ${ctx.record.phase} (series ${ctx.record.series})`
        : 'not patched by ds-kit yet';
    },
  };
}

function identify<Ctx extends PatchCtx>(o: Resolved): ListrTask<Ctx> {
  return {
    title: `read the Wine version of ${o.tree}`,
    task: (ctx, task) => {
      const { series, version } = seriesFor(o.tree);
      requireTools(o.revert ? REVERT_TOOLS : PATCH_TOOLS, o.env);
      ctx.series = series;
      ctx.wineVersion = version.text;
      // Before generating anything: a tree that cannot be written fails here with its errno.
      if (!o.revert && !o.dryRun && ctx.record?.phase !== 'applied') {
        requireWritable(
          o.tree,
          [STATE_DIR, 'configure.ac', 'include/Makefile.in', 'dlls', ...REGENERATED],
          'ds-kit patch',
        );
      }
      task.title = `${version.text}: series ${series.id}`;
    },
  };
}

async function autoreconf(o: Resolved): Promise<void> {
  await runCommand(
    { file: 'autoreconf', args: ['-f'], cwd: o.tree, env: o.env as Record<string, string> },
    {
      step: 'wine-tree-autoreconf',
      title: `autoreconf -f in ${o.tree}`,
      logDir: o.logDir,
      verbose: o.verbose,
      report: () => {},
    },
  );
}

/** Restores the tree from the backups; an fs error on the way says that running the command again finishes it. */
function rollBack(o: Resolved, record: AppliedRecord, ctx: PatchCtx): void {
  try {
    const kept = restorePristine(o.tree, record);
    for (const d of kept) say(ctx, `left ${d} in place: it holds files that ds-kit did not create`);
  } catch (error) {
    throw fsFailure(
      error,
      `restore ${o.tree} from ${join(o.tree, STATE_DIR, 'backup')}`,
      `fix the cause, then run ds-kit patch --revert --wine ${o.tree}: it finishes the restore`,
      'the restore is recorded and not finished',
    );
  }
}

const interruptedBy = (r: AppliedRecord): string =>
  r.phase === 'reverting'
    ? 'ds-kit patch --revert'
    : r.phase === 'applying'
      ? 'ds-kit patch (stopped while the series went in)'
      : 'ds-kit patch (stopped while autoreconf ran)';

/**
 * A run that was killed part-way (journal phase other than `applied`) or left only leftovers: roll it
 * back, finish it, or (with --dry-run) say what will be done. Patch completes an interrupted autoreconf;
 * everything else, and everything under --revert, is rolled back to the tree as it was.
 */
function recoverTask<Ctx extends PatchCtx>(o: Resolved): ListrTask<Ctx> {
  return {
    title: 'finish or roll back an interrupted run',
    enabled: (ctx) => (ctx.record !== undefined && ctx.record.phase !== 'applied') || hasStaleState(o.tree),
    task: async (ctx, task) => {
      const record = ctx.record;
      if (!record) {
        if (o.dryRun) {
          task.title = say(
            ctx,
            `would remove ${join(o.tree, STATE_DIR)}, left by a run stopped before it changed the tree`,
          );
          return;
        }
        dropState(o.tree);
        ctx.recovered = 'leftovers-removed';
        task.title = say(ctx, `removed ${join(o.tree, STATE_DIR)}, left by a run stopped before it changed the tree`);
        return;
      }
      if (ownerAlive(record)) {
        throw new WineTreeError(
          `another ds-kit (pid ${record.pid}) is changing ${o.tree} right now (${interruptedBy(record)})`,
          `wait for it to finish; if it hangs, stop it (kill ${record.pid}) and run this command again, which finishes or rolls back its work`,
        );
      }
      const complete = !o.revert && record.phase === 'regenerating';
      if (o.dryRun) {
        ctx.outcome = 'dry-run';
        task.title = say(
          ctx,
          `an interrupted ${interruptedBy(record)} would be ${complete ? 'completed (autoreconf run again)' : 'rolled back from the backups'} first`,
        );
        return;
      }
      if (complete) {
        requireTools(PATCH_TOOLS, o.env);
        restoreRegenerated(o.tree, record);
        try {
          await autoreconf(o);
        } catch (error) {
          rollBack(o, record, ctx);
          ctx.record = undefined;
          throw error;
        }
        ctx.record = setPhase(o.tree, record, 'applied');
        ctx.recovered = 'completed';
        ctx.outcome = 'repaired';
        task.title = say(
          ctx,
          `completed an interrupted ${interruptedBy(record)}: the series was in, autoreconf had not finished; ran it again`,
        );
        return;
      }
      rollBack(o, record, ctx);
      ctx.record = undefined;
      ctx.recovered = record.phase === 'reverting' ? 'revert-finished' : 'rolled-back';
      task.title = say(
        ctx,
        record.phase === 'reverting'
          ? `finished an interrupted ds-kit patch --revert: ${o.tree} is as it was before the series`
          : `rolled back an interrupted ${interruptedBy(record)}: ${o.tree} is as it was before the series`,
      );
    },
  };
}

export function patchTasks<Ctx extends PatchCtx>(options: PatchOptions): ListrTask<Ctx>[] {
  const o = resolved(options);
  if (o.revert) return revertTasks<Ctx>(o);
  const applied = (ctx: Ctx): string | false =>
    ctx.record?.phase === 'applied'
      ? `already applied (series ${ctx.record.series}, ${ctx.record.appliedAt}); nothing changed`
      : false;
  const done = (ctx: Ctx): string | false =>
    (ctx.outcome === 'repaired' ? 'completed above' : false) ||
    (ctx.outcome === 'dry-run' ? 'dry run: the interrupted run comes first; run --dry-run again after it' : false) ||
    applied(ctx);
  return [
    readJournal<Ctx>(o),
    recoverTask<Ctx>(o),
    identify<Ctx>(o),
    {
      title: 'already applied?',
      skip: (ctx) => ctx.outcome === 'repaired' || ctx.outcome === 'dry-run',
      task: (ctx, task) => {
        if (applied(ctx)) {
          ctx.outcome = 'already-applied';
          task.title = say(ctx, applied(ctx) as string);
        } else task.title = 'not applied yet';
      },
    },
    {
      title: 'generate the module sources and write the series',
      skip: done,
      task: async (ctx, task) => {
        const s = ctx.series as Series;
        // Generated into a directory of this run's own: two patch runs at once (other trees, tests in
        // parallel) must not read each other's half-written sources.
        mkdirSync(join(generatedPatchDir(s), '..'), { recursive: true });
        const run = mkdtempSync(join(generatedPatchDir(s), '..', `.run-${s.id}-`));
        ctx.runDir = run;
        const generatedRoot = o.generatedRoot ?? join(run, 'generated');
        await generate({ out: generatedRoot, target: s.target });
        ctx.patches = [...committedPatches(s), ...(await writeModulePatches(s, { generatedRoot }, run))];
        rmSync(join(run, 'generated'), { recursive: true, force: true });
        task.title = `series ${s.id}: ${ctx.patches.length} patches`;
      },
    },
    {
      title: 'check that every patch applies (git apply --check)',
      skip: done,
      task: async (ctx) => {
        const patches = ctx.patches as string[];
        const check = await checkPatches(o.tree, patches);
        if (check.ok) return;
        const reverse = await checkPatches(o.tree, patches, true);
        dropRun(ctx);
        if (reverse.ok) {
          throw new WineTreeError(
            `the ${ctx.series?.id} series is already in ${o.tree}, but not through ds-kit (no .ds-kit/applied.json)`,
            'nothing to do if you applied it yourself; to let ds-kit manage it, remove dlls/dstorage and the configure.ac/include/Makefile.in hunks, then run ds-kit patch again. The tree was not changed',
          );
        }
        const where = conflictingPaths(check.output);
        throw new WineTreeError(
          `the ${ctx.series?.id} series does not apply to ${o.tree}: ${where.length ? where.join(', ') : 'see below'} conflict\n  git apply --check said:\n${check.output
            .split('\n')
            .map((l) => `    ${l}`)
            .join('\n')}`,
          'restore those files to the Wine release (git checkout -- <file>, or unpack the source again) or remove what another patch added there, then run ds-kit patch again. The tree was not changed',
        );
      },
    },
    {
      title: 'what would change (--dry-run)',
      enabled: () => o.dryRun,
      skip: done,
      task: async (ctx, task) => {
        const changes = await listChanges(o.tree, ctx.patches as string[]);
        for (const c of changes) {
          const size =
            c.added === 'binary' ? 'binary' : c.kind === 'create' ? `${c.added} lines` : `+${c.added} -${c.removed}`;
          say(ctx, `${c.kind} ${c.path} (${size})`);
        }
        say(ctx, 'regenerate configure and include/config.h.in (autoreconf -f)');
        say(ctx, `record the applied series in ${join(o.tree, STATE_DIR)} (for --revert)`);
        ctx.outcome = 'dry-run';
        dropRun(ctx);
        task.output = ctx.report.join('\n');
        task.title = `would change ${changes.length} files (dry run: nothing changed)`;
      },
      rendererOptions: { persistentOutput: true },
    },
    {
      title: 'apply the series',
      enabled: () => !o.dryRun,
      skip: done,
      task: async (ctx, task) => {
        const patches = ctx.patches as string[];
        const changes = await listChanges(o.tree, patches);
        requireWritable(o.tree, [STATE_DIR, ...changes.map((c) => c.path), ...REGENERATED], 'ds-kit patch');
        const files = {
          modified: changes.filter((c) => c.kind !== 'create').map((c) => c.path),
          created: changes.filter((c) => c.kind === 'create').map((c) => c.path),
        };
        let record: AppliedRecord;
        try {
          record = beginPatch(o.tree, ctx.series?.id as string, ctx.wineVersion as string, patches, files);
        } catch (error) {
          try {
            dropState(o.tree);
          } catch {
            /* the error below says what to fix */
          }
          throw fsFailure(
            error,
            `back up ${o.tree} into ${join(o.tree, STATE_DIR)}`,
            `fix the cause, then run ds-kit patch --wine ${o.tree} again`,
            'nothing in the tree was changed',
          );
        }
        ctx.record = record;
        dropRun(ctx);
        const result = await applyPatches(o.tree, storedPatches(o.tree, record));
        if (!result.ok) {
          rollBack(o, record, ctx);
          ctx.record = undefined;
          throw new WineTreeError(
            `git apply failed after its check passed: ${result.output}`,
            'the tree was rolled back to what it was; run ds-kit patch again, and report this if it repeats',
          );
        }
        record = setPhase(o.tree, record, 'regenerating');
        try {
          await autoreconf(o);
        } catch (error) {
          rollBack(o, record, ctx);
          ctx.record = undefined;
          throw error;
        }
        ctx.record = setPhase(o.tree, record, 'applied');
        ctx.outcome = 'applied';
        task.title = say(ctx, `applied ${patches.length} patches to ${o.tree}; regenerated configure`);
      },
    },
  ];
}

function revertTasks<Ctx extends PatchCtx>(o: Resolved): ListrTask<Ctx>[] {
  const nothing = (ctx: Ctx): string | false => {
    if (ctx.recovered && ctx.recovered !== 'leftovers-removed') {
      ctx.outcome = 'reverted';
      return 'done above';
    }
    if (ctx.record) return false;
    ctx.outcome = 'not-patched';
    return say(ctx, `${o.tree} is not patched by ds-kit (no .ds-kit/applied.json): nothing to revert`);
  };
  return [
    readJournal<Ctx>(o),
    recoverTask<Ctx>(o),
    identify<Ctx>(o),
    {
      title: 'check that the applied series comes out cleanly (git apply -R --check)',
      skip: nothing,
      task: async (ctx) => {
        const record = ctx.record as AppliedRecord;
        const check = await checkPatches(o.tree, storedPatches(o.tree, record), true);
        if (check.ok) return;
        const where = conflictingPaths(check.output);
        throw new WineTreeError(
          `${o.tree} changed since ds-kit applied ${record.series}: ${where.length ? where.join(', ') : 'see below'} no longer match\n  git apply -R --check said:\n${check.output
            .split('\n')
            .map((l) => `    ${l}`)
            .join('\n')}`,
          'undo your own edits to those files (the applied patches are in .ds-kit/patches), then run ds-kit patch --revert again. The tree was not changed',
        );
      },
    },
    {
      title: 'restore the tree from .ds-kit/backup (series out, configure back)',
      enabled: () => !o.dryRun,
      skip: (ctx) => (ctx.outcome === 'reverted' || ctx.outcome === 'not-patched' ? 'nothing left to do' : false),
      task: (ctx, task) => {
        const record = ctx.record as AppliedRecord;
        requireWritable(
          o.tree,
          [STATE_DIR, ...record.modified, ...record.created, ...REGENERATED],
          'ds-kit patch --revert',
        );
        rollBack(o, record, ctx);
        ctx.record = undefined;
        ctx.outcome = 'reverted';
        task.title = say(ctx, `reverted ${record.series} from ${o.tree}`);
      },
    },
  ];
}
