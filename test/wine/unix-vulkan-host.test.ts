// SPDX-License-Identifier: MIT
// unix_vulkan_host.c (the host Vulkan handles behind winevulkan's client handles, GPU path vulkan)
// on its own: test/wine/unix/vulkan_host_check.c builds winevulkan-shaped objects in the Wine 8/9
// and Wine >= 10 layouts and hostile ones (unmapped memory, a guard page, wrong parents, a wrong
// queue family), compiled with the flags the module's Unix side was built with. Runs in CI (no
// Wine process, no GPU needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { Listr } from 'listr2';
import { repoRoot } from '../../scripts/lib/paths.ts';
import { defaultOptions, wineModuleTasks } from '../../scripts/wine/build-module.ts';
import { sideBuildDir } from '../../scripts/wine/layout.ts';

test('unix_vulkan_host.c finds host handles in both layouts and refuses what does not fit', {
  timeout: 600_000,
}, async () => {
  const options = defaultOptions();
  await new Listr(wineModuleTasks(options), { renderer: 'silent', exitOnError: true }).run();
  // The Unix side's own include paths and definitions (Wine's headers, the generated headers).
  const commands = JSON.parse(readFileSync(join(sideBuildDir(options, 'unix'), 'compile_commands.json'), 'utf8')) as {
    file: string;
    command: string;
  }[];
  const entry = commands.find((c) => c.file.endsWith('/unix_vulkan_host.c'));
  assert.ok(entry, 'unix_vulkan_host.c is not in the Unix side build');
  const flags = entry.command.split(/\s+/).filter((a) => /^-[ID]/.test(a));
  const exe = join(repoRoot, 'build/wine-tests-unix/vulkan_host_check');
  await execa('mkdir', ['-p', join(repoRoot, 'build/wine-tests-unix')]);
  const cc = await execa(
    'gcc',
    [
      '-O1',
      '-g',
      '-Wall',
      ...flags,
      join(repoRoot, 'test/wine/unix/vulkan_host_check.c'),
      join(repoRoot, 'wine-patches/dlls/dstorage/unix_vulkan_host.c'),
      '-o',
      exe,
      '-ldl',
    ],
    { reject: false, all: true },
  );
  assert.equal(cc.exitCode, 0, `compiling the check failed:\n${cc.all}`);
  const r = await execa(exe, [], { reject: false, all: true, timeout: 60_000 });
  assert.equal(r.exitCode, 0, `vulkan_host_check exited ${r.exitCode}:\n${r.all}`);
  assert.match(r.all ?? '', /vulkan_host_check: all checks passed/);
});
