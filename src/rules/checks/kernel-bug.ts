// "kernel BUG at file:line": a BUG()/BUG_ON() assertion failed; the assertion site names the broken invariant.

import { blameReport, culpritOfBlame } from '../blame';
import type { FindingDraft, Rule } from '../types';
import { culpritEvidence, ev, linesOf, paragraphs, reportsWhere, steps, t, taskOf, who, whoZh } from '../reports';

const HEADER = /[Kk]ernel BUG at ([^\s!]+?):(\d+)!?|BUG: failure at (\S+?):(\d+)\/(\w+)\(\)!/;

export const kernelBugAssertion: Rule = {
  meta: {
    id: 'KT-kernel-bug-assertion',
    rootCauseClass: 'other',
    summary: t('A BUG()/BUG_ON() assertion failed: the kernel found one of its invariants broken', 'BUG()/BUG_ON() 断言失败：内核发现自身某个不变量被破坏'),
    docs: t(
      `Looks for "kernel BUG at FILE:LINE!" (followed by "invalid opcode: 0000" on x86, the ud2 that
BUG() compiles to). The source line is a BUG_ON(condition) or BUG() whose author decided the
state cannot happen; the condition at that line is what went wrong, and the function at RIP is
the assertion site. The assertion is rarely the bug itself: something earlier broke the
invariant (a page freed twice, a refcount gone wrong, a list or tree corrupted, an impossible
state reached through a race), and this check noticed.
What to do: read FILE:LINE to learn the invariant, then "dis -l" the RIP and look at the
registers/arguments (crash "bt -f") for the object that violated it; in mm/ and fs/ the usual
companion checks are CONFIG_DEBUG_VM, page_owner and KASAN.`,
      `匹配 "kernel BUG at 文件:行!"（x86 上紧跟 "invalid opcode: 0000"，即 BUG() 编译出的 ud2 指令）。
这一行是一个 BUG_ON(条件) 或 BUG()，作者认为这种状态不可能出现；该行的条件就是出错的地方，RIP 所在
的函数就是断言位置。断言本身很少就是 bug：是更早的某件事破坏了不变量（页被重复释放、引用计数出错、
链表或树被破坏、因竞争进入了不可能的状态），这里只是检查到了。
处理办法：读 文件:行 弄清不变量是什么，然后对 RIP 做 "dis -l"，查看寄存器和参数（crash 的
"bt -f"）找到违反不变量的对象；在 mm/ 和 fs/ 中常配合 CONFIG_DEBUG_VM、page_owner 和 KASAN 排查。`,
    ),
    references: ['include/asm-generic/bug.h', 'Documentation/process/deprecated.rst (BUG and BUG_ON)'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER)) {
      const r = hit.report;
      const m = hit.match;
      const site = m[1] ? `${m[1]}:${m[2]}` : m[3] ? `${m[3]}:${m[4]}` : null;
      // lib/list_debug.c asserts list integrity: KT-list-corruption explains those.
      if (site && /list_debug\.c/.test(site)) continue;
      const c = blameReport(r, 'fault');
      const ud2 = linesOf(ctx, r, /invalid opcode: 0000|Internal error: Oops - BUG/, 1)[0] ?? null;
      const pageDump = linesOf(ctx, r, /^page:[0-9a-f]+ |page dumped because: /, 2);
      const evidence = [ev(hit.header.no, site ? `the failed assertion at ${site}` : 'the failed assertion', site ? `${site} 处的断言失败` : '断言失败')];
      if (ud2) evidence.push(ev(ud2.no, 'the trap BUG() raises (ud2 / brk)', 'BUG() 触发的陷阱（ud2 / brk）'));
      for (const l of pageDump) evidence.push(ev(l.no, 'the page the assertion was about (VM_BUG_ON_PAGE)', '断言所针对的页（VM_BUG_ON_PAGE）'));
      evidence.push(...culpritEvidence(c, `${who(c)}: the assertion site`, `${whoZh(c)}：断言所在位置`));
      out.push({
        report: hit.index,
        confidence: site ? 0.75 : 0.65,
        summary: t(`BUG_ON failed${site ? ` at ${site}` : ''}${c.function ? ` in ${who(c)}` : ''}: an invariant was broken earlier`, `${c.function ? `${whoZh(c)} 中` : ''}${site ? `${site} 处` : ''}的 BUG_ON 断言失败：某个不变量此前已被破坏`),
        explanation: paragraphs([
          t(`${taskOf(r) ? `${taskOf(r)}: ` : ''}the kernel hit BUG()${site ? ` at ${site}` : ''}${c.function ? ` in ${who(c)}` : ''}. That line states an invariant its author considered impossible to violate; the condition written there is what is wrong.`, `${taskOf(r) ? `${taskOf(r)}：` : ''}内核${c.function ? `在 ${whoZh(c)} 中` : ''}${site ? `于 ${site} ` : ''}触发了 BUG()。这一行声明了一个作者认为不可能被违反的不变量；该行写的条件就是出错的地方。`),
          pageDump.length > 0 ? t('The page dump above the BUG line shows the flags, refcount and mapcount of the page that failed the check.', 'BUG 行上方的页信息给出了未通过检查的页的 flags、refcount 和 mapcount。') : null,
          t('The function that asserts is the one that noticed, not necessarily the one that broke the state: look for an earlier double free, refcount imbalance, missing lock or a race that let two paths change the same object.', '触发断言的函数只是发现问题的一方，未必是破坏状态的一方：要找更早发生的重复释放、引用计数不平衡、漏加锁，或者两条路径同时修改同一对象的竞争。'),
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: steps(
          site ? t(`Read ${site}: which condition is asserted, and which object does it test?`, `阅读 ${site}：断言的是什么条件，检查的是哪个对象？`) : null,
          c.location ? t(`crash> dis -l ${c.location}     crash> bt -f     (the object and arguments at the assertion)`, `crash> dis -l ${c.location}     crash> bt -f（断言时的对象和参数）`) : null,
          t('git log -L on the asserting function and grep the list archives for the assertion line: BUG_ONs on well-trodden paths usually have known fixes.', '对断言所在函数执行 git log -L，并在邮件列表归档中搜索这条断言：常走路径上的 BUG_ON 通常已有修复。'),
          t('Reproduce with CONFIG_DEBUG_VM / CONFIG_KASAN / page_owner=on to catch the earlier corruption where it happens.', '打开 CONFIG_DEBUG_VM / CONFIG_KASAN / page_owner=on 复现，在更早的破坏发生处抓到它。'),
        ),
        facts: { assertionSite: site },
      });
    }
    return out;
  },
};
