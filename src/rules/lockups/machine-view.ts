// What the machine model adds to a lockup or stall of one CPU: who holds the lock it spins on, which CPU it waits for, who waits for it.

import { innermostWorking, type HoldEvidence, type LockHolder, type MachineContext, type MachineLock, type MachineModel } from '../../machine';
import { holdEvidenceText } from '../locking/hold-evidence';
import { baseName, blameFrames, type Blame } from '../blame';
import { formatMessage } from '../messages';
import type { FindingDraft, L10n } from '../types';
import { moduleFromCaller } from '../../parse/literals';

/** Evidence that names a holder by itself, strongest first; `holder-function` and `same-owner` only make it likely. */
const EVIDENCE_RANK: readonly HoldEvidence[] = ['owner-field', 'lockdep-held', 'same-address', 'stack-word', 'rcu-stall', 'holder-function', 'same-owner'];
const CONFIRMING: ReadonlySet<HoldEvidence> = new Set(['owner-field', 'lockdep-held', 'same-address', 'stack-word']);

const rank = (h: LockHolder): number => Math.min(...h.evidence.map((e) => EVIDENCE_RANK.indexOf(e)).filter((i) => i >= 0), EVIDENCE_RANK.length);

const TEXT = {
  holder: { en: 'The machine model finds its holder: {{who}} holds {{lock}} in {{fn}}() ({{why}}){{state}}.', zh: '机器模型找到了持锁者：{{who}} 在 {{fn}}() 中持有 {{lock}}（{{why}}）{{state}}。' },
  holderSame: { en: 'The machine model finds its holder on this very CPU: {{who}}, the context this one interrupted, holds {{lock}} in {{fn}}() ({{why}}): it cannot run again until the spinner gives up, so neither ever does (AA deadlock).', zh: '机器模型在同一个 CPU 上找到了持锁者：被本上下文中断的 {{who}} 在 {{fn}}() 中持有 {{lock}}（{{why}}）：自旋者不放弃它就无法继续运行，于是双方都无法前进（AA 死锁）。' },
  holderWaits: { en: ', and it is itself waiting: it {{doing}}', zh: '，而它自己也在等待：它{{doing}}' },
  ipi: { en: 'The CPU it waits for: {{list}}. Its lockup is a consequence of that CPU\'s.', zh: '它在等的 CPU：{{list}}。它的 lockup 是那个 CPU 造成的后果。' },
  ipiRing: { en: 'That lock is held by CPU {{cpu}} itself, in {{fn}}(): CPU {{cpu}} waits for CPU {{blocker}} to answer while holding the lock CPU {{blocker}} spins on with interrupts off, so neither can go on. It is a deadlock across the lock and the cross-CPU call; the fix is in {{fn}}(): release the lock before the call, or take it with interrupts disabled everywhere and never call smp_call_function*() under it.', zh: '那把锁正被 CPU {{cpu}} 自己在 {{fn}}() 中持有：CPU {{cpu}} 持有 CPU {{blocker}} 关中断自旋等待的锁，同时又在等 CPU {{blocker}} 响应，双方都无法前进。这是跨越锁和跨 CPU 调用的死锁；要在 {{fn}}() 中修：调用之前释放锁，或者绝不在持有它时调用 smp_call_function*()。' },
  ipiOne: { en: 'CPU {{cpu}} ({{who}}) {{doing}}{{irq}}', zh: 'CPU {{cpu}}（{{who}}）{{doing}}{{irq}}' },
  irqOff: { en: ' with interrupts disabled', zh: '，且关着中断' },
  waitedBy: { en: 'Others are stuck because of it: {{list}}. They are consequences; this CPU is the one to fix.', zh: '其他上下文因它而卡住：{{list}}。它们只是后果；要修的是这个 CPU。' },
  waitedIpi: { en: 'CPU {{cpu}} ({{who}}) waits in {{fn}}() for it to answer a cross-CPU call', zh: 'CPU {{cpu}}（{{who}}）在 {{fn}}() 中等它响应跨 CPU 调用' },
  waitedLock: { en: '{{who}} waits for {{lock}}, which it holds', zh: '{{who}} 在等它持有的 {{lock}}' },
  heldLong: { en: 'The holder is not waiting for anything: it {{doing}} with the lock held, so the spinner waits as long as that takes. The lock is held across a long operation (a wait for hardware, a long loop): release it before the wait, bound the operation, or protect it with a sleeping lock.', zh: '持锁者并没有在等待任何东西：它在持锁的状态下{{doing}}，所以自旋者要一直等到它做完。这把锁被跨越一个很长的操作持有（等待硬件、长循环）：要在等待之前释放锁、限制操作的时长，或者改用可睡眠的锁来保护。' },
  heldAsleep: { en: 'The holder sleeps with the spinlock held: every other taker spins until it is woken and releases it. Sleeping under a spinlock is a bug of its own (CONFIG_DEBUG_ATOMIC_SLEEP reports it as "scheduling while atomic").', zh: '持锁者在持有自旋锁的状态下睡眠：其他每个获取者都要一直自旋，直到它被唤醒并释放锁。持有自旋锁时睡眠本身就是 bug（CONFIG_DEBUG_ATOMIC_SLEEP 会报告为 "scheduling while atomic"）。' },
  evHolder: { en: '{{who}} holds {{lock}} in {{fn}}() ({{why}})', zh: '{{who}} 在 {{fn}}() 中持有 {{lock}}（{{why}}）' },
  evBlocker: { en: 'CPU {{cpu}}: the CPU the cross-CPU call waits for ({{doing}})', zh: 'CPU {{cpu}}：跨 CPU 调用在等的 CPU（{{doing}}）' },
  evWaiter: { en: '{{who}}: stuck waiting for this CPU', zh: '{{who}}：因等待本 CPU 而卡住' },
  and: { en: '; ', zh: '；' },
} satisfies Record<string, L10n>;

function join(parts: readonly L10n[]): L10n {
  return { en: parts.map((p) => p.en).join(TEXT.and.en), zh: parts.map((p) => p.zh).join(TEXT.and.zh) };
}

function whoOf(c: MachineContext): string {
  const task = c.comm !== null ? `${c.comm}${c.pid !== null ? `/${c.pid}` : ''}` : c.pid !== null ? `pid ${c.pid}` : 'a context';
  return c.cpu !== null ? `${task} on CPU${c.cpu}` : task;
}

function lockName(l: MachineLock): string {
  return [l.kind !== 'unknown' ? l.kind : 'lock', l.name, l.address].filter((x) => x !== null).join(' ');
}

function firstLine(c: MachineContext): number | null {
  return c.lines[0] ?? null;
}

/** What the model says of a lockup or stall: sentences for the explanation, evidence lines, and the culprit it names when it names one. */
export interface MachineView {
  paragraphs: L10n[];
  evidence: FindingDraft['evidence'];
  /** The holder of the lock the CPU spins on, when confirmed by evidence of its own: the deadlock's culprit is the code that took it. */
  holder: { function: string; module: string | null; sameCpu: boolean; line: number | null; cpu: number | null } | null;
  /**
   * What the confirmed holder makes of the spin: `deadlock-aa` when it is the context the spinner
   * interrupted, `deadlock-abba` when it waits in turn for the spinner's side (a ring), `sleep-in-atomic`
   * when it sleeps holding the spinlock, `other` when it runs on another CPU waiting for nothing (the lock
   * is held across a long operation); null when no holder is confirmed, or when it waits for something
   * outside a ring (the class of the spin is then the model's, by the rings it is in).
   */
  holderClass: 'deadlock-aa' | 'deadlock-abba' | 'sleep-in-atomic' | 'other' | null;
  /** The CPUs the locked-up CPU waits for in a cross-CPU call. */
  blockers: number[];
  /** What the first of them runs: the code to fix when this CPU only waits for it. */
  /** `ring`: the lock it spins on is held by the CPU that waits for it, a deadlock across the lock and the cross-CPU call. */
  blocker: { cpu: number; doing: L10n; blame: Blame | null; spins: boolean; ring: boolean } | null;
}

const EMPTY: MachineView = { paragraphs: [], evidence: [], holder: null, holderClass: null, blockers: [], blocker: null };

/** The spinner's context on `cpu`: the innermost waiter on `lock` there. */
function spinnerOn(m: MachineModel, lock: MachineLock, cpu: number): MachineContext | null {
  const ws = lock.waiters.map((w) => m.contexts[w.context]).filter((c) => c.cpu === cpu);
  return ws.sort((a, b) => a.id - b.id)[0] ?? null;
}

function doingOfContext(m: MachineModel, c: MachineContext): L10n | null {
  const cpu = m.cpus.find((x) => x.contexts.includes(c.id));
  return cpu ? cpu.doing : null;
}

/**
 * Reads the model around one locked-up CPU. `lock` is the address it spins on, when it spins. The view
 * names the lock's holder (another CPU, a task, or the context the spinner interrupted), the CPUs a
 * cross-CPU call on it waits for, and the contexts stuck waiting for it.
 */
export function lockupView(m: MachineModel, cpu: number | null, lock: string | null, depth = 0): MachineView {
  if (cpu === null) return EMPTY;
  const out: MachineView = { paragraphs: [], evidence: [], holder: null, holderClass: null, blockers: [], blocker: null };
  const addr = lock?.replace(/^0x/, '').toLowerCase() ?? null;
  const l = addr ? m.locks.find((x) => x.address === addr) ?? null : null;
  if (l) {
    const spinner = spinnerOn(m, l, cpu);
    const holders = l.holders.filter((h) => !spinner || h.context !== spinner.id).sort((a, b) => rank(a) - rank(b));
    const h = holders[0];
    if (h && h.function) {
      const hc = m.contexts[h.context];
      const sameCpu = spinner !== null && hc.cpu === cpu && hc.pid === spinner.pid && hc.id > spinner.id;
      const waits = m.waitsFor.find((e) => e.waiter === hc.id);
      const doing = waits ? doingOfContext(m, hc) : null;
      const data = { who: whoOf(hc), lock: lockName(l), fn: h.function, why: holdEvidenceText(h.evidence), state: doing ? formatMessage(TEXT.holderWaits, { doing }) : null };
      out.paragraphs.push(formatMessage(sameCpu ? TEXT.holderSame : TEXT.holder, data));
      const line = h.lines[0] ?? firstLine(hc);
      if (line !== null) out.evidence.push({ line, note: formatMessage(TEXT.evHolder, data) });
      if (h.evidence.some((e) => CONFIRMING.has(e)) || sameCpu) {
        out.holder = { function: h.function, module: h.module, sameCpu, line, cpu: hc.cpu };
        const ring = m.cycles.some((c) => c.edges.some((e) => e.holder === hc.id) && c.edges.some((e) => m.contexts[e.waiter].cpu === cpu));
        const top = hc.frames.find((f) => f.reliable && f.function !== null)?.function ?? null;
        const asleep = hc.stoppedAt === null && top !== null && /^(?:__schedule|schedule\w{0,24})$/.test(baseName(top));
        out.holderClass = sameCpu ? 'deadlock-aa' : ring ? 'deadlock-abba' : asleep ? 'sleep-in-atomic' : waits ? null : 'other';
        const running = doingOfContext(m, hc);
        if (out.holderClass === 'other' && running) out.paragraphs.push(formatMessage(TEXT.heldLong, { doing: running }));
        if (out.holderClass === 'sleep-in-atomic') out.paragraphs.push(formatMessage(TEXT.heldAsleep));
      }
    }
  }
  // A CPU waiting in a cross-CPU call waits for the CPUs that cannot answer it.
  const ipi = m.ipiWaits.find((p) => p.cpu === cpu);
  if (ipi && ipi.blockedBy.length > 0) {
    const parts: L10n[] = [];
    for (const b of ipi.blockedBy.slice(0, 4)) {
      const bc = m.cpus.find((x) => x.cpu === b);
      if (!bc) continue;
      const inner = innermostWorking(bc, m.contexts);
      const who = bc.comm !== null ? `${bc.comm}${bc.pid !== null ? `/${bc.pid}` : ''}` : '?';
      parts.push(formatMessage(TEXT.ipiOne, { cpu: b, who, doing: bc.doing, irq: inner?.interruptsEnabled === false ? TEXT.irqOff : null }));
      const line = inner ? firstLine(inner) : null;
      if (line !== null) out.evidence.push({ line, note: formatMessage(TEXT.evBlocker, { cpu: b, doing: bc.doing }) });
      out.blockers.push(b);
      if (!out.blocker && inner) {
        const spun = m.locks.find((x) => x.kind !== 'completion' && x.kind !== 'rcu' && x.waiters.some((w) => w.context === inner.id)) ?? null;
        // A blocker that spins itself is stuck on the lock's holder: that is the code to blame, when the model confirms it.
        const inward = spun?.address && depth === 0 ? lockupView(m, b, spun.address, depth + 1) : null;
        const blame = inward?.holder ? holderBlame(inward) : blameContext(inner);
        const ring = inward?.holder?.cpu === cpu;
        out.blocker = { cpu: b, doing: bc.doing, blame: blame?.function ? blame : null, spins: spun !== null, ring };
        if (ring && inward?.holder) out.paragraphs.push(formatMessage(TEXT.ipiRing, { cpu, blocker: b, fn: inward.holder.function }));
      }
    }
    if (parts.length > 0) out.paragraphs.push(formatMessage(TEXT.ipi, { list: join(parts) }));
  }
  // Who is stuck because of this CPU: cross-CPU calls it does not answer, locks its contexts hold.
  const waited: L10n[] = [];
  for (const p of m.ipiWaits) {
    if (p.cpu === cpu || !p.blockedBy.includes(cpu)) continue;
    const c = m.contexts[p.context];
    waited.push(formatMessage(TEXT.waitedIpi, { cpu: p.cpu, who: c.comm ?? '?', fn: p.function }));
    const line = firstLine(c);
    if (line !== null) out.evidence.push({ line, note: formatMessage(TEXT.evWaiter, { who: `CPU ${p.cpu}` }) });
  }
  for (const e of m.waitsFor) {
    const holder = m.contexts[e.holder];
    const waiter = m.contexts[e.waiter];
    if (holder.cpu !== cpu || waiter.cpu === cpu || waited.length >= 6) continue;
    // A ring is a deadlock of its own (KT-wait-for-cycle); here only those that just wait.
    if (m.waitsFor.some((x) => x.waiter === e.holder && m.contexts[x.holder].pid === waiter.pid)) continue;
    waited.push(formatMessage(TEXT.waitedLock, { who: whoOf(waiter), lock: lockName(m.locks[e.lock]) }));
    const line = firstLine(waiter);
    if (line !== null) out.evidence.push({ line, note: formatMessage(TEXT.evWaiter, { who: whoOf(waiter) }) });
  }
  if (waited.length > 0) out.paragraphs.push(formatMessage(TEXT.waitedBy, { list: join(waited) }));
  return out;
}

/** The holder the view confirms, as a blame: the function that took the lock is the deadlock's culprit. */
export function holderBlame(v: MachineView): Blame | null {
  if (!v.holder) return null;
  return { function: v.holder.function, module: v.holder.module, line: v.holder.line, location: v.holder.function, basis: 'own', callback: null, related: [] };
}

const STOP = /^([A-Za-z_][\w.]{0,200})\+(0x[0-9a-f]{1,8}|\d{1,8})(?:\/0x[0-9a-f]{1,8})?(?: \[(\w{1,64})\])?$/;

/**
 * The code a context runs, from its frames and the instruction it was stopped at: the loop's owner.
 * crash names no module for an exception RIP: it is the caller's when `moduleFromCaller` says so.
 */
export function blameContext(c: MachineContext): Blame | null {
  const m = c.stoppedAt ? STOP.exec(c.stoppedAt.trim()) : null;
  let detectedIn: { function: string; module: string | null; offset: number; line: number | null } | null = null;
  if (m) {
    const caller = c.frames.find((f) => f.reliable && f.function !== null);
    const module = m[3] ?? moduleFromCaller(baseName(m[1]), caller);
    detectedIn = { function: m[1], module, offset: m[2].startsWith('0x') ? parseInt(m[2], 16) : Number(m[2]), line: c.lines[0] ?? null };
  }
  const b = blameFrames(c.frames, { mode: 'lockup', detectedIn });
  return b.function ? b : null;
}
