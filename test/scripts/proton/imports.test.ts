// SPDX-License-Identifier: MIT
// install's import check: the module's imports against the DLLs of the Proton's Wine, read with our
// own PE reader (scripts/proton/pe.ts), tested on mingw-built DLLs and Debian's Wine 8.0 DLLs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkImports } from '../../../scripts/proton/imports.ts';
import { PeError, readExports, readImports } from '../../../scripts/proton/pe.ts';
import { readManifest } from '../../../scripts/proton/manifest.ts';
import { dsKit, tempDir } from '../helpers.ts';
import { dllExporting, stubModule } from './module-stub.ts';
import { fakeProton, wineLibDirOf } from './proton-tree.ts';

const WINE_DLLS = '/usr/lib/x86_64-linux-gnu/wine/x86_64-windows';

test('imports and exports of real DLLs', () => {
  const kernel32 = readImports(join(WINE_DLLS, 'kernel32.dll'));
  assert.ok(
    kernel32.byDll.get('kernelbase.dll')?.includes('CreateFileW'),
    'Wine 8.0 kernel32 forwards CreateFileW to kernelbase',
  );
  assert.ok(
    readExports(join(WINE_DLLS, 'ntdll.dll')).has('__wine_unix_call'),
    'Wine 8.0 ntdll exports __wine_unix_call',
  );
  const stub = readImports(join(stubModule(), 'dstorage.dll'));
  assert.ok(stub.byDll.has('kernel32.dll'), [...stub.byDll.keys()].join(', '));
  assert.deepEqual([...readExports(join(stubModule(), 'dstorage.dll'))], ['DStorageGetFactory']);
});

test("every import of the stub module exists in Debian's Wine 8.0", () => {
  const r = checkImports(join(stubModule(), 'dstorage.dll'), WINE_DLLS);
  assert.deepEqual(r.missing, []);
  assert.ok(r.checked.includes('kernel32.dll'));
});

test('a Wine whose kernel32 lacks what the module imports is refused, and --force overrides', async () => {
  const root = fakeProton(join(tempDir('proton'), 'P'), 'lib', 'wine-10.0 (Proton)');
  dllExporting(join(root, wineLibDirOf('lib'), 'x86_64-windows/kernel32.dll'), ['GetTickCount']);
  const module = stubModule();
  const check = checkImports(join(module, 'dstorage.dll'), join(root, wineLibDirOf('lib'), 'x86_64-windows'));
  assert.ok(
    check.missing.length > 0 && check.missing.every((m) => m.startsWith('kernel32.dll!')),
    check.missing.join(', '),
  );
  const r = await dsKit(['install', '--proton', root, '--module-dir', module]);
  assert.equal(r.exitCode, 2);
  assert.match(
    r.stderr,
    /the Wine of .* \(Wine 10\.0\) does not export kernel32\.dll!\w+.*which this build of dstorage\.dll imports: it was built for another Wine/,
  );
  assert.equal(readManifest(root), undefined);
  const forced = await dsKit(['install', '--proton', root, '--module-dir', module, '--force']);
  assert.equal(forced.exitCode, 0, forced.stderr);
  assert.match(forced.stderr, /warning \(--force\): the Wine of/);
  const status = await dsKit(['status', '--proton', root, '--steam-root', join(root, 'none')]);
  assert.match(
    status.stdout,
    /ds-kit: installed, .*files match the manifest\n {10}this Wine does not export kernel32\.dll!\w+/,
    status.stdout,
  );
});

test('a module that is not a PE file, and broken PE files, fail with a clear error', async () => {
  const module = stubModule();
  writeFileSync(join(module, 'dstorage.dll'), 'not a DLL');
  const root = fakeProton(join(tempDir('proton'), 'P'), 'lib', 'wine-10.0');
  const r = await dsKit(['install', '--proton', root, '--module-dir', module]);
  assert.equal(r.exitCode, 2);
  assert.match(
    r.stderr,
    /dstorage\.dll is not a readable PE file \(no MZ header\); rebuild the module with 'npm run build-proton'/,
  );

  const good = readFileSync(join(stubModule(), 'dstorage.dll'));
  const peOffset = good.readUInt32LE(0x3c);
  const cases: [string, (b: Buffer) => void, RegExp][] = [
    ['truncated', (b) => b.fill(0, 0x100), /./],
    ['PE offset past the end', (b) => b.writeUInt32LE(0x7fffffff, 0x3c), /offset \d+ is outside the file/],
    ['no PE signature', (b) => b.write('XX', peOffset), /no PE signature/],
    ['unknown magic', (b) => b.writeUInt16LE(0x1234, peOffset + 24), /unknown optional header magic 0x1234/],
  ];
  for (const [what, damage, message] of cases) {
    const b = Buffer.from(good);
    damage(b);
    const file = join(tempDir('pe'), 'x.dll');
    writeFileSync(file, what === 'truncated' ? b.subarray(0, 0x100) : b);
    assert.throws(
      () => {
        readImports(file);
        readExports(file);
      },
      (e: unknown) => e instanceof PeError && message.test(e.message),
      what,
    );
  }
});
