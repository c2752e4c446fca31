// The model pieces read from a report: frames, stacks by context, registers, Code:, taint, modules.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFrame } from '../src/parse/frames';
import { parseTraces } from '../src/parse/trace';
import { parseDetails, parseKernel, parseTaint } from '../src/parse/details';
import { linesFromText } from '../src/ingest/lines';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './support/shared';
import { corpusRoot } from './support/corpus';

test('frames in every printed format are read with function, offset, module and reliability', () => {
  const cases: Array<[string, Partial<NonNullable<ReturnType<typeof parseFrame>>>]> = [
    [' [<ffffffffa045d10b>] TestMode_ServerExit+0x1b/0x90 [testmod]', { function: 'TestMode_ServerExit', offset: 0x1b, size: 0x90, module: 'testmod', reliable: true, address: 'ffffffffa045d10b' }],
    [' [<ffffffff810c1f65>] ? check_preempt_curr+0x85/0xa0', { function: 'check_preempt_curr', reliable: false }],
    ['[<fffffff81058e5d>] ? task_rq_lock+0x4d/0xa0', { function: 'task_rq_lock', address: 'fffffff81058e5d' }],
    ['[<ffffffffa032326d>] ? xlog_cli_committed+0x0x3d/0x100 [xfs]', { function: 'xlog_cli_committed', offset: 0x3d, module: 'xfs' }],
    [' ? poke_int3_handler+0xe0/0xe0', { function: 'poke_int3_handler', reliable: false, address: null }],
    [' ip6_send_skb+0x2f5/0x330 net/ipv6/ip6_output.c:1748', { function: 'ip6_send_skb', source: 'net/ipv6/ip6_output.c:1748' }],
    [' __dump_stack lib/dump_stack.c:17 [inline]', { function: '__dump_stack', inlined: true, source: 'lib/dump_stack.c:17' }],
    [' watchdog_timer_fn.cold.8+0x85/0x9e', { function: 'watchdog_timer_fn.cold.8' }],
    ['#12 [ffff88007f2839a8] _raw_spin_lock_irqsave at ffffffff8168eb47', { function: '_raw_spin_lock_irqsave', address: 'ffffffff8168eb47', reliable: true }],
    [' #7 [ffff92adf5c43e48] bfq_finish_requeue_request at ffffffffc0664555 [bfq]', { function: 'bfq_finish_requeue_request', module: 'bfq' }],
    ['[<c0100000>] (dump_backtrace+0x0/0x10c) from [<c0100010>] (show_stack+0x18/0x1c)', { function: 'dump_backtrace' }],
  ];
  for (const [text, want] of cases) {
    const f = parseFrame(text, 1);
    assert.ok(f, text);
    for (const [k, v] of Object.entries(want)) assert.equal((f as unknown as Record<string, unknown>)[k], v, `${text}: ${k}`);
  }
  for (const not of ['Call Trace:', 'RIP: 0010:f+0x1/0x2', 'Code: 48 89 <8b>', '---[ end trace 1 ]---']) assert.equal(parseFrame(not, 1), null, not);
});

test('an old-style trace with <IRQ> and <EOI> splits into interrupt and task context', () => {
  const lines = linesFromText([
    'Call Trace:',
    ' <IRQ>  [<ffffffff81687133>] dump_stack+0x19/0x1b',
    ' [<ffffffff8108f63f>] __do_softirq+0xef/0x280',
    ' [<ffffffff8108f9d5>] irq_exit+0xf5/0x100',
    ' <EOI>  [<ffffffff81514eb2>] cpuidle_enter_state+0x52/0xc0',
    ' [<ffffffff81514ff9>] cpuidle_idle_call+0xd9/0x210',
  ].join('\n'));
  const [tr] = parseTraces(lines);
  assert.deepEqual(tr.segments.map((s) => [s.context, s.frames.map((f) => f.function)]), [
    ['softirq', ['dump_stack', '__do_softirq']],
    ['irq', ['irq_exit']],
    ['task', ['cpuidle_enter_state', 'cpuidle_idle_call']],
  ]);
});

test('a crash bt splits at its stack separators and exception frames', () => {
  const lines = linesFromText([
    'PID: 0      TASK: ffff88007b889f60  CPU: 1   COMMAND: "swapper/1"',
    ' #0 [ffff88007f285b20] panic at ffffffff81680541',
    ' #1 [ffff88007f285eb0] do_nmi at ffffffff81690463',
    '    [exception RIP: _raw_spin_lock_irqsave+71]',
    '    RIP: ffffffff8168eb47  RSP: ffff88007f2839a8  RFLAGS: 00000002',
    '--- <NMI exception stack> ---',
    ' #2 [ffff88007f2839b0] lock_timer_base at ffffffff8109700b',
    ' #3 [ffff88007f283db0] page_fault at ffffffff8168f208',
    '    [exception RIP: run_timer_softirq+248]',
    ' #4 [ffff88007f283e60] run_timer_softirq at ffffffff810989b3',
    ' #5 [ffff88007f283ed8] __do_softirq at ffffffff8108f63f',
    ' #6 [ffff88007f283f98] smp_apic_timer_interrupt at ffffffff81699f15',
    '--- <IRQ stack> ---',
    ' #7 [ffff88007b89fe80] cpuidle_idle_call at ffffffff81514ff9',
  ].join('\n'));
  const [tr] = parseTraces(lines);
  assert.equal(tr.origin, 'crash-bt');
  assert.deepEqual(tr.task, { pid: 0, comm: 'swapper/1', cpu: 1 });
  assert.deepEqual(tr.segments.map((s) => [s.context, s.exceptionRip, s.frames.map((f) => f.function)]), [
    ['nmi', null, ['panic', 'do_nmi']],
    ['exception', '_raw_spin_lock_irqsave+71', ['lock_timer_base', 'page_fault']],
    ['softirq', 'run_timer_softirq+248', ['run_timer_softirq', '__do_softirq']],
    ['irq', null, ['smp_apic_timer_interrupt']],
    ['task', null, ['cpuidle_idle_call']],
  ]);
});

test('taint letters: G is not a taint, RHEL markers are skipped, the tech-preview T after them is kept', () => {
  assert.deepEqual(parseTaint('Tainted: G           OE  ------------ T').flags, ['O', 'E', 'T']);
  assert.deepEqual(parseTaint('Tainted: P        W  O    ').flags, ['P', 'W', 'O']);
  assert.deepEqual(parseTaint('Not tainted').flags, []);
});

test('the CPU/PID line, hardware, registers, Code: bytes and module list are read', () => {
  const d = parseDetails(linesFromText([
    'Modules linked in: lwconn(OE) bridge stp testmod(OE-)',
    ' virtio_ring virtio floppy [last unloaded: lwconn]',
    'CPU: 3 PID: 3348 Comm: test.sh Tainted: G           OE  ------------   3.10.0-514.26.2.el7.x86_64 #1',
    'Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014',
    'RIP: 0010:smp_call_function_many+0x1ec/0x250',
    'Code: c7 e8 08 fa 74 00 f3 90 <8b> 51 18 83 e2 01 75 f6',
    'RSP: 0018:ffffa3b342ac3dd0 EFLAGS: 00000202 ORIG_RAX: ffffffffffffff13',
    'RAX: 0000000000000001 RBX: ffff92adf5c2ae80 RCX: ffff92adf5c704e0',
    'CR2: 00007fa9e40033c8 CR3: 000000001a00a003 CR4: 00000000003606f0',
  ].join('\n')));
  assert.deepEqual(d.task, { cpu: 3, pid: 3348, comm: 'test.sh' });
  assert.equal(d.kernel.release, '3.10.0-514.26.2.el7.x86_64');
  assert.equal(d.kernel.arch, 'x86_64');
  assert.deepEqual(d.kernel.taint?.flags, ['O', 'E']);
  assert.match(d.hardware ?? '', /^QEMU Standard PC/);
  assert.equal(d.registers?.ip?.function, 'smp_call_function_many');
  assert.equal(d.registers?.ip?.offset, 0x1ec);
  assert.equal(d.registers?.values.EFLAGS, '00000202');
  assert.equal(d.registers?.values.RSP, 'ffffa3b342ac3dd0');
  assert.equal(d.registers?.values.CR2, '00007fa9e40033c8');
  assert.equal(d.code?.fault, 8);
  assert.equal(d.code?.bytes[8], 0x8b);
  assert.deepEqual(d.modules.map((m) => m.name), ['lwconn', 'bridge', 'stp', 'testmod', 'virtio_ring', 'virtio', 'floppy']);
  assert.deepEqual(d.modules.find((m) => m.name === 'testmod'), { name: 'testmod', taint: 'OE', state: '-' });
  assert.equal(d.lastUnloaded, 'lwconn');
});

test('RHEL 6 `Pid:, comm:` lines give the task, release and hardware', () => {
  const d = parseDetails(linesFromText('Pid: 27122, comm: qemu-system-x86 Tainted: G        W  ---------------    2.6.32-431.el6.x86_64 #1 Dell Inc. PowerEdge R720/0X3D66\n'));
  assert.equal(d.task.pid, 27122);
  assert.equal(d.task.comm, 'qemu-system-x86');
  assert.equal(d.kernel.release, '2.6.32-431.el6.x86_64');
  assert.equal(d.hardware, 'Dell Inc. PowerEdge R720/0X3D66');
  assert.deepEqual(d.kernel.taint?.flags, ['W']);
});

test('arm64 Code: words are read as 4-byte units and never disassembled as x86', async () => {
  const d = parseDetails(linesFromText('Code: d503201f a9bf7bfd 910003fd (b9400000) d65f03c0\n'));
  assert.equal(d.code?.unit, 4);
  assert.equal(d.code?.fault, 12);
  assert.deepEqual(d.code?.bytes.slice(12, 16), [0x00, 0x00, 0x40, 0xb9], 'little-endian in memory');
  const { analyzeText } = await import('../src/analyze/analyze');
  const a = await analyzeText('arm', 'Unable to handle kernel NULL pointer dereference at virtual address 0000000000000000\npc : f+0x10/0x20\nCode: d503201f a9bf7bfd 910003fd (b9400000) d65f03c0\n');
  assert.ok(a.reports.every((r) => r.instruction === null));
});

test('parseKernel says of every real input what parseDetails says of its kernel', () => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const n of readdirSync(dir)) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (statSync(p).size < 4 << 20) files.push(p);
    }
  };
  walk(join(REPO, 'test', 'fixtures'));
  walk(join(REPO, '..', 'shared', 'cases'));
  walk(join(corpusRoot(), 'report'));
  assert.ok(files.length > 100, `${files.length} inputs`);
  let withRelease = 0;
  for (const f of files) {
    const lines = linesFromText(readFileSync(f, 'latin1'));
    const k = parseKernel(lines);
    assert.deepEqual(k, parseDetails(lines).kernel, f);
    if (k.release) withRelease++;
  }
  assert.ok(withRelease > 50, `${withRelease} inputs print a release`);
});
