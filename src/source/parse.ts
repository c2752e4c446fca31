// C parsed with tree-sitter's C grammar (web-tree-sitter and the grammar's own .wasm: no native build).

import { Language, Parser, type Tree } from 'web-tree-sitter';
import { buildTree, flatten, SyntaxNode, SyntaxTree, type FlatTree, type NodeSource } from './syntax';

export type Node = SyntaxNode;
export { SyntaxTree, type FlatTree };

interface Reader {
  parser: Parser;
  language: Language;
  types: string[];
  fields: Array<string | null>;
  fieldIds: Map<string, number>;
  /** The binding's own cursor functions, when this build of web-tree-sitter has them. */
  direct: DirectCursor | null;
}

/** The binding's functions that move and read the cursor kept in its transfer buffer. */
interface DirectCursor {
  buffer: number;
  heap: () => Int32Array;
  first: (tree: number) => number;
  next: (tree: number) => number;
  up: (tree: number) => number;
  typeId: (tree: number) => number;
  named: (tree: number) => number;
  missing: (tree: number) => number;
  start: (tree: number) => number;
  end: (tree: number) => number;
  field: (tree: number) => number;
}

let reader: Reader | null = null;

/** tree-sitter's ERROR symbol (its builtin error symbol, -1 as an unsigned 16-bit id). */
const ERROR_TYPE = 0xffff;

/** The parser, made once (loading the grammar takes a few tens of milliseconds). */
async function cReader(): Promise<Reader> {
  if (reader) return reader;
  // The object given to init becomes the WebAssembly module, with the binding's functions on it.
  const mod: Record<string, unknown> = {};
  await Parser.init(mod);
  const language = await Language.load(require.resolve('tree-sitter-c/tree-sitter-c.wasm'));
  const parser = new Parser();
  parser.setLanguage(language);
  const types: string[] = [];
  for (let i = 0; i < language.nodeTypeCount; i++) types.push(language.nodeTypeForId(i) ?? 'ERROR');
  const fields: Array<string | null> = [null];
  for (let i = 1; i <= language.fieldCount; i++) fields.push(language.fieldNameForId(i));
  const fieldIds = new Map<string, number>();
  fields.forEach((f, i) => {
    if (f !== null && !fieldIds.has(f)) fieldIds.set(f, i);
  });
  reader = { parser, language, types, fields, fieldIds, direct: directCursor(mod) };
  return reader;
}

function directCursor(mod: Record<string, unknown>): DirectCursor | null {
  const fn = (name: string) => (typeof mod[name] === 'function' ? (mod[name] as (t: number) => number) : null);
  const init = mod._ts_init;
  const parts = {
    first: fn('_ts_tree_cursor_goto_first_child_wasm'),
    next: fn('_ts_tree_cursor_goto_next_sibling_wasm'),
    up: fn('_ts_tree_cursor_goto_parent_wasm'),
    typeId: fn('_ts_tree_cursor_current_node_type_id_wasm'),
    named: fn('_ts_tree_cursor_current_node_is_named_wasm'),
    missing: fn('_ts_tree_cursor_current_node_is_missing_wasm'),
    start: fn('_ts_tree_cursor_start_index_wasm'),
    end: fn('_ts_tree_cursor_end_index_wasm'),
    field: fn('_ts_tree_cursor_current_field_id_wasm'),
  };
  if (typeof init !== 'function' || Object.values(parts).some((f) => f === null) || !(mod.HEAP32 instanceof Int32Array)) return null;
  const buffer = (init as () => number)();
  return { buffer, heap: () => mod.HEAP32 as Int32Array, ...(parts as { [K in keyof typeof parts]: (t: number) => number }) };
}

/** The parser itself (tests that want tree-sitter's own tree). */
export async function cParser(): Promise<Parser> {
  return (await cReader()).parser;
}

/** C parsed into arrays, or into a plain tree; tree-sitter's own is freed before either returns. Null when the parser gives up. */
export interface CParse {
  flat(text: string, opts?: { direct?: boolean }): FlatTree | null;
  tree(text: string, flat?: FlatTree | null): SyntaxTree | null;
}

/** The C parser, ready (loading the grammar is the only wait). */
export async function cParse(): Promise<CParse> {
  const r = await cReader();
  const flat = (text: string, opts: { direct?: boolean } = {}): FlatTree | null => {
    const tree = r.parser.parse(text);
    if (!tree) return null;
    const direct = opts.direct === false ? null : r.direct;
    const src = direct ? directSource(tree, direct) : cursorSource(tree);
    try {
      return flatten(src);
    } finally {
      src.close();
      tree.delete();
    }
  };
  return {
    flat,
    tree: (text, given) => {
      const f = given ?? flat(text);
      return f ? buildTree(text, f, r.types, r.fields, r.fieldIds, ERROR_TYPE) : null;
    },
  };
}

/**
 * Reads the tree with the binding's cursor functions called directly on the cursor in the transfer
 * buffer: the public cursor copies itself in and out of that buffer on every property, which costs
 * more than the parse.
 */
function directSource(tree: Tree, d: DirectCursor): NodeSource {
  const cursor = tree.walk() as unknown as Record<number, number> & { delete(): void };
  const handle = (tree as unknown as Record<number, number>)[0];
  const b = d.buffer >> 2;
  const load = () => {
    const h = d.heap();
    for (let i = 0; i < 4; i++) h[b + i] = cursor[i];
  };
  load();
  return {
    typeId: () => d.typeId(handle),
    start: () => d.start(handle),
    end: () => d.end(handle),
    named: () => d.named(handle) === 1,
    missing: () => d.missing(handle) === 1,
    fieldId: () => d.field(handle),
    firstChild: () => d.first(handle) === 1,
    nextSibling: () => d.next(handle) === 1,
    parent: () => d.up(handle) === 1,
    close: () => {
      // Hand the cursor back to its object, which frees it.
      const h = d.heap();
      for (let i = 0; i < 4; i++) cursor[i] = h[b + i];
      cursor.delete();
    },
  };
}

/** The same through the public cursor (any web-tree-sitter). */
function cursorSource(tree: Tree): NodeSource {
  const c = tree.walk();
  return {
    typeId: () => c.nodeTypeId,
    start: () => c.startIndex,
    end: () => c.endIndex,
    named: () => c.nodeIsNamed,
    missing: () => c.nodeIsMissing,
    fieldId: () => c.currentFieldId,
    firstChild: () => c.gotoFirstChild(),
    nextSibling: () => c.gotoNextSibling(),
    parent: () => c.gotoParent(),
    close: () => c.delete(),
  };
}

/** The named children of a node. */
export function kids(n: Node): Node[] {
  return namedKids(n);
}

/** The named children of a node. */
export function namedKids(n: Node): Node[] {
  return n.namedChildren;
}

/** The nodes at top level of a file, through #if branches and extern "C" blocks, in file order. */
export function topLevel(root: Node): Node[] {
  const out: Node[] = [];
  const stack: Array<{ n: Node; depth: number }> = [{ n: root, depth: 0 }];
  while (stack.length > 0) {
    const { n, depth } = stack.pop() as { n: Node; depth: number };
    for (const c of namedKids(n)) {
      if (depth < 4 && /^(?:preproc_if|preproc_ifdef|preproc_else|preproc_elif|linkage_specification|declaration_list)$/.test(c.type)) stack.push({ n: c, depth: depth + 1 });
      else out.push(c);
    }
  }
  return out.sort((a, b) => a.startIndex - b.startIndex);
}

/** The function definitions of a file, at top level (after the #if branches were picked). */
export function functionDefinitions(root: Node): Node[] {
  return topLevel(root).filter((n) => n.type === 'function_definition');
}

/** The name a function definition defines, through pointer and attribute declarators. */
export function functionName(fn: Node): string | null {
  let d: Node | null = fn.childForFieldName('declarator');
  for (let i = 0; d && i < 8; i++) {
    if (d.type === 'function_declarator') {
      const inner = d.childForFieldName('declarator');
      if (inner?.type === 'identifier') return inner.text;
      d = inner;
    } else d = d.childForFieldName('declarator');
  }
  return null;
}
