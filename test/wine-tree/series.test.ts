// SPDX-License-Identifier: MIT
// The patch series is plain text: no git binary patch, no NUL byte, valid UTF-8, and GNU patch
// (`patch -Np1 --dry-run`, as GE-Proton's protonprep and distribution packaging apply patches) takes
// every patch of it, in order, against Debian's real 8.0 and 10.0 trees. ds-runtime is not in the series:
// the module's Makefile.in links it through $(DS_RUNTIME_LIBS), which 0001's configure.ac check fills.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { generate } from '../../scripts/generate/index.ts';
import { writeModulePatches } from '../../scripts/wine-tree/module-patch.ts';
import { committedPatches, SERIES } from '../../scripts/wine-tree/series.ts';
import { cachedTree, SUITES, treeSkip } from './trees.ts';

for (const [version, suite] of Object.entries(SUITES)) {
  const series = SERIES.find((s) => s.id === `wine-${version}`);
  test(`Wine ${version}: every patch of the series is plain text and applies with patch -Np1 --dry-run to Debian ${suite}'s tree`, {
    skip: treeSkip(),
    timeout: 600_000,
  }, async () => {
    assert.ok(series, `no series wine-${version}`);
    const run = mkdtempSync(join(tmpdir(), 'ds-kit-series-'));
    const generatedRoot = join(run, 'generated');
    await generate({ out: generatedRoot, target: series.target });
    const patches = [...committedPatches(series), ...(await writeModulePatches(series, { generatedRoot }, run))];
    assert.deepEqual(
      patches.map((p) => basename(p)),
      ['0001-configure-build-dlls-dstorage-on-x86_64.patch', '0002-dlls-dstorage-add-the-module.patch'],
    );
    const tree = await cachedTree(suite);
    for (const p of patches) {
      const bytes = readFileSync(p);
      assert.ok(!bytes.includes(0), `${p} holds a NUL byte`);
      const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      assert.doesNotMatch(text, /^GIT binary patch$|^Binary files /m, `${p} holds a binary patch`);
      assert.doesNotMatch(
        text,
        /libds_runtime_static\.a|ds-runtime\/include/,
        `${p} still carries ds-runtime into the tree`,
      );
      const r = await execa('patch', ['-Np1', '--dry-run', '-i', p], { cwd: tree, reject: false, all: true });
      assert.equal(r.exitCode, 0, `patch -Np1 --dry-run -i ${basename(p)} in ${tree} failed:\n${r.all}`);
      assert.doesNotMatch(
        r.all ?? '',
        /FAILED|fuzz|malformed|Reversed/,
        `patch -Np1 --dry-run -i ${basename(p)} was not clean:\n${r.all}`,
      );
    }
    const makefile = readFileSync(patches[1], 'utf8');
    assert.match(makefile, /^\+UNIX_CFLAGS = \$\(DS_RUNTIME_CFLAGS\)$/m);
    assert.match(makefile, /^\+UNIX_LIBS {3}= \$\(DS_RUNTIME_LIBS\)$/m);
    assert.match(
      readFileSync(patches[0], 'utf8'),
      /^\+ {4}WINE_PACKAGE_FLAGS\(DS_RUNTIME,\[ds-runtime\]/m,
      '0001 lacks the pkg-config check',
    );
  });
}
