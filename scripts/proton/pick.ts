// SPDX-License-Identifier: MIT
// Asks the user which of several Protons to act on (only when stdin and stdout are a terminal).
import { createInterface } from 'node:readline/promises';
import { UsageError } from '../lib/errors.ts';
import { protonText } from './messages.ts';

/** "1 3", "1,3", "a"/"all", "" (none): the chosen indexes (0-based), or an error naming the answer. */
export function parsePick(answer: string, count: number): number[] {
  const a = answer.trim().toLowerCase();
  if (a === '') return [];
  if (a === 'a' || a === 'all') return [...Array(count).keys()];
  const words = a.split(/[\s,]+/).filter(Boolean);
  const picked = words.map(Number);
  if (picked.some((n) => !Number.isInteger(n) || n < 1 || n > count))
    throw new UsageError(protonText.pickBad(answer.trim(), count));
  return [...new Set(picked)].sort((x, y) => x - y).map((n) => n - 1);
}

export async function askWhich(lines: string[], verb: string): Promise<number[]> {
  process.stdout.write(`${lines.map((l, i) => `  ${String(i + 1).padStart(2)}) ${l}`).join('\n')}\n`);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return parsePick(await rl.question(protonText.pickPrompt(verb)), lines.length);
  } finally {
    rl.close();
  }
}

export const canAsk = (): boolean => Boolean(process.stdin.isTTY && process.stdout.isTTY);
