// Assembles the report table from the kind files, in the order syzkaller looks for headers.

import type { OopsFormat, OopsKind } from '../types';
import { sanitizerKinds } from './sanitizers';
import { faultKinds } from './fault';
import { lockdepKinds } from './lockdep';
import { hangKinds } from './rcu-hang';
import { bugKinds } from './bug';
import { warningKinds } from './warning';
import { panicKinds } from './panic';
import { miscKinds } from './misc';
import { hardwareKinds } from './hardware';

/**
 * Header order decides which kind a line opens when it holds several headers.
 * The crash utility's `PANIC: "..."` line quotes another header, so it comes first.
 */
const HEADER_ORDER = [
  'PANIC: "',
  'BUG:',
  'WARNING:',
  'INFO:',
  'Unable to handle kernel',
  'general protection fault',
  'stack segment: ',
  'Kernel panic',
  'PANIC: double fault',
  'kernel BUG',
  'Kernel BUG',
  'BUG kmalloc-',
  'divide error:',
  'divide_error:',
  'invalid opcode:',
  'UBSAN:',
  'Booting the kernel.',
  'unregister_netdevice: waiting for',
  'VFS: Close: file count is 0',
  'VFS: Busy inodes after unmount',
  'Internal error:',
  'Unhandled fault:',
  'Alignment trap:',
  'trusty: panic',
  'SYZFAIL:',
  'SYZFATAL:',
  'panic:',
  'Machine Check Exception:',
];

/** Within one header, formats keep the order of these lists: specific before generic. */
const SOURCES: OopsKind[][] = [sanitizerKinds, faultKinds, lockdepKinds, hangKinds, bugKinds, warningKinds, panicKinds, miscKinds, hardwareKinds];

function assemble(): OopsKind[] {
  const byHeader = new Map<string, { formats: OopsFormat[]; suppressions: RegExp[]; defaultType?: string }>();
  for (const source of SOURCES) {
    for (const kind of source) {
      let e = byHeader.get(kind.header);
      if (!e) {
        e = { formats: [], suppressions: [] };
        byHeader.set(kind.header, e);
      }
      e.formats.push(...kind.formats);
      if (kind.suppressions) e.suppressions.push(...kind.suppressions);
      if (kind.defaultType) e.defaultType = kind.defaultType;
    }
  }
  const out: OopsKind[] = [];
  for (const header of HEADER_ORDER) {
    const e = byHeader.get(header);
    if (!e) continue;
    byHeader.delete(header);
    out.push({ header, ...e });
  }
  // A kind file may add a header not listed above; it is looked for last.
  for (const [header, e] of byHeader) out.push({ header, ...e });
  return out;
}

export const oopsTable: readonly OopsKind[] = assemble();
