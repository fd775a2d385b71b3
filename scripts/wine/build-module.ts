// SPDX-License-Identifier: MIT
// Standalone entry: node --import tsx scripts/wine/build-module.ts [--install] [--target wine-8.0] [--out DIR]
//   [--wine-prefix DIR] [--wine-lib DIR] [--build-dir DIR]
import { Listr } from 'listr2';
import { describe } from '../lib/errors.ts';
import { defaultOptions, usage, type WineModuleOptions } from './layout.ts';
import { wineModuleTasks } from './wine-tasks.ts';

export { wineModuleTasks } from './wine-tasks.ts';
export { defaultOptions, usage } from './layout.ts';

const VALUE_OPTIONS: Record<string, keyof WineModuleOptions> = {
  '--target': 'target',
  '--out': 'outDir',
  '--wine-prefix': 'winePrefix',
  '--wine-lib': 'wineLibDir',
  '--build-dir': 'buildDir',
};

function parse(argv: string[]): Partial<WineModuleOptions> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--install') o.install = true;
    else if (a === '--verbose' || a === '-v') o.verbose = true;
    else if (VALUE_OPTIONS[a] && i + 1 < argv.length) o[VALUE_OPTIONS[a]] = argv[++i];
    else
      throw new Error(
        `unknown option ${a}; use --install, --verbose, ${Object.keys(VALUE_OPTIONS)
          .map((k) => `${k} VALUE`)
          .join(', ')}`,
      );
  }
  return o as Partial<WineModuleOptions>;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let options: WineModuleOptions;
  try {
    options = defaultOptions(parse(process.argv.slice(2)));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const tasks = new Listr(wineModuleTasks(options), {
    renderer: process.stdout.isTTY ? 'default' : 'verbose',
    exitOnError: true,
  });
  tasks.run().then(
    () => console.log(`\n${usage(options)}`),
    (e: unknown) => {
      console.error(describe(e));
      process.exit(1);
    },
  );
}
