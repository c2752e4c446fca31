// rd, kmem ADDR and timer answers of the real crash 8.0.2 on the dump of a timer left queued by an unloaded module.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCrashSession } from '../../src/crash';
import { buildMachine } from '../../src/machine/build';
import { linesFromText } from '../../src/ingest/lines';
import { REPO } from '../support/shared';

const DIR = join(REPO, 'test', 'fixtures', 'dumps', 'timerleak');
const read = (name: string) => readCrashSession(linesFromText(readFileSync(join(DIR, name), 'utf8')));
const skip = !existsSync(DIR);

test('rd and kmem of an address nothing maps any more: one unreadable fact each, at the address asked for', { skip }, () => {
  const rd = read('rd-timer.txt');
  assert.equal(rd.addresses.length, 1);
  assert.equal(rd.addresses[0].readable, false);
  assert.equal(rd.addresses[0].by, 'rd');
  const kmem = read('kmem-timer.txt');
  assert.deepEqual(kmem.addresses.map((a) => [a.by, a.address]), [['kmem', rd.addresses[0].address]]);
});

test('timer: every pending timer with its CPU base, function and timer_list, and the list entry crash could not follow', { skip }, () => {
  const text = readFileSync(join(DIR, 'timer.txt'), 'utf8');
  const s = read('timer.txt');
  assert.equal(s.timers.length, (text.match(/<[^>]+>\s*$/gm) ?? []).length);
  assert.ok(s.timers.every((t) => /^[0-9a-f]{16}$/.test(t.timerList) && t.function.length > 0 && t.cpu !== null));
  assert.deepEqual([...new Set(s.timers.map((t) => t.cpu))].sort(), [0, 1]);
  const invalid = s.addresses.filter((a) => a.by === 'timer');
  assert.equal(invalid.length, 1);
  assert.equal(invalid[0].readable, false);
});

test('rd words are read only as rd output: the same shape elsewhere is no address fact', () => {
  const asRd = readCrashSession(linesFromText('crash> rd -x ffffffffc03fd3e0 2\nffffffffc03fd3e0:  0000000000000000 ffffffffc03fd3e8   ........\n'));
  assert.deepEqual(asRd.addresses.map((a) => [a.readable, a.words.length]), [[true, 2]]);
  const other = readCrashSession(linesFromText('crash> bt -f\nffffffffc03fd3e0:  0000000000000000 ffffffffc03fd3e8\n'));
  assert.equal(other.addresses.length, 0);
});

test('rd of pages a filtered dump does not hold (page excluded, seek error) is no sign the memory is gone; an invalid address is', () => {
  // crash 8.0.2 on a dump filtered by makedumpfile -d 31 in the guest (test/fixtures/vmcores/slabfree-makedumpfile-zlib-2cpu)
  const file = join(REPO, 'test', 'fixtures', 'vmcores', 'slabfree-makedumpfile-zlib-2cpu', 'crash-rd.txt');
  if (!existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  const s = readCrashSession(linesFromText(text));
  assert.equal(s.addresses.length, 4);
  assert.ok(s.addresses.every((a) => !a.readable && a.excluded === true));
  const lines = text.split('\n');
  const model = buildMachine({ input: 'x', kernel: { release: null, arch: null, taint: null }, reports: [], findings: [], notes: [], lineCount: lines.length, backtraces: [], regions: [linesFromText(text)] });
  assert.deepEqual(model.unreadable, []);
  const gone = buildMachine({ input: 'x', kernel: { release: null, arch: null, taint: null }, reports: [], findings: [], notes: [], lineCount: 2, backtraces: [], regions: [linesFromText('crash> rd ffffffffc03fd3e0 8\nrd: invalid kernel virtual address: ffffffffc03fd3e0  type: "64-bit KVADDR"\n')] });
  assert.deepEqual(gone.unreadable.map((u) => u.address), ['ffffffffc03fd3e0']);
});
