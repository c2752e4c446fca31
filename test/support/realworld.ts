// Reads the published real-world crash logs of shared/cases/realworld in place.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDir } from './shared';

export interface RealworldCase {
  name: string;
  path: string;
  bytes: Buffer;
}

function realworldDir(): string | null {
  const dir = sharedDir();
  return dir && existsSync(join(dir, 'cases', 'realworld')) ? join(dir, 'cases', 'realworld') : null;
}

/** Every case, sorted by name; [] when shared/ is absent. */
export function realworldCases(): RealworldCase[] {
  const dir = realworldDir();
  if (!dir) return [];
  return readdirSync(dir)
    .filter((n) => existsSync(join(dir, n, 'input.txt')))
    .sort()
    .map((name) => ({ name, path: join(dir, name, 'input.txt'), bytes: readFileSync(join(dir, name, 'input.txt')) }));
}

/** The case whose folder starts with `prefix` (e.g. "037-"), or null when absent. */
export function realworldCase(prefix: string): RealworldCase | null {
  return realworldCases().find((c) => c.name.startsWith(prefix)) ?? null;
}

export const SKIP_REALWORLD = realworldDir() === null ? 'shared/cases/realworld is absent: real-world log tests skipped' : false;
