// Oopses of every architecture seen in real logs: the faulting IP, registers, frames, release, taint and task come out right.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linesFromBuffer, linesFromText } from '../src/ingest/lines';
import { parseDetails } from '../src/parse/details';
import { parseTraces } from '../src/parse/trace';
import { parseFrame } from '../src/parse/frames';
import type { CallTrace } from '../src/model/types';
import { realworldCase, SKIP_REALWORLD } from './support/realworld';

function model(prefix: string): { d: ReturnType<typeof parseDetails>; traces: CallTrace[] } | null {
  const c = realworldCase(prefix);
  if (!c) return null;
  const lines = linesFromBuffer(c.bytes);
  return { d: parseDetails(lines), traces: parseTraces(lines) };
}

const fns = (t: CallTrace): Array<[string, string[]]> => t.segments.map((s) => [s.context, s.frames.map((f) => `${f.reliable ? '' : '?'}${f.function}`)]);

test('frames in decode_stacktrace.sh, faddr2line, powerpc, s390, arm and eaten-address forms are read', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['  i2c_detect (drivers/i2c/i2c-core-base.c:2302) i2c_core', { function: 'i2c_detect', source: 'drivers/i2c/i2c-core-base.c:2302', module: 'i2c_core', offset: null }],
    ['? __die_body (arch/x86/kernel/dumpstack.c:478 arch/x86/kernel/dumpstack.c:420)', { function: '__die_body', reliable: false, source: 'arch/x86/kernel/dumpstack.c:478' }],
    ['__list_del_entry_valid (lib/list_debug.c:62 (discriminator 1))', { function: '__list_del_entry_valid', source: 'lib/list_debug.c:62' }],
    ['kmem_cache_free at mm/slub.c:3809', { function: 'kmem_cache_free', source: 'mm/slub.c:3809', inlined: false }],
    ['(inlined by) slab_free at mm/slub.c:3786', { function: 'slab_free', inlined: true }],
    ['[c0000001655739c0] [c00000000019cb48] .scan_block+0x68/0x170 (unreliable)', { function: 'scan_block', address: 'c00000000019cb48', reliable: false, offset: 0x68 }],
    ['([<00000002623523de>] free_unref_page+0xee/0x148)', { function: 'free_unref_page', reliable: false }],
    [' [<>] dump_stack+0x58/0x7c', { function: 'dump_stack', address: null, reliable: true }],
    [' [] ? dev_watchdog+0x263/0x270', { function: 'dev_watchdog', reliable: false }],
    ['[<c0012465>] (unwind_backtrace) from [<c000fee3>] (show_stack+0xb/0xc)', { function: 'unwind_backtrace', address: 'c0012465' }],
    [' unwind_backtrace from show_stack+0x10/0x14', { function: 'unwind_backtrace' }],
  ];
  for (const [text, want] of cases) {
    const f = parseFrame(text, 1);
    assert.ok(f, text);
    for (const [k, v] of Object.entries(want)) assert.equal((f as unknown as Record<string, unknown>)[k], v, `${text}: ${k}`);
  }
  for (const not of ['Code: Bad EIP value.', 'kernel BUG at net/core/skbuff.c:111!', 'BUG at mm/slub.c:12', 'Hardware name: QEMU (i440FX + PIIX, 1996)']) assert.equal(parseFrame(not, 1), null, not);
});

test('an arm trace gets each frame its offset from the line before and ends with the last caller', () => {
  const [t] = parseTraces(linesFromText([
    '[<c0012465>] (unwind_backtrace) from [<c000fee3>] (show_stack+0xb/0xc)',
    '[<c000fee3>] (show_stack) from [<c01078c3>] (dump_stack+0x57/0x70)',
    '[<bf94b453>] (spi_touch_thread [spidev]) from [<c002c141>] (kthread+0xa1/0xb0)',
    '[<c002c141>] (kthread) from [<c000d581>] (ret_from_fork+0x11/0x30)',
  ].join('\n')));
  const frames = t.segments.flatMap((s) => s.frames);
  assert.deepEqual(frames.map((f) => [f.function, f.offset]), [['unwind_backtrace', null], ['show_stack', 0xb], ['dump_stack', 0x57], ['spi_touch_thread', null], ['kthread', 0xa1], ['ret_from_fork', 0x11]]);
  assert.equal(frames[3].module, 'spidev');
});

test('a crash bt -f listing with stack words between frames is one trace, and a new PID header starts the next task', () => {
  const traces = parseTraces(linesFromText([
    'crash> bt -f',
    'PID: 1234   TASK: ffff88007b889f60  CPU: 1   COMMAND: "kworker/1:1"',
    ' #0 [ffff88007f283c68] machine_kexec at ffffffff8105c4cb',
    '    ffff88007f283c70: ffff88007f283cc8 ffffffff81fbe780 ',
    '    ffff88007f283c80: 0000000000000000 ffff88007f283cc8 ',
    ' #1 [ffff88007f283cc0] __crash_kexec at ffffffff81105822',
    '    ffff88007f283cc8: ffff88007f283d90 ffffffff8168eb47 ',
    ' #2 [ffff88007f283d90] panic at ffffffff81680541',
    'PID: 77     TASK: ffff880036a1af60  CPU: 0   COMMAND: "rmmod"',
    ' #0 [ffff880036a23d90] schedule at ffffffff8168b175',
    ' #1 [ffff880036a23de8] kthread_stop at ffffffff810b0c7d',
  ].join('\n')));
  assert.equal(traces.length, 2);
  assert.deepEqual(traces.map((t) => [t.task?.pid, t.segments.flatMap((s) => s.frames.map((f) => f.function))]), [
    [1234, ['machine_kexec', '__crash_kexec', 'panic']],
    [77, ['schedule', 'kthread_stop']],
  ]);
});

test('a trace without context markers is cut at its exception and interrupt entries (i386 2.6 oops)', { skip: SKIP_REALWORLD }, () => {
  const m = model('018-');
  if (!m) return;
  assert.deepEqual(fns(m.traces[0]), [
    ['exception', ['show_stack', 'show_registers', 'die', 'do_page_fault', 'error_code']],
    ['irq', ['update_process_times', 'smp_apic_timer_interrupt', 'apic_timer_interrupt']],
    ['task', ['release_task', 'exit_notify', 'do_exit', '____call_usermodehelper', 'kernel_thread_helper']],
  ]);
  assert.deepEqual(m.d.registers?.ip && [m.d.registers.ip.function, m.d.registers.ip.offset, m.d.registers.ip.address], ['account_system_time', 0x4e, 'c01185f6']);
  assert.equal(m.d.registers?.values.EAX, '00000000');
  assert.equal(m.d.registers?.values.ESP, 'c19a7ebc');
  assert.equal(m.d.kernel.release, '2.6.10-rc1-mm2');
  assert.equal(m.d.kernel.arch, 'i686');
  assert.deepEqual(m.d.task, { comm: 'khelper', pid: 352, cpu: 1 });
  assert.equal(m.d.fault.address, '00000080');
  assert.equal(m.d.fault.access, 'read');
});

test('arm64: pc, registers x0-x29, sp, pstate, ESR and its access, the faulting word', { skip: SKIP_REALWORLD }, () => {
  const m = model('037-');
  if (!m) return;
  const r = m.d.registers;
  assert.equal(r?.ip?.function, 'tcpci_irq');
  assert.equal(r?.ip?.offset, 0x38);
  assert.equal(r?.values.X9, 'ffff80008324bd00');
  assert.equal(r?.values.X0, '0000000000000000');
  assert.equal(r?.values.X19, '0000000000000000');
  assert.equal(r?.values.SP, 'ffff80008324bd30');
  assert.equal(m.d.kernel.arch, 'aarch64');
  assert.equal(m.d.fault.esr, '96000004');
  assert.equal(m.d.fault.access, 'read');
  assert.equal(m.d.fault.address, '0000000000000010');
  assert.equal(m.d.code?.unit, 4);
});

test('riscv, s390, powerpc and arm oopses give their IP, registers and release', { skip: SKIP_REALWORLD }, () => {
  const rv = model('040-');
  if (rv) {
    assert.equal(rv.d.registers?.ip?.function, 'copy_from_kernel_nofault');
    assert.equal(rv.d.registers?.ip?.address, 'ffffffff802b732a');
    assert.equal(rv.d.registers?.values.S11, '000000000058dca7');
    assert.equal(rv.d.registers?.values.CAUSE, '8000000000000005');
    assert.equal(rv.d.kernel.arch, 'riscv64');
  }
  const s390 = model('022-');
  if (s390) {
    assert.deepEqual([s390.d.registers?.ip?.function, s390.d.registers?.ip?.module, s390.d.registers?.ip?.address], ['kvm_s390_gisa_destroy', 'kvm', '000003ff804bfc66']);
    assert.equal(s390.d.registers?.values.R15, '0000038003a33bc8');
    assert.deepEqual(s390.d.task, { cpu: 14, pid: 217198, comm: 'qemu-system-s39' });
    const t = s390.traces.find((x) => x.label === 'Call Trace:' && x.segments[0].frames.length > 3);
    assert.deepEqual(t?.segments[0].frames.slice(0, 2).map((f) => [f.function, f.reliable]), [['kvm_s390_gisa_destroy', true], ['free_unref_page', false]]);
  }
  const ppc = model('026-');
  if (ppc) {
    assert.deepEqual([ppc.d.registers?.ip?.function, ppc.d.registers?.ip?.address], ['scan_block', 'c00000000019cb50']);
    assert.equal(ppc.d.registers?.values.R31, 'c00000017a024450');
    assert.equal(ppc.d.fault.address, 'c00000007f000000', 'the data address, not "Faulting instruction address"');
    assert.equal(ppc.d.kernel.release, '3.15.0-08556-gdfb9454');
    assert.deepEqual(ppc.d.modules.map((x) => x.name), ['ipv6', 'bonding', 'snd_aoa_codec_onyx', 'snd_aoa', 'snd', 'soundcore', 'uninorth_agp', 'unix']);
    const second = ppc.traces.find((x) => x.segments.some((s) => s.exceptionRip));
    assert.deepEqual(second?.segments.map((s) => [s.context, s.exceptionRip]), [['exception', null], ['task', '.scan_block+0x70/0x170']]);
  }
  const arm = model('039-');
  if (arm) assert.equal(arm.d.registers?.ip?.function, 'skb_panic');
});

test('the faulting IP is the fault frame, not the spin lock an NMI interrupted, and never a user RIP', () => {
  const crash = linesFromText([
    'PID: 0      TASK: ffff88007b889f60  CPU: 1   COMMAND: "swapper/1"',
    '#11 [ffff88007f285ef0] end_repeat_nmi at ffffffff8168f5d3',
    '    [exception RIP: _raw_spin_lock_irqsave+71]',
    '    RIP: ffffffff8168eb47  RSP: ffff88007f2839a8  RFLAGS: 00000002',
    '--- <NMI exception stack> ---',
    '#12 [ffff88007f2839a8] _raw_spin_lock_irqsave at ffffffff8168eb47',
    '#30 [ffff88007f283db0] page_fault at ffffffff8168f208',
    '    [exception RIP: run_timer_softirq+248]',
    '    RIP: ffffffff81098a68  RSP: ffff88007f283e68  RFLAGS: 00010082',
    '    RAX: ffff88007b90cbf8  RBX: ffff88007b90c000  RCX: ffffffffa88b53b0',
  ].join('\n'));
  const d = parseDetails(crash);
  assert.equal(d.registers?.ip?.function, 'run_timer_softirq');
  assert.equal(d.registers?.ip?.offset, 248);
  assert.equal(d.registers?.ip?.address, 'ffffffff81098a68');
  assert.equal(d.registers?.values.RCX, 'ffffffffa88b53b0');
  assert.equal(d.registers?.context, 'fault');
  const user = parseDetails(linesFromText('Oops: general protection fault, probably for non-canonical address 0xdead000000000122\nRIP: 0033:0x7ff5250a177e\nRSP: 002b:00007ffd1a2b3c40 EFLAGS: 00000246\nRIP: 0010:bdi_unregister+0x4b/0x170\n'));
  assert.equal(user.registers?.ip?.function, 'bdi_unregister');
  assert.equal(user.registers?.values.RIP, undefined);
});

test('CR2 is the fault address only in a page-fault report', () => {
  const lockup = parseDetails(linesFromText('NMI watchdog: Watchdog detected hard LOCKUP on cpu 27\nRIP: 0010:memory_bm_find_bit+0xf4/0x100\nRSP: 0018:ffffb1a3f325fc20 EFLAGS: 00000006\nCR2: 00000085da0f7398 CR3: 000001771cf9a000 CR4: 00000000007406e0\n'));
  assert.equal(lockup.fault.address, null);
  assert.equal(lockup.registers?.values.CR2, '00000085da0f7398');
  const pf = parseDetails(linesFromText('BUG: unable to handle kernel paging request\nRIP: 0010:f+0x1/0x2\nCR2: ffffffffa88b53b8 CR3: 000001771cf9a000\n'));
  assert.equal(pf.fault.address, 'ffffffffa88b53b8');
  assert.equal(pf.fault.addressLine, 3);
});

test('a write fault is called a write: #PF line, Oops error code, arm64 WnR, arm FSR', () => {
  const cases: Array<[string, string]> = [
    ['BUG: unable to handle page fault for address: ffffffffc00be140\n#PF: supervisor write access in kernel mode\n#PF: error_code(0x0003) - permissions violation\n', 'write'],
    ['BUG: unable to handle kernel NULL pointer dereference at 0000000000000008\nOops: 0002 [#1] SMP\n', 'write'],
    ['BUG: unable to handle page fault for address: ffffffffc0660030\n#PF: error_code(0x0010) - not-present page\n', 'exec'],
    ['Unable to handle kernel paging request at virtual address 0000000000000008\nMem abort info:\n  ESR = 0x96000045\n  EC = 0x25: DABT (current EL), IL = 32 bits\nInternal error: Oops: 96000045 [#1] PREEMPT SMP\n', 'write'],
    ['Unable to handle kernel NULL pointer dereference at virtual address 00000000\nInternal error: Oops: 817 [#1] ARM\n', 'write'],
    ['Unable to handle kernel NULL pointer dereference at virtual address 00000000\nInternal error: Oops: 5 [#1] ARM\n', 'read'],
  ];
  for (const [text, want] of cases) assert.equal(parseDetails(linesFromText(text)).fault.access, want, text);
});

test('release and taint come from lockdep, hung-task and register lines too', () => {
  const cases: Array<[string, string, string[]]> = [
    [' 6.9.0-rc3+ #49 Not tainted\n', '6.9.0-rc3+', []],
    ['4.18.0-159.el8.x86_64+debug #1 Tainted: G        W --------- -  -\n', '4.18.0-159.el8.x86_64+debug', ['W']],
    ['       Tainted: P           OE     5.2.14\n', '5.2.14', ['P', 'O', 'E']],
    ['      Not tainted 5.4.2-10-feb+ #51\n', '5.4.2-10-feb+', []],
    ['EFLAGS: 00010002   (2.6.10-rc1-mm2)\n', '2.6.10-rc1-mm2', []],
    ['CPU: 144 PID: 1422 Comm: irq/57-pciehp Kdump: loaded Tainted: G S         OE    5.10.0-1 #1\n', '5.10.0-1', ['S', 'O', 'E']],
  ];
  for (const [text, release, flags] of cases) {
    const d = parseDetails(linesFromText(text));
    assert.equal(d.kernel.release, release, text);
    assert.deepEqual(d.kernel.taint?.flags ?? [], flags, text);
  }
  // A task line a paste cut after the taint still gives the task.
  assert.deepEqual(parseDetails(linesFromText(' CPU: 0 PID: 3752 Comm: modprobe Tainted: G\n')).task, { cpu: 0, pid: 3752, comm: 'modprobe' });
});
