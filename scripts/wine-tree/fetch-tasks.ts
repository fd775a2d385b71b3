// SPDX-License-Identifier: MIT
// `ds-kit fetch-wine --debian bookworm|trixie`: Debian's wine source package (8.0 / 10.0) through a
// private apt configuration (own sources.list with a deb-src line, own state and cache directories
// under the cache; the machine's apt sources are not touched), unpacked with dpkg-source -x and prepared
// like debian/rules does, into <cache>/<suite>/tree. Every step is skipped when its result is cached.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ListrTask } from 'listr2';
import { runCommand } from '../lib/exec.ts';
import { paths, repoRoot } from '../lib/paths.ts';
import { missingListedSources, preparationCommands, writePlaceholders, type PrepareMode } from './debian-prepare.ts';
import { WineTreeError } from './messages.ts';
import { treeVersion } from './series.ts';
import { FETCH_FILES, FETCH_TOOLS, requireFiles, requireTools } from './tools.ts';

export const SUITES: Record<string, string> = { bookworm: '8.0', trixie: '10.0' };
export const defaultCacheDir = join(repoRoot, 'build', 'cache', 'wine-src');
export const MIRROR = 'http://deb.debian.org/debian';
const INDEX_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

export interface FetchOptions {
  suite: string;
  cacheDir?: string;
  prepare?: PrepareMode;
  /** Replace a cached tree prepared differently (it may hold the user's changes; refused without it). */
  force?: boolean;
  mirror?: string;
  logDir?: string;
  verbose?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface FetchCtx {
  /** The prepared tree: <cache>/<suite>/tree. */
  tree?: string;
  wineVersion?: string;
}

export interface SuiteLayout {
  root: string;
  sourcesList: string;
  state: string;
  cache: string;
  pkg: string;
  tree: string;
  stamp: string;
}

export function suiteLayout(cacheDir: string, suite: string): SuiteLayout {
  const root = join(resolve(cacheDir), suite);
  return {
    root,
    sourcesList: join(root, 'apt', 'sources.list'),
    state: join(root, 'apt', 'state'),
    cache: join(root, 'apt', 'cache'),
    pkg: join(root, 'pkg'),
    tree: join(root, 'tree'),
    stamp: join(root, 'prepared.json'),
  };
}

/** apt-get options that confine apt to the suite's own directories. */
export function aptOptions(l: SuiteLayout): string[] {
  return [
    '-o',
    `Dir::Etc::SourceList=${l.sourcesList}`,
    '-o',
    'Dir::Etc::SourceParts=/nonexistent',
    '-o',
    `Dir::State=${l.state}`,
    '-o',
    `Dir::State::status=${join(l.state, 'status')}`,
    '-o',
    `Dir::Cache=${l.cache}`,
    '-o',
    'APT::Get::List-Cleanup=0',
    '-o',
    'APT::Sandbox::User=root',
  ];
}

const dscOf = (l: SuiteLayout): string | undefined =>
  existsSync(l.pkg) ? readdirSync(l.pkg).find((f) => /^wine_.*\.dsc$/.test(f)) : undefined;

export function fetchWineTasks<Ctx extends FetchCtx>(options: FetchOptions): ListrTask<Ctx>[] {
  const suite = options.suite;
  const l = suiteLayout(options.cacheDir ?? defaultCacheDir, suite);
  const mode = options.prepare ?? 'module';
  const logDir = options.logDir ?? paths.logDir;
  const verbose = Boolean(options.verbose);
  const step = `fetch-wine-${suite}`;
  const run = (
    file: string,
    args: string[],
    cwd: string,
    title: string,
    report: (s: string) => void,
    append = true,
  ): Promise<void> => runCommand({ file, args, cwd }, { step, title, logDir, verbose, report, append });
  /** The stamp of the cached tree; a damaged one counts as none. */
  const readStamp = (): { mode: PrepareMode } | undefined => {
    try {
      return JSON.parse(readFileSync(l.stamp, 'utf8')) as { mode: PrepareMode };
    } catch {
      return undefined;
    }
  };
  const prepared = (): false | string => {
    const stamp = existsSync(join(l.tree, 'configure')) ? readStamp() : undefined;
    if (!stamp) return false;
    return stamp.mode === mode || stamp.mode === 'full' ? `cached: ${l.tree} (prepared, ${stamp.mode})` : false;
  };
  /**
   * A cached tree that is not what was asked for (prepared as `module` when `full` is wanted, or a tree
   * without its stamp) would be deleted and prepared again; it may hold the user's work (ds-kit patch,
   * their own edits), so that needs --force.
   */
  const refuseToReplace = (): void => {
    if (options.force || prepared() || !existsSync(l.tree)) return;
    const stamp = readStamp();
    const was = stamp
      ? `was prepared with --prepare ${stamp.mode}`
      : 'has no prepared.json (an interrupted fetch-wine?)';
    const patched = existsSync(join(l.tree, '.ds-kit')) ? ' and is patched by ds-kit (.ds-kit/)' : '';
    throw new WineTreeError(
      `${l.tree} ${was}${patched}; preparing it as "${mode}" would delete it, with any changes made to it in place`,
      `to delete it and prepare it again, add --force (ds-kit fetch-wine --debian ${suite} --prepare ${mode} --force); to keep it, prepare a second tree elsewhere with --cache DIR. Nothing was changed`,
    );
  };
  return [
    {
      title: `Debian ${suite}: wine source package`,
      task: (ctx, task) => {
        if (!SUITES[suite]) {
          throw new WineTreeError(
            `unknown Debian suite "${suite}"`,
            `use --debian ${Object.keys(SUITES).join(' or --debian ')} (Wine ${Object.values(SUITES).join(' / ')})`,
          );
        }
        requireTools(FETCH_TOOLS, options.env);
        if (!prepared()) requireFiles(FETCH_FILES);
        refuseToReplace();
        ctx.tree = l.tree;
        task.title = `Debian ${suite} (Wine ${SUITES[suite]}) into ${l.root}`;
      },
    },
    {
      title: `apt source index (deb-src ${suite}, private apt configuration)`,
      skip: () => prepared() || (dscOf(l) ? 'cached: source package already downloaded' : false),
      task: async (_ctx, task) => {
        mkdirSync(join(l.state, 'lists', 'partial'), { recursive: true });
        mkdirSync(join(l.cache, 'archives', 'partial'), { recursive: true });
        writeFileSync(
          l.sourcesList,
          `# written by ds-kit fetch-wine: used only through -o Dir::Etc::SourceList\ndeb-src ${options.mirror ?? MIRROR} ${suite} main\n`,
        );
        if (!existsSync(join(l.state, 'status'))) writeFileSync(join(l.state, 'status'), '');
        const lists = readdirSync(join(l.state, 'lists')).filter((f) => f.endsWith('_Sources'));
        if (lists.length && Date.now() - statSync(join(l.state, 'lists', lists[0])).mtimeMs < INDEX_MAX_AGE_MS) {
          task.skip('index is less than a week old');
          return;
        }
        await run(
          'apt-get',
          [...aptOptions(l), 'update'],
          l.root,
          `apt-get update (deb-src ${suite})`,
          (s) => {
            task.output = s;
          },
          false,
        );
      },
    },
    {
      title: 'download the wine source package',
      skip: () => prepared() || (dscOf(l) ? `cached: ${join(l.pkg, dscOf(l) as string)}` : false),
      task: async (_ctx, task) => {
        mkdirSync(l.pkg, { recursive: true });
        await run(
          'apt-get',
          [...aptOptions(l), 'source', '--download-only', 'wine'],
          l.pkg,
          `apt-get source --download-only wine (${suite})`,
          (s) => {
            task.output = s;
          },
        );
        if (!dscOf(l))
          throw new WineTreeError(
            `apt-get source left no wine_*.dsc in ${l.pkg}`,
            `check that ${options.mirror ?? MIRROR} serves ${suite}'s sources, then run fetch-wine again`,
          );
      },
    },
    {
      title: 'unpack and prepare (dpkg-source -x, debian/rules generators, autoreconf)',
      skip: prepared,
      task: async (ctx, task) => {
        const report = (s: string): void => {
          task.output = s;
        };
        const tmp = `${l.tree}.tmp`;
        rmSync(tmp, { recursive: true, force: true });
        rmSync(l.tree, { recursive: true, force: true });
        await run(
          'dpkg-source',
          ['--no-check', '-x', join(l.pkg, dscOf(l) as string), tmp],
          l.pkg,
          `dpkg-source -x (${suite})`,
          report,
        );
        const rules = readFileSync(join(tmp, 'debian', 'rules'), 'utf8');
        for (const command of preparationCommands(rules, mode)) {
          await run('sh', ['-ec', command], tmp, `${command} (${suite})`, report);
        }
        if (mode === 'module') writePlaceholders(tmp, missingListedSources(tmp));
        await run('autoreconf', ['-f'], tmp, `autoreconf -f (${suite})`, report);
        rmSync(join(tmp, 'autom4te.cache'), { recursive: true, force: true });
        renameSync(tmp, l.tree);
        const version = treeVersion(l.tree).text;
        writeFileSync(
          l.stamp,
          `${JSON.stringify({ suite, mode, version, dsc: dscOf(l), preparedAt: new Date().toISOString() }, null, 2)}\n`,
        );
        ctx.wineVersion = version;
      },
    },
    {
      title: 'tree ready',
      task: (ctx, task) => {
        ctx.wineVersion = treeVersion(l.tree).text;
        task.title = `${ctx.wineVersion}: ${l.tree}`;
      },
    },
  ];
}
