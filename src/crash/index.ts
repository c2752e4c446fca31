// Reads a paste of crash utility sessions: prompts, and the output of the commands it knows, into one model.

import type { LogLine } from '../model/types';
import type { CrashCommand, CrashSession } from './types';
import { MAX_ENTRIES, MAX_LINE, TASK_HEADER, type CrashPrompt, type CrashReader, type CrashTaskHeader } from './reader';
import { readPrompt } from './prompt';
import { SysReader } from './sys';
import { PsReader } from './ps';
import { RunqReader } from './runq';
import { ModReader } from './mod';
import { KmemReader } from './kmem';
import { MemoryReader } from './memory';
import { LockReader } from './locks';
import { StackWordsReader } from './stack-words';
import { SlabReader } from './slab';
import { IrqStatsReader } from './irq';
import { WaitqReader } from './waitq';
import { FilesReader } from './files';
import { NetReader } from './net';
import { ExceptionFrameReader } from './exception-frames';
import { CpuStateReader } from './cpu-state';
import { TaskFieldsReader } from './task-fields';

export type * from './types';
export { readPrompt } from './prompt';

/**
 * Reads the crash output in the given lines, with or without `crash>` prompts, mixed with console
 * lines or not. Every line is offered to the readers in turn; a line none takes ends any open block
 * and is left as it is. Lists are capped and every pattern is bounded, so that hostile input costs
 * linear time and bounded memory.
 */
export function readCrashSession(lines: readonly LogLine[]): CrashSession {
  const sys = new SysReader();
  const ps = new PsReader();
  const runq = new RunqReader();
  const mod = new ModReader();
  const kmem = new KmemReader();
  const mem = new MemoryReader();
  const locks = new LockReader();
  const stack = new StackWordsReader();
  const slab = new SlabReader();
  const irq = new IrqStatsReader();
  const waitq = new WaitqReader();
  const files = new FilesReader();
  const net = new NetReader();
  const exceptions = new ExceptionFrameReader();
  const cpuState = new CpuStateReader();
  const taskFields = new TaskFieldsReader();
  // The lock reader first: inside a printed value, every line is its own until the closing brace.
  // waitq before the stack reader: under a waitq prompt a task header is a waiter, not a bt listing.
  const readers: readonly CrashReader[] = [locks, taskFields, waitq, cpuState, irq, exceptions, stack, sys, ps, runq, mod, kmem, slab, mem, files, net];
  const commands: CrashCommand[] = [];
  let current: CrashCommand | null = null;
  let prompt: CrashPrompt = { verb: null, args: '' };
  // The task the lines below a `PID:` header are of (bt -e, files, net -s), until the next prompt.
  let header: CrashTaskHeader | null = null;
  const closeAll = (except: CrashReader | null): void => {
    for (const r of readers) if (r !== except) r.close();
  };

  for (const ln of lines) {
    const text = ln.text;
    if (text.length > MAX_LINE) {
      closeAll(null);
      continue;
    }
    const p = text.includes('crash') ? readPrompt(text) : null;
    if (p) {
      closeAll(null);
      prompt = { verb: p.verb, args: p.args };
      header = null;
      current = commands.length < MAX_ENTRIES ? { line: ln.no, command: p.command, verb: p.verb, output: null, understood: false } : null;
      if (current) commands.push(current);
      continue;
    }
    if (current && text.trim() !== '') {
      if (current.output) current.output.to = ln.no;
      else current.output = { from: ln.no, to: ln.no };
    }
    const h = text.includes('PID:') ? TASK_HEADER.exec(text) : null;
    if (h) header = { pid: Number(h[1]), task: h[2], cpu: h[3] === '-' ? null : Number(h[3]), comm: h[4], line: ln.no };
    const taker = readers.find((r) => r.take(text, ln.no, prompt, header)) ?? null;
    closeAll(taker);
    if (taker && current) current.understood = true;
  }
  return {
    sys: sys.sys,
    tasks: ps.tasks,
    runq: runq.runq,
    modules: mod.modules,
    memory: kmem.memory,
    addresses: mem.facts,
    timers: mem.timers,
    locks: locks.locks,
    stackWords: stack.stackWords,
    slabCaches: slab.caches,
    slabObjects: slab.objects,
    irqStats: irq.stats,
    waitQueues: waitq.queues,
    openFiles: files.tasks,
    netDevices: net.devices,
    exceptionFrames: exceptions.frames,
    offlineCpus: cpuState.cpus,
    taskFields: taskFields.tasks,
    commands,
  };
}
