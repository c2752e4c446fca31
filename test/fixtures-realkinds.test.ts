// Each qemu-made crash log of test/fixtures/qemu{,-debug}/ is there, is a real console capture, and shows the report kind it is named for.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const FIXTURES = path.join(__dirname, '..', '..', 'test', 'fixtures');

interface Fixture {
  /** folder under test/fixtures: qemu (Debian's stock kernel) or qemu-debug (the lockdep/KASAN build) */
  dir: 'qemu' | 'qemu-debug';
  name: string;
  kind: string;
  /** lines that make the log this kind of report, in log order */
  lines: RegExp[];
  /** a further property of the whole log */
  check?: (text: string) => void;
}

/** "CPU#n" of every soft lockup report, in log order. */
function softLockupCpus(text: string): string[] {
  return [...text.matchAll(/BUG: soft lockup - CPU#(\d+) stuck for \d+s!/g)].map((m) => m[1]);
}

const FIXTURES_TABLE: Fixture[] = [
  {
    dir: 'qemu', name: 'wqleak', kind: 'workqueue leaked lock or atomic',
    lines: [/BUG: workqueue leaked lock or atomic: kworker\/\d+:\d+\/0x00000201\//, /last function: wqleak_refill_work \[wqleak\]/],
  },
  {
    dir: 'qemu', name: 'wqleakpreempt', kind: 'workqueue leaked atomic: a work returning with preemption disabled',
    lines: [/BUG: workqueue leaked lock or atomic: kworker\/\d+:\d+\/0x00000001\//, /last function: wqleak_stats_work \[wqleak\]/, /BUG: scheduling while atomic: kworker\/\d+:\d+\/\d+\/0x00000002/],
  },
  {
    dir: 'qemu', name: 'hungmutex', kind: 'hung task on a mutex left held by a task back in user space',
    lines: [/hungmutex: unknown command/, /INFO: task hungmutex-cfg\.s:\d+ blocked for more than \d+ seconds\./, /__mutex_lock/, /hungmutex_ctl_write[.\w]*\+0x[0-9a-f]+\/0x[0-9a-f]+ \[hungmutex\]/],
  },
  {
    dir: 'qemu', name: 'hungabba', kind: 'hung tasks: two kthreads, two mutexes, opposite orders',
    lines: [/INFO: task hungabba_stats:\d+ blocked/, /hungabba_update_stats[.\w]*\+/, /INFO: task hungabba_reset:\d+ blocked/, /hungabba_reset_hw[.\w]*\+/],
  },
  {
    dir: 'qemu', name: 'hungflush', kind: 'hung tasks: a completion waited for with the mutex its work needs',
    lines: [/INFO: task kworker\/\d+:\d+:\d+ blocked/, /Workqueue: events hungflush_flush_work \[hungflush\]/, /INFO: task hungflush-sync\.:\d+ blocked/, /__wait_for_common/, /hungflush_ctl_write[.\w]*\+/],
  },
  {
    dir: 'qemu', name: 'softrepeat', kind: 'one soft lockup reported again and again ("still stuck")',
    lines: [/BUG: soft lockup - CPU#\d+ stuck for \d+s! \[softrepeat_poll:\d+\]/, /RIP: 0010:softrepeat_wait_link[.\w]*\+/],
    check: (text) => {
      const cpus = softLockupCpus(text);
      assert.ok(cpus.length >= 2, `${cpus.length} soft lockup reports`);
      assert.equal(new Set(cpus).size, 1, `all on one CPU: ${cpus.join(',')}`);
      assert.doesNotMatch(text, /Kernel panic/, 'no softlockup_panic');
    },
  },
  {
    dir: 'qemu', name: 'softtimer', kind: 'soft lockup in a timer_list callback, RIP in the delay loop',
    lines: [/BUG: soft lockup - CPU#\d+ stuck/, /RIP: 0010:(?:delay_tsc|delay_loop|__const_udelay)\+/, /<IRQ>/, /softtimer_watchdog_fn[.\w]*\+0x[0-9a-f]+\/0x[0-9a-f]+ \[softtimer\]/, /call_timer_fn[.\w]*\+/, /run_timer_softirq[.\w]*\+/],
  },
  {
    dir: 'qemu', name: 'softhrtimer', kind: 'soft lockup in a softirq hrtimer callback, RIP in the delay loop',
    lines: [/BUG: soft lockup - CPU#\d+ stuck/, /RIP: 0010:(?:delay_tsc|delay_loop|__const_udelay)\+/, /softtimer_tx_timer_fn[.\w]*\+0x[0-9a-f]+\/0x[0-9a-f]+ \[softtimer\]/, /__hrtimer_run_queues\+/, /hrtimer_run_softirq[.\w]*\+/],
  },
  {
    dir: 'qemu', name: 'rcustall', kind: 'RCU stall by a kthread looping with preemption disabled',
    lines: [/rcu: INFO: rcu_preempt (?:self-)?detected stalls? on CPU/, /RIP: 0010:rcustall_scan_table[.\w]*\+/, /rcustall_scan_thread[.\w]*\+/],
    check: (text) => assert.doesNotMatch(text, /soft lockup/, 'booted with nowatchdog'),
  },
  {
    dir: 'qemu', name: 'badpage', kind: 'Bad page state: freed with page->mapping set',
    lines: [/BUG: Bad page state in process insmod +pfn:[0-9a-f]+/, /page dumped because: non-NULL mapping/, /__free_pages_ok\+/, /badpage_rx_free[.\w]*\+0x[0-9a-f]+\/0x[0-9a-f]+ \[badpage\]/],
  },
  {
    dir: 'qemu', name: 'sleepatomic', kind: 'scheduling while atomic: msleep() under spin_lock() in a write handler',
    lines: [/BUG: scheduling while atomic: sleepatomic-res\/\d+\/0x00000002/, /msleep\+/, /sleepatomic_ctl_write[.\w]*\+0x[0-9a-f]+\/0x[0-9a-f]+ \[sleepatomic\]/, /proc_reg_write[.\w]*\+/],
  },
  {
    dir: 'qemu', name: 'recursecycle', kind: 'stack overflow by a three-function recursion cycle',
    lines: [/BUG: TASK stack guard page was hit at/, /RIP: 0010:recursecycle_parse_(?:node|attrs|value)[.\w]*\+/, /Kernel panic - not syncing/],
    check: (text) => {
      for (const fn of ['recursecycle_parse_node', 'recursecycle_parse_attrs', 'recursecycle_parse_value']) {
        const n = text.split('\n').filter((l) => new RegExp(`^\\[[ \\d.]+\\]  ${fn}[.\\w]*\\+`).test(l)).length;
        assert.ok(n >= 5, `${fn}: ${n} frames`);
      }
    },
  },
  {
    dir: 'qemu', name: 'kthleak', kind: 'oops: a kthread of an unloaded module runs freed code',
    lines: [/kthleak: unloading/, /#PF: supervisor instruction fetch in kernel mode/, /Comm: kthleak_poll /, /RIP: 0010:0xffffffffc0[0-9a-f]+$/, /Code: Unable to access opcode bytes at/, /Modules linked in: .*\[last unloaded: kthleak\(OE\)\]/],
  },
  {
    dir: 'qemu', name: 'wqunload', kind: 'oops: a work item of an unloaded module runs',
    lines: [/#PF: supervisor instruction fetch in kernel mode/, /Workqueue: events 0xffffffffc0[0-9a-f]+/, /RIP: 0010:0xffffffffc0[0-9a-f]+$/, /process_one_work[.\w]*\+/, /\[last unloaded: wqunload\(OE\)\]/],
  },
  {
    dir: 'qemu', name: 'hrtunload', kind: 'oops: an hrtimer of an unloaded module fires',
    lines: [/#PF: supervisor instruction fetch in kernel mode/, /RIP: 0010:0xffffffffc0[0-9a-f]+$/, /__hrtimer_run_queues\+/, /\[last unloaded: hrtunload\(OE\)\]/, /Kernel panic - not syncing: Fatal exception in interrupt/],
  },
  {
    dir: 'qemu', name: 'listdel', kind: 'list_del corruption: an entry deleted twice',
    lines: [/list_del corruption, [0-9a-f]+->next is LIST_POISON1 \(dead000000000100\)/, /kernel BUG at lib\/list_debug\.c:\d+!/, /listdel_unbind_client[.\w]*\+/, /listdel_ctl_write[.\w]*\+/],
  },
  {
    dir: 'qemu', name: 'warnoops', kind: 'WARN in a probe error path, then an oops of the same task',
    lines: [/Trying to free already-free IRQ 10/, /WARNING: CPU: \d+ PID: \d+ at kernel\/irq\/manage\.c:\d+ free_irq[.\w]*\+/, /warnoops_dev_probe[.\w]*\+0x[0-9a-f]+\/0x[0-9a-f]+ \[warnoops\]/, /BUG: kernel NULL pointer dereference, address: 0000000000000004/, /RIP: 0010:warnoops_dev_start[.\w]*\+/],
    check: (text) => {
      const warn = /\[ *([\d.]+)\] WARNING: CPU: \d+ PID: (\d+) /.exec(text);
      const oops = /\[ *([\d.]+)\] BUG: kernel NULL pointer dereference/.exec(text);
      assert.ok(warn && oops);
      const dt = Number(oops[1]) - Number(warn[1]);
      assert.ok(dt > 0.3 && dt < 1.5, `the oops ${dt.toFixed(3)} s after the WARN`);
      const oopsTask = /CPU: \d+ PID: (\d+) Comm: insmod /g;
      const pids = [...text.matchAll(oopsTask)].map((m) => m[1]);
      assert.ok(pids.length >= 2 && pids.every((p) => p === warn[2]), `one task: ${pids.join(',')}`);
    },
  },
  {
    dir: 'qemu', name: 'warnflood', kind: 'a flood of one repeated WARNING',
    lines: [/WARNING: CPU: \d+ PID: \d+ at \S+warnflood\.c:\d+ warnflood_update_stats/],
    check: (text) => {
      const at = [...text.matchAll(/WARNING: CPU: \d+ PID: \d+ at (\S+ \S+?)\+/g)].map((m) => m[1]);
      assert.ok(at.length >= 40, `${at.length} copies`);
      assert.equal(new Set(at).size, 1, 'one WARN_ON, repeated');
      assert.doesNotMatch(text, /Kernel panic/, 'panic_on_warn=0');
    },
  },
  {
    dir: 'qemu', name: 'nmibt', kind: 'soft lockup on a spinlock, the holder in an NMI backtrace of the other CPU',
    lines: [/BUG: soft lockup - CPU#\d+ stuck/, /native_queued_spin_lock_slowpath/, /nmibt_read_stats[.\w]*\+/, /Sending NMI from CPU \d+ to CPUs \d+:/, /NMI backtrace for cpu \d+/, /nmibt_wait_reset[.\w]*\+/],
  },
  {
    dir: 'qemu', name: 'sysrqbt', kind: 'sysrq-l: NMI backtraces of every CPU',
    lines: [/sysrq: Show backtrace of all active CPUs/, /NMI backtrace for cpu \d+/, /softrepeat_wait_link[.\w]*\+/],
  },
  {
    dir: 'qemu', name: 'irqoff', kind: 'a CPU spinning with IRQs off, seen through the CPU waiting for its IPI (no NMI watchdog under TCG)',
    lines: [/BUG: soft lockup - CPU#\d+ stuck/, /RIP: 0010:smp_call_function_many_cond[.\w]*\+/, /flush_tlb_mm_range[.\w]*\+/, /NMI backtrace for cpu \d+/, /Comm: irqoff_poll /, /irqoff_wait_fifo[.\w]*\+/],
    check: (text) => assert.doesNotMatch(text, /Hard LOCKUP/, 'no hard lockup detector without a PMU'),
  },
  {
    dir: 'qemu-debug', name: 'wqlockup', kind: 'workqueue lockup',
    lines: [/BUG: workqueue lockup - pool cpus=\d+ node=\d+ flags=0x[0-9a-f]+ nice=0 stuck for \d+s!/, /in-flight: \d+:wqlockup_fw_load_work \[wqlockup\]/, /wqlockup_stats_work \[wqlockup\]/],
  },
  {
    dir: 'qemu-debug', name: 'sleepinvalid', kind: 'sleeping function called from invalid context, from a timer callback',
    lines: [/BUG: sleeping function called from invalid context at kernel\/locking\/mutex\.c:\d+/, /in_atomic\(\): 1, irqs_disabled\(\): 1/, /sleepinv_stats_timer_fn[.\w]*\+0x[0-9a-f]+\/0x[0-9a-f]+ \[sleepinvalid\]/, /call_timer_fn[.\w]*\+/],
  },
  {
    dir: 'qemu-debug', name: 'inconsistent', kind: 'lockdep: inconsistent lock state {SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W}',
    lines: [/WARNING: inconsistent lock state/, /inconsistent \{SOFTIRQ-ON-W\} -> \{IN-SOFTIRQ-W\} usage\./, /at: incons_stats_timer_fn[.\w]*\+/, /\{SOFTIRQ-ON-W\} state was registered at:/, /incons_ctl_write[.\w]*\+/],
  },
  {
    dir: 'qemu-debug', name: 'circular', kind: 'lockdep: possible circular locking dependency (driver mutex vs rtnl_mutex)',
    lines: [/WARNING: possible circular locking dependency detected/, /rtnl_mutex/, /circ_dev\.cfg_lock|cfg_lock/, /circ_netdev_event[.\w]*\+/, /circ_apply_mtu[.\w]*\+|circ_ctl_write[.\w]*\+/],
  },
  {
    dir: 'qemu-debug', name: 'recursive', kind: 'lockdep: possible recursive locking',
    lines: [/WARNING: possible recursive locking detected/, /recur_get_stats[.\w]*\+/, /recur_set_mtu[.\w]*\+/],
  },
  {
    dir: 'qemu-debug', name: 'spinrecursion', kind: 'BUG: spinlock recursion',
    lines: [/BUG: spinlock recursion on CPU#\d+, insmod\/\d+/, /\.magic: dead4ead, \.owner: insmod\/\d+, \.owner_cpu: \d+/, /spinrec_xmit[.\w]*\+/],
    check: (text) => assert.doesNotMatch(text, /possible recursive locking/, 'lockdep.prove_locking=0'),
  },
  {
    dir: 'qemu-debug', name: 'softirqorder', kind: 'lockdep: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order',
    lines: [/WARNING: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected/, /so_read_mtu[.\w]*\+|so_ctl_write[.\w]*\+/, /so_stats_timer_fn[.\w]*\+/],
  },
  {
    dir: 'qemu-debug', name: 'hunglocks', kind: 'hung task with lockdep\'s list of every held lock',
    lines: [/INFO: task \S+ blocked for more than \d+ seconds\./, /Showing all locks held in the system:/, /at: hungflush_flush_work[.\w]*\+/, /at: hungflush_ctl_write[.\w]*\+/],
  },
  {
    dir: 'qemu-debug', name: 'userlock', kind: 'lockdep: lock held when returning to user space, then a hung task',
    lines: [/WARNING: lock held when returning to user space!/, /cfg_lock/, /hungmutex_ctl_write[.\w]*\+/, /INFO: task hungmutex-cfg\.s:\d+ blocked/],
  },
  {
    dir: 'qemu-debug', name: 'badunlock', kind: 'lockdep: bad unlock balance',
    lines: [/WARNING: bad unlock balance detected!/, /is trying to release lock \(.*fw_lock.*\) at:/, /badunl_ctl_write[.\w]*\+/],
  },
  {
    dir: 'qemu-debug', name: 'heldfreed', kind: 'lockdep: held lock freed',
    lines: [/WARNING: held lock freed!/, /is freeing memory [0-9a-f]+-[0-9a-f]+, with a lock still held there!/, /at: heldf_session_put[.\w]*\+/, /debug_check_no_locks_freed/],
  },
  {
    dir: 'qemu-debug', name: 'kasanuaf', kind: 'KASAN use-after-free, freed on an error path',
    lines: [/BUG: KASAN: use-after-free in kuaf_fw_version/, /Read of size 4 at addr [0-9a-f]+ by task kasanuaf-versio\/\d+/, /Allocated by task \d+:/, /Freed by task \d+:/, /kuaf_load_fw[.\w]*\+/],
  },
  {
    dir: 'qemu-debug', name: 'kasanoob', kind: 'KASAN slab-out-of-bounds write',
    lines: [/BUG: KASAN: slab-out-of-bounds in koob_set_label/, /Write of size 1 at addr [0-9a-f]+ by task kasanoob-label\.\/\d+/, /Allocated by task \d+:/],
  },
  {
    dir: 'qemu-debug', name: 'csdlock', kind: 'CSD lock unresponsive: an IPI to a CPU spinning with IRQs off',
    lines: [/csd: Detected non-responsive CSD lock \(#\d+\) on CPU#\d+, waiting \d+ ns for CPU#01 \S+/, /csd: CSD lock \(#\d+\) unresponsive\./, /NMI backtrace for cpu 1/, /Comm: csd_fifo /, /csd_hw_wait_fifo[.\w]*\+/, /csd: CSD lock \(#\d+\) got unstuck on CPU#\d+, CPU#01 released the lock\./],
  },
  {
    dir: 'qemu-debug', name: 'listdelwarn', kind: 'list_del corruption as a WARNING (CONFIG_DEBUG_LIST without BUG_ON_DATA_CORRUPTION)',
    lines: [/list_del corruption, [0-9a-f]+->next is LIST_POISON1 \(dead000000000100\)/, /WARNING: CPU: \d+ PID: \d+ at lib\/list_debug\.c:\d+ __list_del_entry_valid\+/, /listdel_unbind_client[.\w]*\+/, /listdel_ctl_write[.\w]*\+/],
    check: (text) => assert.doesNotMatch(text, /kernel BUG at|Kernel panic/, 'a warning, not a BUG'),
  },
  {
    dir: 'qemu-debug', name: 'wqleaklocks', kind: 'workqueue leaked lock, with the lock lockdep saw held, then its consequences',
    lines: [/BUG: workqueue leaked lock or atomic: kworker\/\d+:\d+\/0x00000201\/\d+/, /last function: wqleak_refill_work \[wqleak\]/, /1 lock held by kworker\/\d+:\d+\/\d+:/, /\(&wqleak_rx\.lock\)\{.*\}, at: wqleak_refill_work[.\w]*\+/, /BUG: sleeping function called from invalid context at kernel\/workqueue\.c:\d+/, /BUG: scheduling while atomic: kworker\/\d+:\d+\/\d+\/0x00000202/],
    check: (text) => assert.match(text.split('\n').find((l) => /last function:/.test(l)) ?? '', /wqleak_refill_work/, 'the first report names the leaking work'),
  },
];

for (const f of FIXTURES_TABLE) {
  test(`${f.dir}/${f.name}.log is a real capture of: ${f.kind}`, () => {
    const file = path.join(FIXTURES, f.dir, `${f.name}.log`);
    assert.ok(fs.existsSync(file), `${file} exists`);
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.split('\n');
    assert.match(lines[0], /^\[ +0\.000000\] Linux version 6\.1\.\d+/, 'starts at the kernel banner');
    assert.match(text, /Command line: console=ttyS0 /, 'keeps the command line');
    assert.ok(!text.includes('\r') && !text.includes('\x1b'), 'no CRs or escape sequences');
    let from = 0;
    for (const re of f.lines) {
      const i = lines.findIndex((l, n) => n >= from && re.test(l));
      assert.ok(i >= 0, `a line matching ${re} (after line ${from + 1})`);
      from = i;
    }
    f.check?.(text);
  });
}

test('every qemu fixture is listed in its folder\'s README', () => {
  for (const dir of ['qemu', 'qemu-debug']) {
    const folder = path.join(FIXTURES, dir);
    const readme = fs.readFileSync(path.join(folder, 'README.md'), 'utf8');
    for (const log of fs.readdirSync(folder).filter((n) => n.endsWith('.log'))) {
      assert.ok(readme.includes(`\`${log}\``), `${dir}/README.md describes ${log}`);
    }
  }
});
