// SPDX-License-Identifier: MIT
// Makes an unpacked Debian wine source tree configurable, the way debian/rules does in
// override_dh_auto_configure: the generator scripts it runs (make_requests, make_opengl, make_vulkan, ...)
// and its symlinks, read from debian/rules itself, then autoreconf -f. `module` mode skips
// tools/make_unicode (about 4.5 minutes on 2 cores) and writes a placeholder that fails loudly for
// each source file it would have generated: enough to configure and build dlls/dstorage.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export type PrepareMode = 'module' | 'full';

/** The shell commands of override_dh_auto_configure that generate files (not configure, not rm). */
export function preparationCommands(rules: string, mode: PrepareMode): string[] {
  const block = /^override_dh_auto_configure:\n((?:\t.*\n|\n(?=\t)|ifneq.*\n|endif.*\n)*)/m.exec(rules);
  if (!block) throw new Error('debian/rules has no override_dh_auto_configure target');
  return block[1]
    .split('\n')
    .map((l) => l.replace(/^\t/, '').trim())
    .filter((l) => /^(\.\/debian\/scripts\/generate|\.\/tools\/make_\w+|cd dlls\/\S+ && \.\/make_\w+|ln -sf )/.test(l))
    .filter((l) => mode === 'full' || !/make_unicode/.test(l));
}

const SOURCE_VAR = /^(\w*_SRCS|SOURCES)\s*=/;
const PLACEHOLDER = (file: string): string =>
  `/* placeholder written by ds-kit fetch-wine (prepare mode "module") for ${file}, which tools/make_unicode\n` +
  ' * generates. Run ./tools/make_unicode in this tree (or ds-kit fetch-wine --prepare full) before a full build. */\n' +
  '#error "generated file missing: run ./tools/make_unicode"\n';

function makefiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory() && e.name !== 'debian' && !e.name.startsWith('.')) makefiles(join(dir, e.name), out);
    else if (e.name === 'Makefile.in') out.push(join(dir, e.name));
  }
  return out;
}

/** Sources that Makefile.in files list but the tree lacks: what make_unicode would have written. */
export function missingListedSources(tree: string): string[] {
  const missing: string[] = [];
  for (const mf of makefiles(tree)) {
    const text = readFileSync(mf, 'utf8').replace(/\\\n/g, ' ');
    // PARENTSRC: a directory that shares sources with its parent (tools/widl builds ../wrc/wpp.c).
    const parent = /^PARENTSRC\s*=\s*(\S+)/m.exec(text)?.[1];
    for (const line of text.split('\n')) {
      if (!SOURCE_VAR.test(line)) continue;
      for (const name of line
        .replace(SOURCE_VAR, '')
        .trim()
        .split(/\s+/)
        .filter((t) => /^[\w./-]+\.(c|h|nls|rc|rgs)$/.test(t))) {
        const file = join(dirname(mf), name);
        if (!existsSync(file) && !(parent && existsSync(join(dirname(mf), parent, name))))
          missing.push(relative(tree, file));
      }
    }
  }
  return missing.sort();
}

export function writePlaceholders(tree: string, files: string[]): void {
  for (const f of files) writeFileSync(join(tree, f), PLACEHOLDER(f));
}
