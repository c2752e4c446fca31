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
import { fieldKinds } from './field';
import { crashUtilityKinds } from './crash-utility';

/** Header order decides which kind a line opens when it holds several headers. */
const HEADER_ORDER = [
  'BUG:',
  'WARNING:',
  'INFO:',
  'Unable to handle kernel',
  'general protection fault',
  'stack segment: ',
  'Kernel panic',
  'PANIC: double fault',
  'rust_kernel: panicked',
  'kernel BUG',
  'Kernel BUG',
  'BUG kmalloc-',
  'divide error:',
  'divide_error:',
  'invalid opcode:',
  'int3:',
  'UBSAN:',
  'Booting the kernel.',
  'unregister_netdevice: waiting for',
  'VFS: Close: file count is 0',
  'VFS: Busy inodes after unmount',
  'Internal error:',
  'Unhandled fault:',
  'Alignment trap:',
  'trusty: panic',
  'fatal error:',
  'SYZFAIL:',
  'SYZFATAL:',
  'panic:',
];

/**
 * Within one header, formats keep the order of their kind file, and kind files the order
 * below. Formats of different files title different messages, so they never compete for
 * the same line; within a file the order is syzkaller's (specific before generic, a
 * corrupted catch-all last). Kinds syzkaller does not know come after all of its kinds.
 */
const SOURCES: OopsKind[][] = [sanitizerKinds, faultKinds, lockdepKinds, hangKinds, bugKinds, warningKinds, panicKinds, miscKinds, crashUtilityKinds, fieldKinds, hardwareKinds];

function assemble(): OopsKind[] {
  const byHeader = new Map<string, { formats: OopsFormat[]; suppressions: RegExp[]; own?: boolean; when?: RegExp; continuation?: boolean }>();
  for (const source of SOURCES) {
    for (const kind of source) {
      let e = byHeader.get(kind.header);
      if (!e) {
        e = { formats: [], suppressions: [] };
        byHeader.set(kind.header, e);
      }
      if (e.formats.length > 0 && Boolean(e.own) !== Boolean(kind.own)) throw new Error(`header ${kind.header} mixes kinds syzkaller knows and does not`);
      e.formats.push(...kind.formats);
      if (kind.suppressions) e.suppressions.push(...kind.suppressions);
      if (kind.own) e.own = true;
      if (kind.when) e.when = kind.when;
      if (kind.continuation) e.continuation = true;
    }
  }
  const out: OopsKind[] = [];
  for (const header of HEADER_ORDER) {
    const e = byHeader.get(header);
    if (!e) throw new Error(`no kind for header ${header}`);
    byHeader.delete(header);
    out.push({ header, ...e });
  }
  for (const [header, e] of byHeader) {
    if (!e.own) throw new Error(`header ${header} is not in syzkaller's order`);
    out.push({ header, ...e });
  }
  return out;
}

export const oopsTable: readonly OopsKind[] = assemble();
