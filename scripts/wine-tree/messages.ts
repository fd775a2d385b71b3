// SPDX-License-Identifier: MIT
// The errors of scripts/wine-tree: every one says what is wrong and what to do next.
import { UsageError } from '../lib/errors.ts';

/** A problem with the tree or the machine that the user fixes (exit status 2 through the CLI). */
export class WineTreeError extends UsageError {
  readonly problem: string;
  readonly fix: string;

  constructor(problem: string, fix: string) {
    super(`${problem}\n  fix: ${fix}`);
    this.name = 'WineTreeError';
    this.problem = problem;
    this.fix = fix;
  }
}

/** A required program is missing. */
export function missingTool(tool: string, what: string, pkg: string): WineTreeError {
  return new WineTreeError(
    `${tool} not found on PATH (needed to ${what})`,
    `install ${pkg} (scripts/install-deps.sh installs it), then run the command again; nothing was changed`,
  );
}
