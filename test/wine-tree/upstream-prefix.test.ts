// SPDX-License-Identifier: MIT
// Arch's layout: Wine installed the upstream way (`make install`: <prefix>/include/wine/windows,
// <prefix>/lib/wine/x86_64-{windows,unix}, <prefix>/bin/winebuild) rather than Debian's. From the real
// Wine 8.0 tree that `ds-kit fetch-wine --debian bookworm` prepares, configured with --prefix=/usr and
// built out of source, this installs into a DESTDIR just what the module builds against (the headers,
// the import libraries and the tools), builds the module against that prefix with
// --wine-prefix, checks it used the prefix's files and not the system's, and runs programs with it
// under the system Wine (WINEDLLPATH). The configured tree and the install are reused across runs.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Listr } from 'listr2';
import { runCommand } from '../../scripts/lib/exec.ts';
import { paths, repoRoot } from '../../scripts/lib/paths.ts';
import { cachedValue, defaultOptions, generatedDirs, SIDES } from '../../scripts/wine/layout.ts';
import { wineModuleTasks } from '../../scripts/wine/wine-tasks.ts';
import { cachedTree, treeSkip } from './trees.ts';
import { compilePrograms, runProgram, type ProgramRun } from './wine-programs.ts';

const root = join(repoRoot, 'build/wine-upstream');
const buildDir = join(root, 'build-wine-8.0');
const destDir = join(root, 'root');
const prefix = join(destDir, 'usr');
const CONFIGURE = ['--prefix=/usr', '--enable-win64', '--without-x', '--without-freetype', '--disable-tests'];
// What the module needs from an installed Wine, as Wine's own per-directory install targets.
// ntdll.dll/.so are not among them: dstorage.so finds ntdll.so at run time (unix_wine_abi.c), and
// building them would double this test's cost.
const INSTALL_TARGETS = [
  'include/install-dev',
  'dlls/ntdll/install-dev',
  'dlls/kernel32/install-dev',
  'dlls/ucrtbase/install-dev',
  'dlls/winecrt0/install-dev',
  'libs/uuid/install-dev',
  'tools/winebuild/install-dev',
  'tools/winegcc/install-dev',
];
const skip = treeSkip();
const options = defaultOptions({
  winePrefix: prefix,
  outDir: join(root, 'module'),
  buildDir: join(root, 'module-obj'),
  logDir: join(root, 'logs'),
});
const run: ProgramRun = {
  moduleDir: options.outDir,
  outDir: join(root, 'tests'),
  includeDir: generatedDirs(options).include,
};

const step = (name: string, title: string) => ({
  step: `wine-upstream-${name}`,
  title,
  logDir: paths.logDir,
  verbose: false,
  report: () => {},
});

before(
  async () => {
    if (skip) return;
    const tree = await cachedTree('bookworm');
    const stamp = join(buildDir, 'ds-kit-configure.json');
    const wanted = JSON.stringify({ tree, args: CONFIGURE });
    if (!existsSync(join(buildDir, 'Makefile')) || !existsSync(stamp) || readFileSync(stamp, 'utf8') !== wanted) {
      mkdirSync(buildDir, { recursive: true });
      // Debian's version-string patch writes dlls/ntdll/unix/version.h into the build directory.
      await runCommand(
        {
          tool: 'node',
          file: join(tree, 'configure'),
          args: [...CONFIGURE, `CPPFLAGS=-I${join(buildDir, 'dlls/ntdll/unix')}`],
          cwd: buildDir,
        },
        step('configure', `configure ${tree} --prefix=/usr`),
      );
      writeFileSync(stamp, wanted);
    }
    // Debian's temporary-directory patch names this header relative to the build directory.
    const tmpdirHeader = join(buildDir, 'include/wine/server_tmpdir.h');
    if (existsSync(join(tree, 'include/wine/server_tmpdir.h')) && !existsSync(tmpdirHeader)) {
      mkdirSync(join(buildDir, 'include/wine'), { recursive: true });
      symlinkSync(join(tree, 'include/wine/server_tmpdir.h'), tmpdirHeader);
    }
    // Debian's tree patches dlldir to ${libdir} (debianization/install-paths.patch); upstream's is
    // ${libdir}/wine, which make takes from the command line. A fresh DESTDIR every run: only what
    // these targets install is there.
    rmSync(destDir, { recursive: true, force: true });
    await runCommand(
      {
        tool: 'node',
        file: 'make',
        args: ['-j2', `DESTDIR=${destDir}`, 'dlldir=/usr/lib/wine', ...INSTALL_TARGETS],
        cwd: buildDir,
      },
      step('install', `make install (headers, import libraries, ntdll, tools) into ${destDir}`),
    );
    // Configured afresh every run: the point is that CMake finds this Wine by itself.
    rmSync(options.buildDir, { recursive: true, force: true });
    await new Listr(wineModuleTasks(options), { renderer: 'silent', exitOnError: true }).run();
    await compilePrograms(run);
  },
  { timeout: 3_600_000 },
);

test("the prefix has the upstream layout, not Debian's", { skip }, () => {
  for (const f of [
    'include/wine/windows/windef.h',
    'include/wine/msvcrt/stdarg.h',
    'include/wine/debug.h',
    'lib/wine/x86_64-windows/libntdll.a',
    'lib/wine/x86_64-windows/libwinecrt0.a',
    'lib/wine/x86_64-windows/libkernel32.a',
    'bin/winebuild',
    'bin/winegcc',
  ]) {
    assert.ok(existsSync(join(prefix, f)), `${f} missing from ${prefix}`);
  }
  assert.ok(!existsSync(join(prefix, 'include/wine/wine')), "Debian's include/wine/wine/ should not exist upstream");
});

test("CMake took Wine's tools, headers and libraries from the prefix", { skip }, () => {
  for (const side of SIDES) {
    const value = (name: string): string | undefined => cachedValue(options, side, name);
    assert.equal(value('WINEBUILD'), join(prefix, 'bin/winebuild'), `${side}: WINEBUILD`);
    assert.equal(value('WINEGCC'), join(prefix, 'bin/winegcc'), `${side}: WINEGCC`);
    assert.equal(
      value('WINE_WINDOWS_INCLUDE_DIR'),
      join(prefix, 'include/wine/windows'),
      `${side}: WINE_WINDOWS_INCLUDE_DIR`,
    );
    assert.equal(value('WINE_INCLUDE_DIR'), join(prefix, 'include'), `${side}: WINE_INCLUDE_DIR (holds wine/debug.h)`);
    assert.equal(value('WINE_LIB_DIR'), join(prefix, 'lib/wine'), `${side}: WINE_LIB_DIR`);
  }
  const commands = JSON.parse(readFileSync(join(options.buildDir, 'compile_commands.json'), 'utf8')) as {
    command: string;
    file: string;
  }[];
  assert.ok(
    commands.some((c) => c.file.endsWith('/queue.c')) && commands.some((c) => c.file.endsWith('/unix_queue.c')),
    'compile_commands.json should hold both sides',
  );
  for (const c of commands) {
    assert.doesNotMatch(
      c.command,
      /-I\s*\/usr\/include\/wine/,
      `${c.file} was compiled against the system's Wine headers`,
    );
  }
  assert.ok(
    commands.filter((c) => !/unix_/.test(c.file)).every((c) => c.command.includes(join(prefix, 'include/wine/msvcrt'))),
    "every PE-side compile uses the prefix's msvcrt headers",
  );
});

for (const name of skip ? [] : ['smoke', 'queue_memory']) {
  test(`${name}.exe passes under the system Wine with the module built against the upstream-layout prefix`, {
    timeout: 300_000,
  }, async () => {
    await runProgram(run, name);
  });
}
