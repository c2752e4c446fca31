// "kernel BUG at file:line": a BUG()/BUG_ON() assertion failed; the assertion site names the broken invariant, its caller broke it.

import { baseName, blameOfSite, blameReport, culpritOfBlame, type Blame } from '../blame';
import { BUG_SITES, SKB_OVERRUN, type BugSite } from '../../knowledge/bug-sites';
import { messenger } from '../messages';
import type { FindingDraft, L10n, RootCauseClass, Rule } from '../types';
import { culpritLabel, kernelIp, linesOf, mainFrames, modulePhaseData, modulePhaseMessages, modulePhaseOf, paragraphs, reportsWhere, taskLabel } from '../reports';

const HEADER = /[Kk]ernel BUG at ([^\s!]{1,200}?):(\d{1,7})!?|BUG: failure at (\S{1,200}?):(\d{1,7})\/(\w{1,128})\(\)!/;
const SYMBOL = /^([A-Za-z_][\w.]{0,127})\+0x([0-9a-f]{1,8})\/0x[0-9a-f]{1,8}$/;

const messages = {
  ...modulePhaseMessages,
  summarySite: { en: '{{what}} (in {{culprit}})', zh: '{{what}}（位于 {{culprit}}）' },
  summary: { en: 'BUG_ON failed{{at}}{{where}}: an invariant was broken earlier', zh: 'BUG_ON 断言失败{{at}}{{where}}：某个不变量此前已被破坏' },
  summaryCaller: { en: 'BUG_ON failed{{at}} in {{checker}}, reached from {{culprit}}: an invariant was broken earlier', zh: '{{checker}} 中 BUG_ON 断言失败{{at}}，调用来自 {{culprit}}：某个不变量此前已被破坏' },
  at: { en: ' at {{site}}', zh: '（位置 {{site}}）' },
  where: { en: ' in {{culprit}}', zh: '，位于 {{culprit}}' },

  explainHit: { en: 'The kernel hit BUG(){{at}}{{where}}{{inTask}}. That line states an invariant its author considered impossible to violate; the condition written there is what is wrong.', zh: '内核触发了 BUG(){{at}}{{where}}{{inTask}}。这一行声明了一个作者认为不可能被违反的不变量；该行写的条件就是出错的地方。' },
  inTask: { en: ' ({{task}})', zh: '（任务 {{task}}）' },
  pageDump: { en: 'The page dump above the BUG line shows the flags, refcount and mapcount of the page that failed the check.', zh: 'BUG 行上方的页信息给出了未通过检查的页的 flags、refcount 和 mapcount。' },
  noticed: { en: 'The function that asserts is the one that noticed, not necessarily the one that broke the state: look for an earlier double free, refcount imbalance, missing lock or a race that let two paths change the same object.', zh: '触发断言的函数只是发现问题的一方，未必是破坏状态的一方：要找更早发生的重复释放、引用计数不平衡、漏加锁，或者两条路径同时修改同一对象的竞争。' },
  culpritCaller: { en: 'The BUG fired in {{checker}}, which only checks: {{culprit}} is the caller that broke the condition it checks.', zh: 'BUG 在 {{checker}} 中触发，它只负责检查：{{culprit}} 才是破坏了被检查条件的调用者。' },
  culpritNamed: { en: 'The message names the caller, {{culprit}}: that is the code responsible.', zh: '消息点名了调用者 {{culprit}}：它才是出问题的代码。' },
  phaseInit: { en: 'This ran in the init function of {{module}} ({{fn}}): the invariant was broken while the module was setting itself up.', zh: '这发生在 {{module}} 的初始化函数（{{fn}}）中：不变量是在模块初始化自身时被破坏的。' },
  phaseExit: { en: 'This ran in the exit function of {{module}} ({{fn}}): teardown did something out of order (an object freed, unregistered or put while still in use).', zh: '这发生在 {{module}} 的退出函数（{{fn}}）中：拆除流程的顺序不对（对象在仍被使用时就被释放、注销或 put 了）。' },

  evHeader: { en: 'the failed assertion at {{site}}', zh: '{{site}} 处的断言失败' },
  evHeaderPlain: { en: 'the failed assertion', zh: '断言失败' },
  evTrap: { en: 'the trap BUG() raises (ud2 / brk)', zh: 'BUG() 触发的陷阱（ud2 / brk）' },
  evPage: { en: 'the page the assertion was about (VM_BUG_ON_PAGE)', zh: '断言所针对的页（VM_BUG_ON_PAGE）' },
  evCulprit: { en: '{{culprit}}: the code that broke the invariant', zh: '{{culprit}}：破坏不变量的代码' },
  evCulpritSite: { en: '{{culprit}}: where the assertion fired', zh: '{{culprit}}：断言触发的位置' },

  stepRead: { en: 'Read {{site}}: which condition is asserted, and which object does it test?', zh: '阅读 {{site}}：断言的是什么条件，检查的是哪个对象？' },
  stepDis: { en: 'crash> dis -l {{location}}     crash> bt -f     (the object and arguments at the assertion)', zh: 'crash> dis -l {{location}}     crash> bt -f（断言时的对象和参数）' },
  stepHistory: { en: 'Run git log -L on the asserting function and search the list archives for the assertion line: BUG_ONs on well-trodden paths usually have known fixes.', zh: '对断言所在函数执行 git log -L，并在邮件列表归档中搜索这条断言：常走路径上的 BUG_ON 通常已有修复。' },
  stepDebug: { en: 'Reproduce with CONFIG_DEBUG_VM, CONFIG_KASAN or page_owner=on to catch the earlier corruption where it happens.', zh: '打开 CONFIG_DEBUG_VM、CONFIG_KASAN 或 page_owner=on 复现，在更早的破坏发生处抓到它。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

/** The caller a BUG site's message names, when it was printed as a symbol and is not plumbing. */
function namedBy(site: BugSite, text: string, line: number): Blame | null {
  if (site.names?.function === undefined || !site.message) return null;
  const sym = site.message.exec(text)?.[site.names.function] ?? null;
  const m = sym ? SYMBOL.exec(sym) : null;
  return m ? blameOfSite({ function: m[1], offset: Number.parseInt(m[2], 16), module: null, line }, 'printed') : null;
}

export const kernelBugAssertion: Rule = {
  meta: {
    id: 'KT-kernel-bug-assertion',
    rootCauseClass: 'other',
    summary: { en: 'A BUG()/BUG_ON() assertion failed: the kernel found one of its invariants broken', zh: 'BUG()/BUG_ON() 断言失败：内核发现自身某个不变量被破坏' },
    docs: {
      en: `Looks for "kernel BUG at FILE:LINE!" (followed by "invalid opcode: 0000" on x86, the ud2 that
BUG() compiles to). The source line is a BUG_ON(condition) or BUG() whose author decided the
state cannot happen; the condition at that line is what went wrong. The assertion is rarely the
bug itself: something earlier broke the invariant (a page freed twice, a refcount gone wrong, a
list or tree corrupted, an impossible state reached through a race), and this check noticed.
A BUG inside a checker or primitive (skb_put -> skb_over_panic, a VM_BUG_ON in a page helper)
blames the caller that broke the condition; a message that prints the caller ("text:func+off")
names it. Frequent sites and the class they imply are data (src/knowledge/bug-sites.ts): an skb
overflow is memory-corruption, a page referenced after its count reached zero is
use-after-free, a BUG in the slab allocator is memory-corruption.
What to do: read FILE:LINE to learn the invariant, then "dis -l" the RIP and look at the
registers/arguments (crash "bt -f") for the object that violated it; in mm/ and fs/ the usual
companion checks are CONFIG_DEBUG_VM, page_owner and KASAN.`,
      zh: `匹配 "kernel BUG at 文件:行!"（x86 上紧跟 "invalid opcode: 0000"，即 BUG() 编译出的 ud2 指令）。
这一行是一个 BUG_ON(条件) 或 BUG()，作者认为这种状态不可能出现；该行的条件就是出错的地方。断言本身
很少就是 bug：是更早的某件事破坏了不变量（页被重复释放、引用计数出错、链表或树被破坏、因竞争进入了
不可能的状态），这里只是检查到了。
在检查函数或基础原语内触发的 BUG（skb_put -> skb_over_panic、页辅助函数里的 VM_BUG_ON）归咎于破坏了
条件的调用者；消息打印了调用者（"text:函数+偏移"）时以它为准。常见断言点及其对应的根因分类是数据
（src/knowledge/bug-sites.ts）：skb 溢出是内存破坏，引用计数已为零的页又被引用是释放后使用，slab 分配器
里的 BUG 是内存破坏。
处理办法：读 文件:行 弄清不变量是什么，然后对 RIP 做 "dis -l"，查看寄存器和参数（crash 的
"bt -f"）找到违反不变量的对象；在 mm/ 和 fs/ 中常配合 CONFIG_DEBUG_VM、page_owner 和 KASAN 排查。`,
    },
    references: ['include/asm-generic/bug.h', 'Documentation/process/deprecated.rst (BUG and BUG_ON)'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER)) {
      const r = hit.report;
      const m = hit.match;
      const site = m[1] ? `${m[1]}:${m[2]}` : m[3] ? `${m[3]}:${m[4]}` : null;
      // lib/list_debug.c asserts list integrity: KT-list-corruption explains those.
      if (site && /list_debug\.c/.test(site)) continue;
      const from = Math.max(1, r.startLine - 6);
      const to = Math.min(r.endLine, r.startLine + 40);
      const overrunLine = linesOf(ctx, r, SKB_OVERRUN, 1, from, to)[0] ?? null;
      const om = overrunLine ? SKB_OVERRUN.exec(overrunLine.text) : null;
      const overrun = om ? Number(BigInt(om[1]) - BigInt(om[2])) : null;
      let known: BugSite | null = null;
      let knownLine = null;
      for (const s of BUG_SITES) {
        if (s.overrun && (overrun === null || (s.overrun.atMost !== undefined && overrun > s.overrun.atMost) || (s.overrun.moreThan !== undefined && overrun <= s.overrun.moreThan))) continue;
        const l = s.message ? linesOf(ctx, r, s.message, 1, from, to)[0] ?? null : null;
        if (l || (site !== null && (s.at?.test(site) ?? false))) {
          known = s;
          knownLine = l;
          break;
        }
      }
      const named = known && knownLine ? namedBy(known, knownLine.text, knownLine.no) : null;
      const c = named ?? blameReport(r, 'fault');
      const culprit = culpritLabel(c);
      const task = taskLabel(r);
      const ip = kernelIp(r);
      const ipFn = ip?.function ? baseName(ip.function) : null;
      const checker = !named && ipFn && c.function && ipFn !== c.function ? ipFn : null;
      const ud2 = linesOf(ctx, r, /invalid opcode: 0000|Internal error: Oops - BUG/, 1)[0] ?? null;
      const pageDump = linesOf(ctx, r, /^page:[0-9a-f]+ |page dumped because: /, 2);
      const phase = modulePhaseOf(mainFrames(r));
      const phased = modulePhaseData(phase);
      const phaseData = phased?.data ?? null;

      const evidence: FindingDraft['evidence'] = [{ line: hit.header.no, note: site ? msg('evHeader', { site }) : msg('evHeaderPlain') }];
      if (knownLine && known) evidence.push({ line: knownLine.no, note: known.what });
      if (ud2) evidence.push({ line: ud2.no, note: msg('evTrap') });
      for (const l of pageDump) evidence.push({ line: l.no, note: msg('evPage') });
      if (c.line !== null && culprit) evidence.push({ line: c.line, note: msg(named || checker ? 'evCulprit' : 'evCulpritSite', { culprit }) });
      if (phased) evidence.push(phased.evidence);

      const cls: RootCauseClass = known?.cls ?? 'other';
      const secondary: RootCauseClass[] = [...(known?.secondary ?? [])];
      if (phase?.phase === 'exit' && cls !== 'use-after-free' && !secondary.includes('use-after-free')) secondary.push('use-after-free');
      out.push({
        report: hit.index,
        rootCauseClass: cls,
        secondaryClasses: secondary,
        confidence: known ? 0.78 : site ? 0.75 : 0.65,
        summary: known
          ? culprit ? msg('summarySite', { what: known.what, culprit }) : known.what
          : checker && culprit
            ? msg('summaryCaller', { at: site ? msg('at', { site }) : null, checker, culprit })
            : msg('summary', { at: site ? msg('at', { site }) : null, where: culprit ? msg('where', { culprit }) : null }),
        explanation: paragraphs([
          msg('explainHit', { at: site ? msg('at', { site }) : null, where: culprit ? msg('where', { culprit }) : null, inTask: task ? msg('inTask', { task }) : null }),
          known ? known.meaning : null,
          pageDump.length > 0 ? msg('pageDump') : null,
          named && culprit ? msg('culpritNamed', { culprit }) : checker && culprit ? msg('culpritCaller', { checker, culprit }) : msg('noticed'),
          phase && phaseData ? msg(phase.phase === 'init' ? 'phaseInit' : 'phaseExit', phaseData) : null,
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: [
          ...(site ? [msg('stepRead', { site })] : []),
          ...(known ? [known.next] : []),
          ...(c.location ? [msg('stepDis', { location: c.location })] : []),
          msg('stepHistory'),
          msg('stepDebug'),
        ],
        facts: { assertionSite: site, known: known?.id ?? null, overrunBytes: overrun, checker, namedByMessage: named !== null, modulePhase: phase ? { phase: phase.phase, module: phase.module, function: phase.frame.function } : null },
      });
    }
    return out;
  },
};
