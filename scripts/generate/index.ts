// SPDX-License-Identifier: MIT
// generate(): spec -> validation -> model -> templates -> build/generated/<target>/.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OptionsError } from './errors.ts';
import { buildModel } from './model.ts';
import { createRenderer } from './render.ts';
import { readRuntimeRequestFields } from './runtime-abi.ts';
import { loadSpec } from './spec-load.ts';
import { validateSpec } from './spec-validate.ts';
import { stampFor, tidy } from './stamp.ts';
import { OUTPUTS, resolveTargets } from './targets.ts';

export { SpecError, TemplateError, OptionsError } from './errors.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface GenerateOptions {
  /** Output root; files go to <out>/<target>/. Default build/generated. */
  out?: string;
  /** wine-8.0, wine-current or all (default). */
  target?: string;
  /** DirectStorage SDK layout of the public headers (default: the spec's latest). Older SDKs get headers only. */
  sdk?: string;
  /** Overrides for tests. */
  templatesDir?: string;
  specDir?: string;
  runtimeHeader?: string;
}

export async function generate(options: GenerateOptions = {}): Promise<{ files: string[] }> {
  const templatesDir = path.resolve(options.templatesDir ?? path.join(REPO_ROOT, 'templates'));
  const specDir = path.resolve(options.specDir ?? path.join(templatesDir, 'spec'));
  const out = path.resolve(options.out ?? path.join(REPO_ROOT, 'build/generated'));
  const runtimeHeader = path.resolve(options.runtimeHeader ?? path.join(REPO_ROOT, 'runtime/include/ds_runtime.h'));

  const spec = await loadSpec(specDir);
  validateSpec(spec, await readRuntimeRequestFields(runtimeHeader));
  const sdk = options.sdk ?? spec.sdk.latest;
  if (!spec.sdk.versions.some((v) => v.name === sdk))
    throw new OptionsError(
      `unknown DirectStorage SDK "${sdk}": use one of ${spec.sdk.versions.map((v) => v.name).join(', ')}`,
    );
  const renderer = await createRenderer(templatesDir);

  const files: string[] = [];
  for (const target of resolveTargets(options.target)) {
    const model = buildModel(spec, { sdk, target, generator: 'scripts/generate' });
    for (const output of OUTPUTS) {
      if (!output.publicHeader && sdk !== spec.sdk.latest) continue; // the module always implements the latest SDK
      const body = await renderer.render(output.template, model);
      const stamp = stampFor(output.path, {
        template: output.template,
        specVersion: spec.sdk.specVersion,
        sdk,
        target: target.name,
      });
      const file = path.join(out, target.name, output.path);
      await mkdir(path.dirname(file), { recursive: true });
      // Unchanged output keeps its mtime, so builds that depend on it stay up to date.
      const text = stamp + tidy(body);
      if ((await readFile(file, 'utf8').catch(() => undefined)) !== text) await writeFile(file, text);
      files.push(file);
    }
  }
  return { files };
}
