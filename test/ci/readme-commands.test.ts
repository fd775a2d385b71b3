// SPDX-License-Identifier: MIT
// .ci/run runs the command lines that .ci/readme-commands extracts from README.md's Quick start:
// they must be the README's lines, exactly, and the test line must install what the tests need.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../../scripts/lib/paths.ts';
import { tempDir, writeFiles } from '../scripts/helpers.ts';

const extractor = path.join(repoRoot, '.ci', 'readme-commands');
const extract = async (readme?: string): Promise<string[]> =>
  (await execa(extractor, readme ? [readme] : [])).stdout.split('\n').filter(Boolean);

/** The Quick start's sh block as a reader sees it, comments dropped. */
function quickStartLines(readme: string): string[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Quick start\n'));
  assert.ok(section, 'README.md has no "## Quick start" section');
  const block = /^```sh\n([\s\S]*?)^```$/m.exec(section)?.[1];
  assert.ok(block, 'the Quick start has no ```sh block');
  return block
    .split('\n')
    .map((l) => l.replace(/\s+#\s.*$/, '').trim())
    .filter(Boolean);
}

test("the CI's command lines are the README's Quick start lines", async () => {
  const lines = await extract();
  assert.deepEqual(lines, quickStartLines(readFileSync(path.join(repoRoot, 'README.md'), 'utf8')));
  assert.equal(lines.length, 2, '.ci/run expects a build line and a test line');
  const [build, testLine] = lines;
  assert.match(build, /^\.\/scripts\/install-deps\.sh && npm ci && npm run build-proton$/);
  assert.match(
    testLine,
    /\.\/scripts\/install-deps\.sh --test && .*npm test$/,
    'the test line must install what the tests need first',
  );
  for (const line of lines) {
    const check = await execa('bash', ['-n', '-c', line], { reject: false });
    assert.equal(check.exitCode, 0, `not valid shell: ${line}\n${check.stderr}`);
  }
});

test('.ci/run takes its steps from .ci/readme-commands, not from lines of its own', () => {
  const run = readFileSync(path.join(repoRoot, '.ci', 'run'), 'utf8');
  assert.match(run, /readme-commands README\.md/);
  assert.match(run, /"build=\$\{lines\[0\]\}" "test=\$\{lines\[1\]\}"/);
  assert.doesNotMatch(
    run,
    /^\s*(npm (ci|test)|\.\/scripts\/install-deps\.sh)/m,
    '.ci/run must not run README steps itself',
  );
});

test('.ci/readme-commands takes the first sh block under Quick start only, without comments', async () => {
  const dir = writeFiles(tempDir('readme'), {
    'README.md': [
      '# x',
      '```sh',
      'not this',
      '```',
      '## Quick start',
      'text',
      '```sh',
      'make   # build it',
      '',
      "echo '#not a comment'",
      '```',
      '```sh',
      'nor this',
      '```',
      '## Other',
      '```sh',
      'no',
      '```',
      '',
    ].join('\n'),
  });
  assert.deepEqual(await extract(path.join(dir, 'README.md')), ['make', "echo '#not a comment'"]);
});
