// A callback left behind when the module goes (seed 002): a timer, work item, tasklet, thread, IRQ
// handler, notifier, proc/debugfs/sysfs entry, netdevice or driver that module_init (or a driver's
// probe) arms or registers and that module_exit (or remove) never cancels, stops or unregisters;
// the data freed before the cancel; a self-re-arming timer stopped with plain del_timer(); and an
// error return of init/probe that leaves what it armed armed.

import type { L10n } from '../../../rules/types';
import { functionDefinitions, topLevel, type Node } from '../../parse';
import { siteOf, type Site } from '../../flow';
import { ATOMIC_CALLBACK_REGISTRARS } from '../../../knowledge/sleeping-calls';
import { sameComposite } from '../../modules';
import type { CheckMeta, Program, ProgramDraft, ProgramFile } from '../types';
import {
  ARM_BY_NAME,
  DRIVER_PAIRS,
  FIRING_KINDS,
  FREE_CALLS,
  KIND_TEXT,
  MANAGED_INIT,
  MANAGED_PREFIX,
  TEARDOWN_FIELD,
  TEARDOWN_REGISTRARS,
  UNDO_BY_NAME,
  notifierArg,
  notifierUndoNames,
  PM_SUSPEND_FIELDS,
  PM_SUSPEND_MACROS,
  THREADED_HANDLERS,
  WAITS_FOR_END,
  type ArmCall,
  type TeardownKind,
  type UndoCall,
} from '../../../knowledge/teardown';

/** Call depth followed from init/probe, and (more, so that an undo in a helper is seen) from exit/remove. */
const INIT_DEPTH = 4;
const EXIT_DEPTH = 6;
/** Functions expanded in one walk at most (a helper called with different objects is expanded again). */
const MAX_EXPANSIONS = 600;

// ---------------------------------------------------------------------------------------------------
// The files' functions and what each calls.

interface Fn {
  name: string;
  file: ProgramFile;
  dir: string;
  node: Node;
  body: Node;
  nameNode: Node;
  params: string[];
  /** A parse error inside: what it does is not known. */
  broken: boolean;
}

interface Ev {
  name: string;
  argText: string[];
  /** The variable the result is assigned to, as written. */
  target: string | null;
  /** Inside a branch, a loop or a switch of its function (not run on every path). */
  cond: boolean;
  /** In the condition of an `if`: its failure is the if's business. */
  inCondition: boolean;
  /** That if: where it ends, and whether its branch is the success (`if (foo_configure(hub) >= 0) return 0;`). */
  ifEnd: number;
  ifSuccess: boolean;
  /** The block the call is a statement of: [start, end). */
  block: [number, number];
  /** `if (cancel_delayed_work(&w)) kref_put(...)`: the result says whether a reference is dropped (refcounted work). */
  refDrop: boolean;
  pos: number;
  end: number;
  site: Site;
}

/** A call as seen from the walk's start: with the parameters of the functions on the way put in the caller's words. */
interface REv {
  ev: Ev;
  fn: Fn;
  subst: ReadonlyMap<string, string> | null;
  chain: Array<{ fn: Fn; ev: Ev }>;
  cond: boolean;
  seq: number;
}

interface Walk {
  evs: REv[];
  /** A function on the way did not parse: what it does is unknown. */
  broken: boolean;
  fns: Set<Fn>;
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '.' : path.slice(0, i);
}

function declaratorName(d: Node | null): Node | null {
  for (let i = 0; d && i < 8; i++) {
    if (d.type === 'identifier') return d;
    if (d.type === 'function_declarator') {
      const inner: Node | null = d.childForFieldName('declarator');
      if (inner?.type === 'identifier') return inner;
      d = inner;
    } else d = d.childForFieldName('declarator');
  }
  return null;
}

function paramNames(fn: Node): string[] {
  let d: Node | null = fn.childForFieldName('declarator');
  for (let i = 0; d && i < 8 && d.type !== 'function_declarator'; i++) d = d.childForFieldName('declarator');
  const list = d?.childForFieldName('parameters');
  if (!list) return [];
  const out: string[] = [];
  for (const p of list.namedChildren) {
    if (!p || p.type !== 'parameter_declaration') continue;
    const n = declaratorName(p.childForFieldName('declarator'));
    out.push(n ? n.text : '');
  }
  return out;
}

/**
 * Whether a node runs only on some paths of the function: in a branch, a loop body (not a `do { } while (0)`),
 * a switch, an arm of `?:` or the right of `&&`/`||`. A condition itself runs.
 */
function conditional(n: Node, body: Node): boolean {
  let child: Node = n;
  for (let p = n.parent, i = 0; p && i < 200 && p.id !== body.id; p = p.parent, i++) {
    const isCond = (): boolean => p?.childForFieldName('condition')?.id === child.id;
    if (p.type === 'if_statement' || p.type === 'switch_statement' || p.type === 'conditional_expression' || p.type === 'while_statement') {
      if (!isCond()) return true;
    } else if (p.type === 'for_statement') {
      if (!isCond() && p.childForFieldName('initializer')?.id !== child.id) return true;
    } else if (p.type === 'case_statement') return true;
    else if (p.type === 'binary_expression') {
      const op = p.childForFieldName('operator')?.type ?? p.child(1)?.type;
      const right = p.childForFieldName('right');
      if ((op === '&&' || op === '||') && right !== null && right.id === child.id) return true;
    }
    child = p;
  }
  return false;
}

/** The `if` whose condition the call is in, if any. */
function conditionOf(call: Node, body: Node): Node | null {
  let child: Node = call;
  for (let p = call.parent, i = 0; p && i < 12 && p.id !== body.id; p = p.parent, i++) {
    if (p.type === 'if_statement') return p.childForFieldName('condition')?.id === child.id ? p : null;
    if (/statement$|^compound/.test(p.type)) return null;
    child = p;
  }
  return null;
}

function assignedTarget(call: Node): string | null {
  let n: Node = call;
  let p = n.parent;
  for (let i = 0; p && i < 4 && (p.type === 'parenthesized_expression' || p.type === 'cast_expression'); i++) {
    n = p;
    p = p.parent;
  }
  if (!p) return null;
  if (p.type === 'assignment_expression') {
    const right = p.childForFieldName('right');
    const left = p.childForFieldName('left');
    if (right && left && right.id === n.id) return left.text;
  } else if (p.type === 'init_declarator') {
    const value = p.childForFieldName('value');
    if (value && value.id === n.id) return declaratorName(p.childForFieldName('declarator'))?.text ?? null;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Objects: an argument normalised so that `&priv->timer`, `priv->timer` and `(&(priv)->timer)` are one.

/** Length-preserving removal of comments from C text. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m) => m.replace(/[^\n]/g, ' '));
}

/** The index just past the group that opens at `open`, or -1. */
function closeOf(t: string, open: number): number {
  let depth = 0;
  for (let i = open; i < t.length; i++) {
    if (t[i] === '(') depth++;
    else if (t[i] === ')' && --depth === 0) return i + 1;
  }
  return -1;
}

export function normObject(text: string): string {
  let t = stripComments(text).replace(/\s+/g, ' ').trim();
  t = t.replace(/\s*(->|\.|\[|\]|\(|\)|&|\*|,)\s*/g, '$1');
  t = t.replace(/->/g, '.');
  for (let i = 0; i < 8; i++) {
    const before = t;
    if (t.startsWith('(') && closeOf(t, 0) === t.length) t = t.slice(1, -1);
    // A cast: `(struct foo *)x`, `(void *)x`.
    t = t.replace(/^\((?:const )?(?:struct |union |enum |unsigned |signed )?[A-Za-z_]\w*(?: [A-Za-z_]\w*)*\**\)(?=[A-Za-z_&(*])/, '');
    if (t.startsWith('&') || (t.startsWith('*') && !t.startsWith('**'))) t = t.slice(1);
    // `(priv).timer`, `(*p).timer`.
    t = t.replace(/(?<![\w)\]])\(\*?([A-Za-z_]\w*)\)(?=\.|\[|$)/g, '$1');
    if (t === before) break;
  }
  // A variable index is any element (`t[i]`); a constant one (`irq[RX]`, `t[0]`) is kept.
  t = t.replace(/\[([^[\]]+)\]/g, (m, x: string) => (/^(?:\d+|[A-Z][A-Z0-9_]*)$/.test(x) ? m : '[]'));
  for (let i = 0; i < 4 && /\[[^[\]]*[^[\]A-Z0-9_][^[\]]*\]/.test(t); i++) t = t.replace(/\[[^[\]]*[^[\]A-Z0-9_][^[\]]*\]/g, '[]');
  return t;
}

/** Pieces of `t` between top-level `sep` characters, outside (), [] and {}: `a.b[].c` by '.', a macro's arguments by ','. */
function splitTop(t: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === sep && depth === 0) {
      out.push(t.slice(from, i));
      from = i + 1;
    }
  }
  out.push(t.slice(from));
  return out;
}

/** The components of an object at the top level: `a.b[].c` -> a, b[], c. */
function partsOf(t: string): string[] {
  return splitTop(t, '.');
}

const IDENT = /^[A-Za-z_]\w*$/;

interface Obj {
  text: string;
  /** A local or a parameter not known in the walk's words, or what a call returns: it may be any object of its kind. */
  opaque: boolean;
  /** Its first component is the walk's own (a global, the start function's local or parameter, or put in its words). */
  rooted: boolean;
}

/** The key objects of a kind are compared by: the last field, without a delayed work's `.work` or an attribute's `.attr`. */
function lastKey(parts: string[], kind: TeardownKind | null): string {
  const p = [...parts];
  if (p.length >= 3 && (p[p.length - 1] === 'work' || p[p.length - 1] === 'timer') && (kind === 'delayed-work' || kind === 'work')) p.pop();
  if (p.length >= 2 && p[p.length - 1] === 'attr' && kind === 'sysfs') p.pop();
  return p[p.length - 1].replace(/\[\]$/, '');
}

/** The keys an object may be known by: its last field, and for `x.dwork.work` (a delayed work's work) also `dwork`. */
function lastKeys(parts: string[], kind: TeardownKind | null): string[] {
  const last = parts[parts.length - 1].replace(/(?:\[[^[\]]*\])+$/, '');
  const out = [last];
  if (parts.length >= 3 && (kind === 'delayed-work' || kind === 'work') && (last === 'work' || last === 'timer')) out.push(parts[parts.length - 2].replace(/\[\]$/, ''));
  if (parts.length >= 2 && kind === 'sysfs' && last === 'attr') out.push(parts[parts.length - 2].replace(/\[\]$/, ''));
  return out;
}

/** `t[]` (any element) and `t[0]` are the same array's; `irq[RX]` and `irq[TX]` are not. */
function sameIndexed(a: string, b: string): boolean {
  const strip = (t: string): string => t.replace(/\[[^[\]]*\]/g, '[]');
  if (strip(a) !== strip(b)) return false;
  const ia = [...a.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]);
  const ib = [...b.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]);
  return ia.every((x, i) => x === '' || ib[i] === '' || x === ib[i]);
}

function sameObject(a: Obj | null, b: Obj | null, kind: TeardownKind | null): boolean {
  if (!a || !b) return false;
  if (a.text === b.text || sameIndexed(a.text, b.text)) return true;
  if (a.opaque || b.opaque) return true;
  const pa = partsOf(a.text);
  const pb = partsOf(b.text);
  if (kind === 'sysfs' && pa.length >= 2 && pa[pa.length - 1] === 'attr' && pb.length === 1) return pa.slice(0, -1).join('.') === b.text;
  if (kind === 'sysfs' && pb.length >= 2 && pb[pb.length - 1] === 'attr' && pa.length === 1) return pb.slice(0, -1).join('.') === a.text;
  if (pa.length >= 2 && pb.length >= 2) {
    // By the last member: one variable may point into the other's structure, a cast may have put back what
    // container_of() took away. Where two such objects are armed, closestAll() tells them apart.
    const ka = lastKeys(pa, kind);
    return lastKeys(pb, kind).some((k) => ka.includes(k));
  }
  return false;
}

/** The members after the variable, without a delayed work's `.work`/`.timer` or an attribute's `.attr`: `dwork`, `ir.work`. */
function memberPath(parts: string[], kind: TeardownKind | null): string {
  const p = parts.slice(1);
  if (p.length >= 2 && (kind === 'delayed-work' || kind === 'work') && (p[p.length - 1] === 'work' || p[p.length - 1] === 'timer')) p.pop();
  if (p.length >= 2 && kind === 'sysfs' && p[p.length - 1] === 'attr') p.pop();
  return p.join('.');
}

/** Of the objects that are the same as `o`, those named most alike: the same text, else the same members after the variable, else the same last member. */
function closestAll<T extends { obj: Obj | null }>(o: Obj, all: readonly T[], kind: TeardownKind): T[] {
  let best: T[] = [];
  let score = -1;
  for (const x of all) {
    if (!x.obj || !sameObject(x.obj, o, kind)) continue;
    const s = x.obj.text === o.text ? 3 : memberPath(partsOf(x.obj.text), kind) === memberPath(partsOf(o.text), kind) ? 2 : 1;
    if (s > score) {
      best = [x];
      score = s;
    } else if (s === score) best.push(x);
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------
// The program: functions by file, directory and name; each function's calls, aliases and stores.

class Index {
  readonly fns: Fn[] = [];
  private byFile = new Map<string, Map<string, Fn>>();
  private byDir = new Map<string, Map<string, Fn[]>>();
  private byName = new Map<string, Fn[]>();
  private evCache = new Map<Fn, Ev[]>();
  private aliasCache = new Map<Fn, Map<string, string>>();
  private storeCache = new Map<Fn, Map<string, string[]>>();
  private globals = new Map<string, Set<string>>();
  private calledInDir = new Map<string, Set<string>>();
  readonly files: readonly ProgramFile[];
  readonly cleanText = new Map<string, string>();
  /** Names a file exports (EXPORT_SYMBOL*): another module's API, whatever directory it is in. */
  private exported = new Map<string, Set<string>>();

  constructor(files: readonly ProgramFile[]) {
    this.files = files;
    for (const f of files) {
      const dir = dirOf(f.path);
      const mine = new Map<string, Fn>();
      this.byFile.set(f.path, mine);
      const g = this.globals.get(dir) ?? new Set<string>();
      this.globals.set(dir, g);
      for (const c of topLevel(f.root)) {
        if (c.type !== 'declaration') continue;
        for (const d of c.childrenForFieldName('declarator')) {
          const n = declaratorName(d);
          if (n && !(d?.type === 'function_declarator')) g.add(n.text);
        }
      }
      const clean = stripComments(f.prepared);
      this.cleanText.set(f.path, clean);
      this.exported.set(f.path, new Set([...clean.matchAll(/\bEXPORT_SYMBOL\w*\s*\(\s*([A-Za-z_]\w*)/g)].map((m) => m[1])));
      for (const m of clean.matchAll(/\b(?:DEFINE_TIMER|DECLARE_WORK|DECLARE_DELAYED_WORK|DECLARE_DEFERRABLE_WORK|DECLARE_TASKLET(?:_OLD|_DISABLED)?|DEFINE_MUTEX|DEFINE_SPINLOCK)\s*\(\s*([A-Za-z_]\w*)/g)) g.add(m[1]);
      for (const node of functionDefinitions(f.root)) {
        const nameNode = declaratorName(node.childForFieldName('declarator'));
        const body = node.childForFieldName('body');
        if (!nameNode || !body) continue;
        const fn: Fn = { name: nameNode.text, file: f, dir, node, body, nameNode, params: paramNames(node), broken: node.hasError };
        this.fns.push(fn);
        if (!mine.has(fn.name)) mine.set(fn.name, fn);
        const d = this.byDir.get(dir) ?? new Map<string, Fn[]>();
        this.byDir.set(dir, d);
        d.set(fn.name, [...(d.get(fn.name) ?? []), fn]);
        this.byName.set(fn.name, [...(this.byName.get(fn.name) ?? []), fn]);
      }
    }
  }

  /** The function a call in `file` reaches: its own file's, else the only one of the directory, else the only one anywhere. */
  resolve(file: ProgramFile, name: string): Fn | null {
    const own = this.byFile.get(file.path)?.get(name);
    if (own) return own;
    const d = this.byDir.get(dirOf(file.path))?.get(name);
    if (d) return d.length === 1 ? d[0] : null;
    const all = this.byName.get(name);
    return all && all.length === 1 ? all[0] : null;
  }

  /** An API of another file: exported by it (usb_add_phy()), or of another directory. */
  foreign(fn: Fn, from: ProgramFile): boolean {
    return fn.dir !== dirOf(from.path) || (fn.file !== from && (this.exported.get(fn.file.path)?.has(fn.name) ?? false));
  }

  fnsOf(file: ProgramFile): Fn[] {
    return [...(this.byFile.get(file.path)?.values() ?? [])];
  }

  /** A name the function does not declare: a global of the files, or an extern of another module (`usb_debug_root`). */
  isGlobal(fn: Fn, name: string): boolean {
    if (this.globals.get(fn.dir)?.has(name)) return true;
    return IDENT.test(name) && !fn.params.includes(name) && !this.locals(fn).has(name);
  }

  /** Whether an object is in a global (`gdev.timer`, `my_timer`): not what a call returns (`netdev_priv(ndev).timer`). */
  globalBase(fn: Fn, text: string): boolean {
    const m = /^[A-Za-z_]\w*/.exec(text);
    return m !== null && text[m[0].length] !== '(' && this.isGlobal(fn, m[0]);
  }

  private localCache = new Map<Fn, Set<string>>();

  /** The names a function declares in its body. */
  locals(fn: Fn): Set<string> {
    let s = this.localCache.get(fn);
    if (s) return s;
    s = new Set<string>();
    for (const d of fn.body.descendantsOfType(['init_declarator', 'declaration'])) {
      if (!d) continue;
      if (d.type === 'init_declarator') {
        const n = declaratorName(d.childForFieldName('declarator'));
        if (n) s.add(n.text);
      } else for (const x of d.childrenForFieldName('declarator')) {
        const n = x && x.type !== 'init_declarator' ? declaratorName(x) : null;
        if (n) s.add(n.text);
      }
    }
    this.localCache.set(fn, s);
    return s;
  }

  /** Names called directly anywhere in the directory. */
  calledIn(dir: string): Set<string> {
    let s = this.calledInDir.get(dir);
    if (!s) {
      s = new Set<string>();
      for (const fn of this.fns) if (fn.dir === dir) for (const e of this.events(fn)) s.add(e.name);
      this.calledInDir.set(dir, s);
    }
    return s;
  }

  events(fn: Fn): Ev[] {
    let evs = this.evCache.get(fn);
    if (evs) return evs;
    evs = [];
    for (const call of fn.body.descendantsOfType('call_expression')) {
      if (!call) continue;
      const f = call.childForFieldName('function');
      if (!f || f.type !== 'identifier') continue;
      const list = call.childForFieldName('arguments');
      const args = list ? list.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment') : [];
      const ifNode = conditionOf(call, fn.body);
      const refDrop = ifNode !== null && /\bkref_put\w*\s*\(|\w_put\s*\(/.test(ifNode.childForFieldName('consequence')?.text ?? '');
      const branch = ifNode?.childForFieldName('consequence')?.text ?? '';
      let blk: Node | null = call.parent;
      for (let i = 0; blk && i < 40 && blk.type !== 'compound_statement'; i++) blk = blk.parent;
      evs.push({ name: f.text, argText: args.map((a) => a.text.slice(0, 300)), target: assignedTarget(call), cond: conditional(call, fn.body), inCondition: ifNode !== null, ifEnd: ifNode ? ifNode.endIndex : -1, ifSuccess: /\breturn\s+0\s*;/.test(branch) || ifNode?.childForFieldName('alternative') != null, refDrop, block: blk ? [blk.startIndex, blk.endIndex] : [0, 0], pos: call.startIndex, end: call.endIndex, site: siteOf(call) });
      if (evs.length > 4000) break;
    }
    evs.sort((a, b) => a.pos - b.pos);
    this.evCache.set(fn, evs);
    return evs;
  }

  /** Locals given one value in the function (`struct foo *priv = netdev_priv(ndev);`), by name: the value, normalised. */
  aliases(fn: Fn): Map<string, string> {
    let m = this.aliasCache.get(fn);
    if (m) return m;
    const count = new Map<string, number>();
    const value = new Map<string, string>();
    const note = (name: string, v: Node | null): void => {
      count.set(name, (count.get(name) ?? 0) + 1);
      if (v) value.set(name, v.text);
    };
    for (const d of fn.body.descendantsOfType('init_declarator')) {
      if (!d) continue;
      const n = declaratorName(d.childForFieldName('declarator'));
      if (n) note(n.text, d.childForFieldName('value'));
    }
    for (const a of fn.body.descendantsOfType('assignment_expression')) {
      if (!a) continue;
      const left = a.childForFieldName('left');
      if (left?.type === 'identifier') note(left.text, a.childForFieldName('right'));
    }
    m = new Map<string, string>();
    for (const [name, v] of value) {
      // Locals only: a global or a parameter set once (`vcc_tty_driver = NULL;` after its unregister) is no other name for a value.
      if (count.get(name) !== 1 || fn.params.includes(name) || !this.locals(fn).has(name)) continue;
      const t = normObject(v);
      // What names an object (a field of something, an accessor's result), not a fresh allocation or a computed number.
      const call = /^([A-Za-z_]\w*)\(/.exec(t);
      if (call && !/get_drvdata|get_clientdata|get_intfdata|_priv$|^to_|container_of|^from_|_from_|get_devdata/.test(call[1])) continue;
      if (!call && !/^[A-Za-z_][\w.[\]]*$/.test(t)) continue;
      if (t === name) continue;
      m.set(name, t);
    }
    this.aliasCache.set(fn, m);
    return m;
  }

  /** Where a local is stored: `priv->task = t;` gives t -> priv->task (normalised). */
  stores(fn: Fn): Map<string, string[]> {
    let m = this.storeCache.get(fn);
    if (m) return m;
    m = new Map<string, string[]>();
    for (const a of fn.body.descendantsOfType('assignment_expression')) {
      if (!a) continue;
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      if (!left || right?.type !== 'identifier' || left.type === 'identifier' && !this.isGlobal(fn, left.text)) continue;
      m.set(right.text, [...(m.get(right.text) ?? []), normObject(left.text)]);
    }
    this.storeCache.set(fn, m);
    return m;
  }

  isLocal(fn: Fn, name: string): boolean {
    return fn.params.includes(name) || (!this.isGlobal(fn, name) && IDENT.test(name));
  }

  /** An object named in a function, in the words of the walk that reached it. */
  resolveObj(text: string, fn: Fn, subst: ReadonlyMap<string, string> | null, root: Fn): Obj {
    let t = normObject(text);
    // A local of the function (`chip`, given one value from `card->private_data`): another function reaches the
    // same object by another road (`device->device_data`), so as a whole it may be any object.
    let anyObject = IDENT.test(t) && !fn.params.includes(t) && !this.isGlobal(fn, t);
    const aliases = this.aliases(fn);
    for (let i = 0; i < 3; i++) {
      const m = /^[A-Za-z_]\w*/.exec(t);
      if (!m || t[m[0].length] === '(') break;
      const a = aliases.get(m[0]);
      if (!a) break;
      t = normObject(a + t.slice(m[0].length));
    }
    const m = /^[A-Za-z_]\w*/.exec(t);
    let substituted = false;
    if (m && t[m[0].length] !== '(' && subst?.has(m[0]) && fn.params.includes(m[0])) {
      let v = subst.get(m[0]) as string;
      const rest = t.slice(m[0].length);
      if (v.startsWith('?')) {
        v = v.slice(1);
        if (rest === '') anyObject = true;
      }
      t = normObject(v + rest);
      substituted = true;
    }
    const global = this.globalBase(fn, t);
    const parts = partsOf(t);
    const single = parts.length === 1;
    const literal = /^"|^-?\d/.test(t);
    const opaque = anyObject || (!literal && single && (t.includes('(') || !global));
    return { text: t, opaque, rooted: global || substituted || fn === root };
  }

  /** The calls of a function and of the files' functions it calls, in the order they run, with parameters put in the caller's words. */
  walk(root: Fn, maxDepth: number, subst0: ReadonlyMap<string, string> | null = null, own: ProgramFile | null = null): Walk {
    const out: REv[] = [];
    const fns = new Set<Fn>();
    const seen = new Set<string>();
    let broken = false;
    let expansions = 0;
    const go = (fn: Fn, subst: ReadonlyMap<string, string> | null, depth: number, chain: Array<{ fn: Fn; ev: Ev }>, cond: boolean): void => {
      if (fn.broken) {
        broken = true;
        return;
      }
      fns.add(fn);
      for (const ev of this.events(fn)) {
        out.push({ ev, fn, subst, chain, cond: cond || ev.cond, seq: out.length });
        if (depth >= maxDepth || expansions >= MAX_EXPANSIONS || KNOWN_API.has(ev.name)) continue;
        const callee = this.resolve(fn.file, ev.name);
        if (!callee || callee === fn || chain.some((s) => s.fn === callee) || (own !== null && this.foreign(callee, own))) continue;
        const s = new Map<string, string>();
        callee.params.forEach((p, i) => {
          if (p && ev.argText[i] !== undefined) s.set(p, substValue(this.resolveObj(ev.argText[i], fn, subst, root)));
        });
        const key = `${callee.file.path}:${callee.name}:${[...s].map(([k, v]) => `${k}=${v}`).join(',')}`;
        if (seen.has(key)) continue;
        seen.add(key);
        expansions++;
        go(callee, s, depth + 1, [...chain, { fn, ev }], cond || ev.cond);
      }
    };
    go(root, subst0, 0, [], false);
    return { evs: out, broken, fns };
  }
}

/** A parameter's value in the caller's words; `?` before it when it may be any object. */
function substValue(o: Obj): string {
  return o.opaque ? `?${o.text}` : o.text;
}

/** Calls of the kernel's API the check knows: never expanded as the files' own helpers (a wrapper of the same name is not followed). */
const KNOWN_API = new Set<string>([...ARM_BY_NAME.keys(), ...UNDO_BY_NAME.keys(), ...FREE_CALLS.map((f) => f.call)]);

// ---------------------------------------------------------------------------------------------------
// What is armed, and what undoes it.

/** Whether a call is the kernel's (or another module's) and not a helper of the module's own files (`foo_register_notify()`). */
function apiCall(idx: Index, e: REv): boolean {
  const fn = idx.resolve(e.fn.file, e.ev.name);
  return fn === null || idx.foreign(fn, e.fn.file);
}

interface Armed {
  kind: TeardownKind;
  call: string;
  arm: ArmCall | null;
  /** The call that undoes it, named in the help and the trace. */
  undo: string;
  /** Notifiers: the names that undo it. */
  undoNames: string[];
  obj: Obj | null;
  /** As written at the arming call. */
  objText: string;
  data: Obj | null;
  /** The workqueues it was queued on, and whether on the system one. */
  wqs: Obj[];
  systemWq: boolean;
  parent: Obj | null;
  /** proc/debugfs: made at the top (a NULL parent). */
  parentNull: boolean;
  name: string | null;
  /** Where it is armed (reported there). */
  at: REv;
  /** Set up in init/probe but armed elsewhere: the set-up call. */
  setup: Armed | null;
  callback: string | null;
}

const SYSTEM_WQ = /^(?:system_wq|system_highpri_wq|system_long_wq|system_unbound_wq|system_freezable_wq|system_power_efficient_wq|system_freezable_power_efficient_wq)$/;

function armOf(idx: Index, e: REv): { arm: ArmCall | null; kind: TeardownKind; undo: string; undoNames: string[]; objArg: number | 'ret' } | null {
  if (MANAGED_PREFIX.test(e.ev.name)) return null;
  const a = ARM_BY_NAME.get(e.ev.name);
  if (a) return { arm: a, kind: a.kind, undo: a.undo, undoNames: [], objArg: a.obj };
  const names = notifierUndoNames(e.ev.name);
  if (names.length > 0 && e.ev.argText.length >= 1 && apiCall(idx, e)) {
    // The notifier_block: the argument that names one (`bus_register_notifier(&bus, &foo_nb)`), else by the call's shape.
    const named = e.ev.argText.findIndex((t) => !/^[A-Z0-9_]+$/.test(normObject(t)) && /nb\b|notif|notify/i.test(t));
    return { arm: null, kind: 'notifier', undo: names[0], undoNames: names, objArg: /_chain_register$/.test(e.ev.name) || named < 0 ? notifierArg(e.ev.name) : named };
  }
  return null;
}

function undoOf(name: string): UndoCall | undefined {
  return UNDO_BY_NAME.get(name);
}

/** Kinds an init-only call's object is armed by. */
function armsKind(init: TeardownKind, arm: TeardownKind): boolean {
  if (init === arm) return true;
  return (init === 'work' && arm === 'delayed-work') || (init === 'delayed-work' && arm === 'work');
}

const DESTROYS_CONTAINER = new Set(['kobject_put', 'kobject_del', 'device_unregister', 'device_del', 'device_destroy', 'put_device', 'platform_device_unregister', 'platform_device_del']);
const PERSISTENT_KOBJ = /^(?:kernel_kobj|firmware_kobj|power_kobj|mm_kobj|fs_kobj|hypervisor_kobj)$/;

interface Side {
  evs: REv[];
  /** The calls each undo call was given, resolved. */
  idx: Index;
  root: Fn;
}

function argObj(side: { idx: Index; root: Fn }, e: REv, i: number): Obj | null {
  const t = e.ev.argText[i];
  return t === undefined ? null : side.idx.resolveObj(t, e.fn, e.subst, side.root);
}

/** The undo calls of a side that undo the object, if any. */
function undoesOf(o: Armed, side: Side, armedAll: readonly Armed[], depth = 0): REv[] {
  const out: REv[] = [];
  for (const e of side.evs) {
    const u = undoOf(e.ev.name);
    if (o.kind === 'notifier') {
      // `snd_hdac_acomp_register_notifier(bus, NULL)`: registering nothing unregisters.
      if (e.ev.name === o.call && e.ev.argText.some((t) => /^(?:NULL|0)$/.test(normObject(t)))) {
        out.push(e);
        continue;
      }
      if (!o.undoNames.includes(e.ev.name)) continue;
      if (e.ev.argText.some((_, i) => sameObject(argObj(side, e, i), o.obj, 'notifier'))) out.push(e);
      continue;
    }
    if (o.kind === 'sysfs' && DESTROYS_CONTAINER.has(e.ev.name) && o.parent) {
      if (e.ev.argText.some((_, i) => sameObject(argObj(side, e, i), o.parent, null))) out.push(e);
      continue;
    }
    if (!u) continue;
    if ((o.kind === 'work' || o.kind === 'delayed-work') && u.kinds.includes('workqueue')) {
      // A workqueue destroyed or flushed waits for the work queued on it; not for a delayed work whose timer is pending.
      if (o.kind === 'work' && o.wqs.some((w) => sameObject(argObj(side, e, 0), w, 'workqueue'))) out.push(e);
      continue;
    }
    if (!u.kinds.includes(o.kind)) continue;
    if (u.obj === null) {
      if (o.kind === 'work' && o.systemWq) out.push(e);
      continue;
    }
    if (o.kind === 'proc' || o.kind === 'debugfs') {
      if (u.byName) {
        const n = e.ev.argText[u.obj];
        if (n !== undefined && o.name !== null && (normObject(n) === o.name || (u.recursive === true && underPath(o.name, normObject(n))))) out.push(e);
        else if (n !== undefined && argObj(side, e, u.obj)?.opaque && !/^"/.test(normObject(n))) out.push(e);
      } else {
        // debugfs_remove(debugfs_lookup("name", parent)): by name.
        const look = /^debugfs_lookup\(("(?:[^"\\]|\\.)*"|[A-Za-z_]\w*),/.exec(normObject(e.ev.argText[u.obj] ?? ''));
        if (look && o.name !== null && look[1] === o.name) out.push(e);
        else if (!look && o.obj && sameObject(argObj(side, e, u.obj), o.obj, o.kind)) out.push(e);
      }
      continue;
    }
    const x = argObj(side, e, u.obj);
    // free_irq(irq, dev_id): by its number, or by the dev_id when no other handler of the module shares it.
    const shared = o.kind === 'irq' && o.data !== null && armedAll.some((a) => a !== o && a.kind === 'irq' && a.data !== null && a.data.text === o.data?.text);
    if ((sameObject(x, o.obj, o.kind) && nearest(x, o, armedAll)) || (!shared && u.alt !== undefined && o.data && sameObject(argObj(side, e, u.alt), o.data, o.kind))) out.push(e);
  }
  // Under a parent removed with it.
  if (out.length === 0 && depth < 4 && (o.kind === 'proc' || o.kind === 'debugfs')) {
    const p = parentArmed(o, armedAll);
    if (p) return undoesOf(p, side, armedAll, depth + 1);
  }
  return out;
}

/** Whether `o` is, of the armed objects of its kind, one named most like `x` (cancel_work_sync(&dev->work) is not for `dev->ir.work`). */
function nearest(x: Obj | null, o: Armed, armedAll: readonly Armed[]): boolean {
  if (!x || !armedAll.includes(o)) return true;
  return closestAll(x, armedAll.filter((a) => armsKind(a.kind, o.kind)), o.kind).includes(o);
}

/** The directory the module made that an entry is in. */
function parentArmed(o: Armed, armed: readonly Armed[]): Armed | null {
  if (!o.parent || o.parentNull) return null;
  const parent = o.parent;
  return armed.find((a) => a !== o && a.kind === o.kind && a.obj !== null && !a.obj.opaque && (a.obj.text === parent.text || (partsOf(a.obj.text).length >= 2 && partsOf(parent.text).length >= 2 && lastKey(partsOf(a.obj.text), null) === lastKey(partsOf(parent.text), null)))) ?? null;
}

// ---------------------------------------------------------------------------------------------------
// Lifetime pairs: module_init/module_exit, a driver's probe/remove.

interface Pair {
  init: Fn;
  exit: Fn;
  file: ProgramFile;
  module: boolean;
  /** `module_exit(foo_exit)`, `foo_remove() (the driver's .remove)`. */
  exitName: L10n;
  initName: L10n;
  /** Other exits whose undos count (a driver's pair also gets the module's exit). */
  extraExits: Fn[];
  /** What is gone once the exit ran: "the device is removed". */
  gone: L10n;
}

function pairsOf(idx: Index): Pair[] {
  const out: Pair[] = [];
  for (const f of idx.files) {
    const text = idx.cleanText.get(f.path) ?? '';
    const fnIn = (name: string): Fn | null => idx.resolve(f, name);
    const exits = [...text.matchAll(/\bmodule_exit\s*\(\s*([A-Za-z_]\w*)\s*\)/g)].map((m) => m[1]);
    const inits = [...text.matchAll(/\b(?:module_init|(?:early|core|postcore|arch|subsys|fs|rootfs|device|late)_initcall(?:_sync)?)\s*\(\s*([A-Za-z_]\w*)\s*\)/g)].map((m) => m[1]);
    const moduleExit = exits.length === 1 ? fnIn(exits[0]) : null;
    if (inits.length === 1 && exits.length === 1) {
      const init = fnIn(inits[0]);
      if (init && moduleExit) out.push({ init, exit: moduleExit, file: f, module: true, exitName: { en: `module_exit(${moduleExit.name})`, zh: `module_exit(${moduleExit.name})` }, initName: { en: `module_init(${init.name})`, zh: `module_init(${init.name})` }, extraExits: [], gone: { en: 'rmmod', zh: 'rmmod' } });
    }
    // Callbacks assigned on an object at run time: `input->open = foo_open; input->close = foo_close;` (an input
    // device's users come and go: what open starts, close stops).
    for (const m of runtimeOpens(text)) {
      const obj = m[1].replace(/[.>-]/g, (c) => `\\${c}`);
      const close = new RegExp(`${obj}->close\\s*=\\s*([A-Za-z_]\\w*)\\s*;`).exec(text);
      const init = fnIn(m[2]);
      const exit = close ? fnIn(close[1]) : null;
      if (!init || !exit || init === exit) continue;
      out.push({ init, exit, file: f, module: false, exitName: { en: `${exit.name}() (its ->close)`, zh: `${exit.name}()（其 ->close）` }, initName: { en: `${init.name}() (its ->open)`, zh: `${init.name}()（其 ->open）` }, extraExits: [], gone: { en: 'the last user closes it', zh: '最后一个使用者关闭它' } });
    }
    // Driver structs: `.probe = foo_probe, .remove = foo_remove`.
    if (!SETUP_FIELD.test(text) && !/platform_driver_probe/.test(text)) continue;
    const lists = new Map<number, { node: Node; fields: Map<string, string> }>();
    for (const pair of f.root.descendantsOfType('initializer_pair')) {
      if (!pair) continue;
      const des = pair.childForFieldName('designator') ?? pair.namedChild(0);
      const field = des?.type === 'field_designator' ? des.namedChild(0)?.text : undefined;
      if (!field) continue;
      const value = pair.childForFieldName('value') ?? pair.namedChild(pair.namedChildCount - 1);
      if (!value) continue;
      let name: string | null = null;
      if (value.type === 'identifier') name = value.text;
      else if (value.type === 'call_expression') {
        const a = value.childForFieldName('arguments')?.namedChild(0);
        if (a?.type === 'identifier') name = a.text;
      } else if (value.type === 'pointer_expression') {
        const a = value.childForFieldName('argument');
        if (a?.type === 'identifier') name = a.text;
      }
      const list = pair.parent;
      if (!name || !list) continue;
      const e = lists.get(list.id) ?? { node: list, fields: new Map<string, string>() };
      e.fields.set(field, name);
      lists.set(list.id, e);
    }
    // `platform_driver_probe(&drv, foo_probe)` / module_platform_driver_probe(drv, foo_probe): the probe given beside the struct.
    const probeGiven = new Map<string, string>();
    for (const m of text.matchAll(/\b(?:module_)?platform_driver_probe\s*\(\s*&?\s*([A-Za-z_]\w*)\s*,\s*([A-Za-z_]\w*)\s*\)/g)) probeGiven.set(m[1], m[2]);
    for (const { node, fields } of lists.values()) {
      for (const dp of DRIVER_PAIRS) {
        let setupName = fields.get(dp.setup);
        if (!setupName && dp.setup === 'probe') {
          const decl = node.parent?.type === 'init_declarator' ? declaratorName(node.parent.childForFieldName('declarator'))?.text : undefined;
          if (decl) setupName = probeGiven.get(decl);
        }
        const field = dp.teardown.find((t) => fields.has(t));
        if (!setupName) continue;
        const init = fnIn(setupName);
        // No .remove: what probe arms is taken down by the devm actions it adds (`devm_add_action_or_reset(dev, foo_stop, p)`).
        if (!field && init && dp.setup.startsWith('probe')) {
          const actions = [...init.body.text.matchAll(/\bdevm_add_action(?:_or_reset)?\s*\(\s*[^,;]{1,120},\s*([A-Za-z_]\w*)\s*,/g)].map((m) => fnIn(m[1])).filter((x): x is Fn => x !== null);
          const [exit, ...more] = actions;
          if (exit) out.push({ init, exit, file: f, module: false, exitName: { en: `${exit.name}() (the devm action ${init.name}() adds)`, zh: `${exit.name}()（${init.name}() 添加的 devm 动作）` }, initName: { en: `${init.name}() (the driver's .${dp.setup})`, zh: `${init.name}()（驱动的 .${dp.setup}）` }, extraExits: [...more, ...(moduleExit ? [moduleExit] : [])], gone: dp.gone });
          continue;
        }
        if (!field) continue;
        const exit = fnIn(fields.get(field) as string);
        if (!init || !exit) continue;
        out.push({ init, exit, file: f, module: false, exitName: { en: `${exit.name}() (the driver's .${field})`, zh: `${exit.name}()（驱动的 .${field}）` }, initName: { en: `${init.name}() (the driver's .${dp.setup})`, zh: `${init.name}()（驱动的 .${dp.setup}）` }, extraExits: moduleExit ? [moduleExit] : [], gone: dp.gone });
      }
    }
  }
  return out;
}

/** Functions the core calls when something goes away, in a file: `.ndo_stop = foo_close`, `devm_add_action(dev, foo_cleanup, p)`, `foo_release` that no one calls. */
function teardownCallbacks(idx: Index, file: ProgramFile, cache: Map<string, Fn[]>): Fn[] {
  const hit = cache.get(file.path);
  if (hit) return hit;
  const out = new Set<Fn>();
  const text = idx.cleanText.get(file.path) ?? '';
  for (const m of text.matchAll(/(?:\.|->)\s*([A-Za-z_]\w*)\s*=\s*(?:[A-Za-z_]\w*_p\s*\(\s*|&\s*)?([A-Za-z_]\w*)/g)) {
    if (!TEARDOWN_FIELD.test(m[1])) continue;
    const fn = idx.resolve(file, m[2]);
    if (fn) out.add(fn);
  }
  const called = idx.calledIn(dirOf(file.path));
  for (const fn of idx.fnsOf(file)) {
    for (const e of idx.events(fn)) {
      const r = TEARDOWN_REGISTRARS.find((x) => x.call === e.name);
      const a = r ? normObject(e.argText[r.arg] ?? '') : '';
      if (r && IDENT.test(a)) {
        const cb = idx.resolve(file, a);
        if (cb) out.add(cb);
      }
    }
    if (/(?:^|_)(?:remove|disconnect|release|stop|close|shutdown|exit|destroy|free|unbind|detach|teardown|cleanup|uninit|deinit|fini|unregister|destruct)$/.test(fn.name) && !called.has(fn.name)) out.add(fn);
  }
  const list = [...out];
  cache.set(file.path, list);
  return list;
}

// ---------------------------------------------------------------------------------------------------
// The texts.

function consequence(o: Armed, module: boolean, gone: L10n): L10n {
  if (o.kind === 'kthread') return module ? { en: 'after rmmod the thread runs on in freed module text', zh: 'rmmod 之后该线程仍在已释放的模块代码中运行' } : { en: `after ${gone.en} the thread runs on, on freed data`, zh: `${gone.zh}后该线程仍在运行，访问已释放的数据` };
  if (o.call === 'debugfs_create_dir' || o.call === 'proc_mkdir' || o.call === 'proc_mkdir_data' || o.call === 'proc_mkdir_mode') return { en: `the directory is left behind${module ? ' after rmmod' : ''}, and the next load cannot create it again`, zh: `该目录被遗留下来${module ? '（rmmod 之后）' : ''}，下次加载时无法再创建它` };
  if (o.kind === 'workqueue') return module ? { en: 'its workers stay, and work still queued on it runs after rmmod in freed module text', zh: '它的工作线程留了下来，仍在其上排队的工作会在 rmmod 之后于已释放的模块代码中运行' } : { en: 'its workers stay, and work still queued on it runs on freed data', zh: '它的工作线程留了下来，仍在其上排队的工作会访问已释放的数据' };
  if (FIRING_KINDS.has(o.kind)) return module ? { en: 'after rmmod it can fire into freed module text', zh: 'rmmod 之后它仍可能触发，跳进已释放的模块代码' } : { en: `after ${gone.en} it can still run, on freed data (and, once the module is gone, in freed text)`, zh: `${gone.zh}后它仍可能运行，访问已释放的数据（模块卸载后更会跳进已释放的代码）` };
  return module ? { en: 'it stays registered after rmmod, with callbacks into freed module text', zh: 'rmmod 之后它仍处于注册状态，回调指向已释放的模块代码' } : { en: `it stays registered after ${gone.en}, with callbacks on freed data`, zh: `${gone.zh}后它仍处于注册状态，回调访问已释放的数据` };
}

function helpCall(o: Armed): string {
  const a = o.at.ev;
  if (o.kind === 'irq' && o.arm?.data !== undefined) return `${o.undo}(${squash(a.argText[o.arm.obj as number] ?? '')}, ${squash(a.argText[o.arm.data] ?? '')})`;
  if (o.kind === 'proc' && o.name !== null && o.arm?.parent !== undefined) return `${o.undo}(${o.name}, ${squash(a.argText[o.arm.parent] ?? 'NULL')})`;
  return `${o.undo}(${o.objText})`;
}

function squash(t: string): string {
  return t.replace(/\s+/g, ' ').trim();
}

function chainTrace(e: REv): Array<{ file: string; site: Site; note: L10n }> {
  return e.chain.map((s) => ({ file: s.fn.file.path, site: s.ev.site, note: { en: `${s.fn.name}() calls ${s.ev.name}()`, zh: `${s.fn.name}() 调用 ${s.ev.name}()` } }));
}

// ---------------------------------------------------------------------------------------------------
// The check.

/** `obj->open = fn;` assignments: [text, obj, fn], found from each `->open` (no scan of the whole file at every offset). */
function runtimeOpens(text: string): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  for (let at = text.indexOf('->open'); at >= 0; at = text.indexOf('->open', at + 6)) {
    const after = /^->open\s*=\s*([A-Za-z_]\w*)\s*;/.exec(text.slice(at, at + 120));
    if (!after) continue;
    let from = at;
    while (from > 0 && at - from < 80 && /[\w.>-]/.test(text[from - 1])) from--;
    const obj = text.slice(from, at).replace(/^[^A-Za-z_]+/, '');
    if (obj !== '') out.push([text.slice(from, at) + after[0], obj, after[1]]);
  }
  return out;
}

/** `"fs/xfs/stat"` is under `"fs/xfs"`: a proc path made by name, removed with the directory above it. */
function underPath(name: string, dir: string): boolean {
  return name.startsWith('"') && dir.startsWith('"') && dir.length > 2 && name.startsWith(`${dir.slice(0, -1)}/`);
}

/** A driver struct's set-up field being filled in (`.probe = `, `.probe_new = `, `.connect = `...). */
const SETUP_FIELD = new RegExp(`\\.\\s*(?:${DRIVER_PAIRS.map((d) => d.setup).join('|')})\\s*=`);

export const teardownMeta: CheckMeta = {
  id: 'KT-check-teardown',
  rootCauseClass: 'dangling-callback-after-unload',
  summary: {
    en: 'A timer, work item, tasklet, thread, IRQ handler, notifier, proc/debugfs/sysfs entry, netdevice or driver armed in module_init/probe that module_exit/remove (or an error return of init/probe) leaves armed',
    zh: 'module_init/probe 中启动或注册的定时器、工作项、tasklet、线程、中断处理函数、通知链、proc/debugfs/sysfs 条目、网络设备或驱动，在 module_exit/remove（或 init/probe 的出错返回）中未被撤销',
  },
  docs: {
    en: `Pairs each module's module_init() with its module_exit(), and each driver's .probe with its
.remove (or .disconnect), from module_init()/module_exit() and module_*_driver() and the driver
structs' designated initialisers. Everything the init side arms or registers, directly or through the
files' own functions it calls (timers given to mod_timer()/add_timer(), hrtimers, work items and
delayed work, tasklets, kthreads, workqueues, IRQ handlers, notifiers, proc/debugfs/sysfs entries,
netdevices, misc and character devices, drivers, filesystems), and every timer, work item or tasklet
it sets up that the module arms anywhere, must be undone on the exit side: in the exit function, a
helper it calls, or a callback the core calls on the way down (.ndo_stop, a devm action, a release).
Objects are compared by what they are (\`&priv->timer\` and \`dev->timer\` are the same field; a local
of unknown origin may be any). Otherwise, after rmmod (or unbind) the callback fires into freed module
text or freed data (seed 002: a timer armed in init, never del_timer_sync()ed in exit, hard-locked the
machine once it fired). A missing undo is reported in the exit function, where the fix goes (before its
first free of the data, else at its end), with the arming call first in the trace. ACPI drivers' .add
and .remove, and components' .bind and .unbind, are such pairs too. Also reported: the data an armed
object lives in (or a global its callback reads) freed by the exit side before the object is cancelled; a timer or work that re-arms itself stopped only with del_timer() or
cancel_work() (they do not wait for a running callback, which arms it again); and an error return of
init/probe after the arming whose path (its goto ladder included) does not undo it. Managed resources
(devm_*, devm_delayed_work_autocancel...) need no teardown and are not reported. Fix: cancel or
unregister in the exit function (and on the error path), with the _sync form, before the data is freed.`,
    zh: `把每个模块的 module_init() 与其 module_exit() 配对，把每个驱动的 .probe 与其 .remove（或 .disconnect）配对，
依据是 module_init()/module_exit()、module_*_driver() 以及驱动结构体的指定初始化器。初始化一侧直接或经本文件的函数
启动或注册的一切（交给 mod_timer()/add_timer() 的定时器、高精度定时器、工作项与延迟工作、tasklet、内核线程、
工作队列、中断处理函数、通知链、proc/debugfs/sysfs 条目、网络设备、misc 与字符设备、驱动、文件系统），以及它
初始化、并在模块任何地方启动的定时器、工作项或 tasklet，都必须在退出一侧撤销：在退出函数中、在它调用的辅助函数中，
或在内核拆除时调用的回调中（.ndo_stop、devm action、release）。对象按其身份比较（\`&priv->timer\` 与 \`dev->timer\`
是同一字段；来历不明的局部变量可能是任何对象）。否则 rmmod（或解绑）之后回调会跳进已释放的模块代码或数据（seed 002：
init 中启动的定时器在 exit 中从未 del_timer_sync()，触发时机器硬死锁）。缺少的撤销报告在退出函数中、即修复所在之处（在它第一次释放数据之前，否则在函数末尾），
启动它的调用列在追踪的第一步。ACPI 驱动的 .add 与 .remove、组件的 .bind 与 .unbind 也是这样的配对。同时报告：退出一侧先释放了
被启动对象所在的数据（或其回调读取的全局数据）、后才取消该对象；自我重新启动的定时器或工作只用 del_timer() 或 cancel_work() 停止（它们不等待正在运行的回调，而回调会再次
启动它）；以及 init/probe 在启动之后的出错返回，其路径（包括 goto 标签链）没有撤销它。托管资源（devm_*、
devm_delayed_work_autocancel……）无需拆除，不报告。修复：在退出函数（以及出错路径）中，在释放数据之前用 _sync 形式取消或注销。`,
  },
  references: [
    'Documentation/driver-api/basics.rst (del_timer_sync, timer_shutdown_sync)',
    'include/linux/workqueue.h: cancel_work_sync, cancel_delayed_work_sync',
    'Documentation/driver-api/driver-model/driver.rst (probe and remove)',
    'kernel/time/timer.c: del_timer_sync "callers must prevent restarting of the timer"',
  ],
};

/** Whether the object of an arming call is one the module keeps (a kthread result stored where exit can see it). */
function armedObjects(idx: Index, side: Walk, root: Fn): Armed[] {
  const out: Armed[] = [];
  for (const e of side.evs) {
    const a = armOf(idx, e);
    if (!a) continue;
    const side0 = { idx, root };
    let obj: Obj | null = null;
    let objText = '';
    if (a.objArg === 'ret') {
      if (e.ev.target !== null) {
        objText = squash(e.ev.target);
        obj = idx.resolveObj(e.ev.target, e.fn, e.subst, root);
        // A local: where the function stores it (`priv->task = t`).
        if (obj.opaque && IDENT.test(obj.text)) {
          const st = idx.stores(e.fn).get(normObject(e.ev.target));
          if (st && st.length > 0) {
            obj = idx.resolveObj(st[0], e.fn, e.subst, root);
            objText = st[0];
          } else if (a.kind === 'kthread') continue;
        }
      } else if (a.kind === 'kthread' || a.kind === 'workqueue') continue;
    } else {
      if (e.ev.argText[a.objArg] === undefined) continue;
      objText = squash(e.ev.argText[a.objArg]);
      obj = argObj(side0, e, a.objArg);
    }
    const arm = a.arm;
    const parentText = arm?.parent !== undefined ? e.ev.argText[arm.parent] : undefined;
    const parent = parentText !== undefined ? argObj(side0, e, arm?.parent as number) : null;
    out.push({
      kind: a.kind,
      call: e.ev.name,
      arm,
      undo: a.undo,
      undoNames: a.undoNames,
      obj,
      objText,
      data: arm?.data !== undefined ? argObj(side0, e, arm.data) : null,
      wqs: arm?.wq !== undefined && e.ev.argText[arm.wq] !== undefined ? [argObj(side0, e, arm.wq) as Obj] : [],
      systemWq: arm?.wq === undefined || SYSTEM_WQ.test(normObject(e.ev.argText[arm.wq] ?? '')),
      parent,
      parentNull: parentText === undefined || /^(?:NULL|0)$/.test(normObject(parentText)),
      name: arm?.name !== undefined && e.ev.argText[arm.name] !== undefined ? normObject(e.ev.argText[arm.name]) : null,
      at: e,
      setup: null,
      callback: arm?.callback !== undefined ? normObject(e.ev.argText[arm.callback] ?? '') : null,
    });
  }
  return out;
}

/** An undo of the object later in the same function as its arming, on the straight path (not an error branch): armed only for a while. */
function undoneInPlace(o: Armed, initSide: Walk, idx: Index, root: Fn, armed: readonly Armed[]): boolean {
  const after = initSide.evs.filter((e) => e.seq > o.at.seq && e.fn === o.at.fn && !e.ev.cond && !afterLabel(e.fn, e.ev.pos));
  return undoesOf(o, { evs: after, idx, root }, armed).length > 0;
}

function afterLabel(fn: Fn, pos: number): boolean {
  for (const l of fn.body.descendantsOfType('labeled_statement')) if (l && l.startIndex < pos) return true;
  return false;
}

export function teardown(p: Program): ProgramDraft[] {
  const idx = new Index(p.files);
  const out: ProgramDraft[] = [];
  const reported = new Set<string>();
  const cbCache = new Map<string, Fn[]>();
  const dirCache = new Map<string, REv[]>();
  // Once per place; a missing undo once per object armed (several can be missing from one exit).
  const push = (d: ProgramDraft, k = `${d.file}:${d.site.line}:${d.site.column}`): void => {
    if (reported.has(k)) return;
    reported.add(k);
    out.push(d);
  };
  // A driver's pairs first: what its probe arms is its remove's to undo, even when module_init reaches the probe.
  const pairs = pairsOf(idx);
  for (const pair of [...pairs.filter((x) => !x.module), ...pairs.filter((x) => x.module)]) {
    if (pair.init.broken || pair.exit.broken || pair.init === pair.exit) continue;
    // The init side stays in the module's directory: what another module's API (usb_add_hcd()) arms inside is undone by its own counterpart.
    const initSide = idx.walk(pair.init, INIT_DEPTH, null, pair.file);
    const exitWalk = idx.walk(pair.exit, EXIT_DEPTH);
    if (exitWalk.broken) continue;
    // The exit side: the exit function, the module's exit for a driver, and the callbacks the core runs on the way down.
    // With the files the walks reach, those the Makefile builds into the same module (the ops of rkvdec-h264.c arm what rkvdec.c's probe set up).
    const files = new Set<ProgramFile>([pair.file, ...[...initSide.fns, ...exitWalk.fns].map((f) => f.file).filter((f) => dirOf(f.path) === dirOf(pair.file.path)), ...idx.files.filter((f) => f.path.endsWith('.c') && sameComposite(f.path, pair.file.path))]);
    const initFns = new Set([...initSide.fns].map((f) => f.name));
    const exitEvs: REv[] = [...exitWalk.evs];
    let broken = false;
    const extra = new Set<Fn>(pair.extraExits);
    for (const f of files) for (const cb of teardownCallbacks(idx, f, cbCache)) if (!initFns.has(cb.name) && cb !== pair.exit) extra.add(cb);
    for (const x of extra) {
      const w = idx.walk(x, EXIT_DEPTH);
      if (w.broken && x === pair.extraExits[0]) broken = true;
      for (const e of w.evs) exitEvs.push({ ...e, seq: exitEvs.length, cond: true });
    }
    if (broken) continue;
    const exitSide: Side = { evs: exitEvs, idx, root: pair.exit };
    // Everything every function of the files involved calls: where a timer set up in probe is armed.
    const unitEvs: REv[] = [];
    for (const f of files) for (const fn of idx.fnsOf(f)) if (!fn.broken) for (const ev of idx.events(fn)) unitEvs.push({ ev, fn, subst: null, chain: [], cond: ev.cond, seq: unitEvs.length });
    const managed: Obj[] = [];
    for (const e of unitEvs) {
      const m = MANAGED_INIT.find((x) => x.call === e.ev.name);
      if (m && e.ev.argText[m.obj] !== undefined) managed.push(idx.resolveObj(e.ev.argText[m.obj], e.fn, null, e.fn));
    }
    const all = armedObjects(idx, initSide, pair.init);
    const direct = all.filter((o) => !o.arm?.initOnly);
    // Set up on the init side, armed anywhere in the files (an IRQ handler's schedule_work()).
    const elsewhere: Armed[] = [];
    const unitAll = armedObjects(idx, { evs: unitEvs, broken: false, fns: new Set() }, pair.init);
    let suspends: Set<string> | null = null;
    let completions: Set<string> | null = null;
    const unit: Unit = {
      idx,
      get suspends() {
        return (suspends ??= suspendCallbacks(idx, files));
      },
      get completions() {
        return (completions ??= completionCallbacks(unitEvs, unitAll));
      },
    };
    const unitArms = unitAll.filter((o) => !o.arm?.initOnly);
    // The callback of what was armed: from the call that set it up.
    for (const o of direct) {
      if (o.callback !== null || (o.kind !== 'timer' && o.kind !== 'work' && o.kind !== 'delayed-work')) continue;
      const s = [...all, ...unitAll].find((x) => x.arm?.initOnly && x.callback && armsKind(x.kind, o.kind) && x.obj && o.obj && !x.obj.opaque && sameObject(x.obj, o.obj, o.kind));
      if (s) o.callback = s.callback;
    }
    const setups = all.filter((o) => o.arm?.initOnly);
    // Statically defined ones (DEFINE_TIMER, DECLARE_WORK, DECLARE_TASKLET) live as long as the module: armed
    // by the module or a device of its driver, they are stopped by its exit or the device's remove.
    // Code that cannot be unloaded (built in: no module_exit, no module_*_driver()) never frees them.
    const unloadable = (t: string): boolean => /\bmodule_exit\s*\(|\bmodule_\w+_driver\s*\(/.test(t);
    if (pair.module || unloadable(idx.cleanText.get(pair.file.path) ?? '')) {
      const text = idx.cleanText.get(pair.file.path) ?? '';
      for (const m of text.matchAll(/\b(DEFINE_TIMER|DECLARE_WORK|DECLARE_DELAYED_WORK|DECLARE_DEFERRABLE_WORK|DECLARE_TASKLET(?:_DISABLED)?(?:_OLD)?)\s*\(\s*([A-Za-z_]\w*)\s*,\s*([A-Za-z_]\w*)/g)) {
        const kind: TeardownKind = m[1] === 'DEFINE_TIMER' ? 'timer' : m[1] === 'DECLARE_WORK' ? 'work' : m[1].startsWith('DECLARE_TASKLET') ? 'tasklet' : 'delayed-work';
        for (const o of unitArms) {
          if (!armsKind(kind, o.kind) || !o.obj || o.obj.opaque || o.obj.text !== m[2] || o.at.fn.file !== pair.file) continue;
          if (direct.some((d) => d.kind === o.kind && d.obj?.text === o.obj?.text)) continue;
          elsewhere.push({ ...o, callback: m[3] });
        }
      }
    }
    for (const s of setups) {
      if (direct.some((d) => armsKind(s.kind, d.kind) && sameObject(d.obj, s.obj, s.kind) && !d.obj?.opaque)) continue;
      if (s.obj === null || s.obj.opaque) continue;
      const arms = closestAll(s.obj, unitArms.filter((o) => armsKind(s.kind, o.kind) && o.obj !== null && !o.obj.opaque), s.kind);
      const arm = arms.find((o) => !exitWalk.fns.has(o.at.fn));
      if (arm) elsewhere.push({ ...arm, setup: s, callback: s.callback, wqs: arms.flatMap((o) => o.wqs), systemWq: arms.some((o) => o.systemWq) });
    }
    const armed = [...direct, ...elsewhere];
    const done = new Set<string>();
    for (const o of armed) {
      if (o.obj && managed.some((m) => sameObject(m, o.obj, o.kind))) continue;
      const key = `${o.kind}:${o.obj?.text ?? o.name ?? o.objText}`;
      if (done.has(key)) continue;
      done.add(key);
      if (!reportable(o, pair, idx)) continue;
      // Work queued with more arguments elsewhere: every queue it goes on.
      if (o.kind === 'work' || o.kind === 'delayed-work') {
        for (const u of o.obj ? closestAll(o.obj, unitArms.filter((x) => (x.kind === 'work' || x.kind === 'delayed-work') && x.obj && !x.obj.opaque), o.kind) : []) {
          o.wqs.push(...u.wqs);
          if (u.systemWq) o.systemWq = true;
        }
      }
      if (o.setup === null && undoneInPlace(o, initSide, idx, pair.init, armed)) continue;
      if (holdsReference(idx, o)) continue;
      const undos = undoesOf(o, exitSide, armed);
      // Armed at run time and cancelled at run time (a transfer's timeout timer, del_timer_sync()ed when the transfer ends): its life is not the device's.
      // Not a cancel in a suspend callback (remove comes without one), nor one only the job's own completion makes
      // (an IRQ handler's cancel of the watchdog: a job still running at remove leaves it pending).
      if (undos.length === 0 && o.setup !== null && runTimeLife(o, undoesOf(o, { evs: [...unitEvs, ...dirEvents(idx, dirOf(pair.file.path), dirCache)].filter((e) => !initSide.fns.has(e.fn)), idx, root: pair.init }, armed), unitArms, unit)) continue;
      if (undos.length === 0) {
        if (o.kind === 'proc' || o.kind === 'debugfs') {
          // Under a directory of its own: reported there.
          if (parentArmed(o, armed)) continue;
          if (!o.parentNull && !(o.parent && IDENT.test(o.parent.text) && !o.parent.opaque) && !/^init_net\.proc_net$/.test(o.parent?.text ?? '')) continue;
        }
        // Its siblings (made by the same function, of its kind) undone in a helper of the exit: the fix goes beside them.
        const sibling = armed.filter((a) => a !== o && a.kind === o.kind && a.at.fn === o.at.fn).flatMap((a) => undoesOf(a, { evs: exitWalk.evs, idx, root: pair.exit }, armed)).find((u) => u.fn !== pair.exit && !u.fn.broken) ?? null;
        push(missingUndo(o, pair, idx, sibling), `armed:${o.at.fn.file.path}:${o.at.ev.site.line}:${o.at.ev.site.column}`);
        continue;
      }
      const rearm = selfRearm(o, idx, pair.file);
      if (rearm && undos.every((u) => undoOf(u.ev.name)?.sync === false && !u.ev.refDrop)) {
        const first = undos.find((u) => u.fn.file.path === pair.exit.file.path) ?? undos[0];
        push(rearmed(o, first, rearm, pair));
      }
    }
    // The order on the exit side: the data freed, then the cancel.
    for (const d of badOrder(idx, exitWalk, pair, armed)) push(d);
    // Error returns of init/probe that leave something armed.
    // What the init side undoes itself before going on (a wait's timeout timer, deleted once the wait is over) is armed on no error path.
    const outstanding = direct.filter((o) => !undoneInPlace(o, initSide, idx, pair.init, armed));
    for (const d of failurePaths(idx, pair, outstanding, managed, [...extra])) push(d);
  }
  return out;
}

interface Unit {
  idx: Index;
  /** Functions the PM core calls to suspend the device. */
  suspends: ReadonlySet<string>;
  /** Functions run when something completes or fires: IRQ handlers, timer and work callbacks, URB completions. */
  completions: ReadonlySet<string>;
}

const PM_MACRO_ARG: ReadonlyMap<string, number> = new Map(PM_SUSPEND_MACROS.map((x) => [x.macro, x.arg]));
const PM_MACRO_CALL = new RegExp(`\\b(${PM_SUSPEND_MACROS.map((x) => x.macro).join('|')})\\s*\\(`, 'g');

/** The suspend callbacks the files name in a PM macro or a `struct dev_pm_ops` field. */
function suspendCallbacks(idx: Index, files: ReadonlySet<ProgramFile>): Set<string> {
  const out = new Set<string>();
  const name = (t: string | undefined): string | null => {
    const m = /^\s*(?:pm_(?:sleep_)?ptr\s*\(\s*)?&?\s*([A-Za-z_]\w*)/.exec(t ?? '');
    return m && m[1] !== 'NULL' ? m[1] : null;
  };
  for (const f of files) {
    const text = idx.cleanText.get(f.path) ?? '';
    if (!/PM_OPS|suspend|freeze|poweroff/.test(text)) continue;
    for (const m of text.matchAll(PM_MACRO_CALL)) {
      const open = (m.index ?? 0) + m[0].length - 1;
      const close = closeOf(text, open);
      if (close < 0) continue;
      const n = name(splitTop(text.slice(open + 1, close - 1), ',')[PM_MACRO_ARG.get(m[1]) ?? 0]);
      if (n) out.add(n);
    }
    for (const m of text.matchAll(/\.\s*([a-z_]{1,24})\s*=\s*(?:pm_(?:sleep_)?ptr\s*\(\s*)?&?\s*([A-Za-z_]\w*)/g)) if (PM_SUSPEND_FIELDS.test(m[1])) out.add(m[2]);
  }
  return out;
}

const COMPLETION_ARGS: ReadonlyMap<string, number[]> = (() => {
  const m = new Map<string, number[]>();
  for (const r of [...ATOMIC_CALLBACK_REGISTRARS, ...THREADED_HANDLERS]) m.set(r.call, [...(m.get(r.call) ?? []), r.arg]);
  return m;
})();

/** The callbacks the files register to run when something fires or completes. */
function completionCallbacks(evs: readonly REv[], armed: readonly Armed[]): Set<string> {
  const out = new Set<string>();
  for (const e of evs) {
    for (const i of COMPLETION_ARGS.get(e.ev.name) ?? []) {
      const cb = normObject(e.ev.argText[i] ?? '');
      if (IDENT.test(cb)) out.add(cb);
    }
  }
  for (const a of armed) if (a.callback && IDENT.test(a.callback)) out.add(a.callback);
  return out;
}

/**
 * Whether a cancel made at run time bounds the life of what is armed at run time: made in a function that is neither
 * a suspend callback nor a completion (the .stop_streaming, .ndo_stop, release the core runs before remove), or made
 * by the completion of a job whose starter waits for it to end (a transfer that waits for its completion, whose IRQ
 * handler deletes the timeout timer), or in the very function that armed it.
 */
function runTimeLife(o: Armed, undos: readonly REv[], unitArms: readonly Armed[], unit: Unit): boolean {
  const arms = o.obj && !o.obj.opaque ? closestAll(o.obj, unitArms.filter((a) => armsKind(a.kind, o.kind)), o.kind) : [];
  const armFns = new Set(arms.map((a) => a.at.fn));
  const waits = [...armFns].some((f) => unit.idx.events(f).some((e) => WAITS_FOR_END.test(e.name)));
  return undos.some((u) => !unit.suspends.has(u.fn.name) && (!unit.completions.has(u.fn.name) || waits || armFns.has(u.fn)));
}

/**
 * The arming function takes a reference on the data the object is in (`hub_get(hub); ... queue_delayed_work(wq,
 * &hub->init_work, d)`, `if (schedule_work(&i->w)) usb_get_intf(i)`): the callback owns it and drops it, the data outlives remove.
 */
function holdsReference(idx: Index, o: Armed): boolean {
  if (o.kind !== 'work' && o.kind !== 'delayed-work' && o.kind !== 'timer' && o.kind !== 'hrtimer' && o.kind !== 'tasklet') return false;
  if (!o.obj) return false;
  const base = partsOf(o.obj.text)[0];
  return idx.events(o.at.fn).some((e) => {
    if (!/^(?:kref_get|kobject_get|get_device|\w+_get|\w+_get_(?:intf|dev|device|ref))$/.test(e.name) || /^(?:pm_runtime|devm_|clk_|regulator_|gpiod_|of_|fwnode_|irq_|module_|try_module)/.test(e.name)) return false;
    const x = e.argText[0] !== undefined ? idx.resolveObj(e.argText[0], o.at.fn, o.at.subst, o.at.fn) : null;
    return x !== null && (x.text === base || x.text.startsWith(`${base}.`));
  });
}

/** Every call of the functions of a directory's headers (static inlines a module's files share), as seen from nowhere. */
function dirEvents(idx: Index, dir: string, cache: Map<string, REv[]>): REv[] {
  let evs = cache.get(dir);
  if (evs) return evs;
  evs = [];
  for (const fn of idx.fns) if (fn.dir === dir && !fn.broken && fn.file.path.endsWith('.h')) for (const ev of idx.events(fn)) evs.push({ ev, fn, subst: null, chain: [], cond: ev.cond, seq: evs.length });
  cache.set(dir, evs);
  return evs;
}

/** Kinds and shapes that are reported: a kthread that watches kthread_should_stop(), a sysfs entry on a device that outlives the driver... */
function reportable(o: Armed, pair: Pair, idx: Index): boolean {
  if (o.obj === null && o.kind !== 'proc' && o.kind !== 'debugfs') return false;
  if (o.at.fn.file.text.length === 0) return false;
  if (o.kind === 'kthread') {
    const name = o.callback && IDENT.test(o.callback) ? o.callback : null;
    const fn = name ? idx.resolve(o.at.fn.file, name) : null;
    // A thread that ends on its own is no thread to stop.
    if (!fn || !fn.body.text.includes('kthread_should_stop')) return false;
  }
  if (o.kind === 'sysfs') {
    const c = o.parent;
    if (!c) return false;
    if (pair.module) return PERSISTENT_KOBJ.test(c.text);
    // On the device the driver is bound to (it stays when the driver goes): `&pdev->dev`, `&client->dev.kobj`.
    const base = /^[A-Za-z_]\w*/.exec(c.text)?.[0];
    return base !== undefined && pair.init.params.includes(base);
  }
  if (o.kind === 'proc' || o.kind === 'debugfs') return o.obj !== null || o.name !== null;
  return true;
}

function missingUndo(o: Armed, pair: Pair, idx: Index, sibling: REv | null = null): ProgramDraft {
  const globalObj = (x: Armed): boolean => x.obj !== null && idx.globalBase(x.at.fn, x.obj.text);
  const kind = KIND_TEXT[o.kind].name;
  const verb = KIND_TEXT[o.kind].undo;
  const c = consequence(o, pair.module, pair.gone);
  const trace = chainTrace(o.at);
  if (o.setup) {
    const s = o.setup.at;
    trace.unshift(...chainTrace(s), { file: s.fn.file.path, site: s.ev.site, note: { en: `${s.ev.name}() sets it up in ${s.fn.name}(), on the ${pair.module ? 'init' : 'probe'} side`, zh: `${s.ev.name}() 在 ${s.fn.name}() 中初始化它（${pair.module ? 'init' : 'probe'} 一侧）` } });
  }
  trace.push({ file: pair.exit.file.path, site: siteOf(pair.exit.nameNode), note: { en: `${pair.exitName.en} does not ${o.undo}() it`, zh: `${pair.exitName.zh} 没有对它调用 ${o.undo}()` } });
  const where = o.setup ? o.at.fn.name : pair.init.name;
  // A global a probe sets up once (under a test, the first device only): module_exit is where it goes. Set up by
  // every probe, remove undoes it, as a second device's probe would make it again.
  const modExit = !pair.module && pair.extraExits.length > 0 && o.at.ev.cond && o.obj !== null && !o.obj.opaque && !partsOf(o.obj.text)[0].includes('(') && globalObj(o) ? pair.extraExits[0] : null;
  const exitFn = modExit ?? sibling?.fn ?? pair.exit;
  if (sibling && !modExit) trace.push({ file: sibling.fn.file.path, site: sibling.ev.site, note: { en: `${sibling.ev.name}() undoes what ${o.at.fn.name}() made beside it, in ${sibling.fn.name}()`, zh: `${sibling.ev.name}() 在 ${sibling.fn.name}() 中撤销了 ${o.at.fn.name}() 一同创建的对象` } });
  if (modExit) trace.push({ file: modExit.file.path, site: siteOf(modExit.nameNode), note: { en: `module_exit(${modExit.name}) does not ${o.undo}() it either`, zh: `module_exit(${modExit.name}) 也没有对它调用 ${o.undo}()` } });
  const ret = o.arm?.obj === 'ret';
  const armVerb: L10n = o.kind === 'kthread' ? { en: 'starts', zh: '启动' } : o.kind === 'workqueue' ? { en: 'allocates', zh: '分配' } : o.kind === 'proc' || o.kind === 'debugfs' || o.kind === 'sysfs' ? { en: 'creates', zh: '创建' } : FIRING_KINDS.has(o.kind) ? { en: 'arms', zh: '启动' } : { en: 'registers', zh: '注册' };
  const help: L10n =
    o.kind === 'timer'
      ? { en: `call timer_shutdown_sync(${o.objText}) (or del_timer_sync()) in ${exitFn.name}() before the data is freed`, zh: `在 ${exitFn.name}() 中、释放数据之前调用 timer_shutdown_sync(${o.objText})（或 del_timer_sync()）` }
      : FIRING_KINDS.has(o.kind)
        ? { en: `call ${helpCall(o)} in ${exitFn.name}() before the data is freed`, zh: `在 ${exitFn.name}() 中、释放数据之前调用 ${helpCall(o)}` }
        : { en: `call ${helpCall(o)} in ${exitFn.name}()`, zh: `在 ${exitFn.name}() 中调用 ${helpCall(o)}` };
  // Reported where the fix goes, in the exit; where it is armed leads the trace.
  trace.unshift({ file: o.at.fn.file.path, site: o.at.ev.site, note: { en: `${o.call}() ${armVerb.en} it in ${o.at.fn.name}()`, zh: `${o.call}() 在 ${o.at.fn.name}() 中${armVerb.zh}它` } });
  return {
    file: exitFn.file.path,
    function: exitFn.name,
    site: sibling && !modExit ? sibling.ev.site : undoSite(exitFn),
    message: {
      en: `${o.call}(${ret ? '' : o.objText}) ${armVerb.en} the ${kind.en}${ret ? ` ${o.objText}` : ''} (${o.setup ? `set up in ${pair.initName.en}, armed in ${where}()` : `from ${pair.initName.en}`}), and ${pair.exitName.en} never ${verb.en} it: ${c.en}`,
      zh: `${o.call}(${ret ? '' : o.objText}) ${armVerb.zh}了${kind.zh}${ret ? ` ${o.objText}` : ''}（${o.setup ? `在 ${pair.initName.zh} 中初始化，在 ${where}() 中启动` : `来自 ${pair.initName.zh}`}），而 ${pair.exitName.zh} 从未${verb.zh}它：${c.zh}`,
    },
    trace,
    help,
  };
}

/** Where an undo an exit lacks belongs: before the exit's first free of data, else at the end of its body. */
function undoSite(exit: Fn): Site {
  for (const c of exit.body.descendantsOfType('call_expression')) {
    const name = c.childForFieldName('function')?.text;
    if (name !== undefined && FREE_CALLS.some((f) => f.call === name)) return siteOf(c.parent?.type === 'expression_statement' ? c.parent : c);
  }
  const close = exit.body.children[exit.body.children.length - 1];
  return siteOf(close && close.type === '}' ? close : exit.nameNode);
}

/** The callback of a timer or work that arms its own object again: the re-arming call. */
function selfRearm(o: Armed, idx: Index, file: ProgramFile): REv | null {
  if (o.kind !== 'timer' && o.kind !== 'work' && o.kind !== 'delayed-work') return null;
  let cbName = o.callback && IDENT.test(o.callback) ? o.callback : null;
  if (!cbName && o.obj) {
    // `t.function = cb` (the old timer API).
    const text = idx.cleanText.get(file.path) ?? '';
    const last = lastKey(partsOf(o.obj.text), o.kind);
    const m = new RegExp(`\\b${last}\\s*(?:\\.|->)\\s*(?:function|func)\\s*=\\s*&?\\s*([A-Za-z_]\\w*)\\s*;`).exec(text);
    if (m) cbName = m[1];
  }
  const cb = cbName ? idx.resolve(file, cbName) : null;
  if (!cb || cb.broken) return null;
  const w = idx.walk(cb, 2);
  for (const e of w.evs) {
    const a = ARM_BY_NAME.get(e.ev.name);
    if (!a || a.initOnly || !armsKind(o.kind, a.kind) || typeof a.obj !== 'number' || e.ev.argText[a.obj] === undefined) continue;
    const x = idx.resolveObj(e.ev.argText[a.obj], e.fn, e.subst, cb);
    const own = e.fn === cb && cb.params.length > 0 && (x.text === cb.params[0] || x.text === `to_delayed_work(${cb.params[0]})`);
    // The same object: a global by its name, or one got from the callback's own argument (from_timer(h, t, timer), container_of(work, ...)).
    const p0 = cb.params[0];
    const fromArg = p0 !== undefined && p0 !== '' && new RegExp(`\\b${p0}\\b`).test(x.text);
    if (own || (o.obj && x.text === o.obj.text && !x.opaque) || (fromArg && !x.opaque && o.obj && sameObject(x, o.obj, o.kind))) return e;
  }
  return null;
}

function rearmed(o: Armed, undo: REv, rearm: REv, pair: Pair): ProgramDraft {
  const sync = o.kind === 'timer' ? 'timer_shutdown_sync() (or del_timer_sync())' : o.kind === 'delayed-work' ? 'cancel_delayed_work_sync()' : 'cancel_work_sync()';
  return {
    file: undo.fn.file.path,
    function: undo.fn.name,
    site: undo.ev.site,
    message: {
      en: `${undo.ev.name}() does not wait for ${rearm.fn.name}(), which re-arms the ${KIND_TEXT[o.kind].name.en} ${o.objText} (${rearm.ev.name}() at line ${rearm.ev.site.line}): a callback running now arms it again after ${pair.exitName.en}, and it fires ${pair.module ? 'after rmmod into freed module text' : 'on freed data'}`,
      zh: `${undo.ev.name}() 不会等待 ${rearm.fn.name}()，而它会重新启动${KIND_TEXT[o.kind].name.zh} ${o.objText}（第 ${rearm.ev.site.line} 行的 ${rearm.ev.name}()）：正在运行的回调会在 ${pair.exitName.zh} 之后再次启动它，${pair.module ? '并在 rmmod 之后跳进已释放的模块代码' : '并在已释放的数据上触发'}`,
    },
    trace: [
      { file: o.at.fn.file.path, site: o.at.ev.site, note: { en: `${o.call}() arms it`, zh: `${o.call}() 启动它` } },
      { file: rearm.fn.file.path, site: rearm.ev.site, note: { en: `${rearm.fn.name}() re-arms it from its own callback`, zh: `${rearm.fn.name}() 在自己的回调中重新启动它` } },
    ],
    help: { en: `use ${sync}: it waits for the running callback and does not let it re-arm`, zh: `改用 ${sync}：它会等待正在运行的回调，且不会让它重新启动` },
  };
}

/** Whether the later call is in a nested branch of the block the earlier one is in (then it may not run after it). */
function conditionalWithin(later: Ev, earlier: Ev): boolean {
  return later.block[0] !== earlier.block[0];
}

/** Data freed on the exit side before an object in it is cancelled: `kfree(priv); del_timer_sync(&priv->timer);`. */
function badOrder(idx: Index, exitWalk: Walk, pair: Pair, armed: readonly Armed[]): ProgramDraft[] {
  const out: ProgramDraft[] = [];
  const root = pair.exit;
  const side = { idx, root };
  const evs = exitWalk.evs;
  for (const f of evs) {
    const fr = FREE_CALLS.find((x) => x.call === f.ev.name);
    if (!fr || f.ev.argText[fr.arg] === undefined) continue;
    // Freed on every path, or in a block the cancel comes later in (`if (pdata) { kfree(pdata); cancel_...(&pdata->w); }`).
    const sameBlock = (e: REv): boolean => e.fn === f.fn && e.chain.length === f.chain.length && e.ev.pos > f.ev.pos && e.ev.pos < f.ev.block[1] && f.ev.block[0] <= e.ev.pos && !f.ev.cond === !e.ev.cond && !conditionalWithin(e.ev, f.ev);
    if (f.cond && !evs.some((e) => e.seq > f.seq && sameBlock(e))) continue;
    const c = argObj(side, f, fr.arg);
    // The data by name, or by the accessor that gives it (`platform_get_drvdata(pdev)`): not an expression.
    if (!c || !c.rooted || !/^[A-Za-z_][\w.[\]]*(?:\([\w.&,[\]]*\)[\w.[\]]*)?$/.test(c.text)) continue;
    const inside = (o: Obj | null): boolean => {
      if (!o || !o.rooted) return false;
      if (o.text.startsWith(`${c.text}.`)) return true;
      const m = /^(?:netdev_priv|wiphy_priv|shost_priv|iio_priv)\(([^()]*)\)\./.exec(o.text);
      return m !== null && m[1] === c.text;
    };
    const objOfUndo = (e: REv): { obj: Obj | null; data: Obj | null; u: UndoCall } | null => {
      const u = undoOf(e.ev.name);
      if (!u || u.obj === null || u.byName || !u.kinds.some((k) => FIRING_KINDS.has(k))) return null;
      return { obj: argObj(side, e, u.obj), data: u.alt !== undefined ? argObj(side, e, u.alt) : null, u };
    };
    // A global the freed data is, read by the callback of what is cancelled later (tlclk's switchover timer reads alarm_events).
    const global = IDENT.test(c.text) && idx.globalBase(f.fn, c.text);
    const word = new RegExp(`\\b${c.text}\\b`);
    const callbackReads = (o: Obj | null): boolean => {
      if (!global || !o) return false;
      const a = armed.find((x) => x.callback !== null && x.obj !== null && sameObject(x.obj, o, x.kind));
      const cb = a?.callback ? idx.resolve(a.at.fn.file, a.callback) : null;
      return cb !== null && word.test(cb.body.text);
    };
    // A cancel after the free that was already done before it (the same object stopped twice) is no order bug;
    // another callback stopped before the free (free_irq() first) does not stop this one.
    const sameUndone = (a: REv, b: REv): boolean => {
      const x = objOfUndo(a);
      const y = objOfUndo(b);
      if (!x || !y) return false;
      return (x.obj !== null && y.obj !== null && x.obj.text === y.obj.text) || (x.data !== null && y.data !== null && x.data.text === y.data.text && a.ev.name === b.ev.name);
    };
    const earlier = evs.slice(0, f.seq);
    const later = evs.slice(f.seq + 1).find((e) => {
      if (f.cond && !sameBlock(e)) return false;
      const x = objOfUndo(e);
      const covers = x !== null && (inside(x.obj) || (e.ev.name.endsWith('free_irq') && x.data !== null && x.data.rooted && x.data.text === c.text) || callbackReads(x.obj));
      return covers && !earlier.some((b) => sameUndone(b, e));
    });
    if (!later) continue;
    const what = later.ev.argText[objOfUndo(later)?.u.obj ?? 0] ?? '';
    out.push({
      file: f.fn.file.path,
      function: f.fn.name,
      site: f.ev.site,
      message: {
        en: `${f.ev.name}(${squash(f.ev.argText[fr.arg])}) frees the data before ${later.ev.name}(${squash(what)}) cancels what runs on it (line ${later.ev.site.line}): the callback can run on freed memory, and the cancel itself reads it`,
        zh: `${f.ev.name}(${squash(f.ev.argText[fr.arg])}) 在 ${later.ev.name}(${squash(what)})（第 ${later.ev.site.line} 行）取消其上运行的回调之前就释放了数据：回调可能在已释放的内存上运行，取消操作本身也会读取它`,
      },
      trace: [...chainTrace(later), { file: later.fn.file.path, site: later.ev.site, note: { en: `${later.ev.name}() comes only after the free`, zh: `${later.ev.name}() 在释放之后才调用` } }],
      help: { en: `cancel first: move ${later.ev.name}() above ${f.ev.name}() in ${pair.exit.name}()`, zh: `先取消：在 ${pair.exit.name}() 中把 ${later.ev.name}() 移到 ${f.ev.name}() 之前` },
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Error returns of init/probe after something was armed.

const ERRVAR = /^(?:ret|err|rc|error|retval|result|status|rv|r|res|rval|ret_val|err_code|errno)$/i;

function looksLikeFailureTest(cond: Node): boolean {
  const t = cond.text.replace(/\s+/g, '');
  // `if (!ret) goto out;`: the call succeeded.
  if (/^\(?(?:unlikely\()?!\(?([A-Za-z_]\w*)\)?\)?\)?$/.test(t) && ERRVAR.test(/!\(?([A-Za-z_]\w*)/.exec(t)?.[1] ?? '')) return false;
  if (/^\(?!|IS_ERR|<0|\bunlikely\(!|WARN_ON|==NULL|!=0\)|==-E/.test(t)) return true;
  const inner = t.replace(/^\((.*)\)$/, '$1').replace(/^unlikely\((.*)\)$/, '$1');
  if (IDENT.test(inner) && ERRVAR.test(inner)) return true;
  if (/^[A-Za-z_]\w*\(.*\)$/.test(inner)) return true;
  if (/^(?:[A-Za-z_]\w*)(?:<0|!=0)$/.test(inner)) return true;
  return false;
}

function enclosingIf(n: Node, body: Node): Node | null {
  let child: Node = n;
  for (let p = n.parent, i = 0; p && i < 100 && p.id !== body.id; p = p.parent, i++) {
    if (p.type === 'if_statement') {
      const c = p.childForFieldName('condition');
      if (!c || c.id !== child.id) return p;
    }
    child = p;
  }
  return null;
}

const TEARDOWN_CALL = /(?:cleanup|remove|release|free|teardown|destroy|uninit|deinit|stop|unregister|exit|fini|_put$)/;

/**
 * The error returns of init/probe, and of each function of the module's own on its way to an arming (a
 * function that fails undoes what it did): each arming it made, itself or through a callee, must be undone on the way.
 */
function failurePaths(idx: Index, pair: Pair, armed: readonly Armed[], managed: readonly Obj[], callbacks: readonly Fn[]): ProgramDraft[] {
  const byFn = new Map<Fn, Array<{ o: Armed; A: Ev }>>();
  for (const o of armed) {
    const steps = [...o.at.chain, { fn: o.at.fn, ev: o.at.ev }];
    for (const st of steps) {
      if (st.fn.dir !== pair.init.dir) continue;
      const list = byFn.get(st.fn) ?? [];
      list.push({ o, A: st.ev });
      byFn.set(st.fn, list);
    }
  }
  const out: ProgramDraft[] = [];
  for (const [F, items] of byFn) {
    const name: L10n = F === pair.init ? pair.initName : { en: `${F.name}() (on the way from ${pair.initName.en})`, zh: `${F.name}()（${pair.initName.zh} 调用链上）` };
    out.push(...failurePathsIn(idx, pair, F, items, armed, managed, callbacks, name));
  }
  return out;
}

interface FailExit {
  E: Node;
  value: string;
  label: Node | null;
  /** Something on the way undoes the object (or may: a helper that did not parse, a teardown of another module given it). */
  covered: boolean;
}

/**
 * The error exits of F after the call A (own = false: the later failures, not A's own), or A's own failure
 * exits (own = true: the branch that tests what A returned), each with whether its path undoes the object.
 */
function failExits(idx: Index, pair: Pair, F: Fn, A: Ev, o: Armed, armed: readonly Armed[], callbacks: readonly Fn[], own: boolean): FailExit[] {
  const out: FailExit[] = [];
  const root = F;
  const labels = new Map<string, Node>();
  for (const l of F.body.descendantsOfType('labeled_statement')) {
    const name = l?.childForFieldName('label')?.text ?? l?.namedChild(0)?.text;
    if (l && name) labels.set(name, l);
  }
  const firstLabel = Math.min(...[...labels.values()].map((l) => l.startIndex), Infinity);
  const exits: Node[] = [];
  for (const n of F.body.descendantsOfType(['return_statement', 'goto_statement'])) if (n) exits.push(n);
  exits.sort((a, b) => a.startIndex - b.startIndex);
  const Fev = idx.events(F);
  // The path from a label to the return that ends its ladder: its calls, and what it returns.
  const ladder = (label: Node): { evs: Ev[]; value: string | null } => {
    let stmt: Node | null = label;
    let end = label.endIndex;
    let value: string | null = null;
    for (let i = 0; stmt && i < 200; i++) {
      end = stmt.endIndex;
      let inner: Node | null = stmt;
      while (inner?.type === 'labeled_statement') inner = inner.namedChild(inner.namedChildCount - 1);
      if (inner?.type === 'return_statement') {
        value = inner.namedChild(0)?.text ?? '';
        break;
      }
      if (inner?.type === 'goto_statement') break;
      stmt = stmt.nextNamedSibling;
    }
    return { evs: Fev.filter((e) => e.pos >= label.startIndex && e.pos < end), value };
  };
  const assignedBetween = (v: string, from: number, to: number): boolean =>
    F.body.descendantsOfType('assignment_expression').some((a) => a !== null && a.startIndex > from && a.startIndex < to && a.childForFieldName('left')?.text === v);
  if (A.cond || (A.inCondition && A.ifSuccess) || A.pos > firstLabel) return out;
  for (const E of exits) {
    if (E.startIndex <= A.end || E.startIndex > firstLabel && E.type === 'return_statement') continue;
    // `if (request_irq(...)) { ...; goto out; }`: the branch is its own failure; what follows the if is after it succeeded.
    const inOwnBranch = A.inCondition && E.startIndex < A.ifEnd;
    if (inOwnBranch && !own) continue;
    const eIf = enclosingIf(E, F.body);
    let value: string | null = null;
    let label: Node | null = null;
    let pathEvs: Ev[] = [];
    if (E.type === 'return_statement') {
      value = E.namedChild(0)?.text ?? null;
      if (value === null || /^\(?0\)?$/.test(value.trim())) continue;
      if (!/^-\s*E[A-Z]/.test(value.trim()) && !eIf) continue;
      // `return ci_hdrc_otg_fsm_init(ci);`: what another function returns, success as well as failure.
      if (/^[A-Za-z_]\w*\s*\(/.test(value.trim()) && !/^(?:PTR_ERR|ERR_PTR|ERR_CAST|dev_err_probe)\s*\(/.test(value.trim())) continue;
    } else {
      label = labels.get(E.namedChild(0)?.text ?? '') ?? null;
      if (!label) continue;
      const l = ladder(label);
      if (l.value === null || /^\(?0\)?$/.test(l.value.trim())) continue;
      if (!eIf) continue;
      // `rc = 0; goto out_disabled;`: the ladder returns success on this path (the device kept, disabled).
      const last = F.body.descendantsOfType('assignment_expression').filter((a) => a !== null && a.startIndex < E.startIndex && a.childForFieldName('left')?.text === l.value?.trim()).pop();
      if (last && last.startIndex > eIf.startIndex && /^\(?0\)?$/.test(last.childForFieldName('right')?.text.trim() ?? '')) continue;
      value = l.value;
      pathEvs = l.evs;
    }
    // An error test; A's own failure, or not, as asked.
    let ownFailure = inOwnBranch;
    if (eIf) {
      const cond = eIf.childForFieldName('condition');
      if (!cond) continue;
      const failing = looksLikeFailureTest(cond) || /-E[A-Z]/.test(eIf.text.slice(0, E.startIndex - eIf.startIndex));
      if (!failing) continue;
      if (cond.startIndex <= A.pos && A.end <= cond.endIndex) ownFailure = true;
      const t = A.target ? A.target.replace(/\s+/g, '') : null;
      if (t && new RegExp(`(?:^|[^\\w.>])${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w])`).test(cond.text.replace(/\s+/g, '')) && !assignedBetween(t, A.end, cond.endIndex)) ownFailure = true;
    }
    if (ownFailure !== own) continue;
    // What runs on the way: the calls before it in its own branch, those on the straight path since the arming, and the ladder.
    const onWay = Fev.filter((e) => e.pos > A.end && e.pos < E.startIndex && (!e.cond || (eIf !== null && e.pos >= eIf.startIndex && e.end <= eIf.endIndex)));
    const evs: REv[] = [];
    let unknown = false;
    let withCallbacks = false;
    // A devm action registered before the error return runs when probe fails (devm_add_action_or_reset() runs it if it cannot register it).
    const actions: Ev[] = [];
    for (const ev of Fev) {
      if (ev.pos <= A.end || ev.pos >= E.startIndex || !/^devm_add_action(?:_or_reset)?$/.test(ev.name) || pair.module) continue;
      const cb = IDENT.test(normObject(ev.argText[1] ?? '')) ? idx.resolve(F.file, normObject(ev.argText[1] ?? '')) : null;
      if (!cb) continue;
      actions.push({ ...ev, name: cb.name, argText: ev.argText.slice(2) });
    }
    for (const ev of [...onWay, ...pathEvs, ...actions]) {
      evs.push({ ev, fn: F, subst: null, chain: [], cond: false, seq: evs.length });
      const callee = KNOWN_API.has(ev.name) ? null : idx.resolve(F.file, ev.name);
      if (callee && callee !== F) {
        const s = new Map<string, string>();
        callee.params.forEach((p, i) => {
          if (p && ev.argText[i] !== undefined) s.set(p, substValue(idx.resolveObj(ev.argText[i], F, null, root)));
        });
        const w = idx.walk(callee, EXIT_DEPTH, s);
        if (w.broken) unknown = true;
        for (const e of w.evs) evs.push({ ...e, chain: [{ fn: F, ev }, ...e.chain], seq: evs.length });
        // Another module's teardown (snd_card_free(), put_device()): it runs the callbacks the module gave it (.dev_free).
        if (idx.foreign(callee, F.file) && TEARDOWN_CALL.test(ev.name)) withCallbacks = true;
      } else if (!KNOWN_API.has(ev.name) && !callee && TEARDOWN_CALL.test(ev.name)) {
        // A teardown of another module (snd_card_free(card)): it may run the module's callbacks; given the object,
        // or the whole structure it is in (`foo_lib_cleanup(priv)`, not `clk_put(priv->clk)`), it may undo it.
        withCallbacks = true;
        // (An IRQ's number lives in the device, `pci_release_regions(pdev)`; its data is the dev_id.)
        const bases = (o.kind === 'irq' ? [o.data] : [o.obj]).filter((x): x is Obj => x !== null).map((x) => partsOf(x.text)[0]);
        if (ev.argText.some((t) => {
          const a = idx.resolveObj(t, F, null, root);
          return a.text === o.obj?.text || bases.includes(a.text);
        })) unknown = true;
      }
    }
    if (withCallbacks) for (const cb of callbacks) for (const e of idx.walk(cb, EXIT_DEPTH).evs) evs.push({ ...e, seq: evs.length });
    out.push({ E, value: value ?? '', label, covered: unknown || undoesOf(o, { evs, idx, root }, armed).length > 0 });
  }
  return out;
}

function failurePathsIn(idx: Index, pair: Pair, F: Fn, items: ReadonlyArray<{ o: Armed; A: Ev }>, armed: readonly Armed[], managed: readonly Obj[], callbacks: readonly Fn[], fnName: L10n): ProgramDraft[] {
  const out: ProgramDraft[] = [];
  for (const { o, A } of items) {
    if (o.setup !== null || !FIRING_KINDS.has(o.kind) && o.kind !== 'netdev' && o.kind !== 'misc' && o.kind !== 'driver' && o.kind !== 'notifier') continue;
    if (o.obj && managed.some((m) => sameObject(m, o.obj, o.kind))) continue;
    if (o.kind === 'kthread' && !reportable(o, pair, idx)) continue;
    // A probe that sets up the module's global state once (the first device registers the tty driver): not the device's to undo.
    if (!pair.module && (o.kind === 'driver' || (o.obj !== null && !o.obj.opaque && idx.globalBase(o.at.fn, o.obj.text)))) continue;
    const bad = failExits(idx, pair, F, A, o, armed, callbacks, false).find((x) => !x.covered);
    if (!bad) continue;
    // A helper's error return: its callers may clean up after it (`if (skl_first_init(bus) < 0) goto out_free;` -> skl_free()).
    if (F !== pair.init && cleanedByCaller(idx, pair, F, o, armed, callbacks)) continue;
    const { E, value, label } = bad;
    const kind = KIND_TEXT[o.kind].name;
    const trace = [...chainTrace(o.at), { file: o.at.fn.file.path, site: o.at.ev.site, note: { en: `${o.call}() arms it here`, zh: `${o.call}() 在此启动它` } }];
    if (label) trace.push({ file: F.file.path, site: siteOf(label), note: { en: `the error path from here returns ${squash(value)} without ${o.undo}()`, zh: `从此处开始的出错路径返回 ${squash(value)}，没有调用 ${o.undo}()` } });
    out.push({
      file: F.file.path,
      function: F.name,
      site: siteOf(E),
      message: {
        en: `this error return of ${fnName.en} leaves the ${kind.en} ${o.objText} armed (${o.call}() at line ${o.at.ev.site.line}): nothing on the way ${KIND_TEXT[o.kind].undo.en} it, and the data and module text it uses go away`,
        zh: `${fnName.zh} 的这个出错返回让${kind.zh} ${o.objText} 保持启动状态（第 ${o.at.ev.site.line} 行的 ${o.call}()）：路径上没有${KIND_TEXT[o.kind].undo.zh}它，而它用到的数据和模块代码都会消失`,
      },
      trace,
      help: { en: `call ${helpCall(o)} on this error path (in its goto ladder) before returning`, zh: `在返回之前，在这条出错路径上（其 goto 标签链中）调用 ${helpCall(o)}` },
    });
  }
  return out;
}

/** Whether the callers of a helper, up the chain to init/probe, undo the object when the helper fails. */
function cleanedByCaller(idx: Index, pair: Pair, G: Fn, o: Armed, armed: readonly Armed[], callbacks: readonly Fn[]): boolean {
  const steps = [...o.at.chain, { fn: o.at.fn, ev: o.at.ev }];
  const at = steps.findIndex((s) => s.fn === G);
  for (let k = at - 1; k >= 0; k--) {
    const own = failExits(idx, pair, steps[k].fn, steps[k].ev, o, armed, callbacks, true);
    // The caller does not look at the failure: nothing more is known.
    if (own.length === 0) return false;
    if (own.some((x) => x.covered)) return true;
  }
  return false;
}
