// Groups frame lines into call traces and splits each trace into per-context segments.

import type { CallTrace, Frame, LogLine, StackContext, StackSegment, TaskInfo } from '../model/types';
import {
  CONSOLE_STACK_MARKERS,
  CRASH_STACK_SEPARATORS,
  EXCEPTION_ENTRIES,
  IRQ_ENTRIES,
  NMI_ENTRIES,
  SOFTIRQ_ENTRIES,
  matchesAny,
} from '../knowledge/contexts';
import { armCaller, CRASH_FRAME_START, parseFrame } from './frames';
import { addRegisterPairs } from './details';
import { schedTaskLine } from '../knowledge/task-states';

const TRACE_LABEL =
  /^ {0,8}(?:Call [Tt]race:|Call trace:|Backtrace:|stack backtrace:|(?:Allocated|Freed) by task \d{1,10}:|Last potentially related work creation:|Second to last potentially related work creation:|(?:Allocated|Freed):|Uninit was (?:stored to memory|created) at:|Memory state around|NMI backtrace for cpu \d{1,5}|Task dump for CPU \d{1,5}:|Last Breaking-Event-Address:)/;
// crash: `PID: 2857   TASK: ffff92ad555497c0  CPU: 1   COMMAND: "fio"`
const CRASH_TASK = /^ {0,4}PID: {1,8}(\d{1,10}) {1,8}TASK: {1,4}([0-9a-f]{1,16}) {1,8}CPU: {1,4}(\d{1,5}|-) {1,8}COMMAND: {1,4}"([^"]{0,64})"/;
/** `CPU: 1 PID: 91 Comm: nmibt_reset ...` (also `CPU: 1 UID: 0 PID: ...` of 6.12+). */
const CONSOLE_TASK = /^CPU: {0,2}(\d{1,5}) {1,2}(?:UID: \d{1,10} {1,2})?PID: {0,2}(\d{1,10}) {1,2}Comm: {0,2}(\S{1,64})/;
/** Lines between that task line and the stack it introduces (hardware name, registers, code). */
const TASK_HEADER_REACH = 40;
/** crash's note under an exception frame it read from a stack it could not unwind. */
const BOGUS_FRAME = /^ {0,8}WARNING: possibly bogus exception frame/;
/** `bt -l`: `    debian/build/.../kernel/sched/core.c: 5257` under a frame. */
const CRASH_SOURCE_LINE = /^ {2,12}(\/?[\w.+-]{1,128}(?:\/[\w.+-]{1,128}){0,24}\.[chSs]): (\d{1,7})\s*$/;
const CRASH_EXCEPTION_RIP = /^ {0,12}\[exception RIP: ([^\]]{1,300})\]/;
const CRASH_ARM64_PC = /^ {0,16}PC: [0-9a-f]{8,16} {1,4}\[([A-Za-z_.][\w.]{0,200}(?:\+(?:0x[0-9a-f]{1,8}|\d{1,8}))?)\]/;
/** A register dump line: `EAX: 00000000  EBX: c0e68280`, `RIP: 00007fa7abcdc274  RSP: ...`. */
const REGISTER_PAIR = /^ {0,16}[A-Z][A-Z0-9_]{1,8}: {1,6}[0-9a-f]{4,16}\b/;
const CONSOLE_EXCEPTION_RIP = /^ {0,8}(?:RIP|EIP|IP|pc) ?: (?:[0-9a-f]{4}:)?(.{1,300})$/;
// Lines allowed inside a trace without ending it: registers, code, separators.
const INSIDE_TRACE =
  /^ {0,16}(?:(?:R[A-Z0-9]{1,3}|E[A-Z]{2}|ORIG_RAX|CS|DS|ES|SS|FS|GS|CR\d|DR\d|RFLAGS|EFLAGS|Code|[xw]\d{1,2}|sp|lr|pc|pstate|X\d{1,2}|PC|LR|SP|PSTATE|ORIG_X0|SYSCALLNO)\s?:|\.\.\.|-{3} <|\[exception RIP|\s*$|LR = |Exception stack\(0x[0-9a-f]{1,16} to 0x[0-9a-f]{1,16}\)|[0-9a-f]{4,16}: (?:\S{1,24} {0,2}){1,8}$)/;
const MARKER_PREFIX = /^ {0,16}(<\/?(?:IRQ|NMI|SOFTIRQ|TASK|EOI|EOE|#DF|#MC|#DB|#VC)>|<<EOE>>|<>) {0,8}/;
// powerpc: `--- Exception: 300 at .scan_block+0x70/0x170` (or `--- interrupt: 901 at ...`): the frames above
// ran in the handler, those below are the interrupted context, whose IP is named.
const PPC_EXCEPTION = /^ {0,8}--- (Exception|interrupt): ([0-9a-f]{1,4}) at (.{1,300})$/;
/** powerpc trap vectors that are interrupts (external, decrementer, hypervisor ones), not exceptions. */
const PPC_INTERRUPT_TRAPS = /^(?:500|900|901|980|a00|e60|e80|ea0|f00)$/;

interface Builder {
  trace: CallTrace;
  seg: StackSegment;
  /** Segments not yet assigned a context (crash `bt` assigns it at the separator below). */
  unresolved: StackSegment[];
  /** The caller the last arm frame line named after `from`: the next frame, or the last one. */
  armCaller: Frame | null;
  /** A context marker, crash separator or exception line was seen: contexts are printed, not inferred. */
  marked: boolean;
  /** A foreign line printed into the middle of the trace (another CPU's pr_cont): skipped if frames follow. */
  stray: boolean;
  /** Segments crash started with a bare register dump (i386 exception frames, a system call's user registers). */
  bareRegisters?: Set<StackSegment>;
}

/** A line another printk dropped into a trace: no label, no `name: value`, not a message head. */
const STRAY = /^ {0,8}[a-z0-9_][^:]{0,200}[^:\s]\s*$/;

function newSegment(context: StackContext, line: number, exceptionRip: string | null): StackSegment {
  return { context, frames: [], exceptionRip, registers: null, registerLines: exceptionRip ? [line] : [], startLine: line, endLine: line };
}

/** Collects `NAME: value` pairs of a register dump line into the segment's exception registers. */
function addRegisters(seg: StackSegment, text: string, line: number): void {
  if (seg.exceptionRip === null || seg.frames.length > 0) return;
  const regs = seg.registers ?? {};
  if (addRegisterPairs(regs, text) === 0) return;
  seg.registers = regs;
  if (!seg.registerLines.includes(line)) seg.registerLines.push(line);
}

function startTrace(origin: CallTrace['origin'], label: string | null, task: TaskInfo | null, line: number): Builder {
  const seg = newSegment(origin === 'crash-bt' ? 'unknown' : 'task', line, null);
  return {
    trace: { origin, label, task, segments: [seg], startLine: line, endLine: line },
    seg,
    unresolved: origin === 'crash-bt' ? [seg] : [],
    armCaller: null,
    marked: origin === 'crash-bt',
    stray: false,
  };
}

function openSegment(b: Builder, context: StackContext, line: number, exceptionRip: string | null): void {
  if (b.seg.frames.length === 0 && b.seg.exceptionRip === null) {
    b.seg.context = context;
    b.seg.exceptionRip = exceptionRip;
    if (exceptionRip) b.seg.registerLines = [line];
    b.seg.startLine = line;
    return;
  }
  b.seg = newSegment(context, line, exceptionRip);
  b.trace.segments.push(b.seg);
  if (context === 'unknown') b.unresolved.push(b.seg);
}

function addFrame(b: Builder, f: Frame): void {
  // An arm line names its caller with the return offset into it: that is this frame's offset.
  const caller = b.armCaller;
  if (caller && caller.function === f.function && f.offset === null) Object.assign(f, { offset: caller.offset, size: caller.size, module: f.module ?? caller.module });
  b.armCaller = null;
  b.seg.frames.push(f);
  b.seg.endLine = f.line;
  b.trace.endLine = f.line;
}

/** The outermost caller of an arm trace is only named after the last `from`. */
function flushArmCaller(b: Builder): void {
  const caller = b.armCaller;
  b.armCaller = null;
  if (caller) {
    b.seg.frames.push(caller);
    b.seg.endLine = caller.line;
  }
}

/**
 * A trace printed without context markers (old kernels, arm, arm64, i386, powerpc...) is cut at the
 * entry frames: frames up to an exception entry ran handling the exception, up to an interrupt
 * entry in hardirq context, up to __do_softirq in softirq context; the rest in the trace's own.
 */
function splitFlat(seg: StackSegment): StackSegment[] {
  const kinds: ReadonlyArray<[StackContext, readonly RegExp[]]> = [['exception', EXCEPTION_ENTRIES], ['softirq', SOFTIRQ_ENTRIES], ['irq', IRQ_ENTRIES]];
  const kindOf = (f: Frame): StackContext | null => {
    if (!f.reliable || !f.function) return null;
    for (const [k, pats] of kinds) if (matchesAny(f.function, pats)) return k;
    return null;
  };
  const out: StackSegment[] = [];
  let start = 0;
  const frames = seg.frames;
  for (let i = 0; i < frames.length; i++) {
    const k = kindOf(frames[i]);
    if (!k) continue;
    let j = i;
    while (j + 1 < frames.length && kindOf(frames[j + 1]) === k) j++;
    // An irq entry right after softirq frames closes the softirq part, not a new one.
    const part = frames.slice(start, j + 1);
    out.push({ context: k, frames: part, exceptionRip: start === 0 ? seg.exceptionRip : null, registers: start === 0 ? seg.registers : null, registerLines: start === 0 ? seg.registerLines : [], startLine: part[0].line, endLine: part[part.length - 1].line });
    start = j + 1;
    i = j;
  }
  if (out.length === 0) return [seg];
  if (start < frames.length) {
    const rest = frames.slice(start);
    out.push({ context: seg.context, frames: rest, exceptionRip: null, registers: null, registerLines: [], startLine: rest[0].line, endLine: seg.endLine });
  }
  return out;
}

/** Splits a segment at softirq and exception entries so each part has its own context. */
function refineSegment(seg: StackSegment): StackSegment[] {
  const frames = seg.frames;
  const last = frames[frames.length - 1];
  if (last && last.function && matchesAny(last.function, EXCEPTION_ENTRIES) && seg.context !== 'nmi') {
    return [{ ...seg, context: 'exception' }];
  }
  if (seg.context !== 'irq') return [seg];
  const cut = frames.findIndex((f) => f.function !== null && matchesAny(f.function, SOFTIRQ_ENTRIES));
  if (cut < 0 || cut === frames.length - 1) return [{ ...seg, context: cut < 0 ? 'irq' : 'softirq' }];
  const soft = frames.slice(0, cut + 1);
  const hard = frames.slice(cut + 1);
  return [
    { context: 'softirq', frames: soft, exceptionRip: seg.exceptionRip, registers: seg.registers, registerLines: seg.registerLines, startLine: seg.startLine, endLine: soft[soft.length - 1].line },
    { context: 'irq', frames: hard, exceptionRip: null, registers: null, registerLines: [], startLine: hard[0].line, endLine: seg.endLine },
  ];
}

function finish(b: Builder): CallTrace | null {
  flushArmCaller(b);
  // A crash segment no separator named: its outermost frame says, an interrupt or NMI entry, else the task.
  // (Only below a bare register dump: a separator names every other one, or the task's own entry stub.)
  const segs = b.trace.segments;
  for (const s of b.unresolved) {
    if (s.context !== 'unknown') continue;
    const next = segs[segs.indexOf(s) + 1];
    const outer = next && b.bareRegisters?.has(next) ? s.frames[s.frames.length - 1]?.function ?? null : null;
    s.context = outer !== null && matchesAny(outer, IRQ_ENTRIES) ? 'irq' : outer !== null && matchesAny(outer, NMI_ENTRIES) ? 'nmi' : 'task';
  }
  for (const s of b.trace.segments) if (s.exceptionRip === '') s.exceptionRip = null;
  const kept = b.trace.segments.filter((s) => s.frames.length > 0 || s.exceptionRip !== null);
  const segments = b.marked || b.trace.origin === 'crash-bt' ? kept.flatMap(refineSegment) : kept.flatMap(splitFlat).flatMap((s) => (s.context === 'irq' ? refineSegment(s) : [s]));
  if (!segments.some((s) => s.frames.length > 0)) return null;
  return { ...b.trace, segments };
}

/**
 * Finds every call trace in the given lines. A trace starts at a label line
 * (`Call Trace:`), a crash `PID:` header, or the first frame of a bare list,
 * and ends at the first line that is neither a frame nor part of a register dump.
 */
export function parseTraces(lines: readonly LogLine[]): CallTrace[] {
  const traces: CallTrace[] = [];
  let b: Builder | null = null;
  const close = (): void => {
    if (b) {
      const t = finish(b);
      if (t) traces.push(t);
    }
    b = null;
  };

  let prev: string | null = null;
  // The task line a report or an NMI backtrace prints before its stack: the stack is that task's.
  let header: { task: TaskInfo; no: number } | null = null;
  const headerTask = (no: number): TaskInfo | null => (header && no - header.no <= TASK_HEADER_REACH ? { ...header.task } : null);
  for (const ln of lines) {
    let text = ln.text;
    const before = prev;
    prev = text;
    if (text.length > 2048) {
      close();
      continue;
    }
    // A `#N [addr] fn at addr` frame inside a crash listing, most lines of a foreach bt: no task line,
    // label, marker, separator or exception line starts with `#`, so it is read as a frame at once.
    if (b !== null && (b as Builder).trace.origin === 'crash-bt' && CRASH_FRAME_START.test(text)) {
      const frame = parseFrame(text, ln.no);
      if (frame) {
        const builder: Builder = b;
        if (builder.armCaller && frame.function !== builder.armCaller.function) flushArmCaller(builder);
        builder.stray = false;
        addFrame(builder, frame);
        builder.armCaller = armCaller(text, ln.no);
        continue;
      }
    }
    const taskLine = CONSOLE_TASK.exec(text);
    if (taskLine) header = { task: { cpu: Number(taskLine[1]), pid: Number(taskLine[2]), comm: taskLine[3] }, no: ln.no };
    // sysrq t/w and hung tasks print the task with its state, no CPU.
    const sched = taskLine ? null : schedTaskLine(text);
    if (sched) header = { task: { cpu: null, pid: sched.pid, comm: sched.comm, state: sched.state }, no: ln.no };
    const crashTask = CRASH_TASK.exec(text);
    if (crashTask) {
      close();
      const cpu = crashTask[3] === '-' ? null : Number(crashTask[3]);
      b = startTrace('crash-bt', text.trim(), { pid: Number(crashTask[1]), comm: crashTask[4], cpu }, ln.no);
      continue;
    }
    const label = TRACE_LABEL.exec(text);
    if (label) {
      close();
      b = startTrace('console', label[0].trim(), headerTask(ln.no), ln.no);
      continue;
    }
    const marker = MARKER_PREFIX.exec(text);
    if (marker) {
      const spec = CONSOLE_STACK_MARKERS.find((m) => m.marker === marker[1]);
      if (!b) b = startTrace('console', null, headerTask(ln.no), ln.no);
      b.marked = true;
      flushArmCaller(b);
      if (spec && spec.opens) openSegment(b, spec.opens, ln.no, null);
      text = text.slice(marker[0].length);
      if (text.trim() === '') continue;
    }
    if (b) {
      const sep = CRASH_STACK_SEPARATORS.find((s) => s.pattern.test(text));
      if (sep && /^ {0,8}---/.test(text)) {
        const builder: Builder = b;
        const pendingException = builder.seg.frames.length === 0 && builder.seg.exceptionRip !== null ? builder.seg : null;
        for (const s of builder.unresolved) if (s !== pendingException && s.context === 'unknown') s.context = sep.context;
        builder.unresolved = pendingException ? [pendingException] : [];
        if (!pendingException) openSegment(builder, 'unknown', ln.no, null);
        continue;
      }
      const ppc = PPC_EXCEPTION.exec(text);
      if (ppc) {
        b.marked = true;
        b.seg.context = ppc[1] === 'interrupt' && PPC_INTERRUPT_TRAPS.test(ppc[2]) ? 'irq' : 'exception';
        b.seg = newSegment('task', ln.no, ppc[3].trim());
        b.trace.segments.push(b.seg);
        continue;
      }
      const exc = CRASH_EXCEPTION_RIP.exec(text);
      if (exc && /unknown or invalid address/.test(exc[1])) b.trace.suspect = true;
      if (exc) {
        openSegment(b, b.trace.origin === 'crash-bt' ? 'unknown' : b.seg.context, ln.no, exc[1].trim());
        continue;
      }
    }
    const frame = parseFrame(text, ln.no);
    if (frame) {
      if (!b) {
        const origin = /^ {0,8}#\d/.test(text) ? 'crash-bt' : 'bare';
        // A bare list is labelled by the line that introduces it: `{SOFTIRQ-ON-W} state was registered at:`, `-> #1 (&mm->mmap_lock){++++}:`.
        const label = origin === 'bare' && before !== null && /:\s*$/.test(before) && before.trim().length <= 200 ? before.trim() : null;
        b = startTrace(origin, label, null, ln.no);
      }
      if (b.armCaller && frame.function !== b.armCaller.function) flushArmCaller(b);
      b.stray = false;
      addFrame(b, frame);
      b.armCaller = armCaller(text, ln.no);
      continue;
    }
    if (b) {
      const builder: Builder = b;
      const rip = builder.trace.origin !== 'crash-bt' ? CONSOLE_EXCEPTION_RIP.exec(text) : null;
      if (rip && builder.seg.frames.length + builder.trace.segments.length > 1) {
        openSegment(builder, builder.seg.context, ln.no, rip[1].trim());
        continue;
      }
      if (INSIDE_TRACE.test(text)) {
        // crash prints an i386 exception frame, and the user registers of a system call, as a register dump
        // right after the entry frame, with no `[exception RIP:` line: it starts the interrupted context.
        const last = builder.seg.frames[builder.seg.frames.length - 1];
        if (builder.trace.origin === 'crash-bt' && last && last.line === ln.no - 1 && REGISTER_PAIR.test(text)) {
          openSegment(builder, 'unknown', ln.no, '');
          (builder.bareRegisters ??= new Set()).add(builder.seg);
        }
        addRegisters(builder.seg, text, ln.no);
        const regs = builder.seg.registers;
        // arm64: `PC: ffff8000100f9c5c  [queued_spin_lock_slowpath+412]`, the symbol crash resolved.
        const pc = builder.seg.exceptionRip === '' ? CRASH_ARM64_PC.exec(text) : null;
        if (pc) builder.seg.exceptionRip = pc[1];
        else if (builder.seg.exceptionRip === '' && regs && (regs.EIP ?? regs.RIP ?? regs.PC)) builder.seg.exceptionRip = `0x${(regs.EIP ?? regs.RIP ?? regs.PC).replace(/^0+(?=.)/, '')}`;
        continue;
      }
      // crash could not trust the exception frame it just printed: its registers say nothing.
      if (builder.trace.origin === 'crash-bt' && BOGUS_FRAME.test(text)) {
        builder.seg.registers = null;
        builder.seg.registerLines = [];
        builder.trace.suspect = true;
        continue;
      }
      // crash `bt -l`: the source line of the frame above, on a line of its own.
      const src = builder.trace.origin === 'crash-bt' ? CRASH_SOURCE_LINE.exec(text) : null;
      if (src) {
        const last = builder.seg.frames[builder.seg.frames.length - 1];
        if (last && last.source === null) last.source = `${src[1]}:${src[2]}`;
        continue;
      }
      if (!builder.stray && builder.seg.frames.length > 0 && STRAY.test(text)) {
        builder.stray = true;
        continue;
      }
      close();
    }
  }
  close();
  return traces;
}
