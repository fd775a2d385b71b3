// SPDX-License-Identifier: MIT
// Reads templates/spec/*.json. File presence, JSON syntax and the shape of every file (SPEC_SHAPES: no
// unknown or missing keys, values of the right kind) are checked here; meaning is checked in spec-validate.ts.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SpecError } from './errors.ts';
import { SPEC_FILES, SPEC_SHAPES, type RawSpec } from './spec-schema.ts';
import { checkShape } from './spec-shape.ts';

export async function loadSpec(specDir: string): Promise<RawSpec> {
  const spec: Record<string, unknown> = {};
  for (const name of SPEC_FILES) {
    const file = path.join(specDir, `${name}.json`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new SpecError(
        `${name}.json`,
        `cannot read ${file}`,
        `restore the file or pass the right spec directory (--spec)`,
      );
    }
    try {
      spec[name] = JSON.parse(text);
    } catch (err) {
      throw new SpecError(`${name}.json`, `not valid JSON: ${(err as Error).message}`);
    }
    checkShape(`${name}.json`, spec[name], SPEC_SHAPES[name]);
  }
  return spec as unknown as RawSpec;
}
