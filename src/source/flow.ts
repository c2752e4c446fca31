// The lock-state walk: every path through a function, with what is held on it. Branches split the
// paths (a condition seen before is taken the same way again, so correlated conditional locking
// stays balanced), gotos carry their paths to the label, loops run zero times or once, and each
// release and each return is recorded with the locks held there.

import type { Node } from './parse';
import { ATOMIC_FAMILIES, GUARDS, LOCK_OP_BY_NAME, NORETURN_CALLS, PURE_PREDICATES, UNLOCK_HELPER_NAME, type LockFamily, type LockOp, type LockVariant } from '../knowledge/lock-ops';

/** A place in the source, 1-based, with the text it spans (its first line). */
export interface Site {
  line: number;
  column: number;
  endColumn: number;
  text: string;
}

/** What a path holds: taken by a call of the function or of a helper that takes it. */
export interface Held {
  family: LockFamily;
  mode: 'read' | 'write' | null;
  variant: LockVariant;
  raw: boolean;
  /** The lock as written, without `&` and spaces; null for a per-CPU state (BH, IRQ, preemption, RCU). */
  lock: string | null;
  /** The call that took it. */
  via: string;
  site: Site;
  /** A helper of the files took it for the caller: the helper's name, and where (and in which file) it took it. */
  helper: { name: string; site: Site; file: string } | null;
  /** guard()/scoped_guard(): released when this scope (a node id) ends. */
  scope: number | null;
  /**
   * Let go of with the plain release inside a region that keeps interrupts (or BH) off: the lock is
   * dropped for a while and taken again with the plain acquire (`spin_unlock(&l); giveback(); spin_lock(&l);`
   * inside spin_lock_irqsave), which is right. Only a path that ends with it dropped released it wrongly.
   */
  dropped?: ReleaseEvent;
  /** The caller's lock, released on this path and taken again: held as the caller had it. */
  retaken?: boolean;
  /** `_irqsave`/`local_irq_save()`: the variable the interrupt state was saved in, as written. */
  flags?: string;
}

/** An interrupt state saved into the variable that still holds an outer save's state (`spin_lock_irqsave(&a, flags); spin_lock_irqsave(&b, flags);`). */
export interface FlagsReuse {
  outer: Held;
  inner: Held;
}

export interface ReleaseEvent {
  call: Site;
  name: string;
  family: LockFamily;
  mode: 'read' | 'write' | null;
  variant: LockVariant;
  raw: boolean;
  lock: string | null;
  /** What the release let go of on this path; null when the path held nothing of the kind (the caller's lock). */
  matched: Held | null;
  /** Another lock held here that keeps interrupts off (spin_lock_irq(A); spin_lock_irq(B); spin_unlock_irq(B)). */
  outerIrqOff?: Held;
  helper: { name: string; site: Site; file: string } | null;
}

export interface ExitEvent {
  at: Site;
  held: Held[];
  /** What the return returns, with what the path assumed of it (`ret_val=0`, `0`, `-EBUSY`); null at the closing brace. */
  value: string | null;
  /** The caller's locks this path released and did not take again, by key. */
  released: string[];
}

/** A helper's effect on its caller's locks: what it returns holding, what it releases of the caller's. */
export interface Summary {
  /** `success`: the helper returns a trylock's result, so it holds the lock only when that says so. */
  acquires: Array<Omit<Held, 'site' | 'helper' | 'scope'> & { site: Site; success: 'nonzero' | 'zero' | null }>;
  releases: Array<{ family: LockFamily; mode: 'read' | 'write' | null; variant: LockVariant; raw: boolean; lock: string | null; name: string; site: Site }>;
  /** The file the helper is in. */
  file: string;
  /** Its parameters' names: the locks above are in their words. */
  params: string[];
}

/** A call of another function, with the interrupt-disabling lock (or state) held there, when one is. */
export interface CallEvent {
  name: string;
  site: Site;
  /** Argument texts as written (to find the handlers a call registers). */
  args: string[];
  /** What keeps interrupts off at the call on some path: an _irq/_irqsave lock or local_irq_disable(). */
  irqOff: Held | null;
  /** On every path to it the function had let go of a lock it did not take (its caller's): the caller's region is open. */
  afterDrop: boolean;
  /**
   * What makes the call atomic on some path: the innermost spinlock or rwlock held, or BH, interrupts or
   * preemption disabled, or an RCU read-side section (a sleeping lock or SRCU is no such thing).
   */
  atomic: Held | null;
  /** A lock or disable primitive itself (mutex_lock(), spin_lock()...), not a function of the files or another call. */
  lockOp: boolean;
}

export interface FunctionFlow {
  name: string;
  node: Node;
  releases: ReleaseEvent[];
  exits: ExitEvent[];
  calls: CallEvent[];
  /** Paths were dropped (more than the walk keeps at one point): what is said may miss some. */
  truncated: boolean;
  /** Saves of the interrupt state into a variable an outer save still needs. */
  flagReuses?: FlagsReuse[];
}

interface Pending {
  op: LockOp;
  lock: string | null;
  site: Site;
}

interface State {
  held: Held[];
  /** Conditions taken on this path, by their text: the same test later goes the same way. */
  assume: Map<string, boolean>;
  /** `ret = mutex_lock_interruptible(&m)`: held or not, by the variable's test that follows. */
  pending: Map<string, Pending>;
  /** Locks of the caller released on this path (held when the function was called), by key. */
  gone: Set<string>;
}

interface Flow {
  next: State[];
  breaks: State[];
  continues: State[];
}

/** The name a release from a `__releases()` annotation goes by: it lets go of the lock of that name, whatever its kind. */
export const ANNOTATED_RELEASE = '__releases';

/** Calls recorded in one function at most. */
const MAX_CALLS = 4096;
/** Paths kept at one point of a function. */
const MAX_STATES = 64;
/** Conditions remembered on a path. */
const MAX_ASSUME = 24;

export function siteOf(n: Node): Site {
  const text = n.text.split('\n')[0];
  return { line: n.startPosition.row + 1, column: n.startPosition.column + 1, endColumn: n.startPosition.row === n.endPosition.row ? n.endPosition.column + 1 : n.startPosition.column + 1 + text.length, text };
}

/** The place of a match in a file's text (a registration found by its words, not in the tree). */
export function matchSite(text: string, m: RegExpMatchArray): Site {
  const at = m.index ?? 0;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
  const column = at - text.lastIndexOf('\n', at - 1);
  const first = m[0].split('\n')[0];
  return { line, column, endColumn: column + first.length, text: first };
}

/** The lock argument as written, for matching a release with its acquire. */
export function lockText(n: Node | null | undefined): string | null {
  if (!n) return null;
  let t = n.text.replace(/\s+/g, '');
  // `&(us->dev_mutex)` is `&us->dev_mutex`.
  for (let i = 0; i < 4; i++) {
    while (t.startsWith('(') && t.endsWith(')')) t = t.slice(1, -1);
    if (t.startsWith('&')) t = t.slice(1);
    else break;
  }
  return t;
}

/** What identifies a lock held, whoever took it and where: its family, mode and name. */
export function heldKey(h: Pick<Held, 'family' | 'mode' | 'lock'>): string {
  return `${h.family}:${h.mode ?? ''}:${h.lock ?? ''}`;
}

/** Each state's key, made once: a state is never changed after it was first passed on (changes go to a copy). */
const KEYS = new WeakMap<State, string>();

function stateKey(s: State): string {
  let k = KEYS.get(s);
  if (k === undefined) {
    k = makeStateKey(s);
    KEYS.set(s, k);
  }
  return k;
}

/** Condition texts as small numbers, for short state keys (the same text, the same number, for the whole run). */
const CONDITION_IDS = new Map<string, number>();

function conditionId(text: string): number {
  let id = CONDITION_IDS.get(text);
  if (id === undefined) {
    id = CONDITION_IDS.size;
    CONDITION_IDS.set(text, id);
  }
  return id;
}

function makeStateKey(s: State): string {
  const held = s.held.map((h) => `${heldKey(h)}@${h.site.line}:${h.site.column}:${h.scope ?? ''}${h.dropped ? `~${h.dropped.call.line}` : ''}`).join(',');
  const ids: number[] = [];
  for (const [k, v] of s.assume) ids.push(conditionId(k) * 2 + (v ? 1 : 0));
  const assume = ids.sort((a, b) => a - b).join(',');
  return `${held}|${assume}|${[...s.pending.keys()].sort().join(',')}|${[...s.gone].sort().join(',')}`;
}

function copy(s: State): State {
  return { held: [...s.held], assume: new Map(s.assume), pending: new Map(s.pending), gone: new Set(s.gone) };
}

function calleeName(call: Node): string | null {
  const f = call.childForFieldName('function');
  return f && f.type === 'identifier' ? f.text : null;
}

function argsOf(call: Node): Node[] {
  const a = call.childForFieldName('arguments');
  return a ? a.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment') : [];
}

/** A condition as a key: its text without spaces and outer parentheses, and whether it was negated. */
function conditionKey(n: Node): { key: string; negated: boolean; inner: Node } {
  let node = n;
  let negated = false;
  for (;;) {
    if (node.type === 'parenthesized_expression' && node.namedChildCount === 1) node = node.namedChild(0) as Node;
    // likely()/unlikely() are the value they are given: `if (likely(mutex_trylock(&m)))` tries the lock.
    else if (node.type === 'call_expression' && /^(?:un)?likely$/.test(calleeName(node) ?? '') && argsOf(node).length === 1) node = argsOf(node)[0];
    else if (node.type === 'unary_expression' && node.child(0)?.type === '!') {
      negated = !negated;
      node = node.childForFieldName('argument') as Node;
    } else break;
  }
  return { key: node.text.replace(/\s+/g, ''), negated, inner: node };
}

/** A condition simple enough to be the same test when written the same way (no call, no assignment). */
function isPlainCondition(n: Node): boolean {
  if (n.text.length > 200) return false;
  let plain = true;
  const visit = (x: Node): void => {
    if (!plain) return;
    if (x.type === 'call_expression' && PURE_PREDICATES.has(calleeName(x) ?? '')) {
      // Its arguments still count: `test_bit(n, &x)` is plain, `test_bit(f(), &x)` is not.
    } else if (x.type === 'call_expression' || x.type === 'assignment_expression' || x.type === 'update_expression') plain = false;
    for (const c of x.namedChildren) if (c) visit(c);
  };
  visit(n);
  return plain;
}

/** The names of a function's parameters, in order. */
export function parameterNames(fn: Node): string[] {
  const out: string[] = [];
  const visit = (n: Node | null, depth: number): void => {
    if (!n || depth > 12) return;
    if (n.type === 'parameter_declaration') {
      const id = n.descendantsOfType('identifier').pop();
      out.push(id ? id.text : '');
      return;
    }
    for (const c of n.namedChildren) if (c && c.type !== 'compound_statement') visit(c, depth + 1);
  };
  visit(fn.childForFieldName('declarator'), 0);
  return out;
}

/**
 * The parameters that are flags or numbers (`bool can_sleep`, `int create`, `u16 typeReq`, `gfp_t gfp`), not
 * pointers or structures: a test of one is the caller telling the function which way to go.
 */
export function scalarParameters(fn: Node): string[] {
  const out: string[] = [];
  const list = fn.childForFieldName('declarator')?.descendantsOfType('parameter_list')[0];
  for (const p of list?.namedChildren ?? []) {
    if (!p || p.type !== 'parameter_declaration') continue;
    const d = p.childForFieldName('declarator');
    const type = p.childForFieldName('type');
    if (!d || d.type !== 'identifier' || !type || type.type === 'struct_specifier' || type.type === 'union_specifier') continue;
    out.push(d.text);
  }
  return out;
}

/**
 * A helper's lock in the caller's words: `p->lock` of the helper's parameter `p` is `q->lock` when
 * called with `q`, `s.lock` when called with `&s`; a lock that is the parameter itself (`spinlock_t *l`)
 * is what the caller passed. Other locks (globals) keep their text.
 */
export function lockInCaller(lock: string | null, params: readonly string[], args: readonly string[]): string | null {
  if (lock === null) return null;
  const m = /^([A-Za-z_]\w*)((?:->|\.).*)?$/.exec(lock);
  const i = m ? params.indexOf(m[1]) : -1;
  if (!m || i < 0 || args[i] === undefined) return lock;
  const arg = args[i].replace(/\s+/g, '');
  if (m[2] === undefined) return arg.startsWith('&') ? arg.slice(1) : `*${arg}`;
  if (m[2].startsWith('->')) return arg.startsWith('&') ? `${arg.slice(1)}.${m[2].slice(2)}` : `${arg}${m[2]}`;
  return lock;
}

/** What a local pointer set once stands for: another object's path, or the object it is the container of. */
type Alias = { kind: 'path'; path: string } | { kind: 'container'; of: string; member: string };

/** Converters from a member to its container: `container_of(p, T, m)`, `to_foo(p)`, `up_to_u8250p(p)`. */
const CONTAINER_OF = /^(?:container_of(?:_const)?|list_entry|hlist_entry|\w*to_\w+)$/;

/**
 * The function's local pointers given one value, never assigned again (`struct ipaq_micro *micro =
 * ts->micro;`, `struct uart_8250_port *up = up_to_u8250p(port);`): `micro->lock` is `ts->micro->lock`,
 * and `up->port.lock` is `port->lock` (the container's member named as the pointer it was found from).
 */
export function localAliases(body: Node): Map<string, Alias> {
  const out = new Map<string, Alias>();
  const assigned = new Map<string, number>();
  for (const a of body.descendantsOfType('assignment_expression')) {
    const left = a.childForFieldName('left');
    if (left?.type === 'identifier') assigned.set(left.text, (assigned.get(left.text) ?? 0) + 1);
  }
  for (const d of body.descendantsOfType('init_declarator')) {
    const decl = d.childForFieldName('declarator');
    const value = d.childForFieldName('value');
    if (!decl || !value || decl.type !== 'pointer_declarator') continue;
    const id = decl.childForFieldName('declarator');
    if (id?.type !== 'identifier' || assigned.has(id.text)) continue;
    if (out.has(id.text)) {
      // Two declarations of one name (in two blocks): neither is sure.
      out.delete(id.text);
      assigned.set(id.text, 1);
      continue;
    }
    const text = value.text.replace(/\s+/g, '');
    if (/^[A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*)+$/.test(text)) {
      out.set(id.text, { kind: 'path', path: text });
      continue;
    }
    if (value.type !== 'call_expression') continue;
    const fname = value.childForFieldName('function');
    const args = argsOf(value).map((a) => a.text.replace(/\s+/g, ''));
    if (fname?.type !== 'identifier' || !CONTAINER_OF.test(fname.text) || !/^[A-Za-z_]\w*$/.test(args[0] ?? '')) continue;
    const member = fname.text.startsWith('container_of') || fname.text.endsWith('_entry') ? args[2] : args[0];
    if (member && /^[A-Za-z_]\w*$/.test(member)) out.set(id.text, { kind: 'container', of: args[0], member });
  }
  return out;
}

/** A lock's text with its first pointer replaced by what it aliases, a few times over. */
export function unalias(lock: string | null, aliases: ReadonlyMap<string, Alias>): string | null {
  if (lock === null || aliases.size === 0) return lock;
  let t = lock;
  for (let i = 0; i < 3; i++) {
    const m = /^([A-Za-z_]\w*)(->.*)$/.exec(t);
    const a = m ? aliases.get(m[1]) : undefined;
    if (!m || !a) break;
    if (a.kind === 'path') t = `${a.path}${m[2]}`;
    else {
      const rest = m[2].slice(2);
      // `&up->port` is the pointer `port` itself.
      if (rest === a.member) return a.of;
      if (!rest.startsWith(`${a.member}.`)) break;
      t = `${a.of}->${rest.slice(a.member.length + 1)}`;
    }
  }
  return t;
}

/** Whether a condition's text names the variable (a whole word: `i` is not in `ice_xdp_locking_key`). */
function mentions(text: string, name: string): boolean {
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    const before = at > 0 ? text[at - 1] : '';
    const after = text[at + name.length] ?? '';
    if (!/\w/.test(before) && !/\w/.test(after)) return true;
  }
  return false;
}

export class FlowWalker {
  readonly releases: ReleaseEvent[] = [];
  readonly calls: CallEvent[] = [];
  readonly exits: ExitEvent[] = [];
  readonly flagReuses: FlagsReuse[] = [];
  truncated = false;
  /** The helpers whose summaries this walk looked up: a walk depends on nothing else of the program. */
  readonly consulted = new Set<string>();
  private labels = new Map<string, State[]>();
  /** The function's pointers set once from another object: a lock through one is the lock through the other. */
  private aliases = new Map<string, Alias>();

  constructor(
    private readonly summaries: ReadonlyMap<string, Summary>,
    private readonly scopedGuards: ReadonlyMap<number, string>,
    /** The function walked: a call of itself is not a helper's. */
    private readonly self: string | null = null,
  ) {}

  /** Two spellings of one lock: the same text, or the same once the function's aliases are resolved. */
  private sameLock(a: string | null, b: string | null): boolean {
    return a === b || (a !== null && b !== null && this.aliases.size > 0 && unalias(a, this.aliases) === unalias(b, this.aliases));
  }

  private helper(name: string | null): Summary | undefined {
    if (name === null || name === this.self) return undefined;
    this.consulted.add(name);
    return this.summaries.get(name);
  }

  run(fn: Node): void {
    const body = fn.childForFieldName('body');
    if (!body) return;
    this.aliases = localAliases(body);
    const end = this.statement(body, [{ held: [], assume: new Map(), pending: new Map(), gone: new Set() }], body.id);
    const close = body.lastChild ?? body;
    for (const s of end.next) this.exits.push({ at: siteOf(close), held: this.exitHeld(s.held), value: null, released: [...s.gone] });
  }

  private dedupe(states: State[]): State[] {
    if (states.length <= 1) return states;
    // The same path passed on twice (both sides of a test that decides nothing) needs no key.
    const distinct = new Set(states);
    if (distinct.size === 1) return [states[0]];
    const seen = new Map<string, State>();
    for (const s of distinct) {
      const k = stateKey(s);
      if (!seen.has(k)) seen.set(k, s);
    }
    const out = [...seen.values()];
    if (out.length > MAX_STATES) {
      this.truncated = true;
      return out.slice(0, MAX_STATES);
    }
    return out;
  }

  private statement(n: Node, states: State[], scope: number): Flow {
    const none: Flow = { next: [], breaks: [], continues: [] };
    if (states.length === 0 && n.type !== 'labeled_statement' && n.type !== 'compound_statement') return none;
    switch (n.type) {
      case 'compound_statement': {
        let cur = states;
        const breaks: State[] = [];
        const continues: State[] = [];
        for (const c of n.namedChildren) {
          if (!c || c.type === 'comment') continue;
          const f = this.statement(c, cur, n.id);
          cur = f.next;
          breaks.push(...f.breaks);
          continues.push(...f.continues);
        }
        // guard() of this block ends with it.
        const leave = (ss: State[]): State[] => ss.map((s) => (s.held.some((h) => h.scope === n.id) ? { ...copy(s), held: s.held.filter((h) => h.scope !== n.id) } : s));
        return { next: this.dedupe(leave(cur)), breaks: leave(breaks), continues: leave(continues) };
      }
      case 'labeled_statement': {
        const label = n.childForFieldName('label')?.text ?? '';
        const arriving = this.labels.get(label) ?? [];
        this.labels.delete(label);
        const inner = n.namedChildren.filter((c): c is Node => c !== null && c.type !== 'statement_identifier');
        const merged = this.dedupe([...states, ...arriving]);
        if (inner.length === 0) return { next: merged, breaks: [], continues: [] };
        return this.statement(inner[inner.length - 1], merged, scope);
      }
      case 'goto_statement': {
        const label = n.childForFieldName('label')?.text ?? '';
        this.labels.set(label, [...(this.labels.get(label) ?? []), ...states]);
        return none;
      }
      case 'return_statement': {
        const v = n.namedChildren.find((c): c is Node => c !== null && c.type !== 'comment');
        const after = v ? this.effects(v, states, scope) : states;
        const text = v ? v.text.replace(/\s+/g, '') : null;
        for (const s of after) {
          const known = text !== null ? s.assume.get(text) : undefined;
          this.exits.push({ at: siteOf(n), held: this.exitHeld(s.held), value: text === null ? null : known === undefined ? text : `${text}=${known ? 'true' : '0'}`, released: [...s.gone] });
        }
        return none;
      }
      case 'break_statement':
        return { next: [], breaks: states, continues: [] };
      case 'continue_statement':
        return { next: [], breaks: [], continues: states };
      case 'if_statement': {
        const cond = n.childForFieldName('condition');
        const { t, f } = cond ? this.branch(cond, states, scope) : { t: states, f: states };
        const then = n.childForFieldName('consequence');
        const alt = n.childForFieldName('alternative');
        const a = then ? this.statement(then, t, scope) : { next: t, breaks: [], continues: [] };
        const elseBody = alt ? (alt.type === 'else_clause' ? alt.namedChildren.find((c): c is Node => c !== null && c.type !== 'comment') ?? null : alt) : null;
        const b = elseBody ? this.statement(elseBody, f, scope) : { next: f, breaks: [], continues: [] };
        return { next: this.dedupe([...a.next, ...b.next]), breaks: [...a.breaks, ...b.breaks], continues: [...a.continues, ...b.continues] };
      }
      case 'while_statement':
      case 'for_statement':
      case 'do_statement': {
        let entry = states;
        if (n.type === 'for_statement') {
          const init = n.childForFieldName('initializer');
          if (init) entry = this.effects(init, entry, scope);
        }
        const cond = n.childForFieldName('condition');
        const forever = !cond || /^\(?\s*(?:1|true)\s*\)?$/.test(cond.text);
        const guard = n.type === 'while_statement' ? this.scopedGuards.get(n.startIndex) : undefined;
        let into = entry;
        let skip = entry;
        if (guard !== undefined && cond) {
          into = this.guardTake(guard, cond, entry, n.id, siteOf(n));
          skip = [];
        } else if (cond && n.type !== 'do_statement') {
          const br = this.branch(cond, entry, scope);
          into = br.t;
          skip = br.f;
        }
        const body = n.childForFieldName('body');
        const f = body ? this.statement(body, into, scope) : { next: into, breaks: [], continues: [] };
        const release = (ss: State[]): State[] => (guard !== undefined ? ss.map((s) => ({ ...copy(s), held: s.held.filter((h) => h.scope !== n.id) })) : ss);
        const back = release([...f.next, ...f.continues]);
        const out = guard !== undefined ? [...back, ...release(f.breaks)] : forever ? f.breaks : [...skip, ...back, ...f.breaks];
        return { next: this.dedupe(n.type === 'do_statement' && !forever ? [...back, ...f.breaks] : out), breaks: [], continues: [] };
      }
      case 'switch_statement': {
        const cond = n.childForFieldName('condition');
        const entry = cond ? this.effects(cond, states, scope) : states;
        const body = n.childForFieldName('body');
        let fall: State[] = [];
        const next: State[] = [];
        let hasDefault = false;
        for (const c of body?.namedChildren ?? []) {
          if (!c) continue;
          if (c.type !== 'case_statement') {
            const f = this.statement(c, fall, scope);
            fall = f.next;
            next.push(...f.breaks);
            continue;
          }
          if (c.child(0)?.type === 'default') hasDefault = true;
          let cur = this.dedupe([...entry, ...fall]);
          const parts = c.namedChildren.filter((x): x is Node => x !== null && x !== c.childForFieldName('value') && x.type !== 'comment');
          const bk: State[] = [];
          for (const p of parts) {
            const f = this.statement(p, cur, scope);
            cur = f.next;
            bk.push(...f.breaks);
          }
          fall = cur;
          next.push(...bk);
        }
        next.push(...fall);
        if (!hasDefault) next.push(...entry);
        return { next: this.dedupe(next), breaks: [], continues: [] };
      }
      case 'expression_statement':
      case 'declaration':
      default: {
        const after = this.effects(n, states, scope);
        if (this.noReturn(n)) return none;
        return { next: after, breaks: [], continues: [] };
      }
    }
  }

  /** A statement that calls BUG(), panic()...: its path ends there. */
  private noReturn(n: Node): boolean {
    if (n.type !== 'expression_statement') return false;
    const e = n.namedChild(0);
    return e?.type === 'call_expression' && NORETURN_CALLS.has(calleeName(e) ?? '');
  }

  /** The calls of an expression, innermost first, applied to each path. */
  private effects(n: Node, states: State[], scope: number): State[] {
    let cur = states;
    const visit = (x: Node): void => {
      // A nested function body or a statement expression's own statements are not this expression's.
      if (x.type === 'compound_statement' || x.type === 'function_definition') return;
      for (const c of x.namedChildren) if (c) visit(c);
      if (x.type === 'call_expression') cur = this.call(x, cur, scope);
      else if (x.type === 'assignment_expression') cur = this.assign(x.childForFieldName('left'), x.childForFieldName('right'), cur);
      else if (x.type === 'update_expression') cur = this.assign(x.childForFieldName('argument'), null, cur);
      else if (x.type === 'init_declarator') cur = this.assign(x.childForFieldName('declarator'), x.childForFieldName('value'), cur);
    };
    visit(n);
    return cur;
  }

  /** An assignment: what was assumed of the variable no longer holds; `v = mutex_lock_interruptible(..)` makes a pending acquire. */
  private assign(left: Node | null, right: Node | null, states: State[]): State[] {
    if (!left) return states;
    const name = left.text.replace(/\s+/g, '').replace(/^\*+/, '');
    let op = right?.type === 'call_expression' ? LOCK_OP_BY_NAME.get(calleeName(right) ?? '') : undefined;
    let helperLock: string | null | undefined;
    if (!op && right?.type === 'call_expression') {
      // `ret = ffs_mutex_lock(&ffs->mutex, nonblock)`: a helper that takes the lock as its return value says.
      const h = this.helper(calleeName(right));
      const a = h?.acquires.find((x) => x.success !== null);
      if (h && a) {
        op = { name: a.via, op: 'acquire', family: a.family, mode: a.mode, variant: a.variant, raw: a.raw, arg: null, success: a.success };
        helperLock = lockInCaller(a.lock, h.params, argsOf(right).map((x) => x.text));
      }
    }
    // `locked = true;`, `bool locked = false;`: the flag's value is known on this path.
    const constant = right && /^(?:true|false|NULL|\d+|0x[0-9a-fA-F]+)[uUlL]*$/.test(right.text.trim()) ? !/^(?:false|NULL|0+|0x0+)[uUlL]*$/.test(right.text.trim()) : null;
    return states.map((s) => {
      const t = copy(s);
      for (const k of [...t.assume.keys()]) if (k === name || mentions(k, name)) t.assume.delete(k);
      t.pending.delete(name);
      if (constant !== null && /^[A-Za-z_][\w.>-]{0,80}$/.test(name) && t.assume.size < MAX_ASSUME) t.assume.set(name, constant);
      if (op && op.op === 'acquire' && op.success !== null && right) {
        // The acquire the call made is undone: it is held only where the variable says so.
        const site = siteOf(right);
        t.held = t.held.filter((h) => !(h.site.line === site.line && h.site.column === site.column));
        t.pending.set(name, { op, lock: helperLock !== undefined ? helperLock : op.arg !== null ? lockText(argsOf(right)[op.arg]) : null, site });
      }
      return t;
    });
  }

  private take(s: State, h: Held): State {
    if (h.flags !== undefined) {
      const outer = s.held.find((o) => o.flags === h.flags && !o.dropped && o.scope === null);
      if (outer && !this.flagReuses.some((r) => r.inner.site.line === h.site.line && r.inner.site.column === h.site.column)) this.flagReuses.push({ outer, inner: h });
    }
    const t = copy(s);
    // A lock dropped with the plain release and taken again with the plain acquire is held as it was.
    const back = h.variant === 'plain' && h.scope === null ? t.held.findIndex((x) => x.dropped && x.family === h.family && x.lock === h.lock && x.mode === h.mode) : -1;
    if (back >= 0) t.held[back] = { ...t.held[back], dropped: undefined };
    else if (h.scope === null && t.gone.delete(heldKey(h))) t.held.push({ ...h, retaken: true });
    else t.held.push(h);
    return t;
  }

  /** What a path holds at a return: a lock it ends with dropped was released with the wrong variant there. */
  private exitHeld(held: readonly Held[]): Held[] {
    for (const h of held) if (h.dropped && !this.releases.includes(h.dropped)) this.releases.push(h.dropped);
    return held.filter((h) => !h.dropped);
  }

  private guardTake(guardName: string, args: Node, states: State[], scope: number, site: Site): State[] {
    const g = GUARDS.get(guardName);
    if (!g) return states;
    const parts = args.type === 'parenthesized_expression' || args.type === 'comma_expression' ? args.text.replace(/^\(|\)$/g, '').split(',') : [args.text];
    const lock = g.arg ? (parts[1] ?? parts[0] ?? '').replace(/\s+/g, '').replace(/^&/, '') || null : null;
    return states.map((s) => this.take(s, { family: g.family, mode: g.mode, variant: g.variant, raw: g.raw, lock, via: `scoped_guard(${guardName})`, site, helper: null, scope }));
  }

  private call(x: Node, states: State[], scope: number): State[] {
    const fnNode = x.childForFieldName('function');
    // guard(spinlock_irqsave)(&lock): held to the end of the enclosing block.
    if (fnNode?.type === 'call_expression' && calleeName(fnNode) === 'guard') {
      const g = GUARDS.get(argsOf(fnNode)[0]?.text ?? '');
      if (!g) return states;
      const lock = g.arg ? lockText(argsOf(x)[0]) : null;
      return states.map((s) => this.take(s, { family: g.family, mode: g.mode, variant: g.variant, raw: g.raw, lock, via: `guard(${argsOf(fnNode)[0]?.text})`, site: siteOf(x), helper: null, scope }));
    }
    const name = calleeName(x);
    if (!name) return states;
    if (this.calls.length < MAX_CALLS) {
      const lockOp = LOCK_OP_BY_NAME.has(name);
      let irqOff: Held | null = null;
      let atomic: Held | null = null;
      for (const s of states) {
        for (let i = s.held.length - 1; i >= 0; i--) {
          const h = s.held[i];
          if (h.dropped) continue;
          if (!irqOff && !lockOp && (h.variant === 'irq' || h.variant === 'irqsave')) irqOff = h;
          if (!atomic && ATOMIC_FAMILIES.has(h.family)) atomic = h;
        }
        if (irqOff && atomic) break;
      }
      this.calls.push({ name, site: siteOf(x), args: argsOf(x).map((a) => a.text.slice(0, 200)), irqOff, afterDrop: states.length > 0 && states.every((s) => s.gone.size > 0), atomic, lockOp });
    }
    // downgrade_write(&sem): the write side becomes the read side, held all the same.
    if (name === 'downgrade_write') {
      const lock = lockText(argsOf(x)[0]);
      return states.map((s) => {
        const at = s.held.findIndex((h) => h.family === 'rwsem' && h.mode === 'write' && h.lock === lock);
        if (at < 0) return s;
        const t = copy(s);
        t.held[at] = { ...t.held[at], mode: 'read' };
        return t;
      });
    }
    // sparse's markers: `__release(x)` says the path leaves a lock held on purpose (to its caller).
    if (name === '__release' || name === '__acquire') {
      if (name === '__acquire') return states;
      const said = (argsOf(x)[0]?.text ?? '').replace(/\s+/g, '').replace(/^&/, '');
      const last = said.split(/->|\./).pop() ?? said;
      return states.map((s) => {
        let at = -1;
        for (let i = s.held.length - 1; i >= 0 && at < 0; i--) if (s.held[i].lock === said) at = i;
        for (let i = s.held.length - 1; i >= 0 && at < 0; i--) {
          const l = s.held[i].lock;
          if (l !== null && (l.endsWith(last) || last.replace(/_/g, '').includes((l.split(/->|\./).pop() ?? l).replace(/_/g, '')))) at = i;
        }
        if (at < 0) return s;
        const t = copy(s);
        t.held.splice(at, 1);
        return t;
      });
    }
    // Anything else the function calls resolves what was pending: an unchecked trylock is taken as held.
    const op = LOCK_OP_BY_NAME.get(name);
    if (op) {
      const lock = op.arg !== null ? lockText(argsOf(x)[op.arg]) : null;
      const site = siteOf(x);
      const saved = op.variant === 'irqsave' && op.op === 'acquire' ? argsOf(x)[op.arg === null ? 0 : op.arg + 1]?.text.replace(/\s+/g, '') : undefined;
      if (op.op === 'acquire') return states.map((s) => this.take(s, { family: op.family, mode: op.mode, variant: op.variant, raw: op.raw, lock, via: name, site, helper: null, scope: null, ...(saved ? { flags: saved } : {}) }));
      return states.map((s) => this.release(s, { family: op.family, mode: op.mode, variant: op.variant, raw: op.raw, lock, name }, site, null));
    }
    const sum = this.helper(name);
    if (!sum) return this.unknownUnlock(name, x, states);
    const site = siteOf(x);
    const args = argsOf(x).map((a) => a.text);
    return states.map((s) => {
      let t = s;
      for (const r of sum.releases) t = this.release(t, { ...r, lock: lockInCaller(r.lock, sum.params, args) }, site, { name, site: r.site, file: sum.file });
      for (const a of sum.acquires) t = this.take(t, { ...a, lock: lockInCaller(a.lock, sum.params, args), site, helper: { name, site: a.site, file: sum.file }, scope: null });
      return t;
    });
  }

  /**
   * A function the files do not define, named as an unlock (`uart_unlock_and_check_sysrq(&up->port)`, from
   * a header not given): it releases the lock held inside the object it is given, whatever its variant.
   */
  private unknownUnlock(name: string, x: Node, states: State[]): State[] {
    if (!UNLOCK_HELPER_NAME.test(name)) return states;
    const obj = lockText(argsOf(x)[0]);
    if (!obj) return states;
    return states.map((s) => {
      let at = -1;
      for (let i = s.held.length - 1; i >= 0 && at < 0; i--) {
        const l = s.held[i].lock;
        if (l === null || s.held[i].scope !== null) continue;
        for (const [lk, o] of [[l, obj], [unalias(l, this.aliases) ?? l, unalias(obj, this.aliases) ?? obj]]) {
          if (lk === o || lk.startsWith(`${o}.`) || lk.startsWith(`${o}->`)) at = i;
        }
      }
      if (at < 0) return s;
      const t = copy(s);
      t.held.splice(at, 1);
      return t;
    });
  }

  private release(s: State, r: Omit<ReleaseEvent, 'call' | 'matched' | 'helper'>, site: Site, helper: ReleaseEvent['helper']): State {
    // The lock of the same family and name, most recently taken; a mode or variant of its own does not hide it.
    let at = -1;
    // By its text first, then through the function's aliases (`micro = ts->micro`: micro->lock is ts->micro->lock).
    for (const same of [(a: string | null, b: string | null) => a === b, (a: string | null, b: string | null) => this.sameLock(a, b)]) {
      for (let i = s.held.length - 1; i >= 0 && at < 0; i--) {
        const h = s.held[i];
        const sameFamily = h.family === r.family || r.name === ANNOTATED_RELEASE;
        if (sameFamily && same(h.lock, r.lock) && h.scope === null && !h.dropped) at = i;
      }
      if (at >= 0) break;
    }
    const matched = at >= 0 ? s.held[at] : null;
    const outer = [...s.held].reverse().find((h) => h !== matched && !h.dropped && h.scope === null && (h.variant === 'irq' || h.variant === 'irqsave'));
    const event: ReleaseEvent = { call: site, ...r, matched, helper, ...(outer && r.variant === 'irq' ? { outerIrqOff: outer } : {}) };
    // Hand over hand: A taken with irqsave, B with the plain lock, A let go plain, B with irqrestore
    // (u_serial's gserial_suspend()): the interrupt state went from A's region to B's, and is restored.
    if (matched && matched.variant === 'plain' && r.variant !== 'plain' && r.name !== ANNOTATED_RELEASE) {
      const handed = s.held.findIndex((h) => h.dropped && h.variant === r.variant && h !== matched);
      if (handed >= 0) {
        const t = copy(s);
        t.held = t.held.filter((_h, i) => i !== at && i !== handed);
        return t;
      }
    }
    if (matched && r.variant === 'plain' && matched.variant !== 'plain' && r.raw === matched.raw && r.mode === matched.mode && r.name !== ANNOTATED_RELEASE) {
      // Dropped for a while, perhaps: said only if the path never takes it back.
      const t = copy(s);
      t.held[at] = { ...matched, dropped: event };
      return t;
    }
    this.releases.push(event);
    if (at < 0) {
      const t = copy(s);
      t.gone.add(heldKey(r));
      return t;
    }
    const t = copy(s);
    t.held.splice(at, 1);
    return t;
  }

  /** Whether a condition tries a lock somewhere in it (a trylock, an interruptible lock, a helper that returns one's result). */
  private triesLock(n: Node): boolean {
    return n.descendantsOfType('call_expression').some((c) => {
      const name = calleeName(c);
      const op = LOCK_OP_BY_NAME.get(name ?? '');
      if (op) return op.op === 'acquire' && op.success !== null;
      return this.helper(name)?.acquires.some((a) => a.success !== null) === true;
    });
  }

  /** The paths on which a condition is true, and those on which it is false. */
  private branch(cond: Node, states: State[], scope: number): { t: State[]; f: State[] } {
    const parts = conditionKey(cond);
    const { key } = parts;
    let { negated, inner } = parts;
    // `if (mutex_lock_interruptible(&m) != 0)`, `if (down_trylock(&s) == 0)`: the call's result compared with 0.
    if (inner.type === 'binary_expression' && inner.childForFieldName('right')?.text.trim() === '0' && inner.childForFieldName('left')?.type === 'call_expression') {
      const opText = inner.childForFieldName('operator')?.text;
      if (opText === '!=' || opText === '<' || opText === '==') {
        if (opText === '==') negated = !negated;
        inner = inner.childForFieldName('left') as Node;
      }
    }
    // `if (cmd != SYNC && mutex_lock_interruptible(&m))`, `if (n > MAX || !mutex_trylock(&m))`: with a lock
    // tried inside, each side is a branch of its own, as C evaluates it: the right side only runs (and only
    // takes the lock) on the paths where the left side did not decide.
    const logical = inner.type === 'binary_expression' ? inner.childForFieldName('operator')?.text : undefined;
    if ((logical === '&&' || logical === '||') && this.triesLock(inner)) {
      const left = inner.childForFieldName('left');
      const right = inner.childForFieldName('right');
      if (left && right) {
        const l = this.branch(left, states, scope);
        const r = this.branch(right, logical === '&&' ? l.t : l.f, scope);
        const yes = logical === '&&' ? r.t : [...l.t, ...r.t];
        const no = logical === '&&' ? [...l.f, ...r.f] : r.f;
        return negated ? { t: no, f: yes } : { t: yes, f: no };
      }
    }
    const t: State[] = [];
    const f: State[] = [];
    const put = (s: State, truth: boolean): void => void (truth !== negated ? t : f).push(s);
    // `if (spin_trylock(&l))`, `if (mutex_lock_interruptible(&m))`: held on the side where it succeeded.
    if (inner.type === 'call_expression') {
      // A helper that returns a trylock's result (`return spin_trylock(&x->lock);`) is a trylock itself.
      const helper = this.helper(calleeName(inner));
      const cond = helper?.acquires.find((a) => a.success !== null);
      if (helper && cond) {
        let before = states;
        for (const a of argsOf(inner)) before = this.effects(a, before, scope);
        const args = argsOf(inner).map((a) => a.text);
        for (const s of before) {
          const took = this.take(s, { ...cond, lock: lockInCaller(cond.lock, helper.params, args), site: siteOf(inner), helper: { name: calleeName(inner) ?? '', site: cond.site, file: helper.file }, scope: null });
          put(cond.success === 'nonzero' ? took : s, true);
          put(cond.success === 'nonzero' ? s : took, false);
        }
        return { t, f };
      }
      const op = LOCK_OP_BY_NAME.get(calleeName(inner) ?? '');
      if (op && op.op === 'acquire' && op.success !== null) {
        const args = argsOf(inner);
        let before = states;
        for (const a of args) before = this.effects(a, before, scope);
        const lock = op.arg !== null ? lockText(args[op.arg]) : null;
        for (const s of before) {
          const took = this.take(s, { family: op.family, mode: op.mode, variant: op.variant, raw: op.raw, lock, via: op.name, site: siteOf(inner), helper: null, scope: null });
          put(op.success === 'nonzero' ? took : s, true);
          put(op.success === 'nonzero' ? s : took, false);
        }
        return { t, f };
      }
    }
    // `if (ret)`, `if (ret < 0)`, `if (!ret)` after `ret = mutex_lock_interruptible(&m)`.
    const v = /^([A-Za-z_][\w.>-]{0,80}?)(?:(<|!=|==)0)?$/.exec(key);
    const after = this.effects(cond, states, scope);
    for (const s of after) {
      const p = v ? s.pending.get(v[1]) : undefined;
      if (p && v) {
        const held = this.take(s, { family: p.op.family, mode: p.op.mode, variant: p.op.variant, raw: p.op.raw, lock: p.lock, via: p.op.name, site: p.site, helper: null, scope: null });
        held.pending.delete(v[1]);
        const free = copy(s);
        free.pending.delete(v[1]);
        // Whether the test is true when the call succeeded.
        const zeroIsSuccess = p.op.success === 'zero';
        const trueOnSuccess = v[2] === '==' ? zeroIsSuccess : !zeroIsSuccess;
        put(trueOnSuccess ? held : free, true);
        put(trueOnSuccess ? free : held, false);
        continue;
      }
      // A lock held inside an object says the pointer to it is not NULL: `if (pag)` with pag->pagb_lock held.
      const ptr = /^([A-Za-z_][\w.>-]{0,80}?)(?:!=NULL)?$/.exec(key)?.[1];
      if (ptr && s.held.some((h) => h.lock !== null && h.lock.startsWith(`${ptr}->`))) {
        put(s, true);
        continue;
      }
      if (!isPlainCondition(inner)) {
        put(s, true);
        put(s, false);
        continue;
      }
      const known = s.assume.get(key);
      if (known !== undefined) {
        put(s, known);
        continue;
      }
      for (const truth of [true, false]) {
        const c = copy(s);
        if (c.assume.size < MAX_ASSUME) c.assume.set(key, truth);
        put(c, truth);
      }
    }
    return { t, f };
  }
}
