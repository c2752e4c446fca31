// KT-kasan on real logs: the bad access, the object, who allocated and freed it, and the function that owns both sides.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, readLog, ruleCases } from '../support/rule-cases';
import { kasanReport } from '../../src/rules/memory/kasan';

ruleCases({
  rule: kasanReport,
  valid: [
    { log: 'shared:cases/realworld/023-arm64-kasan-oob-write-kunit/input.txt', why: 'an out-of-bounds write blamed on the caller that allocated the buffer', class: 'memory-corruption', culprit: 'test_format_fill_silence', first: true },
    { log: 'shared:cases/realworld/024-kasan-uaf-in-register-error-path/input.txt', why: 'a use-after-free in an error path that freed what it then used', class: 'use-after-free', culprit: '__thermal_cooling_device_register', first: true },
    { log: 'shared:cases/realworld/030-zfs-kasan-stack-oob-readpage/input.txt', why: 'a stack out-of-bounds read in a module', class: 'memory-corruption', culprit: ['zfs_getpage', 'zfs_fillpage'], module: 'zfs', first: true },
    { log: 'corpus:report/130', why: 'a syzkaller use-after-free read with its free stack', class: 'use-after-free', culprit: 'aead_recvmsg', first: true },
    { log: 'corpus:report/110', why: 'a syzkaller slab-out-of-bounds read', class: 'memory-corruption', culprit: 'sg_remove_request', first: true },
    { log: 'corpus:report/216', why: 'a "double-free or invalid-free" report (two words joined by "or")', class: 'use-after-free', culprit: 'xt_free_table_info', first: true },
  ],
  invalid: [
    { log: 'corpus:report/590', why: 'a KFENCE report' },
    { log: 'test/fixtures/qemu/slabuaf.log', why: 'slab poison without KASAN' },
    { log: 'corpus:report/392', why: 'a KASAN null-ptr-deref (the NULL-dereference rule explains it)' },
  ],
});

test('a use-after-free names the freeing function from the Freed stack, past the allocator plumbing', { skip: readLog('corpus:report/130') === null }, async () => {
  const f = (await findingsOf(readLog('corpus:report/130') as string)).find((x) => x.rule === kasanReport.meta.id);
  assert.ok(f);
  assert.ok(typeof f.facts.freedBy === 'string' && !/^(?:kfree|kmem_cache_free|__kasan|kasan_|slab_free)/.test(f.facts.freedBy as string), String(f.facts.freedBy));
  assert.match(f.summary, new RegExp(`freed by ${f.facts.freedBy as string}`));
});

test('a KASAN write is called a write', { skip: readLog('shared:cases/realworld/023-arm64-kasan-oob-write-kunit/input.txt') === null }, async () => {
  const f = (await findingsOf(readLog('shared:cases/realworld/023-arm64-kasan-oob-write-kunit/input.txt') as string)).find((x) => x.rule === kasanReport.meta.id);
  assert.ok(f);
  assert.match(f.summary, /wrote past the bounds of/);
  assert.equal(f.facts.bufferOwner, 'test_format_fill_silence');
});
