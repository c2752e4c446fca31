// The console and crash lines that describe the machine beside its stacks: held-lock lists, blocked tasks, RCU stall detail, csd waits, crash command output.

import type { Analysis } from '../analyze/analyze';
import type { LogLine } from '../model/types';
import { readCrashSession, readPrompt, type CrashSession } from '../crash';
import { CPU_HOTPLUG_LINES, CPU_HOTPLUG_START } from '../knowledge/cpu-hotplug';
import { heldListsIn, type HeldLockList } from '../rules/lockdep';
import type { BusyWork } from './types';
import { CRASH_FRAME_START } from '../parse/frames';

/** Lines read after "Showing all locks held in the system:" at most. */
const HELD_BLOCK_LINES = 4000;
/** Entries of each list kept (a paste of 80,000 reports must not grow them without bound). */
const MAX_ITEMS = 4096;

const SHOWING_HELD = /Showing all locks held in the system:?|^\s{0,4}locks held by tasks:/;
const HELD_LINE = /^\s{0,8}(?:\d{1,4} locks? held by |#\d{1,3}: |[0-9a-f]{8,16} \(|\S.{0,120}\}-\{\d:\d\}|\s*$)/;
const BLOCKED = /INFO: task (.{1,64}):(\d{1,10}) blocked for more than/;
// 5.x+: `csd: Detected non-responsive CSD lock (#1) on CPU#0, waiting 5000000001 ns for CPU#01 func+0x0/0x10(arg).`
const CSD = /csd: Detected non-responsive CSD lock \(#\d{1,6}\) on CPU#(\d{1,5}), waiting (\d{1,20}) ns for CPU#(\d{1,5}) ([A-Za-z_.$][\w.$]{0,120})?/;
// `rcu: 	1-....: (1128 ticks this GP) idle=ddfc/1/0x4000000000000000 softirq=133/133 fqs=599`
const RCU_CPU = /^(?:rcu:)?\s{0,8}(\d{1,5})-([.\w!?]{1,8}): \((\d{1,12}) (ticks this GP|GPs behind)\)(.{0,200})$/;
// ` P92` (older kernels), ` P92/1:b..l` (5.x+: read-side nesting, then blocked, need_qs, exp_hint, on the blocked list).
const RCU_TASKS = /Tasks blocked on level-\d{1,2} rcu_node \(CPUs (\d{1,5})-(\d{1,5})\):((?: P\d{1,10}(?:\/-?\d{1,4}:[.a-z]{4})?){1,64})/;
const RCU_STARVED = /(rcu_\w{1,16}) kthread starved for (\d{1,10}) jiffies!(?:.{0,160}?->cpu=(\d{1,5}))?/;
// crash `dis`: `0xffffffffc03bf0c1 <irqaa_poll_timer_fn+17>:\tcall   0xffffffffb485a000 <_raw_spin_lock>`
const DIS_CALL = /^0x[0-9a-f]{8,16} <([A-Za-z_.$][\w.$]{0,120})\+\d{1,6}>:\s{1,8}call[lq]?\s{1,8}(?:\*?0x[0-9a-f]{1,16}\s{1,4})?<([A-Za-z_.$][\w.$]{0,120}?)(?:\+\d{1,6})?>/;
// "Showing busy workqueues and worker pools": `workqueue events: flags=0x0`, `  pwq 0: cpus=0 node=0 ...`,
// `    in-flight: 65:wqlockup_fw_load_work [wqlockup]`, `    pending: fn [mod], fn2`, `pool 0: cpus=0 ... hung=10s workers=3 idle: 12 7`.
const WQ_LINE = /^workqueue ([\w/:.-]{1,64}): flags=0x[0-9a-f]{1,8}/;
const PWQ_LINE = /^\s{1,8}pwq \d{1,6}: cpus=([0-9a-f,-]{1,64})/;
const WORK_LINE = /^\s{1,12}(in-flight|pending|delayed|inactive): (.{1,2000})$/;
const WORK_ITEM = /(?:^|, )(?:(\d{1,10}):)?([A-Za-z_][\w.]{0,120})(?: \[([\w-]{1,64})\])?/g;
const POOL_LINE = /^pool \d{1,6}: cpus=|^\s{0,12}(?:workqueue |pwq |in-flight: |pending: |delayed: |inactive: )/;
// Cheap marks of crash command output: a prompt, a bt header, the sys block, a ps header.
const CRASH_MARK = /crash(?:64)?>|^ {0,4}PID: {1,8}\d{1,10} {1,8}TASK: |^ {0,8}(?:DUMPFILE|KERNEL|PANIC): |^ {0,3}PID {1,4}PPID {1,4}CPU |^ {0,8}CACHE {1,24}(?:OBJSIZE|NAME) |EXCEPTION FRAME AT|^ {0,8}NET_DEVICE {1,8}NAME|\[OFFLINE\]/;

/** What one element of the model stands on: the RCU grace period waits for a CPU or a task. */
export interface RcuBlockerSource {
  cpu: number | null;
  pid: number | null;
  /** As printed: `1-....: (1128 ticks this GP) idle=...`, `P92`, `rcu_preempt kthread starved for 5252 jiffies`. */
  detail: string;
  kind: 'cpu' | 'task' | 'starved-kthread';
  /** A self-detected stall: the CPU printing the report is this one, so the stack it prints is its own. */
  self: boolean;
  line: number;
}

export interface CsdSource {
  cpu: number;
  target: number;
  waitedNs: number;
  function: string | null;
  line: number;
}

export interface MachineSources {
  heldLists: HeldLockList[];
  blocked: Array<{ pid: number; comm: string; line: number }>;
  rcu: RcuBlockerSource[];
  csd: CsdSource[];
  crash: CrashSession | null;
  /** Addresses crash printed for `p &EXPR` (`$2 = (struct mutex *) 0xffff...`): the name of what lives there. */
  names: Map<string, string>;
  /** Calls in crash `dis` output, by the function they are in: what that function calls (to learn how it takes a lock). */
  disCalls: Map<string, Array<{ callee: string; line: number }>>;
  /** The busy work items of the last "Showing busy workqueues" dump. */
  work: BusyWork[];
  /** CPUs the console said went offline or came online, the last word for each. */
  hotplug: Map<number, { online: boolean; line: number }>;
}

function hotplugOf(text: string): { cpu: number; online: boolean } | null {
  for (const row of CPU_HOTPLUG_LINES) {
    const m = row.re.exec(text);
    if (m) return { cpu: Number(m[1]), online: row.online };
  }
  return null;
}

/** The kept lines in order, as one array only when the input was kept as more than one region. */
function keptLines(a: Pick<Analysis, 'regions'>): readonly LogLine[] {
  return a.regions.length === 1 ? a.regions[0] : a.regions.flat();
}

/** One pass over the kept lines of the input. */
export function readSources(a: Pick<Analysis, 'regions'>): MachineSources {
  const out: MachineSources = { heldLists: [], blocked: [], rcu: [], csd: [], crash: null, names: new Map(), disCalls: new Map(), work: [], hotplug: new Map() };
  let wq: { name: string | null; cpus: string | null } | null = null;
  let addressOf: string | null = null;
  let selfAt = -1;
  let held: LogLine[] | null = null;
  let crashSeen = false;
  const flushHeld = (): void => {
    if (held && held.length > 0 && out.heldLists.length < MAX_ITEMS) out.heldLists.push(...heldListsIn(held).slice(0, MAX_ITEMS - out.heldLists.length));
    held = null;
  };
  const kept = keptLines(a);
  for (const ln of kept) {
    const text = ln.text;
    if (text.length > 4096) continue;
    if (held) {
      if (held.length < HELD_BLOCK_LINES && HELD_LINE.test(text)) {
        held.push(ln);
        continue;
      }
      flushHeld();
    }
    if (text.includes('Showing busy workqueues')) {
      // Each dump replaces the one before: the work items as they were last shown.
      out.work = [];
      wq = { name: null, cpus: null };
      continue;
    }
    if (wq) {
      const q = WQ_LINE.exec(text);
      const pwq = q ? null : PWQ_LINE.exec(text);
      const items = q || pwq ? null : WORK_LINE.exec(text);
      if (q) wq = { name: q[1], cpus: null };
      else if (pwq) wq = { ...wq, cpus: pwq[1] };
      else if (items) {
        const state = (items[1] === 'inactive' ? 'delayed' : items[1]) as BusyWork['state'];
        for (const m of items[2].matchAll(WORK_ITEM)) {
          if (out.work.length >= MAX_ITEMS) break;
          out.work.push({ workqueue: wq.name, cpus: wq.cpus, state, pid: m[1] !== undefined ? Number(m[1]) : null, function: m[2], module: m[3] ?? null, lines: [ln.no] });
        }
      } else if (!POOL_LINE.test(text)) wq = null;
      if (wq) continue;
    }
    // A crash `bt` frame, most lines of a foreach bt: no source below is one (crash's own readers see it).
    if (CRASH_FRAME_START.test(text)) {
      addressOf = null;
      continue;
    }
    if (SHOWING_HELD.test(text)) {
      held = [];
      continue;
    }
    if (!crashSeen && CRASH_MARK.test(text)) crashSeen = true;
    if (crashSeen && text.includes('crash')) {
      const p = readPrompt(text);
      if (p) {
        const m = /^(?:p|print|px)$/.test(p.verb) ? /^&\s{0,2}([A-Za-z_][\w.>-]{0,120})$/.exec(p.args.replace(/^-[xd]\s+/, '')) : null;
        addressOf = m ? m[1] : null;
        continue;
      }
    }
    if (crashSeen && text.startsWith('0x') && text.includes('call')) {
      const d = DIS_CALL.exec(text);
      if (d && out.disCalls.size < MAX_ITEMS) {
        const fn = d[1].replace(/\.(?:constprop|isra|part|cold)(?:\.\d{1,4})?$/, '');
        const calls = out.disCalls.get(fn) ?? [];
        if (calls.length < 256) calls.push({ callee: d[2], line: ln.no });
        out.disCalls.set(fn, calls);
      }
      continue;
    }
    if (addressOf) {
      const m = /^\$\d{1,6} = \([\w ]{1,80}\*\) 0x([0-9a-f]{8,16})/.exec(text);
      if (m && out.names.size < MAX_ITEMS) out.names.set(m[1], addressOf);
      if (text.trim() !== '') addressOf = null;
    }
    if (text.includes('INFO: task ')) {
      const m = BLOCKED.exec(text);
      if (m && out.blocked.length < MAX_ITEMS) out.blocked.push({ pid: Number(m[2]), comm: m[1], line: ln.no });
      continue;
    }
    if (text.includes('csd: ')) {
      const m = CSD.exec(text);
      if (m && out.csd.length < MAX_ITEMS) out.csd.push({ cpu: Number(m[1]), target: Number(m[3]), waitedNs: Number(m[2]), function: m[4] ?? null, line: ln.no });
      continue;
    }
    if (CPU_HOTPLUG_START.test(text)) {
      const h = hotplugOf(text);
      if (h && out.hotplug.size < MAX_ITEMS) {
        out.hotplug.set(h.cpu, { online: h.online, line: ln.no });
        continue;
      }
    }
    if (text.includes('self-detected stall')) selfAt = ln.no;
    if (out.rcu.length >= MAX_ITEMS) continue;
    const cpu = text.includes('-') && text.includes('(') ? RCU_CPU.exec(text) : null;
    if (cpu) {
      out.rcu.push({ cpu: Number(cpu[1]), pid: null, detail: text.replace(/^rcu:\s*/, '').trim(), kind: 'cpu', self: selfAt >= 0 && ln.no - selfAt <= 3, line: ln.no });
      continue;
    }
    if (text.includes('Tasks blocked on')) {
      const t = RCU_TASKS.exec(text);
      if (t) for (const p of t[3].trim().split(/\s+/)) out.rcu.push({ cpu: null, pid: Number(/^P(\d{1,10})/.exec(p)?.[1]), detail: p, kind: 'task', self: false, line: ln.no });
      continue;
    }
    if (text.includes('kthread starved')) {
      const s = RCU_STARVED.exec(text);
      if (s) out.rcu.push({ cpu: s[3] !== undefined ? Number(s[3]) : null, pid: null, detail: `${s[1]} kthread starved for ${s[2]} jiffies`, kind: 'starved-kthread', self: false, line: ln.no });
    }
  }
  flushHeld();
  if (crashSeen) out.crash = readCrashSession(kept);
  return out;
}
