// SPDX-License-Identifier: MIT
// Just enough of the PE format to list a DLL's imports (by name) and exports: headers, the section
// table, the import and export directories. Every offset is bounds-checked; a file that is not a
// well-formed PE throws PeError, never reads past the buffer.
import { readFileSync } from 'node:fs';

export class PeError extends Error {
  constructor(file: string, what: string) {
    super(`${file} is not a readable PE file (${what})`);
    this.name = 'PeError';
  }
}

export interface PeImports {
  /** Lower-case DLL name → the function names imported from it (ordinal imports are left out). */
  byDll: Map<string, string[]>;
}

interface Section {
  va: number;
  size: number;
  raw: number;
  rawSize: number;
}

const MAX_ENTRIES = 1 << 16;

class PeReader {
  readonly sections: Section[] = [];
  readonly pe32plus: boolean;
  private readonly dirs: { rva: number; size: number }[] = [];

  constructor(
    private readonly buf: Buffer,
    private readonly file: string,
  ) {
    if (buf.length < 0x40 || buf.toString('latin1', 0, 2) !== 'MZ') throw new PeError(file, 'no MZ header');
    const pe = this.u32(0x3c);
    if (this.str(pe, 4) !== 'PE\0\0') throw new PeError(file, 'no PE signature');
    const sectionCount = this.u16(pe + 6);
    const optionalSize = this.u16(pe + 20);
    const optional = pe + 24;
    const magic = this.u16(optional);
    if (magic !== 0x20b && magic !== 0x10b)
      throw new PeError(file, `unknown optional header magic 0x${magic.toString(16)}`);
    this.pe32plus = magic === 0x20b;
    const dirCount = Math.min(this.u32(optional + (this.pe32plus ? 108 : 92)), 16);
    const dirBase = optional + (this.pe32plus ? 112 : 96);
    for (let i = 0; i < dirCount; i++)
      this.dirs.push({ rva: this.u32(dirBase + i * 8), size: this.u32(dirBase + i * 8 + 4) });
    const table = optional + optionalSize;
    for (let i = 0; i < sectionCount; i++) {
      const s = table + i * 40;
      this.sections.push({
        size: this.u32(s + 8),
        va: this.u32(s + 12),
        rawSize: this.u32(s + 16),
        raw: this.u32(s + 20),
      });
    }
  }

  private check(off: number, len: number): void {
    if (!Number.isInteger(off) || off < 0 || off + len > this.buf.length)
      throw new PeError(this.file, `offset ${off} is outside the file`);
  }
  u16(off: number): number {
    this.check(off, 2);
    return this.buf.readUInt16LE(off);
  }
  u32(off: number): number {
    this.check(off, 4);
    return this.buf.readUInt32LE(off);
  }
  u64(off: number): bigint {
    this.check(off, 8);
    return this.buf.readBigUInt64LE(off);
  }
  str(off: number, len: number): string {
    this.check(off, len);
    return this.buf.toString('latin1', off, off + len);
  }

  /** A NUL-terminated name at an RVA. */
  name(rva: number): string {
    const start = this.offset(rva);
    const end = this.buf.indexOf(0, start);
    if (end < 0 || end - start > 4096) throw new PeError(this.file, `unterminated name at RVA 0x${rva.toString(16)}`);
    return this.buf.toString('latin1', start, end);
  }

  offset(rva: number): number {
    const s = this.sections.find((x) => rva >= x.va && rva < x.va + Math.max(x.size, x.rawSize));
    if (!s || rva - s.va >= s.rawSize)
      throw new PeError(this.file, `RVA 0x${rva.toString(16)} is in no section's file data`);
    return s.raw + (rva - s.va);
  }

  dir(index: number): { rva: number; size: number } | undefined {
    const d = this.dirs[index];
    return d && d.rva !== 0 ? d : undefined;
  }
}

function reader(file: string): PeReader {
  return new PeReader(readFileSync(file), file);
}

export function readImports(file: string): PeImports {
  const pe = reader(file);
  const byDll = new Map<string, string[]>();
  const dir = pe.dir(1);
  if (!dir) return { byDll };
  const width = pe.pe32plus ? 8 : 4;
  for (let i = 0, desc = pe.offset(dir.rva); i < MAX_ENTRIES; i++, desc += 20) {
    const lookup = pe.u32(desc);
    const nameRva = pe.u32(desc + 12);
    const thunks = pe.u32(desc + 16);
    if (lookup === 0 && nameRva === 0 && thunks === 0) break;
    const dll = pe.name(nameRva).toLowerCase();
    const names = byDll.get(dll) ?? [];
    for (let j = 0, t = pe.offset(lookup || thunks); j < MAX_ENTRIES; j++, t += width) {
      const entry = pe.pe32plus ? pe.u64(t) : BigInt(pe.u32(t));
      if (entry === 0n) break;
      const byOrdinal = pe.pe32plus ? entry >> 63n === 1n : entry >> 31n === 1n;
      if (!byOrdinal) names.push(pe.name(Number(entry & 0x7fffffffn) + 2));
    }
    byDll.set(dll, names);
  }
  return { byDll };
}

export function readExports(file: string): Set<string> {
  const pe = reader(file);
  const out = new Set<string>();
  const dir = pe.dir(0);
  if (!dir) return out;
  const base = pe.offset(dir.rva);
  const count = Math.min(pe.u32(base + 24), MAX_ENTRIES);
  const names = pe.offset(pe.u32(base + 32));
  for (let i = 0; i < count; i++) out.add(pe.name(pe.u32(names + i * 4)));
  return out;
}
