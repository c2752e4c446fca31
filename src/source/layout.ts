// Sizes of C types as the files given define them: struct and union layouts with alignment, typedefs,
// `#define` and enum constants, constant expressions (`N * 4`, `sizeof(struct x)`, `BITS_TO_LONGS(n)`),
// for the stack check. Every size is a lower bound: what is not known (a member of a type no file
// defines, a member inside an #if) counts for nothing, never for a guess.

import { dirname, join, normalize } from 'node:path';
import { namedKids, type Node } from './parse';
import type { ProgramFile } from './checks/types';
import { KERNEL_CONSTANTS, KERNEL_TYPES, scalarTypes, type KnownType, type StackArch } from '../knowledge/stack';

/** A type's layout: `exact` false when parts of it were not known (the size is then a lower bound). */
export interface TypeLayout {
  size: number;
  align: number;
  /** A struct, union or array: it lives in memory, not in a register. */
  aggregate: boolean;
  exact: boolean;
  /** An array's element count (for ARRAY_SIZE()). */
  count?: number;
}

/** Sizes above this are no real local or member: an expression read wrong. */
const MAX_SIZE = 1 << 20;
/** Macro expansions followed at most, one inside another. */
const MAX_EXPANSION = 24;

interface MacroDef {
  params: string[] | null;
  body: string;
}

interface FileIndex {
  file: ProgramFile;
  header: boolean;
  macros: Map<string, MacroDef[]>;
  /** Enumerators, with their value when it could be worked out (in the file's own context, lazily). */
  enumerators: Map<string, Array<{ list: Node; index: number }>>;
  structs: Map<string, Node[]>;
  typedefs: Map<string, Array<{ type: Node; declarator: Node }>>;
  /** File-scope variables (`static const u8 table[] = {...}`), for sizeof() and ARRAY_SIZE() of them. */
  globals: Map<string, Array<{ type: Node; declarator: Node }>>;
  /** #if nesting of each line (0-based) of the file as read. */
  depth: Int32Array;
  includes: string[];
  visible: FileIndex[] | null;
}

/** The #if nesting of each line: a member or local deeper than its struct or function is conditional. */
function conditionalDepth(text: string): Int32Array {
  const lines = text.split('\n');
  const out = new Int32Array(lines.length);
  let d = 0;
  let continued = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const m = continued ? null : /^\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b/.exec(line);
    continued = line.endsWith('\\');
    if (m && (m[1] === 'if' || m[1] === 'ifdef' || m[1] === 'ifndef')) {
      out[i] = d;
      d++;
    } else if (m && m[1] === 'endif') {
      d = Math.max(0, d - 1);
      out[i] = d;
    } else out[i] = d;
  }
  return out;
}

/** `#define NAME body` and `#define NAME(a, b) body` of a file, continuation lines joined, comments dropped. */
function macrosOf(text: string): Map<string, MacroDef[]> {
  const out = new Map<string, MacroDef[]>();
  if (!text.includes('define')) return out;
  const re = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(\([^)]*\))?((?:[^\n]*\\\n)*[^\n]*)$/gm;
  for (const m of text.matchAll(re)) {
    const body = m[3].replace(/\\\n/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/.*$/, '').trim();
    if (body.length > 400) continue;
    const params = m[2] ? m[2].slice(1, -1).split(',').map((p) => p.trim()).filter((p) => p !== '') : null;
    const list = out.get(m[1]) ?? [];
    list.push({ params, body });
    out.set(m[1], list);
  }
  return out;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/** The identifier a declarator declares (`*buf[4]` declares `buf`). */
export function declaredName(d: Node | null): string | null {
  for (let i = 0; d && i < 16; i++) {
    if (d.type === 'identifier' || d.type === 'field_identifier' || d.type === 'type_identifier') return d.text;
    const inner: Node | null = d.childForFieldName('declarator') ?? (d.type === 'parenthesized_declarator' ? d.namedChild(0) : null);
    d = inner;
  }
  return null;
}

function indexFile(file: ProgramFile): FileIndex {
  const idx: FileIndex = {
    file,
    header: file.path.endsWith('.h'),
    macros: macrosOf(file.text),
    enumerators: new Map(),
    structs: new Map(),
    typedefs: new Map(),
    globals: new Map(),
    depth: conditionalDepth(file.text),
    includes: [...file.text.matchAll(/^[ \t]*#[ \t]*include[ \t]*["<]([^">\n]+)[">]/gm)].map((m) => m[1]),
    visible: null,
  };
  const visit = (n: Node, inFunction: boolean): void => {
    switch (n.type) {
      case 'struct_specifier':
      case 'union_specifier': {
        const name = n.childForFieldName('name');
        const body = n.childForFieldName('body');
        // Types defined inside a function are the function's own: looked up through the local's type node.
        if (name && body && !inFunction) push(idx.structs, `${n.type === 'struct_specifier' ? 'struct' : 'union'} ${name.text}`, n);
        break;
      }
      case 'enumerator_list': {
        // A function's own `enum { N = 4 };` too: its names are unlikely to mean something else elsewhere.
        let i = 0;
        for (const c of namedKids(n)) {
          if (c?.type === 'enumerator') {
            const nm = c.childForFieldName('name');
            if (nm) push(idx.enumerators, nm.text, { list: n, index: i });
            i++;
          }
        }
        break;
      }
      case 'declaration':
        if (!inFunction) {
          const type = n.childForFieldName('type');
          for (const d of n.childrenForFieldName('declarator')) {
            const inner = d?.type === 'init_declarator' ? d.childForFieldName('declarator') : d;
            if (!d || !type || !inner || inner.type === 'function_declarator') continue;
            const nm = declaredName(d);
            if (nm) push(idx.globals, nm, { type, declarator: d });
          }
        }
        break;
      case 'type_definition':
        if (!inFunction) {
          const type = n.childForFieldName('type');
          if (type) {
            for (const d of n.childrenForFieldName('declarator')) {
              const nm = d ? declaredName(d) : null;
              if (d && nm) push(idx.typedefs, nm, { type, declarator: d });
            }
          }
        }
        break;
      default:
        break;
    }
    const fn = inFunction || n.type === 'function_definition';
    for (const c of namedKids(n)) if (c) visit(c, fn);
  };
  visit(file.root, false);
  return idx;
}

/** Layout of the types the files define, for one architecture. */
export class Layouts {
  private readonly files = new Map<string, FileIndex>();
  private readonly byBase = new Map<string, FileIndex[]>();
  /** The headers that define a name (a macro, enumerator, struct tag or typedef). */
  private readonly headersDefining = new Map<string, FileIndex[]>();
  private readonly scalars: Map<string, KnownType>;
  private readonly kernel = new Map<string, KnownType>();
  private readonly structCache = new Map<number, TypeLayout | null>();
  private readonly inProgress = new Set<number>();
  private readonly lookupCache = new Map<string, TypeLayout | null>();
  private readonly valueCache = new Map<string, number | null>();
  readonly pointer: number;
  private readonly maxAlign: number;

  constructor(files: readonly ProgramFile[], readonly arch: StackArch) {
    this.pointer = arch.pointer;
    this.maxAlign = arch.maxAlign;
    this.scalars = scalarTypes(arch.pointer, arch.maxAlign);
    for (const t of KERNEL_TYPES) {
      // Measured on x86_64: on a 32-bit arch, pointers and longs halve, so half is the bound.
      const size = arch.pointer === 8 ? t.size : Math.floor(t.size / 2);
      this.kernel.set(t.name, { size, align: Math.min(t.align, arch.maxAlign, arch.pointer), aggregate: true });
    }
    for (const f of files) {
      const idx = indexFile(f);
      this.files.set(f.path, idx);
      const base = f.path.split('/').pop() ?? f.path;
      push(this.byBase, base, idx);
      if (!idx.header) continue;
      for (const m of [idx.macros, idx.enumerators, idx.structs, idx.typedefs, idx.globals]) {
        for (const k of m.keys()) {
          const l = this.headersDefining.get(k);
          if (!l) this.headersDefining.set(k, [idx]);
          else if (l[l.length - 1] !== idx) l.push(idx);
        }
      }
    }
  }

  /** The file, then the files it includes (found among the files given by path), transitively. */
  private visible(path: string): FileIndex[] {
    const idx = this.files.get(path);
    if (!idx) return [];
    if (idx.visible) return idx.visible;
    const out: FileIndex[] = [idx];
    const seen = new Set<FileIndex>([idx]);
    for (let i = 0; i < out.length && out.length < 64; i++) {
      const from = out[i];
      for (const inc of from.includes) {
        const base = inc.split('/').pop() ?? inc;
        const cands = this.byBase.get(base) ?? [];
        if (cands.length === 0) continue;
        const rel = normalize(join(dirname(from.file.path), inc));
        let pick = cands.filter((c) => c.file.path === rel);
        if (pick.length === 0) pick = cands.filter((c) => c.file.path.endsWith(`/${inc}`) && dirname(c.file.path) === dirname(from.file.path));
        if (pick.length === 0) pick = cands.filter((c) => c.file.path.endsWith(`/${inc}`));
        if (pick.length !== 1) continue;
        if (!seen.has(pick[0])) {
          seen.add(pick[0]);
          out.push(pick[0]);
        }
      }
    }
    idx.visible = out;
    return out;
  }

  /**
   * What a name stands for from a file: the definitions of the first visible file that has one; else
   * those of every header given (a .c file's own are private to it). Several: the caller takes the smallest.
   */
  private lookup<T>(path: string, name: string, get: (f: FileIndex) => T[] | undefined): Array<{ def: T; file: FileIndex }> {
    for (const f of this.visible(path)) {
      const l = get(f);
      if (l && l.length > 0) return l.map((def) => ({ def, file: f }));
    }
    const out: Array<{ def: T; file: FileIndex }> = [];
    for (const f of this.headersDefining.get(name) ?? []) {
      const l = get(f);
      if (l) for (const def of l) out.push({ def, file: f });
    }
    return out;
  }

  /** Whether the line of a node is inside an #if that opened after `outer`'s line. */
  conditionalWithin(path: string, node: Node, outer: Node): boolean {
    const f = this.files.get(path);
    if (!f) return false;
    return (f.depth[node.startPosition.row] ?? 0) > (f.depth[outer.startPosition.row] ?? 0);
  }

  // ---- constants ----

  /** The value of a constant expression as written in a file; null when some part is not a known constant. */
  value(expr: string, path: string, sizeofName?: (name: string) => TypeLayout | null): number | null {
    const key = sizeofName ? null : `${path}\0${expr}`;
    if (key !== null && this.valueCache.has(key)) return this.valueCache.get(key) ?? null;
    let v: number | null = null;
    try {
      const r = new ExprParser(this, path, tokenize(expr), 0, sizeofName).whole();
      v = r === null ? null : Number(r);
    } catch {
      v = null;
    }
    if (v !== null && !Number.isFinite(v)) v = null;
    if (key !== null) this.valueCache.set(key, v);
    return v;
  }

  /** An identifier's value: a macro, an enumerator, a kernel constant. */
  identifier(name: string, path: string, depth: number): bigint | null {
    if (depth > MAX_EXPANSION) return null;
    const macros = this.lookup(path, name, (f) => f.macros.get(name)?.filter((m) => m.params === null));
    if (macros.length > 0) {
      let best: bigint | null = null;
      for (const { def, file } of macros) {
        const v = this.subValue(def.body, file.file.path, depth + 1);
        if (v === null) return null;
        if (best === null || v < best) best = v;
      }
      return best;
    }
    const enums = this.lookup(path, name, (f) => f.enumerators.get(name));
    if (enums.length > 0) {
      let best: bigint | null = null;
      for (const { def, file } of enums) {
        const v = this.enumValue(def.list, def.index, file.file.path, depth + 1);
        if (v === null) return null;
        if (best === null || v < best) best = v;
      }
      return best;
    }
    const k = KERNEL_CONSTANTS.get(name);
    if (k !== undefined) return BigInt(k);
    if (name === 'BITS_PER_LONG') return BigInt(this.pointer * 8);
    return null;
  }

  private subValue(expr: string, path: string, depth: number): bigint | null {
    try {
      return new ExprParser(this, path, tokenize(expr), depth).whole();
    } catch {
      return null;
    }
  }

  private enumValue(list: Node, index: number, path: string, depth: number): bigint | null {
    // null: counting from a value that is not known (until the next enumerator with its own value).
    let v: bigint | null = -1n;
    let i = 0;
    for (const c of namedKids(list)) {
      if (c?.type !== 'enumerator') continue;
      const val = c.childForFieldName('value');
      if (val) v = this.subValue(val.text, path, depth);
      else v = v === null ? null : v + 1n;
      if (i === index) return v;
      i++;
    }
    return null;
  }

  /** A function-like macro of the files, expanded with its arguments (text substitution). */
  expandMacro(name: string, args: string[], path: string): Array<{ body: string; path: string }> | null {
    const defs = this.lookup(path, name, (f) => f.macros.get(name)?.filter((m) => m.params !== null && m.params.length === args.length));
    if (defs.length === 0) return null;
    return defs.map(({ def, file }) => {
      let body = def.body;
      (def.params ?? []).forEach((p, i) => {
        body = body.replace(new RegExp(`(?<![\\w#])#?\\b${p.replace(/[^\w]/g, '')}\\b`, 'g'), `(${args[i]})`);
      });
      return { body, path: file.file.path };
    });
  }

  // ---- types ----

  /** A type as named in an expression (`struct foo`, `unsigned long`, `u32 *`, a typedef). */
  typeName(text: string, path: string): TypeLayout | null {
    let t = text.replace(/\b(?:const|volatile|__user|__iomem|__rcu|__percpu|__force)\b/g, ' ').replace(/\s+/g, ' ').trim();
    const ptr = /\*/.test(t);
    if (ptr) t = t.replace(/\*/g, '').trim();
    const arr = /^(.*?)\s*\[\s*([^\]]+)\s*\]$/.exec(t);
    if (ptr) return { size: this.pointer, align: this.pointer, aggregate: false, exact: true };
    if (arr) {
      const el = this.typeName(arr[1], path);
      const n = this.value(arr[2], path);
      return el && n !== null && n >= 0 ? { size: el.size * n, align: el.align, aggregate: true, exact: el.exact } : null;
    }
    const tag = /^(struct|union|enum)\s+([A-Za-z_]\w*)$/.exec(t);
    if (tag) return tag[1] === 'enum' ? { size: 4, align: 4, aggregate: false, exact: true } : this.tagged(`${tag[1]} ${tag[2]}`, path);
    if (/^[A-Za-z_][\w ]*$/.test(t)) {
      const b = this.builtin(t);
      if (b) return b;
      if (/^[A-Za-z_]\w*$/.test(t)) return this.named(t, path);
    }
    return null;
  }

  /** `unsigned long`, `long long int`, `char`: the C base types, by their words. */
  builtin(text: string): TypeLayout | null {
    const words = text.trim().split(/\s+/);
    const known = this.scalars.get(words.join(' '));
    if (known) return { ...known, exact: true };
    if (!words.every((w) => /^(?:unsigned|signed|int|long|short|char|__signed__|_Bool|bool|float|double)$/.test(w))) return null;
    const longs = words.filter((w) => w === 'long').length;
    let size = 4;
    if (words.includes('char')) size = 1;
    else if (words.includes('short')) size = 2;
    else if (words.includes('double')) size = longs > 0 ? 16 : 8;
    else if (longs >= 2) size = 8;
    else if (longs === 1) size = this.pointer;
    return { size, align: Math.min(size, this.maxAlign), aggregate: false, exact: true };
  }

  /** A typedef name: the files' typedefs first, then the kernel's scalar and struct types. */
  named(name: string, path: string): TypeLayout | null {
    const key = `n\0${this.visible(path)[0]?.file.path ?? path}\0${name}`;
    if (this.lookupCache.has(key)) return this.lookupCache.get(key) ?? null;
    this.lookupCache.set(key, null);
    let out: TypeLayout | null = null;
    const defs = this.lookup(path, name, (f) => f.typedefs.get(name));
    for (const { def, file } of defs) {
      const base = this.typeOf(def.type, file.file.path);
      const t = base ? this.declare(def.declarator, base, file.file.path).type : null;
      if (!t) {
        out = null;
        break;
      }
      if (!out || t.size < out.size) out = t;
    }
    if (!out && defs.length === 0) {
      const s = this.scalars.get(name);
      const k = this.kernel.get(name);
      if (s) out = { ...s, exact: true };
      else if (k) out = { ...k, exact: false };
    }
    this.lookupCache.set(key, out);
    return out;
  }

  /** `struct foo` / `union foo`: a definition the file sees, else a header's, else the kernel table's. */
  tagged(tag: string, path: string): TypeLayout | null {
    const key = `t\0${path}\0${tag}`;
    if (this.lookupCache.has(key)) return this.lookupCache.get(key) ?? null;
    let out: TypeLayout | null = null;
    const defs = this.lookup(path, tag, (f) => f.structs.get(tag));
    for (const { def, file } of defs) {
      const t = this.record(def, file.file.path);
      if (!t) continue;
      if (!out || t.size < out.size) out = t;
    }
    if (!out && defs.length === 0) {
      const k = this.kernel.get(tag);
      if (k) out = { ...k, exact: false };
    }
    this.lookupCache.set(key, out);
    return out;
  }

  /**
   * The tag a member of a struct points to (`struct tlv_node *next` of `struct tlv_node`: `struct tlv_node`),
   * null when the member is no pointer to a struct; undefined when the struct or member is not known.
   */
  memberPointee(tag: string, field: string, path: string): string | null | undefined {
    for (const { def } of this.lookup(path, tag, (f) => f.structs.get(tag))) {
      const body = def.childForFieldName('body');
      for (const c of body ? namedKids(body) : []) {
        if (c?.type !== 'field_declaration') continue;
        for (const d of c.childrenForFieldName('declarator')) {
          if (!d || declaredName(d) !== field) continue;
          const type = c.childForFieldName('type');
          if (d.type !== 'pointer_declarator' || !type) return null;
          return this.structTag(type, path);
        }
      }
    }
    return undefined;
  }

  /** `struct x` of a type node naming one (directly or through a typedef of the files); null otherwise. */
  structTag(type: Node, path: string): string | null {
    if (type.type === 'struct_specifier' || type.type === 'union_specifier') {
      const name = type.childForFieldName('name');
      return name ? `${type.type === 'struct_specifier' ? 'struct' : 'union'} ${name.text}` : null;
    }
    if (type.type === 'type_identifier') {
      const defs = this.lookup(path, type.text, (f) => f.typedefs.get(type.text));
      const d = defs[0];
      if (d && d.def.declarator.type !== 'pointer_declarator' && d.def.type.id !== type.id) return this.structTag(d.def.type, d.file.file.path);
    }
    return null;
  }

  /** A file-scope variable's layout (`static const u8 seq[] = {...}`: its initializer's count). */
  global(name: string, path: string): TypeLayout | null {
    const defs = this.lookup(path, name, (f) => f.globals.get(name));
    let out: TypeLayout | null = null;
    for (const { def, file } of defs) {
      const t = this.declare(def.declarator, this.typeOf(def.type, file.file.path), file.file.path).type;
      if (t && t.size > 0 && (!out || t.size < out.size)) out = t;
    }
    return out;
  }

  /** A member of a struct: its layout, and the struct it is (or points to) for the next `.`/`->`. */
  member(tag: string, field: string, path: string): { type: TypeLayout | null; tag: string | null } | null {
    for (const { def, file } of this.lookup(path, tag, (f) => f.structs.get(tag))) {
      const found = this.findMember(def, field, file.file.path);
      if (found) return found;
    }
    return null;
  }

  private findMember(def: Node, field: string, path: string): { type: TypeLayout | null; tag: string | null } | null {
    const body = def.childForFieldName('body');
    for (const c of body ? namedKids(body) : []) {
      if (c?.type !== 'field_declaration') continue;
      const type = c.childForFieldName('type');
      if (!type) continue;
      const decls = c.childrenForFieldName('declarator').filter((d): d is Node => d !== null);
      // An anonymous struct or union member: its members are found through it.
      if (decls.length === 0 && (type.type === 'struct_specifier' || type.type === 'union_specifier') && type.childForFieldName('body')) {
        const inner = this.findMember(type, field, path);
        if (inner) return inner;
        continue;
      }
      for (const d of decls) {
        if (declaredName(d) !== field) continue;
        const t = this.declare(d, this.typeOf(type, path), path).type;
        const direct = d.type === 'field_identifier' || d.type === 'pointer_declarator';
        return { type: t, tag: direct ? this.structTag(type, path) : null };
      }
    }
    return null;
  }

  /** The layout of a type node (a declaration's `type`). */
  typeOf(n: Node, path: string): TypeLayout | null {
    switch (n.type) {
      case 'primitive_type':
      case 'sized_type_specifier':
        return this.builtin(n.text.replace(/\s+/g, ' '));
      case 'type_identifier':
        return this.named(n.text, path);
      case 'enum_specifier':
        return { size: 4, align: 4, aggregate: false, exact: true };
      case 'struct_specifier':
      case 'union_specifier': {
        if (n.childForFieldName('body')) return this.record(n, path);
        const name = n.childForFieldName('name');
        return name ? this.tagged(`${n.type === 'struct_specifier' ? 'struct' : 'union'} ${name.text}`, path) : null;
      }
      default:
        return null;
    }
  }

  /** Whether the source of a struct (as read: attributes are blanked in the parsed text) says it is packed. */
  private packed(n: Node, path: string): boolean {
    const f = this.files.get(path);
    if (!f) return false;
    const text = f.file.text;
    // The attribute goes before the name (`struct __packed foo`), after the closing brace, or on the typedef.
    const body = n.childForFieldName('body');
    const head = text.slice(n.startIndex, body ? body.startIndex : n.endIndex);
    const tail = text.slice(n.endIndex, Math.min(text.length, n.endIndex + 80)).split(/[;{]/)[0];
    return /\b(?:__packed|packed)\b|pragma\s+pack/.test(head + tail) || (text.includes('#pragma pack') && /#\s*pragma\s+pack\s*\(\s*(?:push\s*,\s*)?1\s*\)/.test(text.slice(0, n.startIndex)));
  }

  /** A struct or union with a body: its members laid out. */
  record(n: Node, path: string): TypeLayout | null {
    const cached = this.structCache.get(n.id);
    if (cached !== undefined) return cached;
    if (this.inProgress.has(n.id)) return null;
    this.inProgress.add(n.id);
    const out = this.layoutBody(n, path);
    this.inProgress.delete(n.id);
    this.structCache.set(n.id, out);
    return out;
  }

  private layoutBody(n: Node, path: string): TypeLayout | null {
    const body = n.childForFieldName('body');
    if (!body) return null;
    const union = n.type === 'union_specifier';
    const packed = this.packed(n, path);
    let exact = !body.hasError;
    // A struct's offset in bits; a union's largest member in bytes.
    let bits = 0;
    let size = 0;
    let align = 1;
    const place = (t: TypeLayout): void => {
      const a = packed ? 1 : t.align;
      align = Math.max(align, a);
      if (union) size = Math.max(size, t.size);
      else bits = (Math.ceil(Math.ceil(bits / 8) / a) * a + t.size) * 8;
    };
    // GCC's rule: a bit-field does not straddle a boundary of its type's size (unless packed); `:0` goes to the next one.
    const bitfield = (cl: Node, base: TypeLayout): void => {
      const w = this.value(cl.namedChild(0)?.text ?? '', path);
      if (w === null || w < 0) {
        exact = false;
        return;
      }
      if (union) {
        size = Math.max(size, Math.ceil(w / 8));
        return;
      }
      const unit = base.size * 8;
      if (unit === 0) return;
      if (w === 0) {
        bits = Math.ceil(bits / unit) * unit;
        return;
      }
      if (!packed && Math.floor(bits / unit) !== Math.floor((bits + w - 1) / unit)) bits = Math.ceil(bits / unit) * unit;
      if (!packed) align = Math.max(align, base.align);
      bits += w;
    };
    for (const c of namedKids(body)) {
      if (!c || c.type === 'comment') continue;
      if (c.type !== 'field_declaration' || this.conditionalWithin(path, c, n)) {
        exact = false;
        continue;
      }
      const type = c.childForFieldName('type');
      if (!type) {
        exact = false;
        continue;
      }
      if (type.type === 'macro_type_specifier') {
        const m = this.memberMacro(c.text, path);
        if (m) place(m);
        else exact = false;
        continue;
      }
      const base = this.typeOf(type, path);
      if (base && !base.exact) exact = false;
      const decls = c.childrenForFieldName('declarator').filter((d): d is Node => d !== null);
      const clauses = namedKids(c).filter((x): x is Node => x?.type === 'bitfield_clause');
      if (clauses.length > 0) {
        // `int a:3, b:5;` (and `int :3;`, no name).
        if (base) for (const cl of clauses) bitfield(cl, base);
        else exact = false;
        continue;
      }
      if (decls.length === 0) {
        // An anonymous struct or union member: its members are the outer one's.
        if (base) place(base);
        else exact = false;
        continue;
      }
      for (const d of decls) {
        // A pointer to a type not known is still a pointer.
        const t = this.declare(d, base, path).type;
        if (t) place(t);
        else exact = false;
      }
    }
    const total = union ? size : Math.ceil(bits / 8);
    const a = packed ? 1 : align;
    const rounded = Math.ceil(total / a) * a;
    if (rounded > MAX_SIZE) return null;
    return { size: rounded, align: a, aggregate: true, exact };
  }

  /** `DECLARE_BITMAP(name, bits)` and its kind as a member or local. */
  memberMacro(text: string, path: string): TypeLayout | null {
    const m = /^\s*(DECLARE_BITMAP|DECLARE_HASHTABLE)\s*\(\s*\w+\s*,([^;]*)\)\s*;?\s*$/.exec(text);
    if (!m) return null;
    const n = this.value(m[2], path);
    if (n === null || n < 0) return null;
    if (m[1] === 'DECLARE_BITMAP') {
      const longs = Math.ceil(n / (this.pointer * 8));
      return { size: longs * this.pointer, align: this.pointer, aggregate: true, exact: true };
    }
    if (n > 20) return null;
    return { size: 2 ** n * this.pointer, align: this.pointer, aggregate: true, exact: true };
  }

  /**
   * The type a declarator gives its name, from the base type: `*p` a pointer, `a[N]` an array, `(*f)(..)` a
   * pointer. `vla`: an array size that is no constant, with its text. `base` null: a type not known
   * (only a pointer to it has a size then).
   */
  declare(d: Node, base: TypeLayout | null, path: string, opts: { init?: Node | null; local?: (name: string) => boolean; sizeofName?: (name: string) => TypeLayout | null } = {}): { type: TypeLayout | null; vla: string | null; name: string | null; function: boolean } {
    let t: TypeLayout | null = base;
    let vla: string | null = null;
    let cur: Node | null = d;
    let init = opts.init ?? null;
    let fn = false;
    for (let i = 0; cur && i < 16; i++) {
      switch (cur.type) {
        case 'identifier':
        case 'field_identifier':
        case 'type_identifier':
          return { type: fn ? null : t, vla, name: cur.text, function: fn };
        case 'init_declarator':
          init = cur.childForFieldName('value');
          cur = cur.childForFieldName('declarator');
          continue;
        case 'pointer_declarator':
          t = { size: this.pointer, align: this.pointer, aggregate: false, exact: true };
          cur = cur.childForFieldName('declarator');
          continue;
        case 'parenthesized_declarator':
          cur = namedKids(cur).find((x) => x !== null && x.type !== 'comment') ?? null;
          continue;
        case 'attributed_declarator':
          cur = cur.namedChild(0);
          continue;
        case 'function_declarator':
          // A function (or, under a pointer, a function pointer: the pointer was applied outside).
          fn = true;
          t = null;
          cur = cur.childForFieldName('declarator');
          if (cur?.type === 'parenthesized_declarator') {
            fn = false;
            t = { size: this.pointer, align: this.pointer, aggregate: false, exact: true };
            const inner: Node | null = cur.namedChild(0);
            cur = inner?.type === 'pointer_declarator' ? inner.childForFieldName('declarator') : inner;
          }
          continue;
        case 'array_declarator': {
          const sizeNode = cur.childForFieldName('size');
          let n: number | null = null;
          if (sizeNode) {
            n = this.value(sizeNode.text, path, opts.sizeofName);
            // A size that names a local or parameter (outside sizeof) is known only at run time.
            const names = sizeNode.text.replace(/\b(?:sizeof|ARRAY_SIZE|typeof|__typeof__|__alignof__|_Alignof)\s*\([^()]*(?:\([^()]*\)[^()]*)*\)|\bsizeof\s+[\w.>-]+|(?:->|\.)\s*\w+/g, ' ');
            if (n === null && opts.local && [...names.matchAll(/[A-Za-z_]\w*/g)].some((m) => opts.local?.(m[0]))) vla = sizeNode.text;
          } else if (init) n = initCount(init);
          else n = 0; // a flexible array member
          init = null;
          t = t && n !== null && n >= 0 && t.size * n <= MAX_SIZE ? { size: t.size * n, align: t.align, aggregate: true, exact: t.exact, count: n } : null;
          cur = cur.childForFieldName('declarator');
          continue;
        }
        default:
          return { type: null, vla, name: declaredName(cur), function: fn };
      }
    }
    return { type: null, vla, name: null, function: fn };
  }
}

/** Elements of an initializer (`{1, 2, 3}`, `"abc"`, `{ [7] = x }`), for `x[] = ...`. */
function initCount(init: Node): number | null {
  if (init.type === 'string_literal' || init.type === 'concatenated_string') {
    let n = 0;
    for (const s of init.type === 'string_literal' ? [init] : namedKids(init).filter((x): x is Node => x?.type === 'string_literal')) {
      const body = s.text.replace(/^[LuU8]*"/, '').replace(/"$/, '');
      n += body.replace(/\\(?:x[0-9a-fA-F]+|[0-7]{1,3}|.)/g, '.').length;
    }
    return n + 1;
  }
  if (init.type !== 'initializer_list') return null;
  let n = 0;
  let at = 0;
  for (const c of namedKids(init)) {
    if (!c || c.type === 'comment') continue;
    if (c.type === 'initializer_pair') {
      const d = c.childForFieldName('designator');
      const m = d && /^\[\s*(\d+)\s*\]$/.exec(d.text);
      if (m) at = Number(m[1]);
      else if (d?.type === 'subscript_designator') return null;
    }
    at++;
    n = Math.max(n, at);
  }
  return n;
}

// ---- constant expressions ----

type Tok = { k: 'num'; v: bigint } | { k: 'id'; v: string } | { k: 'op'; v: string } | { k: 'str'; v: string };

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  const re = /\s+|(0[xX][0-9a-fA-F]+|\d+)[uUlL]*|'(\\.|[^'\\])'|"(?:\\.|[^"\\])*"|([A-Za-z_]\w*)|(<<|>>|<=|>=|==|!=|&&|\|\||->|##|[-+*/%()<>&|^~!?:,.[\]#])/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < s.length) {
    re.lastIndex = at;
    m = re.exec(s);
    if (!m || m.index !== at) throw new Error('token');
    at = re.lastIndex;
    if (m[1] !== undefined) out.push({ k: 'num', v: m[1].length > 1 && m[1].startsWith('0') && !/^0[xX]/.test(m[1]) ? BigInt(`0o${m[1].slice(1)}`) : BigInt(m[1]) });
    else if (m[2] !== undefined) {
      const c = m[2];
      const esc: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39 };
      out.push({ k: 'num', v: BigInt(c.length === 1 ? c.charCodeAt(0) : (esc[c[1]] ?? c.charCodeAt(1))) });
    } else if (m[3] !== undefined) out.push({ k: 'id', v: m[3] });
    else if (m[4] !== undefined) out.push({ k: 'op', v: m[4] });
    else if (m[0].startsWith('"')) out.push({ k: 'str', v: m[0] });
  }
  return out;
}

const TYPE_WORDS = new Set(['unsigned', 'signed', 'int', 'long', 'short', 'char', 'const', 'volatile', 'struct', 'union', 'enum', 'bool', '_Bool', 'void', 'float', 'double']);

const BINARY: Record<string, number> = { '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10 };

class ExprParser {
  private i = 0;
  constructor(
    private readonly L: Layouts,
    private readonly path: string,
    private readonly t: Tok[],
    private readonly depth: number,
    private readonly sizeofName?: (name: string) => TypeLayout | null,
  ) {}

  whole(): bigint | null {
    if (this.depth > MAX_EXPANSION || this.t.length === 0) return null;
    const v = this.ternary();
    return this.i === this.t.length ? v : null;
  }

  private peek(o = 0): Tok | undefined {
    return this.t[this.i + o];
  }

  private isOp(v: string, o = 0): boolean {
    const x = this.peek(o);
    return x !== undefined && x.k === 'op' && x.v === v;
  }

  private expect(v: string): void {
    if (!this.isOp(v)) throw new Error(`expected ${v}`);
    this.i++;
  }

  private ternary(): bigint | null {
    const c = this.binary(1);
    if (!this.isOp('?')) return c;
    this.i++;
    const a = this.ternary();
    this.expect(':');
    const b = this.ternary();
    if (c === null) return null;
    return c !== 0n ? a : b;
  }

  private binary(min: number): bigint | null {
    let left = this.unary();
    for (;;) {
      const x = this.peek();
      if (!x || x.k !== 'op' || BINARY[x.v] === undefined || BINARY[x.v] < min) return left;
      const prec = BINARY[x.v];
      this.i++;
      const right = this.binary(prec + 1);
      left = left === null || right === null ? null : apply(x.v, left, right);
    }
  }

  /** Whether the tokens from here to the matching ')' read as a type name (a cast or sizeof's operand). */
  private typeAhead(): number {
    let j = this.i;
    let words = 0;
    let typey = false;
    while (j < this.t.length) {
      const x = this.t[j];
      if (x.k === 'op' && x.v === ')') break;
      if (x.k === 'op' && x.v === '*') {
        j++;
        continue;
      }
      if (x.k !== 'id') return -1;
      if (TYPE_WORDS.has(x.v) || /^(?:u|s|__u|__s|__le|__be)(?:8|16|32|64)$|_t$/.test(x.v)) typey = true;
      words++;
      j++;
    }
    return typey && words > 0 && j < this.t.length ? j : -1;
  }

  private unary(): bigint | null {
    const x = this.peek();
    if (!x) throw new Error('end');
    if (x.k === 'op') {
      if (x.v === '-' || x.v === '+' || x.v === '~' || x.v === '!') {
        this.i++;
        const v = this.unary();
        if (v === null) return null;
        return x.v === '-' ? -v : x.v === '+' ? v : x.v === '~' ? ~v : v === 0n ? 1n : 0n;
      }
      if (x.v === '(') {
        this.i++;
        const end = this.typeAhead();
        if (end >= 0) {
          // A cast: `(unsigned long)N`.
          this.i = end + 1;
          return this.unary();
        }
        const v = this.ternary();
        this.expect(')');
        return v;
      }
      throw new Error('op');
    }
    if (x.k === 'num') {
      this.i++;
      return x.v;
    }
    if (x.k === 'str') throw new Error('string');
    this.i++;
    const name = x.v;
    if (name === 'sizeof' || name === '__alignof__' || name === '_Alignof' || name === 'alignof') return this.sizeOf(name !== 'sizeof');
    if (this.isOp('(')) {
      const args = this.args();
      return this.call(name, args);
    }
    return this.L.identifier(name, this.path, this.depth + 1);
  }

  /** The argument texts of a macro call, split at top-level commas. */
  private args(): string[] {
    this.expect('(');
    const out: string[] = [];
    let cur: string[] = [];
    let depth = 0;
    while (this.i < this.t.length) {
      const x = this.t[this.i++];
      if (x.k === 'op' && (x.v === '(' || x.v === '[')) depth++;
      if (x.k === 'op' && (x.v === ')' || x.v === ']')) {
        if (depth === 0) {
          if (cur.length > 0 || out.length > 0) out.push(cur.join(' '));
          return out;
        }
        depth--;
      }
      if (x.k === 'op' && x.v === ',' && depth === 0) {
        out.push(cur.join(' '));
        cur = [];
        continue;
      }
      cur.push(x.k === 'num' ? x.v.toString() : x.v);
    }
    throw new Error('unbalanced');
  }

  private sub(text: string, path = this.path): bigint | null {
    return new ExprParser(this.L, path, tokenize(text), this.depth + 1, this.sizeofName).whole();
  }

  private call(name: string, args: string[]): bigint | null {
    const v = (i: number): bigint | null => (args[i] === undefined ? null : this.sub(args[i]));
    const two = (f: (a: bigint, b: bigint) => bigint | null, i = 0): bigint | null => {
      const a = v(i);
      const b = v(i + 1);
      return a === null || b === null ? null : f(a, b);
    };
    const long = BigInt(this.L.pointer * 8);
    switch (name) {
      case 'BIT':
      case 'BIT_ULL': {
        const n = v(0);
        return n === null || n < 0n || n > 62n ? null : 1n << n;
      }
      case 'DIV_ROUND_UP':
      case '__KERNEL_DIV_ROUND_UP':
        return two((a, b) => (b === 0n ? null : (a + b - 1n) / b));
      case 'BITS_TO_LONGS':
        return v(0) === null ? null : ((v(0) as bigint) + long - 1n) / long;
      case 'BITS_TO_U32':
        return v(0) === null ? null : ((v(0) as bigint) + 31n) / 32n;
      case 'BITS_TO_BYTES':
        return v(0) === null ? null : ((v(0) as bigint) + 7n) / 8n;
      case 'max':
      case 'MAX':
      case '__max':
        return two((a, b) => (a > b ? a : b));
      case 'min':
      case 'MIN':
      case '__min':
        return two((a, b) => (a < b ? a : b));
      case 'max_t':
        return two((a, b) => (a > b ? a : b), 1);
      case 'min_t':
        return two((a, b) => (a < b ? a : b), 1);
      case 'ALIGN':
      case 'round_up':
      case 'roundup':
      case '__ALIGN_KERNEL':
        return two((a, b) => (b === 0n ? null : ((a + b - 1n) / b) * b));
      case 'round_down':
      case 'rounddown':
        return two((a, b) => (b === 0n ? null : (a / b) * b));
      case 'ARRAY_SIZE': {
        const t = this.object((args[0] ?? '').replace(/\s+/g, ''));
        return t && t.count !== undefined ? BigInt(t.count) : null;
      }
      default:
        break;
    }
    const defs = this.L.expandMacro(name, args, this.path);
    if (!defs) return null;
    let best: bigint | null = null;
    for (const d of defs) {
      const r = this.sub(d.body, d.path);
      if (r === null) return null;
      if (best === null || r < best) best = r;
    }
    return best;
  }

  /** An object named in sizeof() or ARRAY_SIZE(): a local (through the caller), a member path of one, a file's variable. */
  private object(path: string): TypeLayout | null {
    if (!/^\*?[A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*)*$/.test(path)) return null;
    const t = this.sizeofName?.(path) ?? null;
    if (t) return t;
    return /^[A-Za-z_]\w*$/.test(path) ? this.L.global(path, this.path) : null;
  }

  private sizeOf(align: boolean): bigint | null {
    let text: string;
    if (this.isOp('(')) {
      const start = this.i;
      const args = this.args();
      text = args.join(',');
      if (args.length !== 1) {
        this.i = start;
        return null;
      }
    } else {
      // `sizeof x`: one operand.
      const x = this.peek();
      if (!x || x.k !== 'id') return null;
      this.i++;
      text = x.v;
    }
    let t = this.object(text.replace(/\s+/g, '').replace(/^\((.*)\)$/, '$1'));
    if (!t) t = this.L.typeName(text, this.path);
    if (!t) return null;
    return BigInt(align ? t.align : t.size);
  }
}

function apply(op: string, a: bigint, b: bigint): bigint | null {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0n ? null : a / b;
    case '%':
      return b === 0n ? null : a % b;
    case '<<':
      return b < 0n || b > 64n ? null : a << b;
    case '>>':
      return b < 0n || b > 64n ? null : a >> b;
    case '&':
      return a & b;
    case '|':
      return a | b;
    case '^':
      return a ^ b;
    case '&&':
      return a !== 0n && b !== 0n ? 1n : 0n;
    case '||':
      return a !== 0n || b !== 0n ? 1n : 0n;
    case '==':
      return a === b ? 1n : 0n;
    case '!=':
      return a !== b ? 1n : 0n;
    case '<':
      return a < b ? 1n : 0n;
    case '>':
      return a > b ? 1n : 0n;
    case '<=':
      return a <= b ? 1n : 0n;
    case '>=':
      return a >= b ? 1n : 0n;
    default:
      return null;
  }
}
