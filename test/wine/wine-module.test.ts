// SPDX-License-Identifier: MIT
// Builds dstorage.dll/.so out of tree, compiles the Windows test programs in this directory with
// mingw against the generated dstorage.h, and runs each under `xvfb-run -a wine` with the module
// loaded builtin from build/wine-module (WINEDLLPATH). A program passes when it exits 0 and prints
// "<name>: all checks passed"; it prints "expected X, got Y" for every failed check.
// With DS_KIT_WINE_SANITIZE=address,undefined (a step of `ds-kit test`) the Unix side is the ASan+UBSan
// build (build/wine-module-asan, scripts/wine/sanitize.ts), preloaded into each program, and any
// sanitizer report fails the program.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { Listr } from 'listr2';
import { repoRoot } from '../../scripts/lib/paths.ts';
import { defaultOptions } from '../../scripts/wine/layout.ts';
import { wineModuleTasks } from '../../scripts/wine/wine-tasks.ts';
import {
  buildPreloadOnce,
  SANITIZED_EXE_FLAGS,
  SANITIZER_REPORT,
  sanitizedModuleOptions,
  sanitizerRunEnv,
  wineSanitizeRequested,
} from '../../scripts/wine/sanitize.ts';
import { expectedLines } from './expected-output.ts';
import { compileTestPrograms, testDir, testPrograms } from './programs.ts';

const sanitized = wineSanitizeRequested();
const options = sanitized ? sanitizedModuleOptions() : defaultOptions();
const outDir = join(repoRoot, sanitized ? 'build/wine-tests-asan' : 'build/wine-tests');
const prefix = join(outDir, 'prefix');
const PROGRAM_TIMEOUT_MS = 240_000;

const programs = testPrograms;

function wineEnv(): Record<string, string> {
  return {
    WINEPREFIX: prefix,
    WINEDEBUG: process.env.WINEDEBUG ?? '-all',
    WINEDLLOVERRIDES: 'dstorage,dstoragecore=b,n',
    WINEDLLPATH: options.outDir,
  };
}

/** xvfb-run's arguments for one program: under the sanitizer, only the program gets the ASan runtime. */
let preloadOnce = '';
function programArgs(exe: string): string[] {
  const preload = sanitized
    ? ['env', ...Object.entries(sanitizerRunEnv(preloadOnce)).map(([k, v]) => `${k}=${v}`)]
    : [];
  return ['-a', ...preload, 'wine', exe];
}

function assertNoSanitizerReport(name: string, out: string): void {
  assert.doesNotMatch(out, SANITIZER_REPORT, `${name}.exe tripped a sanitizer in dstorage.so:\n${out}`);
}

before(
  async () => {
    await new Listr(wineModuleTasks(options), { renderer: 'silent', exitOnError: true }).run();
    mkdirSync(outDir, { recursive: true });
    if (sanitized) preloadOnce = buildPreloadOnce(outDir);
    await compileTestPrograms(options, outDir, sanitized ? SANITIZED_EXE_FLAGS : []);
    if (!existsSync(join(prefix, 'system.reg'))) {
      const r = await execa('wineboot', ['-i'], { env: wineEnv(), reject: false, all: true, timeout: 120_000 });
      assert.equal(r.exitCode, 0, `creating the Wine prefix ${prefix} failed:\n${r.all}`);
    }
  },
  { timeout: 600_000 },
);

test('the program list is not empty', () => {
  assert.ok(programs.length >= 4, `expected at least 4 test programs in ${testDir}, got ${programs.join(', ')}`);
});

for (const name of programs) {
  test(`${name}.exe under wine`, { timeout: PROGRAM_TIMEOUT_MS + 30_000 }, async () => {
    const r = await execa('xvfb-run', programArgs(join(outDir, `${name}.exe`)), {
      env: wineEnv(),
      reject: false,
      all: true,
      timeout: PROGRAM_TIMEOUT_MS,
    });
    const out = r.all ?? '';
    assert.ok(!r.timedOut, `${name}.exe ran past ${PROGRAM_TIMEOUT_MS / 1000} s (hang?); output:\n${out}`);
    assertNoSanitizerReport(name, out);
    assert.equal(r.exitCode, 0, `${name}.exe exited ${r.exitCode}; output:\n${out}`);
    assert.match(out, new RegExp(`${name}: all checks passed`), `${name}.exe did not report success; output:\n${out}`);
    for (const line of expectedLines[name] ?? []) assert.match(out, line, `${name}.exe output lacks ${line}:\n${out}`);
  });
}

// The io_uring backend has no GDeflate: GetCompressionSupport must say NONE and compressed requests
// must fail with the documented HRESULT (mapping.json rule gdeflate_unsupported). Where io_uring
// cannot start, the module falls back to the CPU backend and the program says so.
test('gdeflate.exe under wine with DS_KIT_WINE_BACKEND=io_uring', {
  timeout: PROGRAM_TIMEOUT_MS + 30_000,
}, async () => {
  const r = await execa('xvfb-run', programArgs(join(outDir, 'gdeflate.exe')), {
    env: { ...wineEnv(), DS_KIT_WINE_BACKEND: 'io_uring' },
    reject: false,
    all: true,
    timeout: PROGRAM_TIMEOUT_MS,
  });
  const out = r.all ?? '';
  assertNoSanitizerReport('gdeflate', out);
  assert.ok(!r.timedOut, `gdeflate.exe (io_uring) ran past ${PROGRAM_TIMEOUT_MS / 1000} s (hang?); output:\n${out}`);
  assert.equal(r.exitCode, 0, `gdeflate.exe (io_uring) exited ${r.exitCode}; output:\n${out}`);
  assert.match(out, /gdeflate: all checks passed/, `gdeflate.exe (io_uring) did not report success; output:\n${out}`);
  assert.match(
    out,
    /io_uring backend: (GDeflate unsupported, requests fail with E_DSTORAGE_DECOMPRESSION_ERROR|unavailable here, the CPU backend decodes)/,
    `gdeflate.exe (io_uring) did not say which backend ran:\n${out}`,
  );
});

// The io_uring backend decodes nothing: GetCompressionSupport(ZSTD) must say NONE and Zstandard
// requests and GACL transforms must fail with the documented HRESULT (rules zstd_unsupported,
// gacl_unsupported). Where io_uring cannot start, the module falls back to the CPU backend.
test('zstd.exe under wine with DS_KIT_WINE_BACKEND=io_uring', { timeout: PROGRAM_TIMEOUT_MS + 30_000 }, async () => {
  const r = await execa('xvfb-run', programArgs(join(outDir, 'zstd.exe')), {
    env: { ...wineEnv(), DS_KIT_WINE_BACKEND: 'io_uring' },
    reject: false,
    all: true,
    timeout: PROGRAM_TIMEOUT_MS,
  });
  const out = r.all ?? '';
  assertNoSanitizerReport('zstd', out);
  assert.equal(r.exitCode, 0, `zstd.exe (io_uring) exited ${r.exitCode}; output:\n${out}`);
  assert.match(out, /zstd: all checks passed/, `zstd.exe (io_uring) did not report success; output:\n${out}`);
  assert.match(
    out,
    /io_uring backend: (Zstandard unsupported, requests fail with E_DSTORAGE_DECOMPRESSION_ERROR|unavailable here, the CPU backend decodes)/,
    `zstd.exe (io_uring) did not say which backend ran:\n${out}`,
  );
});

// Zstandard (DirectStorage 1.4): what the codec writes, zstd(1) decodes byte-exact, and what zstd(1)
// writes (one frame at level 19, and several frames with a skippable one between them) the codec and
// a queue decode (zstd.exe's interop mode checks the bytes).
test('zstd.exe: streams interoperate with the zstd command both ways', {
  timeout: 3 * PROGRAM_TIMEOUT_MS,
}, async () => {
  const dir = join(outDir, 'zstd-interop');
  mkdirSync(dir, { recursive: true });
  const size = 3_000_017;
  const run = async (...args: string[]) => {
    const r = await execa('xvfb-run', [...programArgs(join(outDir, 'zstd.exe')), ...args], {
      env: wineEnv(),
      reject: false,
      all: true,
      timeout: PROGRAM_TIMEOUT_MS,
    });
    const out = r.all ?? '';
    assertNoSanitizerReport('zstd', out);
    assert.equal(r.exitCode, 0, `zstd.exe ${args.join(' ')} exited ${r.exitCode}; output:\n${out}`);
    assert.match(out, /zstd: all checks passed/, `zstd.exe ${args.join(' ')}:\n${out}`);
  };
  const ours = join(dir, 'ours.zst');
  await run('write', `Z:${ours}`, String(size));
  const decoded = await execa('zstd', ['-d', '-c', ours], { encoding: 'buffer', reject: false });
  assert.equal(decoded.exitCode, 0, `zstd -d rejected the codec's stream: ${decoded.stderr}`);
  const plain = readFileSync(`${ours}.plain`);
  assert.equal(plain.length, size);
  assert.ok(
    Buffer.compare(Buffer.from(decoded.stdout), plain) === 0,
    "zstd -d of the codec's stream differs from the input",
  );

  const cli = join(dir, 'cli.zst');
  await execa('zstd', ['-q', '-f', '-19', `${ours}.plain`, '-o', cli]);
  await run('read', `Z:${cli}`, String(size));
  // Two frames (zstd -c of two halves, concatenated) with a skippable frame between them.
  const half = Math.floor(size / 2);
  writeFileSync(join(dir, 'a.bin'), plain.subarray(0, half));
  writeFileSync(join(dir, 'b.bin'), plain.subarray(half));
  const a = await execa('zstd', ['-q', '-c', '-1', join(dir, 'a.bin')], { encoding: 'buffer' });
  const b = await execa('zstd', ['-q', '-c', '--no-check', join(dir, 'b.bin')], { encoding: 'buffer' });
  const skippable = Buffer.from([0x5a, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4]);
  const frames = join(dir, 'frames.zst');
  writeFileSync(frames, Buffer.concat([Buffer.from(a.stdout), skippable, Buffer.from(b.stdout)]));
  await run('read', `Z:${frames}`, String(size));
});

// The GPU path each queue takes is named in the +dstorage trace, with the reason. Wine's own d3d12
// has no ID3D12DXVKInteropDevice, so the default is the batched D3D12 path and the line says why
// (one WARN line too); DS_KIT_GPU_PATH=d3d12 forces it; DS_KIT_GPU_PATH=vulkan where that path is
// impossible fails CreateQueue with a line that says why and what to do; any other value fails too.
// (The vulkan path itself runs under vkd3d-proton: test/wine/vkd3d-proton.test.ts, opt-in.)
test('gpu_destinations.exe: WINEDEBUG=+dstorage names the GPU path; DS_KIT_GPU_PATH forces it', {
  timeout: 4 * PROGRAM_TIMEOUT_MS + 60_000,
}, async () => {
  const run = (env: Record<string, string>) =>
    execa('xvfb-run', programArgs(join(outDir, 'gpu_destinations.exe')), {
      env: { ...wineEnv(), ...env },
      reject: false,
      all: true,
      timeout: PROGRAM_TIMEOUT_MS,
    });
  const auto = await run({ WINEDEBUG: '+dstorage' });
  const autoOut = auto.all ?? '';
  assert.equal(
    auto.exitCode,
    0,
    `gpu_destinations.exe (default path) exited ${auto.exitCode}:\n${autoOut.slice(-4000)}`,
  );
  assert.match(
    autoOut,
    /GPU path: d3d12 \(batched COPY queue, .*vulkan not possible: the D3D12 device has no ID3D12DXVKInteropDevice/,
    "the default path under Wine's d3d12 must be d3d12, with the reason",
  );
  assert.equal(
    (autoOut.match(/warn:dstorage:gpu_vulkan_create .*GPU path vulkan not possible/g) ?? []).length,
    (autoOut.match(/GPU path: d3d12/g) ?? []).length,
    'one WARN line per queue that falls back',
  );
  const forced = await run({ WINEDEBUG: '+dstorage', DS_KIT_GPU_PATH: 'd3d12' });
  const out = forced.all ?? '';
  assert.equal(
    forced.exitCode,
    0,
    `gpu_destinations.exe (DS_KIT_GPU_PATH=d3d12) exited ${forced.exitCode}; output tail:\n${out.slice(-4000)}`,
  );
  assert.match(out, /GPU path: d3d12 \(.*DS_KIT_GPU_PATH=d3d12\)/, 'no "GPU path: d3d12" trace line with the reason');
  const impossible = await run({ WINEDEBUG: 'err+dstorage', DS_KIT_GPU_PATH: 'vulkan' });
  assert.notEqual(impossible.exitCode, 0, "DS_KIT_GPU_PATH=vulkan under Wine's d3d12: expected CreateQueue to fail");
  assert.match(
    impossible.all ?? '',
    /DS_KIT_GPU_PATH=vulkan, but the vulkan GPU path is not possible: the D3D12 device has no ID3D12DXVKInteropDevice.*Unset DS_KIT_GPU_PATH/,
  );
  const wrong = await run({ WINEDEBUG: 'err+dstorage', DS_KIT_GPU_PATH: 'metal' });
  assert.notEqual(wrong.exitCode, 0, 'DS_KIT_GPU_PATH=metal: expected CreateQueue to fail');
  assert.match(wrong.all ?? '', /DS_KIT_GPU_PATH=metal is not a GPU path: set it to vulkan or d3d12, or unset it/);
});

// Wine's own d3d12 offers no DirectStorage GDeflate meta command: +dstorage says GDeflate runs on the
// CPU; DS_KIT_GDEFLATE_PATH=gpu then fails CreateQueue with a line that says why, and a value that is
// neither cpu nor gpu fails the same way. (test/wine/gdeflate-meta-command.test.ts covers the GPU path
// under vkd3d-proton, opt-in.)
test('gdeflate.exe: +dstorage names the GDeflate path; DS_KIT_GDEFLATE_PATH=gpu needs the meta command', {
  timeout: 3 * PROGRAM_TIMEOUT_MS + 60_000,
}, async () => {
  const cpu = await runProgram({ WINEDEBUG: '+dstorage', DS_KIT_GDEFLATE_PATH: 'cpu' });
  assert.match(cpu, /GDeflate path: cpu \(DS_KIT_GDEFLATE_PATH=cpu\)/);
  assert.match(cpu, /GPU destinations decoded on the CPU/);
  // By default the meta command decodes where the device offers it; Wine's d3d12 does not, and the
  // line says why.
  const fallback = await runProgram({ WINEDEBUG: '+dstorage' });
  assert.match(
    fallback,
    /GDeflate path: cpu \(the device (has no ID3D12Device5|offers no DirectStorage GDeflate meta command)\)/,
  );
  for (const value of ['gpu', 'fast']) {
    const r = await execa('xvfb-run', programArgs(join(outDir, 'gdeflate.exe')), {
      env: { ...wineEnv(), WINEDEBUG: 'err+dstorage', DS_KIT_GDEFLATE_PATH: value },
      reject: false,
      all: true,
      timeout: PROGRAM_TIMEOUT_MS,
    });
    assert.notEqual(r.exitCode, 0, `DS_KIT_GDEFLATE_PATH=${value}: expected CreateQueue to fail`);
    assert.match(
      r.all ?? '',
      value === 'gpu'
        ? /DS_KIT_GDEFLATE_PATH=gpu, but device \S+ cannot decode GDeflate: the device (has no ID3D12Device5|offers no DirectStorage GDeflate meta command)/
        : /DS_KIT_GDEFLATE_PATH=fast: use cpu or gpu, or unset it/,
    );
  }
});

/** Runs a test program (gdeflate.exe by default: plain and GDeflate requests, some failing on
 * purpose) with extra environment. */
async function runProgram(env: Record<string, string>, name = 'gdeflate'): Promise<string> {
  const r = await execa('xvfb-run', programArgs(join(outDir, `${name}.exe`)), {
    env: { ...wineEnv(), ...env },
    reject: false,
    all: true,
    timeout: PROGRAM_TIMEOUT_MS,
  });
  const out = r.all ?? '';
  assert.ok(!r.timedOut, `${name}.exe ran past ${PROGRAM_TIMEOUT_MS / 1000} s (hang?); output:\n${out}`);
  assert.equal(r.exitCode, 0, `${name}.exe exited ${r.exitCode}; output tail:\n${out.slice(-4000)}`);
  return out;
}

const STATS_LINE =
  /^ds-kit stats: (queue \S+ .*|process, (\d+) queues): (\d+) requests, ([\d.]+) (B|kB|MB|GB|TB) delivered, (\d+\.\d{3}) s active, ([\d.]+ (?:B|kB|MB|GB|TB)\/s|-), (\d+) errors; GDeflate decodes: (\d+) CPU, (\d+) GPU, (\d+) application; custom-format requests: (\d+); enqueue waits for a slot: (\d+); completion rounds: (\d+)$/;

// DS_KIT_STATS=1: one summary per queue at its release and one for the process at exit, printed
// whatever WINEDEBUG says; sizes in decimal units.
test('gdeflate.exe: DS_KIT_STATS=1 prints per-queue and process summaries', {
  timeout: 2 * PROGRAM_TIMEOUT_MS + 60_000,
}, async () => {
  const out = await runProgram({ WINEDEBUG: '-all', DS_KIT_STATS: '1' });
  const lines = out.split(/\r?\n/).filter((l) => l.startsWith('ds-kit stats:'));
  for (const line of lines) assert.match(line, STATS_LINE, `malformed stats line: ${line}`);
  const queues = lines.filter((l) => l.startsWith('ds-kit stats: queue '));
  const processLines = lines.filter((l) => l.startsWith('ds-kit stats: process, '));
  assert.ok(queues.length >= 1, `no per-queue summary in:\n${out.slice(-4000)}`);
  assert.equal(processLines.length, 1, `expected one process summary in:\n${out.slice(-4000)}`);
  const m = STATS_LINE.exec(processLines[0]) ?? [];
  const [queueCount, requests, size, unit, errors, cpuDecodes] = [m[2], m[3], m[4], m[5], m[8], m[9]];
  assert.ok(Number(queueCount) >= queues.length, `process counts ${queueCount} queues, ${queues.length} reported`);
  assert.ok(Number(requests) > 0, `no requests counted: ${processLines[0]}`);
  assert.ok(Number(size) > 0 && unit === 'MB', `gdeflate.exe reads a few MB: ${processLines[0]}`);
  // It decodes its big and small streams on the CPU backend and fails its corrupt ones on purpose
  // (Wine's own d3d12 offers no GDeflate meta command: GPU destinations are decoded on the CPU too).
  assert.ok(Number(cpuDecodes) >= 2, `expected CPU GDeflate decodes: ${processLines[0]}`);
  assert.equal(Number(m[10]), 0, `Wine's d3d12 has no GPU GDeflate: ${processLines[0]}`);
  assert.ok(Number(errors) >= 1, `expected the corrupt streams as errors: ${processLines[0]}`);
  // The requests of every queue add up to the process's.
  const perQueue = queues.reduce((sum, l) => sum + Number((STATS_LINE.exec(l) ?? [])[3]), 0);
  assert.ok(perQueue <= Number(requests), `queues count ${perQueue} requests, the process ${requests}`);
  // configuration.exe disables the built-in decompression: the application decodes GDeflate.
  const custom = await runProgram({ WINEDEBUG: '-all', DS_KIT_STATS: '1' }, 'configuration');
  const processLine = custom.split(/\r?\n/).find((l) => l.startsWith('ds-kit stats: process, ')) ?? '';
  const app = STATS_LINE.exec(processLine)?.[11];
  assert.ok(Number(app) >= 1, `expected GDeflate decodes by the application: ${processLine || custom.slice(-4000)}`);
});

// Quiet by default; +dstorage prints one load line (version, backend) and sizes in decimal.
test('gdeflate.exe: stderr stays quiet by default; +dstorage prints the load line', {
  timeout: 2 * PROGRAM_TIMEOUT_MS + 60_000,
}, async () => {
  const plain = await runProgram({ WINEDEBUG: '' });
  assert.doesNotMatch(plain, /^ds-kit stats:|:dstorage:/m, `a plain run printed module lines:\n${plain.slice(-4000)}`);
  const traced = await runProgram({ WINEDEBUG: '+dstorage' });
  const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version as string;
  const load = traced.split(/\r?\n/).filter((l) => /:dstorage:\w+ ds-kit /.test(l));
  assert.equal(load.length, 1, `expected one load line, got:\n${load.join('\n')}`);
  assert.match(
    load[0],
    new RegExp(
      `ds-kit ${version.replace(/\./g, '\\.')}: backend (cpu|io_uring), GDeflate (yes|no), Zstandard (yes|no), from ${realpathSync(join(options.outDir, 'dstorage.so')).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.$`,
    ),
  );
  assert.doesNotMatch(traced, /ds-kit stats:/, 'DS_KIT_STATS is unset, yet a summary was printed');
  // The 3 MiB stream: 3145728 bytes, not the hex "300000".
  assert.match(traced, /\("big"\) done: 3145728 bytes/, 'request sizes are not traced in decimal');
});
