// C parsed with tree-sitter's C grammar (web-tree-sitter and the grammar's own .wasm: no native build).

import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';

export type { Node, Tree };

let parser: Parser | null = null;

/** The parser, made once (loading the grammar takes a few tens of milliseconds). */
export async function cParser(): Promise<Parser> {
  if (parser) return parser;
  await Parser.init();
  const lang = await Language.load(require.resolve('tree-sitter-c/tree-sitter-c.wasm'));
  const p = new Parser();
  p.setLanguage(lang);
  parser = p;
  return p;
}

/** The named children of a node. */
export function kids(n: Node): Node[] {
  return namedKids(n);
}

/**
 * The named children of a node read with a cursor: `namedChildren` caches its array on the node, and a
 * full walk through it keeps every tree of a run alive in memory.
 */
export function namedKids(n: Node): Node[] {
  const out: Node[] = [];
  const c = n.walk();
  try {
    if (c.gotoFirstChild()) {
      do {
        if (c.nodeIsNamed) out.push(c.currentNode);
      } while (c.gotoNextSibling());
    }
  } finally {
    c.delete();
  }
  return out;
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
