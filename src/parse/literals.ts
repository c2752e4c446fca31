// Patterns made of literal strings, and what a function's name says of the code it belongs to.

import type { Frame } from '../model/types';

/** One alternation of literal strings (escaped): V8 scans it far faster than a loop of `includes`. */
export function literalPattern(literals: Iterable<string>, flags = ''): RegExp {
  return new RegExp([...new Set(literals)].map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), flags);
}

/** The subsystem prefix of a function name (`bfq_`, `blk_`, `mydrv_`), or null. */
export function ownerPrefix(fn: string | null): string | null {
  return fn ? /^([a-z0-9]{2,24}_)/.exec(fn)?.[1] ?? null : null;
}

/**
 * The module of a function crash printed without one (`[exception RIP: foo_complete+9]`): that of the
 * frame that called it, when the caller is module code of the same prefix (`foo_init [foo]`) or the
 * function is named after that module; else null.
 */
export function moduleFromCaller(fn: string, caller: Frame | undefined): string | null {
  if (!caller?.module || !caller.function) return null;
  const p = ownerPrefix(fn);
  return (p !== null && p === ownerPrefix(caller.function)) || fn.startsWith(`${caller.module}_`) ? caller.module : null;
}
