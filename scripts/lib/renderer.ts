// SPDX-License-Identifier: MIT
// The listr2 renderer is chosen here, once: silent under tests, plain lines without a TTY, under
// CI or with --verbose, the live renderer on an interactive terminal.
export type RendererName = 'default' | 'simple' | 'verbose' | 'silent';

export interface RendererEnvironment {
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  verbose: boolean;
}

const NAMES: readonly RendererName[] = ['default', 'simple', 'verbose', 'silent'];

export function chooseRenderer({ env, isTTY, verbose }: RendererEnvironment): RendererName {
  const forced = env.DS_KIT_RENDERER as RendererName | undefined;
  if (forced && NAMES.includes(forced)) return forced;
  // node --test marks its child processes; CLI runs inside tests print nothing.
  if (env.NODE_TEST_CONTEXT) return 'silent';
  // --verbose prints every command and output line, which a live display would overwrite.
  if (verbose) return 'verbose';
  return !isTTY || isCI(env) ? 'simple' : 'default';
}

export function isCI(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}
