// The diagnosis on published real crashes it was not written against: the rates must not fall below what the principles give.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRealScore, realworldCases, scoreRealworld } from './support/realworld-report';

test('published real crashes: root-cause class, culprit function and module', { skip: realworldCases().length === 0 ? 'shared/cases/realworld is absent' : false }, async () => {
  const s = await scoreRealworld();
  console.log(formatRealScore(s));
  assert.ok(s.classOk / s.cases >= 0.8, `class rate ${s.classOk}/${s.cases}`);
  assert.ok(s.culpritOk / s.cases >= 0.5, `culprit rate ${s.culpritOk}/${s.cases}`);
  assert.ok(s.moduleOk / s.cases >= 0.65, `module rate ${s.moduleOk}/${s.cases}`);
});
