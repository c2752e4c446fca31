// Reports of the memory and concurrency sanitizers: KASAN, KMSAN, KFENCE, KCSAN, UBSAN.

import type { OopsKind } from '../types';
import { PARSE_STACK } from '../types';
import { c, lines, one, callTrace } from '../patterns';

const r = String.raw;

/** KASAN types name the bug class and the access: KASAN-USE-AFTER-FREE-READ, KASAN-WRITE, ... */
export function kasanType(title: string): string {
  const m = /^KASAN: ([a-z-]+)(?: (Read|Write))?/.exec(title);
  if (!m) return 'KASAN-UNKNOWN';
  const kind = m[1];
  const access = m[2] === 'Write' ? 'WRITE' : 'READ';
  if (/invalid-free|double-free/.test(kind)) return 'KASAN-INVALID-FREE';
  if (kind.includes('use-after-free')) return `KASAN-USE-AFTER-FREE-${access}`;
  if (kind === 'null-ptr-deref') return `KASAN-NULL-POINTER-DEREFERENCE-${access}`;
  return `KASAN-${access}`;
}

function kfenceType(title: string): string {
  const m = /^KFENCE: ([a-z -]+?)(?: in |$)/.exec(title);
  const what = m ? m[1] : '';
  if (what === 'invalid free') return 'KFENCE-INVALID-FREE';
  if (what === 'memory corruption') return 'KFENCE-MEMORY-CORRUPTION';
  const access = / write$/.test(what) ? 'WRITE' : / read$/.test(what) ? 'READ' : '';
  if (!access) return 'KFENCE-UNKNOWN';
  if (what.startsWith('use-after-free')) return `KFENCE-USE-AFTER-FREE-${access}`;
  return `KFENCE-${access}`;
}

function kmsanType(title: string): string {
  if (title.startsWith('KMSAN: uninit-value')) return 'KMSAN-UNINIT-VALUE';
  if (/^KMSAN: kernel-(?:usb-)?infoleak/.test(title)) return 'KMSAN-INFO-LEAK';
  if (title.startsWith('KMSAN: use-after-free')) return 'KMSAN-USE-AFTER-FREE-READ';
  return 'KMSAN-UNKNOWN';
}

function kcsanType(title: string): string {
  if (title.startsWith('KCSAN: data-race')) return 'KCSAN-DATARACE';
  if (title.startsWith('KCSAN: assert')) return 'KCSAN-ASSERT';
  return 'KCSAN-UNKNOWN';
}

const kasanHeadFrame = r`BUG: KASAN: (?:[a-z\-]+) in {{FUNC}}`;

export const sanitizerKinds: OopsKind[] = [
  {
    header: 'BUG:',
    formats: [
      {
        title: lines(r`BUG: KASAN: ([a-z\-]+) in {{FUNC}}`, r`(Read|Write) (?:of size|at addr) (?:[0-9a-f]+)`),
        fmt: 'KASAN: %[1]v %[3]v in %[4]v',
        alt: ['bad-access in %[4]v'],
        stack: { parts: [c(kasanHeadFrame), callTrace, PARSE_STACK] },
        type: kasanType,
      },
      {
        title: one(r`BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}`),
        fmt: 'KASAN: invalid-free in %[2]v',
        alt: ['invalid-free in %[2]v'],
        stack: {
          parts: [c(r`BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}`), callTrace, PARSE_STACK],
          skip: ['kmem_', 'slab_', 'kfree', 'vunmap', 'vfree'],
        },
        type: kasanType,
      },
      {
        title: lines(r`BUG: KASAN: ([a-z\-]+) on address`, r`(Read|Write) of size ([0-9]+)`),
        fmt: 'KASAN: %[1]v %[2]v',
        type: kasanType,
      },
      {
        title: one(r`BUG: KASAN: (.*)`),
        fmt: 'KASAN: %[1]v',
        corrupted: true,
        type: kasanType,
      },
      {
        title: one(r`BUG: KMSAN: kernel-usb-infoleak`),
        report: one(r`BUG: KMSAN: kernel-usb-infoleak in {{FUNC}}`),
        fmt: 'KMSAN: kernel-usb-infoleak in %[2]v',
        alt: ['KMSAN origin in %[3]v'],
        stack: {
          parts: [callTrace, PARSE_STACK],
          skip: ['usb_submit_urb', 'usb_start_wait_urb', 'usb_bulk_msg', 'usb_interrupt_msg', 'usb_control_msg'],
        },
        type: kmsanType,
      },
      {
        title: one(r`BUG: KMSAN: ([a-z\-]+) in {{FUNC}}`),
        fmt: 'KMSAN: %[1]v in %[3]v',
        alt: ['bad-access in %[3]v'],
        stack: {
          parts: [callTrace, PARSE_STACK],
          // Newer KMSAN prints the frames right after the header.
          parts2: [PARSE_STACK],
          skip: ['alloc_skb', 'netlink_ack', 'netlink_rcv_skb'],
        },
        type: kmsanType,
      },
      {
        title: one(r`BUG: KMSAN: (.*)`),
        fmt: 'KMSAN: %[1]v',
        corrupted: true,
        type: kmsanType,
      },
      {
        title: one(r`BUG: KCSAN: ([a-z\-: ]+?) in {{FUNC}}`),
        fmt: 'KCSAN: %[1]v in %[3]v',
        stack: { parts: [c(r`BUG: KCSAN: (?:[a-z\-: ]+?) in {{FUNC}}`), PARSE_STACK], skip: ['kcsan'] },
        type: kcsanType,
      },
      {
        title: one(r`BUG: KCSAN: (.*)`),
        fmt: 'KCSAN: %[1]v',
        corrupted: true,
        type: kcsanType,
      },
      {
        title: one(r`BUG: KFENCE: (use-after-free|out-of-bounds) ([a-z]+) in {{FUNC}}`),
        fmt: 'KFENCE: %[1]v %[2]v in %[4]v',
        alt: ['bad-access in %[4]v'],
        stack: { parts: [c(r`BUG: KFENCE: (?:[a-z\- ]+) in {{FUNC}}`), PARSE_STACK] },
        type: kfenceType,
      },
      {
        title: one(r`BUG: KFENCE: invalid free in {{FUNC}}`),
        fmt: 'KFENCE: invalid free in %[2]v',
        alt: ['invalid-free in %[2]v'],
        stack: { parts: [c(r`BUG: KFENCE: (?:[a-z\- ]+) in {{FUNC}}`), PARSE_STACK], skip: ['kfree', 'kmem_', 'slab_'] },
        type: kfenceType,
      },
      {
        title: one(r`BUG: KFENCE: invalid (read|write) in {{FUNC}}`),
        fmt: 'KFENCE: invalid %[1]v in %[3]v',
        alt: ['bad-access in %[3]v'],
        stack: { parts: [c(r`BUG: KFENCE: (?:[a-z\- ]+) in {{FUNC}}`), PARSE_STACK] },
        type: kfenceType,
      },
      {
        title: one(r`BUG: KFENCE: memory corruption in {{FUNC}}`),
        fmt: 'KFENCE: memory corruption in %[2]v',
        stack: { parts: [c(r`BUG: KFENCE: (?:[a-z\- ]+) in {{FUNC}}`), PARSE_STACK], skip: ['kfree', 'kmem_', 'slab_'] },
        type: kfenceType,
      },
      {
        title: one(r`BUG: KFENCE: ([a-z\- ]+)`),
        fmt: 'KFENCE: %[1]v',
        corrupted: true,
        type: kfenceType,
      },
    ],
  },
  {
    header: 'UBSAN:',
    formats: [
      {
        title: one(r`UBSAN: array-index-out-of-bounds in`),
        fmt: 'UBSAN: array-index-out-of-bounds in %[1]v',
        alt: ['bad-access in %[1]v'],
        stack: { parts: [callTrace, PARSE_STACK], skip: ['ubsan', 'overflow'] },
        type: 'MEMORY_SAFETY_UBSAN',
      },
      {
        title: one(r`UBSAN: Undefined behaviour in`),
        fmt: 'UBSAN: undefined-behaviour in %[1]v',
        stack: { parts: [callTrace, PARSE_STACK], skip: ['ubsan', 'overflow'] },
        type: 'UBSAN',
      },
      {
        title: one(r`UBSAN: ([a-zA-Z\-]+) in`),
        fmt: 'UBSAN: %[1]v in %[2]v',
        stack: { parts: [callTrace, PARSE_STACK], skip: ['ubsan', 'overflow'] },
        type: 'UBSAN',
      },
      {
        title: one(r`UBSAN: (.*)`),
        fmt: 'UBSAN: %[1]v',
        corrupted: true,
        type: 'UBSAN',
      },
    ],
  },
];
