// SPDX-License-Identifier: MIT
// SDK version ordering and the since/until filter every spec entry goes through.
import type { Versioned } from './spec-schema.ts';

export class VersionOrder {
  private readonly order: string[];
  constructor(names: string[]) {
    this.order = names;
  }
  has(name: string): boolean {
    return this.order.includes(name);
  }
  index(name: string): number {
    return this.order.indexOf(name);
  }
  /** Is `entry` part of SDK `sdk`? since is inclusive, until exclusive. */
  includes(entry: Versioned, sdk: string): boolean {
    const at = this.index(sdk);
    if (entry.since && this.index(entry.since) > at) return false;
    if (entry.until && this.index(entry.until) <= at) return false;
    return true;
  }
  /** Picks the value of a per-version table ({"1.0": a, "1.1": b}) that applies to `sdk`. */
  pick<T>(table: Record<string, T>, sdk: string): T | undefined {
    let best: T | undefined;
    let bestAt = -1;
    for (const [name, value] of Object.entries(table)) {
      const at = this.index(name);
      if (at <= this.index(sdk) && at > bestAt) {
        best = value;
        bestAt = at;
      }
    }
    return best;
  }
}
