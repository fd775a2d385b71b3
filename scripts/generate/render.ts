// SPDX-License-Identifier: MIT
// The handlebars environment: strict mode (a missing model field throws), knownHelpersOnly (an unknown
// helper fails at compile time), no HTML escaping (we emit C). Partials come from templates/partials/.
import Handlebars from 'handlebars';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { TemplateError } from './errors.ts';

/** Helpers templates may call besides the built-ins (if, unless, each, with). Keep logic in model.ts. */
const HELPERS: Record<string, Handlebars.HelperDelegate> = {};

export interface Renderer {
  render(template: string, model: unknown): Promise<string>;
}

export async function createRenderer(templatesDir: string): Promise<Renderer> {
  const hbs = Handlebars.create();
  for (const [name, fn] of Object.entries(HELPERS)) hbs.registerHelper(name, fn);
  const partialsDir = path.join(templatesDir, 'partials');
  for (const file of (await readdir(partialsDir)).filter((f) => f.endsWith('.hbs')).sort()) {
    const source = await readFile(path.join(partialsDir, file), 'utf8');
    try {
      hbs.registerPartial(file.replace(/\.hbs$/, ''), hbs.compile(source, compileOptions()));
    } catch (err) {
      throw new TemplateError(`partials/${file}`, err);
    }
  }
  return {
    async render(template, model) {
      const source = await readFile(path.join(templatesDir, template), 'utf8').catch(() => {
        throw new TemplateError(template, new Error(`missing template file ${path.join(templatesDir, template)}`));
      });
      try {
        return hbs.compile(source, compileOptions())(model);
      } catch (err) {
        throw new TemplateError(template, err);
      }
    },
  };
}

function compileOptions(): CompileOptions {
  return {
    strict: true,
    knownHelpersOnly: true,
    knownHelpers: Object.fromEntries(Object.keys(HELPERS).map((h) => [h, true])),
    noEscape: true,
    preventIndent: true,
  };
}
