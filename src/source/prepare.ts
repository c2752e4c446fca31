// Kernel C made parseable by a plain C grammar, without moving a character: one branch of each
// #if kept (the others blanked), attributes blanked, iterator macros (`list_for_each_entry(...) {`)
// turned into `while (...)` loops. Every offset, line and column of the result is the source's.

/** What the rewriting found that the analysis needs: lock annotations, and where a scoped_guard() opens its scope. */
export interface Prepared {
  text: string;
  /** `__acquires(x)`, `__releases(x)`, `__must_hold(x)` with the offset they were at. */
  annotations: Array<{ at: number; kind: 'acquires' | 'releases' | 'must_hold'; lock: string }>;
  /** Offsets of `scoped_guard` heads rewritten as `while`: the guard's name at each. */
  scopedGuards: Map<number, string>;
}

/** Attributes and annotations that are blanked where they stand (a word alone). */
const WORD_ATTRIBUTES = new Set([
  '__init', '__exit', '__initdata', '__exitdata', '__initconst', '__devinit', '__devexit', '__cold', '__hot', '__always_inline',
  'noinline', '__noinline', '__maybe_unused', '__used', '__read_mostly', '__ro_after_init', '__user', '__iomem', '__rcu', '__percpu',
  '__force', '__bitwise', '__must_check', 'notrace', '__visible', 'asmlinkage', '__noreturn', '__noclone', '__weak', '__pure',
  '__always_unused', '__latent_entropy', '__randomize_layout', '__packed', '__cacheline_aligned', '__cacheline_aligned_in_smp',
  '____cacheline_aligned', '____cacheline_aligned_in_smp', '__kprobes', '__sched', '__lockfunc', 'fallthrough', '__counted_by_ptr',
  '__nocast', '__safe', '__private', '__rcu_bh', '__attribute_const__', '__deprecated', '__flatten', '__naked', 'inline_for_ksym',
  '__init_or_module', '__meminit', '__meminitdata', '__ref', '__refdata', '__head', '__nostackprotector', '__no_sanitize_address',
  'noinline_for_stack', '__always_inline_for_stack', '__noinstr', 'noinstr', '__irq_entry', '__softirq_entry', '__cpuidle',
]);

/**
 * A type given to a macro as an argument (`container_of(p, struct x, m)`, `offsetof(struct x, m)`,
 * `min_t(unsigned int, a, b)`) is no C expression: its keywords are blanked so that what is left is
 * one (an identifier standing for the type). Only before a comma: `sizeof(struct x)` and casts stay.
 */
const TAGGED_TYPE_ARG = /([(,]\s*)(struct|union|enum)(\s+[A-Za-z_]\w*\s*\**\s*)(?=,)/g;
const BUILTIN_TYPE_ARG = /([(,]\s*)((?:unsigned|signed)(?:\s+(?:long|int|short|char))*|(?:long|short)(?:\s+(?:long|int))*)(\s*\**\s*)(?=,)/g;
/** A type as the only argument of a macro (`alloc_percpu(struct x)`); sizeof and typeof take types and stay. */
const TAGGED_TYPE_ONLY_ARG = /\b([A-Za-z_]\w*)(\s*\(\s*)(struct|union|enum)(\s+[A-Za-z_]\w*\s*\**\s*)(?=\))/g;
const TAKES_TYPES = new Set(['sizeof', 'typeof', '__typeof__', '__typeof', 'alignof', '_Alignof', '__alignof__', 'offsetof', '__builtin_offsetof']);
/**
 * A token pasted from a number and letters (`1000baseT_Full`, an ethtool link mode a macro turns into
 * an enum name): no C token. Its first digit becomes `_`. Numbers with suffixes and exponents stay.
 */
const PASTED_NUMBER = /\b\d+([A-Za-z_]\w*)/g;
const NUMBER_SUFFIX = /^(?:[uUlLzZ]{1,3}|[eEpP][+-]?\d*[fFlL]?|[fF]|[xXbB][0-9a-fA-F_]*[uUlL]{0,3})$/;
/** An upper-case macro name (and the space after it) followed by another before a string literal. */
const MACRO_BEFORE_MACRO_STRING = /\b[A-Z_][A-Z0-9_]*\s+(?=[A-Z_][A-Z0-9_]*\s*")/g;
/** `case 1 ... 5:`: a GNU case range, read as its first value. */
const CASE_RANGE = /(\bcase\s[^:\n]{1,120}?)(\s\.\.\.\s[^:\n]{1,120}?)(?=:)/g;

/** Attributes with an argument list, blanked with it: `__attribute__((...))`, `__aligned(8)`, `__acquires(&l)`. */
const CALL_ATTRIBUTES = new Set([
  '__attribute__', '__attribute', '__aligned', '__printf', '__scanf', '__section', '__acquires', '__releases', '__must_hold', '__cond_lock',
  '__cond_acquires', '__cond_releases', '__counted_by', '__alloc_size', '__malloc', '__nonstring', '__diagnose_as', '__no_context_analysis',
  '__guarded_by', '__pt_guarded_by', '__assume_aligned', '__designated_init', 'ACPI_EXPORT_SYMBOL_INIT',
]);

const ANNOTATION_KINDS: Record<string, 'acquires' | 'releases' | 'must_hold'> = { __acquires: 'acquires', __releases: 'releases', __must_hold: 'must_hold' };

/** Iterator macros that head a loop body: `list_for_each_entry(pos, head, member) { ... }`. */
const ITERATOR = /(?:^|_)for_each(?:_|$)|_for$|^foreach_|_foreach$|^for_each|_for_each$|^hash_for_each|^idr_for_each|^xa_for_each|^llist_for_each|^hlist_for_each|^rbtree_postorder_for_each/;

const SPACE = 0x20;
const NEWLINE = 0x0a;

function blank(units: Uint16Array, from: number, to: number): void {
  for (let i = from; i < to && i < units.length; i++) if (units[i] !== NEWLINE) units[i] = SPACE;
}

const UTF16 = new TextDecoder('utf-16le');

/** The offset just past the parenthesised group that opens at `open`, or -1 (unbalanced within the limit). */
function closeParen(text: string, open: number, limit = 20_000): number {
  let depth = 0;
  for (let i = open; i < text.length && i < open + limit; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
    else if (c === '"' || c === "'") {
      // Skip a literal: parentheses inside it do not count.
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
    }
  }
  return -1;
}

/** Blanks all #if branches but one: the first, or the #else of an `#if 0`. Directive lines are blanked too. */
function pickBranches(chars: Uint16Array, text: string): void {
  const lineStarts: number[] = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  // Each open #if: whether the branch now read is kept, and whether one was kept already.
  const stack: Array<{ keep: boolean; taken: boolean; parentKeep: boolean }> = [];
  const keeping = (): boolean => stack.length === 0 || stack[stack.length - 1].keep;
  let continued = false;
  for (let n = 0; n < lineStarts.length; n++) {
    const from = lineStarts[n];
    const to = n + 1 < lineStarts.length ? lineStarts[n + 1] - 1 : text.length;
    const line = text.slice(from, to);
    const wasContinued = continued;
    continued = line.endsWith('\\');
    const d = wasContinued ? null : /^\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b(.*)$/.exec(line);
    if (d) {
      const kind = d[1];
      if (kind === 'if' || kind === 'ifdef' || kind === 'ifndef') {
        const parentKeep = keeping();
        const zero = kind === 'if' && /^\s*0\s*(?:\/[/*].*)?$/.test(d[2]);
        stack.push({ keep: parentKeep && !zero, taken: !zero, parentKeep });
      } else if (kind === 'elif' || kind === 'else') {
        const top = stack[stack.length - 1];
        if (top) {
          top.keep = top.parentKeep && !top.taken;
          if (top.keep) top.taken = true;
        }
      } else stack.pop();
      blank(chars, from, to);
      continue;
    }
    if (!keeping()) blank(chars, from, to);
  }
}

/** Words a macro may stand for and still be only a storage class or attribute: `#define STATIC static noinline`. */
const STORAGE_WORDS = new Set(['static', 'inline', '__inline', '__inline__', 'extern', 'const', 'volatile', 'register', ...WORD_ATTRIBUTES]);

/**
 * Object-like macros of the files that expand to storage classes and attributes only (xfs's
 * `STATIC`, `__KERNEL_STATIC`): blanked where they are used, as the attributes they stand for.
 */
export function attributeMacros(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w{0,63})[ \t]+([^\n\\]{0,200})$/gm)) {
    const words = m[2].replace(/\/\*.*?\*\/|\/\/.*$/g, '').trim().split(/\s+/).filter((w) => w !== '');
    if (words.length > 0 && words.every((w) => STORAGE_WORDS.has(w))) out.push(m[1]);
  }
  return out;
}

export function prepareSource(text: string, extraAttributes: ReadonlySet<string> = new Set()): Prepared {
  // Offsets are UTF-16 code units (what tree-sitter's JavaScript binding reports): one array element per unit.
  const units = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
  pickBranches(units, text);
  const annotations: Prepared['annotations'] = [];
  const scopedGuards = new Map<number, string>();
  const word = /[A-Za-z_][A-Za-z0-9_]*/g;
  const current = (): string => UTF16.decode(units);
  let src = current();
  for (const m of src.matchAll(word)) {
    const name = m[0];
    const at = m.index ?? 0;
    // Identifiers inside a literal or a comment were blanked already or are harmless: only words count.
    if (WORD_ATTRIBUTES.has(name) || extraAttributes.has(name)) {
      blank(units, at, at + name.length);
      continue;
    }
    if (!CALL_ATTRIBUTES.has(name) && !ITERATOR.test(name) && name !== 'scoped_guard') continue;
    let open = at + name.length;
    while (open < src.length && (src[open] === ' ' || src[open] === '\t')) open++;
    if (src[open] !== '(') continue;
    const end = closeParen(src, open);
    if (end < 0) continue;
    if (CALL_ATTRIBUTES.has(name)) {
      const kind = ANNOTATION_KINDS[name];
      if (kind) annotations.push({ at, kind, lock: src.slice(open + 1, end - 1).trim() });
      blank(units, at, end);
      continue;
    }
    // An iterator or scoped_guard heads a statement: what follows its ')' is a body, not a ';'.
    let next = end;
    while (next < src.length && /\s/.test(src[next])) next++;
    if (src[next] === ';' || src[next] === ')' || src[next] === ',' || next >= src.length) continue;
    // A definition of the macro itself (`#define list_for_each(pos, head) for (...)`) is left alone.
    const lineStart = src.lastIndexOf('\n', at) + 1;
    if (/^\s*#/.test(src.slice(lineStart, at))) continue;
    if (name === 'scoped_guard') scopedGuards.set(at, src.slice(open + 1, end - 1).split(',')[0].trim());
    for (let i = 0; i < 5; i++) units[at + i] = 'while'.charCodeAt(i);
    blank(units, at + 5, at + name.length);
  }
  src = current();
  const spaces = (t: string): string => t.replace(/[^\n]/g, ' ');
  src = src
    .replace(TAGGED_TYPE_ARG, (_m, before: string, kw: string, rest: string) => `${before}${spaces(kw)}${rest}`)
    .replace(BUILTIN_TYPE_ARG, (_m, before: string, type: string, rest: string) => `${before}t${spaces(type.slice(1))}${rest}`)
    .replace(CASE_RANGE, (_m, head: string, range: string) => `${head}${spaces(range)}`)
    .replace(TAGGED_TYPE_ONLY_ARG, (m, name: string, open: string, kw: string, rest: string) => (TAKES_TYPES.has(name) ? m : `${name}${open}${spaces(kw)}${rest}`))
    // offsetof(struct x, a.b[i]) is more than the grammar's offsetof: read it as a call (of `offset_f`).
    .replace(/\boffsetof(?=\s*\()/g, 'offset_f')
    .replace(PASTED_NUMBER, (m, tail: string) => (NUMBER_SUFFIX.test(tail) ? m : `_${m.slice(1)}`))
    // `KERN_DEBUG PREFIX "text"`: macros that expand to strings, two or more before a literal; the grammar takes one.
    .replace(MACRO_BEFORE_MACRO_STRING, (m) => spaces(m));
  return { text: src, annotations, scopedGuards };
}
