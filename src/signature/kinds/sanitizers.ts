// Reports of the memory and concurrency sanitizers: KASAN, KMSAN, KCSAN, KFENCE, UBSAN.

import type { OopsKind, StackPart } from '../types';
import { PARSE_STACK } from '../types';
import { c, one, seq, traceStack, callTrace } from '../patterns';

const r = String.raw;

/** KMSAN prints the use, then where the value came from: both stacks give a frame. */
const kmsanParts: StackPart[] = [PARSE_STACK, c(r`(Local variable .* created at:|Uninit was created at:)`), PARSE_STACK];

const kfenceHead = c(r`BUG: KFENCE: (?:[a-z\- ]+) in {{FUNC}}`);

export const sanitizerKinds: OopsKind[] = [
  {
    header: 'BUG:',
    formats: [
      {
        title: one(r`BUG: KASAN:`),
        report: seq(r`BUG: KASAN: ([a-z\-]+) in {{FUNC}}`, r`.*(Read|Write) (?:of size|at addr) (?:[0-9a-f]+)`),
        fmt: 'KASAN: %[1]v %[3]v in %[4]v',
        alt: ['bad-access in %[4]v'],
        stack: {
          parts: [c(r`BUG: KASAN: (?:[a-z\-]+) in {{FUNC}}`), callTrace, PARSE_STACK],
          // Frames of KASAN_HW_TAGS reports: the tag check fault path.
          skip: ['kernel_fault', 'tag_check', 'mem_abort', '^el1_', '^el1h_'],
        },
      },
      {
        title: one(r`BUG: KASAN:`),
        report: one(r`BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}`),
        fmt: 'KASAN: invalid-free in %[2]v',
        alt: ['invalid-free in %[2]v'],
        stack: {
          parts: [c(r`BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}`), callTrace, PARSE_STACK],
          skip: ['slab_', 'kfree', 'vunmap', 'vfree'],
        },
      },
      {
        title: seq(r`BUG: KASAN: ([a-z\-]+) on address`, r`.*(Read|Write) of size ([0-9]+)`),
        fmt: 'KASAN: %[1]v %[2]v',
      },
      {
        title: one(r`BUG: KASAN: (.*)`),
        fmt: 'KASAN: %[1]v',
        corrupted: true,
      },
      {
        title: one(r`BUG: KMSAN: kernel-usb-infoleak`),
        report: one(r`BUG: KMSAN: kernel-usb-infoleak in {{FUNC}}`),
        fmt: 'KMSAN: kernel-usb-infoleak in %[2]v',
        alt: ['KMSAN origin in %[3]v'],
        stack: {
          parts: kmsanParts,
          skip: ['alloc_skb', 'usb_submit_urb', 'usb_start_wait_urb', 'usb_bulk_msg', 'usb_interrupt_msg', 'usb_control_msg'],
        },
        noStackTrace: true,
      },
      {
        title: one(r`BUG: KMSAN:`),
        report: one(r`BUG: KMSAN: ([a-z\-]+) in {{FUNC}}`),
        fmt: 'KMSAN: %[1]v in %[3]v',
        alt: ['bad-access in %[3]v'],
        stack: {
          parts: kmsanParts,
          // Encryption routines are where the value is used, but generic code names no bug.
          skip: ['alloc_skb', 'netlink_ack', 'netlink_rcv_skb', '_encrypt$', '^(?:crypto|cipher|drbg|rng)_'],
        },
        noStackTrace: true,
      },
      {
        title: one(r`BUG: KCSAN: data-race`),
        report: one(r`BUG: KCSAN: (.*)`),
        fmt: 'KCSAN: %[1]v',
        noStackTrace: true,
      },
      {
        title: one(r`BUG: KCSAN:`),
        report: one(r`BUG: KCSAN: (.*)`),
        fmt: 'KCSAN: %[1]v',
        noStackTrace: true,
      },
      {
        title: one(r`BUG: KFENCE: (use-after-free|out-of-bounds) (read|write) in {{FUNC}}`),
        fmt: 'KFENCE: %[1]v %[2]v in %[4]v',
        alt: ['bad-access in %[4]v'],
        stack: { parts: [kfenceHead, PARSE_STACK] },
      },
      {
        title: one(r`BUG: KFENCE: invalid free in {{FUNC}}`),
        fmt: 'KFENCE: invalid free in %[2]v',
        alt: ['invalid-free in %[2]v'],
        noStackTrace: true,
        stack: { parts: [kfenceHead, PARSE_STACK] },
      },
      {
        title: one(r`BUG: KFENCE: invalid (read|write) in {{FUNC}}`),
        fmt: 'KFENCE: invalid %[1]v in %[3]v',
        alt: ['bad-access in %[3]v'],
        stack: { parts: [kfenceHead, PARSE_STACK] },
      },
      {
        title: one(r`BUG: KFENCE: memory corruption in {{FUNC}}`),
        fmt: 'KFENCE: memory corruption in %[2]v',
        noStackTrace: true,
        stack: { parts: [kfenceHead, PARSE_STACK] },
      },
    ],
  },
  {
    header: 'UBSAN:',
    formats: [
      {
        title: one(r`UBSAN:`),
        report: one(r`UBSAN: Undefined behaviour in`),
        fmt: 'UBSAN: undefined-behaviour in %[1]v',
        stack: traceStack('ubsan', 'overflow'),
      },
      {
        title: one(r`UBSAN: array-index-out-of-bounds in`),
        fmt: 'UBSAN: array-index-out-of-bounds in %[1]v',
        alt: ['bad-access in %[1]v'],
        stack: traceStack('ubsan', 'overflow'),
      },
      {
        title: one(r`UBSAN:`),
        report: one(r`UBSAN: (.*?) in`),
        fmt: 'UBSAN: %[1]v in %[2]v',
        stack: traceStack('ubsan', 'overflow'),
      },
    ],
  },
];
