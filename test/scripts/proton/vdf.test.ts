// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { child, formatVdf, parseVdf, VdfError } from '../../../scripts/proton/vdf.ts';

// As Steam writes steamapps/libraryfolders.vdf: tabs, two between key and value, nested blocks.
const STEAM_WRITTEN = [
  '"libraryfolders"',
  '{',
  '\t"0"',
  '\t{',
  '\t\t"path"\t\t"/home/gamer/.local/share/Steam"',
  '\t\t"label"\t\t""',
  '\t\t"contentid"\t\t"4317915328862226573"',
  '\t\t"totalsize"\t\t"0"',
  '\t\t"update_clean_bytes_tally"\t\t"52361547866"',
  '\t\t"time_last_update_verified"\t\t"1733061962"',
  '\t\t"apps"',
  '\t\t{',
  '\t\t\t"228980"\t\t"464451208"',
  '\t\t\t"2805730"\t\t"1543419712"',
  '\t\t}',
  '\t}',
  '}',
  '',
].join('\n');

test('parses a libraryfolders.vdf as Steam writes it', () => {
  const v = parseVdf(STEAM_WRITTEN);
  assert.deepEqual(v, {
    libraryfolders: {
      0: {
        path: '/home/gamer/.local/share/Steam',
        label: '',
        contentid: '4317915328862226573',
        totalsize: '0',
        update_clean_bytes_tally: '52361547866',
        time_last_update_verified: '1733061962',
        apps: { 228980: '464451208', 2805730: '1543419712' },
      },
    },
  });
});

test('escapes, comments, bare tokens, conditions and CRLF line ends', () => {
  const v = parseVdf(
    '// written by hand\r\n"a" { "q" "say \\"hi\\"" "w" "C:\\\\Games" bare token "c" "1" [$WIN32] }\r\n',
  );
  assert.deepEqual(v, { a: { q: 'say "hi"', w: 'C:\\Games', bare: 'token', c: '1' } });
});

test('the first of duplicate keys wins, and lookups ignore case like Steam', () => {
  const v = parseVdf('"LibraryFolders" { "1" "/a" "1" "/b" }');
  assert.deepEqual(child(v, 'libraryfolders'), { 1: '/a' });
  assert.equal(child(v, 'nothing'), undefined);
});

test('broken files fail with the file and the line', () => {
  const cases: [string, RegExp][] = [
    ['"a"\n{\n"b" "c"\n', /x\.vdf:2: a '\{' block is never closed/],
    ['"a" "b"\n}', /x\.vdf:2: a '\}' has no matching '\{'/],
    ['"a" {\n "b" "unterminated\n}', /x\.vdf:2: a quoted string is never closed/],
    ['"a"', /x\.vdf:1: the key "a" has no value/],
    ['{ "a" "b" }', /x\.vdf:1: a '\{' block has no key before it/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseVdf(text, 'x.vdf'),
      (e: unknown) => e instanceof VdfError && message.test(e.message),
      text,
    );
  }
});

test('formatVdf writes what parseVdf reads back', () => {
  const v = { compatibilitytools: { compat_tools: { 'ds-kit "test"': { install_path: '.', display_name: 'a\\b' } } } };
  assert.deepEqual(parseVdf(formatVdf(v)), v);
  assert.match(formatVdf(v), /^"compatibilitytools"\n\{\n\t"compat_tools"\n\t\{\n/);
});
