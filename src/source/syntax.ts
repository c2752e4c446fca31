// A C syntax tree in plain JavaScript, read once from tree-sitter's tree.
//
// web-tree-sitter makes a new object, and crosses into WebAssembly, for every property of every node
// it is asked for; the checks ask for hundreds of millions of them. Here a file's tree is a few typed
// arrays (one entry a node, in preorder: about 30 bytes a node, tree-sitter's own copy freed at once),
// and a node is a small view of one entry, made when asked for and soon collected. The names and
// meanings follow web-tree-sitter's `Node`, for the part of it the checks use.

export interface Point {
  row: number;
  column: number;
}

const NAMED = 1;
const MISSING = 2;
const ERROR_BELOW = 4;

let nextBase = 1;

const TYPE_IDS = new WeakMap<readonly string[], Map<string, number[]>>();

/** A file's tree: its text, the arrays, and the grammar's names. */
export class SyntaxTree {
  private lineStarts: Int32Array | null = null;
  /** Ids of this tree's nodes start here: unique among every node of the run. */
  readonly base: number;
  readonly types: Uint16Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly parents: Int32Array;
  readonly fields: Uint16Array;
  readonly flags: Uint8Array;
  /** The index just past each node's subtree. */
  readonly afters: Int32Array;
  readonly rootNode: SyntaxNode;

  constructor(
    readonly text: string,
    flat: FlatTree,
    readonly typeNames: readonly string[],
    readonly fieldNames: readonly (string | null)[],
    private readonly fieldIds: ReadonlyMap<string, number>,
    errorType: number,
  ) {
    const n = flat.types.length;
    this.types = flat.types;
    this.starts = flat.starts;
    this.ends = flat.ends;
    this.parents = flat.parents;
    this.fields = flat.fields;
    this.flags = flat.flags;
    this.base = nextBase;
    nextBase += n + 1;
    const afters = new Int32Array(n);
    for (let i = 0; i < n; i++) afters[i] = i + 1;
    // Sizes and errors pass up, children before parents (a parent's index is always the smaller).
    const size = new Int32Array(n).fill(1);
    for (let i = n - 1; i > 0; i--) {
      const p = this.parents[i];
      if (p < 0 || p >= i) continue;
      size[p] += size[i];
      if (this.types[i] === errorType || (this.flags[i] & (MISSING | ERROR_BELOW)) !== 0) this.flags[p] |= ERROR_BELOW;
    }
    for (let i = 0; i < n; i++) {
      afters[i] = i + size[i];
      if (this.types[i] === errorType || (this.flags[i] & MISSING) !== 0) this.flags[i] |= ERROR_BELOW;
    }
    this.afters = afters;
    this.rootNode = new SyntaxNode(this, 0);
  }

  get size(): number {
    return this.types.length;
  }

  /** The type ids of a type name (a name may have several: aliases). */
  typeIds(name: string): readonly number[] {
    let byName = TYPE_IDS.get(this.typeNames);
    if (!byName) {
      byName = new Map();
      this.typeNames.forEach((n, id) => {
        const l = byName?.get(n);
        if (l) l.push(id);
        else byName?.set(n, [id]);
      });
      TYPE_IDS.set(this.typeNames, byName);
    }
    return byName.get(name) ?? [];
  }

  fieldId(name: string): number {
    return this.fieldIds.get(name) ?? -1;
  }

  /** Row and column (both from 0) of an offset in the text. */
  position(index: number): Point {
    const starts = this.lines();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: index - starts[lo] };
  }

  /** The offset of a row and column (both from 0). */
  index(p: Point): number {
    const starts = this.lines();
    const row = Math.max(0, Math.min(p.row, starts.length - 1));
    return starts[row] + p.column;
  }

  private lines(): Int32Array {
    if (this.lineStarts) return this.lineStarts;
    const t = this.text;
    let n = 1;
    for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) n++;
    const starts = new Int32Array(n);
    let k = 1;
    for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) starts[k++] = i + 1;
    this.lineStarts = starts;
    return starts;
  }
}

export class SyntaxNode {
  constructor(
    readonly tree: SyntaxTree,
    /** The node's entry in its tree's arrays. */
    readonly index: number,
  ) {}

  /** Unique among every node of the run; the same node asked for twice has the same id. */
  get id(): number {
    return this.tree.base + this.index;
  }

  get type(): string {
    return this.tree.typeNames[this.tree.types[this.index]] ?? 'ERROR';
  }

  get startIndex(): number {
    return this.tree.starts[this.index];
  }

  get endIndex(): number {
    return this.tree.ends[this.index];
  }

  get isNamed(): boolean {
    return (this.tree.flags[this.index] & NAMED) !== 0;
  }

  /** An ERROR or MISSING node is this one or under it. */
  get hasError(): boolean {
    return (this.tree.flags[this.index] & ERROR_BELOW) !== 0;
  }

  get isMissing(): boolean {
    return (this.tree.flags[this.index] & MISSING) !== 0;
  }

  /** The field of its parent this node fills, if any. */
  get field(): string | null {
    const f = this.tree.fields[this.index];
    return f > 0 ? (this.tree.fieldNames[f] ?? null) : null;
  }

  get parent(): SyntaxNode | null {
    const p = this.tree.parents[this.index];
    return p >= 0 ? new SyntaxNode(this.tree, p) : null;
  }

  get text(): string {
    return this.tree.text.slice(this.startIndex, this.endIndex);
  }

  get startPosition(): Point {
    return this.tree.position(this.startIndex);
  }

  get endPosition(): Point {
    return this.tree.position(this.endIndex);
  }

  /** The entries of the children, in order. */
  private kidIndexes(namedOnly: boolean): number[] {
    const t = this.tree;
    const out: number[] = [];
    const end = t.afters[this.index];
    for (let j = this.index + 1; j < end; j = t.afters[j]) if (!namedOnly || (t.flags[j] & NAMED) !== 0) out.push(j);
    return out;
  }

  get children(): SyntaxNode[] {
    return this.kidIndexes(false).map((j) => new SyntaxNode(this.tree, j));
  }

  get namedChildren(): SyntaxNode[] {
    return this.kidIndexes(true).map((j) => new SyntaxNode(this.tree, j));
  }

  get childCount(): number {
    return this.kidIndexes(false).length;
  }

  get namedChildCount(): number {
    return this.kidIndexes(true).length;
  }

  get firstChild(): SyntaxNode | null {
    return this.child(0);
  }

  get lastChild(): SyntaxNode | null {
    const k = this.kidIndexes(false);
    return k.length > 0 ? new SyntaxNode(this.tree, k[k.length - 1]) : null;
  }

  get nextNamedSibling(): SyntaxNode | null {
    const t = this.tree;
    const p = t.parents[this.index];
    if (p < 0) return null;
    const end = t.afters[p];
    for (let j = t.afters[this.index]; j < end; j = t.afters[j]) if ((t.flags[j] & NAMED) !== 0) return new SyntaxNode(t, j);
    return null;
  }

  child(i: number): SyntaxNode | null {
    const t = this.tree;
    const end = t.afters[this.index];
    let k = 0;
    for (let j = this.index + 1; j < end; j = t.afters[j]) if (k++ === i) return new SyntaxNode(t, j);
    return null;
  }

  namedChild(i: number): SyntaxNode | null {
    const t = this.tree;
    const end = t.afters[this.index];
    let k = 0;
    for (let j = this.index + 1; j < end; j = t.afters[j]) if ((t.flags[j] & NAMED) !== 0 && k++ === i) return new SyntaxNode(t, j);
    return null;
  }

  childForFieldName(name: string): SyntaxNode | null {
    const t = this.tree;
    const f = t.fieldId(name);
    if (f < 0) return null;
    const end = t.afters[this.index];
    for (let j = this.index + 1; j < end; j = t.afters[j]) if (t.fields[j] === f) return new SyntaxNode(t, j);
    return null;
  }

  childrenForFieldName(name: string): SyntaxNode[] {
    const t = this.tree;
    const f = t.fieldId(name);
    const out: SyntaxNode[] = [];
    if (f < 0) return out;
    const end = t.afters[this.index];
    for (let j = this.index + 1; j < end; j = t.afters[j]) if (t.fields[j] === f) out.push(new SyntaxNode(t, j));
    return out;
  }

  /** The smallest node under this one that holds the position. */
  descendantForPosition(p: Point): SyntaxNode {
    const t = this.tree;
    const at = t.index(p);
    let n = this.index;
    for (;;) {
      let found = -1;
      const end = t.afters[n];
      for (let j = n + 1; j < end; j = t.afters[j]) {
        if (t.starts[j] <= at && at < t.ends[j]) {
          found = j;
          break;
        }
      }
      if (found < 0) return new SyntaxNode(t, n);
      n = found;
    }
  }

  /** This node and its descendants of the types, in source order. */
  descendantsOfType(types: string | readonly string[]): SyntaxNode[] {
    const t = this.tree;
    const want = typeof types === 'string' ? [types] : types;
    const ids = new Set<number>();
    for (const w of want) for (const id of t.typeIds(w)) ids.add(id);
    const wantError = want.includes('ERROR');
    const out: SyntaxNode[] = [];
    const end = t.afters[this.index];
    for (let j = this.index; j < end; j++) {
      const ty = t.types[j];
      if (ids.has(ty) || (wantError && t.typeNames[ty] === undefined)) out.push(new SyntaxNode(t, j));
    }
    return out;
  }
}

/** What a reader of tree-sitter's tree tells, one node at a time, in preorder. */
export interface NodeSource {
  /** The current node's type id, start and end offsets, whether it is named or missing, its field id (0: none). */
  typeId(): number;
  start(): number;
  end(): number;
  named(): boolean;
  missing(): boolean;
  fieldId(): number;
  firstChild(): boolean;
  nextSibling(): boolean;
  parent(): boolean;
  /** Frees the reader. */
  close(): void;
}

/**
 * A tree as arrays, one entry a node in preorder: what a worker thread hands over (its buffers move,
 * nothing is copied) and what the plain tree is built from.
 */
export interface FlatTree {
  types: Uint16Array;
  starts: Int32Array;
  ends: Int32Array;
  /** The parent's index; -1 for the root. */
  parents: Int32Array;
  /** Field ids (0: none). */
  fields: Uint16Array;
  /** 1: named, 2: missing. */
  flags: Uint8Array;
}

/** Reads a tree from a reader positioned on its root. */
export function flatten(src: NodeSource): FlatTree {
  let cap = 4096;
  let types = new Uint16Array(cap);
  let starts = new Int32Array(cap);
  let ends = new Int32Array(cap);
  let parents = new Int32Array(cap);
  let fields = new Uint16Array(cap);
  let flags = new Uint8Array(cap);
  const grow = (): void => {
    cap *= 2;
    const more = <T extends Uint16Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    types = more(types, (n) => new Uint16Array(n));
    starts = more(starts, (n) => new Int32Array(n));
    ends = more(ends, (n) => new Int32Array(n));
    parents = more(parents, (n) => new Int32Array(n));
    fields = more(fields, (n) => new Uint16Array(n));
    flags = more(flags, (n) => new Uint8Array(n));
  };
  const stack: number[] = [];
  let n = 0;
  for (;;) {
    if (n === cap) grow();
    const i = n++;
    const start = src.start();
    const end = src.end();
    types[i] = src.typeId();
    starts[i] = start;
    ends[i] = end;
    parents[i] = stack.length > 0 ? stack[stack.length - 1] : -1;
    fields[i] = stack.length > 0 ? src.fieldId() : 0;
    flags[i] = (src.named() ? NAMED : 0) | (start === end && src.missing() ? MISSING : 0);
    if (src.firstChild()) {
      stack.push(i);
      continue;
    }
    let done = false;
    while (!src.nextSibling()) {
      if (stack.pop() === undefined || !src.parent()) {
        done = true;
        break;
      }
    }
    if (done) break;
  }
  return { types: types.slice(0, n), starts: starts.slice(0, n), ends: ends.slice(0, n), parents: parents.slice(0, n), fields: fields.slice(0, n), flags: flags.slice(0, n) };
}

/** The tree of a flat one, with the grammar's type and field names. */
export function buildTree(text: string, flat: FlatTree, typeNames: readonly string[], fieldNames: readonly (string | null)[], fieldIds: ReadonlyMap<string, number>, errorType: number): SyntaxTree {
  return new SyntaxTree(text, flat, typeNames, fieldNames, fieldIds, errorType);
}
