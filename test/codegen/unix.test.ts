// SPDX-License-Identifier: MIT
// The generated Unix side compiles with gcc -Wall -Wextra -Werror against ds_runtime.h and Wine's
// headers (its C_ASSERTs pin Microsoft's layouts and the ds_runtime mirrors), and the translation
// returns the exact HRESULT for every validation row of mapping.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FIXTURES, generateInto, ROOT, SCRATCH, sh, unixFlags } from './helpers.ts';

for (const target of ['wine-8.0', 'wine-current']) {
  test(`${target}: Unix sources compile with -Wall -Wextra -Werror`, async () => {
    const gen = await generateInto(`unix-${target}`, { target });
    const dir = path.join(gen.target(target), 'dlls/dstorage');
    for (const file of ['unix_dispatch_gen.c', 'unix_translate_gen.c']) {
      await sh('gcc', [
        ...unixFlags(gen.target(target)),
        '-c',
        path.join(dir, file),
        '-o',
        path.join(SCRATCH, `${target}-${file}.o`),
      ]);
    }
  });
}

test('translation: each validation row returns its exact HRESULT; good requests map field by field', async () => {
  const gen = await generateInto('translate', { target: 'wine-8.0' });
  const root = gen.target('wine-8.0');
  const exe = path.join(SCRATCH, 'translate_check');
  await sh('gcc', [
    ...unixFlags(root),
    path.join(FIXTURES, 'translate_check.c'),
    path.join(root, 'dlls/dstorage/unix_translate_gen.c'),
    '-o',
    exe,
  ]);
  await sh(exe, []);
});

// Rows that refuse only part of the requests they are about: the driver shows both sides.
// custom_compression refuses custom formats only without module staging (GPU destinations included).
const BOTH_WAYS = ['custom_compression'];

test('translation driver covers every validation row of mapping.json', async () => {
  const mapping = JSON.parse(await readFile(path.join(ROOT, 'templates/spec/mapping.json'), 'utf8'));
  const driver = await readFile(path.join(FIXTURES, 'translate_check.c'), 'utf8');
  const ids: string[] = mapping.validation.map((row: { id: string }) => row.id);
  const missing = ids.filter((id) => !driver.includes(`CASE("${id}"`));
  assert.deepEqual(missing, [], `add a CASE to test/codegen/fixtures/translate_check.c for: ${missing.join(', ')}`);
  const unknown = BOTH_WAYS.filter((id) => !ids.includes(id));
  assert.deepEqual(
    unknown,
    [],
    `BOTH_WAYS in test/codegen/unix.test.ts names rows mapping.json lacks: ${unknown.join(', ')}`,
  );
  const oneWay = BOTH_WAYS.filter((id) => !driver.includes(`ACCEPT("${id}:`));
  assert.deepEqual(
    oneWay,
    [],
    `add an ACCEPT("<row>: ...") case to test/codegen/fixtures/translate_check.c for: ${oneWay.join(', ')}`,
  );
  const stale = [...driver.matchAll(/ACCEPT\("([a-z_]+):/g)].map((m) => m[1]).filter((id) => !ids.includes(id));
  assert.deepEqual(stale, [], `ACCEPT cases in translate_check.c name rows mapping.json lacks: ${stale.join(', ')}`);
});
