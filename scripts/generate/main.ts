// SPDX-License-Identifier: MIT
// CLI: node --import tsx scripts/generate/main.ts [--out DIR] [--target wine-8.0|wine-current|all] [--sdk 1.0..1.4]
import { parseArgs } from 'node:util';
import { generate, OptionsError, SpecError, TemplateError } from './index.ts';

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        out: { type: 'string' },
        target: { type: 'string' },
        sdk: { type: 'string' },
        templates: { type: 'string' },
        spec: { type: 'string' },
        'runtime-header': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\nrun with --help for the options`);
    return 2;
  }
  if (values.help) {
    console.log(
      'usage: generate [--out build/generated] [--target wine-8.0|wine-current|all] [--sdk 1.4] [--templates DIR] [--spec DIR] [--runtime-header FILE]',
    );
    return 0;
  }
  try {
    const { files } = await generate({
      out: values.out,
      target: values.target,
      sdk: values.sdk,
      templatesDir: values.templates,
      specDir: values.spec,
      runtimeHeader: values['runtime-header'],
    });
    console.log(`generated ${files.length} files`);
    return 0;
  } catch (err) {
    if (err instanceof SpecError || err instanceof TemplateError || err instanceof OptionsError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}

process.exitCode = await main();
