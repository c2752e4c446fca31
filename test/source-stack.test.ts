// KT-check-stack-frame: frames over the kernel's warning limit, unbounded recursion, call chains against the
// --kernel release's stack (seed 004); struct layout from the headers given; and what must stay silent.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './support/shared';
import { checkSources } from '../src/source/check';
import { cParse } from '../src/source/parse';
import { prepareSource } from '../src/source/prepare';
import { Layouts } from '../src/source/layout';
import { STACK_ARCHES, stackTarget } from '../src/knowledge/stack';
import { parseRelease } from '../src/knowledge/release';

const DIR = join(REPO, 'test', 'fixtures', 'source');
const RULE = 'KT-check-stack-frame';

async function stackFindings(paths: string[], kernel: string | null = null) {
  const r = await checkSources(paths, { kernel });
  assert.deepEqual(r.skipped, [], 'every function parsed');
  return r.findings.filter((f) => f.rule === RULE);
}

/** The stack findings of C files written to a temporary folder: [function, line]. */
async function stackIn(files: Record<string, string>, kernel: string | null = null): Promise<Array<[string, number]>> {
  const dir = mkdtempSync(join(tmpdir(), 'kt-stack-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return (await stackFindings([dir], kernel)).map((f) => [f.function, f.line]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const HOG = join(DIR, 'stack_hog.h');

test('stack_hog.c (seed 004): the request struct of the header on the stack, over the warning limit, on a chain over half the stack', async () => {
  const found = await stackFindings([join(DIR, 'stack_hog.c'), HOG]);
  assert.deepEqual(found.map((f) => [f.function, f.line, f.column]), [['hog_submit', 25, 2]]);
  const [f] = found;
  assert.equal(f.class, 'stack-overflow');
  assert.match(f.message.en, /^hog_submit\(\) puts at least 2,392 bytes on the stack \(struct hog_request req: 2,392 bytes\): over the kernel's 2,048-byte frame warning limit/);
  assert.match(f.message.en, /on the chain from hog_ioctl\(\) \(5 calls\) the frames take at least 8,472 bytes, more than half of the 16,384-byte kernel stack \(x86_64 since 3\.15, assumed: no --kernel given\)/);
  assert.deepEqual(f.trace.map((t) => t.line), [81, 71, 62, 51, 33, 17]);
  assert.match(f.help.en, /kmalloc\(\)\/kzalloc\(\)/);
  assert.ok(f.message.zh.length > 0 && f.help.zh.length > 0);
  // On an 8 KiB stack the chain is over the whole of it.
  const old = await stackFindings([join(DIR, 'stack_hog.c'), HOG], '3.10');
  assert.match(old[0].message.en, /more than the whole 8,192-byte kernel stack \(x86_64 before 3\.15, 3\.10\)/);
});

test('stack_hog_fixed.c: kzalloc() and the device structure instead: nothing, on any stack', async () => {
  for (const k of [null, '3.10', '6.1']) assert.deepEqual(await stackFindings([join(DIR, 'stack_hog_fixed.c'), HOG], k), [], String(k));
});

test('recurse.c: a decoder recursing per nesting of the data, a free recursing per element; recurse_bounded.c: silent', async () => {
  const found = await stackFindings([join(DIR, 'recurse.c')]);
  assert.deepEqual(found.map((f) => [f.function, f.line]), [['tlv_parse_value', 56], ['tlv_free', 70]]);
  assert.match(found[0].message.en, /tlv_parse_value\(\) calls tlv_parse_list\(\), which calls tlv_parse_value\(\) again with no evident bound .*one level per nesting of the data \(buf \+ 2\): each level adds at least 320 bytes/);
  assert.deepEqual(found[0].trace.map((t) => t.line), [30]);
  assert.match(found[1].message.en, /tlv_free\(\) calls itself .*one level per element of the chain \(n->next\)/);
  assert.deepEqual(await stackFindings([join(DIR, 'recurse_bounded.c')]), []);
});

test('stack_chain.c: a chain of about 5 KiB is reported on an 8 KiB stack (3.10), not on a 16 KiB one (6.1)', async () => {
  const old = await stackFindings([join(DIR, 'stack_chain.c')], '3.10');
  assert.deepEqual(old.map((f) => [f.function, f.line]), [['chain_run', 54]]);
  assert.match(old[0].message.en, /chain_run\(\) puts at least 1,280 bytes on the stack \(u8 copy\[1280\]: 1,280 bytes\) and on the chain from chain_run\(\) \(4 calls\) the frames take at least 5,536 bytes, more than half of the 8,192-byte kernel stack/);
  assert.deepEqual(old[0].trace.map((t) => t.line), [57, 49, 41, 33, 22]);
  assert.deepEqual(await stackFindings([join(DIR, 'stack_chain.c')], '6.1'), []);
  assert.deepEqual(await stackFindings([join(DIR, 'stack_chain.c')]), []);
  // 32-bit x86: the frame warning limit is 1024 bytes.
  const i386 = await stackFindings([join(DIR, 'stack_chain.c')], '5.10.0-20-686-pae');
  assert.deepEqual(i386.map((f) => f.function), ['chain_sort', 'chain_collect', 'chain_run']);
  assert.match(i386[0].message.en, /over the kernel's 1,024-byte frame warning limit/);
});

test('the stack for --kernel: x86_64 8 KiB before 3.15, 16 KiB since and on RHEL 7; arm 8 KiB; 16 KiB assumed without a release', () => {
  const t = (k: string | null) => stackTarget(k === null ? null : parseRelease(k));
  assert.equal(t('3.10').bytes, 8192);
  assert.equal(t('3.14.79').bytes, 8192);
  assert.equal(t('3.15').bytes, 16384);
  assert.equal(t('6.1.0-13-amd64').bytes, 16384);
  assert.equal(t('3.10.0-514.26.2.el7.x86_64').bytes, 16384);
  assert.equal(t('2.6.32-431.el6.x86_64').bytes, 8192);
  assert.equal(t('6.1.0-13-arm64').bytes, 16384);
  assert.equal(t('5.10.0-20-armmp').bytes, 8192);
  assert.equal(t('5.10.0-20-armmp').arch.frameWarn, 1024);
  assert.equal(t('6.1.0-13-amd64').arch.frameWarn, 2048);
  const none = t(null);
  assert.equal(none.bytes, 16384);
  assert.ok(none.assumed);
  assert.match(none.why, /assumed: no --kernel given/);
});

test('struct layout: alignment, bit-fields, unions, packed, nested and anonymous members, macros, enums, sizeof, typedefs', async () => {
  const src = `#define N 16
#define TWICE(x) ((x) * 2)
enum { SLOTS = 3, MORE };
struct a { char c; int i; short s; };
struct b { u8 x; u64 y; };
struct p { u8 x; u32 y; } __packed;
struct bits { unsigned int a:3, b:5; unsigned int c:30; u8 d; };
union u { u32 w; u8 bytes[6]; };
struct outer { struct a a; union u u; struct { int m; long n; }; void (*fn)(int); char *names[N]; char (*row)[N]; };
typedef struct a a_t;
typedef u8 mac_t[6];
struct sized { char buf[TWICE(N) + sizeof(struct a)]; int slot[MORE]; mac_t mac; a_t at[2]; DECLARE_BITMAP(map, 130); };
struct flex { u32 n; u8 data[]; };
struct cond { int a;
#ifdef CONFIG_DEBUG
	char debug[4096];
#endif
};
`;
  const parse = await cParse();
  const prepared = prepareSource(src).text;
  const tree = parse.tree(prepared);
  assert.ok(tree);
  const L = new Layouts([{ path: 'x.h', text: src, prepared, root: tree.rootNode }], STACK_ARCHES[0]);
  const size = (t: string) => L.typeName(t, 'x.h')?.size;
  assert.equal(size('struct a'), 12);
  assert.equal(size('struct b'), 16);
  assert.equal(size('struct p'), 5);
  assert.equal(size('struct bits'), 12);
  assert.equal(size('union u'), 8);
  assert.equal(size('struct outer'), 12 + 4 + 8 + 16 + 8 + 128 + 8);
  assert.equal(size('a_t'), 12);
  assert.equal(size('mac_t'), 6);
  assert.equal(size('struct sized'), 44 + 16 + 6 + 2 + 24 + 4 + 24);
  assert.equal(size('struct flex'), 4);
  // A member under an #if is not counted: the size is a lower bound.
  assert.equal(size('struct cond'), 4);
  assert.equal(L.value('TWICE(N) + SLOTS * sizeof(u32) + BITS_TO_LONGS(65)', 'x.h'), 32 + 12 + 2);
  assert.equal(L.value('(unsigned long)PAGE_SIZE >> 2', 'x.h'), 1024);
  assert.equal(L.value('UNKNOWN_MACRO * 4', 'x.h'), null);
  assert.equal(size('struct sk_buff'), 224);
  assert.equal(size('struct nowhere'), undefined);
  // 32-bit: pointers and longs are 4 bytes.
  const L32 = new Layouts([{ path: 'x.h', text: src, prepared, root: tree.rootNode }], STACK_ARCHES.find((a) => a.name === 'i686') ?? STACK_ARCHES[0]);
  assert.equal(L32.typeName('struct b', 'x.h')?.size, 12);
});

test('what a frame counts: inner blocks share slots, static locals and #if parts are left out, macros that declare locals count', async () => {
  const found = await stackIn({
    'frames.c': `#include <linux/types.h>
static int siblings(int x)
{
	if (x) {
		char a[1500];
		a[0] = x;
		return a[0];
	} else {
		char b[1500];
		b[0] = x;
		return b[0];
	}
}

static int statics(void)
{
	static char table[8192];
	static const u8 lut[] = { 1, 2, 3 };
	struct sk_buff *skb = NULL;
	return table[0] + lut[0] + (skb != NULL);
}

static int debug_only(void)
{
#ifdef DEBUG
	char trace[4096];
	trace[0] = 0;
#endif
	return 0;
}

static int nested(void)
{
	char outer[1024];
	{
		char inner[1100];
		inner[0] = outer[0];
	}
	return 0;
}

static int bitmap(void)
{
	DECLARE_BITMAP(cpus, 32768);
	return bitmap_weight(cpus, 32768);
}
`,
  });
  assert.deepEqual(found, [['nested', 36], ['bitmap', 44]]);
});

test('a variable-length array is reported; a size from sizeof or a constant is not one', async () => {
  const found = await stackIn({
    'vla.c': `#define LEN 32
struct hdr { u32 a, b; };
static int vla(const u8 *src, size_t len)
{
	u8 copy[len];
	char fixed[LEN + sizeof(struct hdr)];
	char same[sizeof(copy)];
	memcpy(copy, src, len);
	return copy[0] + fixed[0] + same[0];
}
`,
  });
  assert.deepEqual(found, [['vla', 5]]);
});

test('recursion that must stay silent: hierarchy walks, state machines, re-entry with a constant, kind-tested links, counters', async () => {
  const found = await stackIn({
    'silent.c': `#include <linux/types.h>
#define MAX_VEB 16
#define STATUS_REG 8
struct veb { struct pf *pf; int seid; int uplink; };
struct pf { struct veb *veb[MAX_VEB]; };
struct node { struct node **children; int num_children; struct node *parent; };
struct widget { struct widget *pipe_widget; int id; int use; };
struct ep { struct list_head queue; int pipenum; };
struct req { int length; };

/* A walk over the switch's bridges: one level per bridge below, in a loop (i40e_veb_link_event). */
static void veb_event(struct veb *veb, bool up)
{
	struct pf *pf = veb->pf;
	int i;

	for (i = 0; i < MAX_VEB; i++)
		if (pf->veb[i] && pf->veb[i]->uplink == veb->seid)
			veb_event(pf->veb[i], up);
}

/* A tree freed child by child (ice_free_sched_node). */
static void free_node(struct node *node)
{
	while (node->num_children)
		free_node(node->children[0]);
	kfree(node);
}

/* Up to the root of a hierarchy. */
static int depth_of(struct node *n)
{
	if (!n->parent)
		return 0;
	return 1 + depth_of(n->parent);
}

/* Re-entered once with a constant its test stops at (ixgbevf_check_remove / read_reg). */
static u32 read_reg(void *hw, u32 reg);
static void check_remove(void *hw, u32 reg)
{
	if (reg == STATUS_REG)
		return;
	read_reg(hw, STATUS_REG);
}
static u32 read_reg(void *hw, u32 reg)
{
	u32 v = readl(hw + reg);

	if (v == ~0U)
		check_remove(hw, reg);
	return v;
}

/* The scheduler widget is freed from the others, never from itself (sof_widget_free). */
static void widget_free(struct widget *w)
{
	if (--w->use)
		return;
	if (w->id != 3)
		widget_free(w->pipe_widget);
}

/* A device's state machine: completion starts the next request, which may complete at once. */
static void start_packet(struct ep *ep, struct req *req);
static void transfer_complete(struct ep *ep, struct req *req)
{
	list_del_init(&req->queue);
	if (!list_empty(&ep->queue)) {
		req = first_request(ep);
		start_packet(ep, req);
	}
}
static void start_packet(struct ep *ep, struct req *req)
{
	if (req->length == 0)
		transfer_complete(ep, req);
	else
		pipe_start(ep->pipenum);
}

/* A depth passed down and tested; a counter run down. */
static int parse(const u8 *buf, int len, int depth)
{
	if (depth > 8 || len < 2)
		return -E2BIG;
	return parse(buf + 2, len - 2, depth + 1);
}
static void drop(struct node *n, unsigned int left)
{
	if (left == 0)
		return;
	drop(n, left - 1);
}
`,
  });
  assert.deepEqual(found, []);
});

test('recursion that is reported: a retry with its own arguments, a length from the data as the only countdown', async () => {
  const found = await stackIn({
    'loud.c': `#include <linux/types.h>
struct dev { int state; };

static int dev_reset(struct dev *d)
{
	if (hw_error(d)) {
		hw_clear(d);
		return dev_reset(d);
	}
	return 0;
}

static int parse_desc(const u8 *buf, int size)
{
	int len;

	if (size < 2)
		return 0;
	len = buf[0];
	return parse_desc(buf + 2, len - 2);
}
`,
  });
  assert.deepEqual(found, [['dev_reset', 8], ['parse_desc', 20]]);
});

test('a host program among the kernel files (main(), <stdio.h>) is not kernel code: its big buffer is not reported', async () => {
  const found = await stackIn({
    'genhash.c': '#include <stdio.h>\n#include <stdlib.h>\nint main(int argc, char *argv[])\n{\n\tchar buffer[65536];\n\tfgets(buffer, sizeof(buffer), stdin);\n\treturn 0;\n}\n',
  });
  assert.deepEqual(found, []);
});

test('a struct and a constant of a header in another directory, found through the #include', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kt-stack-'));
  try {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'include'));
    mkdirSync(join(dir, 'drv'));
    writeFileSync(join(dir, 'include', 'proto.h'), '#define PROTO_WORDS 600\nstruct proto_msg { u32 words[PROTO_WORDS]; u16 crc; };\n');
    // A header of the same name elsewhere, with a smaller struct, is not the one included.
    writeFileSync(join(dir, 'drv', 'proto.h'), '#define PROTO_WORDS 6\nstruct proto_msg { u32 words[PROTO_WORDS]; };\n');
    writeFileSync(join(dir, 'drv', 'a.c'), '#include "../include/proto.h"\nint send(void)\n{\n\tstruct proto_msg m;\n\treturn xmit(&m, sizeof(m));\n}\n');
    const found = await stackFindings([dir]);
    assert.deepEqual(found.map((f) => [f.function, f.line]), [['send', 4]]);
    assert.match(found[0].message.en, /struct proto_msg m: 2,404 bytes/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
