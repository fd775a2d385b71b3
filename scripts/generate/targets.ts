// SPDX-License-Identifier: MIT
// The Wine generations the generator writes for, and what differs between them.
import { OptionsError } from './errors.ts';

export interface TargetInfo {
  name: string;
  /** Makefile.in source variable: Wine 8.0 has C_SRCS (spec implicit); from ~8.15 SOURCES. */
  sourcesVariable: 'C_SRCS' | 'SOURCES';
  /** From ~10.11 the .spec is listed in SOURCES. */
  specInSources: boolean;
  /** From ~8.5 the PE side has __wine_init_unix_call() and WINE_UNIX_CALL(); 8.0 queries MemoryWineUnixFuncs itself. */
  initUnixCall: boolean;
}

export const TARGETS: Record<string, TargetInfo> = {
  'wine-8.0': { name: 'wine-8.0', sourcesVariable: 'C_SRCS', specInSources: false, initUnixCall: false },
  'wine-current': { name: 'wine-current', sourcesVariable: 'SOURCES', specInSources: true, initUnixCall: true },
};

export function resolveTargets(target: string | undefined): TargetInfo[] {
  if (target === undefined || target === 'all')
    return Object.keys(TARGETS)
      .sort()
      .map((t) => TARGETS[t]);
  const info = TARGETS[target];
  if (!info)
    throw new OptionsError(`unknown target "${target}": use one of ${Object.keys(TARGETS).sort().join(', ')} or all`);
  return [info];
}

/** Output files per target: template (under templates/) -> path (under build/generated/<target>/). */
export const OUTPUTS: { template: string; path: string; publicHeader: boolean }[] = [
  { template: 'wine/include/dstorage.h.hbs', path: 'include/dstorage.h', publicHeader: true },
  { template: 'wine/include/dstorageerr.h.hbs', path: 'include/dstorageerr.h', publicHeader: true },
  { template: 'wine/dlls/dstorage/dstorage.spec.hbs', path: 'dlls/dstorage/dstorage.spec', publicHeader: false },
  { template: 'wine/dlls/dstorage/unixlib.h.hbs', path: 'dlls/dstorage/unixlib.h', publicHeader: false },
  {
    template: 'wine/dlls/dstorage/dstorage_private_gen.h.hbs',
    path: 'dlls/dstorage/dstorage_private_gen.h',
    publicHeader: false,
  },
  { template: 'wine/dlls/dstorage/dstorage_gen.c.hbs', path: 'dlls/dstorage/dstorage_gen.c', publicHeader: false },
  {
    template: 'wine/dlls/dstorage/unix_private_gen.h.hbs',
    path: 'dlls/dstorage/unix_private_gen.h',
    publicHeader: false,
  },
  {
    template: 'wine/dlls/dstorage/unix_dispatch_gen.c.hbs',
    path: 'dlls/dstorage/unix_dispatch_gen.c',
    publicHeader: false,
  },
  {
    template: 'wine/dlls/dstorage/unix_translate_gen.c.hbs',
    path: 'dlls/dstorage/unix_translate_gen.c',
    publicHeader: false,
  },
  { template: 'wine/dlls/dstorage/Makefile.in.hbs', path: 'dlls/dstorage/Makefile.in', publicHeader: false },
];
