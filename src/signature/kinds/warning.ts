// WARNING: reports, from WARN_ON and friends, titled by the warning site or the first interesting frame.

import type { OopsKind } from '../types';
import { one, warningStack } from '../patterns';

const r = String.raw;

export const warningKinds: OopsKind[] = [
  {
    header: 'WARNING:',
    defaultType: 'WARNING',
    formats: [
      {
        title: one(r`WARNING: .*lib/debugobjects\.c.* (?:debug_print|debug_check)`),
        fmt: 'WARNING: ODEBUG bug in %[1]v',
        // Users of ODEBUG are not the bug either.
        stack: warningStack(['debug_', 'rcu', 'hrtimer_', 'timer_', 'work_', 'percpu_', 'kmem_', 'slab_', 'kfree', 'vunmap', 'vfree', '__free_', '^free_', 'kvfree']),
        type: 'WARNING',
      },
      {
        title: one(r`WARNING: .*mm/usercopy\.c.* usercopy_warn`),
        fmt: 'WARNING: bad usercopy in %[1]v',
        stack: warningStack(['usercopy', '__check']),
        type: 'WARNING',
      },
      {
        title: one(r`WARNING: .*lib/kobject\.c.* kobject_`),
        fmt: 'WARNING: kobject bug in %[1]v',
        stack: warningStack(['kobject_']),
        type: 'WARNING',
      },
      {
        title: one(r`WARNING: .*fs/proc/generic\.c.* proc_register`),
        fmt: 'WARNING: proc registration bug in %[1]v',
        stack: warningStack(['proc_']),
        type: 'WARNING',
      },
      {
        title: one(r`WARNING: .*lib/refcount\.c:`),
        fmt: 'WARNING: refcount bug in %[1]v',
        stack: warningStack(['refcount', 'kobject_']),
        type: 'REFCOUNT_WARNING',
      },
      {
        title: one(r`WARNING: .*mm/vmalloc\.c.*__vmalloc_node`),
        fmt: 'WARNING: zero-size vmalloc in %[1]v',
        stack: warningStack(['__vmalloc_node', 'vmalloc', 'kvmalloc']),
        type: 'WARNING',
      },
      {
        title: one(r`WARNING: .*mm/.*\.c.* k?.?malloc`),
        fmt: 'WARNING: kmalloc bug in %[1]v',
        stack: warningStack(['kmalloc', 'krealloc', 'slab', 'kmem']),
        type: 'WARNING',
      },
      {
        // URB submission warnings are about the driver that submitted.
        title: one(r`WARNING: .*drivers/usb/core/urb\.c.* usb_submit_urb`),
        fmt: 'WARNING in %[1]v/usb_submit_urb',
        stack: warningStack(['usb_submit_urb', 'usb_start_wait_urb', 'usb_bulk_msg', 'usb_interrupt_msg', 'usb_control_msg']),
        type: 'WARNING',
      },
      {
        title: one(r`WARNING: .* at {{SRC}} {{FUNC}}`),
        fmt: 'WARNING in %[3]v',
        stack: warningStack(),
        type: 'WARNING',
      },
      {
        // Since 6.16: `WARNING: fs/dcache.c:829 at fast_dput+0x../0x.., CPU#1: comm/pid`.
        title: one(r`WARNING: {{SRC}} at `),
        fmt: 'WARNING in %[2]v',
        stack: warningStack(),
        type: 'WARNING',
      },
      {
        title: one(r`WARNING: kernel stack regs at [0-9a-f]+ in [^ ]* has bad '([^']+)' value`),
        fmt: "WARNING: kernel stack regs has bad '%[1]v' value",
        noStackTrace: true,
      },
      {
        title: one(r`WARNING: kernel stack regs at [0-9a-f]+ in [^ ]* has bad value`),
        fmt: 'WARNING: kernel stack regs has bad value',
        noStackTrace: true,
      },
      {
        title: one(r`WARNING: kernel stack frame pointer at [0-9a-f]+ in [^ ]* has bad value`),
        fmt: 'WARNING: kernel stack frame pointer has bad value',
        noStackTrace: true,
      },
      {
        // Kernels that hide pointers print (ptrval) where the patterns above expect an address.
        title: one(r`WARNING: kernel stack (?:regs|frame pointer) at .* has bad `),
        fmt: 'WARNING: kernel stack regs has bad value',
        noStackTrace: true,
      },
      {
        title: one(r`WARNING: .* at {{FUNC}}`),
        fmt: 'WARNING in %[2]v',
        stack: warningStack(),
        type: 'WARNING',
      },
    ],
    suppressions: [
      /WARNING: \/etc\/ssh\/moduli does not exist, using fixed modulus/,
      /WARNING: workqueue cpumask: online intersect > possible intersect/,
      /WARNING: [Tt]he mand mount option/,
      /WARNING: Unsupported flag value\(s\) of 0x%x in DT_FLAGS_1/,
      /WARNING: Unprivileged eBPF is enabled with eIBRS/,
      /WARNING: fbcon: Driver '.*' missed to adjust virtual screen size/,
      /WARNING: See https.* for mitigation options\./,
      /WARNING: kernel not compiled with CPU_SRSO/,
      /EXT4-[Ff][Ss](?: \(.*\))?:/,
      /warning: .* uses (?:deprecated v2 capabilities|wireless extensions)/i,
      /XFS \(\w+\): WARNING/,
    ],
  },
];
