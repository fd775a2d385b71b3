// SPDX-License-Identifier: MIT
// Task group: the code generator, loaded from scripts/generate/index.ts when it exists.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { ListrTask } from 'listr2';
import { UsageError } from '../lib/errors.ts';
import { text, titles } from '../lib/messages.ts';
import { paths, shown } from '../lib/paths.ts';

export interface GenerateRun {
  verbose: boolean;
  /** Extra arguments after the command, handed to the generator untouched. */
  args: string[];
  check: boolean;
}

type GenerateFn = (options: Record<string, unknown>) => unknown;

export async function loadGenerator(index = paths.generateIndex): Promise<GenerateFn> {
  if (!existsSync(index)) throw new UsageError(text.generateMissing(shown(index)));
  const mod = (await import(pathToFileURL(index).href)) as { generate?: unknown };
  if (typeof mod.generate !== 'function') throw new UsageError(text.generateNoExport(shown(index)));
  return mod.generate as GenerateFn;
}

export function generateTasks<Ctx>(g: GenerateRun): ListrTask<Ctx>[] {
  return [
    {
      title: titles.generate,
      task: async (_ctx, task) => {
        const generate = await loadGenerator();
        const result = await generate({
          verbose: g.verbose,
          check: g.check,
          args: g.args,
          log: (line: string) => { task.output = line; },
        });
        if (typeof result === 'string') task.output = result;
      },
    },
  ];
}
