// SPDX-License-Identifier: MIT
// templates/spec/module.json lists every hand-written module source, so an in-tree Wine build
// (whose Makefile.in comes from that list) compiles exactly what the out-of-tree build does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../scripts/lib/paths.ts';

test('module.json names every hand-written source in wine-patches/dlls/dstorage, PE and Unix apart', () => {
  const dir = path.join(repoRoot, 'wine-patches/dlls/dstorage');
  const module = JSON.parse(readFileSync(path.join(repoRoot, 'templates/spec/module.json'), 'utf8'));
  const onDisk = readdirSync(dir).filter((f) => f.endsWith('.c'));
  const unix = onDisk.filter((f) => f.startsWith('unix_')).sort();
  const pe = onDisk.filter((f) => !f.startsWith('unix_')).sort();
  assert.deepEqual([...module.handWrittenPeSources].sort(), pe);
  assert.deepEqual([...module.handWrittenUnixSources].sort(), unix);
});
