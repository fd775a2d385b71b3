// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseRenderer, isCI } from '../../../scripts/lib/renderer.ts';

test('the live renderer only on an interactive terminal outside CI', () => {
  assert.equal(chooseRenderer({ env: {}, isTTY: true, verbose: false }), 'default');
  assert.equal(chooseRenderer({ env: { CI: '1' }, isTTY: true, verbose: false }), 'simple');
  assert.equal(chooseRenderer({ env: {}, isTTY: false, verbose: false }), 'simple');
  assert.equal(chooseRenderer({ env: {}, isTTY: false, verbose: true }), 'verbose');
  assert.equal(chooseRenderer({ env: {}, isTTY: true, verbose: true }), 'verbose');
});

test('silent under node --test, and DS_KIT_RENDERER wins', () => {
  assert.equal(chooseRenderer({ env: { NODE_TEST_CONTEXT: 'child' }, isTTY: true, verbose: true }), 'silent');
  assert.equal(
    chooseRenderer({ env: { DS_KIT_RENDERER: 'verbose', NODE_TEST_CONTEXT: 'child' }, isTTY: true, verbose: false }),
    'verbose',
  );
});

test('CI=0 and CI=false are not CI', () => {
  assert.equal(isCI({ CI: '1' }), true);
  assert.equal(isCI({ CI: 'true' }), true);
  assert.equal(isCI({ CI: '0' }), false);
  assert.equal(isCI({ CI: 'false' }), false);
  assert.equal(isCI({}), false);
});
