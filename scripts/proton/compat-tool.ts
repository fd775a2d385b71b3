// SPDX-License-Identifier: MIT
// A Steam compatibility tool that is a chosen Proton with the module installed and the override set
// by default: <steam root>/compatibilitytools.d/NAME/ holds a copy of the Proton (hard links where the
// filesystem allows, so it costs almost no space; the original is never written), its own
// compatibilitytool.vdf naming NAME, the Proton's toolmanifest.vdf, and a user_settings.py that
// Proton's script reads to default WINEDLLOVERRIDES. The user picks NAME in the game's
// Properties → Compatibility and needs no launch option.
import {
  copyFileSync,
  constants,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../lib/errors.ts';
import { installInto, type ModuleFiles } from './install.ts';
import { readManifest, STATE_DIR } from './manifest.ts';
import { LAUNCH_OPTION, protonText } from './messages.ts';
import { inspectProton, type ProtonDir } from './proton-dir.ts';
import { formatVdf } from './vdf.ts';
import type { WineVersion } from './wine-version.ts';

/** Marks a folder of compatibilitytools.d as made by ds-kit (so it may be replaced or removed). */
export const TOOL_MARKER = join(STATE_DIR, 'compat-tool.json');
/** The override the tool sets, the one of the launch option. */
export const TOOL_OVERRIDE = /WINEDLLOVERRIDES="([^"]+)"/.exec(LAUNCH_OPTION)![1];

const VALID_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;
/** Left out of the copy: ds-kit's own state, and the lock file Proton's script opens for writing. */
const SKIP_TOP = new Set([STATE_DIR, 'dist.lock']);

/** The folder name a tool gets without --name: the source's folder name made valid, plus "-dstorage". */
export function defaultToolName(source: ProtonDir): string {
  const base = basename(source.root)
    .replace(/[^A-Za-z0-9._+-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+|-+$/g, '')
    .slice(0, 54);
  return `${base || 'Proton'}-dstorage`;
}

export interface CompatTool {
  dir: string;
  proton: ProtonDir;
  linked: number;
  copied: number;
}

/**
 * The target for the copy of the symlink `src`, which stood at `standsFor` in the source Proton (a
 * backup stands for the file it was moved from): the same text, except that a relative target leading
 * out of the source Proton (which would point elsewhere from the copy's folder) becomes the absolute
 * path it resolves to there.
 */
function linkTargetFor(src: string, sourceRoot: string, standsFor: string): string {
  const target = readlinkSync(src);
  if (isAbsolute(target)) return target;
  const resolved = resolve(dirname(standsFor), target);
  const inside = relative(sourceRoot, resolved);
  return inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside) ? resolved : target;
}

/** One file: hard-linked, else copied (reflinked where the filesystem can); a symlink is recreated. */
function copyEntry(
  src: string,
  dst: string,
  counts: { linked: number; copied: number },
  sourceRoot: string,
  standsFor = src,
): void {
  const st = lstatSync(src);
  if (st.isSymbolicLink()) {
    symlinkSync(linkTargetFor(src, sourceRoot, standsFor), dst);
    return;
  }
  if (!st.isFile()) return;
  try {
    linkSync(src, dst);
    counts.linked++;
  } catch {
    copyFileSync(src, dst, constants.COPYFILE_FICLONE);
    counts.copied++;
  }
}

/** Copies a tree: directories made anew with their modes, every other entry through copyEntry. */
function copyTree(
  from: string,
  to: string,
  skip: (rel: string) => boolean,
  counts: { linked: number; copied: number },
  rel = '',
  sourceRoot = from,
): void {
  mkdirSync(to, { mode: lstatSync(from).mode & 0o7777 });
  for (const name of readdirSync(from)) {
    const childRel = rel ? join(rel, name) : name;
    if (skip(childRel)) continue;
    if (lstatSync(join(from, name)).isDirectory())
      copyTree(join(from, name), join(to, name), skip, counts, childRel, sourceRoot);
    else copyEntry(join(from, name), join(to, name), counts, sourceRoot);
  }
}

/** Python read by Proton's script (`import user_settings`); keeps a user_settings.py the Proton had. */
function userSettings(hadOwn: boolean): string {
  return [
    '# Written by ds-kit: this compatibility tool loads the builtin dstorage.dll it carries.',
    '# Proton applies each entry only when the variable is not already set, so a WINEDLLOVERRIDES',
    `# launch option replaces this one: then add ${TOOL_OVERRIDE} to it.`,
    hadOwn ? 'from user_settings_before_ds_kit import user_settings as _before' : '_before = {}',
    'user_settings = dict(_before)',
    `_ours = ${JSON.stringify(TOOL_OVERRIDE)}`,
    "user_settings['WINEDLLOVERRIDES'] = _ours + (';' + _before['WINEDLLOVERRIDES'] if _before.get('WINEDLLOVERRIDES') else '')",
    '',
  ].join('\n');
}

const STANDARD_TOOLMANIFEST = {
  manifest: { version: '2', commandline: '/proton %verb%', require_tool_appid: '1628350', use_sessions: '1' },
};

export function makeCompatTool(
  source: ProtonDir,
  toolsDir: string,
  name: string,
  module: ModuleFiles,
  wine: WineVersion | undefined,
): CompatTool {
  if (!VALID_NAME.test(name)) throw new UsageError(protonText.badToolName(name));
  const dir = join(toolsDir, name);
  if (existsSync(dir) && !existsSync(join(dir, TOOL_MARKER))) throw new UsageError(protonText.toolExists(dir));
  if (dir === source.root) throw new UsageError(protonText.toolIsSource(dir));

  // A source that has ds-kit installed is copied as it was before: its installed files are left
  // out and its backups put back in their place.
  const installed = readManifest(source.root);
  const skipped = new Set(installed?.files.map((f) => f.path) ?? []);
  mkdirSync(toolsDir, { recursive: true });
  const tmp = join(toolsDir, `.${name}.ds-kit-tmp`);
  rmSync(tmp, { recursive: true, force: true });
  const counts = { linked: 0, copied: 0 };
  copyTree(source.root, tmp, (rel) => SKIP_TOP.has(rel) || skipped.has(rel), counts);
  for (const f of installed?.files ?? []) {
    if (f.backup)
      copyEntry(join(source.root, f.backup), join(tmp, f.path), counts, source.root, join(source.root, f.path));
  }

  const hadOwn = existsSync(join(tmp, 'user_settings.py'));
  if (hadOwn) renameSync(join(tmp, 'user_settings.py'), join(tmp, 'user_settings_before_ds_kit.py'));
  writeFileSync(join(tmp, 'user_settings.py'), userSettings(hadOwn));
  rmSync(join(tmp, 'compatibilitytool.vdf'), { force: true });
  writeFileSync(
    join(tmp, 'compatibilitytool.vdf'),
    formatVdf({
      compatibilitytools: {
        compat_tools: {
          [name]: {
            install_path: '.',
            display_name: name,
            from_oslist: 'windows',
            to_oslist: 'linux',
          },
        },
      },
    }),
  );
  if (!existsSync(join(tmp, 'toolmanifest.vdf')))
    writeFileSync(join(tmp, 'toolmanifest.vdf'), formatVdf(STANDARD_TOOLMANIFEST));

  const copy = inspectProton(tmp);
  if (!copy) throw new Error(`the copy of ${source.root} in ${tmp} has no Wine; remove ${tmp} and try again`);
  installInto(copy, module, wine);
  writeFileSync(
    join(tmp, TOOL_MARKER),
    `${JSON.stringify({ name, from: source.root, createdAt: new Date().toISOString() }, null, 2)}\n`,
  );
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { dir, proton: inspectProton(dir)!, ...counts };
}

/** Deletes a compatibility tool ds-kit made; anything else in compatibilitytools.d is refused. */
export function removeCompatTool(toolsDir: string, name: string): string | undefined {
  if (!VALID_NAME.test(name)) throw new UsageError(protonText.badToolName(name));
  const dir = join(toolsDir, name);
  if (!existsSync(dir)) return undefined;
  if (!existsSync(join(dir, TOOL_MARKER))) throw new UsageError(protonText.toolNotOurs(dir));
  rmSync(dir, { recursive: true });
  return dir;
}
