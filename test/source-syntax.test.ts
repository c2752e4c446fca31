// The plain syntax tree the checks read: the same tree as tree-sitter's own, node for node, whether
// it is read with the binding's cursor functions or its public cursor, and the same findings whether
// one thread reads the files or two.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node as TsNode } from 'web-tree-sitter';
import { REPO } from './support/shared';
import { cParse, cParser, type Node } from '../src/source/parse';
import { prepareSource } from '../src/source/prepare';

const DIR = join(REPO, 'test', 'fixtures', 'source');
const FIXTURES = readdirSync(DIR).filter((f) => f.endsWith('.c')).sort();
/** Kernel C with an iterator macro, a parse error and a MISSING token, beside the fixtures. */
const BROKEN = 'static int f(struct list_head *h)\n{\n\tstruct x *p;\n\tlist_for_each_entry(p, h, node) {\n\t\tif (p->a)\n\t\t\treturn 1\n\t}\n\treturn ) 0;\n}\n';

function same(mine: Node, theirs: TsNode, path: string): void {
  assert.equal(mine.type, theirs.type, path);
  assert.equal(mine.startIndex, theirs.startIndex, `${path} start`);
  assert.equal(mine.endIndex, theirs.endIndex, `${path} end`);
  assert.equal(mine.isNamed, theirs.isNamed, `${path} named`);
  assert.equal(mine.isMissing, theirs.isMissing, `${path} missing`);
  assert.equal(mine.hasError, theirs.hasError, `${path} error`);
  assert.deepEqual(mine.startPosition, theirs.startPosition, `${path} position`);
  assert.deepEqual(mine.endPosition, theirs.endPosition, `${path} end position`);
  assert.equal(mine.childCount, theirs.childCount, `${path} children`);
  assert.equal(mine.namedChildCount, theirs.namedChildCount, `${path} named children`);
  for (const f of ['declarator', 'body', 'condition', 'function', 'arguments', 'left', 'right', 'operator', 'type', 'name']) {
    assert.equal(mine.childForFieldName(f)?.startIndex ?? null, theirs.childForFieldName(f)?.startIndex ?? null, `${path} field ${f}`);
  }
  const theirKids = theirs.children;
  mine.children.forEach((c, i) => {
    assert.equal(c.parent?.id, mine.id, `${path} parent`);
    same(c, theirKids[i] as TsNode, `${path}/${i}:${c.type}`);
  });
}

test('the plain tree is tree-sitter\'s tree, node for node, read either way', async () => {
  const parse = await cParse();
  const parser = await cParser();
  for (const name of [...FIXTURES, 'broken']) {
    const text = name === 'broken' ? BROKEN : prepareSource(readFileSync(join(DIR, name), 'latin1')).text;
    const theirs = parser.parse(text);
    assert.ok(theirs, name);
    const fast = parse.tree(text, parse.flat(text));
    const slow = parse.tree(text, parse.flat(text, { direct: false }));
    assert.ok(fast && slow, name);
    same(fast.rootNode, theirs.rootNode, name);
    same(slow.rootNode, theirs.rootNode, `${name} (public cursor)`);
    if (name === 'broken') assert.ok(fast.rootNode.hasError && fast.rootNode.descendantsOfType('ERROR').length + fast.rootNode.descendantsOfType('identifier').filter((n) => n.isMissing).length > 0);
    theirs.delete();
  }
});

test('node views: ids, descendants, positions and siblings', async () => {
  const parse = await cParse();
  const t = parse.tree('int a(void) { return b(1, 2) + c; }\nint d;\n');
  assert.ok(t);
  const root = t.rootNode;
  const calls = root.descendantsOfType(['call_expression', 'identifier']);
  assert.deepEqual(calls.map((n) => n.text), ['a', 'b(1, 2)', 'b', 'c', 'd']);
  // The same node asked for twice is not the same object but has the same id; another node has another.
  const fn = root.namedChild(0) as Node;
  assert.equal(fn.childForFieldName('body')?.id, root.namedChild(0)?.childForFieldName('body')?.id);
  assert.notEqual(fn.id, root.namedChild(1)?.id);
  assert.equal(fn.nextNamedSibling?.text, 'int d;');
  assert.equal(root.namedChild(1)?.nextNamedSibling, null);
  assert.equal(root.descendantForPosition({ row: 0, column: 21 }).text, 'b');
  assert.deepEqual(root.namedChild(1)?.startPosition, { row: 1, column: 0 });
  assert.equal(fn.childForFieldName('nothing'), null);
  assert.equal(fn.lastChild?.type, 'compound_statement');
});

test('one thread or two: the same findings on every fixture', () => {
  const run = (threads: string) => spawnSync(join(REPO, 'bin', 'ktriage'), ['check', '--format', 'json', DIR], { encoding: 'utf8', env: { ...process.env, KTRIAGE_CHECK_THREADS: threads } });
  const one = run('1');
  const two = run('2');
  assert.equal(one.status, 1, one.stderr);
  assert.equal(two.status, 1, two.stderr);
  assert.ok((JSON.parse(one.stdout) as { findings: unknown[] }).findings.length > 10);
  assert.equal(two.stdout, one.stdout);
});
