// Report kinds the syzkaller corpus does not cover, one file each: the header says what must come out of the log below it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractReports } from '../src/signature';
import { linesFromText } from '../src/ingest/lines';
import { REPO } from './support/shared';

const DIR = join(REPO, 'test', 'fixtures', 'titles');

interface TitleCase {
  name: string;
  fields: Record<string, string[]>;
  log: string;
}

function readCase(name: string): TitleCase {
  const text = readFileSync(join(DIR, name), 'utf8');
  const blank = text.indexOf('\n\n');
  const fields: Record<string, string[]> = {};
  for (const line of text.slice(0, blank).split('\n')) {
    const m = /^([A-Z]+): ?(.*)$/.exec(line);
    if (m) (fields[m[1]] ??= []).push(m[2]);
  }
  return { name, fields, log: text.slice(blank + 2) };
}

const cases = readdirSync(DIR)
  .filter((n) => n.endsWith('.txt'))
  .sort()
  .map(readCase);

test('every title fixture has a header and a log', () => {
  assert.ok(cases.length >= 20, `${cases.length} fixtures`);
  for (const c of cases) assert.ok(c.log.trim() !== '', c.name);
});

for (const c of cases) {
  const want = c.fields.TITLE?.[0];
  test(`${c.name}: ${want ?? 'no report'}`, () => {
    const lines = linesFromText(c.log);
    const reps = extractReports(lines);
    if (want === undefined) {
      assert.deepEqual(reps.map((r) => r.title), [], 'no report');
      return;
    }
    assert.ok(reps.length > 0, 'a report');
    const r = reps[0];
    assert.equal(r.title, want, 'title');
    assert.deepEqual([...r.altTitles].sort(), [...(c.fields.ALT ?? [])].sort(), 'alternative titles');
    assert.equal(r.type, c.fields.TYPE?.[0] ?? 'UNKNOWN', 'type');
    assert.equal(r.corrupted, c.fields.CORRUPTED?.[0] === 'Y', `corrupted (${r.corruptedReason ?? ''})`);
    const frame = c.fields.FRAME?.[0];
    if (frame !== undefined) assert.equal(r.frame, frame, 'frame');
    const span = c.fields.LINES?.[0];
    if (span !== undefined) assert.equal(`${lines[r.start].no}-${lines[r.end].no}`, span, 'lines of the report');
    assert.deepEqual(reps.slice(1).map((x) => x.title), c.fields.NEXT ?? [], 'later reports');
  });
}
