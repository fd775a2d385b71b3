// SPDX-License-Identifier: MIT
// `ds-kit proton-tool --from DIR [--name NAME]` (also `install --compat-tool NAME --from DIR`): a Steam
// compatibility tool folder that is a copy of
// a Proton with the module installed and the override defaulted through Proton's user_settings.py.
// wine-proton.test.ts runs a program with such a tool's Wine and settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  mkdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
  symlinkSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { readManifest } from '../../../scripts/proton/manifest.ts';
import { scanSteam } from '../../../scripts/proton/steam.ts';
import { asObject, child, formatVdf, parseVdf } from '../../../scripts/proton/vdf.ts';
import { stubModule } from './module-stub.ts';
import { dsKit, tempDir } from '../helpers.ts';
import { differences, fakeProton, snapshot } from './proton-tree.ts';

const fakeModule = stubModule;

/** What Proton's script would read: the user_settings dict of the tool's user_settings.py. */
async function userSettingsOf(dir: string): Promise<Record<string, string>> {
  const r = await execa(
    'python3',
    ['-c', 'import json, user_settings; print(json.dumps(user_settings.user_settings))'],
    { cwd: dir, reject: false, all: true },
  );
  assert.equal(r.exitCode, 0, `user_settings.py of ${dir} does not import:\n${r.all}`);
  return JSON.parse(r.stdout) as Record<string, string>;
}

function steamRoot(): string {
  const root = join(tempDir('steamroot'), 'Steam');
  mkdirSync(join(root, 'steamapps'), { recursive: true });
  return root;
}

const TOOLMANIFEST = formatVdf({
  manifest: {
    version: '2',
    commandline: '/proton %verb%',
    require_tool_appid: '1628350',
    use_sessions: '1',
    compatmanager_layer_name: 'proton',
  },
});

test("a compatibility tool: its own vdf, the Proton's manifest, the module, the override, the original untouched", async () => {
  const root = steamRoot();
  const source = fakeProton(join(root, 'steamapps/common/Proton 9.0 (Beta)'), 'lib64', 'wine-9.0 (Proton 9.0-3)');
  writeFileSync(join(source, 'toolmanifest.vdf'), TOOLMANIFEST);
  writeFileSync(
    join(source, 'user_settings.py'),
    'user_settings = {"PROTON_LOG": "1", "WINEDLLOVERRIDES": "xaudio2_7=n"}\n',
  );
  writeFileSync(join(source, 'dist.lock'), '');
  const before = snapshot(source);

  const module = fakeModule();
  // No --name: the source's folder name, made a valid tool name.
  const r = await dsKit(['proton-tool', '--from', source, '--steam-root', root, '--module-dir', module]);
  assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  const tool = join(root, 'compatibilitytools.d/Proton-9.0-Beta-dstorage');
  assert.match(
    r.stdout,
    /made the compatibility tool Proton-9\.0-Beta-dstorage in .*\n {2}a copy of .*Proton 9\.0 \(Beta\) \(\d+ files hard-linked, \d+ copied\)/,
  );
  assert.match(r.stdout, /pick "Proton-9\.0-Beta-dstorage" in the game's Properties → Compatibility/);

  const vdf = parseVdf(readFileSync(join(tool, 'compatibilitytool.vdf'), 'utf8'));
  const entry = asObject(
    child(asObject(child(asObject(child(vdf, 'compatibilitytools')), 'compat_tools')), 'Proton-9.0-Beta-dstorage'),
  );
  assert.deepEqual(entry, {
    install_path: '.',
    display_name: 'Proton-9.0-Beta-dstorage',
    from_oslist: 'windows',
    to_oslist: 'linux',
  });
  assert.equal(readFileSync(join(tool, 'toolmanifest.vdf'), 'utf8'), TOOLMANIFEST);
  assert.equal(statSync(join(tool, 'proton')).ino, statSync(join(source, 'proton')).ino, 'same filesystem: hard links');
  assert.ok(!existsSync(join(tool, 'dist.lock')), 'the lock file Proton writes is not shared');
  assert.deepEqual(
    readFileSync(join(tool, 'files/lib64/wine/x86_64-windows/dstorage.dll')),
    readFileSync(join(module, 'dstorage.dll')),
  );
  assert.equal(readManifest(tool)?.files.length, 2);
  assert.deepEqual(await userSettingsOf(tool), {
    PROTON_LOG: '1',
    WINEDLLOVERRIDES: 'dstorage,dstoragecore=b;xaudio2_7=n',
  });
  assert.deepEqual(differences(before, snapshot(source)), [], 'the original Proton is not changed');

  const scan = scanSteam({ roots: [root], systemToolDirs: [] });
  assert.ok(
    scan.protons.some((p) => p.root === tool && p.displayName === 'Proton-9.0-Beta-dstorage'),
    'Steam scan lists the tool',
  );

  const again = await dsKit([
    'install',
    '--compat-tool',
    'Proton-9.0-Beta-dstorage',
    '--from',
    source,
    '--steam-root',
    root,
    '--module-dir',
    fakeModule(),
  ]);
  assert.equal(again.exitCode, 0, `making it again replaces it:\n${again.stderr}`);
  const removed = await dsKit(['proton-tool', '--remove', 'Proton-9.0-Beta-dstorage', '--steam-root', root]);
  assert.equal(removed.exitCode, 0, removed.stderr);
  assert.ok(!existsSync(tool));
  assert.match(
    (await dsKit(['uninstall', '--compat-tool', 'Proton-9.0-Beta-dstorage', '--steam-root', root])).stdout,
    /does not exist; nothing to do/,
  );
  assert.deepEqual(differences(before, snapshot(source)), []);
});

test('from a Proton that has ds-kit installed: the copy starts from the original files', async () => {
  const root = steamRoot();
  const source = fakeProton(join(root, 'compatibilitytools.d/GE-Proton10-4'), 'lib', 'wine-10.0 (Staging)');
  writeFileSync(join(source, 'files/lib/wine/x86_64-windows/dstorage.dll'), 'a dstorage.dll GE-Proton shipped');
  const module = fakeModule();
  assert.equal((await dsKit(['install', '--proton', source, '--module-dir', module])).exitCode, 0);
  const r = await dsKit([
    'install',
    '--compat-tool',
    'GE-dstorage',
    '--from',
    source,
    '--steam-root',
    root,
    '--module-dir',
    module,
  ]);
  assert.equal(r.exitCode, 0, r.stderr);
  const tool = join(root, 'compatibilitytools.d/GE-dstorage');
  const m = readManifest(tool)!;
  const dll = m.files.find((f) => f.path.endsWith('dstorage.dll'))!;
  assert.equal(
    readFileSync(join(tool, dll.backup!), 'utf8'),
    'a dstorage.dll GE-Proton shipped',
    'the backup in the tool is the original file',
  );
  assert.equal(m.files.find((f) => f.path.endsWith('dstorage.so'))!.backup, undefined);
  assert.deepEqual(await userSettingsOf(tool), { WINEDLLOVERRIDES: 'dstorage,dstoragecore=b' });
});

test('symlinks in the copy: one inside the Proton stays relative, one leading out of it points where it did', async () => {
  const root = steamRoot();
  const source = fakeProton(join(root, 'steamapps/common/Proton 9.0'), 'lib64', 'wine-9.0');
  const shared = join(root, 'shared-fonts');
  mkdirSync(shared);
  writeFileSync(join(shared, 'font.ttf'), 'a font outside the Proton');
  symlinkSync('../../../../../shared-fonts', join(source, 'files/share/fonts'));
  symlinkSync('../../lib64/wine/x86_64-windows/kernel32.dll', join(source, 'files/share/default_pfx/kernel32.dll'));
  const r = await dsKit([
    'proton-tool',
    '--from',
    source,
    '--name',
    'T',
    '--steam-root',
    root,
    '--module-dir',
    fakeModule(),
  ]);
  assert.equal(r.exitCode, 0, r.stderr);
  const tool = join(root, 'compatibilitytools.d/T');
  assert.equal(readlinkSync(join(tool, 'files/share/fonts')), realpathSync(shared));
  assert.equal(readFileSync(join(tool, 'files/share/fonts/font.ttf'), 'utf8'), 'a font outside the Proton');
  assert.equal(
    readlinkSync(join(tool, 'files/share/default_pfx/kernel32.dll')),
    '../../lib64/wine/x86_64-windows/kernel32.dll',
    "the tool's own kernel32.dll",
  );
});

test('compatibility tool errors: a folder it did not make, a bad name, no --from, an unsupported Wine', async () => {
  const root = steamRoot();
  const source = fakeProton(join(root, 'steamapps/common/Proton 9.0'), 'lib64', 'wine-9.0');
  mkdirSync(join(root, 'compatibilitytools.d/Mine'), { recursive: true });
  const where = ['--steam-root', root];
  const module = ['--module-dir', fakeModule()];
  const old = fakeProton(join(root, 'steamapps/common/Proton 7.0'), 'lib64', 'wine-7.0');
  const cases: [string[], RegExp][] = [
    [
      ['install', '--compat-tool', 'Mine', '--from', source, ...where, ...module],
      /compatibilitytools\.d\/Mine exists and ds-kit did not make it/,
    ],
    [
      ['install', '--compat-tool', '../x', '--from', source, ...where, ...module],
      /"\.\.\/x" cannot name a compatibility tool folder/,
    ],
    [['install', '--compat-tool', 'X', ...where, ...module], /a compatibility tool needs --from PROTON_DIR/],
    [['proton-tool', '--name', 'X', ...where, ...module], /a compatibility tool needs --from PROTON_DIR/],
    [
      ['proton-tool', '--from', source, '--name', 'Mine', ...where, ...module],
      /Mine exists and ds-kit did not make it; choose another name with --name NAME/,
    ],
    [['proton-tool', '--remove', 'Mine', ...where], /Mine was not made by ds-kit/],
    [['install', '--compat-tool', 'Old', '--from', old, ...where, ...module], /carries Wine 7\.0/],
    [['uninstall', '--compat-tool', 'Mine', ...where], /Mine was not made by ds-kit, so ds-kit leaves it alone/],
  ];
  for (const [args, message] of cases) {
    const r = await dsKit(args);
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
  assert.ok(!existsSync(join(root, 'compatibilitytools.d/Old')), 'nothing is made when refused');
  assert.ok(existsSync(join(root, 'compatibilitytools.d/Mine')));
});

test("uninstall --steam leaves ds-kit's compatibility tools to --compat-tool, and says to drop the launch option", async () => {
  const root = steamRoot();
  const source = fakeProton(join(root, 'steamapps/common/Proton 9.0'), 'lib64', 'wine-9.0');
  const module = fakeModule();
  assert.equal((await dsKit(['install', '--proton', source, '--module-dir', module])).exitCode, 0);
  assert.equal(
    (await dsKit(['install', '--compat-tool', 'Tool', '--from', source, '--steam-root', root, '--module-dir', module]))
      .exitCode,
    0,
  );
  const r = await dsKit(['uninstall', '--steam', '--all', '--steam-root', root]);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.stdout.match(/^removed ds-kit from /gm)?.length, 1, r.stdout);
  assert.match(r.stdout, /Now take dstorage,dstoragecore=b out of the launch options/);
  assert.equal(readManifest(join(root, 'compatibilitytools.d/Tool'))?.files.length, 2, 'the tool keeps its module');
});
