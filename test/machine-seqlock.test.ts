// Seqlock readers: CPUs stopped again and again in a reader's retry loop wait for the writer; one CPU sampled there is not a wait.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText } from '../src/analyze/analyze';
import { buildMachine } from '../src/machine';

/** An NMI backtrace of one CPU stopped at `rip`, called from `frames` (innermost first), in the console form. */
function nmiBacktrace(cpu: number, pid: number, comm: string, rip: string, frames: readonly string[]): string {
  return [
    `NMI backtrace for cpu ${cpu}`,
    `CPU: ${cpu} PID: ${pid} Comm: ${comm} Not tainted 6.1.0-57-amd64 #1  Debian 6.1.192-3`,
    `RIP: 0010:${rip}`,
    'RSP: 0018:ffffd38f803dbef0 EFLAGS: 00000046',
    'RAX: 00000011bbeb7113 RBX: 0000000ec7437e5a RCX: 00000000009f0fb6',
    'RDX: 00000000000041ea RSI: 0000000000000001 RDI: ffffffffb1c0a240',
    'Call Trace:',
    ' <TASK>',
    ...frames.map((f) => ` ${f}`),
    ' </TASK>',
  ].join('\n');
}

const readers = [
  nmiBacktrace(1, 301, 'worker', 'ktime_get+0x38/0xa0', ['hrtimer_start_range_ns+0x1a4/0x3c0', 'tick_nohz_restart_sched_tick+0x6c/0x90', 'do_idle+0x1c4/0x2a0']),
  nmiBacktrace(2, 302, 'netperf', 'ktime_get_with_offset+0x4c/0xc0', ['tcp_mstamp_refresh+0x12/0x40', 'tcp_write_xmit+0x40/0x1370', '__tcp_push_pending_frames+0x32/0xf0']),
];
const writer = nmiBacktrace(3, 0, 'swapper/3', 'timekeeping_advance+0x2b0/0x5f0', ['update_wall_time+0xd/0x20', 'tick_do_update_jiffies64+0xc2/0x130', 'tick_sched_timer+0x63/0x80']);

test('two CPUs in timekeeping readers and one in the writer: a seqlock wait held by the writer', async () => {
  const m = buildMachine(await analyzeText('seq', [...readers, writer].join('\n') + '\n'));
  const lock = m.locks.find((l) => l.kind === 'seqlock');
  assert.ok(lock, JSON.stringify(m.locks.map((l) => l.kind)));
  assert.equal(lock.name, 'timekeeper seqcount (tk_core.seq)');
  assert.deepEqual(lock.waiters.map((w) => m.contexts[w.context].cpu).sort(), [1, 2]);
  assert.deepEqual(lock.holders.map((h) => m.contexts[h.context].cpu), [3]);
  assert.equal(lock.holders[0].function, 'timekeeping_advance');
  assert.match(m.cpus.find((c) => c.cpu === 1)?.doing.en ?? '', /spins on timekeeper seqcount/);
});

test('one CPU sampled in a reader, with no writer seen, waits for nothing', async () => {
  const m = buildMachine(await analyzeText('seq1', readers[0] + '\n'));
  assert.equal(m.locks.filter((l) => l.kind === 'seqlock').length, 0);
});
