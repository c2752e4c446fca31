// CONFIG_DEBUG_LIST reports: list_add/list_del found a neighbour's pointers inconsistent or poisoned.

import { blameReport, culpritOfBlame } from '../blame';
import type { FindingDraft, RootCauseClass, Rule } from '../types';
import { poisonOf } from './addresses';
import { ev, linesOf, paragraphs, steps, t, who, whoZh } from '../reports';

const MSG = /(list_add corruption|list_del corruption|list_add double add|list_del corruption, (?:\S+)->(?:next|prev) is (?:LIST_POISON[12]|NULL)|list corruption)[.,]?(.*)$/;

export const listCorruption: Rule = {
  meta: {
    id: 'KT-list-corruption',
    rootCauseClass: 'memory-corruption',
    summary: t('A linked list was found corrupted on list_add/list_del (CONFIG_DEBUG_LIST)', 'list_add/list_del 时发现链表被破坏（CONFIG_DEBUG_LIST）'),
    docs: t(
      `Looks for "list_add corruption. prev->next should be next (A), but was B. (prev=C)", "list_del
corruption, X->next is LIST_POISON1 (dead000000000100)", "list_del corruption. prev->next should be
X, but was Y", and "list_add double add". The debug-list checks verify a node's neighbours point
back at it before linking or unlinking.
- ->next/->prev is LIST_POISON1/2: the entry was already list_del()'d: a double delete, or a use
  of an entry (and probably its object) after it was removed and freed: use-after-free;
- "double add": the same entry added twice (a missing list_del or a missing "is it queued" check);
- "should be X, but was Y": a neighbour was overwritten (freed and reused, or a stray write):
  memory corruption; if Y is a poison the neighbour was freed.
The culprit is the caller of list_add/list_del; the bug is whoever freed or reused the neighbour.
What to do: "kmem -s" on the addresses printed to see what the neighbours are now, and check the
locking around the list (two CPUs modifying it without the lock gives the same symptom).`,
      `匹配 "list_add corruption. prev->next should be next (A), but was B. (prev=C)"、"list_del corruption,
X->next is LIST_POISON1 (dead000000000100)"、"list_del corruption. prev->next should be X, but was Y" 以及
"list_add double add"。调试链表检查会在插入或摘除节点前确认相邻节点确实指回该节点。
- ->next/->prev 为 LIST_POISON1/2：该节点已经被 list_del() 过：重复删除，或者在节点（很可能连同其对象）
  被摘除并释放后仍在使用：释放后使用；
- "double add"：同一节点被添加了两次（漏了 list_del，或漏了"是否已在队列中"的判断）；
- "should be X, but was Y"：相邻节点被改写了（被释放后重用，或被野写）：内存破坏；如果 Y 是毒值，说明
  相邻节点已被释放。
嫌疑者是 list_add/list_del 的调用者；真正的 bug 在释放或重用了相邻节点的代码。
处理办法：对打印出的地址执行 "kmem -s" 看相邻节点现在是什么，并检查链表的加锁（两个 CPU 不加锁同时修改
链表也是同样的症状）。`,
    ),
    references: ['lib/list_debug.c', 'include/linux/poison.h'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const [index, r] of ctx.analysis.reports.entries()) {
      // The debug-list message comes just before the WARNING/BUG that opens the report.
      const line = linesOf(ctx, r, MSG, 1, Math.max(1, r.startLine - 6), Math.min(r.endLine, r.startLine + 30))[0];
      if (!line) continue;
      const hit = { report: r, index };
      const text = line.text;
      const values = [...text.matchAll(/\b(?:0x)?([0-9a-f]{16})\b/g)].map((m) => m[1]);
      const poison = values.map((v) => poisonOf(v)).find((p) => p !== null) ?? (/LIST_POISON/.test(text) ? poisonOf('dead000000000100') : null);
      const doubleAdd = /double add/.test(text);
      const op = /list_add/.test(text) ? 'list_add' : 'list_del';
      const cls: RootCauseClass = poison ? 'use-after-free' : 'memory-corruption';
      const c = blameReport(r, 'fault');
      const evidence = [ev(line.no, poison ? `a neighbour pointer holds ${poison.name}: the entry was already deleted` : doubleAdd ? 'the entry is already on the list' : 'a neighbour does not point back: overwritten', poison ? `相邻指针的值是 ${poison.name}：该节点已被删除` : doubleAdd ? '该节点已经在链表上' : '相邻节点没有指回来：已被改写')];
      if (hit.report.headerLine !== line.no) evidence.push(ev(hit.report.headerLine, 'the report', '报告'));
      if (c.line !== null) evidence.push(ev(c.line, `${who(c)}: called ${op}`, `${whoZh(c)}：调用了 ${op}`));
      out.push({
        report: hit.index,
        rootCauseClass: cls,
        confidence: poison || doubleAdd ? 0.82 : 0.75,
        summary: poison
          ? t(`${op} on an entry already removed (${poison.name})${c.function ? ` in ${who(c)}` : ''}: use after list_del/free`, `${c.function ? `${whoZh(c)} 中` : ''}对已删除的节点（${poison.name}）执行 ${op}：list_del/释放后仍在使用`)
          : doubleAdd
            ? t(`The same entry was added to a list twice${c.function ? ` in ${who(c)}` : ''}`, `${c.function ? `${whoZh(c)} 中` : ''}同一节点被两次加入链表`)
            : t(`Linked list corrupted at ${op}${c.function ? ` in ${who(c)}` : ''}: a neighbour entry was overwritten`, `${c.function ? `${whoZh(c)} 中` : ''} ${op} 时发现链表被破坏：相邻节点被改写`),
        explanation: paragraphs([
          t(`CONFIG_DEBUG_LIST checked the neighbours of the entry before ${op} and printed: "${text.trim()}".`, `CONFIG_DEBUG_LIST 在 ${op} 之前检查了节点的相邻节点，打印的是："${text.trim()}"。`),
          poison
            ? t(`${poison.meaning.en}. Deleting it again, or walking from it, means its owner kept using it after removing it from the list: the object was probably freed too (use-after-free).`, `${poison.meaning.zh}。再次删除它或从它出发遍历，说明其所有者在把它摘下链表之后仍在使用它：对象很可能也已被释放（释放后使用）。`)
            : doubleAdd
              ? t('Adding an entry that is already linked corrupts the list (it forms a loop); it is missing a list_del() before reuse, or a list_empty()/queued check.', '把已经在链表上的节点再次加入会破坏链表（形成环）；重用前漏了 list_del()，或漏了 list_empty()/是否已排队的判断。')
              : t('A neighbour\'s pointer does not point back: that neighbour was freed and its memory reused, written by a stray pointer, or the list was modified concurrently without its lock.', '相邻节点的指针没有指回来：这个相邻节点已被释放且内存被重用、被野指针写坏，或者链表在没有加锁的情况下被并发修改。'),
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: steps(
          values[0] ? t(`crash> kmem -s ${values[0]}${values[1] ? `     crash> kmem -s ${values[1]}` : ''}     (what the entry and its neighbours are now: freed? which cache?)`, `crash> kmem -s ${values[0]}${values[1] ? `     crash> kmem -s ${values[1]}` : ''}（节点及其相邻节点现在是什么：已释放？哪个 cache？）`) : null,
          t(`Check that every ${op === 'list_add' ? 'add' : 'del'} of this list in ${c.function ?? 'the caller'} and its peers holds the list's lock, and that the object is removed from the list before it is freed.`, `检查 ${c.function ?? '调用者'} 及其同类代码中对该链表的每一次${op === 'list_add' ? '添加' : '删除'}是否都持有链表锁，以及对象在释放前是否已从链表摘除。`),
          t('Reproduce with KASAN: a freed neighbour then shows up with its free stack.', '打开 KASAN 复现：被释放的相邻节点会连同其释放栈一起报告。'),
        ),
        facts: { operation: op, poison: poison?.name ?? null, doubleAdd, addresses: values },
      });
    }
    return out;
  },
};
