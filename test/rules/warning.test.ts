// KT-kernel-warning on real logs: the WARN site, what it means, and the code that broke the checked condition.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, readLog, ruleCases } from '../support/rule-cases';
import { kernelWarning } from '../../src/rules/checks/warning';

ruleCases({
  rule: kernelWarning,
  valid: [
    { log: 'test/fixtures/qemu/initimbalance.log', why: 'an initcall returning with preemption disabled, blamed on the init function the message names', class: 'lock-imbalance', culprit: 'initimbalance_init', module: 'initimbalance', first: true },
    { log: 'corpus:report/158', why: 'a refcount underflow blamed past refcount_warn_saturate', class: 'use-after-free', culprit: 'dev_activate', first: true },
    { log: 'corpus:report/406', why: 'a refcount WARN inside kobject_get and the device core, blamed on the registering driver', class: 'use-after-free', culprit: 'hci_register_dev', first: true },
    { log: 'corpus:report/168', why: 'an ODEBUG warning', class: 'use-after-free', culprit: 'pppol2tp_release', first: true },
    { log: 'shared:cases/realworld/032-zfs-warning-xfs-writepage-file-vdev/input.txt', why: 'a WARN in a file system module not in the table of known sites', class: 'other' },
  ],
  invalid: [
    { log: 'shared:cases/realworld/006-list-add-corruption-page-fault-path/input.txt', why: 'a list_add corruption WARNING at lib/list_debug.c (the list rule explains it)' },
    { log: 'corpus:report/152', why: 'a lockdep circular-dependency report' },
    { log: 'test/fixtures/qemu/nullmember.log', why: 'a NULL member read' },
  ],
});

test('a WARN whose message names the responsible function blames it, not the WARN site', async () => {
  const f = (await findingsOf(readLog('test/fixtures/qemu/initimbalance.log') as string)).find((x) => x.rule === kernelWarning.meta.id);
  assert.ok(f);
  assert.equal(f.facts.warnFunction, 'do_one_initcall');
  assert.equal(f.facts.namedByMessage, true);
  assert.equal(f.facts.known, 'initcall-imbalance');
  assert.match(f.explanation, /The message names initimbalance_init \[initimbalance\]/);
});

test('a NETDEV WATCHDOG warning blames the driver it names', async () => {
  const log = [
    '[ 1123.456789] NETDEV WATCHDOG: eth0 (igb): transmit queue 0 timed out',
    '[ 1123.456801] WARNING: CPU: 3 PID: 0 at net/sched/sch_generic.c:477 dev_watchdog+0x1f1/0x200',
    '[ 1123.456810] Modules linked in: igb(E) dca(E)',
    '[ 1123.456820] CPU: 3 PID: 0 Comm: swapper/3 Tainted: G            E     5.10.0-9-amd64 #1 Debian 5.10.70-1',
    '[ 1123.456830] RIP: 0010:dev_watchdog+0x1f1/0x200',
    '[ 1123.456840] Call Trace:',
    '[ 1123.456841]  <IRQ>',
    '[ 1123.456842]  ? pfifo_fast_enqueue+0x150/0x150',
    '[ 1123.456843]  call_timer_fn+0x29/0xf0',
    '[ 1123.456844]  __run_timers.part.0+0x1d3/0x250',
    '[ 1123.456845]  run_timer_softirq+0x26/0x50',
    '[ 1123.456846]  __do_softirq+0xc5/0x275',
    '[ 1123.456847]  </IRQ>',
    '[ 1123.456848] ---[ end trace 5a3b2c1d4e5f6a7b ]---',
  ].join('\n');
  const f = (await findingsOf(log)).find((x) => x.rule === kernelWarning.meta.id);
  assert.ok(f);
  assert.deepEqual(f.culprit, { function: null, module: 'igb' });
  assert.equal(f.rootCauseClass, 'hardware');
});
