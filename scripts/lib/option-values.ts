// SPDX-License-Identifier: MIT
// Checks of option values, before anything runs: a value outside the allowed set is a UsageError
// that lists the allowed values (and the closest one, for a typo).
import { UsageError } from './errors.ts';
import { text } from './messages.ts';
import { closest } from './suggest.ts';

/** `value` as spelt in `allowed` (matched without regard to case), or a UsageError listing them. */
export function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  const hit = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (hit) return hit;
  throw new UsageError(text.badChoice(option, value, allowed, closest(value, allowed)));
}

/** A whole number of at least 1 (--jobs). */
export function positiveInt(option: string, value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number.parseInt(value, 10) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(text.badNumber(option, value));
  return n;
}
