// Scores the signature layer against syzkaller's own corpus, read in place: every result must be syzkaller's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusAvailable, corpusRoot } from './support/corpus';
import { formatScore, scoreCorpus } from './support/corpus-report';

const present = corpusAvailable('report') && corpusAvailable('guilty');

test('syzkaller corpus: titles, corruption, alternatives, types, frames and guilty files are all syzkaller\'s', { skip: present ? false : `corpus not found at ${corpusRoot()} (set KTRIAGE_SYZ_CORPUS)` }, () => {
  const s = scoreCorpus();
  // Every mismatch is printed, so that a failure says which file and what differs.
  console.log(formatScore(s));
  assert.ok(s.titled > 0, 'the corpus has titled reports');
  assert.equal(s.titleOk, s.titled, 'exact titles');
  assert.equal(s.corruptedOk, s.titled, 'corrupted flags');
  assert.equal(s.altOk, s.titled, 'alternative titles');
  assert.equal(s.typeOk, s.titled, 'crash types');
  assert.equal(s.frameOk, s.frameFiles, 'guilty frames');
  assert.equal(s.executorOk, s.executorFiles, 'executor procs and programs');
  assert.equal(s.noCrashOk, s.noCrashFiles, 'files without TITLE produce no report');
  assert.equal(s.guiltyOk, s.guiltyFiles, 'guilty files');
  assert.deepEqual(s.mismatches, []);
});
