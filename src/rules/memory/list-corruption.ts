// CONFIG_DEBUG_LIST reports: list_add/list_del found a neighbour's pointers inconsistent or poisoned.

import { blameReport, culpritOfBlame } from '../blame';
import { messenger } from '../messages';
import type { FindingDraft, L10n, RootCauseClass, Rule } from '../types';
import { poisonOf, type Poison } from './addresses';
import { culpritLabel, linesOf, paragraphs } from '../reports';

const MSG = /(list_add corruption|list_del corruption|list_add double add|list corruption)[.,]?(.{0,400})$/;

const messages = {
  summaryDeleted: { en: '{{op}} on an entry already removed ({{poison}}){{where}}: a double delete or a walk after list_del()', zh: '{{where}}对已删除的节点（{{poison}}）执行 {{op}}：重复删除，或在 list_del() 之后还遍历它' },
  summaryFreed: { en: '{{op}} found freed memory in a list entry{{where}}: the entry was used after it was freed', zh: '{{where}}执行 {{op}} 时在链表节点中发现已释放内存：节点在释放后仍被使用' },
  summaryDoubleAdd: { en: 'The same entry was added to a list twice{{where}}', zh: '{{where}}同一节点被两次加入链表' },
  summaryNull: { en: '{{op}} found a NULL link{{where}}: the entry was never added, or was cleared while linked', zh: '{{where}}执行 {{op}} 时发现链接指针为 NULL：节点从未被加入链表，或在链表上时被清零' },
  summaryOverwritten: { en: 'Linked list corrupted at {{op}}{{where}}: a neighbour entry was overwritten', zh: '{{where}}执行 {{op}} 时发现链表被破坏：相邻节点被改写' },
  where: { en: ' in {{culprit}}', zh: '{{culprit}} 中' },

  explainCheck: { en: 'CONFIG_DEBUG_LIST checked the neighbours of the entry before {{op}} and printed: "{{text}}".', zh: 'CONFIG_DEBUG_LIST 在 {{op}} 之前检查了节点的相邻节点，打印的是："{{text}}"。' },
  whyDeleted: {
    en: 'The pointer is {{poison}}: {{meaning}}. Deleting the entry again, or walking from it, means two paths tear down the same object (a double removal, or a race between two teardown paths): a state bug. Nothing in the report shows that the memory was freed; slab poison, a KASAN report or a free stack would.',
    zh: '指针值是 {{poison}}：{{meaning}}。再次删除该节点或从它出发遍历，说明有两条路径在拆除同一个对象（重复删除，或两条拆除路径之间的竞争）：这是状态错误。报告中没有证据表明内存已被释放；slab 毒值、KASAN 报告或释放栈才能说明这一点。',
  },
  whyFreed: { en: 'A link holds {{poison}}: {{meaning}}. The entry (or its neighbour) was freed while still on the list, and the list was used afterwards: a use-after-free.', zh: '链接指针的值是 {{poison}}：{{meaning}}。该节点（或其相邻节点）在仍挂在链表上时被释放，之后链表又被使用：释放后使用。' },
  whyDoubleAdd: { en: 'Adding an entry that is already linked corrupts the list (it forms a loop); a list_del() before reuse, or a list_empty()/queued check, is missing.', zh: '把已经在链表上的节点再次加入会破坏链表（形成环）；重用前漏了 list_del()，或漏了 list_empty()/是否已排队的判断。' },
  whyNull: { en: 'A NULL link means the entry was never initialised with INIT_LIST_HEAD() or added, or that its memory was zeroed (freed and reused, or memset) while it was on the list.', zh: '链接指针为 NULL，说明该节点从未用 INIT_LIST_HEAD() 初始化或加入链表，或者它在链表上时内存被清零（释放后被重用，或被 memset）。' },
  whyOverwritten: { en: 'A neighbour\'s pointer does not point back: that neighbour was freed and its memory reused, written by a stray pointer, or the list was modified concurrently without its lock.', zh: '相邻节点的指针没有指回来：这个相邻节点已被释放且内存被重用、被野指针写坏，或者链表在没有加锁的情况下被并发修改。' },
  whoBlamed: { en: '{{culprit}} called {{op}}: it is the code that changed the list, not necessarily the one that broke it.', zh: '{{culprit}} 调用了 {{op}}：它是修改链表的代码，但不一定是破坏链表的代码。' },

  evDeleted: { en: 'a link holds {{poison}}: the entry was already deleted', zh: '链接指针的值是 {{poison}}：该节点已被删除' },
  evFreed: { en: 'a link holds {{poison}}: freed memory', zh: '链接指针的值是 {{poison}}：已释放的内存' },
  evDoubleAdd: { en: 'the entry is already on the list', zh: '该节点已经在链表上' },
  evNull: { en: 'a link is NULL', zh: '链接指针为 NULL' },
  evOverwritten: { en: 'a neighbour does not point back: overwritten', zh: '相邻节点没有指回来：已被改写' },
  evReport: { en: 'the report', zh: '报告' },
  evCulprit: { en: '{{culprit}}: called {{op}}', zh: '{{culprit}}：调用了 {{op}}' },

  stepKmem: { en: 'crash> kmem -s {{addresses}}     (what the entry and its neighbours are now: freed? which cache?)', zh: 'crash> kmem -s {{addresses}}（节点及其相邻节点现在是什么：已释放？哪个 cache？）' },
  stepLockAdd: { en: 'Check that every add to this list in {{fn}} and its peers holds the list\'s lock, and that the entry is removed from the list before it is freed.', zh: '检查 {{fn}} 及其同类代码中对该链表的每一次添加是否都持有链表锁，以及节点在释放前是否已从链表摘除。' },
  stepLockDel: { en: 'Check that every deletion from this list in {{fn}} and its peers holds the list\'s lock, and that only one path can remove the entry (list_del_init() and a list_empty() check, or a flag under the lock).', zh: '检查 {{fn}} 及其同类代码中对该链表的每一次删除是否都持有链表锁，以及是否只有一条路径能摘除该节点（list_del_init() 加 list_empty() 判断，或在锁内用标志位）。' },
  stepLockNoCulprit: { en: 'Check that every change to this list holds the list\'s lock, and that the entry is removed from the list exactly once, before it is freed.', zh: '检查对该链表的每一次修改是否都持有链表锁，以及节点是否在释放前恰好被摘除一次。' },
  stepKasan: { en: 'Reproduce with KASAN: a freed entry or neighbour then shows up with its free stack.', zh: '打开 KASAN 复现：被释放的节点或相邻节点会连同其释放栈一起报告。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

type Shape = 'deleted' | 'freed' | 'double-add' | 'null' | 'overwritten';

const SHAPES: Record<Shape, { cls: RootCauseClass; secondary: RootCauseClass[]; confidence: number; summary: keyof typeof messages; why: keyof typeof messages; ev: keyof typeof messages }> = {
  deleted: { cls: 'memory-corruption', secondary: ['use-after-free'], confidence: 0.82, summary: 'summaryDeleted', why: 'whyDeleted', ev: 'evDeleted' },
  freed: { cls: 'use-after-free', secondary: ['memory-corruption'], confidence: 0.82, summary: 'summaryFreed', why: 'whyFreed', ev: 'evFreed' },
  'double-add': { cls: 'memory-corruption', secondary: [], confidence: 0.82, summary: 'summaryDoubleAdd', why: 'whyDoubleAdd', ev: 'evDoubleAdd' },
  null: { cls: 'memory-corruption', secondary: [], confidence: 0.75, summary: 'summaryNull', why: 'whyNull', ev: 'evNull' },
  overwritten: { cls: 'memory-corruption', secondary: [], confidence: 0.75, summary: 'summaryOverwritten', why: 'whyOverwritten', ev: 'evOverwritten' },
};

function shapeOf(text: string, poisons: readonly Poison[]): { shape: Shape; poison: Poison | null } {
  const freed = poisons.find((p) => p.proves === 'freed') ?? null;
  if (freed) return { shape: 'freed', poison: freed };
  const deleted = poisons.find((p) => p.proves === 'list-deleted') ?? (/LIST_POISON/.test(text) ? poisonOf(/LIST_POISON2/.test(text) ? 'dead000000000122' : 'dead000000000100') : null);
  if (deleted) return { shape: 'deleted', poison: deleted };
  if (/double add/.test(text)) return { shape: 'double-add', poison: null };
  if (/is NULL|but was (?:0x)?0{8,16}\b|but was \(null\)/.test(text)) return { shape: 'null', poison: null };
  return { shape: 'overwritten', poison: null };
}

export const listCorruption: Rule = {
  meta: {
    id: 'KT-list-corruption',
    rootCauseClass: 'memory-corruption',
    summary: { en: 'A linked list was found corrupted on list_add/list_del (CONFIG_DEBUG_LIST)', zh: 'list_add/list_del 时发现链表被破坏（CONFIG_DEBUG_LIST）' },
    docs: {
      en: `Looks for "list_add corruption. prev->next should be next (A), but was B. (prev=C)", "list_del
corruption, X->next is LIST_POISON1 (dead000000000100)", "list_del corruption. prev->next should be
X, but was Y", and "list_add double add". The debug-list checks verify a node's neighbours point
back at it before linking or unlinking.
- ->next/->prev is LIST_POISON1/2: the entry was already list_del()'d and is deleted again or
  walked: two paths tear down one object (a double removal, a race between teardown paths). That
  is a state bug (memory-corruption); the memory was freed only when something else says so;
- a link holds slab poison (0x6b6b6b6b...): the entry was freed while linked: use-after-free;
- "double add": the same entry added twice (a missing list_del or a missing "is it queued" check);
- a NULL link: an entry never initialised or added, or zeroed while linked;
- "should be X, but was Y": a neighbour was overwritten (freed and reused, or a stray write).
The culprit is the caller of list_add/list_del (the blame walk passes the checker); the bug is
whoever removed, freed or reused the entry or its neighbour.
What to do: "kmem -s" on the addresses printed to see what the neighbours are now, and check the
locking around the list (two CPUs modifying it without the lock gives the same symptom).`,
      zh: `匹配 "list_add corruption. prev->next should be next (A), but was B. (prev=C)"、"list_del corruption,
X->next is LIST_POISON1 (dead000000000100)"、"list_del corruption. prev->next should be X, but was Y" 以及
"list_add double add"。调试链表检查会在插入或摘除节点前确认相邻节点确实指回该节点。
- ->next/->prev 为 LIST_POISON1/2：该节点已经被 list_del() 过，又被删除或遍历：两条路径在拆除同一个
  对象（重复删除，或拆除路径之间的竞争）。这是状态错误（内存破坏）；只有其他证据说明时，内存才算已释放；
- 链接指针是 slab 毒值（0x6b6b6b6b...）：节点在链表上时被释放：释放后使用；
- "double add"：同一节点被添加了两次（漏了 list_del，或漏了"是否已在队列中"的判断）；
- 链接指针为 NULL：节点从未初始化或加入链表，或在链表上时被清零；
- "should be X, but was Y"：相邻节点被改写了（被释放后重用，或被野写）。
嫌疑者是 list_add/list_del 的调用者（归因时跳过检查函数）；真正的 bug 在摘除、释放或重用该节点
或其相邻节点的代码。
处理办法：对打印出的地址执行 "kmem -s" 看相邻节点现在是什么，并检查链表的加锁（两个 CPU 不加锁同时修改
链表也是同样的症状）。`,
    },
    references: ['lib/list_debug.c', 'include/linux/poison.h'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const [index, r] of ctx.analysis.reports.entries()) {
      // The debug-list message comes just before the WARNING/BUG that opens the report.
      const line = linesOf(ctx, r, MSG, 1, Math.max(1, r.startLine - 6), Math.min(r.endLine, r.startLine + 30))[0];
      if (!line) continue;
      // A mail client may wrap the message ("... but" / "was 0000000000000000."): the value is on the next line.
      const next = ctx.line(line.no + 1);
      const text = (!/[.)]\s*$/.test(line.text) && next && /^\s*(?:was|is|\(prev=|\(next=|[0-9a-f]{16})/.test(next.text) ? `${line.text.trim()} ${next.text.trim()}` : line.text).trim();
      const values = [...text.matchAll(/\b(?:0x)?([0-9a-f]{16})\b/g)].map((m) => m[1]);
      const poisons = values.map((v) => poisonOf(v)).filter((p): p is Poison => p !== null && p.proves !== 'marker');
      const { shape, poison } = shapeOf(text, poisons);
      const s = SHAPES[shape];
      const op = /list_add/.test(text) ? 'list_add' : 'list_del';
      const c = blameReport(r, 'fault');
      const culprit = culpritLabel(c);
      const data = { op, poison: poison?.name ?? null, meaning: poison?.meaning ?? null, culprit, where: culprit ? msg('where', { culprit }) : null };
      const evidence: FindingDraft['evidence'] = [{ line: line.no, note: msg(s.ev, data) }];
      if (r.headerLine !== line.no) evidence.push({ line: r.headerLine, note: msg('evReport') });
      if (c.line !== null && culprit) evidence.push({ line: c.line, note: msg('evCulprit', data) });
      const shown = values.slice(0, 2);
      out.push({
        report: index,
        rootCauseClass: s.cls,
        secondaryClasses: s.secondary,
        confidence: s.confidence,
        summary: msg(s.summary, data),
        explanation: paragraphs([msg('explainCheck', { op, text: text.replace(/\.\s*$/, '') }), msg(s.why, data), culprit ? msg('whoBlamed', data) : null]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: [
          ...(shown.length > 0 ? [msg('stepKmem', { addresses: shown.join('     crash> kmem -s ') })] : []),
          c.function ? msg(op === 'list_add' ? 'stepLockAdd' : 'stepLockDel', { fn: c.function }) : msg('stepLockNoCulprit'),
          msg('stepKasan'),
        ],
        facts: { operation: op, shape, poison: poison?.name ?? null, poisonProves: poison?.proves ?? null, doubleAdd: shape === 'double-add', addresses: values },
      });
    }
    return out;
  },
};
