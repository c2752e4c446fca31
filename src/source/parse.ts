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

/** The named children of a node (tree-sitter's list, without nulls). */
export function kids(n: Node): Node[] {
  return n.namedChildren.filter((c): c is Node => c !== null);
}
