#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Entry point of the `ds-kit` command: lets Node load the TypeScript CLI directly.
import { register } from 'tsx/esm/api';

register();
await import('../scripts/cli.ts');
