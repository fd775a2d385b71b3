// SPDX-License-Identifier: MIT
// Every user-facing string of the CLI: titles, help, errors and hints.

export const text = {
  stepFailed: (title: string, how: string, log: string): string => `${title} failed (${how}); full log: ${log}`,
  exitedWith: (code: number | undefined): string => `exit code ${code ?? 'unknown'}`,
  killedBy: (signal: string): string => `killed by ${signal}`,
  notFound: (program: string): string => `'${program}' was not found`,
  failedSteps: (n: number): string => `${n} step${n === 1 ? '' : 's'} failed:`,
  allPassed: 'All steps passed.',
  unknownCommand: (cmd: string): string => `Unknown command '${cmd}'. Run 'ds-kit --help' to list the commands.`,
  badOption: (cmd: string, why: string): string => `${why}\nRun 'ds-kit ${cmd} --help' for the options.`,
  badSanitize: (value: string): string =>
    `--sanitize=${value} is not supported: use --sanitize=address,undefined or --sanitize=thread.`,
  generateMissing: (file: string): string =>
    `'ds-kit generate' needs ${file}, which is not in this checkout yet (the code generator lands with its own issue). ` +
    `Pull the latest main, then run 'npm run generate' again.`,
  generateNoExport: (file: string): string =>
    `${file} does not export a generate(options) function; check that file, then run 'npm run generate' again.`,
  generateBadOptions: (why: string): string => `ds-kit generate: ${why}. Run 'ds-kit generate --help' for the options.`,
  generateFailed: (why: string): string =>
    `Generate sources failed: ${why}\n  next: fix the spec (templates/spec) or template named above, then run 'npm run generate' again.`,
  generated: (count: number, dir: string): string => `${count} files written under ${dir}`,
  benchMissing: (file: string): string =>
    `'ds-kit bench' needs ${file}, which is not in this checkout yet. Pull the latest main, then run 'npm run bench' again.`,
  bindingGypMissing: (file: string): string =>
    `${file} is missing, so the Node binding cannot be built yet. Pull the latest main, or skip the binding with 'ds-kit build-runtime'.`,
  noTestFiles: (dir: string): string => `no test/**/*.test.ts files were found under ${dir}`,
};

export const titles = {
  configure: (variant: string): string => `Configure ds-runtime (${variant})`,
  build: (variant: string): string => `Build ds-runtime (${variant})`,
  ctest: (variant: string, label?: string): string =>
    `Run ctest (${variant}${label ? `, label ${label}` : ''})`,
  runtime: (variant: string): string => `ds-runtime ${variant} build`,
  binding: 'Build the Node binding (node-gyp)',
  wineModule: 'Build dstorage.dll + dstorage.so against the installed Wine',
  harness: 'Run the TypeScript tests (node --test)',
  generate: 'Generate sources (scripts/generate)',
  bench: 'Run the benchmarks (scripts/bench)',
  testRelease: 'Release build + ctest',
  testAsan: 'ASan+UBSan build + ctest',
  testTsan: 'TSan build + ctest -L concurrency',
  testBinding: 'Node binding',
  testHarness: 'TypeScript harness',
  testFuzz: 'GDeflate decoder fuzzing',
  fuzzRun: (seconds: number): string => `Fuzz the GDeflate decoder (libFuzzer + ASan/UBSan, ${seconds} s)`,
};

export const skips = {
  noSanitizers: '--no-sanitizers',
  fast: '--fast',
  releaseFailed: 'the release runtime build failed (see that step)',
  bindingFailed: 'the binding did not build (see that step)',
};

export const hints = {
  installDeps: "install the missing tool: run './scripts/install-deps.sh' (or 'ds-kit doctor' to see what is missing).",
  tsanMapping:
    "ThreadSanitizer cannot run with this kernel's address-space randomisation: run 'sudo sysctl vm.mmap_rnd_bits=28' and try again.",
  lsanPtrace:
    'LeakSanitizer cannot run under ptrace (a debugger or strace); run outside it, or set ASAN_OPTIONS=detect_leaks=0 to skip leak checks.',
  cmakeMissing:
    "CMake could not find a dependency or compiler: run 'ds-kit doctor' for the exact install command, then build again.",
  compileError: (log: string): string =>
    `fix the first 'error:' in ${log}; CI builds add -Werror (pass --werror to reproduce locally).`,
  cmakeError: (log: string): string => `fix the 'CMake Error' reported in ${log}, then build again.`,
  cmakeGeneric: (log: string): string => `read ${log}; delete the build directory if the CMake cache is stale, then build again.`,
  ctest:
    "re-run the failing test alone with 'ctest --test-dir <build dir> -R <name> --output-on-failure' (its output is in the log).",
  ctestFailed: (tests: string[], dir: string, first: string): string =>
    `failed: ${tests.join(', ')}; re-run one alone with 'ctest --test-dir ${dir} -R '^${first}$' --output-on-failure' (its output is in the log above).`,
  bindingGyp: "runtime/node/binding.gyp is missing or broken: pull the latest main, then 'npm run build' again.",
  bindingNeedsRuntime: "the binding links build/runtime/release/libds_runtime_static.a: run 'ds-kit build-runtime' first.",
  nodeGyp: (log: string): string => `read ${log}; 'ds-kit build-binding --verbose' shows the commands run.`,
  nodeTest: "re-run one file with 'node --import tsx --test <file>'; the failing assertions are in the log.",
  readLog: (log: string): string => `read ${log} for the full output.`,
  fuzzCrash: (log: string): string =>
    `the fuzzer found an input that crashes or trips a sanitizer: the report and the input's path (build/fuzz-ci/crashes/) are in ${log}; reproduce with 'build/fuzz-ci/gdeflate_decode_fuzz <input>'.`,
};

export const doctorText = {
  system: (name: string | undefined, family: string, file: string): string =>
    `System: ${name ?? `unknown (could not read ${file})`} -> package family: ${family}`,
  found: (what: string, where: string): string => `  ok       ${what}: ${where}`,
  missing: (what: string, pkgs: string[]): string =>
    `  MISSING  ${what}${pkgs.length ? ` (package: ${pkgs.join(' ')})` : ''}`,
  nodeTooOld: (version: string, family: string): string =>
    `  MISSING  Node.js 20 or newer (this is ${version})` +
    (family === 'debian'
      ? ': Debian bookworm ships Node 18; install Node 20 from NodeSource (deb.nodesource.com, node_20.x) or with nvm.'
      : family === 'arch' ? ': sudo pacman -S nodejs npm' : ': install Node 20 from nodejs.org or with nvm.'),
  allFound: 'Everything ds-kit needs is installed.',
  installMissing: 'Install what is missing with:',
  installAll: 'Everything ds-kit uses, in one command:',
  orScript: "  (or run './scripts/install-deps.sh', which detects the distro itself)",
  unknownDistro:
    'This distro is neither Debian-like nor Arch-like: install the missing tools above with its package manager.',
};

const RUNTIME_OPTIONS = `  --build-dir <dir>   CMake build directory (default: build/runtime/<variant>:
                      release, asan, tsan, or the lower-cased --type)
  --type <type>       CMAKE_BUILD_TYPE: Release (default), Debug, RelWithDebInfo
  --sanitize <list>   address,undefined (build/runtime/asan) or thread (build/runtime/tsan, built with clang)
  --werror            warnings are errors (always on when CI is set)
  --source-dir <dir>  the CMake source directory (default: runtime)
  --jobs <n>          parallel compile jobs (default: the number of CPUs)`;

const COMMON_OPTIONS = `  --log-dir <dir>     where each step's full output goes (default: build/logs/<step>.log)
  -v, --verbose       show the commands run, and every output line
  -h, --help          this help`;

export const help: Record<string, string> = {
  main: `ds-kit: build and test a native DirectStorage for Wine/Proton.

Usage: ds-kit <command> [options]      (ds-kit <command> --help for details)

Commands:
  build-runtime   configure and build ds-runtime (C++ library) with CMake
  build-binding   build the Node binding (runtime/node) with node-gyp
  build           build-runtime, then build-binding; with --wine TREE: dlls/dstorage in a Wine tree
  build-proton    runtime, binding, and dstorage.dll + dstorage.so for the installed Wine
  fetch-wine      get Debian's Wine source package (bookworm: 8.0, trixie: 10.0) into a cache
  patch           add dlls/dstorage to a Wine source tree (--revert, --dry-run)
  generate        run the code generator (scripts/generate)
  test            the whole suite: release, ASan+UBSan and TSan ctest, binding, TypeScript tests
  bench           run the benchmarks (scripts/bench)
  doctor          list what is installed and missing, with the exact install command

Examples:
  ds-kit doctor
  ds-kit build-proton
  ds-kit test --fast
  npm test              (same as ds-kit test)`,

  'build-runtime': `Usage: ds-kit build-runtime [options]

Configures (cmake -S runtime -B <build dir> -DDS_BUILD_TESTS=ON -DDS_BUILD_SHARED=ON ...) and builds
ds-runtime. Progress shows the latest "[ nn%]" line; the full compiler output is in
build/logs/runtime-<variant>-configure.log and build/logs/runtime-<variant>-build.log.

Options:
${RUNTIME_OPTIONS}
${COMMON_OPTIONS}

Examples:
  ds-kit build-runtime
  ds-kit build-runtime --sanitize=address,undefined
  ds-kit build-runtime --type Debug --build-dir build/runtime/debug --werror`,

  'build-binding': `Usage: ds-kit build-binding [options]

Builds runtime/node/build/Release/ds_runtime.node with node-gyp from node_modules
(node-gyp rebuild --directory runtime/node). It links build/runtime/release/libds_runtime_static.a,
so run build-runtime first (or use 'ds-kit build'). Log: build/logs/binding-build.log.

Options:
  --jobs <n>          parallel compile jobs
${COMMON_OPTIONS}

Examples:
  ds-kit build-binding
  ds-kit build-binding --verbose`,

  build: `Usage: ds-kit build [options]
       ds-kit build --wine <tree> [--full] [--build-dir <dir>] [-j <n>]

Without --wine: build-runtime (release), then build-binding; takes build-runtime's options.
With --wine: configures the patched Wine tree (or reuses its build directory) and builds
dlls/dstorage in it (all of Wine with --full); the log is build/logs/wine-tree-*.log and the
module is staged for WINEDLLPATH. Patch the tree first with ds-kit patch.

Options:
${RUNTIME_OPTIONS}
  --wine <tree>       a Wine source tree patched by ds-kit patch
  --full              build all of Wine, not only what the module needs
${COMMON_OPTIONS}

Examples:
  ds-kit build
  ds-kit build --wine build/cache/wine-src/bookworm/wine-8.0~repack
  npm run build`,

  'fetch-wine': `Usage: ds-kit fetch-wine --debian bookworm|trixie [--prepare module|full] [--cache <dir>]

Downloads Debian's Wine source package (bookworm: 8.0, trixie: 10.0) through a private apt
configuration (the machine's apt sources are not touched), unpacks it with Debian's patches and
prepares it for building, in a cache directory reused across runs (default build/cache/wine-src).

Options:
  --debian <suite>    bookworm or trixie
  --prepare <mode>    module (default: enough to build dlls/dstorage) or full (runs make_unicode too)
  --cache <dir>       cache directory
${COMMON_OPTIONS}

Examples:
  ds-kit fetch-wine --debian bookworm
  ds-kit fetch-wine --debian trixie --prepare full`,

  patch: `Usage: ds-kit patch --wine <tree> [--revert] [--dry-run]

Adds dlls/dstorage to a Wine source tree: detects the version (VERSION file), picks the series in
wine-patches/, generates what it needs, checks that everything applies before changing anything,
applies it and runs autoreconf. Applying twice says "already applied"; any failure leaves the tree
exactly as it was.

Options:
  --wine <tree>       the Wine source tree (8.0 or 10.0 generations)
  --revert            remove the series again (byte-identical to before)
  --dry-run           list what would change, change nothing
${COMMON_OPTIONS}

Examples:
  ds-kit patch --wine ~/src/wine
  ds-kit patch --wine ~/src/wine --dry-run
  ds-kit patch --wine ~/src/wine --revert`,

  'build-proton': `Usage: ds-kit build-proton [options]

Builds everything Proton/Wine needs from this repository: the release runtime, the Node binding,
and the builtin dstorage.dll (PE side, mingw) + dstorage.so (Unix side) against the Wine installed
on this machine, staged in build/wine-module/ for WINEDLLPATH. Prints how to use it with a game.

Options:
  --install           also copy dstorage.dll/.so into the installed Wine's library directories
                      (needs write access there; without it, use WINEDLLPATH=build/wine-module)
  --werror            warnings are errors (always on when CI is set)
  --jobs <n>          parallel compile jobs
${COMMON_OPTIONS}

Examples:
  ds-kit build-proton
  sudo ds-kit build-proton --install
  npm run build-proton`,

  generate: `Usage: ds-kit generate [options]

Runs generate() from scripts/generate/index.ts: renders the Wine module sources and DirectStorage
headers from templates/spec and templates/ into build/generated/<target>/.

Options:
  --out <dir>         output root (default: build/generated)
  --target <name>     wine-8.0, wine-current or all (default: all)
  --sdk <version>     DirectStorage SDK layout of the public headers (default: the newest in the spec)
  -v, --verbose       more output
  -h, --help          this help

Examples:
  ds-kit generate
  ds-kit generate --target wine-8.0 --out /tmp/gen
  npm run generate`,

  test: `Usage: ds-kit test [options]

Runs the whole suite, every step even after a failure, and fails at the end if any step failed:
  1. release build + ctest
  2. ASan+UBSan build + ctest        (build/runtime/asan)
  3. TSan build (clang) + ctest -L concurrency   (build/runtime/tsan)
  4. the Node binding
  5. the TypeScript tests: node --import tsx --test over test/**/*.test.ts
With CI set, DS_REQUIRE_VULKAN=1 and DS_REQUIRE_IO_URING=1 make a missing Vulkan device or io_uring
fail instead of skip, and warnings are errors.

Options:
  --fast              release build + ctest and the TypeScript tests only
  --no-sanitizers     skip the ASan+UBSan and TSan steps
  --werror            warnings are errors (always on when CI is set)
  --jobs <n>          parallel compile jobs
${COMMON_OPTIONS}

Examples:
  npm test
  ds-kit test --fast
  CI=1 ds-kit test --no-sanitizers`,

  bench: `Usage: ds-kit bench [options] [-- benchmark arguments]

Runs node --import tsx scripts/bench/main.ts (after 'ds-kit build'). Arguments after -- go to it.
With --wine, runs the Wine module's benchmark instead (scripts/bench/wine.ts: bench/wine/bench_module.c
under Wine, file -> memory and file -> GPU buffer against a ReadFile baseline).
Its output is kept in build/logs/bench.log.

Options:
${COMMON_OPTIONS}
  --wine           the Wine module's benchmark (DS_KIT_BENCH_D3D12_DIR=DIR: vkd3d-proton's d3d12.dll)

Examples:
  ds-kit bench
  ds-kit bench --wine -- --quick
  npm run bench -- -- --help`,

  doctor: `Usage: ds-kit doctor [options]

Lists every tool and library ds-kit uses, whether it is installed, and the exact apt-get (Debian,
Ubuntu) or pacman (Arch) command that installs what is missing. Exits 1 when something is missing.

Options:
  --os-release <file> read the distro from this file (default: /etc/os-release)
  -h, --help          this help

Examples:
  ds-kit doctor
  ds-kit doctor --os-release /tmp/arch-os-release`,
};
