// Decodes a preempt_count value into preempt/softirq/hardirq/NMI depths for the kernel's era, and says when it cannot be real.

import { buildFacts } from '../knowledge/distro-kernels';
import {
  PLAUSIBLE_LIMITS, PREEMPT_LAYOUTS, SOFTIRQ_OFFSET, THREAD_INFO_ON_STACK,
  type BitField, type PreemptLayout, type PreemptSource,
} from '../knowledge/preempt-layouts';
import { inRange, pickByVersion, rangeLabel, versionOf, type KernelRelease } from '../knowledge/release';
import { hex, note, tx, type Note, type Text, type TextLang } from '../knowledge/text';
import { parseHexValue, releaseOption, table, yesNo } from './common';

export interface PreemptOptions {
  release?: string | KernelRelease | null;
  /**
   * Where the value was printed: "schedule-bug" (BUG: scheduling while atomic: comm/pid/0x...),
   * "might-sleep" (BUG: sleeping function called from invalid context ... preempt_count: ...),
   * "raw" (read from memory: thread_info or the per-CPU __preempt_count). Default: schedule-bug,
   * or raw when bit 31 is set on a kernel with the inverted PREEMPT_NEED_RESCHED bit.
   */
  source?: PreemptSource;
}

/** What the CPU/task was doing, from the innermost context in the count. */
export type PreemptContext = 'nmi' | 'hardirq' | 'softirq' | 'bh-disabled' | 'preempt-disabled' | 'preemptible';

export interface PreemptDecode {
  kind: 'preempt';
  value: string;
  release: string | null;
  layout: string;
  layoutRange: string;
  /** No release was given: the layout is the newest one under which the value is plausible. */
  layoutGuessed: boolean;
  source: PreemptSource;
  /** Bits 0-7 as printed. */
  preemptDepth: number;
  /** preemptDepth without schedule()'s own preempt_disable() when that is included: what the caller leaked. */
  callerPreemptDepth: number;
  /** Bits 8-15. */
  softirqCount: number;
  /** SOFTIRQ_OFFSET (0x100) set: a softirq handler is running (odd softirq count). */
  servingSoftirq: boolean;
  /** Number of local_bh_disable() / spin_lock_bh() levels (SOFTIRQ_DISABLE_OFFSET 0x200 units). */
  softirqDisableDepth: number;
  hardirqDepth: number;
  nmi: boolean;
  nmiDepth: number;
  /** null when the era has no PREEMPT_ACTIVE. */
  preemptActive: boolean | null;
  /** null when the era or the source has no PREEMPT_NEED_RESCHED bit. */
  needResched: boolean | null;
  /** Bits set where the era has no field. */
  strayBits: number;
  /** schedule()/__schedule() had already added 1 to the count it printed (CONFIG_PREEMPT_COUNT kernels). */
  scheduleOffsetIncluded: boolean;
  /** Why scheduleOffsetIncluded is what it is. */
  basis: string;
  basisText: Text;
  context: PreemptContext;
  plausible: boolean;
  problems: Note[];
  notes: Note[];
  summary: Text;
  /** When no release was given: how the value reads under every era. */
  alternatives: Array<{ layout: string; range: string; plausible: boolean }>;
  /** The count went below zero: the value sits just under 2^31 (need-resched bit masked) or 2^32. */
  underflow: { deficit: string; bhEnables: number; preemptEnables: number } | null;
}

/**
 * How far below zero a count went, when the value is a small negative number in 31 bits (x86
 * masks the need-resched bit when printing) or 32 bits. Only deficits real code can produce
 * count: a few whole BH-disable units (0x200) and a few preempt levels.
 */
function underflowOf(v: number): PreemptDecode['underflow'] {
  for (const top of [0x80000000, 0x100000000]) {
    const deficit = top - v;
    if (deficit > 0 && deficit <= UNDERFLOW_LIMIT.deficit && ((deficit >> 8) & 1) === 0 && deficit % 0x100 <= UNDERFLOW_LIMIT.preempt) {
      return { deficit: hex(deficit), bhEnables: Math.floor(deficit / SOFTIRQ_DISABLE_UNIT), preemptEnables: deficit % 0x100 };
    }
  }
  return null;
}

const SOFTIRQ_DISABLE_UNIT = 0x200;
const UNDERFLOW_LIMIT = { deficit: 0x1000, preempt: 8 } as const;

function field(v: number, f: BitField): number {
  return Math.floor(v / 2 ** f.shift) % 2 ** f.bits;
}

function mask(f: BitField): number {
  return (2 ** f.bits - 1) * 2 ** f.shift;
}

/** Bits not covered by any field of the layout (unsigned 32-bit). */
function strayMask(layout: PreemptLayout, includeNeedResched: boolean): number {
  let covered = mask(layout.preempt) + mask(layout.softirq) + mask(layout.hardirq);
  if (layout.nmi) covered += mask(layout.nmi);
  if (layout.preemptActive) covered += layout.preemptActive;
  if (includeNeedResched && layout.needResched) covered += layout.needResched;
  return (0xffffffff - covered) >>> 0;
}

interface Fields {
  preemptDepth: number;
  softirqCount: number;
  hardirqDepth: number;
  nmiDepth: number;
  preemptActive: boolean | null;
  strayBits: number;
}

function split(v: number, layout: PreemptLayout, source: PreemptSource): Fields {
  const stray = (v & strayMask(layout, source === 'raw')) >>> 0;
  return {
    preemptDepth: field(v, layout.preempt),
    softirqCount: field(v, layout.softirq),
    hardirqDepth: field(v, layout.hardirq),
    nmiDepth: layout.nmi ? field(v, layout.nmi) : 0,
    preemptActive: layout.preemptActive === null ? null : (v & layout.preemptActive) !== 0,
    strayBits: stray,
  };
}

function implausibilities(f: Fields, layout: PreemptLayout): Note[] {
  const out: Note[] = [];
  if (f.strayBits) {
    out.push(note('stray-bits', `bits ${hex(f.strayBits, 8)} are set where the ${layout.name} layout has no field`, `${hex(f.strayBits, 8)} 这些位在 ${layout.name} 布局里根本没有对应字段，却被置位了`));
  }
  const bh = f.softirqCount >> 1;
  if (bh > PLAUSIBLE_LIMITS.softirqDisableDepth) {
    out.push(note('softirq-depth', `softirq-disable depth ${bh} (${hex(f.softirqCount * SOFTIRQ_OFFSET)}): no real code nests local_bh_disable() that deep`, `软中断禁止深度 ${bh}（${hex(f.softirqCount * SOFTIRQ_OFFSET)}）：实际代码不可能嵌套这么多层 local_bh_disable()`));
  }
  if (f.hardirqDepth > PLAUSIBLE_LIMITS.hardirqDepth) {
    out.push(note('hardirq-depth', `hardirq depth ${f.hardirqDepth}: interrupts do not nest that deep`, `硬中断嵌套深度 ${f.hardirqDepth}：硬中断不可能嵌套这么多层`));
  }
  if (f.nmiDepth > PLAUSIBLE_LIMITS.nmiDepth) {
    out.push(note('nmi-depth', `NMI depth ${f.nmiDepth}: NMIs do not nest that deep`, `NMI 嵌套深度 ${f.nmiDepth}：NMI 不可能嵌套这么多层`));
  }
  if (f.preemptDepth > PLAUSIBLE_LIMITS.preemptDepth) {
    out.push(note('preempt-depth', `preempt depth ${f.preemptDepth}: far deeper than any real nesting of spin locks / preempt_disable()`, `抢占禁止深度 ${f.preemptDepth}：远超实际自旋锁/preempt_disable() 能达到的嵌套层数`));
  }
  return out;
}

/** Decodes a preempt count for the given kernel release (or for every era when none is given). */
export function decodePreempt(value: string | number | bigint, opts: PreemptOptions = {}): PreemptDecode {
  const big = typeof value === 'string' ? parseHexValue(value, 'preempt count', 32) : BigInt(value);
  if (big < 0n || big > 0xffffffffn) throw new RangeError('a preempt count is 32 bits');
  const v = Number(big);
  const rel = releaseOption(opts.release);

  // The layout: the release's era, or the newest era under which the value is plausible.
  const sourceFor = (layout: PreemptLayout): PreemptSource =>
    opts.source ?? (layout.needResched !== null && (v & layout.needResched) !== 0 ? 'raw' : 'schedule-bug');
  let layout: PreemptLayout;
  let layoutGuessed = false;
  const alternatives: PreemptDecode['alternatives'] = [];
  if (rel) {
    layout = pickByVersion(PREEMPT_LAYOUTS, versionOf(rel)) ?? PREEMPT_LAYOUTS[0];
  } else {
    layoutGuessed = true;
    for (const l of [...PREEMPT_LAYOUTS].reverse()) {
      alternatives.push({ layout: l.name, range: rangeLabel(l.range), plausible: implausibilities(split(v, l, sourceFor(l)), l).length === 0 });
    }
    const firstPlausible = alternatives.find((a) => a.plausible);
    layout = PREEMPT_LAYOUTS.find((l) => l.name === (firstPlausible ?? alternatives[0]).layout)!;
  }
  const source = sourceFor(layout);
  const f = split(v, layout, source);
  const problems = implausibilities(f, layout);
  const notes: Note[] = [];

  // schedule()'s own +1: only in what __schedule_bug() prints, only on CONFIG_PREEMPT_COUNT kernels.
  const facts = buildFacts(rel);
  let scheduleOffsetIncluded = false;
  let basisText: Text;
  if (problems.length) {
    basisText = tx('The value is not a real count, so schedule()\'s own +1 does not matter here', '这个值已经不是真实的计数，schedule() 自己加的 1 在这里无意义');
  } else if (source !== 'schedule-bug') {
    basisText = source === 'raw'
      ? tx('a raw count read from memory: nothing added by the printer', '直接从内存读出的原始计数，打印路径没有额外加值')
      : tx('printed by __might_sleep()/__might_resched(): the count as it was at the call', '由 __might_sleep()/__might_resched() 打印，就是调用点当时的计数');
  } else if (facts.preemptCount === true) {
    scheduleOffsetIncluded = true;
    basisText = tx(`${facts.source} has CONFIG_PREEMPT_COUNT=y: __schedule() runs with preemption disabled, so the printed count includes schedule()'s own +1`, `${facts.source} 开启了 CONFIG_PREEMPT_COUNT：__schedule() 本身是在关抢占状态下运行的，所以打印出来的值里包含 schedule() 自己加的 1`);
    if (f.preemptDepth === 0 && f.strayBits === 0) {
      notes.push(note('no-schedule-offset', 'the low byte is 0, yet this kernel build should print at least 1 here: the release may not be the one that crashed', '低字节为 0，但该内核配置下这里至少应为 1：给出的内核版本可能与出问题的内核不符'));
    }
  } else if (facts.preemptCount === false) {
    if (f.preemptDepth > 0 && problems.length === 0) {
      scheduleOffsetIncluded = true;
      basisText = tx(`${facts.source} is normally built without CONFIG_PREEMPT_COUNT, but the low byte is ${f.preemptDepth}: this build counts preemption (debug kernel or DEBUG_ATOMIC_SLEEP), so schedule()'s +1 is included`, `${facts.source} 通常不开 CONFIG_PREEMPT_COUNT，但低字节是 ${f.preemptDepth}：说明这个内核在计抢占数（debug 内核或开了 DEBUG_ATOMIC_SLEEP），因此包含 schedule() 自己加的 1`);
    } else {
      basisText = tx(`${facts.source} is built without CONFIG_PREEMPT_COUNT: spin_lock()/preempt_disable() do not count, and schedule() adds nothing to the printed value`, `${facts.source} 没有开启 CONFIG_PREEMPT_COUNT：spin_lock()/preempt_disable() 不计数，schedule() 也不会给打印值加 1`);
    }
  } else if (f.preemptDepth > 0) {
    scheduleOffsetIncluded = true;
    basisText = tx(`The kernel build is unknown (${facts.source}); the low byte is ${f.preemptDepth}, and only a CONFIG_PREEMPT_COUNT kernel counts preemption, where schedule() adds 1 before printing`, `内核配置未知（${facts.source}）；低字节为 ${f.preemptDepth}，只有开启 CONFIG_PREEMPT_COUNT 的内核才会计抢占数，而这种内核在打印前 schedule() 已经加了 1`);
  } else {
    basisText = tx(`The kernel build is unknown (${facts.source}); the low byte is 0, so either the kernel does not count preemption or nothing but BH/IRQ state is held`, `内核配置未知（${facts.source}）；低字节为 0，要么内核不计抢占数，要么只持有软/硬中断状态`);
  }
  const callerPreemptDepth = Math.max(0, f.preemptDepth - (scheduleOffsetIncluded ? 1 : 0));

  const servingSoftirq = (f.softirqCount & 1) === 1;
  const softirqDisableDepth = f.softirqCount >> 1;
  const nmi = f.nmiDepth > 0;
  const needResched = layout.needResched === null || source !== 'raw' ? null : (v & layout.needResched) === 0;

  const context: PreemptContext = nmi ? 'nmi' : f.hardirqDepth > 0 ? 'hardirq' : servingSoftirq ? 'softirq' : softirqDisableDepth > 0 ? 'bh-disabled' : callerPreemptDepth > 0 ? 'preempt-disabled' : 'preemptible';
  const plausible = problems.length === 0;
  const underflow = plausible ? null : underflowOf(v);

  if (underflow) {
    notes.push(note('underflow', `the count went below zero by ${underflow.deficit}: about ${underflow.bhEnables} local_bh_enable()/spin_unlock_bh() and ${underflow.preemptEnables} preempt_enable()/spin_unlock() more than were taken — an unbalanced release, or a release after the kernel reset the count (it does so after printing "scheduling while atomic")`, `计数减到了零以下，差 ${underflow.deficit}：local_bh_enable()/spin_unlock_bh() 大约多调用了 ${underflow.bhEnables} 次，preempt_enable()/spin_unlock() 多调用了 ${underflow.preemptEnables} 次——要么是释放不配对，要么是内核重置计数之后又做了释放（内核打印 "scheduling while atomic" 后会重置计数）`));
  } else if (!plausible) notes.push(...corruptionNotes(v, rel, layout));
  else notes.push(...meaningNotes({ source, softirqDisableDepth, servingSoftirq, callerPreemptDepth, hardirqDepth: f.hardirqDepth, nmi, context, scheduleOffsetIncluded }));

  const valueStr = hex(v, 8);
  return {
    kind: 'preempt',
    value: valueStr,
    release: rel?.raw ?? null,
    layout: layout.name,
    layoutRange: rangeLabel(layout.range),
    layoutGuessed,
    source,
    preemptDepth: f.preemptDepth,
    callerPreemptDepth,
    softirqCount: f.softirqCount,
    servingSoftirq,
    softirqDisableDepth,
    hardirqDepth: f.hardirqDepth,
    nmi,
    nmiDepth: f.nmiDepth,
    preemptActive: f.preemptActive,
    needResched,
    strayBits: f.strayBits,
    scheduleOffsetIncluded,
    basis: basisText.en,
    basisText,
    context,
    plausible,
    problems,
    notes,
    summary: underflow
      ? tx(`${valueStr} is a count that went below zero by ${underflow.deficit}: more releases than acquisitions`, `${valueStr} 是减到零以下的计数（差 ${underflow.deficit}）：释放次数多于获取次数`)
      : summarize(valueStr, plausible, context, softirqDisableDepth, callerPreemptDepth, f.hardirqDepth),
    alternatives,
    underflow,
  };
}

function summarize(value: string, plausible: boolean, context: PreemptContext, bh: number, preempt: number, hardirq: number): Text {
  if (!plausible) return tx(`${value} is not a preempt count any real nesting produces: the count was overwritten`, `${value} 不是任何真实嵌套能产生的抢占计数：计数本身被改写了`);
  switch (context) {
    case 'nmi': return tx(`${value}: in NMI context`, `${value}：处于 NMI 上下文`);
    case 'hardirq': return tx(`${value}: in hard interrupt context (depth ${hardirq})`, `${value}：处于硬中断上下文（嵌套 ${hardirq} 层）`);
    case 'softirq': return tx(`${value}: serving a softirq`, `${value}：正在执行软中断`);
    case 'bh-disabled': return tx(`${value}: bottom halves disabled ${bh === 1 ? 'once' : `${bh} times`} (${bh} × SOFTIRQ_DISABLE_OFFSET 0x200)${preempt ? `, preemption disabled ${preempt} more` : ''}`, `${value}：软中断（下半部）被禁止了 ${bh} 层（${bh} × SOFTIRQ_DISABLE_OFFSET 0x200）${preempt ? `，另有 ${preempt} 层关抢占` : ''}`);
    case 'preempt-disabled': return tx(`${value}: preemption disabled ${preempt === 1 ? 'once' : `${preempt} times`} (spin lock held or preempt_disable())`, `${value}：抢占被禁止了 ${preempt} 层（持有自旋锁或调用了 preempt_disable()）`);
    default: return tx(`${value}: preemptible task context, nothing held`, `${value}：普通可抢占的进程上下文，没有持有任何禁止状态`);
  }
}

interface Meaning {
  source: PreemptSource;
  softirqDisableDepth: number;
  servingSoftirq: boolean;
  callerPreemptDepth: number;
  hardirqDepth: number;
  nmi: boolean;
  context: PreemptContext;
  scheduleOffsetIncluded: boolean;
}

function meaningNotes(m: Meaning): Note[] {
  const out: Note[] = [];
  const sleeping = m.source !== 'raw';
  if (m.softirqDisableDepth > 0 && !m.servingSoftirq && m.hardirqDepth === 0 && !m.nmi) {
    const n = m.softirqDisableDepth;
    out.push(note('leaked-bh-disable',
      `${n} local_bh_disable() level${n > 1 ? 's' : ''} (spin_lock_bh(), read_lock_bh(), rcu_read_lock_bh()...) ${sleeping ? 'not undone when it slept' : 'in force'}: look for a _bh lock released with plain spin_unlock() (often on an error path), or a return that skips the spin_unlock_bh()`,
      `有 ${n} 层 local_bh_disable()（spin_lock_bh()、read_lock_bh()、rcu_read_lock_bh() 等）${sleeping ? '在睡眠时仍未恢复' : '仍然生效'}：重点查 _bh 加的锁是否被普通 spin_unlock() 释放（常见于出错分支），或者某个 return 跳过了 spin_unlock_bh()`));
    if (sleeping) {
      out.push(note('aiee', 'with the softirq count non-zero, in_interrupt() is true: if this task then exits, do_exit() panics with "Aiee, killing interrupt handler!"', 'softirq 计数不为 0 时 in_interrupt() 为真：这个进程随后一旦退出，do_exit() 就会 panic："Aiee, killing interrupt handler!"'));
    }
  }
  if (m.servingSoftirq && sleeping) {
    out.push(note('sleep-in-softirq', 'a softirq handler (timer, tasklet, network RX...) called something that sleeps', '软中断处理函数（定时器、tasklet、网络收包等）里调用了会睡眠的函数'));
  }
  if (m.hardirqDepth > 0 && sleeping) {
    out.push(note('sleep-in-hardirq', 'an interrupt handler called something that sleeps (mutex, GFP_KERNEL allocation, msleep...)', '硬中断处理函数里调用了会睡眠的函数（mutex、GFP_KERNEL 分配、msleep 等）'));
  }
  if (m.callerPreemptDepth > 0 && sleeping) {
    out.push(note('preempt-held', `${m.callerPreemptDepth} spin lock${m.callerPreemptDepth > 1 ? 's' : ''} / preempt_disable() level${m.callerPreemptDepth > 1 ? 's' : ''} held across the sleep${m.scheduleOffsetIncluded ? ' (schedule()\'s own +1 already taken off)' : ''}`, `睡眠时仍持有 ${m.callerPreemptDepth} 层自旋锁/preempt_disable()${m.scheduleOffsetIncluded ? '（已扣除 schedule() 自己加的 1）' : ''}`));
  }
  return out;
}

function corruptionNotes(v: number, rel: KernelRelease | null, layout: PreemptLayout): Note[] {
  const out: Note[] = [];
  const ver = rel ? versionOf(rel) : null;
  const countInThreadInfo = layout.storage.startsWith('thread_info');
  const onStack = ver ? THREAD_INFO_ON_STACK.find((r) => inRange(ver, r.range))?.onStack ?? null : null;
  const stackKiB = buildFacts(rel).stackKiB;
  if (countInThreadInfo && onStack !== false) {
    out.push(note('thread-info-overwritten',
      `on this era the count lives in thread_info, which shares the ${stackKiB ? `${stackKiB} KiB ` : ''}kernel stack and sits at its bottom: a stack overflow writes over it first. Suspect a kernel stack overflow (deep call chain: filesystems, block layer, network stacking), then a stray write to thread_info`,
      `这个年代的内核里抢占计数放在 thread_info 中，而 thread_info 与${stackKiB ? ` ${stackKiB} KiB 的` : ''}内核栈共用同一块内存、位于栈底：栈一旦溢出首先覆盖它。优先怀疑内核栈溢出（调用链过深：文件系统、块层、网络协议栈层层嵌套），其次才是野指针写坏了 thread_info`));
  } else if (!rel) {
    out.push(note('thread-info-overwritten',
      'before 3.13 the count lives in thread_info at the bottom of the kernel stack (x86_64 until 4.9), so a kernel stack overflow is the usual culprit; on later kernels the count is per-CPU and a wild write or a per-CPU area corruption is more likely',
      '3.13 之前抢占计数放在 thread_info 里，而 thread_info 位于内核栈底（x86_64 直到 4.9 都是如此），所以最常见的原因是内核栈溢出；更新的内核里计数是 per-CPU 变量，更可能是野指针写坏或 per-CPU 区域被破坏'));
  } else {
    out.push(note('percpu-count-corrupted', 'on this era the count is per-CPU (__preempt_count): suspect a wild write into the per-CPU area, or an unbalanced preempt_enable() underflowing the count', '这个年代的内核里抢占计数是 per-CPU 变量（__preempt_count）：怀疑有野指针写坏了 per-CPU 区域，或者 preempt_enable() 多调用了一次导致计数下溢'));
  }
  const high = v >>> 16;
  if (high >= 0xffff && v >>> 0 >= 0xffff8000) {
    out.push(note('pointer-half', `${hex(v, 8)} looks like the upper half of a kernel pointer (${hex(v, 8)}xxxxxxxx): a stack word holding a pointer was stored where the count lives`, `${hex(v, 8)} 看起来像内核指针的高 32 位（${hex(v, 8)}xxxxxxxx）：栈上一个存放指针的字被写到了计数所在的位置`));
  } else if (v >>> 0 >= 0x80000000 && layout.needResched === null) {
    out.push(note('negative', 'bit 31 set: the count may have gone negative (one preempt_enable()/local_bh_enable() too many)', '第 31 位被置位：计数可能已经减成负数（多调用了一次 preempt_enable()/local_bh_enable()）'));
  }
  return out;
}

/** Human explanation, headline first. */
export function preemptLines(r: PreemptDecode, lang: TextLang): string[] {
  const zh = lang === 'zh';
  const out: string[] = [r.summary[lang]];
  const layoutNote = !r.layoutGuessed ? '' : r.plausible
    ? (zh ? '（未给出内核版本，按最新且能解释该值的布局）' : ' (no kernel release given: newest layout under which the value makes sense)')
    : (zh ? '（未给出内核版本，按最新布局）' : ' (no kernel release given: newest layout)');
  const rows: Array<[string, string]> = [
    [zh ? '布局' : 'layout', `${r.layout} (${r.layoutRange})${layoutNote}`],
    [zh ? '抢占深度 (bit 0-7)' : 'preempt depth (bits 0-7)', r.scheduleOffsetIncluded ? `${r.preemptDepth} (${zh ? `扣除 schedule() 的 1 后为 ${r.callerPreemptDepth}` : `${r.callerPreemptDepth} without schedule()'s own 1`})` : String(r.preemptDepth)],
    [zh ? '软中断计数 (bit 8-15)' : 'softirq count (bits 8-15)', `${r.softirqCount} = ${zh ? '正在处理软中断' : 'serving softirq'} ${yesNo(r.servingSoftirq, lang)} + ${zh ? '禁止下半部深度' : 'BH-disable depth'} ${r.softirqDisableDepth}`],
    [zh ? '硬中断深度' : 'hardirq depth', String(r.hardirqDepth)],
    ['NMI', r.nmiDepth > 1 ? `${yesNo(r.nmi, lang)} (${r.nmiDepth})` : yesNo(r.nmi, lang)],
  ];
  if (r.preemptActive !== null) rows.push(['PREEMPT_ACTIVE', yesNo(r.preemptActive, lang)]);
  if (r.needResched !== null) rows.push([zh ? '需要重新调度' : 'need resched', `${yesNo(r.needResched, lang)} ${zh ? '（x86 上 bit 31 取反：置位表示不需要）' : '(x86 bit 31 is inverted: set means not needed)'}`]);
  if (r.strayBits) rows.push([zh ? '无字段的位' : 'stray bits', hex(r.strayBits, 8)]);
  rows.push([zh ? '可能的值' : 'plausible', yesNo(r.plausible, lang)]);
  out.push(...table(rows));
  out.push((zh ? '依据：' : 'basis: ') + r.basisText[lang]);
  for (const p of r.problems) out.push((zh ? '不可能：' : 'impossible: ') + p[lang]);
  for (const n of r.notes) out.push('→ ' + n[lang]);
  if (r.alternatives.length && !r.plausible) {
    out.push(zh ? '各年代布局下均不成立：' + r.alternatives.map((a) => a.layout).join('、') : 'implausible under every era: ' + r.alternatives.map((a) => a.layout).join(', '));
  }
  return out;
}
