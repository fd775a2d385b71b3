// SPDX-License-Identifier: MIT
// Does this Proton's Wine export every function the module imports? A module built against one Wine
// can name an entry point another Wine no longer has (Wine 8.0's import of ntdll's __wine_unix_call
// is gone in 10.0, where the game would abort at its first DirectStorage call), so install checks
// the module's import table against the DLLs in the Proton's x86_64-windows folder.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PeError, readExports, readImports } from './pe.ts';

export interface ImportCheck {
  /** "ntdll.dll!__wine_unix_call" for each import the Proton's DLL does not export. */
  missing: string[];
  /** Imported DLLs found in the Proton and read. */
  checked: string[];
  /** Imported DLLs that are not in the folder or could not be read: not judged. */
  unchecked: string[];
}

/** Throws PeError when the module itself is not a readable PE DLL. */
export function checkImports(moduleDll: string, peDir: string): ImportCheck {
  const imports = readImports(moduleDll);
  const onDisk = new Map<string, string>();
  if (existsSync(peDir)) for (const name of readdirSync(peDir)) onDisk.set(name.toLowerCase(), name);
  const result: ImportCheck = { missing: [], checked: [], unchecked: [] };
  for (const [dll, names] of imports.byDll) {
    const file = onDisk.get(dll);
    let exported: Set<string>;
    try {
      if (!file) throw new PeError(dll, 'not in the folder');
      exported = readExports(join(peDir, file));
    } catch (e) {
      if (!(e instanceof PeError)) throw e;
      result.unchecked.push(dll);
      continue;
    }
    result.checked.push(dll);
    for (const n of names) if (!exported.has(n)) result.missing.push(`${dll}!${n}`);
  }
  return result;
}
