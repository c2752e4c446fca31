// Lock values of `struct`/`p` answers and the stack words of `bt -f`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFixture, readText } from '../support/crash-fixtures';
import { sharedDir, SKIP_SHARED } from '../support/shared';

test('gdb-printed spinlock_t: qspinlock val split into locked, pending and the queued CPU of the tail', () => {
  const locks = readFixture('gdb-locks.txt').locks;
  assert.equal(locks.length, 5);
  const [contended, free] = locks;
  assert.equal(contended.kind, 'spinlock');
  assert.equal(contended.expression, '$1');
  assert.equal(contended.raw, '1835265');
  assert.equal(contended.value, '1c0101');
  assert.deepEqual(contended.qspinlock, { locked: 1, pending: 1, tail: 28, tailIndex: 0, tailCpu: 6 });
  assert.deepEqual([contended.lines[0], contended.lines[contended.lines.length - 1]], [1, 21]);
  assert.deepEqual(free.qspinlock, { locked: 0, pending: 0, tail: 0, tailIndex: 0, tailCpu: null });
  // The same lock printed with p/x reads the same.
  assert.deepEqual(locks[4].qspinlock, contended.qspinlock);
  assert.equal(locks[4].raw, '0x1c0101');
});

test('gdb-printed struct mutex: the owner task with the waiters flag bit taken apart', () => {
  const m = readFixture('gdb-locks.txt').locks[2];
  assert.equal(m.kind, 'mutex');
  assert.equal(m.raw, '-120203940784191');
  assert.equal(m.value, 'ffff92acd6cf17c1');
  assert.deepEqual(m.owner, { address: 'ffff92acd6cf17c0', flags: 1, flagNames: ['MUTEX_FLAG_WAITERS'] });
});

test('gdb-printed struct rw_semaphore: two readers and waiters in count, reader-owned owner', () => {
  const r = readFixture('gdb-locks.txt').locks[3];
  assert.equal(r.kind, 'rw_semaphore');
  assert.deepEqual(r.count, { raw: '514', value: '202', writerLocked: false, waiters: true, handoff: false, readers: 2 });
  assert.deepEqual(r.owner, { address: 'ffff92ad555497c0', flags: 1, flagNames: ['RWSEM_READER_OWNED'] });
});

test('a struct answer without locks (crash help: tcp_sl_timer) is read and yields no lock', () => {
  const s = readText(readFileSync(join(__dirname, '..', '..', '..', 'test', 'fixtures', 'crash', 'struct.txt'), 'utf8'));
  assert.equal(s.locks.length, 0);
  assert.ok(s.commands.length > 0 && s.commands.every((c) => c.understood));
});

test('crash help example of bt -f: the words under each frame with their stack addresses', () => {
  const s = readFixture('bt-f.txt');
  const w = s.stackWords;
  assert.deepEqual(w.slice(0, 4).map((e) => [e.pid, e.task, e.frameIndex, e.function, e.frameLine, e.words.length]), [
    [1592, 'c0cec000', 0, 'schedule', 3, 13],
    [1592, 'c0cec000', 1, 'pipe_wait', 9, 21],
    [1592, 'c0cec000', 2, 'pipe_read', 17, 9],
    [1592, 'c0cec000', 3, 'sys_read', 22, 17],
  ]);
  assert.deepEqual(w[0].words.slice(0, 2), [{ address: 'c0ceded4', value: 'c0cedf00' }, { address: 'c0ceded8', value: 'c0cec000' }]);
  assert.deepEqual(w[0].words[12], { address: 'c0cedf04', value: 'c0153088' });
  // The system_call frame prints registers before its words.
  const sc = w.find((e) => e.function === 'system_call');
  assert.equal(sc?.words.length, 15);
  assert.deepEqual(sc?.words[14], { address: 'c0cedffc', value: '0000002b' });
  // 64-bit words, then the same frame by bt -F with symbols in place of values.
  const vfs = w.filter((e) => e.function === 'vfs_write');
  assert.equal(vfs.length, 2);
  assert.deepEqual(vfs[0].words[5], { address: 'ffff810072b47f40', value: 'ffffffff80078f75' });
  assert.deepEqual(vfs[1].words[0], { address: 'ffff810072b47f18', value: '[files_cache]' });
  assert.equal(vfs[0].pid, null, 'a frame under no PID header has no task');
  assert.ok(s.commands.every((c) => c.understood));
});

test('seed 003: bt and bt -a without -f are understood and carry no stack words', { skip: SKIP_SHARED }, () => {
  const s = readText(readFileSync(join(sharedDir() ?? '', 'cases', 'seed-003-softlockup-spin-unlock-irq-nested', 'input.txt'), 'utf8'));
  assert.deepEqual(s.commands.map((c) => [c.line, c.command, c.understood, c.output?.from]), [[82, 'bt', true, 83], [111, 'bt -a', true, 112]]);
  assert.equal(s.stackWords.length, 0);
});
