// Unit cases for the signature engine: sanitising, frame choice, report finding, hostile input.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractReports, headerTriggers } from '../src/signature';
import { cleanTitle } from '../src/signature/sanitize';
import { demangle } from '../src/signature/demangle';
import { crashType } from '../src/signature/crash-type';
import { extractStackFrame } from '../src/signature/stack';
import { PARSE_STACK, type StackFmt } from '../src/signature/types';
import { callTrace } from '../src/signature/patterns';
import { linesFromText } from '../src/ingest/lines';

const titleOf = (text: string): string | undefined => extractReports(linesFromText(text))[0]?.title;

test('sanitising replaces volatile parts of titles', () => {
  const cases: Array<[string, string]> = [
    ['WARNING in foo+0x1a/0x2b0', 'WARNING in foo'],
    ['BUG: soft lockup - CPU#3 stuck', 'BUG: soft lockup - CPU stuck'],
    ['kernel panic: executor 12 failed 34567 times', 'kernel panic: executor NUM failed NUM times'],
    ['six hex digits 345678 look like an address', 'six hex digits ADDR look like an address'],
    ['INFO: task syz-executor.3:1234 blocked', 'INFO: task syz-executor blocked'],
    ['bad value ffff88003e1f7f40 at 0xffffffff85632fb0', 'bad value ADDR at ADDR'],
    ['at net/ipv6/route.c:2345 now', 'at net/ipv6/route.c:LINE now'],
    ['list 0,1,2 done', 'list NUM,NUM,NUM done'],
    ['cfg80211_foo and nl802154 keep digits', 'cfg80211_foo and nl802154 keep digits'],
    ['tab\there', 'tab here'],
  ];
  for (const [input, want] of cases) assert.equal(cleanTitle(input), want, input);
  assert.ok(cleanTitle('x'.repeat(500)).length <= 120);
});

test('frame choice skips reporting, locking and library frames and strips syscall wrappers', () => {
  const stack: StackFmt = { parts: [callTrace, PARSE_STACK] };
  const cases: Array<[string[], string | null, string[]]> = [
    [['Call Trace:', ' dump_stack+0x1/0x2', ' kasan_report+0x1/0x2', ' __asan_load8+0x1/0x2', ' ip6_send_skb+0x2f5/0x330'], 'ip6_send_skb', []],
    [['Call Trace:', ' _raw_spin_lock+0x1/0x2', ' ? not_reliable+0x1/0x2', ' kfree+0x1/0x2', ' tcf_exts_destroy+0x1/0x2'], 'tcf_exts_destroy', []],
    [['Call Trace:', ' __se_sys_memfd_secret+0x2ea/0x350'], 'memfd_secret', ['__se_sys_memfd_secret', 'sys_memfd_secret']],
    [['Call Trace:', ' __x64_sys_rmdir+0x36/0x40'], 'sys_rmdir', ['__x64_sys_rmdir']],
    [['Call Trace:', ' smp_call_function_single+0x258/0x660'], 'smp_call_function_single', []],
    [['Call Trace:', ' [<80c1e5e8>] (dump_backtrace) from [<80c1eb20>] (my_driver_fn+0x60/0xdc)'], 'my_driver_fn', []],
    [['Call Trace:', ' memcpy+0x1/0x2', ' panic+0x1/0x2'], null, []],
    [['no trace here'], null, []],
  ];
  for (const [lines, want, others] of cases) {
    const f = extractStackFrame(lines, stack);
    assert.equal(f ? f.canonical : null, want, lines.join(' | '));
    void others;
  }
});

test('stall frames: the frame above a syscall or dispatcher names the stall', () => {
  const lines = ['Call Trace:', ' d_walk+0x1/0x2', ' shrink_dcache_parent+0x1/0x2', ' __x64_sys_rmdir+0x1/0x2', ' do_syscall_64+0x1/0x2'];
  assert.equal(extractStackFrame(lines, { parts: [callTrace, PARSE_STACK], extractor: 'stall' })?.canonical, 'sys_rmdir');
});

test('reports: titles, kinds and boundaries', () => {
  const log = [
    'random boot noise',
    '[   10.0] ------------[ cut here ]------------',
    '[   10.1] WARNING: CPU: 0 PID: 1 at net/core/dev.c:123 dev_thing+0x1/0x2',
    '[   10.2] Modules linked in:',
    '[   10.3] RIP: 0010:dev_thing+0x1/0x2',
    '[   10.4] Call Trace:',
    '[   10.5]  caller_one+0x1/0x2',
    '[   10.6]  caller_two+0x1/0x2',
    '[   10.7]  caller_three+0x1/0x2',
    '[   10.8] ---[ end trace 0000 ]---',
    '[   11.0] BUG: unable to handle kernel NULL pointer dereference at 0000000000000010',
    '[   11.1] IP: [<ffffffff81058e5d>] task_rq_lock+0x4d/0xa8',
  ].join('\n');
  const reps = extractReports(linesFromText(log));
  assert.equal(reps.length, 2);
  assert.equal(reps[0].title, 'WARNING in dev_thing');
  assert.equal(reps[0].type, 'WARNING');
  assert.equal(reps[0].corrupted, false);
  assert.equal(reps[0].start, 2);
  assert.equal(reps[0].end, 9);
  assert.equal(reps[1].title, 'BUG: unable to handle kernel NULL pointer dereference in task_rq_lock');
  assert.equal(reps[1].type, 'NULL-POINTER-DEREFERENCE');
  assert.ok(reps[1].corrupted, 'no call trace: corrupted');
  assert.deepEqual(reps[1].altTitles, ['bad-access in task_rq_lock']);
});

test('kinds syzkaller does not title but users paste', () => {
  assert.equal(titleOf('BUG: scheduling while atomic:qemu-kvm/27122/0xffff8811\nCall Trace:\n [<ffffffff81680dd1>] __schedule_bug+0x4d/0x5b\n [<ffffffff8168d831>] my_module_fn+0x31/0xc0 [mymod]\n x+0x1/0x2\n'), 'BUG: scheduling while atomic in my_module_fn');
  assert.equal(titleOf('Kernel panic - not syncing: Hard LOCKUP\nRIP: 0010:spinning_fn+0x1/0x2\n'), 'kernel panic: Hard LOCKUP');
  assert.match(titleOf('Kernel panic - not syncing: softlockup: hung tasks\n') ?? '', /^kernel panic: softlockup: hung tasks/);
  const crash = [
    '       PANIC: "BUG: unable to handle kernel "',
    'crash> bt',
    'PID: 0      TASK: ffff88007b889f60  CPU: 1   COMMAND: "swapper/1"',
    ' #0 [ffff88007f2859f0] machine_kexec at ffffffff81059beb',
    '#30 [ffff88007f283db0] page_fault at ffffffff8168f208',
    '    [exception RIP: run_timer_softirq+248]',
  ].join('\n');
  assert.equal(titleOf(crash), 'BUG: unable to handle kernel paging request in run_timer_softirq');
});

test('lines that only look like reports are not reports', () => {
  for (const line of [
    'WARNING: /etc/ssh/moduli does not exist, using fixed modulus',
    'INFO: lockdep is turned off.',
    '        TASK: ffff88007b889f60  (1 of 2)  [THREAD_INFO: ffff88007b89c000]',
    "xfs: Unknown parameter '   Booting the kernel.   '",
    'skb_panic: text',
  ]) {
    assert.equal(extractReports(linesFromText(line)).length, 0, line);
  }
});

test('header triggers cover every report header', () => {
  for (const h of ['BUG:', 'WARNING:', 'INFO:', 'general protection fault', 'Kernel panic', 'kernel BUG', 'UBSAN:', 'Internal error:', 'PANIC: double fault']) {
    assert.ok(headerTriggers.includes(h), h);
  }
});

test('hostile input returns', () => {
  const junk = (n: number, s: string): string => s.repeat(Math.ceil(n / s.length)).slice(0, n);
  const inputs = [
    junk(100_000, ' '),
    junk(100_000, '['),
    '0x' + junk(100_000, '0123456789abcdef'),
    'BUG: ' + junk(100_000, 'a.b/c_d-'),
    'BUG: KASAN: use-after-free in ' + junk(100_000, 'f.'),
    'WARNING: ' + junk(100_000, 'WARNING: at a/b.c:1 '),
    'INFO: task ' + junk(100_000, 'x blocked for more than '),
    'general protection fault: ' + junk(100_000, 'RIP: 0010:[<'),
    Array.from({ length: 50_000 }, () => 'Call Trace:').join('\n'),
    'BUG: soft lockup\n' + Array.from({ length: 50_000 }, () => 'Call Trace:').join('\n'),
    Array.from({ length: 2_000 }, () => 'BUG: KASAN: use-after-free in a.b.c+0x1/0x2\nRead of size 8').join('\n'),
    'WARNING: CPU: 0 PID: 1 at ' + junk(100_000, 'a/b.c:1 '),
    'BUG: scheduling while atomic\nCall Trace:\n ' + junk(3_000, '_RNvB0_') + '+0x1/0x2\n' + junk(100_000, 'x/y_z.c'),
    'INFO: task ' + junk(100_000, 'a\nb ') + ' blocked for more than 120 seconds.',
    Array.from({ length: 20_000 }, () => 'When the machine hung we saw a WARNING: about the thing and the other thing.').join('\n'),
    'PID: 1 TASK: ffff CPU: 0 COMMAND: "x"\n' + Array.from({ length: 20_000 }, (_v, i) => ` #${i} [ffff] page_fault at ffff\n    [exception RIP: ${junk(2000, 'f')}+1]`).join('\n'),
  ];
  for (const input of inputs) {
    const reps = extractReports(linesFromText(input));
    assert.ok(Array.isArray(reps));
    for (const r of reps) assert.ok(r.title.length <= 120);
  }
});

test('a flood of one-line reports from one task is read whole, each report once', () => {
  const n = 20_000;
  for (const prefix of ['[ T123] ', '', '[ T1] ']) {
    const log = Array.from({ length: n }, (_v, i) => `[  ${100 + i}.000000]${prefix === '[ T1] ' ? `[ T${1 + (i % 5)}] ` : prefix}WARNING: foo bar ${i}`).join('\n');
    const reps = extractReports(linesFromText(log));
    assert.equal(reps.length, n, `prefix ${JSON.stringify(prefix)}`);
    assert.equal(reps[0].title, 'WARNING: foo bar NUM');
    assert.equal(reps[n - 1].start, n - 1);
    // No format titles it, so it is reported as printed and not asked for a stack, as syzkaller does.
    assert.equal(reps[0].corrupted, false);
  }
});

test('questionable frames are not the stack: a trace made only of them is corrupted', () => {
  const log = [
    '[  202.1][ T9969] BUG: kernel NULL pointer dereference, address: 0000000000000086',
    '[  202.2][ T9969] RIP: 0010:0x86',
    '[  202.3][ T9969] Call Trace:',
    '[  202.4][ T9969]  ? handle_irq_thing+0x154/0x280',
    '[  202.5][ T9969]  ? vcpu_enter_guest+0x6c77/0x9290',
    '[  202.6][ T9969]  ? do_syscall_64+0xf3/0x1b0',
    '[  202.7][ T9969] Modules linked in:',
  ].join('\n');
  const r = extractReports(linesFromText(log))[0];
  assert.equal(r.title, 'BUG: unable to handle kernel NULL pointer dereference in corrupted');
  assert.ok(r.corrupted);
});

test('stall frames: without an anchor frame the stall has no trusted frame', () => {
  const lines = ['Call Trace:', ' spin_here+0x1/0x2', ' loop_there+0x1/0x2'];
  assert.equal(extractStackFrame(lines, { parts: [callTrace, PARSE_STACK], extractor: 'stall' }), null);
  const sock = ['Call Trace:', ' tls_setsockopt+0x1/0x2', ' __sys_setsockopt+0x1/0x2', ' __x64_sys_setsockopt+0x1/0x2', ' do_syscall_64+0x1/0x2'];
  assert.equal(extractStackFrame(sock, { parts: [callTrace, PARSE_STACK], extractor: 'stall' })?.canonical, 'tls_setsockopt');
});

test('Rust frames are read under their demangled names, other names as printed', () => {
  const cases: Array<[string, string]> = [
    ['_RNvMs3_NtCshgDM7dBCdno_11rust_binder7processNtB5_7Process10update_ref', '<rust_binder::process::Process>::update_ref'],
    ['_RNvCscSpY9Juk0HT_7___rustc17rust_begin_unwind', '__rustc::rust_begin_unwind'],
    ['_RNvNtNtCs9jEwPDbx20M_4core9panicking11panic_const24panic_const_sub_overflow', 'core::panicking::panic_const::panic_const_sub_overflow'],
    ['_RNvXs1b_NtCs9jEwPDbx20M_4core3fmtRNtNtNtB8_5panic10panic_info9PanicInfoNtB6_7Display3fmt', '<&core::panic::panic_info::PanicInfo as core::fmt::Display>::fmt'],
    ['_RINvNtCs1234_4core3ptr13drop_in_placeINtNtCs5678_5alloc3vec3VechEEB4_', 'core::ptr::drop_in_place::<alloc::vec::Vec<u8>>'],
    ['tcp_v4_rcv', 'tcp_v4_rcv'],
    ['_Rbroken', '_Rbroken'],
    // A back-reference to itself would never end.
    ['_RNvB0_3foo', '_RNvB0_3foo'],
  ];
  for (const [mangled, want] of cases) assert.equal(demangle(mangled), want, mangled);
});

test('crash types follow the title, most specific prefix first', () => {
  const cases: Array<[string, string]> = [
    ['KASAN: slab-use-after-free Write in foo', 'KASAN-USE-AFTER-FREE-WRITE'],
    ['KASAN: stack-out-of-bounds in foo', 'KASAN-READ'],
    ['KASAN: double-free or invalid-free in foo', 'KASAN-INVALID-FREE'],
    ['KASAN: maybe wild-memory-access', 'KASAN-UNKNOWN'],
    ['BUG: unable to handle kernel NULL pointer dereference in foo', 'NULL-POINTER-DEREFERENCE'],
    ['BUG: unable to handle kernel', 'UNKNOWN'],
    ['WARNING: refcount bug in foo', 'REFCOUNT_WARNING'],
    ['WARNING: ODEBUG bug in foo', 'WARNING'],
    ['possible deadlock in foo', 'LOCKDEP'],
    ['INFO: task hung in foo', 'HANG'],
    ['INFO: trying to register non-static key in foo', 'UNKNOWN'],
    ['kernel panic: Fatal exception', 'DoS'],
    ['kernel BUG in foo', 'BUG'],
    ['BUG: stack guard page was hit in foo', 'UNKNOWN'],
    ['unexpected kernel reboot', 'REBOOT'],
    ['SYZFATAL: failed', 'SYZ_FAILURE'],
    ['hard LOCKUP in foo', 'HANG'],
    ['out of memory in foo', 'DoS'],
  ];
  for (const [title, want] of cases) assert.equal(crashType(title), want, title);
});

test('titles keep the printable ASCII of their first 120 bytes, with IPs and long numbers replaced', () => {
  assert.equal(cleanTitle('WARNING in f\u00fcr_bar'), 'WARNING in fr_bar');
  assert.equal(cleanTitle('net: peer 10.0.2.15 went away'), 'net: peer IP went away');
  assert.equal(cleanTitle(`${'é'.repeat(30)}${'x'.repeat(200)}`), 'x'.repeat(60));
});

test('a hung task is titled by its wait on RCU or RTNL, else by the first frame that is not waiting', () => {
  const hung = (frames: string[]): string | undefined => extractStackFrame(['Call Trace:', ...frames.map((f) => ` ${f}+0x1/0x2`)], { parts: [callTrace, PARSE_STACK], extractor: 'hung-task' })?.canonical;
  assert.equal(hung(['__schedule', 'schedule', 'synchronize_rcu_expedited', 'nf_tables_exit_net']), 'synchronize_rcu');
  assert.equal(hung(['__schedule', 'schedule', 'rtnl_lock', 'dev_ioctl']), 'rtnl_lock');
  assert.equal(hung(['__schedule', 'schedule_timeout', 'wait_for_common', 'xfs_buf_iowait', 'xfs_buf_read_map']), 'xfs_buf_read_map');
  assert.equal(hung(['__schedule', 'schedule']), undefined);
});

test('report headers that prose around a paste mentions are not reports', () => {
  for (const text of [
    'When the box locked up the console showed BUG: soft lockup - CPU#3 stuck for 23s!',
    'I got a Kernel panic - not syncing: Fatal exception after the upgrade',
    'Our fix for `WARNING: CPU: 0 PID: 1 at net/core/dev.c:123 dev_thing+0x1/0x2` is below',
    '## Why the machine printed Kernel panic - not syncing',
  ]) {
    assert.deepEqual(extractReports(linesFromText(text)).map((r) => r.title), [], text);
  }
  // A task name of a few words still leads a header the kernel printed.
  assert.equal(titleOf('Web Content invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0\nCall Trace:\n dump_stack+0x1/0x2\n out_of_memory+0x1/0x2\n'), 'out of memory');
});
