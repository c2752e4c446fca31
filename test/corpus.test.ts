// Scores the signature layer against syzkaller's own corpus, read in place.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusAvailable, corpusRoot } from './support/corpus';
import { formatScore, scoreCorpus } from './support/corpus-report';

const present = corpusAvailable('report') && corpusAvailable('guilty');

test('syzkaller corpus: titles, corruption, alternatives, types and guilty files', { skip: present ? false : `corpus not found at ${corpusRoot()} (set KTRIAGE_SYZ_CORPUS)` }, () => {
  const s = scoreCorpus();
  console.log(formatScore(s));
  assert.ok(s.titled > 0, 'the corpus has titled reports');
  assert.ok(s.titleOk / s.titled >= 0.95, `exact-title rate ${s.titleOk}/${s.titled} below 0.95`);
  assert.equal(s.noCrashOk, s.noCrashFiles, 'files without TITLE must produce no report');
  assert.ok(s.guiltyOk / s.guiltyFiles >= 0.9, `guilty-file rate ${s.guiltyOk}/${s.guiltyFiles} below 0.90`);
});
