// KT-lockdep-wait-context on real logs: a lock that may sleep taken under a spinning lock, an RCU read side or in interrupt context.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleCases, findingsOf, readLog } from '../support/rule-cases';
import { lockdepWaitContext } from '../../src/rules/locking/lockdep-wait-context';

ruleCases({
  rule: lockdepWaitContext,
  valid: [
    { log: 'corpus:report/528', why: 'mmap_lock taken by a fault inside an RCU read side left open by count_memcg_event_mm', class: 'sleep-in-atomic', culprit: 'count_memcg_event_mm', first: true },
    { log: 'corpus:report/546', why: 'a spinlock_t taken in interrupt context (context-{2:2}) on an arm kernel', class: 'sleep-in-atomic', culprit: 'deactivate_slab', first: true },
    { log: 'test/fixtures/qemu-debug/sleepinvalid.log', why: 'a mutex taken by a timer callback under its own spinlock', class: 'sleep-in-atomic', culprit: 'sleepinv_stats_timer_fn', module: 'sleepinvalid' },
  ],
  invalid: [
    { log: 'corpus:report/532', why: 'an RCU read side still held (a leak, not a wait-context check)' },
    { log: 'corpus:report/234', why: 'recursive locking' },
    { log: 'shared:cases/realworld/013-arm-scheduling-while-atomic-spi-thread/input.txt', why: 'scheduling while atomic without lockdep' },
    { log: 'test/fixtures/qemu-debug/recursive.log', why: 'recursive locking of a driver mutex' },
  ],
});

test('KT-lockdep-wait-context names the constraint: the held lock whose wait type is lower, else the context', async (t) => {
  const a = readLog('corpus:report/528');
  const b = readLog('corpus:report/546');
  if (a === null || b === null) return t.skip('corpus absent');
  const f = (await findingsOf(a)).find((x) => x.rule === 'KT-lockdep-wait-context');
  const g = (await findingsOf(b)).find((x) => x.rule === 'KT-lockdep-wait-context');
  assert.ok(f && g);
  assert.deepEqual([f.facts.lock, f.facts.constrainedBy, f.facts.heldIn, f.facts.takenIn], ['&mm->mmap_lock', 'rcu_read_lock', 'count_memcg_event_mm', 'do_ipv6_setsockopt']);
  assert.equal(g.facts.constrainedBy, 'context-{2:2}');
  assert.match(g.summary, /sleeps on PREEMPT_RT/);
});
