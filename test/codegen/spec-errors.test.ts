// SPDX-License-Identifier: MIT
// A spec or template mistake makes the CLI exit non-zero with a message naming the entry at fault.
// Each case copies templates/ to a scratch folder, breaks one thing, and runs main.ts on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT, SCRATCH } from './helpers.ts';

async function brokenTemplates(name: string, file: string, edit: (text: string) => string): Promise<string> {
  const dir = path.join(SCRATCH, `broken-${name}`);
  await rm(dir, { recursive: true, force: true });
  await cp(path.join(ROOT, 'templates'), dir, { recursive: true });
  const target = path.join(dir, file);
  const before = await readFile(target, 'utf8');
  const after = edit(before);
  assert.notEqual(after, before, `the edit for case "${name}" changed nothing: fix the test`);
  await writeFile(target, after);
  return dir;
}

function generateWith(templates: string) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/generate/main.ts', '--templates', templates, '--out', path.join(templates, 'out')],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return { status: result.status, stderr: result.stderr };
}

const cases: { name: string; file: string; edit: (s: string) => string; expect: RegExp[] }[] = [
  {
    name: 'unknown-type',
    file: 'spec/structs.json',
    edit: (s) =>
      s.replace('{ "name": "UncompressedSize", "type": "UINT32" }', '{ "name": "UncompressedSize", "type": "UINT33" }'),
    expect: [/DSTORAGE_REQUEST\.UncompressedSize/, /unknown type "UINT33"/],
  },
  {
    name: 'duplicate-slot',
    file: 'spec/interfaces.json',
    edit: (s) => s.replace('{ "slot": 8, "name": "Close"', '{ "slot": 7, "name": "Close"'),
    expect: [/IDStorageQueue::Close/, /duplicate vtable slot 7/],
  },
  {
    name: 'missing-policy',
    file: 'spec/policy.json',
    edit: (s) => s.replace(/\s*"IDStorageQueue::Submit":[^\n]*\n/, '\n'),
    expect: [/IDStorageQueue::Submit/, /without a policy entry/],
  },
  {
    name: 'thunk-to-unknown-call',
    file: 'spec/policy.json',
    edit: (s) => s.replace('"call": "queue_get_compression_support"', '"call": "queue_get_compression_level"'),
    expect: [/IDStorageQueue2::GetCompressionSupport/, /unknown Unix call "queue_get_compression_level"/],
  },
  // Schema (spec-shape.ts): every key of every object is known, in every file.
  {
    name: 'misspelt-since',
    file: 'spec/interfaces.json',
    edit: (s) =>
      s.replace(
        '{ "name": "IDStorageQueue1", "parent": "IDStorageQueue", "since": "1.1"',
        '{ "name": "IDStorageQueue1", "parent": "IDStorageQueue", "sinec": "1.1"',
      ),
    expect: [
      /interfaces\.json at \$\.interfaces\[\d+\] \(IDStorageQueue1\)/,
      /unknown key "sinec"/,
      /did you mean "since"\?/,
    ],
  },
  {
    name: 'misspelt-field-type',
    file: 'spec/structs.json',
    edit: (s) =>
      s.replace('{ "name": "UncompressedSize", "type": "UINT32" }', '{ "name": "UncompressedSize", "tpye": "UINT32" }'),
    expect: [
      /structs\.json at \$\.structs\[\d+\] \(DSTORAGE_REQUEST\)\.fields\[\d+\] \(UncompressedSize\)/,
      /unknown key "tpye"/,
      /did you mean "type"\?/,
    ],
  },
  {
    name: 'unknown-key-in-a-policy-entry',
    file: 'spec/policy.json',
    edit: (s) =>
      s.replace('"call": "queue_get_compression_support"', '"call": "queue_get_compression_support", "retruns": "x"'),
    expect: [
      /policy\.json at \$\.methods\["IDStorageQueue2::GetCompressionSupport"\]/,
      /unknown key "retruns"/,
      /did you mean "returns"\?/,
    ],
  },
  {
    name: 'unknown-key-nested-three-deep',
    file: 'spec/unixcalls.json',
    edit: (s) => s.replace('"store": "result"', '"stroe": "result"'),
    expect: [
      /unixcalls\.json at \$\.calls\[\d+\] \([a-z_]+\)\.runtime/,
      /unknown key "stroe"/,
      /did you mean "store"\?/,
    ],
  },
  {
    name: 'unknown-top-level-key',
    file: 'spec/sdk.json',
    edit: (s) => s.replace('"latest"', '"newest": "1.3", "latest"'),
    expect: [/sdk\.json at \$:/, /unknown key "newest"/, /allowed keys: specVersion, latest, versions/],
  },
  {
    name: 'value-of-the-wrong-kind',
    file: 'spec/interfaces.json',
    edit: (s) => s.replace('{ "slot": 8, "name": "Close"', '{ "slot": "8", "name": "Close"'),
    expect: [
      /interfaces\.json at \$\.interfaces\[\d+\] \(IDStorageQueue\)\.methods\[\d+\] \(Close\)\.slot/,
      /expected a whole number, found "8"/,
    ],
  },
  {
    name: 'missing-required-key',
    file: 'spec/mapping.json',
    edit: (s) =>
      s.replace(
        '"hresult": "E_INVALIDARG", "why": "memory source without a pointer"',
        '"why": "memory source without a pointer"',
      ),
    expect: [/mapping\.json at \$\.validation\[\d+\]/, /missing key "hresult"/],
  },
  {
    name: 'value-outside-the-allowed-set',
    file: 'spec/policy.json',
    edit: (s) => s.replace(/"policy": "thunk"/, '"policy": "thnuk"'),
    expect: [
      /policy\.json at \$\.methods\[".+"\]\.policy/,
      /"thnuk" is not allowed/,
      /use "thunk" or "hand-written" or "fixed"/,
    ],
  },
  {
    name: 'template-missing-field',
    file: 'wine/include/dstorage.h.hbs',
    edit: (s) =>
      s.replace('#define DSTORAGE_SDK_VERSION {{sdk.version}}', '#define DSTORAGE_SDK_VERSION {{sdk.versoin}}'),
    expect: [/template error in wine\/include\/dstorage\.h\.hbs/, /versoin/],
  },
  {
    name: 'template-unknown-helper',
    file: 'wine/dlls/dstorage/unixlib.h.hbs',
    edit: (s) => s.replace('    {{enumName}},', '    {{upper enumName}},'),
    expect: [/template error in wine\/dlls\/dstorage\/unixlib\.h\.hbs/, /upper/],
  },
];

for (const c of cases) {
  test(`spec error "${c.name}" exits non-zero naming the entry`, async () => {
    const { status, stderr } = generateWith(await brokenTemplates(c.name, c.file, c.edit));
    assert.equal(status, 1, `expected exit 1, got ${status}; stderr:\n${stderr}`);
    for (const re of c.expect) assert.match(stderr, re);
  });
}

test('the unbroken templates generate (the cases above fail for their edit, not for the copy)', async () => {
  const dir = await brokenTemplates('none', 'spec/sdk.json', (s) =>
    s.replace('"first release', '"first release (copy)'),
  );
  const { status, stderr } = generateWith(dir);
  assert.equal(status, 0, stderr);
});
