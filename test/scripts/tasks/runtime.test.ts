// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { configureArgs, ctestArgs, REFERENCE_LABEL, resolveRuntimeBuild } from '../../../scripts/tasks/runtime.ts';
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
  assert.deepEqual(ctestArgs(resolveRuntimeBuild({ sanitize: 'address,undefined' }, {})).slice(-2), ['-LE', '^(large|reference)$']);
  assert.deepEqual(ctestArgs(resolveRuntimeBuild({}, {}), REFERENCE_LABEL).slice(-2), ['-L', REFERENCE_LABEL]);
});

test('build-runtime against a broken CMake project names the failing step and its log', async () => {
  const source = writeFiles(tempDir('broken-src'), {
    'CMakeLists.txt': 'cmake_minimum_required(VERSION 3.20)\nproject(broken NONE)\nmessage(FATAL_ERROR "deliberately broken")\n',
  });
  const build = tempDir('broken-build');
  const logs = tempDir('broken-logs');
  const result = await dsKit(['build-runtime', '--source-dir', source, '--build-dir', build, '--log-dir', logs]);
  assert.equal(result.exitCode, 1);
  const log = path.join(logs, 'runtime-release-configure.log');
  assert.match(result.stderr, /Configure ds-runtime \(release\) failed \(exit code 1\)/);
  assert.ok(result.stderr.includes(`full log: ${log}`), result.stderr);
  assert.match(result.stderr, /deliberately broken/);
  assert.match(result.stderr, /next: fix the 'CMake Error'/);
});
