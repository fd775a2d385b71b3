// SPDX-License-Identifier: MIT
// Every user-facing string of `ds-kit install | uninstall | status`.
import { SUPPORTED_MAJORS, TESTED } from './wine-support.ts';

/** What the user sets per game: builtin first for the DLLs games ship next to their exe. */
export const LAUNCH_OPTION = 'WINEDLLOVERRIDES="dstorage,dstoragecore=b" %command%';

export const protonText = {
  noSuchDir: (dir: string): string =>
    `${dir} does not exist or is not a directory. Pass the folder that holds Proton's 'proton' script and 'files/'.`,
  notProton: (dir: string, expected: string[]): string =>
    `${dir} is not a Proton directory ds-kit knows: it has neither ${expected.join(' nor ')} with Wine's ntdll in it.\n` +
    `Pass the folder that holds 'proton' and 'files/' (e.g. ~/.steam/root/steamapps/common/Proton 9.0), or use --steam to list the ones Steam has.`,
  moduleMissing: (files: string[]): string =>
    `the module is not built: ${files.join(' and ')} missing. Run 'npm run build-proton' first (or pass --module-dir DIR).`,
  notWritable: (dir: string, root: string): string =>
    `cannot write into ${dir}. If this Proton belongs to root (a distribution package), run the same command with sudo; ` +
    `otherwise check the permissions of ${root}.`,
  changedSinceInstall: (file: string, verb: string): string =>
    `${file} is not the file ds-kit installed (its checksum changed; a Proton update may have replaced it). ` +
    `ds-kit leaves it alone; run '${verb}' again with --force to ${verb === 'install' ? 'overwrite' : 'remove'} it anyway.`,
  backupMissing: (backup: string, file: string): string =>
    `the backup ${backup} of ${file} is gone, so uninstall cannot restore it. Restore that file yourself (Steam: Properties → ` +
    `Installed Files → Verify integrity of the Proton tool), then delete the .ds-kit folder beside it.`,
  interruptedInstall: (backup: string, file: string): string =>
    `${backup} exists but no manifest lists it: an earlier install was interrupted. That backup is the original ${file}; ` +
    'move it back over the file, delete the .ds-kit folder beside it, then install again.',
  badManifest: (file: string, why: string): string =>
    `${file} cannot be read (${why}). Move it away if ds-kit did not write it; otherwise restore the Proton with Steam's "Verify integrity".`,
  newerManifest: (file: string, format: number): string =>
    `${file} was written by a newer ds-kit (manifest format ${format}); use that ds-kit to change this Proton.`,
  fileMissing: (file: string): string => `${file} is missing`,
  fileChanged: (file: string): string => `${file} differs from what ds-kit installed`,
  wineUnknown: (root: string): string =>
    `cannot tell which Wine ${root} carries (no "wine-X.Y" build string in its ntdll, no Proton build name in 'version'). ` +
    `Pass --force to install anyway.`,
  wineUnsupported: (root: string, version: string): string =>
    `${root} carries Wine ${version}; the module runs on Wine ${SUPPORTED_MAJORS.min}.x to ${SUPPORTED_MAJORS.max}.x ` +
    `(tested: ${TESTED.join(', ')}). Pass --force to install anyway.`,
  wineUntested: (version: string): string =>
    `warning: Wine ${version} is not one the module is tested with (${TESTED.join(', ')}); if a game misbehaves, ` +
    `'ds-kit uninstall' puts this Proton back as it was.`,
  importsMissing: (root: string, wine: string, missing: string[]): string =>
    `the Wine of ${root} (${wine}) does not export ${missing.slice(0, 4).join(', ')}` +
    `${missing.length > 4 ? ` and ${missing.length - 4} more` : ''}, which this build of dstorage.dll imports: it was built for ` +
    `another Wine and would abort at its first call there. Use a module built for this Wine version. Pass --force to install anyway.`,
  installedImportsMissing: (missing: string[]): string =>
    `this Wine does not export ${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ` and ${missing.length - 4} more` : ''}, ` +
    `which the installed dstorage.dll imports (was the Proton updated?): install a module built for this Wine, or uninstall.`,
  moduleNotPe: (why: string): string =>
    `${why}; rebuild the module with 'npm run build-proton' (or pass another --module-dir).`,
  forced: (why: string): string => `warning (--force): ${why.replace(/ Pass --force to install anyway\.$/, '')}`,
  installed: (name: string, root: string, wine: string, updated: boolean): string =>
    `${updated ? 'updated' : 'installed'} dstorage.dll + dstorage.so in ${name} (${root}), Wine ${wine}`,
  uninstalled: (name: string, root: string): string =>
    `removed ds-kit from ${name} (${root}); the directory is as it was before`,
  removeLaunchOption:
    '\nNow take dstorage,dstoragecore=b out of the launch options of the games that have it: with "=b" and no module, ' +
    "Wine refuses the game's own dstorage.dll and the game does not start.",
  notInstalled: (name: string, root: string): string => `ds-kit is not installed in ${name} (${root}); nothing to do`,
  restored: (file: string): string => `  restored ${file}`,
  alreadyGone: (file: string): string => `  ${file} was already gone`,
  launchOption: (count: number): string =>
    [
      '',
      `One thing left, for each game that should use it${count > 1 ? ` (with any of these ${count} Protons)` : ''}:`,
      "in Steam, the game's Properties → General → Launch Options, set",
      '',
      `    ${LAUNCH_OPTION}`,
      '',
      'Games ship Microsoft\'s dstorage.dll next to the exe; "=b" makes Wine load the one ds-kit installed instead.',
      'To check it: put PROTON_LOG=1 DS_KIT_STATS=1 in front; ~/steam-<appid>.log then has a line',
      '"Loaded L"...dstorage.dll" at ...: builtin" (Proton\'s logging includes +loaddll) and "ds-kit stats: ..." summaries.',
    ].join('\n'),
  noSteam: (roots: string[]): string =>
    `no Steam installation found (looked in ${roots.join(', ')}). Pass --steam-root DIR, or --proton DIR for one Proton.`,
  noProtons: (libraries: string[]): string =>
    `no Proton found in the Steam libraries ${libraries.join(', ')} (steamapps/common/Proton*, compatibilitytools.d/*). ` +
    'Install a Proton in Steam first, or pass --proton DIR.',
  noneInstalled: 'ds-kit is not installed in any Proton of these Steam libraries; nothing to do.',
  pickNeedsTty: (count: number, verb: string): string =>
    `${count} Protons found and no terminal to ask which: pass --all to ${verb} every one, or --proton DIR for one.`,
  pickPrompt: (verb: string): string => `${verb} which? (numbers, e.g. "1 3"; "a" for all; Enter for none): `,
  pickBad: (answer: string, count: number): string =>
    `"${answer}" is not a list of numbers from 1 to ${count}, nor "a".`,
  pickedNone: 'nothing chosen; nothing changed.',
  needTarget: (cmd: string): string =>
    `'ds-kit ${cmd}' needs --proton DIR or --steam. Run 'ds-kit ${cmd} --help' for the options.`,
  badToolName: (name: string): string =>
    `"${name}" cannot name a compatibility tool folder: use letters, digits and . _ + - (e.g. GE-Proton10-4-dstorage).`,
  toolExists: (dir: string): string =>
    `${dir} exists and ds-kit did not make it; choose another name with --name NAME (ds-kit replaces only tools it made).`,
  toolIsSource: (dir: string): string =>
    `--from and the tool's name give the same folder (${dir}); choose another --name NAME.`,
  toolNotOurs: (dir: string): string =>
    `${dir} was not made by ds-kit, so ds-kit leaves it alone; delete it yourself if you mean to.`,
  toolNeedsFrom:
    "a compatibility tool needs --from PROTON_DIR: the Proton to copy (e.g. ds-kit proton-tool --from ~/.steam/root/steamapps/common/'Proton 9.0 (Beta)').",
  toolMade: (name: string, dir: string, from: string, linked: number, copied: number): string =>
    [
      `made the compatibility tool ${name} in ${dir}`,
      `  a copy of ${from} (${linked} files hard-linked, ${copied} copied) with dstorage.dll + dstorage.so installed`,
      `  and WINEDLLOVERRIDES defaulting to the launch option's value (its user_settings.py).`,
      '',
      `Restart Steam, then pick "${name}" in the game's Properties → Compatibility; no launch option is needed.`,
      `If the game has its own WINEDLLOVERRIDES launch option, add dstorage,dstoragecore=b to it.`,
    ].join('\n'),
  toolRemoved: (dir: string): string => `removed the compatibility tool ${dir}; restart Steam so it forgets it`,
  toolNotFound: (dir: string): string => `${dir} does not exist; nothing to do`,
  failures: (n: number): string => `${n} Proton${n === 1 ? '' : 's'} not changed:`,
};

export const protonHelp: Record<string, string> = {
  install: `Usage: ds-kit install (--proton DIR | --steam [--all]) [options]

Installs the built module (build/wine-module/dstorage.dll + dstorage.so, from 'npm run build-proton')
into a Proton or GE-Proton: files/lib/wine/x86_64-{windows,unix} (Proton 10 and later) or
files/lib64/wine/x86_64-{windows,unix} (Proton 9). Anything it replaces is moved to DIR/.ds-kit/backup,
and DIR/.ds-kit/manifest.json records what it wrote (SHA-256), so 'ds-kit uninstall' can put the
directory back as it was. It reads the Wine version from the Proton's ntdll: Wine ${SUPPORTED_MAJORS.min}.x-${SUPPORTED_MAJORS.max}.x
installs (a warning unless it is a tested one: ${TESTED.join(', ')}); any other, or one it cannot read, needs --force.

Afterwards each game needs the launch option   ${LAUNCH_OPTION}

Options:
  --proton DIR        the Proton folder (holds 'proton' and 'files/'); may be given more than once
  --steam             every Proton in the Steam libraries (steamapps/common/Proton*, compatibilitytools.d/*,
                      the libraries of steamapps/libraryfolders.vdf); asks which when run in a terminal
  --all               with --steam: all of them, without asking
  --steam-root DIR    where Steam is (default: ~/.steam/root, ~/.steam/steam, ~/.local/share/Steam,
                      the Flatpak's); may be given more than once
  --module-dir DIR    take dstorage.dll + dstorage.so from DIR (default: build/wine-module)
  --force             install into a Wine version outside ${SUPPORTED_MAJORS.min}-${SUPPORTED_MAJORS.max}, and overwrite a file ds-kit
                      installed that has changed since
  -h, --help          this help

A compatibility tool instead (no launch option needed, the original Proton untouched): see
'ds-kit proton-tool --help' ('install --compat-tool NAME --from DIR' is the same as
'proton-tool --from DIR --name NAME').

Examples:
  ds-kit install --steam
  ds-kit install --proton ~/.steam/root/compatibilitytools.d/GE-Proton10-4
  ds-kit proton-tool --from ~/.steam/root/steamapps/common/'Proton 9.0 (Beta)'`,

  uninstall: `Usage: ds-kit uninstall (--proton DIR | --steam [--all]) [options]

Removes what 'ds-kit install' wrote (only files whose checksum still matches the manifest), moves the
backed-up originals back and deletes DIR/.ds-kit: the directory is byte for byte as before the install.

Options:
  --proton DIR        the Proton folder; may be given more than once
  --steam             the Protons of the Steam libraries that have ds-kit installed (asks which in a terminal)
  --all               with --steam: all of them, without asking
  --steam-root DIR    where Steam is (default as for install)
  --force             also remove an installed file that changed since (a Proton update replaced it?)
  --compat-tool NAME  delete the compatibility tool NAME that ds-kit made (as 'proton-tool --remove NAME')
  -h, --help          this help

Examples:
  ds-kit uninstall --steam --all
  ds-kit uninstall --proton ~/.steam/root/compatibilitytools.d/GE-Proton10-4`,

  status: `Usage: ds-kit status [--proton DIR]... [--steam-root DIR]...

Lists every Proton of the Steam libraries (and each --proton DIR): its Wine version and whether the
module supports it, and whether ds-kit is installed there and its files still match the manifest.

Options:
  --proton DIR        also show this Proton folder; may be given more than once
  --steam-root DIR    where Steam is (default as for install)
  -h, --help          this help

Examples:
  ds-kit status
  ds-kit status --proton /opt/proton/GE-Proton10-4`,

  'proton-tool': `Usage: ds-kit proton-tool --from DIR [--name NAME] [options]
       ds-kit proton-tool --remove NAME

Makes a Steam compatibility tool: <Steam root>/compatibilitytools.d/NAME/, a copy of the Proton in DIR
(files hard-linked where the filesystem allows, so it takes almost no space; DIR itself is not
written) with the built module installed and WINEDLLOVERRIDES defaulting to dstorage,dstoragecore=b
(its user_settings.py), plus compatibilitytool.vdf and toolmanifest.vdf. After restarting Steam, pick
NAME in the game's Properties → Compatibility: no launch option is needed. The same Wine-version and
import checks as 'ds-kit install' apply.

Options:
  --from DIR          the Proton to copy (holds 'proton' and 'files/')
  --name NAME         the tool's folder and the name Steam shows (default: DIR's folder name + "-dstorage");
                      letters, digits and . _ + -
  --remove NAME       delete the tool NAME (only one ds-kit made)
  --steam-root DIR    the Steam root whose compatibilitytools.d gets the tool (default: the first found)
  --module-dir DIR    take dstorage.dll + dstorage.so from DIR (default: build/wine-module)
  --force             as for install: a Wine version outside ${SUPPORTED_MAJORS.min}-${SUPPORTED_MAJORS.max}, or one lacking an import
  -h, --help          this help

Examples:
  ds-kit proton-tool --from ~/.steam/root/steamapps/common/'Proton 9.0 (Beta)'
  ds-kit proton-tool --from ~/.steam/root/compatibilitytools.d/GE-Proton10-4 --name GE-Proton10-4-dstorage
  ds-kit proton-tool --remove GE-Proton10-4-dstorage`,
};
