// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { defaultFuzz, FUZZ_SECONDS, fuzzArgs, fuzzProgress } from '../../../scripts/tasks/fuzz.ts';
import { hintFor } from '../../../scripts/lib/errors.ts';
import { hints } from '../../../scripts/lib/messages.ts';
import { repoRoot } from '../../../scripts/lib/paths.ts';

test('the fuzz step runs runtime/fuzz/run.sh for a bounded time in its own build directory', () => {
  const f = defaultFuzz({}, {});
  assert.equal(f.seconds, FUZZ_SECONDS);
  assert.equal(path.relative(repoRoot, f.buildDir), path.join('build', 'fuzz-ci'));
  assert.deepEqual(fuzzArgs(f), [path.join(repoRoot, 'runtime', 'fuzz', 'run.sh'), String(FUZZ_SECONDS), f.buildDir]);
  assert.equal(defaultFuzz({}, { DS_KIT_FUZZ_SECONDS: '600' }).seconds, 600);
  assert.equal(defaultFuzz({}, { DS_KIT_FUZZ_SECONDS: 'soon' }).seconds, FUZZ_SECONDS);
});

test("libFuzzer's pulse lines and final count become progress; the rest stays in the log", () => {
  assert.equal(fuzzProgress('#65536\tpulse  cov: 812 ft: 2301 corp: 310/41Kb lim: 4096 exec/s: 2184 rss: 87Mb'),
    '65536 inputs, coverage 812, 2184 exec/s');
  assert.equal(fuzzProgress('Done 131072 runs in 61 second(s)'), 'Done 131072 runs in 61 second(s)');
  assert.equal(fuzzProgress('INFO: Seed: 1234'), undefined);
});

test('a fuzz failure points at the crash input; a missing compiler at install-deps', () => {
  const base = { tool: 'fuzz' as const, logPath: 'build/logs/gdeflate-fuzz.log' };
  assert.equal(hintFor(base, ['==1==ERROR: AddressSanitizer: heap-buffer-overflow']), hints.fuzzCrash(base.logPath));
  assert.equal(hintFor(base, ['run.sh: 20: clang++-14: not found']), hints.installDeps);
});
