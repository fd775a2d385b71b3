// SPDX-License-Identifier: MIT
// .ci/fresh-system.sh refuses what it cannot run before it touches anything (no debootstrap, no
// mounts). Its real runs (debootstrap, mounts, cleanup on each exit path) are exercised by .ci/run
// itself; docs/building.md records the by-hand checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../../scripts/lib/paths.ts';

const script = path.join(repoRoot, '.ci', 'fresh-system.sh');

test('fresh-system.sh without steps, or with a step that is not NAME=COMMAND-LINE, says how to call it', async () => {
  const none = await execa(script, [], { reject: false });
  assert.equal(none.exitCode, 2);
  assert.match(none.stderr, /no steps given\. usage: \.ci\/fresh-system\.sh NAME=COMMAND-LINE/);
  const bad = await execa(script, ['build=make', 'npm test'], { reject: false });
  assert.equal(bad.exitCode, 2);
  assert.match(bad.stderr, /a step must be NAME=COMMAND-LINE, got 'npm test'/);
});
