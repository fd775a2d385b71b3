// SPDX-License-Identifier: MIT
// Valve's text KeyValues format (VDF) as Steam writes it: `"key" "value"` pairs and
// `"key" { ... }` blocks, tab-separated, `//` comments, `\\ \" \n \t` escapes in quoted strings.
// Bare (unquoted) tokens and `[$CONDITION]` suffixes are accepted as well; conditions are ignored.
// Keys are kept as written; use `child()` for the case-insensitive lookup Steam itself does.

export type VdfValue = string | VdfObject;
export interface VdfObject {
  [key: string]: VdfValue;
}

export class VdfError extends Error {
  constructor(file: string, line: number, what: string) {
    super(`${file}:${line}: ${what}`);
    this.name = 'VdfError';
  }
}

interface Token {
  kind: 'string' | 'open' | 'close';
  text: string;
  line: number;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', '"': '"' };

function tokenize(source: string, file: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\uFEFF') {
      i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (c === '{' || c === '}') {
      tokens.push({ kind: c === '{' ? 'open' : 'close', text: c, line });
      i++;
      continue;
    }
    if (c === '[') {
      // A platform condition such as [$WIN32] after a value: skipped, it never names a path we need.
      const end = source.indexOf(']', i);
      if (end < 0) throw new VdfError(file, line, "a '[' condition is never closed with ']'");
      i = end + 1;
      continue;
    }
    if (c === '"') {
      const start = line;
      let text = '';
      i++;
      for (;;) {
        if (i >= source.length) throw new VdfError(file, start, 'a quoted string is never closed (missing ")');
        const d = source[i];
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\' && i + 1 < source.length && ESCAPES[source[i + 1]] !== undefined) {
          text += ESCAPES[source[i + 1]];
          i += 2;
          continue;
        }
        if (d === '\n') line++;
        text += d;
        i++;
      }
      tokens.push({ kind: 'string', text, line: start });
      continue;
    }
    let text = '';
    while (i < source.length && !/[\s{}"]/.test(source[i])) text += source[i++];
    tokens.push({ kind: 'string', text, line });
  }
  return tokens;
}

/** Parses a whole VDF document into nested objects; throws VdfError naming the file and line. */
export function parseVdf(source: string, file = '<vdf>'): VdfObject {
  const tokens = tokenize(source, file);
  let pos = 0;
  const block = (depth: number, openedAt: number): VdfObject => {
    const out: VdfObject = {};
    for (;;) {
      const key = tokens[pos];
      if (key === undefined) {
        if (depth === 0) return out;
        throw new VdfError(file, openedAt, "a '{' block is never closed with '}'");
      }
      if (key.kind === 'close') {
        if (depth === 0) throw new VdfError(file, key.line, "a '}' has no matching '{'");
        pos++;
        return out;
      }
      if (key.kind === 'open') throw new VdfError(file, key.line, "a '{' block has no key before it");
      pos++;
      const value = tokens[pos];
      if (value === undefined) throw new VdfError(file, key.line, `the key "${key.text}" has no value`);
      if (value.kind === 'close') throw new VdfError(file, value.line, `the key "${key.text}" has no value before '}'`);
      pos++;
      // Steam keeps the first of duplicate keys; so do we.
      const parsed = value.kind === 'open' ? block(depth + 1, value.line) : value.text;
      if (!Object.hasOwn(out, key.text)) out[key.text] = parsed;
    }
  };
  return block(0, 1);
}

/** The value of `key` in `obj`, matched case-insensitively as Steam does ("LibraryFolders" = "libraryfolders"). */
export function child(obj: VdfObject | undefined, key: string): VdfValue | undefined {
  if (!obj) return undefined;
  const want = key.toLowerCase();
  const found = Object.keys(obj).find((k) => k.toLowerCase() === want);
  return found === undefined ? undefined : obj[found];
}

export const asObject = (v: VdfValue | undefined): VdfObject | undefined => (typeof v === 'object' ? v : undefined);

/** Writes nested objects the way Steam does: quoted keys and values, tabs, one pair per line. */
export function formatVdf(obj: VdfObject, depth = 0): string {
  const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const pad = '\t'.repeat(depth);
  return Object.entries(obj)
    .map(([k, v]) =>
      typeof v === 'string'
        ? `${pad}${quote(k)}\t\t${quote(v)}\n`
        : `${pad}${quote(k)}\n${pad}{\n${formatVdf(v, depth + 1)}${pad}}\n`,
    )
    .join('');
}
