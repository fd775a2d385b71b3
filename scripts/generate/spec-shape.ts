// SPDX-License-Identifier: MIT
// A small schema language for the spec files and its strict checker: every object lists its keys,
// so an unknown or misspelt key anywhere ("sinec" for "since") is an error that names the file, the
// JSON path and the key. `obj<T>()` ties a schema to its TypeScript interface in spec-schema.ts: a
// key missing from either side, or optional on one side only, fails `npm run typecheck`.
import { closest } from '../lib/suggest.ts';
import { SpecError } from './errors.ts';

export type Shape =
  | { kind: 'string'; optional?: boolean; values?: readonly string[] }
  | { kind: 'number'; optional?: boolean; integer?: boolean }
  | { kind: 'boolean'; optional?: boolean }
  | { kind: 'array'; optional?: boolean; item: Shape; minItems?: number }
  | { kind: 'object'; optional?: boolean; fields: Record<string, Shape> }
  | { kind: 'record'; optional?: boolean; value: Shape }
  | { kind: 'oneOf'; optional?: boolean; options: Shape[] };

type Required = Shape & { optional?: false };
type Optional = Shape & { optional: true };

export const str: Required = { kind: 'string' };
export const num: Required = { kind: 'number' };
export const int: Required = { kind: 'number', integer: true };
export const bool: Required = { kind: 'boolean' };
export const literal = (...values: string[]): Required => ({ kind: 'string', values });
export const arr = (item: Shape, minItems?: number): Required => ({ kind: 'array', item, minItems });
export const record = (value: Shape): Required => ({ kind: 'record', value });
export const oneOf = (...options: Shape[]): Required => ({ kind: 'oneOf', options });
export const opt = (shape: Shape): Optional => ({ ...shape, optional: true }) as Optional;

/** An object with exactly the keys of T (optional where T's are); `$comment` is allowed anywhere. */
export function obj<T>(fields: { [K in keyof T]-?: undefined extends T[K] ? Optional : Required }): Required {
  return { kind: 'object', fields: fields as Record<string, Shape> };
}

const describeShape = (s: Shape): string => {
  switch (s.kind) {
    case 'string':
      return s.values ? s.values.map((v) => JSON.stringify(v)).join(' or ') : 'a string';
    case 'number':
      return s.integer ? 'a whole number' : 'a number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'an array';
    case 'object':
      return 'an object';
    case 'record':
      return 'an object';
    case 'oneOf':
      return s.options.map(describeShape).join(' or ');
  }
};

const typeName = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : JSON.stringify(v);

/** JSON path of a child: `.key`, `["odd key"]` or `[3]`, with the entry's name when it has one. */
const child = (path: string, key: string | number, value: unknown): string => {
  const step =
    typeof key === 'number' ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  const name =
    value && typeof value === 'object' && !Array.isArray(value) ? (value as { name?: unknown }).name : undefined;
  return `${path}${step}${typeof key === 'number' && typeof name === 'string' ? ` (${name})` : ''}`;
};

/** Problems of `value` against `shape`, as [path, problem, fix?]; empty when it fits. */
function problems(value: unknown, shape: Shape, path: string): [string, string, string?][] {
  switch (shape.kind) {
    case 'string':
      if (typeof value !== 'string') return [[path, `expected ${describeShape(shape)}, found ${typeName(value)}`]];
      if (shape.values && !shape.values.includes(value))
        return [[path, `"${value}" is not allowed`, `use ${describeShape(shape)}`]];
      return [];
    case 'number':
      if (typeof value !== 'number' || (shape.integer && !Number.isInteger(value)))
        return [[path, `expected ${describeShape(shape)}, found ${typeName(value)}`]];
      return [];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [[path, `expected true or false, found ${typeName(value)}`]];
    case 'array':
      if (!Array.isArray(value)) return [[path, `expected an array, found ${typeName(value)}`]];
      if (shape.minItems !== undefined && value.length < shape.minItems)
        return [[path, `expected at least ${shape.minItems} items, found ${value.length}`]];
      return value.flatMap((item, i) => problems(item, shape.item, child(path, i, item)));
    case 'record':
      if (!value || typeof value !== 'object' || Array.isArray(value))
        return [[path, `expected an object, found ${typeName(value)}`]];
      return Object.entries(value).flatMap(([k, v]) => problems(v, shape.value, child(path, k, v)));
    case 'object': {
      if (!value || typeof value !== 'object' || Array.isArray(value))
        return [[path, `expected an object, found ${typeName(value)}`]];
      const known = Object.keys(shape.fields);
      const out: [string, string, string?][] = [];
      for (const key of Object.keys(value)) {
        if (key === '$comment' || key in shape.fields) continue;
        const near = closest(key, known);
        out.push([
          path,
          `unknown key "${key}"`,
          near ? `did you mean "${near}"? (allowed: ${known.join(', ')})` : `allowed keys: ${known.join(', ')}`,
        ]);
      }
      for (const [key, field] of Object.entries(shape.fields)) {
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined) {
          if (!field.optional) out.push([path, `missing key "${key}" (${describeShape(field)})`]);
          continue;
        }
        out.push(...problems(v, field, child(path, key, v)));
      }
      return out;
    }
    case 'oneOf': {
      const tries = shape.options.map((o) => problems(value, o, path));
      if (tries.some((t) => t.length === 0)) return [];
      // The option whose problems lie deepest is the one the author meant.
      return tries.sort((a, b) => Math.max(...b.map((p) => p[0].length)) - Math.max(...a.map((p) => p[0].length)))[0];
    }
  }
}

/** Throws a SpecError for the first problem, naming the file, the JSON path and the key. */
export function checkShape(file: string, value: unknown, shape: Shape): void {
  const [first] = problems(value, shape, '$');
  if (first) throw new SpecError(`${file} at ${first[0]}`, first[1], first[2]);
}
