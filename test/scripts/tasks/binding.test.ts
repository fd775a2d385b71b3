// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  configureKey,
  dropStaleLink,
  needsConfigure,
  nodeGypArgs,
  resolveBindingBuild,
} from '../../../scripts/tasks/binding.ts';
import { paths } from '../../../scripts/lib/paths.ts';
import { dsKit, tempDir, writeFiles } from '../helpers.ts';

test('node-gyp comes from node_modules; configure and build are separate (never rebuild)', () => {
  const b = resolveBindingBuild({ jobs: '3' });
  assert.deepEqual(nodeGypArgs(b, 'configure', '/usr').slice(0, 4), [
    paths.nodeGyp,
    'configure',
    '--directory',
    paths.bindingDir,
  ]);
  const build = nodeGypArgs(b, 'build', '/usr');
  assert.deepEqual(build.slice(0, 4), [paths.nodeGyp, 'build', '--directory', paths.bindingDir]);
  assert.ok(build.includes('--jobs=3'));
  assert.ok(![...build, ...nodeGypArgs(b, 'configure', '/usr')].includes('rebuild'));
});

test('local Node headers are used when present, so no download is needed', () => {
  assert.ok(nodeGypArgs(resolveBindingBuild({}), 'configure', '/usr').includes('--nodedir=/usr'));
  assert.ok(!nodeGypArgs(resolveBindingBuild({}), 'configure', null).some((a) => a.startsWith('--nodedir')));
});

function fakeBinding() {
  const dir = writeFiles(tempDir('binding'), { 'binding.gyp': '{ "targets": [] }\n', 'lib.a': 'archive' });
  return { ...resolveBindingBuild({}), bindingDir: dir, runtimeLib: path.join(dir, 'lib.a') };
}

test('configure runs again only for another Node or a changed binding.gyp', () => {
  const b = fakeBinding();
  assert.equal(needsConfigure(b), true, 'never configured');
  writeFiles(b.bindingDir, { 'build/Makefile': 'all:\n', 'build/ds-kit-configure.json': configureKey(b) });
  assert.equal(needsConfigure(b), false, 'configured for this Node and binding.gyp');
  writeFileSync(path.join(b.bindingDir, 'binding.gyp'), '{ "targets": [ ] }\n');
  assert.equal(needsConfigure(b), true, 'binding.gyp changed');
});

test('a runtime archive newer than the linked module makes make link it again', () => {
  const b = fakeBinding();
  const linked = path.join(b.bindingDir, 'build', 'Release', 'ds_runtime.node');
  mkdirSync(path.dirname(linked), { recursive: true });
  writeFileSync(linked, 'module');
  const past = new Date(Date.now() - 60_000);
  utimesSync(b.runtimeLib, past, past);
  assert.equal(dropStaleLink(b), false);
  assert.ok(existsSync(linked), 'an up-to-date module was removed');
  utimesSync(linked, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
  assert.equal(dropStaleLink(b), true);
  assert.ok(!existsSync(linked), 'a module older than the archive was kept');
});

test('a second build-binding with nothing changed neither configures nor links again', {
  skip: !existsSync(paths.bindingOutput) && 'the binding is not built',
}, async () => {
  const logs = tempDir('binding-again');
  const first = await dsKit(['build-binding', '--log-dir', logs], { CI: process.env.CI });
  assert.equal(first.exitCode, 0, first.stderr);
  const before = statSync(paths.bindingOutput).mtimeMs;
  const second = await dsKit(['build-binding', '--log-dir', logs], { CI: process.env.CI });
  assert.equal(second.exitCode, 0, second.stderr);
  const log = readFileSync(path.join(logs, 'binding-build.log'), 'utf8');
  assert.doesNotMatch(log, /node-gyp\.js (configure|rebuild)/, log);
  assert.match(log, /node-gyp\.js build/);
  assert.equal(statSync(paths.bindingOutput).mtimeMs, before, 'ds_runtime.node was linked again');
});
