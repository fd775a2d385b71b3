// SPDX-License-Identifier: MIT
// The one policy table for which Wine versions the installed module may go into. Update it when the
// module's coverage changes (the Wine-versions work makes one module run on Wine 8 through 11).

/** Tested here (major.minor): Debian bookworm's Wine 8.0 and trixie's 10.0. */
export const TESTED: readonly string[] = ['8.0', '10.0'];
/** Wine majors the module is built to run on; others are refused unless --force. */
export const SUPPORTED_MAJORS = { min: 8, max: 11 } as const;

/** tested: install; untested: install with a warning; unsupported / unknown: refuse unless --force. */
export type Support = 'tested' | 'untested' | 'unsupported' | 'unknown';

export function supportOf(v: { major: number; minor: number } | undefined): Support {
  if (!v) return 'unknown';
  if (TESTED.includes(`${v.major}.${v.minor}`)) return 'tested';
  return v.major >= SUPPORTED_MAJORS.min && v.major <= SUPPORTED_MAJORS.max ? 'untested' : 'unsupported';
}
