// What the lifecycle rules share about a module that went away: which module the log names, and how its code was entered.

import type { CrashReport, Frame } from '../../model/types';
import type { CallbackMechanism } from '../../knowledge/blame';
import { MECHANISM_NAMES } from '../../knowledge/callbacks';
import { addressClass } from '../facts';
import { baseName, dispatcherOf } from '../blame';
import type { L10n, RuleContext } from '../types';

/** Commands and lines that say a module went away: `rmmod foo`, `modprobe -r foo`, `[last unloaded: foo]`. */
const UNLOAD_COMMAND = /(?:^|[\s;&|])(?:rmmod|modprobe\s+(?:-\w+\s+)*-r(?:\s+-\w+)*)\s+([\w-]{1,64})/;
const LAST_UNLOADED = /\[last unloaded: ([\w-]{1,64})/;
/** "Workqueue: name 0x...": the work function is printed as a bare address, its symbol is gone. */
export const WORKQUEUE_RAW = /^\s*Workqueue: ([\w./:-]{1,64}) (?:0x)?([0-9a-f]{8,16})\s*$/;
/** Workqueues of the core kernel: a work item on them says nothing about which module it belonged to. */
const CORE_WORKQUEUES = /^(?:events|kblockd|writeback|mm_percpu_wq|pm|kthrotld|ipv6_addrconf|rcu_gp|netns|cgroup|usb_hub_wq|kacpid|kintegrityd|md|edac-poller|ata_sff|scsi_tmf|xfs|ext4|btrfs|nvme|dm)\b/;

export interface UnloadEvidence {
  module: string;
  line: number;
  how: 'last' | 'command' | 'workqueue';
}

/** The module the log says went away before the report: an rmmod command, "[last unloaded: M]", or its workqueue's name. */
export function unloadEvidence(ctx: RuleContext, r: CrashReport | null, workqueue: { name: string; line: number } | null = null): UnloadEvidence | null {
  // Nearest before the report first: the module removed last before the crash.
  let best: UnloadEvidence | null = null;
  const end = r?.endLine ?? Number.MAX_SAFE_INTEGER;
  for (const l of ctx.findLines(UNLOAD_COMMAND, 200)) {
    if (l.no > end) break;
    const m = UNLOAD_COMMAND.exec(l.text);
    if (m) best = { module: m[1].replace(/-/g, '_'), line: l.no, how: 'command' };
  }
  if (best) return best;
  const last = r?.lastUnloaded ?? ctx.analysis.reports.find((x) => x.lastUnloaded)?.lastUnloaded ?? null;
  if (last) {
    const l = (r ? ctx.findLines(LAST_UNLOADED, 5).find((x) => x.no >= r.startLine && x.no <= r.endLine) : undefined) ?? ctx.findLines(LAST_UNLOADED, 1)[0];
    return { module: last, line: l?.no ?? r?.headerLine ?? 0, how: 'last' };
  }
  const loaded = new Set((r?.modules ?? []).map((m) => m.name));
  if (workqueue && /^[a-z][\w]{1,63}$/.test(workqueue.name) && !loaded.has(workqueue.name) && !CORE_WORKQUEUES.test(workqueue.name)) {
    return { module: workqueue.name, line: workqueue.line, how: 'workqueue' };
  }
  return null;
}

export function isModulesArea(addr: string | null, release: string | null): boolean {
  if (!addr) return false;
  try {
    return addressClass(addr, release).region === 'modules';
  } catch {
    return false;
  }
}

/** Mechanisms that run code a module registered, most telling first: the one on the stack says how the dead code was entered. */
const CALLBACK_ORDER: readonly CallbackMechanism[] = ['timer', 'hrtimer', 'work', 'kthread-work', 'tasklet', 'rcu', 'notifier', 'threaded-irq', 'irq', 'kthread'];

export interface Mechanism {
  frame: Frame | null;
  dispatcher: string;
  mechanism: CallbackMechanism;
  stoppedBy: string;
}

/** The callback mechanism whose dispatcher is on the stack, `?` frames included: for code that is gone, stale frames are the only trace. */
export function mechanismOf(frames: readonly Frame[]): Mechanism | null {
  let best: Mechanism | null = null;
  for (const f of frames) {
    if (!f.function) continue;
    const d = dispatcherOf(f.function);
    if (!d || !CALLBACK_ORDER.includes(d.mechanism)) continue;
    if (!best || CALLBACK_ORDER.indexOf(d.mechanism) < CALLBACK_ORDER.indexOf(best.mechanism)) best = { frame: f, dispatcher: baseName(f.function), mechanism: d.mechanism, stoppedBy: d.stoppedBy };
  }
  return best;
}

/** The mechanism of a dispatcher function itself (the faulting one), when it runs registered callbacks. */
export function mechanismOfDispatcher(fn: string): Mechanism | null {
  const d = dispatcherOf(fn);
  return d && CALLBACK_ORDER.includes(d.mechanism) ? { frame: null, dispatcher: baseName(fn), mechanism: d.mechanism, stoppedBy: d.stoppedBy } : null;
}

/** Message values for a mechanism: its name, with an article, and what stops it. */
export function mechanismData(m: Mechanism): { dispatcher: string; mechanism: L10n; aMechanism: L10n; stoppedBy: string } {
  const n = MECHANISM_NAMES[m.mechanism];
  return { dispatcher: m.dispatcher, mechanism: n.name, aMechanism: n.aName, stoppedBy: m.stoppedBy };
}
