// SPDX-License-Identifier: MIT
// Parsing and spelling of the C type strings the spec uses: "UINT32", "const DSTORAGE_QUEUE_DESC*",
// "void**", "struct unix_request*", "handle:queue" (a UINT64 naming a Unix-side object).

export interface ParsedType {
  isConst: boolean;
  isStruct: boolean; // written "struct X" (kit-private structs of unixlib.h)
  base: string;
  pointers: number;
  handleOf: string | null; // "handle:<object>"
}

const TYPE_RE = /^(const\s+)?(struct\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(\**)$/;

export function parseType(text: string): ParsedType | null {
  const handle = /^handle:([a-z_]+)$/.exec(text);
  if (handle) return { isConst: false, isStruct: false, base: 'UINT64', pointers: 0, handleOf: handle[1] };
  const m = TYPE_RE.exec(text.trim());
  if (!m) return null;
  return { isConst: !!m[1], isStruct: !!m[2], base: m[3], pointers: m[4].length, handleOf: null };
}

export type Language = 'c' | 'cxx';

/** Spells a declaration: declare(parse("const char*"), "Name") -> "const char *Name". */
export function declare(
  t: ParsedType,
  name: string,
  lang: Language,
  rename: (base: string, lang: Language) => string,
): string {
  const base = `${t.isConst ? 'const ' : ''}${t.isStruct ? 'struct ' : ''}${rename(t.base, lang)}`;
  const stars = '*'.repeat(t.pointers);
  if (!name) return stars ? `${base} ${stars}` : base;
  return stars ? `${base} ${stars}${name}` : `${base} ${name}`;
}

/** x64 size and alignment of the scalar types unixlib.h uses, to pin its layouts with C_ASSERT. */
export const SCALAR_LAYOUT: Record<string, { size: number; align: number }> = {
  UINT8: { size: 1, align: 1 },
  INT8: { size: 1, align: 1 },
  UINT16: { size: 2, align: 2 },
  UINT32: { size: 4, align: 4 },
  INT32: { size: 4, align: 4 },
  HRESULT: { size: 4, align: 4 },
  BOOL: { size: 4, align: 4 },
  UINT64: { size: 8, align: 8 },
  INT64: { size: 8, align: 8 },
  int: { size: 4, align: 4 },
};

export function isPointer(t: ParsedType): boolean {
  return t.pointers > 0 || t.base === 'REFIID' || t.base === 'PCSTR' || t.base === 'HANDLE';
}
