// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { defaultFuzz, FUZZ_SECONDS, FUZZ_TARGETS, fuzzArgs, fuzzProgress } from '../../../scripts/tasks/fuzz.ts';
import { hintFor } from '../../../scripts/lib/errors.ts';
import { hints } from '../../../scripts/lib/messages.ts';
import { repoRoot } from '../../../scripts/lib/paths.ts';

test('each fuzz target runs runtime/fuzz/run.sh for a bounded time in its own build directory', () => {
  const runs = defaultFuzz({}, {});
  assert.deepEqual(
    runs.map((f) => f.target),
    ['gdeflate_decode', 'zstd_request', 'queue_c_abi'],
  );
  for (const f of runs) {
    assert.equal(f.seconds, FUZZ_SECONDS);
    assert.equal(path.relative(repoRoot, f.buildDir), path.join('build', 'fuzz-ci'));
    assert.deepEqual(fuzzArgs(f), [
      path.join(repoRoot, 'runtime', 'fuzz', 'run.sh'),
      f.target,
      String(FUZZ_SECONDS),
      f.buildDir,
    ]);
  }
  assert.ok(defaultFuzz({}, { DS_KIT_FUZZ_SECONDS: '600' }).every((f) => f.seconds === 600));
  assert.ok(defaultFuzz({}, { DS_KIT_FUZZ_SECONDS: 'soon' }).every((f) => f.seconds === FUZZ_SECONDS));
  assert.ok(defaultFuzz({}, { DS_KIT_FUZZ_SECONDS: '0' }).every((f) => f.seconds === FUZZ_SECONDS));
});

test('every target starts from a persisted, small corpus in the repository', () => {
  for (const target of FUZZ_TARGETS) {
    const dir = path.join(repoRoot, 'runtime', 'fuzz', 'corpus', target);
    const files = readdirSync(dir);
    assert.ok(
      files.length >= 10,
      `${dir} holds ${files.length} inputs; run 'runtime/fuzz/run.sh ${target} 300' and commit the corpus`,
    );
    assert.ok(
      files.length <= 500,
      `${dir} holds ${files.length} inputs; run.sh minimises it past 500 (DS_KIT_FUZZ_CORPUS_MAX)`,
    );
  }
});

test("libFuzzer's pulse lines, final count and the corpus merge become progress; the rest stays in the log", () => {
  assert.equal(
    fuzzProgress('#65536\tpulse  cov: 812 ft: 2301 corp: 310/41Kb lim: 4096 exec/s: 2184 rss: 87Mb'),
    '65536 inputs, coverage 812, 2184 exec/s',
  );
  assert.equal(fuzzProgress('Done 131072 runs in 61 second(s)'), 'Done 131072 runs in 61 second(s)');
  assert.equal(
    fuzzProgress('corpus runtime/fuzz/corpus/queue_c_abi: 120 -> 124 inputs (commit ...)'),
    'corpus runtime/fuzz/corpus/queue_c_abi: 120 -> 124 inputs (commit ...)',
  );
  assert.equal(fuzzProgress('INFO: Seed: 1234'), undefined);
});

test('a fuzz failure points at the crash input; a missing compiler at install-deps', () => {
  const base = { tool: 'fuzz' as const, logPath: 'build/logs/fuzz-queue_c_abi.log' };
  assert.equal(hintFor(base, ['==1==ERROR: AddressSanitizer: heap-buffer-overflow']), hints.fuzzCrash(base.logPath));
  assert.equal(hintFor(base, ['run.sh: 20: clang++-14: not found']), hints.installDeps);
});
