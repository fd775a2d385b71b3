// SPDX-License-Identifier: MIT
// `ds-kit install | uninstall | status`: which Protons to act on (--proton DIR, or --steam with a
// prompt or --all), the Wine-version and import gates, and what is printed. The work itself is
// install.ts and compat-tool.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { describe, UsageError } from '../lib/errors.ts';
import { repoRoot } from '../lib/paths.ts';
import { defaultToolName, makeCompatTool, removeCompatTool, TOOL_MARKER } from './compat-tool.ts';
import {
  checkInstall,
  installInto,
  moduleFiles,
  uninstallFrom,
  type InstallCheck,
  type ModuleFiles,
} from './install.ts';
import { checkImports } from './imports.ts';
import { protonHelp, protonText } from './messages.ts';
import { PeError } from './pe.ts';
import { askWhich, canAsk } from './pick.ts';
import { openProton, peDir, type ProtonDir } from './proton-dir.ts';
import { defaultSteamRoots, scanSteam, type SteamScan } from './steam.ts';
import { supportOf } from './wine-support.ts';
import { readWineVersion, versionLabel, type WineVersion } from './wine-version.ts';

type Options = NonNullable<ParseArgsConfig['options']>;
type Flags = Record<string, unknown>;

export interface ProtonCommand {
  options: Options;
  run: (flags: Flags) => Promise<number>;
}

export const defaultModuleDir = join(repoRoot, 'build', 'wine-module');

const HELP: Options = { help: { type: 'boolean', short: 'h' } };
const WHERE: Options = { proton: { type: 'string', multiple: true }, 'steam-root': { type: 'string', multiple: true } };
const PICK: Options = { steam: { type: 'boolean' }, all: { type: 'boolean' }, force: { type: 'boolean' } };

const print = (s: string): void => {
  process.stdout.write(`${s}\n`);
};
const warn = (s: string): void => {
  process.stderr.write(`${s}\n`);
};
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

function scan(flags: Flags): { scan: SteamScan; looked: string[] } {
  const roots = list(flags['steam-root']);
  const looked = roots.length ? roots : defaultSteamRoots();
  const s = scanSteam({ roots: looked });
  for (const note of s.notes) warn(`note: ${note}`);
  return { scan: s, looked };
}

/** checkInstall, with an unreadable manifest reported as a problem of this Proton instead of thrown. */
function safeCheck(p: ProtonDir): InstallCheck {
  try {
    return checkInstall(p);
  } catch (error) {
    return { state: 'changed', problems: [describe(error)] };
  }
}

function summary(p: ProtonDir, wine: WineVersion | undefined, check: InstallCheck): string {
  return `${p.displayName}: Wine ${versionLabel(wine)} (${supportOf(wine)}), ds-kit ${check.state} (${p.root})`;
}

/** The Protons named with --proton, or those of the Steam libraries (asked, or --all). */
async function targets(
  flags: Flags,
  command: string,
  verb: string,
  keep: (p: ProtonDir) => boolean,
): Promise<ProtonDir[]> {
  const named = list(flags.proton);
  if (named.length) return named.map(openProton);
  if (!flags.steam) throw new UsageError(protonText.needTarget(command));
  const { scan: s, looked } = scan(flags);
  if (s.roots.length === 0) throw new UsageError(protonText.noSteam(looked));
  if (s.protons.length === 0) throw new UsageError(protonText.noProtons(s.libraries));
  const candidates = s.protons.filter(keep);
  if (candidates.length === 0) return [];
  if (flags.all) return candidates;
  if (!canAsk()) throw new UsageError(protonText.pickNeedsTty(candidates.length, verb));
  const lines = candidates.map((p) => summary(p, readWineVersion(p), safeCheck(p)));
  return (await askWhich(lines, verb[0].toUpperCase() + verb.slice(1))).map((i) => candidates[i]);
}

/** Runs `act` on each Proton; one failing does not stop the others. Exit code as cli.ts uses them. */
function forEach(protons: ProtonDir[], act: (p: ProtonDir) => void): { ok: number; code: number } {
  const failures: { p: ProtonDir; error: unknown }[] = [];
  for (const p of protons) {
    try {
      act(p);
    } catch (error) {
      failures.push({ p, error });
    }
  }
  if (failures.length) {
    warn(`\n${protonText.failures(failures.length)}`);
    for (const f of failures)
      warn(`  ${f.p.displayName} (${f.p.root}):\n    ${describe(f.error).split('\n').join('\n    ')}`);
  }
  const code = failures.length === 0 ? 0 : failures.every((f) => f.error instanceof UsageError) ? 2 : 1;
  return { ok: protons.length - failures.length, code };
}

/** Refuses a Wine the module does not support (unless --force); warns for an untested one. */
function gate(p: ProtonDir, wine: WineVersion | undefined, force: boolean): void {
  const support = supportOf(wine);
  if (support === 'untested') warn(protonText.wineUntested(versionLabel(wine)));
  if (support === 'unsupported' || support === 'unknown') {
    const why = wine ? protonText.wineUnsupported(p.root, versionLabel(wine)) : protonText.wineUnknown(p.root);
    if (!force) throw new UsageError(why);
    warn(protonText.forced(why));
  }
}

/** Refuses a Proton whose Wine lacks a function the module imports (unless --force). */
function importGate(p: ProtonDir, wine: WineVersion | undefined, module: ModuleFiles, force: boolean): void {
  let check;
  try {
    check = checkImports(module.dll, peDir(p));
  } catch (error) {
    if (error instanceof PeError) throw new UsageError(protonText.moduleNotPe(error.message));
    throw error;
  }
  if (check.missing.length === 0) return;
  const why = protonText.importsMissing(p.root, `Wine ${versionLabel(wine)}`, check.missing);
  if (!force) throw new UsageError(why);
  warn(protonText.forced(why));
}

/** The compatibilitytools.d of the first --steam-root, else of the first Steam root found. */
function toolsDir(flags: Flags): string {
  const { scan: s, looked } = scan(flags);
  const root = list(flags['steam-root'])[0] ?? s.roots[0];
  if (!root) throw new UsageError(protonText.noSteam(looked));
  return join(root, 'compatibilitytools.d');
}

function compatTool(flags: Flags, module: ModuleFiles, givenName: string | undefined): number {
  if (typeof flags.from !== 'string') throw new UsageError(protonText.toolNeedsFrom);
  const source = openProton(flags.from);
  const wine = readWineVersion(source);
  gate(source, wine, Boolean(flags.force));
  importGate(source, wine, module, Boolean(flags.force));
  const name = givenName ?? defaultToolName(source);
  const tool = makeCompatTool(source, toolsDir(flags), name, module, wine);
  print(protonText.toolMade(name, tool.dir, source.root, tool.linked, tool.copied));
  return 0;
}

const moduleOf = (flags: Flags): ModuleFiles =>
  moduleFiles(typeof flags['module-dir'] === 'string' ? flags['module-dir'] : defaultModuleDir);

/** `ds-kit proton-tool --from DIR [--name NAME]`, or `--remove NAME`. */
async function protonTool(flags: Flags): Promise<number> {
  if (typeof flags.remove === 'string') {
    const dir = toolsDir(flags);
    const removed = removeCompatTool(dir, flags.remove);
    print(removed ? protonText.toolRemoved(removed) : protonText.toolNotFound(join(dir, flags.remove)));
    return 0;
  }
  if (typeof flags.from !== 'string') throw new UsageError(protonText.toolNeedsFrom);
  return compatTool(flags, moduleOf(flags), typeof flags.name === 'string' ? flags.name : undefined);
}

async function install(flags: Flags): Promise<number> {
  if (flags['compat-tool'] !== undefined) return compatTool(flags, moduleOf(flags), String(flags['compat-tool']));
  // What to install into is checked before whether the module is built: a bare 'ds-kit install' is a
  // usage question whatever state the build folder is in.
  if (!list(flags.proton).length && !flags.steam) throw new UsageError(protonText.needTarget('install'));
  const module = moduleOf(flags);
  const chosen = await targets(flags, 'install', 'install into', () => true);
  if (chosen.length === 0) {
    print(protonText.pickedNone);
    return 0;
  }
  const force = Boolean(flags.force);
  const { ok, code } = forEach(chosen, (p) => {
    const wine = readWineVersion(p);
    gate(p, wine, force);
    importGate(p, wine, module, force);
    const r = installInto(p, module, wine, { force });
    print(protonText.installed(p.displayName, p.root, versionLabel(wine), r.updated));
    for (const f of r.files) print(`  ${f.path}${f.backup ? ` (the file that was there is kept in ${f.backup})` : ''}`);
  });
  if (ok > 0) print(protonText.launchOption(ok));
  return code;
}

async function uninstall(flags: Flags): Promise<number> {
  if (flags['compat-tool'] !== undefined) {
    const dir = toolsDir(flags);
    const removed = removeCompatTool(dir, String(flags['compat-tool']));
    print(removed ? protonText.toolRemoved(removed) : protonText.toolNotFound(join(dir, String(flags['compat-tool']))));
    return 0;
  }
  // A compatibility tool ds-kit made is removed whole with --compat-tool, not emptied by --steam.
  const chosen = await targets(
    flags,
    'uninstall',
    'uninstall from',
    (p) => !existsSync(join(p.root, TOOL_MARKER)) && safeCheck(p).state !== 'not installed',
  );
  if (chosen.length === 0) {
    print(flags.steam ? protonText.noneInstalled : protonText.pickedNone);
    return 0;
  }
  let removedAny = false;
  const { code } = forEach(chosen, (p) => {
    const r = uninstallFrom(p, { force: Boolean(flags.force) });
    if (!r) {
      print(protonText.notInstalled(p.displayName, p.root));
      return;
    }
    print(protonText.uninstalled(p.displayName, p.root));
    for (const f of r.restored) print(protonText.restored(f));
    for (const f of r.missing) print(protonText.alreadyGone(f));
    removedAny = true;
  });
  if (removedAny) print(protonText.removeLaunchOption);
  return code;
}

/** After a Proton update the installed module may no longer fit its Wine: status says so. */
function installedImportProblems(p: ProtonDir, check: InstallCheck): string[] {
  const dll = check.manifest?.files.find((f) => f.path.endsWith('.dll'));
  if (!dll || check.state !== 'installed') return [];
  try {
    const missing = checkImports(join(p.root, dll.path), peDir(p)).missing;
    return missing.length ? [protonText.installedImportsMissing(missing)] : [];
  } catch (error) {
    return [(error as Error).message];
  }
}

async function status(flags: Flags): Promise<number> {
  const { scan: s, looked } = scan(flags);
  const named = list(flags.proton).map(openProton);
  const seen = new Set<string>();
  const all = [...named, ...s.protons].filter((p) => !seen.has(p.root) && Boolean(seen.add(p.root)));
  print(
    s.roots.length
      ? `Steam: ${s.roots.join(', ')}\nLibraries: ${s.libraries.join(', ')}`
      : `Steam: none found (looked in ${looked.join(', ')})`,
  );
  if (all.length === 0) {
    print('No Proton found.');
    return 0;
  }
  for (const p of all) {
    const wine = readWineVersion(p);
    const check = safeCheck(p);
    print(`\n${p.displayName}  ${p.root}`);
    print(`  build:  ${p.build ?? 'unknown (no version file)'}; layout ${p.layout.wineLibDir} (${p.layout.describes})`);
    print(
      `  Wine:   ${wine ? `${versionLabel(wine)}, ${supportOf(wine)} (read from ${wine.source}: ${wine.text})` : 'unknown'}`,
    );
    const when = check.manifest ? `, ${check.manifest.installedAt}` : '';
    const match = check.state === 'installed' ? ', files match the manifest' : '';
    print(`  ds-kit: ${check.state}${when}${match}`);
    for (const problem of check.problems) print(`          ${problem}`);
    for (const problem of installedImportProblems(p, check)) print(`          ${problem}`);
  }
  return 0;
}

export const protonCommands: Record<string, ProtonCommand> = {
  install: {
    options: {
      ...HELP,
      ...WHERE,
      ...PICK,
      'module-dir': { type: 'string' },
      'compat-tool': { type: 'string' },
      from: { type: 'string' },
    },
    run: install,
  },
  uninstall: { options: { ...HELP, ...WHERE, ...PICK, 'compat-tool': { type: 'string' } }, run: uninstall },
  status: { options: { ...HELP, ...WHERE }, run: status },
  'proton-tool': {
    options: {
      ...HELP,
      from: { type: 'string' },
      name: { type: 'string' },
      remove: { type: 'string' },
      'steam-root': { type: 'string', multiple: true },
      'module-dir': { type: 'string' },
      force: { type: 'boolean' },
    },
    run: protonTool,
  },
};

export { protonHelp };
