// SPDX-License-Identifier: MIT
// Reads the field names of `ds_request` from runtime/include/ds_runtime.h, so the mapping in
// templates/spec/mapping.json is checked against the runtime's real C ABI, not a copy of it.
import { readFile } from 'node:fs/promises';
import { SpecError } from './errors.ts';

export async function readRuntimeRequestFields(header: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(header, 'utf8');
  } catch {
    throw new SpecError(
      'mapping.json',
      `cannot read the runtime header ${header}`,
      'pass --runtime-header or restore runtime/include/ds_runtime.h',
    );
  }
  const body = /typedef struct ds_request \{([\s\S]*?)\} ds_request;/.exec(text);
  if (!body) throw new SpecError('mapping.json', `no "typedef struct ds_request { ... } ds_request;" in ${header}`);
  const fields: string[] = [];
  for (const line of body[1].replace(/\/\*[\s\S]*?\*\//g, '').split(';')) {
    const m = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(line.trim());
    if (m) fields.push(m[1]);
  }
  return fields;
}
