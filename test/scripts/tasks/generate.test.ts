// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { commonDir, loadGenerator } from '../../../scripts/tasks/generate.ts';
import { UsageError } from '../../../scripts/lib/errors.ts';
import { tempDir, writeFiles } from '../helpers.ts';

test('a missing generator is a clear error naming the file', async () => {
  const missing = path.join(tempDir('gen'), 'index.ts');
  await assert.rejects(loadGenerator(missing), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.ok(error.message.includes(missing), error.message);
    assert.match(error.message, /npm run generate/);
    return true;
  });
});

test('a module without generate() is rejected; one with it is loaded', async () => {
  const dir = writeFiles(tempDir('gen'), {
    'none.ts': 'export const x = 1;\n',
    'some.ts': 'export function generate(o: unknown) { return o; }\n',
  });
  await assert.rejects(loadGenerator(path.join(dir, 'none.ts')), /does not export a generate\(options\) function/);
  const generate = await loadGenerator(path.join(dir, 'some.ts'));
  assert.deepEqual(generate({ target: 'wine-8.0' }), { target: 'wine-8.0' });
});

test('the files written are summarised by their common directory', () => {
  assert.equal(commonDir(['/o/wine-8.0/dlls/a.c', '/o/wine-current/b.h']), '/o');
  assert.equal(commonDir(['/o/x/a.c']), '/o/x');
});
