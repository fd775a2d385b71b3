// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { splitPassThrough } from '../../scripts/lib/args.ts';
import { repoRoot } from '../../scripts/lib/paths.ts';
import { dsKit } from './helpers.ts';

const COMMANDS = [
  'build-runtime',
  'build-binding',
  'build',
  'build-proton',
  'generate',
  'fetch-wine',
  'patch',
  'test',
  'bench',
  'lint',
  'format',
  'doctor',
];

test('ds-kit --help lists every command', async () => {
  const result = await dsKit(['--help']);
  assert.equal(result.exitCode, 0);
  for (const name of COMMANDS) assert.match(result.stdout, new RegExp(`^  ${name} `, 'm'), `missing ${name}`);
});

for (const name of COMMANDS) {
  test(`ds-kit ${name} --help shows usage and examples`, async () => {
    const result = await dsKit([name, '--help']);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^Usage: ds-kit ${name} `));
    assert.match(result.stdout, /^Examples:$/m);
  });
}

test('an unknown command exits 2 and points at --help', async () => {
  const result = await dsKit(['frobnicate']);
  assert.equal(result.exitCode, 2);
  assert.match(result.stderr, /Unknown command 'frobnicate'.*ds-kit --help/);
});

test('an unknown option exits 2 and names the command help', async () => {
  const result = await dsKit(['build-runtime', '--no-such-flag']);
  assert.equal(result.exitCode, 2);
  assert.match(result.stderr, /ds-kit build-runtime --help/);
});

test('an unsupported --sanitize value says which ones work', async () => {
  const result = await dsKit(['build-runtime', '--sanitize=memory']);
  assert.equal(result.exitCode, 2);
  assert.match(result.stderr, /--sanitize=address,undefined or --sanitize=thread/);
});

test('ds-kit build --wine routes to the Wine tree build and names a missing tree', async () => {
  const result = await dsKit(['build', '--wine', '/nonexistent/wine-tree']);
  assert.notEqual(result.exitCode, 0);
  assert.match(result.stderr + result.stdout, /\/nonexistent\/wine-tree/);
});

test('ds-kit --version prints the version of package.json', async () => {
  const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const result = await dsKit([flag]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stdout.trim(), `ds-kit ${version}`);
  }
});

test('a mistyped command suggests the right one', async () => {
  for (const [typed, meant] of [
    ['buidl', 'build'],
    ['biuld-runtime', 'build-runtime'],
    ['tset', 'test'],
    ['doctr', 'doctor'],
    ['build-protn', 'build-proton'],
  ]) {
    const result = await dsKit([typed]);
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, new RegExp(`Did you mean 'ds-kit ${meant}'\\?`), `${typed}: ${result.stderr}`);
  }
  assert.doesNotMatch((await dsKit(['xyzzy'])).stderr, /Did you mean/);
});

test('a mistyped option suggests the right one', async () => {
  const result = await dsKit(['build-runtime', '--sanitise=thread']);
  assert.equal(result.exitCode, 2);
  assert.match(result.stderr, /Unknown option '--sanitise'\. Did you mean '--sanitize'\?/);
});

test('--type takes only CMake build types, listing them; nothing is built for a bad one', async () => {
  const build = path.join(repoRoot, 'build', 'runtime', 'foo');
  rmSync(build, { recursive: true, force: true });
  const result = await dsKit(['build-runtime', '--type', 'Foo']);
  assert.equal(result.exitCode, 2);
  assert.match(result.stderr, /--type=Foo is not allowed: use one of Release, Debug, RelWithDebInfo, MinSizeRel\./);
  assert.ok(!existsSync(build), 'a build directory was created for --type Foo');
  const typo = await dsKit(['build-runtime', '--type', 'debg']);
  assert.match(typo.stderr, /Did you mean --type=Debug\?/);
});

test('--jobs takes a whole number of 1 or more', async () => {
  for (const [command, value] of [
    ['build-runtime', '0'],
    ['build-binding', 'many'],
    ['test', '-3'],
  ]) {
    const result = await dsKit([command, `--jobs=${value}`]);
    assert.equal(result.exitCode, 2, `${command} --jobs=${value}: ${result.stderr}`);
    assert.match(result.stderr, new RegExp(`--jobs=${value} is not allowed: use a whole number of 1 or more`));
  }
});

test('npm run bench -- --quick hands --quick to the benchmark', async () => {
  // A bad --backends stops the run before anything is built; the error shows --quick got past ds-kit.
  const result = await execa('npm', ['run', '--silent', 'bench', '--', '--quick', '--backends', 'bogus'], {
    cwd: repoRoot,
    reject: false,
    env: { DS_KIT_RENDERER: 'silent', CI: undefined },
  });
  assert.equal(result.exitCode, 2, result.stderr);
  assert.doesNotMatch(result.stderr, /Unknown option '--quick'/);
  assert.match(result.stderr, /ds-kit bench: --backends: unknown backend 'bogus'/);
});

test('pass-through arguments: ds-kit options stay, the rest and everything after -- go on', () => {
  const options = { verbose: { type: 'boolean', short: 'v' }, 'log-dir': { type: 'string' } } as const;
  assert.deepEqual(
    splitPassThrough(['--quick', '-v', '--log-dir', '/tmp/l', '--sizes', '1M', '--', '--verbose'], options),
    {
      own: ['-v', '--log-dir', '/tmp/l'],
      rest: ['--quick', '--sizes', '1M', '--verbose'],
    },
  );
  assert.deepEqual(splitPassThrough(['--log-dir=/x', '--json', 'out.json'], options), {
    own: ['--log-dir=/x'],
    rest: ['--json', 'out.json'],
  });
});
