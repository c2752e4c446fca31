// Locates the shared test data (seed cases, syzkaller corpus) that tests read in place.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (tests run from dist/test/...). */
export const REPO = resolve(__dirname, '..', '..', '..');

/** `../shared` beside the repository, or KTRIAGE_SHARED; null when absent. */
export function sharedDir(): string | null {
  const dir = process.env.KTRIAGE_SHARED ?? resolve(REPO, '..', 'shared');
  return existsSync(dir) ? dir : null;
}

export interface SeedCase {
  name: string;
  inputPath: string;
  input: string;
  expected: Record<string, unknown>;
}

/** The seed cases under shared/cases, or [] when shared/ is absent. */
export function seedCases(): SeedCase[] {
  const dir = sharedDir();
  if (!dir || !existsSync(join(dir, 'cases'))) return [];
  return readdirSync(join(dir, 'cases'))
    .sort()
    .filter((n) => existsSync(join(dir, 'cases', n, 'input.txt')))
    .map((name) => {
      const inputPath = join(dir, 'cases', name, 'input.txt');
      return {
        name,
        inputPath,
        input: readFileSync(inputPath, 'utf8'),
        expected: JSON.parse(readFileSync(join(dir, 'cases', name, 'expected.json'), 'utf8')) as Record<string, unknown>,
      };
    });
}

export const SKIP_SHARED = sharedDir() === null ? 'shared/ is not beside the repository (set KTRIAGE_SHARED): seed-case tests skipped' : false;
