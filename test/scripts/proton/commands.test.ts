// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dsKit } from '../helpers.ts';

const COMMANDS = ['install', 'uninstall', 'status', 'proton-tool'];

test('ds-kit --help lists install, uninstall, status and proton-tool', async () => {
  const result = await dsKit(['--help']);
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

test('an option of another command is a usage error naming the help', async () => {
  const result = await dsKit(['status', '--all']);
  assert.equal(result.exitCode, 2);
  assert.match(result.stderr, /Unknown option '--all'[^]*ds-kit status --help/);
});
