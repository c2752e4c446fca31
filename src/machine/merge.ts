// The model of an input read in batches: each batch's model, joined into one (CPUs, tasks and locks by identity), its wait-for graph drawn again.

import { cyclesOf, edgesOf } from './build';
import type { MachineContext, MachineLock, MachineModel } from './types';

/**
 * Contexts a joined model keeps: a paste of every task of a very large machine stays in bounded
 * memory. Past it a later batch adds only what is not a stack (its RCU blockers, slab answers...).
 */
export const MAX_CONTEXTS = 25_000;

const rcuKey = (r: MachineModel['rcuBlockers'][number]): string => `${r.kind}:${r.cpu}:${r.pid}`;

function lockKey(l: MachineLock, contexts: readonly MachineContext[]): string {
  if (l.address !== null) return `a:${l.address}`;
  if (l.kind === 'rcu') return 'rcu';
  if (l.name !== null) return `n:${l.name}`;
  // A lock known by neither address nor name is its waiter's own.
  const w = l.waiters[0];
  return w ? `w:${contexts[w.context]?.pid}:${contexts[w.context]?.cpu}:${l.kind}` : `k:${l.kind}`;
}

/**
 * Joins the model of a later batch to the model of the batches before it. A CPU, task or lock
 * seen in both keeps what the earlier batch said and gains what only the later one says; the
 * later batch's contexts are renumbered after the earlier ones. The waits-for edges and rings
 * are drawn again over the joined locks, so that a waiter and a holder read in different
 * batches meet when the evidence named the holder in its own batch.
 */
export function mergeMachines(a: MachineModel, b: MachineModel): MachineModel {
  if (a.contexts.length + b.contexts.length > MAX_CONTEXTS) {
    const seen = new Set(a.rcuBlockers.map(rcuKey));
    return {
      ...a,
      rcuBlockers: [...a.rcuBlockers, ...b.rcuBlockers.filter((r) => !seen.has(rcuKey(r)))],
      system: a.system ?? b.system,
      slab: { caches: a.slab.caches.length > 0 ? a.slab.caches : b.slab.caches, objects: [...a.slab.objects, ...b.slab.objects].slice(0, 256) },
      interrupts: a.interrupts ?? b.interrupts,
    };
  }
  const off = a.contexts.length;
  const id = (x: number): number => x + off;
  const contexts: MachineContext[] = [...a.contexts, ...b.contexts.map((c) => ({ ...c, id: id(c.id), interruptedBy: c.interruptedBy === null ? null : id(c.interruptedBy) }))];

  const cpus = new Map(a.cpus.map((c) => [c.cpu, c]));
  for (const c of b.cpus) {
    const had = cpus.get(c.cpu);
    const moved = { ...c, contexts: c.contexts.map(id) };
    // Offline in either batch stays offline: a stack of the CPU is from before it went.
    const online = had && (had.online === false || c.online === false) ? false : had?.online ?? c.online;
    if (!had || (had.contexts.length === 0 && moved.contexts.length > 0)) cpus.set(c.cpu, { ...moved, online });
    else if (had.online !== online) cpus.set(c.cpu, { ...had, online });
  }

  const tasks = new Map(a.tasks.map((t) => [t.pid, { ...t, waitQueues: [...t.waitQueues] }]));
  for (const t of b.tasks) {
    const had = tasks.get(t.pid);
    const moved = { ...t, contexts: t.contexts.map(id) };
    if (!had) {
      tasks.set(t.pid, moved);
      continue;
    }
    // The task's stack is the one the earlier batch read; the later one adds what it alone printed.
    if (had.contexts.length === 0) had.contexts = moved.contexts;
    had.comm ??= moved.comm;
    had.task ??= moved.task;
    had.cpu ??= moved.cpu;
    had.state ??= moved.state;
    had.active ??= moved.active;
    had.lastRun ??= moved.lastRun;
    had.work ??= moved.work;
    had.scheduling ??= moved.scheduling;
    if (had.locksHeld.length === 0) had.locksHeld = moved.locksHeld;
    if (had.exceptionFrames.length === 0) had.exceptionFrames = moved.exceptionFrames;
    if (had.openFiles.length === 0) had.openFiles = moved.openFiles;
    for (const q of moved.waitQueues) if (!had.waitQueues.includes(q)) had.waitQueues.push(q);
    had.lines = [...had.lines, ...moved.lines].slice(0, 64);
  }

  const locks: MachineLock[] = [];
  const byKey = new Map<string, MachineLock>();
  const add = (l: MachineLock, ctx: readonly MachineContext[]): void => {
    const key = lockKey(l, ctx);
    const had = byKey.get(key);
    if (!had) {
      const copy = { ...l, waiters: [...l.waiters], holders: [...l.holders] };
      byKey.set(key, copy);
      locks.push(copy);
      return;
    }
    // The contexts of different batches are different: nothing to deduplicate.
    had.waiters.push(...l.waiters);
    had.holders.push(...l.holders);
    had.name ??= l.name;
    had.value ??= l.value;
    if (had.kind === 'unknown') had.kind = l.kind;
  };
  for (const l of a.locks) add(l, contexts);
  for (const l of b.locks) {
    add(
      {
        ...l,
        waiters: l.waiters.map((w) => ({ ...w, context: id(w.context) })),
        holders: l.holders.map((h) => ({ ...h, context: id(h.context), sameCpuAs: h.sameCpuAs.map(id) })),
      },
      contexts,
    );
  }
  const waitsFor = edgesOf(contexts, locks);
  const ipiCpus = new Set(a.ipiWaits.map((p) => p.cpu));
  const rcuSeen = new Set(a.rcuBlockers.map(rcuKey));
  const unreadable = new Map(a.unreadable.map((u) => [u.address, u]));
  for (const u of b.unreadable) if (!unreadable.has(u.address)) unreadable.set(u.address, u);
  return {
    cpus: [...cpus.values()].sort((x, y) => x.cpu - y.cpu),
    tasks: [...tasks.values()].sort((x, y) => x.pid - y.pid),
    contexts,
    locks,
    ipiWaits: [...a.ipiWaits, ...b.ipiWaits.filter((p) => !ipiCpus.has(p.cpu)).map((p) => ({ ...p, context: id(p.context) }))],
    rcuBlockers: [...a.rcuBlockers, ...b.rcuBlockers.filter((r) => !rcuSeen.has(rcuKey(r)))],
    waitsFor,
    cycles: cyclesOf(contexts, waitsFor),
    system: a.system ?? b.system,
    work: b.work.length > 0 ? b.work : a.work,
    slab: { caches: a.slab.caches.length > 0 ? a.slab.caches : b.slab.caches, objects: [...a.slab.objects, ...b.slab.objects].slice(0, 256) },
    interrupts: a.interrupts ?? b.interrupts,
    waitQueues: [...a.waitQueues, ...b.waitQueues].slice(0, 256),
    netDevices: a.netDevices.length > 0 ? a.netDevices : b.netDevices,
    unreadable: [...unreadable.values()],
  };
}
