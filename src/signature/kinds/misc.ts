// Everything else: executor failures, trusty, VFS complaints, reboots, and crash-utility dumps.

import type { OopsKind } from '../types';
import { PARSE_STACK } from '../types';
import { c, one } from '../patterns';

const r = String.raw;

export const miscKinds: OopsKind[] = [
  {
    header: 'SYZFAIL:',
    formats: [
      {
        title: one(r`SYZFAIL:(.*)`),
        fmt: 'SYZFAIL:%[1]v',
        noStackTrace: true,
        type: 'SYZ_FAILURE',
      },
    ],
  },
  {
    header: 'SYZFATAL:',
    formats: [
      {
        title: one(r`SYZFATAL:(.*)()`),
        fmt: 'SYZFATAL:%[1]v',
        alt: ['SYZFATAL%[2]v'],
        noStackTrace: true,
        type: 'SYZ_FAILURE',
      },
    ],
  },
  {
    header: 'trusty: panic',
    formats: [
      {
        title: one(r`trusty: panic.* ASSERT FAILED.*: (.*)`),
        fmt: 'trusty: ASSERT FAILED: %[1]v',
        noStackTrace: true,
        type: 'DoS',
      },
      {
        title: one(r`trusty: panic.* ASSERT FAILED.*`),
        fmt: 'trusty: ASSERT FAILED',
        noStackTrace: true,
        corrupted: true,
        type: 'DoS',
      },
      {
        title: one(r`trusty: panic[^:]*: (.*)`),
        fmt: 'trusty: panic: %[1]v',
        noStackTrace: true,
        type: 'DoS',
      },
    ],
  },
  {
    header: 'Booting the kernel.',
    formats: [
      {
        title: one(r`Booting the kernel\.`),
        fmt: 'unexpected kernel reboot',
        noStackTrace: true,
      },
    ],
    // A boot message echoed back inside another message (an invalid mount option) is not a reboot.
    suppressions: [/Parsing ELF|Decompressing Linux/, /\S.*Booting the kernel/],
  },
  {
    header: 'unregister_netdevice: waiting for',
    formats: [
      {
        title: one(r`unregister_netdevice: waiting for (?:.*) to become free`),
        fmt: 'unregister_netdevice: waiting for DEV to become free',
        noStackTrace: true,
      },
    ],
  },
  {
    header: 'VFS: Close: file count is 0',
    formats: [
      {
        title: one(r`VFS: Close: file count is 0`),
        fmt: 'VFS: Close: file count is zero (use-after-free)',
        noStackTrace: true,
        type: 'DoS',
      },
    ],
  },
  {
    header: 'VFS: Busy inodes after unmount',
    formats: [
      {
        title: one(r`VFS: Busy inodes after unmount`),
        fmt: 'VFS: Busy inodes after unmount (use-after-free)',
        noStackTrace: true,
        type: 'DoS',
      },
    ],
  },
  {
    // The crash utility's sysinfo names the panic message; the frame is the RIP of
    // the exception that a fault frame in the `bt` listing leads to.
    header: 'PANIC: "',
    formats: [
      {
        title: one(r`^ *PANIC: "(.*?) *"`),
        fmt: '%[1]v in %[2]v',
        stack: {
          parts: [
            /^ {0,4}#\d{1,4} \[[0-9a-f]{1,16}\] (?:async_page_fault|page_fault|general_protection|invalid_op|do_divide_error|divide_error) at /,
            c(r`^ *\[exception RIP: {{FUNC}}`),
          ],
          parts2: [c(r`^ *PID: +[0-9]+ +TASK: `), PARSE_STACK],
          skip: ['kexec', 'crash_', 'die', 'oops_end', 'nmi', 'watchdog', 'perf_event', 'intel_pmu', 'page_fault', 'no_context', 'bad_area'],
        },
        noStackTrace: true,
      },
    ],
  },
];
