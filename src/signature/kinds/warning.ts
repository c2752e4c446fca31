// WARNING: reports, from WARN_ON and friends, titled by the warning site or the first interesting frame.

import type { OopsKind } from '../types';
import { c, one, warningStack } from '../patterns';

const r = String.raw;

export const warningKinds: OopsKind[] = [
  {
    header: 'WARNING:',
    formats: [
      {
        title: one(r`WARNING: .*lib/debugobjects\.c.* (?:debug_print|debug_check|at)`),
        fmt: 'WARNING: ODEBUG bug in %[1]v',
        // The users of ODEBUG are not the bug either.
        stack: warningStack('debug_', 'rcu', 'hrtimer_', 'timer_', 'work_', 'percpu_', 'vunmap', 'vfree', '__free_', 'debug_check', 'kobject_'),
      },
      { title: one(r`WARNING: .*mm/usercopy\.c.* (?:usercopy_warn|at)`), fmt: 'WARNING: bad usercopy in %[1]v', stack: warningStack('usercopy', '__check') },
      { title: one(r`WARNING: .*lib/kobject\.c.* (?:kobject_|at)`), fmt: 'WARNING: kobject bug in %[1]v', stack: warningStack('kobject_') },
      { title: one(r`WARNING: .*fs/proc/generic\.c.* (?:proc_register|at)`), fmt: 'WARNING: proc registration bug in %[1]v', stack: warningStack('proc_') },
      { title: one(r`WARNING: .*lib/refcount\.c.* (?:refcount_|at)`), fmt: 'WARNING: refcount bug in %[1]v', stack: warningStack('refcount', 'kobject_') },
      { title: one(r`WARNING: .*mm/.*\.c.* k?.?malloc`), fmt: 'WARNING: kmalloc bug in %[1]v', stack: warningStack('kmalloc', 'krealloc', 'slab', 'kmem') },
      { title: one(r`WARNING: .*mm/vmalloc.c.*__vmalloc_node`), fmt: 'WARNING: zero-size vmalloc in %[1]v', stack: warningStack() },
      {
        // URB submission warnings are about the driver that submitted.
        title: one(r`WARNING: .* usb_submit_urb`),
        fmt: 'WARNING in %[1]v/usb_submit_urb',
        stack: warningStack('usb_submit_urb', 'usb_start_wait_urb', 'usb_bulk_msg', 'usb_interrupt_msg', 'usb_control_msg'),
      },
      // Since 6.19 the site comes first: `WARNING: kernel/foo.c:12 at 0x0, CPU#1: comm/pid`.
      { title: one(r`WARNING: {{SRC}} at 0x\d+, CPU#\d+`), fmt: 'WARNING in %[2]v', stack: warningStack() },
      { title: one(r`WARNING: .* at {{SRC}} {{FUNC}}`), fmt: 'WARNING in %[3]v', stack: warningStack() },
      { title: one(r`WARNING: {{SRC}} at {{FUNC}}`), fmt: 'WARNING in %[3]v', stack: warningStack() },
      { title: one(r`WARNING: \[.*\] {{SRC}} at {{FUNC}}.*`), fmt: 'WARNING in %[3]v', stack: warningStack() },
      {
        title: one(r`WARNING: kernel stack regs at [0-9a-f]+ in [^ ]* has bad '([^']+)' value`),
        fmt: "WARNING: kernel stack regs has bad '%[1]v' value",
        noStackTrace: true,
      },
      {
        title: one(r`WARNING: kernel stack frame pointer at [0-9a-f]+ in [^ ]* has bad value`),
        fmt: 'WARNING: kernel stack frame pointer has bad value',
        noStackTrace: true,
      },
      // Kernels that hash pointers print `(____ptrval____)` where the address was.
      { title: one(r`WARNING: kernel stack regs .* has bad 'bp' value`), fmt: 'WARNING: kernel stack regs has bad value', noStackTrace: true },
      { title: one(r`WARNING: kernel stack frame pointer .* has bad value`), fmt: 'WARNING: kernel stack regs has bad value', noStackTrace: true },
      { title: one(r`WARNING:[[:space:]]*$`), fmt: 'WARNING: corrupted', corrupted: true },
    ],
    suppressions: [
      // Printed by sshd.
      c('WARNING: /etc/ssh/moduli does not exist, using fixed modulus'),
      c('WARNING: workqueue cpumask: online intersect > possible intersect'),
      c('WARNING: [Tt]he mand mount option'),
      // Printed when glibc is dumped.
      c(r`WARNING: Unsupported flag value\(s\) of 0x%x in DT_FLAGS_1`),
      c('WARNING: Unprivileged eBPF is enabled with eIBRS'),
      c(r`WARNING: fbcon: Driver '(.*)' missed to adjust virtual screen size (\((?:\d+)x(?:\d+) vs\. (?:\d+)x(?:\d+)\))`),
      c('WARNING: See https.* for mitigation options.'),
      c('WARNING: kernel not compiled with CPU_SRSO'),
      // __ext4_msg().
      c(r`EXT4-[Ff][Ss](?: \(.*\))?:`),
      c('warning: .* uses (deprecated v2 capabilities|wireless extensions)', 'i'),
      c(r`XFS \(\w+\): WARNING`),
      // The crash utility's own warnings in a pasted session: about the dump, not the kernel.
      c('WARNING: possibly bogus exception frame'),
      c('WARNING: cannot make virtual-to-physical translation'),
      c(r`WARNING: active task [0-9a-f]+ on cpu \d+ not found in PID hash`),
      c('WARNING: (?:cannot find NT_PRSTATUS note|kernel relocated|cpu \\d+: cannot find NMI exception stack|invalid linux_banner pointer|cannot read linux_banner)'),
    ],
  },
];
