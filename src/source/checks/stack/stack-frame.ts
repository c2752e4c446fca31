// The kernel stack overrun (seed 004): a function whose locals (arrays, structs of the sizes the headers
// give) make a frame over the kernel's own frame warning limit, recursion with no evident bound, and
// the deepest call chain of the files whose frames together take more than half the kernel stack of
// the --kernel release (8 KiB on x86_64 before 3.15, 16 KiB since), where the overrun reaches thread_info.

import type { L10n } from '../../../rules/types';
import { siteOf, type Site } from '../../flow';
import { functionDefinitions, functionName, namedKids, type Node } from '../../parse';
import { Layouts, declaredName, type TypeLayout } from '../../layout';
import { CHAIN_MIN_FRAME, CHAIN_SHARE, DECLARING_MACROS, FRAME_OVERHEAD, stackTarget, type StackTarget } from '../../../knowledge/stack';
import { parseRelease } from '../../../knowledge/release';
import type { CheckMeta, Program, ProgramDraft, ProgramFile } from '../types';

/** One local on the stack: as declared, its size, and where. */
export interface Local {
  decl: string;
  bytes: number;
  node: Node;
}

/** A scope's locals: the ones on its largest path (its own, and the largest of its inner blocks'). */
export interface Frame {
  bytes: number;
  locals: Local[];
}

export interface Call {
  name: string;
  node: Node;
  args: string[];
  /** Inside a loop of the function (a walk over a node's children calls once per child). */
  inLoop: boolean;
  /** The conditions of the if statements (and ?:) the call is under. */
  guards: string[];
}

export interface Fn {
  name: string;
  file: string;
  node: Node;
  isStatic: boolean;
  header: boolean;
  frame: Frame;
  vlas: Local[];
  calls: Call[];
  params: string[];
  /** Which parameters are integers (not pointers, not structs): the ones a counter can be. */
  counters: boolean[];
  /** Parameters and locals that point into (or are arrays of) bytes and words: `buf + n` of one walks data. */
  bytePtrs: Set<string>;
  /** The struct each pointer parameter points to (`struct tlv_node *n`: n -> `struct tlv_node`). */
  paramTags: Map<string, string>;
  /** Its parameters and locals, by name. */
  names: Set<string>;
  /** The conditions of its if/while/for/switch/?:, as written. */
  conditions: string[];
  /** The functions of the files it calls, resolved, with the first call of each. */
  edges: Array<{ to: Fn; call: Call }>;
  scc: number;
}

/** Calls of a chain its trace shows at most: the first half and the last half of them. */
const MAX_TRACE = 24;

/** Names a depth-limiting condition goes by (`if (depth > MAX_DEPTH)`, `level >= XFS_BTREE_MAXLEVELS`). */
const DEPTH_NAME = /\b\w*(?:depth|level|lvl|nest|recur|hops?|height|ttl|budget|limit|retr(?:y|ies)|attempt)\w*\b/i;

/** What only a user-space program includes or defines. */
const HOST_PROGRAM = /^[ \t]*#[ \t]*include[ \t]*<(?:stdio|stdlib|unistd|getopt|sys\/stat|fcntl)\.h>|^int\s+main\s*\(/m;

const fmt = (n: number): string => n.toLocaleString('en-US');

function calleeOf(call: Node): string | null {
  const f = call.childForFieldName('function');
  return f && f.type === 'identifier' ? f.text : null;
}

function argsOf(call: Node): string[] {
  const a = call.childForFieldName('arguments');
  return a ? namedKids(a).filter((c): c is Node => c !== null && c.type !== 'comment').map((c) => c.text.replace(/\s+/g, ' ').slice(0, 200)) : [];
}

/** What a declaration declares, as written (`char buf[2048]`, `struct bar req`), without its initializer. */
function declText(type: Node, d: Node): string {
  const inner = d.type === 'init_declarator' ? (d.childForFieldName('declarator') ?? d) : d;
  const t = `${type.text} ${inner.text}`.replace(/\s+/g, ' ').replace(/\s*\[\s*/g, '[').replace(/\s*\]/g, ']');
  return t.length > 80 ? `${t.slice(0, 77)}...` : t;
}

/** Measures one function: its locals by scope, its calls, its parameters and conditions. */
function measure(L: Layouts, file: ProgramFile, node: Node, name: string): Fn {
  const path = file.path;
  const body = node.childForFieldName('body');
  const known = new Map<string, TypeLayout>();
  const pointee = new Map<string, TypeLayout>();
  const runtime = new Set<string>();
  const vlas: Local[] = [];
  const params: string[] = [];
  const counters: boolean[] = [];
  const bytePtrs = new Set<string>();
  const paramTags = new Map<string, string>();
  const scalarBase = (type: Node, base: TypeLayout | null): boolean => (base !== null && !base.aggregate) || (type.type === 'primitive_type' && type.text === 'void');
  /** The struct each local and parameter is (or points to), for `sizeof(p->name)`. */
  const tags = new Map<string, string>();
  const sizeofName = (n: string): TypeLayout | null => {
    if (n.startsWith('*')) return pointee.get(n.slice(1)) ?? null;
    const parts = n.split(/->|\./);
    if (parts.length === 1) return known.get(n) ?? null;
    let tag = tags.get(parts[0]) ?? null;
    let t: TypeLayout | null = null;
    for (const m of parts.slice(1)) {
      if (!tag) return null;
      const r = L.member(tag, m, path);
      if (!r) return null;
      t = r.type;
      tag = r.tag;
    }
    return t;
  };
  // The parameters: names a VLA's size may use, types sizeof() of them gives.
  const plist = (() => {
    let d: Node | null = node.childForFieldName('declarator');
    for (let i = 0; d && i < 8; i++) {
      if (d.type === 'function_declarator') return d.childForFieldName('parameters');
      d = d.childForFieldName('declarator');
    }
    return null;
  })();
  for (const p of plist ? namedKids(plist) : []) {
    if (p?.type !== 'parameter_declaration') continue;
    const type = p.childForFieldName('type');
    const d = p.childForFieldName('declarator');
    const pname = d ? declaredName(d) : null;
    params.push(pname ?? '');
    const base = type ? L.typeOf(type, path) : null;
    counters.push(d?.type === 'identifier' && type !== null && type.type !== 'struct_specifier' && type.type !== 'union_specifier' && !(base?.aggregate ?? false));
    if (!pname || !type || !d) continue;
    runtime.add(pname);
    if ((d.type === 'pointer_declarator' || d.type === 'array_declarator') && scalarBase(type, base)) bytePtrs.add(pname);
    const tag = d.type === 'pointer_declarator' || d.type === 'identifier' ? L.structTag(type, path) : null;
    if (tag) tags.set(pname, tag);
    if (tag && d.type === 'pointer_declarator') paramTags.set(pname, tag);
    if (base && d.type === 'pointer_declarator' && d.childForFieldName('declarator')?.type === 'identifier') pointee.set(pname, base);
  }
  const declare = (decl: Node, into: Local[]): void => {
    if (namedKids(decl).some((c) => c?.type === 'storage_class_specifier' && /^(?:static|extern)$/.test(c.text))) return;
    const type = decl.childForFieldName('type');
    if (!type) return;
    const conditional = L.conditionalWithin(path, decl, node);
    const base = L.typeOf(type, path);
    for (const d of decl.childrenForFieldName('declarator')) {
      if (!d) continue;
      const r = L.declare(d, base, path, { local: (n) => runtime.has(n), sizeofName });
      if (r.function || !r.name) continue;
      runtime.add(r.name);
      if (r.type) known.set(r.name, r.type);
      const inner = d.type === 'init_declarator' ? d.childForFieldName('declarator') : d;
      if (base && inner?.type === 'pointer_declarator' && inner.childForFieldName('declarator')?.type === 'identifier') pointee.set(r.name, base);
      if ((inner?.type === 'pointer_declarator' || inner?.type === 'array_declarator') && scalarBase(type, base)) bytePtrs.add(r.name);
      const tag = inner?.type === 'pointer_declarator' || inner?.type === 'identifier' ? L.structTag(type, path) : null;
      if (tag) tags.set(r.name, tag);
      if (conditional) continue;
      if (r.vla) vlas.push({ decl: declText(type, d), bytes: 0, node: decl });
      else if (r.type && r.type.aggregate && r.type.size > 0) into.push({ decl: declText(type, d), bytes: r.type.size, node: decl });
    }
  };
  /** `DECLARE_BITMAP(mask, 4096);`, `LIST_HEAD(list);`: a local declared by a macro. */
  const macroLocal = (stmt: Node, into: Local[]): void => {
    const call = stmt.namedChild(0);
    if (call?.type !== 'call_expression') return;
    const m = DECLARING_MACROS.get(calleeOf(call) ?? '');
    if (!m || L.conditionalWithin(path, stmt, node)) return;
    let t: TypeLayout | null = null;
    if ('type' in m) t = L.typeName(m.type, path);
    else t = L.memberMacro(call.text, path);
    const arg0 = argsOf(call)[0];
    if (t && arg0) known.set(arg0, t);
    if (t && t.size > 0) into.push({ decl: call.text.replace(/\s+/g, ' ').slice(0, 80), bytes: t.size, node: stmt });
  };
  const scope = (n: Node): Frame => {
    const own: Local[] = [];
    let inner: Frame = { bytes: 0, locals: [] };
    const visit = (x: Node, top: boolean): void => {
      if (!top && (x.type === 'compound_statement' || x.type === 'for_statement')) {
        const f = scope(x);
        if (f.bytes > inner.bytes) inner = f;
        return;
      }
      if (x.type === 'function_definition' && !top) return;
      if (x.type === 'declaration') {
        declare(x, own);
        // Initializers may hold statement expressions: their blocks are scopes of their own.
      } else if (x.type === 'expression_statement') macroLocal(x, own);
      for (const c of namedKids(x)) if (c && c.type !== 'comment') visit(c, false);
    };
    visit(n, true);
    const bytes = own.reduce((s, l) => s + l.bytes, 0) + inner.bytes;
    return { bytes, locals: [...own, ...inner.locals] };
  };
  const frame = body ? scope(body) : { bytes: 0, locals: [] };
  const calls: Call[] = [];
  const conditions: string[] = [];
  const walk = (x: Node, loop: boolean, guards: readonly string[]): void => {
    if (x.type === 'sizeof_expression' || x.type === 'function_definition') return;
    if (x.type === 'call_expression') {
      const nm = calleeOf(x);
      if (nm && !DECLARING_MACROS.has(nm)) calls.push({ name: nm, node: x, args: argsOf(x), inLoop: loop, guards: [...guards] });
    }
    const cond = x.childForFieldName('condition');
    if (cond && (x.type === 'if_statement' || x.type === 'while_statement' || x.type === 'do_statement' || x.type === 'for_statement' || x.type === 'conditional_expression' || x.type === 'switch_statement')) conditions.push(cond.text);
    const inner = loop || x.type === 'for_statement' || x.type === 'while_statement' || x.type === 'do_statement';
    const under = cond && (x.type === 'if_statement' || x.type === 'conditional_expression') ? [...guards, cond.text] : guards;
    for (const c of namedKids(x)) if (c) walk(c, inner, cond && c.id === cond.id ? guards : under);
  };
  if (body) walk(body, false, []);
  const isStatic = namedKids(node).some((c) => c?.type === 'storage_class_specifier' && c.text === 'static');
  return { name, file: path, node, isStatic, header: path.endsWith('.h'), frame, vlas, calls, params, counters, bytePtrs, paramTags, names: runtime, conditions, edges: [], scc: -1 };
}

/** Strongly connected components (Tarjan, iterative): recursion is a component of several, or one calling itself. */
function components(fns: readonly Fn[]): Fn[][] {
  let index = 0;
  const idx = new Map<Fn, number>();
  const low = new Map<Fn, number>();
  const on = new Set<Fn>();
  const stack: Fn[] = [];
  const out: Fn[][] = [];
  for (const start of fns) {
    if (idx.has(start)) continue;
    const work: Array<{ v: Fn; i: number }> = [{ v: start, i: 0 }];
    idx.set(start, index);
    low.set(start, index++);
    stack.push(start);
    on.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1];
      if (top.i < top.v.edges.length) {
        const w = top.v.edges[top.i++].to;
        if (!idx.has(w)) {
          idx.set(w, index);
          low.set(w, index++);
          stack.push(w);
          on.add(w);
          work.push({ v: w, i: 0 });
        } else if (on.has(w)) low.set(top.v, Math.min(low.get(top.v) ?? 0, idx.get(w) ?? 0));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].v;
        low.set(parent, Math.min(low.get(parent) ?? 0, low.get(top.v) ?? 0));
      }
      if (low.get(top.v) === idx.get(top.v)) {
        const comp: Fn[] = [];
        let w: Fn | undefined;
        do {
          w = stack.pop();
          if (!w) break;
          on.delete(w);
          comp.push(w);
        } while (w !== top.v);
        for (const f of comp) f.scc = out.length;
        out.push(comp);
      }
    }
  }
  return out;
}

const wordIn = (word: string, texts: readonly string[]): boolean => {
  const re = new RegExp(`\\b${word.replace(/[^\w]/g, '')}\\b`);
  return texts.some((t) => re.test(t));
};

/**
 * `depth + 1`, `n - 1`, `--n`, `len >> 1`, `level++`: an argument that steps a counter by a constant; the
 * counter's name. `size - len` (as much as the data says) is no counter: it runs down as slowly as the data wants.
 */
function stepped(arg: string): string | null {
  const a = arg.replace(/^\((.*)\)$/, '$1').trim();
  const m = /^(?:(\+\+|--)\s*)?([A-Za-z_]\w*(?:\s*(?:->|\.)\s*\w+)*)\s*(?:(\+\+|--)|([-+]|>>|<<|\/)\s*(?:\d+[uUlL]*|[A-Z][A-Z0-9_]*))?$/.exec(a);
  if (!m || (!m[1] && !m[3] && !m[4])) return null;
  return m[2].split(/->|\./).pop()?.trim() ?? null;
}

const CONSTANT_ARG = /^(?:-?\d+[uUlL]*|0x[0-9a-fA-F]+[uUlL]*|true|false|NULL|[A-Z][A-Z0-9_]{1,63}|'.{1,2}')$/;

/** `buf + off`, `&buf[i]`, `p - 2` of a pointer into bytes: an argument that walks through data, as deep as the data nests. */
function walksData(arg: string, f: Fn): boolean {
  const a = arg.replace(/^\((.*)\)$/, '$1').trim();
  const m = /^([A-Za-z_]\w*)\s*[-+]\s*[^,]+$/.exec(a) ?? /^&\s*([A-Za-z_]\w*)\s*\[[^\]]+\]$/.exec(a);
  return m !== null && f.bytePtrs.has(m[1]);
}

/**
 * The bound a recursion has that one can see, as said; null when none: a depth or level compared (or a
 * limit, a retry count), a counter argument stepped and tested, a constant or a new local passed for a
 * parameter that is tested (`foo(dev, true)` stops at its flag), or a walk over a hierarchy of the
 * kernel's own objects (each recursive call in a loop over a node's children, or up to a parent), as
 * deep as the structure is, not as the data says: a parse that steps through a buffer is none of these.
 */
export function evidentBound(comp: readonly Fn[]): string | null {
  const inComp = new Set(comp);
  const conds = comp.flatMap((f) => f.conditions);
  const depth = conds.find((c) => DEPTH_NAME.test(c));
  if (depth !== undefined) return `a depth or limit tested: ${depth}`;
  const rec: Array<{ f: Fn; c: Call; to: Fn }> = [];
  for (const f of comp) {
    for (const c of f.calls) {
      const to = f.edges.find((e) => e.call.name === c.name)?.to;
      if (to && inComp.has(to)) rec.push({ f, c, to });
    }
  }
  for (const { f, c, to } of rec) {
    for (let i = 0; i < c.args.length; i++) {
      const a = c.args[i].trim();
      const p = to.params[i] ?? '';
      const v = stepped(a);
      // `walk(n - 1)` with `if (n == 0)`, `parse(p, depth + 1)` with `if (depth > MAX)`: the caller's own
      // parameter (or a field of its object, `ctx->level + 1`) stepped, not a length read from the data.
      const own = v !== null && (f.params.includes(v) || /->|\./.test(a));
      if (v && own && to.counters[i] && (wordIn(v, conds) || (p !== '' && wordIn(p, conds)))) return `a counter stepped: ${c.name}(..${a}..)`;
      // `foo(dev, true)` re-entered once with a flag its test stops at; `setup(hw, highest)` with one speed left.
      const fresh = CONSTANT_ARG.test(a) || (/^[A-Za-z_]\w*$/.test(a) && f.names.has(a) && !f.params.includes(a));
      if (fresh && p !== '' && a !== p && wordIn(p, conds)) return `a new value passed for a tested parameter: ${c.name}(..${a}..) -> ${p}`;
    }
  }
  return null;
}

/**
 * `n->next`, `node->child`, `t->left`: a pointer of a parameter's object to another object of its kind
 * (not up to its parent), followed once per level. The member's type is read from the struct when a
 * file defines it; else the member's name says it (next, child, left...).
 */
function followsLink(arg: string, f: Fn, L: Layouts): boolean {
  const a = arg.replace(/^\((.*)\)$/, '$1').trim();
  const m = /^([A-Za-z_]\w*)\s*->\s*([A-Za-z_]\w*)$/.exec(a);
  if (!m || !f.params.includes(m[1])) return false;
  if (/^(?:parent|up|owner|outer|root)/i.test(m[2])) return false;
  const tag = f.paramTags.get(m[1]);
  if (!tag) return false;
  const pointee = L.memberPointee(tag, m[2], f.file);
  if (pointee === undefined) return /^(?:next|prev|child|children|left|right|sibling|sub|nested|inner|link|chain)\w*$/i.test(m[2]);
  return pointee === tag;
}

/** `if (w->id != snd_soc_dapm_scheduler) free(w->pipe_widget)`: the link followed only from objects of some kind (the next is of the kind that stops). */
function kindTested(arg: string, c: Call): boolean {
  const obj = /^\(?\s*([A-Za-z_]\w*)/.exec(arg)?.[1];
  if (!obj) return false;
  const re = new RegExp(`\\b${obj}\\s*->\\s*\\w+\\s*(?:==|!=)|(?:==|!=)\\s*${obj}\\s*->`);
  return c.guards.some((g) => re.test(g));
}

/**
 * What shows a recursion's depth follows the data, when it has no evident bound: a recursive call that
 * steps through a buffer (`parse(buf + 2, ..)`, each level a nesting of the input), that follows a
 * link of its object outside any loop (`free_chain(n->next)`, one level per element), or that passes
 * its own arguments again (a retry as recursion). A recursion
 * through a device's state (complete -> start next -> complete) or a walk over a hierarchy of the
 * kernel's objects (a loop over each node's children) is as deep as the state or the structure: not reported.
 */
export function unboundedRecursion(comp: readonly Fn[], L: Layouts): { f: Fn; call: Call; to: Fn; arg: string; why: 'data' | 'link' | 'same' } | null {
  if (evidentBound(comp) !== null) return null;
  const inComp = new Set(comp);
  const sorted = [...comp].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.node.startIndex - b.node.startIndex));
  for (const why of ['data', 'link'] as const) {
    for (const f of sorted) {
      for (const c of f.calls) {
        const to = f.edges.find((e) => e.call.name === c.name)?.to;
        if (!to || !inComp.has(to)) continue;
        const arg = c.args.find((a) => (why === 'data' ? walksData(a, f) : !c.inLoop && followsLink(a, f, L) && !kindTested(a, c)));
        if (arg !== undefined) return { f, call: c, to, arg, why };
      }
    }
  }
  // `return foo_reset(dev);` again with its own arguments: a retry as recursion, ended only by the device's state.
  for (const f of sorted) {
    const c = f.calls.find((x) => x.name === f.name && f.edges.some((e) => e.to === f) && x.args.length > 0 && x.args.length === f.params.length && x.args.every((a, i) => a.trim() === f.params[i]));
    if (c) return { f, call: c, to: f, arg: c.args.join(', '), why: 'same' };
  }
  return null;
}

export const stackFrameMeta: CheckMeta = {
  id: 'KT-check-stack-frame',
  rootCauseClass: 'stack-overflow',
  summary: {
    en: 'A kernel stack overrun in the making: a frame over the kernel\'s frame warning limit, recursion with no evident bound, or a call chain whose frames take more than half the kernel stack',
    zh: '正在形成的内核栈溢出：栈帧超过内核的栈帧告警上限、没有明显界限的递归，或调用链上各帧合计占用超过内核栈的一半',
  },
  docs: {
    en: `Estimates each function's stack frame from its local declarations: arrays (with sizes
from the files' #define and enum constants, sizeof and constant expressions), structs and unions laid
out with alignment from the definitions in the files and headers given (a kernel table of common
types - struct sk_buff, struct device, struct work_struct... - when no file defines them, approximate
for 6.1 on x86_64 without debug options), locals of inner blocks (the largest of sibling blocks, as
the compiler shares their slots). Scalars are left out (they live in registers), and so is any part of
a type that is not known, and whatever is under an #if: the estimate is a lower bound, "at least N
bytes". static locals are not on the stack; a variable-length array (\`char buf[len]\`) is unbounded,
and the kernel builds with -Wvla. Reported:
- a frame over CONFIG_FRAME_WARN's default (2048 bytes on 64-bit, 1024 on 32-bit), the limit
  -Wframe-larger-than= warns at, at the declaration of its largest local;
- recursion, direct or through the files' call graph, with no evident bound (no depth or level
  compared against a limit, no counter argument run down by a constant to a test, no flag or new value
  passed for a parameter that is tested) and a depth that follows the data: a recursive call that
  steps through a buffer (\`parse(buf + 2, ..)\`), follows a link of its object outside any loop
  (\`free_chain(n->next)\`), or calls itself again with its own arguments (a retry ended only by the
  device's state); reported at the recursive call. A walk over a hierarchy of the kernel's objects (a
  loop over each node's children, up to a parent) and recursion through a device's state machine
  (complete -> start next -> complete) are as deep as the structure or the state: not reported;
- the deepest chain of calls within the files (each frame's locals plus ${FRAME_OVERHEAD} bytes for the return
  address and saved registers) when it takes more than half the kernel stack of the --kernel release:
  8 KiB on x86_64 before 3.15, 16 KiB since (16 KiB on arm64, 8 KiB on 32-bit x86 and arm; x86_64 16
  KiB assumed when --kernel is not given), at the largest frame on it, with the chain as the trace.
Seed 004: a driver function with large local arrays and structs, called deep in a chain, overran the
8 KiB stack and overwrote thread_info at its bottom. Fix: allocate the buffer with kmalloc()/kzalloc()
(or make it static when the function cannot run concurrently), or move it into the device structure;
bound the recursion or turn it into a loop.`,
    zh: `根据每个函数的局部变量声明估算其栈帧：数组（大小取自文件中的 #define 与 enum 常量、sizeof 以及常量表达式）、
按给定文件与头文件中的定义、依对齐规则排布的结构体和联合体（若没有文件定义，则用常见内核类型表——struct sk_buff、
struct device、struct work_struct 等——数值为 6.1 x86_64 无调试选项下的近似值），以及内层代码块的局部变量（并列代码块取
最大者，因为编译器会复用其栈槽）。标量不计入（它们放在寄存器中），未知的类型部分以及 #if 之下的内容也不计入：估算值是
下限，即“至少 N 字节”。static 局部变量不在栈上；变长数组（\`char buf[len]\`）大小没有上界，而内核以 -Wvla 编译。报告：
- 栈帧超过 CONFIG_FRAME_WARN 的默认值（64 位为 2048 字节，32 位为 1024 字节，即 -Wframe-larger-than= 告警的上限），
  在其最大局部变量的声明处报告；
- 直接或经由文件调用图的递归，没有明显界限（没有把深度或层级与上限比较，没有以常量递减到某个判断的计数参数，也没有为
  被判断的参数传入标志或新值），且深度随数据而定：递归调用在缓冲区中前进（\`parse(buf + 2, ..)\`）、在任何循环之外沿对象的
  链接前进（\`free_chain(n->next)\`），或以原样的参数再次调用自身（只有设备状态才能结束的重试）；在递归调用处报告。遍历内核
  自身对象层次结构的递归（对每个节点的子节点循环、向上找父节点）以及经由设备状态机的递归（完成 -> 启动下一个 -> 完成）
  深度取决于结构或状态：不报告；
- 文件内最深的调用链（每帧的局部变量加上返回地址和保存寄存器的 ${FRAME_OVERHEAD} 字节）占用超过 --kernel 所指版本内核栈的一半时：
  x86_64 在 3.15 之前为 8 KiB，之后为 16 KiB（arm64 为 16 KiB，32 位 x86 和 arm 为 8 KiB；未给出 --kernel 时假定 x86_64
  的 16 KiB），在链上最大的栈帧处报告，并以整条调用链为追踪。
Seed 004：一个带有大型局部数组和结构体的驱动函数，在很深的调用链中被调用，溢出了 8 KiB 的栈，覆盖了栈底的 thread_info。
修复：用 kmalloc()/kzalloc() 分配缓冲区（若函数不会并发运行，可改为 static），或把它移入设备结构体；为递归设定界限，
或改写为循环。`,
  },
  references: [
    'lib/Kconfig.debug: FRAME_WARN (2048 on 64-bit, 1024 on 32-bit); scripts/checkstack.pl',
    'arch/x86/include/asm/page_64_types.h: THREAD_SIZE (16 KiB since 6538b8ea886e, "x86_64: expand kernel stack to 16K", 3.15)',
    'Documentation/process/deprecated.rst: variable-length arrays',
  ],
};

const FRAME_HELP: L10n = {
  en: 'allocate it with kmalloc()/kzalloc() (or make it static when the function cannot run concurrently), or move it into the device structure',
  zh: '改用 kmalloc()/kzalloc() 分配（若函数不会并发运行，可改为 static），或把它移入设备结构体',
};

function localsList(locals: readonly Local[]): string {
  return locals.slice(0, 3).map((l) => `${l.decl}: ${fmt(l.bytes)} bytes`).join(', ') + (locals.length > 3 ? ', ...' : '');
}

function localsListZh(locals: readonly Local[]): string {
  return locals.slice(0, 3).map((l) => `${l.decl}：${fmt(l.bytes)} 字节`).join('，') + (locals.length > 3 ? '，……' : '');
}

/** Every function of the files measured, the call graph resolved, and its components: what the check reports from. */
export function measureProgram(p: Program): { target: StackTarget; fns: Fn[]; comps: Fn[][]; layouts: Layouts } {
  const rel = p.kernel ? parseRelease(p.kernel) : null;
  const target: StackTarget = stackTarget(rel);
  const L = new Layouts(p.files, target.arch);
  const fns: Fn[] = [];
  const byName = new Map<string, Fn[]>();
  for (const f of p.files) {
    // A host program among the kernel's files (scripts, table generators: `main()`, <stdio.h>) runs in user space.
    if (HOST_PROGRAM.test(f.text)) continue;
    for (const node of functionDefinitions(f.root)) {
      if (node.hasError) continue;
      const name = functionName(node);
      if (!name) continue;
      const fn = measure(L, f, node, name);
      fns.push(fn);
      const l = byName.get(name);
      if (l) l.push(fn);
      else byName.set(name, [fn]);
    }
  }
  // The call graph: a name is the file's own function, else the one definition another file exports.
  for (const fn of fns) {
    const seen = new Set<string>();
    for (const c of fn.calls) {
      if (seen.has(c.name)) continue;
      seen.add(c.name);
      const defs = byName.get(c.name);
      if (!defs) continue;
      const own = defs.find((d) => d.file === fn.file);
      const others = defs.filter((d) => d.file !== fn.file && (!d.isStatic || d.header));
      const to = own ?? (others.length === 1 ? others[0] : undefined);
      if (to) fn.edges.push({ to, call: c });
    }
  }
  return { target, fns, comps: components(fns), layouts: L };
}

export function stackFrame(p: Program): ProgramDraft[] {
  const { target, fns, comps, layouts } = measureProgram(p);
  const warn = target.arch.frameWarn;
  const out: ProgramDraft[] = [];
  const site = (n: Node): Site => siteOf(n);
  const weight = (f: Fn): number => f.frame.bytes + FRAME_OVERHEAD;
  const stackWhy = `${fmt(target.bytes)}-byte kernel stack (${target.why})`;
  const stackWhyZh = `${fmt(target.bytes)} 字节的内核栈（${target.why}）`;

  // The deepest chain from each function, recursion's own edges left out (a lower bound).
  const best = new Map<Fn, { total: number; next: { to: Fn; call: Call } | null }>();
  const deepest = (f: Fn): number => {
    const got = best.get(f);
    if (got) return got.total;
    best.set(f, { total: weight(f), next: null });
    let total = weight(f);
    let next: { to: Fn; call: Call } | null = null;
    for (const e of f.edges) {
      if (e.to.scc === f.scc) continue;
      const t = weight(f) + deepest(e.to);
      if (t > total) {
        total = t;
        next = e;
      }
    }
    best.set(f, { total, next });
    return total;
  };
  const called = new Set<Fn>();
  for (const f of fns) for (const e of f.edges) if (e.to.scc !== f.scc) called.add(e.to);
  const chainAt = new Map<Fn, { root: Fn; total: number; chain: Array<{ from: Fn; call: Call; to: Fn }> }>();
  for (const root of fns) {
    if (called.has(root)) continue;
    const total = deepest(root);
    if (total <= target.bytes * CHAIN_SHARE) continue;
    const chain: Array<{ from: Fn; call: Call; to: Fn }> = [];
    let biggest = root;
    for (let f: Fn = root, i = 0; i < 10_000; i++) {
      const n = best.get(f)?.next;
      if (!n) break;
      chain.push({ from: f, call: n.call, to: n.to });
      if (n.to.frame.bytes > biggest.frame.bytes) biggest = n.to;
      f = n.to;
    }
    if (chain.length === 0 || biggest.frame.bytes < CHAIN_MIN_FRAME) continue;
    const had = chainAt.get(biggest);
    if (!had || had.total < total) chainAt.set(biggest, { root, total, chain });
  }

  const chainTrace = (c: NonNullable<ReturnType<typeof chainAt.get>>): ProgramDraft['trace'] => {
    const steps = c.chain.length > MAX_TRACE ? [...c.chain.slice(0, MAX_TRACE / 2), ...c.chain.slice(-MAX_TRACE / 2)] : c.chain;
    const out: ProgramDraft['trace'] = steps.map((s) => ({ file: s.from.file, site: site(s.call.node), note: { en: `${s.from.name}() (at least ${fmt(s.from.frame.bytes)} bytes of locals) calls ${s.to.name}()`, zh: `${s.from.name}()（局部变量至少 ${fmt(s.from.frame.bytes)} 字节）调用 ${s.to.name}()` } }));
    // The end of the chain: its last function, at its largest local (or its name).
    const last = c.chain[c.chain.length - 1].to;
    const at = [...last.frame.locals].sort((a, b) => b.bytes - a.bytes)[0]?.node ?? last.node;
    out.push({ file: last.file, site: site(at), note: { en: `${last.name}() (at least ${fmt(last.frame.bytes)} bytes of locals) ends the chain`, zh: `${last.name}()（局部变量至少 ${fmt(last.frame.bytes)} 字节）是调用链的末端` } });
    return out;
  };

  // Frames over the warning limit, with the chain they are on when it is deep too.
  for (const f of fns) {
    const chain = chainAt.get(f);
    const over = f.frame.bytes > warn;
    if (!over && !chain) continue;
    const locals = [...f.frame.locals].sort((a, b) => b.bytes - a.bytes);
    const top = locals[0];
    if (!top) continue;
    const whole = chain !== undefined && chain.total > target.bytes;
    const chainEn = chain ? `on the chain from ${chain.root.name}() (${chain.chain.length} calls) the frames take at least ${fmt(chain.total)} bytes, more than ${whole ? 'the whole' : 'half of the'} ${stackWhy}` : '';
    const chainZh = chain ? `从 ${chain.root.name}() 开始的调用链（${chain.chain.length} 次调用）上各帧合计至少 ${fmt(chain.total)} 字节，超过${stackWhyZh}${whole ? '的全部' : '的一半'}` : '';
    const message: L10n = over
      ? {
          en: `${f.name}() puts at least ${fmt(f.frame.bytes)} bytes on the stack (${localsList(locals)}): over the kernel's ${fmt(warn)}-byte frame warning limit${chain ? `; ${chainEn}` : ''}`,
          zh: `${f.name}() 在栈上至少放了 ${fmt(f.frame.bytes)} 字节（${localsListZh(locals)}）：超过了内核 ${fmt(warn)} 字节的栈帧告警上限${chain ? `；${chainZh}` : ''}`,
        }
      : {
          en: `${f.name}() puts at least ${fmt(f.frame.bytes)} bytes on the stack (${localsList(locals)}) and ${chainEn}`,
          zh: `${f.name}() 在栈上至少放了 ${fmt(f.frame.bytes)} 字节（${localsListZh(locals)}），而${chainZh}`,
        };
    const trace: ProgramDraft['trace'] = chain ? chainTrace(chain) : locals.slice(1, 4).map((l) => ({ file: f.file, site: site(l.node), note: { en: `${l.decl}: ${fmt(l.bytes)} bytes`, zh: `${l.decl}：${fmt(l.bytes)} 字节` } }));
    out.push({ file: f.file, function: f.name, site: site(top.node), message, trace, help: FRAME_HELP });
  }

  // Variable-length arrays: the kernel builds with -Wvla; their size is whatever the caller says.
  for (const f of fns) {
    for (const v of f.vlas) {
      out.push({
        file: f.file,
        function: f.name,
        site: site(v.node),
        message: { en: `${f.name}() puts a variable-length array on the stack (${v.decl}): its size is only known at run time, with no bound the stack can rely on`, zh: `${f.name}() 在栈上放了一个变长数组（${v.decl}）：其大小运行时才知道，栈无法依赖任何上界` },
        trace: [],
        help: { en: 'give the array a constant bound (and check the length against it), or allocate it with kmalloc()', zh: '给数组一个常量上界（并据此检查长度），或用 kmalloc() 分配' },
      });
    }
  }

  // Recursion with no evident bound: at the first recursive call of the component's first function.
  for (const comp of comps) {
    const self = comp.length === 1 && comp[0].edges.some((e) => e.to === comp[0]);
    if (comp.length === 1 && !self) continue;
    const ev = unboundedRecursion(comp, layouts);
    if (!ev) continue;
    const set = new Set(comp);
    const { f: first, call, to } = ev;
    // The way back from the callee to the first function, for the trace.
    const back: Array<{ from: Fn; call: Call; to: Fn }> = [];
    if (to !== first) {
      const prev = new Map<Fn, { from: Fn; call: Call }>();
      const queue: Fn[] = [to];
      const seen = new Set<Fn>([to]);
      let closing: { from: Fn; call: Call } | null = null;
      while (queue.length > 0 && !closing) {
        const x = queue.shift() as Fn;
        for (const e of x.edges) {
          if (!set.has(e.to)) continue;
          if (e.to === first) {
            closing = { from: x, call: e.call };
            break;
          }
          if (seen.has(e.to)) continue;
          seen.add(e.to);
          prev.set(e.to, { from: x, call: e.call });
          queue.push(e.to);
        }
      }
      if (closing) {
        back.push({ from: closing.from, call: closing.call, to: first });
        for (let at = closing.from, i = 0; at !== to && i < 64; i++) {
          const pr = prev.get(at);
          if (!pr) break;
          back.unshift({ from: pr.from, call: pr.call, to: at });
          at = pr.from;
        }
      }
    }
    const cycle = [first, ...back.map((b) => b.from)];
    const level = cycle.reduce((s, f) => s + weight(f), 0);
    const via = back.length > 0 ? `${first.name}() calls ${to.name}(), which calls ${first.name}() again${back.length > 1 ? ` (through ${back.slice(0, -1).map((b) => `${b.to.name}()`).join(', ')})` : ''}` : `${first.name}() calls itself`;
    const viaZh = back.length > 0 ? `${first.name}() 调用 ${to.name}()，后者又会再次调用 ${first.name}()` : `${first.name}() 调用自身`;
    out.push({
      file: first.file,
      function: first.name,
      site: site(call.node),
      message: {
        en: `${via} with no evident bound on the depth (no depth compared against a limit, no counter run down), ${ev.why === 'data' ? `one level per nesting of the data (${ev.arg})` : ev.why === 'link' ? `one level per element of the chain (${ev.arg})` : `again with its own arguments (${ev.arg}), which only a change of state ends`}: each level adds at least ${fmt(level)} bytes of stack, and deep enough data overruns the ${stackWhy}`,
        zh: `${viaZh}，而递归深度没有明显的界限（没有把深度与上限比较，也没有递减的计数），${ev.why === 'data' ? `数据每嵌套一层就递归一层（${ev.arg}）` : ev.why === 'link' ? `链上每个元素递归一层（${ev.arg}）` : `以原样的参数再次调用（${ev.arg}），只有状态改变才会结束`}：每一层至少增加 ${fmt(level)} 字节的栈，数据足够深时就会耗尽${stackWhyZh}`,
      },
      trace: back.map((b) => ({ file: b.from.file, site: site(b.call.node), note: { en: `${b.from.name}() calls ${b.to.name}()`, zh: `${b.from.name}() 调用 ${b.to.name}()` } })),
      help: { en: 'bound the recursion (pass a depth and stop at a limit) or turn it into a loop over an explicit list', zh: '为递归设定界限（传入深度并在上限处停止），或改写为遍历显式列表的循环' },
    });
  }
  return out;
}
