// Everything else syzkaller titles: executor failures, reboots, leaked net devices, VFS complaints.

import type { OopsKind } from '../types';
import { one } from '../patterns';

const r = String.raw;

export const miscKinds: OopsKind[] = [
  {
    header: 'Booting the kernel.',
    formats: [{ title: one(r`^Booting the kernel`), fmt: 'unexpected kernel reboot', noStackTrace: true }],
    // A boot message read back from the console and echoed as an invalid mount option is not a reboot.
    suppressions: [/Parsing ELF|Decompressing Linux|Unknown parameter '/],
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
    // Printed by older kernels' VFS.
    header: 'VFS: Close: file count is 0',
    formats: [{ title: one(r`VFS: Close: file count is 0`), fmt: 'VFS: Close: file count is zero (use-after-free)', noStackTrace: true }],
  },
  {
    header: 'VFS: Busy inodes after unmount',
    formats: [{ title: one(r`VFS: Busy inodes after unmount`), fmt: 'VFS: Busy inodes after unmount (use-after-free)', noStackTrace: true }],
  },
  {
    // The executor's fail().
    header: 'SYZFAIL:',
    formats: [{ title: one(r`SYZFAIL:(.*)`), fmt: 'SYZFAIL:%[1]v', noStackTrace: true }],
  },
  {
    // syzkaller's log.Fatal().
    header: 'SYZFATAL:',
    formats: [{ title: one(r`SYZFATAL:(.*)()`), alt: ['SYZFATAL%[2]s'], fmt: 'SYZFATAL:%[1]v', noStackTrace: true }],
  },
];
