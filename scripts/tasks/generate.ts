// SPDX-License-Identifier: MIT
// Task group: the code generator, generate(options) from scripts/generate/index.ts.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ListrTask } from 'listr2';
import { generatorFailure, UsageError } from '../lib/errors.ts';
import { text, titles } from '../lib/messages.ts';
import { paths, shown } from '../lib/paths.ts';

/** The options scripts/generate/index.ts's generate() takes; unset ones keep its defaults. */
export interface GenerateRun {
  out?: string;
  target?: string;
  sdk?: string;
}

type GenerateFn = (options: GenerateRun) => unknown;

export async function loadGenerator(index = paths.generateIndex): Promise<GenerateFn> {
  if (!existsSync(index)) throw new UsageError(text.generateMissing(shown(index)));
  const mod = (await import(pathToFileURL(index).href)) as { generate?: unknown };
  if (typeof mod.generate !== 'function') throw new UsageError(text.generateNoExport(shown(index)));
  return mod.generate as GenerateFn;
}

/** The deepest directory holding every file. */
export function commonDir(files: string[]): string {
  const split = files.map((f) => path.dirname(f).split(path.sep));
  const first = split[0] ?? [];
  let n = 0;
  while (n < first.length && split.every((parts) => parts[n] === first[n])) n++;
  return first.slice(0, n).join(path.sep) || path.sep;
}

export function generateTasks<Ctx>(g: GenerateRun): ListrTask<Ctx>[] {
  return [
    {
      title: titles.generate,
      task: async (_ctx, task) => {
        const generate = await loadGenerator();
        const options = Object.fromEntries(Object.entries(g).filter(([, v]) => v !== undefined)) as GenerateRun;
        let result: unknown;
        try {
          result = await generate(options);
        } catch (error) {
          throw generatorFailure(error);
        }
        const files = (result as { files?: string[] } | undefined)?.files;
        if (files?.length) {
          task.output = text.generated(files.length, shown(commonDir(files)));
        }
      },
      rendererOptions: { persistentOutput: true },
    } as ListrTask<Ctx>,
  ];
}
