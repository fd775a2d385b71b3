// SPDX-License-Identifier: MIT
// Every user-facing string of the CLI: titles, help, errors and hints.

export const text = {
  stepFailed: (title: string, how: string, log: string): string => `${title} failed (${how}); full log: ${log}`,
  exitedWith: (tool: string, code: number | undefined): string => `${tool} exited with code ${code ?? 'unknown'}`,
  killedBy: (tool: string, signal: string): string => `${tool} was killed by ${signal}`,
  notFound: (program: string): string => `'${program}' was not found`,
  failedSteps: (n: number): string => `${n} step${n === 1 ? '' : 's'} failed:`,
  allPassed: 'All steps passed.',
  unknownCommand: (cmd: string, suggestion?: string): string =>
    `Unknown command '${cmd}'.${suggestion ? ` Did you mean 'ds-kit ${suggestion}'?` : ''} Run 'ds-kit --help' to list the commands.`,
  unknownOption: (why: string, suggestion?: string): string =>
    suggestion ? `${why.replace(/\.?$/, '.')} Did you mean '--${suggestion}'?` : why,
  badChoice: (option: string, value: string, allowed: readonly string[], suggestion?: string): string =>
    `${option}=${value} is not allowed: use one of ${allowed.join(', ')}.${suggestion ? ` Did you mean ${option}=${suggestion}?` : ''}`,
  badNumber: (option: string, value: string): string =>
    `${option}=${value} is not allowed: use a whole number of 1 or more.`,
  version: (version: string): string => `ds-kit ${version}`,
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
  badBenchArgs: (why: string): string =>
    `ds-kit bench: ${why}.\nRun 'ds-kit bench --help' for ds-kit's options, 'ds-kit bench -- --help' for the benchmark's.`,
  benchMissing: (file: string): string =>
    `'ds-kit bench' needs ${file}, which is not in this checkout yet. Pull the latest main, then run 'npm run bench' again.`,
  bindingGypMissing: (file: string): string =>
    `${file} is missing, so the Node binding cannot be built yet. Pull the latest main, or skip the binding with 'ds-kit build-runtime'.`,
  configuredAlready: (dir: string): string => `${dir} is configured with the same options`,
  noTestFiles: (dir: string): string => `no test/**/*.test.ts files were found under ${dir}`,
};

export const titles = {
  configure: (variant: string): string => `Configure ds-runtime (${variant})`,
  build: (variant: string): string => `Build ds-runtime (${variant})`,
  ctest: (variant: string, label?: string): string => `Run ctest (${variant}${label ? `, label ${label}` : ''})`,
  runtime: (variant: string): string => `ds-runtime ${variant} build`,
  binding: 'Build the Node binding (node-gyp)',
  wineModule: 'Build dstorage.dll + dstorage.so against the installed Wine',
  harness: 'Run the TypeScript tests (node --test)',
  generate: 'Generate sources (scripts/generate)',
  bench: 'Run the benchmarks (scripts/bench)',
  testRelease: 'Release build + ctest',
  testAsan: 'ASan+UBSan build + ctest',
  testTsan: 'TSan build + ctest',
  testReference: 'GDeflate cross-check against the reference codec',
  testWineAsan: 'Wine module (dstorage.so) under ASan+UBSan: test/wine programs',
  testBinding: 'Node binding',
  testHarness: 'TypeScript harness',
  testFuzz: 'Fuzzing (GDeflate decoder, request queue)',
  fuzzRun: (target: string, seconds: number): string => `Fuzz ${target} (libFuzzer + ASan/UBSan, ${seconds} s)`,
  testChecks: 'Lint, formatting and types',
  lint: 'Lint the TypeScript (biome lint)',
  formatCheckTs: 'TypeScript formatting (biome format)',
  formatCheckC: 'C/C++ formatting (clang-format --dry-run)',
  typecheck: 'Type check (tsc --noEmit)',
  formatTs: 'Format the TypeScript (biome format --write)',
  formatC: 'Format the C/C++ (clang-format -i)',
};

export const skips = {
  noSanitizers: '--no-sanitizers',
  fast: '--fast',
  releaseFailed: 'the release runtime build failed (see that step)',
  asanFailed: 'the ASan+UBSan runtime build failed (see that step)',
  noReference:
    'NOT RUN, not counted: DS_GDEFLATE_REFERENCE is unset. Build the reference codec with runtime/fuzz/build_reference.sh ' +
    'and set DS_GDEFLATE_REFERENCE=<out>/gdeflate-ref to run it',
  bindingFailed: 'the binding did not build (see that step)',
};

export const hints = {
  installDeps:
    "install the missing tool: run './scripts/install-deps.sh' (what building needs) or './scripts/install-deps.sh --test' (what the tests need too); 'ds-kit doctor' shows what is missing.",
  tsanMapping:
    "ThreadSanitizer cannot run with this kernel's address-space randomisation: run 'sudo sysctl vm.mmap_rnd_bits=28' and try again.",
  lsanPtrace:
    'LeakSanitizer cannot run under ptrace (a debugger or strace); run outside it, or set ASAN_OPTIONS=detect_leaks=0 to skip leak checks.',
  cmakeMissing:
    "CMake could not find a dependency or compiler: run 'ds-kit doctor' for the exact install command, then build again.",
  compileError: (log: string): string =>
    `fix the first 'error:' in ${log}; CI builds add -Werror (pass --werror to reproduce locally).`,
  cmakeError: (log: string): string => `fix the 'CMake Error' reported in ${log}, then build again.`,
  cmakeGeneric: (log: string): string =>
    `read ${log}; delete the build directory if the CMake cache is stale, then build again.`,
  ctest:
    "re-run the failing test alone with 'ctest --test-dir <build dir> -R <name> --output-on-failure' (its output is in the log).",
  ctestFailed: (tests: string[], dir: string, first: string): string =>
    `failed: ${tests.join(', ')}; re-run one alone with 'ctest --test-dir ${dir} -R '^${first}$' --output-on-failure' (its output is in the log above).`,
  bindingGyp: "runtime/node/binding.gyp is missing or broken: pull the latest main, then 'npm run build' again.",
  bindingNeedsRuntime:
    "the binding links build/runtime/release/libds_runtime_static.a: run 'ds-kit build-runtime' first.",
  nodeGyp: (log: string): string => `read ${log}; 'ds-kit build-binding --verbose' shows the commands run.`,
  nodeTest: "re-run one file with 'node --import tsx --test <file>'; the failing assertions are in the log.",
  readLog: (log: string): string => `read ${log} for the full output.`,
  configure: (log: string): string =>
    `configure stopped at the check printed last in ${log} (config.log in the build directory has the details); ` +
    "install what it names ('ds-kit doctor' lists the packages), then build again.",
  make: (log: string): string => `fix the first 'error:' in ${log}, then build again.`,
  autoreconf: (log: string): string =>
    `autoreconf could not regenerate configure (see ${log}); install autoconf ('./scripts/install-deps.sh'), then patch again.`,
  lint: "run 'npm run lint' to list the findings; 'npx biome lint --write' fixes the safe ones, fix the rest by hand.",
  format:
    "run 'npm run format' to reformat them (TypeScript with Biome, C/C++ with clang-format), then commit the result.",
  typecheck: "fix the type errors above; 'npm run typecheck' runs the same check.",
  fuzzCrash: (log: string): string =>
    `the fuzzer found an input that crashes, hangs, breaks an invariant or trips a sanitizer: the report and the input's path (build/fuzz-ci/crashes/<target>/) are in ${log}; reproduce with 'build/fuzz-ci/<target>_fuzz <input>'.`,
};

export const doctorText = {
  system: (name: string | undefined, family: string, file: string): string =>
    `System: ${name ?? `unknown (could not read ${file})`} -> package family: ${family}`,
  heading: {
    build: 'To build (npm run build-proton, `wine Game.exe`, makepkg):',
    test: 'To test (npm test) and work on Wine source trees (fetch-wine, patch, build --wine):',
  } as Record<'build' | 'test', string>,
  found: (what: string, where: string): string => `  ok       ${what}: ${where}`,
  missing: (what: string, pkgs: string[]): string =>
    `  MISSING  ${what}${pkgs.length ? ` (package: ${pkgs.join(' ')})` : ''}`,
  notOnPath: (what: string, where: string, pkgs: string[]): string =>
    `  MISSING  ${what}: installed (${where}) but not on PATH` + (pkgs.length ? `: install \`${pkgs.join(' ')}\`` : ''),
  nodeTooOld: (version: string, family: string): string =>
    `  MISSING  Node.js 20 or newer (this is ${version})` +
    (family === 'debian'
      ? ": Debian bookworm ships Node 18; ./scripts/install-deps.sh adds a pinned, integrity-checked Node 20 (or use NodeSource's node_20.x, or nvm)."
      : family === 'arch'
        ? ': sudo pacman -S nodejs npm'
        : ': install Node 20 from nodejs.org or with nvm.'),
  allFound: 'Everything ds-kit needs, for building and for testing, is installed.',
  buildReady: 'Building: ready. Testing: something above is missing.',
  buildNotReady: (n: number): string => `Building: ${n} thing${n === 1 ? '' : 's'} missing.`,
  /** One line, always printed: the Wine versions one dstorage.dll + dstorage.so build is tested with. */
  wineTested:
    'dstorage.dll + dstorage.so: one build runs under Wine 8.0 and 10.0 (tested: Debian bookworm 8.0, trixie 10.0).',
  installMissing: 'Install what is missing with:',
  installBuild: 'Everything building needs, in one command:',
  installTest: 'Everything building and testing need, in one command:',
  orScript: "  (or run './scripts/install-deps.sh', which detects the distro itself)",
  orScriptTest: "  (or run './scripts/install-deps.sh --test')",
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
  build-proton    the release runtime, then dstorage.dll + dstorage.so for the installed Wine
  install         put the built module into a Proton (--proton DIR) or Steam's Protons (--steam)
  uninstall       take it out again: the Proton directory as it was before
  status          every Proton of the Steam libraries: Wine version, ds-kit installed or not
  proton-tool     a Steam compatibility tool: a copy of a Proton with the module and the override set
  fetch-wine      get Debian's Wine source package (bookworm: 8.0, trixie: 10.0) into a cache
  patch           add dlls/dstorage to a Wine source tree (--revert, --dry-run)
  generate        run the code generator (scripts/generate)
  test            the whole suite: checks, release, ASan+UBSan and TSan ctest, Wine module under ASan, fuzzing,
                  binding, TypeScript tests
  bench           run the benchmarks (scripts/bench); builds the runtime and binding first
  lint            lint the TypeScript (Biome)
  format          format TypeScript (Biome) and C/C++ (clang-format); --check only checks
  doctor          list what building and testing need, what is missing, and the install command

Other options:
  -V, --version   print the version of ds-kit

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

  'fetch-wine': `Usage: ds-kit fetch-wine --debian bookworm|trixie [--prepare module|full] [--cache <dir>] [--force]

Downloads Debian's Wine source package (bookworm: 8.0, trixie: 10.0) through a private apt
configuration (the machine's apt sources are not touched), unpacks it with Debian's patches and
prepares it for building, in a cache directory reused across runs (default build/cache/wine-src).

Options:
  --debian <suite>    bookworm or trixie
  --prepare <mode>    module (default: enough to build dlls/dstorage) or full (runs make_unicode too)
  --cache <dir>       cache directory
  --force             replace a cached tree prepared differently (it may hold your changes)
${COMMON_OPTIONS}

Examples:
  ds-kit fetch-wine --debian bookworm
  ds-kit fetch-wine --debian trixie --prepare full`,

  patch: `Usage: ds-kit patch --wine <tree> [--revert] [--dry-run]

Adds dlls/dstorage to a Wine source tree: detects the version (VERSION file), picks the series in
wine-patches/, generates what it needs, checks that everything applies before changing anything,
applies it and runs autoreconf. Applying twice says "already applied"; any failure leaves the tree
exactly as it was, and a run that was killed is finished or rolled back by the next patch or --revert.

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

Builds everything Proton/Wine needs from this repository: the release runtime and the builtin
dstorage.dll (PE side, mingw) + dstorage.so (Unix side) against the Wine installed
on this machine, staged in build/wine-module/ for WINEDLLPATH. Prints how to use it with a game.

Options:
  --install           also copy dstorage.dll/.so into the installed Wine's library directories
                      (needs write access there; without it, use WINEDLLPATH=build/wine-module)
  --wine-prefix <dir> build against the Wine installed under <dir> (its bin/winebuild, include/wine,
                      lib/wine); default: the Wine whose winebuild is on PATH (Debian's or Arch's layout)
  --werror            warnings are errors (always on when CI is set)
  --jobs <n>          parallel compile jobs
${COMMON_OPTIONS}

Examples:
  ds-kit build-proton
  sudo ds-kit build-proton --install
  ds-kit build-proton --wine-prefix /opt/wine-staging
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
  0. lint (Biome), formatting (Biome, clang-format) and types (tsc): 'npm run format' fixes formatting
  1. release build + ctest
  2. GDeflate cross-check against the reference codec, only with DS_GDEFLATE_REFERENCE set
     (otherwise shown as NOT RUN; never counted as a pass)
  3. ASan+UBSan build + ctest        (build/runtime/asan)
  4. TSan build (clang) + ctest      (build/runtime/tsan)
  5. dstorage.so built with ASan+UBSan (build/wine-module-asan), test/wine programs under Wine
  6. fuzzing: gdeflate_decode, zstd_request and queue_c_abi, DS_KIT_FUZZ_SECONDS each (default 60), from and
     into the corpus in runtime/fuzz/corpus/ (DS_KIT_FUZZ_UPDATE_CORPUS=0: read only)
  7. the Node binding
  8. the TypeScript tests: node --import tsx --test over test/**/*.test.ts
With CI set, DS_REQUIRE_VULKAN=1 and DS_REQUIRE_IO_URING=1 make a missing Vulkan device or io_uring
fail instead of skip, and warnings are errors.

Options:
  --fast              release build + ctest and the TypeScript tests only
  --no-sanitizers     skip the ASan+UBSan, TSan and Wine-under-ASan steps
  --werror            warnings are errors (always on when CI is set)
  --jobs <n>          parallel compile jobs
${COMMON_OPTIONS}

Examples:
  npm test
  ds-kit test --fast
  CI=1 ds-kit test --no-sanitizers`,

  bench: `Usage: ds-kit bench [options] [benchmark options]

Builds the release runtime and the Node binding when they are out of date (seconds when nothing
changed), then runs node --import tsx scripts/bench/main.ts. Every option that is not one of
ds-kit's below goes to the benchmark (so does everything after --); they are checked before
anything is built. The output is kept in build/logs/bench.log.
With --wine, runs the Wine module's benchmark instead (scripts/bench/wine.ts: bench/wine/bench_module.c
under Wine, file -> memory and file -> GPU buffer against a ReadFile baseline; -- --quick for a smoke test).

Options:
${COMMON_OPTIONS}
  --wine              the Wine module's benchmark (DS_KIT_BENCH_D3D12_DIR=DIR: vkd3d-proton's d3d12.dll)

Benchmark options (ds-kit bench -- --help lists them all):
  --quick             small file and runs (a smoke test; the numbers mean little)
  --backends <list>   of cpu, io_uring, vulkan-gpu, vulkan-gpu-seq, vulkan-host
  --sizes <list>      request sizes (default 64K,1M,16M)
  --json <file>       also write the results as JSON

Examples:
  ds-kit bench --quick
  npm run bench -- --quick --backends io_uring
  ds-kit bench -- --help
  ds-kit bench --wine -- --quick`,

  lint: `Usage: ds-kit lint [options]

Lints the TypeScript (bin/, scripts/, test/, runtime/node/lib) with Biome, as configured in
biome.jsonc; warnings count as errors. 'npx biome lint --write' fixes the safe findings.
'npm run typecheck' is the type check (tsc --noEmit). Log: build/logs/check-lint.log.

Options:
${COMMON_OPTIONS}
  --wine           the Wine module's benchmark (DS_KIT_BENCH_D3D12_DIR=DIR: vkd3d-proton's d3d12.dll)

Examples:
  npm run lint
  ds-kit lint --verbose`,

  format: `Usage: ds-kit format [--check] [options]

Formats the TypeScript with Biome (biome.jsonc, 120 columns) and the C/C++ of runtime/,
wine-patches/dlls/dstorage/ and test/wine/ with clang-format (each tree's .clang-format).
With --check nothing is written: it fails when a file is not formatted (ds-kit test runs this).

Options:
  --check             only check; exit 1 when a file would change
${COMMON_OPTIONS}

Examples:
  npm run format
  npm run format:check`,

  doctor: `Usage: ds-kit doctor [options]

Lists every tool and library ds-kit uses, grouped by what needs it (building: build-proton,
\`wine Game.exe\`, makepkg; testing: npm test and the Wine source-tree commands), whether it is
installed, and the exact apt-get (Debian, Ubuntu) or pacman (Arch) command that installs what is
missing. Exits 1 when something is missing, for building or for testing.

Options:
  --os-release <file> read the distro from this file (default: /etc/os-release)
  -h, --help          this help

Examples:
  ds-kit doctor
  ds-kit doctor --os-release /tmp/arch-os-release`,
};
