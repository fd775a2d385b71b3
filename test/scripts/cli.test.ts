// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dsKit } from './helpers.ts';

const COMMANDS = ['build-runtime', 'build-binding', 'build', 'build-proton', 'generate', 'fetch-wine', 'patch', 'test', 'bench', 'doctor'];

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
