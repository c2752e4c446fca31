// Reads the values gdb prints with `set print pretty on`, as crash's `struct`, `p` and `union` answer.

/** One member of a printed value: a leaf with its text, or a `{ ... }` with members (name null when anonymous). */
export interface GdbNode {
  name: string | null;
  /** The leaf's value as printed, without the trailing comma; null for `{ ... }`. */
  value: string | null;
  children: GdbNode[] | null;
  line: number;
  endLine: number;
}

/** A whole printed value: `struct mutex {`, `$1 = {`, `jiffies_lock = {` and what follows up to its `}`. */
export interface GdbValue {
  /** The type of a `struct NAME {` / `union NAME {` header. */
  type: string | null;
  /** `$1`, a symbol, or a member path printed before ` = {`. */
  expression: string | null;
  root: GdbNode;
}

const MAX_NODES = 20_000;
const MAX_DEPTH = 64;

const TYPE_OPEN = /^ {0,8}(?:struct|union) ([A-Za-z_][A-Za-z0-9_]{0,64}) \{\s*$/;
const EXPR_OPEN = /^ {0,8}(\$\d{1,6}|[A-Za-z_][A-Za-z0-9_.>[\]-]{0,128}) = \{\s*$/;
const MEMBER_OPEN = /^ {0,256}([A-Za-z_][A-Za-z0-9_]{0,127}(?:\[\d{1,6}\])?) = \{\s*$/;
const ANON_OPEN = /^ {0,256}\{\s*$/;
const CLOSE = /^ {0,256}\}[,;]?\s*$/;
const LEAF = /^ {0,256}([A-Za-z_][A-Za-z0-9_]{0,127}(?:\[\d{1,6}\])?) = (.{1,1024})$/;

/** Builds one printed value line by line; `push` says whether the line belonged to it. */
export class GdbValueBuilder {
  private readonly stack: GdbNode[];
  private nodes = 1;
  /** Too many members or too deep: lines are still followed to the closing brace, not kept. */
  overflow = false;
  private depth = 1;

  private constructor(readonly value: GdbValue) {
    this.stack = [value.root];
  }

  /** Starts a value at its opening line, or returns null when the line opens none. */
  static open(text: string, no: number): GdbValueBuilder | null {
    const t = TYPE_OPEN.exec(text);
    const e = t ? null : EXPR_OPEN.exec(text);
    if (!t && !e) return null;
    const root: GdbNode = { name: null, value: null, children: [], line: no, endLine: no };
    return new GdbValueBuilder({ type: t ? t[1] : null, expression: e ? e[1] : null, root });
  }

  /** True once the closing brace of the whole value was read. */
  get done(): boolean {
    return this.depth === 0;
  }

  push(text: string, no: number): boolean {
    if (CLOSE.test(text)) {
      this.depth--;
      const node = this.overflow ? null : this.stack.pop();
      if (node) node.endLine = no;
      return true;
    }
    const member = MEMBER_OPEN.exec(text);
    if (member || ANON_OPEN.test(text)) {
      this.depth++;
      this.add({ name: member ? member[1] : null, value: null, children: [], line: no, endLine: no }, true);
      return true;
    }
    const leaf = LEAF.exec(text);
    if (!leaf) return false;
    this.add({ name: leaf[1], value: leaf[2].replace(/,\s*$/, '').trim(), children: null, line: no, endLine: no }, false);
    return true;
  }

  private add(node: GdbNode, opens: boolean): void {
    if (this.overflow) return;
    if (++this.nodes > MAX_NODES || this.depth > MAX_DEPTH) {
      this.overflow = true;
      return;
    }
    this.stack[this.stack.length - 1].children?.push(node);
    if (opens) this.stack.push(node);
  }
}

/** The members of a node, with those of anonymous unions and structs lifted to its own level. */
export function members(node: GdbNode): GdbNode[] {
  const out: GdbNode[] = [];
  const walk = (n: GdbNode, depth: number): void => {
    for (const c of n.children ?? []) {
      if (c.name === null && depth < 8) walk(c, depth + 1);
      else out.push(c);
    }
  };
  walk(node, 0);
  return out;
}

/** The member of that name (anonymous unions looked through). */
export function member(node: GdbNode, name: string): GdbNode | null {
  return members(node).find((c) => c.name === name) ?? null;
}

/** The leading number of a leaf (`1 '\001'`, `0x1c`, `-120203940784191`, `0xffff... <sym>`). */
export function leafNumber(node: GdbNode | null): string | null {
  if (!node || node.value === null) return null;
  const m = /^(-?\d{1,20}|0x[0-9a-f]{1,16})\b/i.exec(node.value);
  return m ? m[1] : null;
}
