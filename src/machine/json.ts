// The `machine` object of the JSON output: the model with frames trimmed to what a reader needs.

import type { MachineModel } from './types';

export function machineJson(m: MachineModel): Record<string, unknown> {
  return {
    cpus: m.cpus,
    tasks: m.tasks,
    contexts: m.contexts.map((c) => ({
      id: c.id,
      cpu: c.cpu,
      pid: c.pid,
      comm: c.comm,
      report: c.report,
      kind: c.kind,
      stoppedAt: c.stoppedAt,
      interruptsEnabled: c.interruptsEnabled,
      interruptedBy: c.interruptedBy,
      registers: c.registers,
      frames: c.frames.map((f) => ({ function: f.function, offset: f.offset, module: f.module, reliable: f.reliable, line: f.line })),
      lines: c.lines,
    })),
    locks: m.locks,
    ipiWaits: m.ipiWaits,
    rcuBlockers: m.rcuBlockers,
    waitsFor: m.waitsFor,
    cycles: m.cycles,
    system: m.system,
    work: m.work,
    slab: m.slab,
    interrupts: m.interrupts,
    waitQueues: m.waitQueues,
    netDevices: m.netDevices,
    unreadable: m.unreadable,
  };
}
