// Groups frame lines into call traces and splits each trace into per-context segments.

import type { CallTrace, Frame, LogLine, StackContext, StackSegment, TaskInfo } from '../model/types';
import {
  CONSOLE_STACK_MARKERS,
  CRASH_STACK_SEPARATORS,
  EXCEPTION_ENTRIES,
  SOFTIRQ_ENTRIES,
  matchesAny,
} from '../knowledge/contexts';
import { parseFrame } from './frames';
import { addRegisterPairs } from './details';

const TRACE_LABEL =
  /^ {0,8}(?:Call [Tt]race:|Call trace:|Backtrace:|stack backtrace:|(?:Allocated|Freed) by task \d{1,10}:|Last potentially related work creation:|Second to last potentially related work creation:|(?:Allocated|Freed):|Uninit was (?:stored to memory|created) at:|Memory state around|NMI backtrace for cpu \d{1,5}|Task dump for CPU \d{1,5}:)/;
// crash: `PID: 2857   TASK: ffff92ad555497c0  CPU: 1   COMMAND: "fio"`
const CRASH_TASK = /^ {0,4}PID: {1,8}(\d{1,10}) {1,8}TASK: {1,4}([0-9a-f]{1,16}) {1,8}CPU: {1,4}(\d{1,5}|-) {1,8}COMMAND: {1,4}"([^"]{0,64})"/;
const CRASH_EXCEPTION_RIP = /^ {0,12}\[exception RIP: ([^\]]{1,300})\]/;
const CONSOLE_EXCEPTION_RIP = /^ {0,8}(?:RIP|EIP|IP|pc) ?: (?:[0-9a-f]{4}:)?(.{1,300})$/;
// Lines allowed inside a trace without ending it: registers, code, separators.
const INSIDE_TRACE =
  /^ {0,16}(?:(?:R[A-Z0-9]{1,3}|E[A-Z]{2}|ORIG_RAX|CS|DS|ES|SS|FS|GS|CR\d|DR\d|RFLAGS|EFLAGS|Code|[xw]\d{1,2}|sp|lr|pc|pstate)\s?:|\.\.\.|-{3} <|\[exception RIP|\s*$)/;
const MARKER_PREFIX = /^ {0,16}(<\/?(?:IRQ|NMI|SOFTIRQ|TASK|EOI|EOE|#DF|#MC|#DB|#VC)>) {0,8}/;

interface Builder {
  trace: CallTrace;
  seg: StackSegment;
  /** Segments not yet assigned a context (crash `bt` assigns it at the separator below). */
  unresolved: StackSegment[];
}

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
  b.seg.frames.push(f);
  b.seg.endLine = f.line;
  b.trace.endLine = f.line;
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
  for (const s of b.unresolved) if (s.context === 'unknown') s.context = 'task';
  const segments = b.trace.segments.filter((s) => s.frames.length > 0 || s.exceptionRip !== null).flatMap(refineSegment);
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

  for (const ln of lines) {
    let text = ln.text;
    if (text.length > 2048) {
      close();
      continue;
    }
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
      b = startTrace('console', label[0].trim(), null, ln.no);
      continue;
    }
    const marker = MARKER_PREFIX.exec(text);
    if (marker) {
      const spec = CONSOLE_STACK_MARKERS.find((m) => m.marker === marker[1]);
      if (!b) b = startTrace('console', null, null, ln.no);
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
      const exc = CRASH_EXCEPTION_RIP.exec(text);
      if (exc) {
        openSegment(b, b.trace.origin === 'crash-bt' ? 'unknown' : b.seg.context, ln.no, exc[1].trim());
        continue;
      }
    }
    const frame = parseFrame(text, ln.no);
    if (frame) {
      if (!b) {
        const origin = /^ {0,8}#\d/.test(text) ? 'crash-bt' : 'bare';
        b = startTrace(origin, null, null, ln.no);
      }
      addFrame(b, frame);
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
        addRegisters(builder.seg, text, ln.no);
        continue;
      }
      close();
    }
  }
  close();
  return traces;
}
