// Reads the crash command outputs of test/fixtures/crash/ as the ingest layer hands them over.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLine } from '../../src/model/types';
import { linesFromText } from '../../src/ingest/lines';
import { readCrashSession, type CrashSession } from '../../src/crash';
import { REPO } from './shared';

/** The text of a fixture of test/fixtures/crash/. */
export function crashFixtureText(name: string): string {
  return readFileSync(join(REPO, 'test', 'fixtures', 'crash', name), 'utf8');
}

/** The lines of a fixture, cleaned and numbered as for any input. */
export function crashFixtureLines(name: string): LogLine[] {
  return linesFromText(crashFixtureText(name));
}

/** The session read from a fixture. */
export function readFixture(name: string): CrashSession {
  return readCrashSession(crashFixtureLines(name));
}

/** The session read from a text. */
export function readText(text: string): CrashSession {
  return readCrashSession(linesFromText(text));
}
