// SPDX-License-Identifier: MIT
// The environment test programs run under: CI turns "skip when missing" into "fail when missing",
// Vulkan goes to lavapipe on GPU-less CI machines, sanitizers stop at the first report.
import { existsSync } from 'node:fs';
import { isCI } from './renderer.ts';
import { paths } from './paths.ts';
import { firstExisting } from './tools.ts';

export type Variant = 'release' | 'asan' | 'tsan' | string;

const LAVAPIPE_ICDS = ['/usr/share/vulkan/icd.d/lvp_icd.x86_64.json', '/usr/share/vulkan/icd.d/lvp_icd.json'];

export function testEnv(variant: Variant, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  if (isCI(env)) {
    out.DS_REQUIRE_VULKAN = '1';
    out.DS_REQUIRE_IO_URING = '1';
    const lavapipe = firstExisting(LAVAPIPE_ICDS);
    if (lavapipe && !env.VK_DRIVER_FILES && !env.VK_ICD_FILENAMES) {
      out.VK_DRIVER_FILES = lavapipe;
      out.VK_ICD_FILENAMES = lavapipe; // older loaders read only this name
    }
  }
  if (variant === 'asan') {
    // Full malloc stacks: leak reports name their callers and suppressions can match them.
    out.ASAN_OPTIONS = env.ASAN_OPTIONS ?? 'detect_leaks=1:fast_unwind_on_malloc=0';
    out.UBSAN_OPTIONS = env.UBSAN_OPTIONS ?? 'halt_on_error=1:print_stacktrace=1';
    // ASan's slow malloc unwinding deadlocks inside libgcc (_Unwind_Find_FDE takes its object lock,
    // mallocs, and the malloc unwinds again) once llvmpipe registers the frames of a shader it
    // JIT-compiles at dispatch time. Shader copies dispatch in nearly every Vulkan test, so this run
    // makes its test devices without bufferDeviceAddress (runtime/tests/test_util.h); the release
    // and TSan runs test shader copies.
    out.DS_TEST_SHADER_COPIES = env.DS_TEST_SHADER_COPIES ?? '0';
    if (!env.LSAN_OPTIONS && existsSync(paths.lsanSuppressions)) {
      out.LSAN_OPTIONS = `suppressions=${paths.lsanSuppressions}:print_suppressions=0`;
    }
  }
  if (variant === 'tsan') {
    const suppressions = existsSync(paths.tsanSuppressions) ? `:suppressions=${paths.tsanSuppressions}` : '';
    out.TSAN_OPTIONS = env.TSAN_OPTIONS ?? `halt_on_error=1:second_deadlock_stack=1${suppressions}`;
    // Every ctest program runs under TSan, the Vulkan ones on lavapipe: waits get longer.
    out.DS_TEST_TIMEOUT_SCALE = env.DS_TEST_TIMEOUT_SCALE ?? '4';
  }
  return out;
}
