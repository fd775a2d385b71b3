// SPDX-License-Identifier: MIT
// The Debian trixie system with Wine 10.0 that the tests share (made once by wine-chroot.sh, cached by
// suite and package list): test/wine/wine10.test.ts runs the test programs in it, and
// test/scripts/proton/wine-proton.test.ts a Proton-shaped directory holding its Wine.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../../scripts/lib/paths.ts';

export const TRIXIE_SUITE = 'trixie';
export const TRIXIE_PACKAGES = ['wine', 'wine64', 'xvfb', 'xauth', 'mesa-vulkan-drivers', 'libvulkan1'];
export const chrootCacheDir = process.env.DS_KIT_CHROOT_CACHE ?? '/var/cache/ds-kit';
export const chrootScript = join(repoRoot, 'test/wine/wine-chroot.sh');

/** The trixie system's directory, made on first use (minutes); fails saying why when it cannot be. */
export async function ensureTrixie(): Promise<string> {
  const made = await execa(chrootScript, ['ensure', chrootCacheDir, TRIXIE_SUITE, ...TRIXIE_PACKAGES], {
    reject: false,
    timeout: 1_500_000,
  });
  assert.equal(
    made.exitCode,
    0,
    `no Debian ${TRIXIE_SUITE} system with Wine 10.0 for this test (exit ${made.exitCode}):\n${made.stderr}`,
  );
  const root = made.stdout.trim().split('\n').pop() ?? '';
  assert.ok(existsSync(join(root, 'usr/bin/wine')), `wine-chroot.sh printed ${root}, which holds no usr/bin/wine`);
  return root;
}
