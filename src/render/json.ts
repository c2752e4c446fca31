// The JSON form of one analysed input, as contract.md fixes it (plus extension fields).

import type { CallTrace, CrashReport } from '../model/types';
import type { Analysis } from '../analyze/analyze';

export function traceJson(t: CallTrace): Record<string, unknown> {
  return {
    origin: t.origin,
    label: t.label,
    task: t.task,
    startLine: t.startLine,
    endLine: t.endLine,
    segments: t.segments.map((s) => ({
      context: s.context,
      exceptionRip: s.exceptionRip,
      registers: s.registers,
      startLine: s.startLine,
      endLine: s.endLine,
      frames: s.frames,
    })),
  };
}

function reportJson(r: CrashReport): Record<string, unknown> {
  return {
    // The contract's fields first, in its order.
    title: r.title,
    altTitles: r.altTitles,
    type: r.type,
    corrupted: r.corrupted,
    frame: r.frame,
    cpu: r.cpu,
    pid: r.pid,
    comm: r.comm,
    startLine: r.startLine,
    endLine: r.endLine,
    // Extensions.
    corruptedReason: r.corruptedReason,
    guiltyFile: r.guiltyFile,
    headerLine: r.headerLine,
    hardware: r.hardware,
    kernel: r.kernel,
    ip: r.registers?.ip ?? null,
    registers: r.registers ? r.registers.values : null,
    code: r.code,
    instruction: r.instruction,
    fault: r.fault,
    modules: r.modules,
    lastUnloaded: r.lastUnloaded,
    traces: r.traces.map(traceJson),
  };
}

export function analysisJson(a: Analysis): Record<string, unknown> {
  return {
    input: a.input,
    kernel: a.kernel,
    reports: a.reports.map(reportJson),
    findings: a.findings,
    notes: a.notes,
    lines: a.lineCount,
    backtraces: a.backtraces.map(traceJson),
  };
}

/** The JSON object printed for an input that could not be read at all. */
export function unreadableJson(input: string, message: string): Record<string, unknown> {
  return { input, error: message, kernel: { release: null, arch: null, taint: null }, reports: [], findings: [] };
}
