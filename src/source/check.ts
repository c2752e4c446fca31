// `ktriage check`: kernel C files read, made parseable, parsed, each function walked with the locks
// it holds, the file's helpers summarised for their callers, and every check run on every walk.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { attributeMacros, type Prepared } from './prepare';
import { MAX_FILE_BYTES, readSources } from './read';
import { cParse, functionDefinitions, functionName, type Node } from './parse';
import { ANNOTATED_RELEASE, FlowWalker, heldKey, matchSite, parameterNames, siteOf, type FunctionFlow, type Held, type Site, type Summary } from './flow';
import { LOCK_HELPER_HINT, LOCK_OP_BY_NAME } from '../knowledge/lock-ops';
import { CHECKS, PROGRAM_CHECKS, type CheckDraft, type FunctionContext } from './checks';
import type { CheckMeta, Program, ProgramFunction } from './checks/types';
import { HRTIMER_FIELD, IRQ_OFF_REGISTRARS } from '../knowledge/irq-contexts';
import type { L10n, RootCauseClass } from '../rules/types';

/** Rounds of helper summaries: a helper's helpers are known from the second. */
const SUMMARY_ROUNDS = 3;
/** Files read at most from the paths given. */
const MAX_FILES = 200_000;

export interface CheckFinding {
  rule: string;
  class: RootCauseClass;
  file: string;
  line: number;
  column: number;
  endColumn: number;
  function: string;
  message: L10n;
  help: L10n;
  trace: Array<{ file: string; line: number; column: number; note: L10n }>;
  /** The source lines the finding quotes, by `file:line`. */
  source: Record<string, string>;
}

export interface CheckResult {
  files: number;
  functions: number;
  /** Functions with a parse error somewhere: skipped, never reported on. */
  skipped: Array<{ file: string; line: number; function: string }>;
  findings: CheckFinding[];
  /** Paths that could not be read, with why. */
  unreadable: Array<{ path: string; error: string }>;
  notes: string[];
  /** Where each function of the files is defined (the first definition of a name), for tying a crash's culprit to its source. */
  definitions: Array<{ name: string; file: string; line: number }>;
}

/** The C files under the paths, in a stable order; the paths that cannot be read, with why. */
export function sourceFiles(paths: readonly string[]): { files: string[]; unreadable: CheckResult['unreadable'] } {
  const files: string[] = [];
  const unreadable: CheckResult['unreadable'] = [];
  const visit = (p: string, given: boolean): void => {
    if (files.length >= MAX_FILES) return;
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      if (given) unreadable.push({ path: p, error: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message });
      return;
    }
    if (st.isDirectory()) {
      let names: string[];
      try {
        names = readdirSync(p).sort();
      } catch (e) {
        unreadable.push({ path: p, error: (e as Error).message });
        return;
      }
      for (const n of names) if (!n.startsWith('.')) visit(join(p, n), false);
    } else if (st.isFile() && (given || /\.[ch]$/.test(p))) files.push(p);
  };
  for (const p of paths) visit(p, true);
  return { files, unreadable };
}

interface ParsedFile {
  path: string;
  text: string;
  prepared: Prepared;
  functions: Array<{ node: Node; name: string }>;
}

/**
 * The names a file uses as values, not calls: after `=`, `,`, `(`, `&`, `?`, `:` or `return`, before `,`, `;`,
 * `)`, `}` or `]` (`.read = foo_read,`, `request_irq(irq, foo_isr, 0, ...)`, `INIT_WORK(&w, foo_work)`).
 */
function valueNames(text: string, into: Set<string>): void {
  // Comments, and EXPORT_SYMBOL(foo): an exported function is called directly, by other modules.
  const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|\bEXPORT_SYMBOL\w{0,16}\s*\(\s*\w+\s*\)/g, ' ');
  for (const m of code.matchAll(/(?:[=,(&?:]|\breturn)\s*&?\s*([A-Za-z_]\w{0,127})\s*(?=[,;)}\]])/g)) into.add(m[1]);
}

/** Whether a definition is `static` (its storage class, before the return type). */
function isStatic(fn: Node): boolean {
  for (const c of fn.namedChildren) {
    if (!c || c.type === 'function_declarator' || c.type === 'compound_statement') break;
    if (c.type === 'storage_class_specifier' && c.text === 'static') return true;
  }
  return false;
}

/** Each function's lock annotations, from its definition or a prototype of it. */
function annotationsOf(file: ParsedFile, root: Node): Map<string, FunctionContext['annotations']> {
  const out = new Map<string, FunctionContext['annotations']>();
  if (file.prepared.annotations.length === 0) return out;
  const heads: Array<{ name: string; from: number; to: number }> = [];
  const visit = (n: Node): void => {
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === 'function_definition') {
        const name = functionName(c);
        const body = c.childForFieldName('body');
        if (name) heads.push({ name, from: c.startIndex, to: body ? body.startIndex : c.endIndex });
      } else if (c.type === 'declaration') {
        const text = c.text;
        const m = /([A-Za-z_]\w*)\s*\(/.exec(text);
        if (m) heads.push({ name: m[1], from: c.startIndex, to: c.endIndex });
      }
    }
  };
  visit(root);
  for (const a of file.prepared.annotations) {
    const h = heads.find((x) => a.at >= x.from && a.at <= x.to);
    if (!h) continue;
    const e = out.get(h.name) ?? { acquires: [], releases: [], mustHold: [] };
    (a.kind === 'acquires' ? e.acquires : a.kind === 'releases' ? e.releases : e.mustHold).push(a.lock);
    out.set(h.name, e);
  }
  return out;
}


/** Whether every return of the function returns the trylock that took `h` (`return spin_trylock(&l)`): its sense then. */
function returnsTry(flow: FunctionFlow, h: Held): 'nonzero' | 'zero' | null {
  const op = LOCK_OP_BY_NAME.get(h.via);
  if (!op || op.success === null) return null;
  const call = `${h.via}(`;
  if (flow.exits.every((e) => e.value !== null && e.value.replace(/^!+/, '').startsWith(call))) return op.success;
  // A wrapper named as a trylock (`locked = down_trylock(&bp->b_sema) == 0; ... return locked;`) returns
  // non-zero when it took the lock, as spin_trylock() and mutex_trylock() do.
  if (/try_?lock|_try$/i.test(flow.name) && flow.exits.some((e) => e.value !== null)) return 'nonzero';
  // A helper that takes it when it can and returns an errno when not (`... ? 0 : -EAGAIN`): 0 is success.
  if (flow.exits.some((e) => e.value !== null && /-E[A-Z0-9]{2,}\b/.test(e.value))) return 'zero';
  // `if (!down_write_trylock(&l)) return 0; ... return 1;`: 1 when it holds the lock, 0 when not.
  const k = heldKey(h);
  const holds = (e: FunctionFlow['exits'][number]): boolean => e.held.some((x) => heldKey(x) === k);
  const yes = flow.exits.filter(holds).map((e) => e.value);
  const no = flow.exits.filter((e) => !holds(e)).map((e) => e.value);
  if (h.lock !== null && yes.length > 0 && no.length > 0 && yes.every((v) => v === '1' || v === 'true') && no.every((v) => v === '0' || v === 'false' || v === 'NULL')) return 'nonzero';
  return null;
}

/** What a helper does to its caller's locks, from its own walk. */
function summarise(flow: FunctionFlow, ann: FunctionContext['annotations'] | undefined, file: string): Summary | null {
  const key = heldKey;
  const acquires: Summary['acquires'] = [];
  const named = LOCK_HELPER_HINT.test(flow.name) || (ann !== undefined && ann.acquires.length > 0);
  const taken = new Set<string>();
  for (const e of flow.exits) {
    for (const h of e.held) {
      if (h.scope !== null || h.retaken || taken.has(key(h))) continue;
      taken.add(key(h));
      // Held on every return by a lock helper, or held as its return value says (a trylock of its own).
      const success = returnsTry(flow, h);
      const always = flow.exits.every((x) => x.held.some((y) => key(y) === key(h)));
      if ((always && named) || success !== null) acquires.push({ family: h.family, mode: h.mode, variant: h.variant, raw: h.raw, lock: h.lock, via: h.via, site: h.site, success });
    }
  }
  const releases: Summary['releases'] = [];
  const seen = new Set<string>();
  // The caller's locks that some path returns without (dropped and taken again, `spin_unlock(&l); call();
  // spin_lock(&l);`, is no release of the caller's).
  const released = new Set(flow.exits.flatMap((e) => e.released));
  for (const r of flow.releases) {
    if (!released.has(key(r))) continue;
    // Its own releases of its caller's locks, and those of the helpers it calls (xfs_buf_relse() -> xfs_buf_unlock()).
    if (r.matched || seen.has(key(r))) continue;
    seen.add(key(r));
    releases.push({ family: r.family, mode: r.mode, variant: r.variant, raw: r.raw, lock: r.lock, name: r.name, site: r.call });
  }
  // `__releases(ailp->ail_lock)`: the helper says it releases its caller's lock, whatever its body shows of it.
  const norm = (l: string): string => l.replace(/\s+/g, '').replace(/^&/, '');
  for (const said of ann?.releases ?? []) {
    const lock = norm(said);
    // __releases() and __acquires() of one lock: dropped and taken again inside, as the caller had it.
    if ((ann?.acquires ?? []).some((a) => norm(a) === lock)) continue;
    if (!releases.some((r) => r.lock === lock)) releases.push({ family: 'spinlock', mode: null, variant: 'plain', raw: false, lock, name: ANNOTATED_RELEASE, site: siteOf(flow.node) });
  }
  return acquires.length > 0 || releases.length > 0 ? { acquires, releases, file, params: parameterNames(flow.node) } : null;
}

function draftToFinding(check: { meta: CheckMeta }, d: CheckDraft, file: ParsedFile, fn: string, textOf: (path: string) => string): CheckFinding {
  const source: Record<string, string> = {};
  for (const at of [{ line: d.site.line, file: file.path }, ...d.trace.map((t) => ({ line: t.site.line, file: t.file ?? file.path }))]) {
    const text = textOf(at.file).split('\n')[at.line - 1];
    if (text !== undefined) source[`${at.file}:${at.line}`] = text;
  }
  return {
    rule: check.meta.id,
    class: check.meta.rootCauseClass,
    file: file.path,
    line: d.site.line,
    column: d.site.column,
    endColumn: d.site.endColumn,
    function: fn,
    message: d.message,
    help: d.help,
    trace: d.trace.map((t) => ({ file: t.file ?? file.path, line: t.site.line, column: t.site.column, note: t.note })),
    source,
  };
}

/** The functions' walks, and the callbacks the files register to run with interrupts off. */
function programOf(trees: ReadonlyArray<{ file: ParsedFile; root: Node }>, functions: readonly ProgramFunction[], kernel: string | null): Program {
  const files = trees.map((t) => t.file);
  const flows = new Map<string, { flow: FunctionFlow; file: string }>();
  const byName = new Map<string, ProgramFunction[]>();
  for (const f of functions) {
    if (!flows.has(f.name)) flows.set(f.name, { flow: f.flow, file: f.file });
    const all = byName.get(f.name) ?? [];
    all.push(f);
    byName.set(f.name, all);
  }
  const resolve = (name: string, file: string): ProgramFunction | null => {
    const all = byName.get(name);
    if (!all) return null;
    const own = all.find((f) => f.file === file);
    if (own) return own;
    const shared = all.filter((f) => !f.isStatic);
    return shared.length === 1 ? shared[0] : null;
  };
  const irqOffCallbacks = new Map<ProgramFunction, { what: string; site: Site; file: string }>();
  for (const { flow, file } of functions) {
    for (const c of flow.calls) {
      const reg = IRQ_OFF_REGISTRARS.find((r) => r.call === c.name);
      const cb = reg ? c.args[reg.arg]?.replace(/^&\s*/, '').trim() : undefined;
      const fn = reg && cb && /^[A-Za-z_]\w*$/.test(cb) ? resolve(cb, file) : null;
      if (reg && fn && !irqOffCallbacks.has(fn)) irqOffCallbacks.set(fn, { what: reg.what, site: c.site, file });
    }
  }
  // hrtimer callbacks set through the field after hrtimer_init() of the same timer.
  for (const f of files) {
    if (!f.text.includes('hrtimer_init')) continue;
    for (const m of f.prepared.text.matchAll(HRTIMER_FIELD)) {
      const fn = resolve(m[2], f.path);
      if (!fn || irqOffCallbacks.has(fn)) continue;
      // HRTIMER_MODE_*_SOFT timers expire in softirq context, with interrupts on.
      const init = new RegExp(`hrtimer_init\\(\\s*&?[\\w.>-]*\\b${m[1]}\\s*,([^;]{0,200})\\)\\s*;`).exec(f.prepared.text);
      if (!init || init[1].includes('SOFT')) continue;
      irqOffCallbacks.set(fn, { what: 'an hrtimer callback (hard IRQ context)', site: matchSite(f.prepared.text, m), file: f.path });
    }
  }
  return { flows, functions, resolve, irqOffCallbacks, files: trees.map((t) => ({ path: t.file.path, text: t.file.text, prepared: t.file.prepared.text, root: t.root })), kernel };
}

/** One function's lock-state walk, with the helpers known so far (a function is not its own helper). */
function walk(node: Node, name: string, helpers: ReadonlyMap<string, Summary>, file: ParsedFile): { flow: FunctionFlow; consulted: Set<string> } {
  const w = new FlowWalker(helpers, file.prepared.scopedGuards, name);
  w.run(node);
  return { flow: { name, node, releases: w.releases, exits: w.exits, calls: w.calls, truncated: w.truncated, flagReuses: w.flagReuses }, consulted: w.consulted };
}

/** A function's walk and the helpers' summaries (by key) it was made with. */
interface Walked {
  flow: FunctionFlow;
  deps: Map<string, string>;
}

/** Walks a function again only when a helper it looked up now says something else. */
function walkUnlessKnown(prev: Walked | undefined, node: Node, name: string, helpers: ReadonlyMap<string, Summary>, keys: ReadonlyMap<string, string>, file: ParsedFile): Walked {
  if (prev && [...prev.deps].every(([n, k]) => (keys.get(n) ?? '') === k)) return prev;
  const { flow, consulted } = walk(node, name, helpers, file);
  return { flow, deps: new Map([...consulted].map((n) => [n, keys.get(n) ?? ''])) };
}

export interface CheckOptions {
  /** Hears of each file when the run is long. */
  progress?: (done: number, total: number, file: string) => void;
  /** The kernel release the source is for (the stack size depends on it). */
  kernel?: string | null;
}

/** Runs every check on the C files under the paths. */
export async function checkSources(paths: readonly string[], options: CheckOptions = {}): Promise<CheckResult> {
  const { progress } = options;
  const { files, unreadable } = sourceFiles(paths);
  const parse = await cParse();
  const notes: string[] = [];
  const parsed: ParsedFile[] = [];
  const skipped: CheckResult['skipped'] = [];
  let functions = 0;
  const trees: Array<{ file: ParsedFile; root: Node }> = [];
  // The headers' (and files') macros that stand for attributes, learnt first so that every file is read with them.
  const macros = new Set<string>();
  for (const path of files) {
    try {
      if (statSync(path).size > MAX_FILE_BYTES) continue;
      const text = readFileSync(path, 'latin1');
      if (text.includes('#')) for (const m of attributeMacros(text)) macros.add(m);
    } catch {
      // read again below, where it is reported
    }
  }
  const sizes = files.map((f) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  });
  await readSources(files, sizes, macros, parse, (o, i) => {
    progress?.(i, files.length, o.path);
    if (o.kind === 'unreadable') {
      unreadable.push({ path: o.path, error: o.error });
      return;
    }
    if (o.kind === 'note') {
      notes.push(o.note);
      return;
    }
    const { path, text, prepared } = o;
    const tree = parse.tree(prepared.text, o.flat);
    if (!tree) return;
    const file: ParsedFile = { path, text, prepared, functions: [] };
    for (const fn of functionDefinitions(tree.rootNode)) {
      const name = functionName(fn);
      if (!name) continue;
      functions++;
      if (fn.hasError) {
        skipped.push({ file: path, line: fn.startPosition.row + 1, function: name });
        continue;
      }
      file.functions.push({ node: fn, name });
    }
    parsed.push(file);
    trees.push({ file, root: tree.rootNode });
  });
  // First the file's helpers: what each does to its caller's locks, from a walk that knows no helper.
  const annotations = new Map<ParsedFile, Map<string, FunctionContext['annotations']>>();
  const summaries = new Map<string, Summary>();
  for (const { file, root } of trees) annotations.set(file, annotationsOf(file, root));
  // Three rounds: a helper that calls a helper (xfs_buf_relse() -> xfs_buf_unlock() -> up()) is known the second time.
  // A function is walked again only when a helper it calls changed.
  const walked = new Map<Node, Walked>();
  const keys = new Map<string, string>();
  for (let round = 0; round < SUMMARY_ROUNDS; round++) {
    const known = new Map(summaries);
    const knownKeys = new Map(keys);
    for (const { file } of trees) {
      const ann = annotations.get(file) ?? new Map();
      for (const { node, name } of file.functions) {
        const w = walkUnlessKnown(walked.get(node), node, name, known, knownKeys, file);
        walked.set(node, w);
        const s = summarise(w.flow, ann.get(name), file.path);
        if (s) {
          summaries.set(name, s);
          keys.set(name, JSON.stringify(s));
        } else {
          summaries.delete(name);
          keys.delete(name);
        }
      }
    }
  }
  const findings: CheckFinding[] = [];
  const seen = new Set<string>();
  const textByPath = new Map(parsed.map((f) => [f.path, f.text]));
  const values = new Set<string>();
  for (const f of parsed) valueNames(f.prepared.text, values);
  // Who calls whom, from the last walks of the summary rounds.
  const callers = new Map<string, Map<string, FunctionFlow>>();
  for (const { file } of trees) {
    for (const { node, name } of file.functions) {
      const flow = walked.get(node)?.flow;
      for (const c of flow?.calls ?? []) {
        const of = callers.get(c.name) ?? new Map<string, FunctionFlow>();
        if (flow) of.set(name, flow);
        callers.set(c.name, of);
      }
    }
  }
  const finals: ProgramFunction[] = [];
  for (const { file } of trees) {
    const ann = annotations.get(file) ?? new Map();
    for (const { node, name } of file.functions) {
      const { flow } = walkUnlessKnown(walked.get(node), node, name, summaries, keys, file);
      walked.delete(node);
      finals.push({ name, flow, file: file.path, isStatic: isStatic(node) });
      const ctx: FunctionContext = { flow, annotations: ann.get(name) ?? { acquires: [], releases: [], mustHold: [] }, helpers: summaries, file: file.path, callback: values.has(name), callers: [...(callers.get(name) ?? new Map<string, FunctionFlow>())].map(([n, f]) => ({ name: n, flow: f })), isStatic: isStatic(node) };
      for (const c of CHECKS) {
        for (const d of c.check(ctx)) {
          const k = `${c.meta.id}:${file.path}:${d.site.line}:${d.site.column}:${d.message.en}`;
          if (seen.has(k)) continue;
          seen.add(k);
          findings.push(draftToFinding(c, d, file, name, (p) => textByPath.get(p) ?? ''));
        }
      }
    }
  }
  // The whole program: interrupts turned on again under a caller that keeps them off.
  const program = programOf(trees, finals, options.kernel ?? null);
  for (const c of PROGRAM_CHECKS) {
    for (const d of c.check(program)) {
      // Several objects an exit fails to undo are reported at one place: one finding each.
      const k = `${c.meta.id}:${d.file}:${d.site.line}:${d.site.column}:${d.message.en}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const file = parsed.find((f) => f.path === d.file);
      if (!file) continue;
      findings.push(draftToFinding({ meta: c.meta }, { site: d.site, message: d.message, help: d.help, trace: d.trace.map((t) => ({ site: t.site, note: t.note, file: t.file })) }, file, d.function, (p) => textByPath.get(p) ?? ''));
    }
  }
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
  if (functions > 0) notes.push(`${functions} functions, ${skipped.length} (${((100 * skipped.length) / functions).toFixed(1)}%) not analysed: they did not parse`);
  const defined = finals.map((f) => ({ name: f.name, file: f.file, line: f.flow.node.startPosition.row + 1 }));
  return { files: parsed.length, functions, skipped, findings, unreadable, notes, definitions: defined };
}
