// SPDX-License-Identifier: MIT
// `ds-kit bench --wine`: the Wine module's own benchmark (bench/wine/bench_module.c) under Wine, with
// the module loaded builtin from build/wine-module. Builds the module and the program, makes a
// prefix in build/bench-wine/prefix on first use, then runs the program under `xvfb-run -a wine`.
// Arguments are the program's (--quick, --mib N, --reps N, --dir DIR). Environment:
//   DS_KIT_BENCH_D3D12_DIR  a folder with a native d3d12.dll + d3d12core.dll (vkd3d-proton) to use
//                           instead of Wine's own d3d12 (copied beside the program, loaded native)
//   WINEDEBUG, VKD3D_CONFIG, DS_KIT_STAGING_HEAP, ... pass through to the program.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Listr } from 'listr2';
import { capture, runCommand } from '../lib/exec.ts';
import { paths, repoRoot } from '../lib/paths.ts';
import { defaultOptions } from '../wine/layout.ts';
import { wineModuleTasks } from '../wine/wine-tasks.ts';

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    log(
      'usage: ds-kit bench --wine [-- --quick | --mib N | --reps N | --dir DIR | --only plain|gdeflate | --size KIB | --dest buffer | --format gdeflate|zstd | --data texture|mixed | --threads]\n' +
        '  runs bench/wine/bench_module.c under Wine; DS_KIT_BENCH_D3D12_DIR=DIR uses the d3d12.dll in DIR (vkd3d-proton)',
    );
    return 0;
  }
  const options = defaultOptions();
  await new Listr(wineModuleTasks(options), { renderer: 'silent', exitOnError: true }).run();
  const outDir = path.join(repoRoot, 'build/bench-wine');
  const exe = path.join(outDir, 'bench_module.exe');
  mkdirSync(outDir, { recursive: true });
  const cc = await capture({
    file: 'x86_64-w64-mingw32-gcc',
    args: [
      '-O2',
      '-Wall',
      '-Wno-unused-function',
      '-I',
      path.join(repoRoot, 'build/generated', options.target, 'include'),
      path.join(repoRoot, 'bench/wine/bench_module.c'),
      path.join(options.outDir, 'dstorage.dll'),
      '-o',
      exe,
      '-ld3d12',
      '-ldxguid',
    ],
  });
  if (!cc.ok) {
    log(`compiling bench/wine/bench_module.c failed:\n${cc.all}`);
    return 1;
  }
  // Wine 8.0 takes a WINEDLLPATH builtin for a DLL only when a file of that name is on the search path.
  copyFileSync(path.join(options.outDir, 'dstorage.dll'), path.join(outDir, 'dstorage.dll'));
  let overrides = 'dstorage,dstoragecore=b';
  const d3d12Dir = process.env.DS_KIT_BENCH_D3D12_DIR;
  if (d3d12Dir) {
    for (const dll of ['d3d12.dll', 'd3d12core.dll']) {
      if (!existsSync(path.join(d3d12Dir, dll))) {
        log(`DS_KIT_BENCH_D3D12_DIR=${d3d12Dir} has no ${dll}; build vkd3d-proton first (docs/performance.md).`);
        return 1;
      }
      copyFileSync(path.join(d3d12Dir, dll), path.join(outDir, dll));
    }
    overrides = `d3d12,d3d12core=n;${overrides}`;
  }
  const env = {
    ...process.env,
    WINEPREFIX: path.join(outDir, 'prefix'),
    WINEDEBUG: process.env.WINEDEBUG ?? '-all',
    WINEDLLOVERRIDES: overrides,
    WINEDLLPATH: options.outDir,
  };
  if (!existsSync(path.join(env.WINEPREFIX, 'system.reg'))) {
    // Without Mono and Gecko: their installers would wait for a click in the invisible X server.
    const boot = await capture({
      file: 'wineboot',
      args: ['-i'],
      env: { ...env, WINEDLLOVERRIDES: 'mscoree,mshtml=' },
    });
    if (!boot.ok) {
      log(`creating the Wine prefix ${env.WINEPREFIX} failed:\n${boot.all}`);
      return 1;
    }
  }
  log(
    `bench_module under Wine (${d3d12Dir ? `native d3d12 from ${d3d12Dir}` : "Wine's own d3d12"}), module ${options.outDir}`,
  );
  // The program's lines go to stdout as they come (ds-kit bench keeps them in build/logs/bench.log)
  // and to build/logs/bench-wine-program.log; a non-zero exit is reported with that log's tail.
  await runCommand(
    { file: 'xvfb-run', args: ['-a', 'wine', exe, '--dir', outDir, ...args], cwd: outDir, env },
    {
      step: 'bench-wine-program',
      title: 'bench_module.exe under Wine',
      logDir: paths.logDir,
      verbose: false,
      report: (line) => log(line),
    },
  );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    log(String(e));
    process.exitCode = 1;
  },
);
