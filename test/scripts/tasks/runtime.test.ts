// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import {
  configureArgs,
  configuredAlready,
  ctestArgs,
  REFERENCE_LABEL,
  resolveRuntimeBuild,
} from '../../../scripts/tasks/runtime.ts';
import { paths } from '../../../scripts/lib/paths.ts';
import { dsKit, tempDir, writeFiles } from '../helpers.ts';

test('release, asan and tsan builds get their own build directories', () => {
  assert.equal(resolveRuntimeBuild({}, {}).buildDir, paths.runtimeBuild('release'));
  assert.equal(resolveRuntimeBuild({ sanitize: 'address,undefined' }, {}).buildDir, paths.runtimeBuild('asan'));
  assert.equal(resolveRuntimeBuild({ sanitize: 'undefined,address' }, {}).buildDir, paths.runtimeBuild('asan'));
  assert.equal(resolveRuntimeBuild({ sanitize: 'thread' }, {}).buildDir, paths.runtimeBuild('tsan'));
  assert.equal(resolveRuntimeBuild({ type: 'Debug' }, {}).buildDir, paths.runtimeBuild('debug'));
  assert.equal(resolveRuntimeBuild({ 'build-dir': '/tmp/x' }, {}).buildDir, '/tmp/x');
});

test('configure passes the test/shared options, and -Werror under CI or --werror', () => {
  const local = configureArgs(resolveRuntimeBuild({}, {}));
  assert.ok(local.includes('-DDS_BUILD_TESTS=ON') && local.includes('-DDS_BUILD_SHARED=ON'));
  assert.ok(local.includes('-DCMAKE_BUILD_TYPE=Release'));
  assert.ok(!local.includes('-DDS_WERROR=ON'));
  assert.ok(configureArgs(resolveRuntimeBuild({}, { CI: '1' })).includes('-DDS_WERROR=ON'));
  assert.ok(configureArgs(resolveRuntimeBuild({ werror: true }, {})).includes('-DDS_WERROR=ON'));
  assert.ok(configureArgs(resolveRuntimeBuild({ sanitize: 'thread' }, {})).includes('-DDS_SANITIZE=thread'));
});

test('ctest runs two at a time and filters by label', () => {
  const b = resolveRuntimeBuild({ sanitize: 'thread' }, {});
  assert.deepEqual(ctestArgs(b, 'concurrency').slice(-5), ['-j2', '-L', 'concurrency', '-LE', '^(large|reference)$']);
});

test('only the release build runs the gigabyte-sized tests; no build counts the reference cross-check', () => {
  assert.deepEqual(ctestArgs(resolveRuntimeBuild({}, {})).slice(-2), ['-LE', '^reference$']);
  assert.deepEqual(ctestArgs(resolveRuntimeBuild({ sanitize: 'address,undefined' }, {})).slice(-2), [
    '-LE',
    '^(large|reference)$',
  ]);
  assert.deepEqual(ctestArgs(resolveRuntimeBuild({}, {}), REFERENCE_LABEL).slice(-2), ['-L', REFERENCE_LABEL]);
});

test('build-runtime against a broken CMake project names the failing step and its log', async () => {
  const source = writeFiles(tempDir('broken-src'), {
    'CMakeLists.txt':
      'cmake_minimum_required(VERSION 3.20)\nproject(broken NONE)\nmessage(FATAL_ERROR "deliberately broken")\n',
  });
  const build = tempDir('broken-build');
  const logs = tempDir('broken-logs');
  const result = await dsKit(['build-runtime', '--source-dir', source, '--build-dir', build, '--log-dir', logs]);
  assert.equal(result.exitCode, 1);
  const log = path.join(logs, 'runtime-release-configure.log');
  assert.match(result.stderr, /Configure ds-runtime \(release\) failed \(cmake exited with code 1\)/);
  assert.ok(result.stderr.includes(`full log: ${log}`), result.stderr);
  assert.match(result.stderr, /deliberately broken/);
  assert.match(result.stderr, /next: fix the 'CMake Error'/);
});

test('--type takes CMake build types in any case, and refuses others', () => {
  assert.equal(resolveRuntimeBuild({ type: 'debug' }, {}).buildType, 'Debug');
  assert.equal(resolveRuntimeBuild({ type: 'RELWITHDEBINFO' }, {}).variant, 'relwithdebinfo');
  assert.throws(
    () => resolveRuntimeBuild({ type: 'Foo' }, {}),
    /--type=Foo is not allowed: use one of Release, Debug, RelWithDebInfo, MinSizeRel/,
  );
});

test('configure is skipped for a build directory configured with the same arguments', () => {
  const build = tempDir('configured');
  const b = resolveRuntimeBuild({ 'build-dir': build }, {});
  assert.equal(configuredAlready(b), false, 'nothing configured yet');
  writeFiles(build, { 'CMakeCache.txt': '', 'ds-kit-configure.json': JSON.stringify({ args: configureArgs(b) }) });
  assert.equal(configuredAlready(b), true);
  assert.equal(configuredAlready({ ...b, werror: true }), false, 'another option configures again');
});

const release = paths.runtimeBuild('release');
test('a second build-runtime with nothing changed configures nothing and relinks nothing', {
  skip: !existsSync(path.join(release, 'libds_runtime_static.a')) && 'the release runtime is not built',
  timeout: 600_000,
}, async () => {
  // CI passes through: under CI the release build has -DDS_WERROR=ON, and other arguments would reconfigure it.
  const logs = tempDir('runtime-again');
  const first = await dsKit(['build-runtime', '--log-dir', logs], { CI: process.env.CI });
  assert.equal(first.exitCode, 0, first.stderr);
  const archive = path.join(release, 'libds_runtime_static.a');
  const before = statSync(archive).mtimeMs;
  rmSync(path.join(logs, 'runtime-release-configure.log'), { force: true });
  const second = await dsKit(['build-runtime', '--log-dir', logs], { CI: process.env.CI });
  assert.equal(second.exitCode, 0, second.stderr);
  assert.ok(!existsSync(path.join(logs, 'runtime-release-configure.log')), 'configure ran again');
  assert.doesNotMatch(
    readFileSync(path.join(logs, 'runtime-release-build.log'), 'utf8'),
    /Linking/,
    'something was linked again',
  );
  assert.equal(statSync(archive).mtimeMs, before, 'libds_runtime_static.a was written again');
});

test('configure extracts liburing once: configuring again keeps the objects (and so the libraries) as they were', {
  skip: !existsSync(path.join(release, 'liburing-objects', 'extracted-from.txt')) && 'no io_uring release build',
}, async () => {
  const objects = path.join(release, 'liburing-objects');
  const stamp = statSync(path.join(objects, 'extracted-from.txt')).mtimeMs;
  const result = await execa('cmake', ['-S', paths.runtimeSource, '-B', release], { reject: false });
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(statSync(path.join(objects, 'extracted-from.txt')).mtimeMs, stamp, 'liburing.a was extracted again');
});
