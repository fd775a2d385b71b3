// SPDX-License-Identifier: MIT
// Command-line splitting for commands that hand arguments on to another program (ds-kit bench).
import type { ParseArgsConfig } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Splits a pass-through command's arguments into its own options and the ones it hands on. */
export function splitPassThrough(args: string[], options: Options): { own: string[]; rest: string[] } {
  const own: string[] = [];
  const rest: string[] = [];
  const byShort = new Map(
    Object.entries(options)
      .filter(([, o]) => o.short)
      .map(([name, o]) => [`-${o.short}`, name]),
  );
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      rest.push(...args.slice(i + 1));
      break;
    }
    const name = arg.startsWith('--') ? arg.slice(2).split('=')[0] : byShort.get(arg);
    const option = name === undefined ? undefined : options[name];
    if (!option) {
      rest.push(arg);
      continue;
    }
    own.push(arg);
    if (option.type === 'string' && !arg.includes('=') && i + 1 < args.length) own.push(args[++i]);
  }
  return { own, rest };
}
