// Reads lock values out of `struct` / `p` answers: spinlock words, mutex and rw_semaphore owners and counts.

import type { CrashLockOwner, CrashLockValue } from './types';
import { MAX_ENTRIES, type CrashPrompt, type CrashReader } from './reader';
import { GdbValueBuilder, leafNumber, member, members, type GdbNode, type GdbValue } from './gdb-value';
import { hex, wordValue } from './values';
import {
  LOCK_TYPES, MUTEX_OWNER_FLAGS, OWNER_FLAG_MASK, QSPINLOCK, RWSEM_COUNT, RWSEM_OWNER_FLAGS, type LockKind,
} from '../knowledge/lock-words';

/** Commands whose answer is a printed value, and how the type or expression is named in their arguments. */
const VALUE_COMMANDS: Readonly<Record<string, 'type' | 'expression'>> = {
  struct: 'type', union: 'type', p: 'expression', print: 'expression', px: 'expression', pd: 'expression',
};

const MAX_LOCK_LINES = 512;

function counter(node: GdbNode | null): string | null {
  if (!node) return null;
  return node.children ? leafNumber(member(node, 'counter')) : leafNumber(node);
}

function owner(raw: string | null, flagNames: ReadonlyArray<[number, string]>): CrashLockOwner | null {
  const v = raw === null ? null : wordValue(raw);
  if (v === null) return null;
  const flags = Number(v & OWNER_FLAG_MASK);
  const address = v & ~OWNER_FLAG_MASK;
  return { address: address === 0n ? null : hex(address), flags, flagNames: flagNames.filter(([bit]) => flags & bit).map(([, n]) => n) };
}

/** The word of a spinlock: through `rlock` and `raw_lock` to qspinlock `val` or a ticket pair. */
function spinWord(node: GdbNode, depth = 0): Pick<CrashLockValue, 'raw' | 'qspinlock' | 'ticket'> | null {
  if (depth > 4) return null;
  const val = member(node, 'val');
  const raw = val ? counter(val) : null;
  const v = raw === null ? null : wordValue(raw);
  if (raw !== null && v !== null) {
    const w = Number(v & 0xffffffffn);
    const tail = w >>> QSPINLOCK.tailShift;
    return {
      raw,
      qspinlock: {
        locked: w & QSPINLOCK.lockedMask,
        pending: (w >>> QSPINLOCK.pendingShift) & QSPINLOCK.pendingMask,
        tail,
        tailIndex: tail & ((1 << QSPINLOCK.tailIndexBits) - 1),
        tailCpu: tail === 0 ? null : (tail >>> QSPINLOCK.tailIndexBits) - 1,
      },
      ticket: null,
    };
  }
  const tickets = member(node, 'tickets');
  if (tickets) {
    const head = leafNumber(member(tickets, 'head') ?? member(tickets, 'owner'));
    const tailN = leafNumber(member(tickets, 'tail') ?? member(tickets, 'next'));
    if (head !== null && tailN !== null) {
      return { raw: leafNumber(member(node, 'head_tail') ?? member(node, 'slock')) ?? `${head}/${tailN}`, qspinlock: null, ticket: { head: Number(head), tail: Number(tailN) } };
    }
  }
  for (const name of ['rlock', 'raw_lock']) {
    const inner = member(node, name);
    if (inner?.children) return spinWord(inner, depth + 1);
  }
  return null;
}

/** What kind of lock a printed struct is, from its type name or else from its members' shape. */
function kindOf(node: GdbNode, type: string | null): LockKind | null {
  const named = type ? LOCK_TYPES[type.replace(/^struct /, '')] : undefined;
  if (named) return named;
  const names = new Set(members(node).map((m) => m.name));
  const own = member(node, 'owner');
  const count = member(node, 'count');
  if (own?.children && count?.children) return 'rw_semaphore';
  if (own && names.has('wait_lock') && names.has('wait_list')) return count && !count.children ? 'rw_semaphore' : 'mutex';
  if (count && !count.children && names.has('wait_list') && names.has('wait_lock')) return 'rw_semaphore';
  if (names.has('rlock') || names.has('raw_lock') || (names.has('val') && (names.has('locked') || names.has('tail')))) return 'spinlock';
  return null;
}

function lineRange(node: GdbNode): number[] {
  const out: number[] = [];
  for (let n = node.line; n <= node.endLine && out.length < MAX_LOCK_LINES; n++) out.push(n);
  return out;
}

/** A sleeping lock's `wait_list`: its entries are `mutex_waiter`s / `rwsem_waiter`s on the stacks of the waiting tasks. */
function waitListOf(node: GdbNode): CrashLockValue['waitList'] {
  const list = member(node, 'wait_list');
  if (!list) return null;
  const ptr = (n: GdbNode | null): string | null => {
    const v = leafNumber(n);
    const w = v === null ? null : wordValue(v);
    return w === null || w === 0n ? null : hex(w);
  };
  const next = ptr(member(list, 'next'));
  const prev = ptr(member(list, 'prev'));
  return next === null && prev === null ? null : { next, prev };
}

/** Reads one lock of the given kind from a node; null when its words are not there. */
function readLock(kind: LockKind, node: GdbNode, type: string | null, expression: string | null, path: string): CrashLockValue | null {
  const base = { kind, type, expression, path, qspinlock: null, ticket: null, owner: null, count: null, waitList: waitListOf(node), lines: lineRange(node) };
  if (kind === 'spinlock') {
    const w = spinWord(node);
    const v = w ? wordValue(w.raw) : null;
    return w ? { ...base, ...w, value: v === null ? w.raw : hex(v) } : null;
  }
  const ownerNode = member(node, 'owner');
  const countNode = member(node, 'count');
  if (kind === 'mutex') {
    // v4.10+: owner is an atomic_long_t with flags in its low bits; before, a plain task pointer beside `count`.
    const atomic = ownerNode?.children != null;
    const raw = atomic ? counter(ownerNode) : counter(countNode) ?? leafNumber(ownerNode);
    if (raw === null) return null;
    const o = owner(atomic ? raw : leafNumber(ownerNode), atomic ? MUTEX_OWNER_FLAGS : []);
    return { ...base, raw, value: hex(wordValue(raw) ?? 0n), owner: o };
  }
  const raw = counter(countNode);
  if (raw === null) return null;
  const v = wordValue(raw) ?? 0n;
  // The count bits below are the v5.3+ layout, the one whose owner is an atomic_long_t.
  const modern = ownerNode?.children != null;
  const count = modern
    ? {
        raw, value: hex(v),
        writerLocked: (v & RWSEM_COUNT.writerLocked) !== 0n,
        waiters: (v & RWSEM_COUNT.waiters) !== 0n,
        handoff: (v & RWSEM_COUNT.handoff) !== 0n,
        readers: Number((v >> RWSEM_COUNT.readerShift) & ((1n << RWSEM_COUNT.readerBits) - 1n)),
      }
    : null;
  return { ...base, raw, value: hex(v), count, owner: owner(counter(ownerNode), modern ? RWSEM_OWNER_FLAGS : []) };
}

/** Finds the locks of a printed value: the value itself, or else the lock members inside it. */
export function locksOf(value: GdbValue, promptType: string | null, promptAddress: string | null = null): CrashLockValue[] {
  const out: CrashLockValue[] = [];
  const type = value.type ?? promptType;
  // `struct mutex ADDR` prints the value with no name: the address it was asked for names it.
  const expression = value.expression ?? promptAddress;
  const visit = (node: GdbNode, path: string, nodeType: string | null, depth: number): void => {
    if (out.length >= 256 || depth > 16) return;
    const kind = kindOf(node, nodeType);
    if (kind) {
      const lock = readLock(kind, node, nodeType, expression, path);
      if (lock) {
        out.push(lock);
        return;
      }
    }
    for (const c of members(node)) if (c.children && c.name) visit(c, path ? `${path}.${c.name}` : c.name, null, depth + 1);
  };
  visit(value.root, '', type, 0);
  return out;
}

/** Reads `struct` / `p` answers and keeps the lock values found in them. */
export class LockReader implements CrashReader {
  readonly locks: CrashLockValue[] = [];
  private value: GdbValueBuilder | null = null;
  private promptType: string | null = null;
  private promptAddress: string | null = null;

  take(line: string, no: number, prompt: CrashPrompt): boolean {
    if (this.value) {
      if (!this.value.push(line, no)) {
        this.value = null;
        return false;
      }
      if (this.value.done) this.finish(this.value);
      return true;
    }
    const b = GdbValueBuilder.open(line, no);
    if (!b) return false;
    this.value = b;
    this.promptType = promptTypeOf(prompt);
    this.promptAddress = promptAddressOf(prompt);
    return true;
  }

  private finish(b: GdbValueBuilder): void {
    this.value = null;
    if (b.overflow) return;
    for (const lock of locksOf(b.value, this.promptType, this.promptAddress)) if (this.locks.length < MAX_ENTRIES) this.locks.push(lock);
  }

  close(): void {
    this.value = null;
  }
}

/** `struct mutex ffff...`, `struct -x rw_semaphore addr`, or a type used as the command (`mutex ffff...`). */
function promptTypeOf(prompt: CrashPrompt): string | null {
  if (prompt.verb === null) return null;
  if (LOCK_TYPES[prompt.verb]) return prompt.verb;
  if (VALUE_COMMANDS[prompt.verb] !== 'type') return null;
  const word = prompt.args.split(/ {1,16}/).find((w) => w !== '' && !w.startsWith('-'));
  return word ? word.replace(/\..{0,128}$/, '') : null;
}

/** The address a `struct TYPE [-x] ADDR` (or `TYPE ADDR`) command printed, as typed; null for `p EXPR`. */
function promptAddressOf(prompt: CrashPrompt): string | null {
  if (prompt.verb === null || !(LOCK_TYPES[prompt.verb] || VALUE_COMMANDS[prompt.verb] === 'type')) return null;
  const words = prompt.args.split(/ {1,16}/).filter((w) => w !== '' && !w.startsWith('-'));
  return words.find((w) => /^(?:0x)?[0-9a-f]{8,16}$/i.test(w)) ?? null;
}
