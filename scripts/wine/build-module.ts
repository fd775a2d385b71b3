// SPDX-License-Identifier: MIT
// Standalone entry: node --import tsx scripts/wine/build-module.ts [--install] [--target wine-8.0] [--out DIR]
import { Listr } from 'listr2';
import { defaultOptions, usage } from './layout.ts';
import { wineModuleTasks } from './wine-tasks.ts';

export { wineModuleTasks } from './wine-tasks.ts';
export { defaultOptions, usage } from './layout.ts';

function parse(argv: string[]): Parameters<typeof defaultOptions>[0] {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--install') o.install = true;
    else if (a === '--target') o.target = argv[++i];
    else if (a === '--out') o.outDir = argv[++i];
    else if (a === '--wine-lib') o.wineLibDir = argv[++i];
    else throw new Error(`unknown option ${a}; use --install, --target NAME, --out DIR, --wine-lib DIR`);
  }
  return o;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const options = defaultOptions(parse(process.argv.slice(2)));
  const tasks = new Listr(wineModuleTasks(options), { renderer: process.stdout.isTTY ? 'default' : 'verbose', exitOnError: true });
  tasks.run().then(
    () => console.log(`\n${usage(options)}`),
    (e: Error) => { console.error(e.message); process.exit(1); },
  );
}
