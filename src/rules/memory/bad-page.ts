// "BUG: Bad page state" / "BUG: Bad page map": a page freed, allocated or unmapped with counts or flags it cannot have.

import type { Frame, LogLine } from '../../model/types';
import { BAD_PAGE_REASONS } from '../../knowledge/bad-page';
import { baseName, blameFrames, culpritOfBlame, firstOwnFrame } from '../blame';
import { messenger } from '../messages';
import { allStacks, framesOf } from '../stacks';
import type { FindingDraft, L10n, RootCauseClass, Rule, RuleContext } from '../types';
import { culpritLabel, paragraphs } from '../reports';

const HEADER = /BUG: Bad page (state|map) in process (.{1,64}?)\s{1,4}(?:pfn:([0-9a-f]{1,16})|pte:([0-9a-f]{1,16}))/;
const PAGE = /\b(?:ref)?count:(-?\d{1,10}) mapcount:(-?\d{1,10}) mapping:\s{0,16}(\S{1,20})/;
const FLAGS = /^(?:page )?flags: ?(0x[0-9a-f]{1,16})(?:\(([^)]{0,300})\))?/;
const REASON = /page dumped because: (.{1,200}?)\s*$/;
const OWNER_ALLOC = /page last allocated via order (\d{1,2})/;
const OWNER_FREE = /page last free(?:d)? (?:pid|stack)/;
const FRAME = /^\s{0,8}(?:\[<[0-9a-f]{1,16}>\]\s{1,4})?(?:\? )?([A-Za-z_.][\w.]{0,127})\+0x[0-9a-f]{1,8}\/0x[0-9a-f]{1,8}(?: \[([\w-]{1,64})\])?/;
/** How far below its header a page report prints its details and stack. */
const WINDOW = 160;

const messages = {
  summaryState: { en: 'Bad page state{{where}}: {{what}}', zh: '{{where}}页状态异常：{{what}}' },
  summaryMap: { en: 'Bad page map{{where}}: {{what}}', zh: '{{where}}页映射异常：{{what}}' },
  where: { en: ' in {{culprit}}', zh: '{{culprit}} 中' },
  whatUnknown: { en: 'the page failed the check "{{reason}}"', zh: '页面没有通过检查 "{{reason}}"' },
  whatUnstated: { en: 'the page has counts or flags it cannot have', zh: '页面的计数或标志处于不可能的状态' },

  explainState: { en: 'The page allocator checked page {{pfn}} of {{process}} when {{when}} and found it bad: {{state}}.', zh: '页分配器在{{when}}时检查了 {{process}} 的页 {{pfn}}，发现它状态异常：{{state}}。' },
  explainMap: { en: 'While {{process}} was unmapping memory, the pte {{pte}} pointed at a page in a state no mapped page can be in: {{state}}.', zh: '{{process}} 解除内存映射时，pte {{pte}} 指向的页处于任何已映射页都不可能有的状态：{{state}}。' },
  whenFree: { en: 'it was freed', zh: '释放它' },
  whenPrep: { en: 'it was allocated', zh: '分配它' },
  state: { en: 'refcount {{ref}}, mapcount {{map}}, mapping {{mapping}}{{flags}}', zh: '引用计数 {{ref}}，映射计数 {{map}}，mapping {{mapping}}{{flags}}' },
  stateFlags: { en: ', flags {{flags}}', zh: '，标志 {{flags}}' },
  stateUnknown: { en: 'the page dump is not in the log', zh: '日志中没有页信息' },
  negative: { en: 'The {{counter}} is negative ({{value}}): it was decremented once more than it was incremented, so the page was freed or unmapped one time too many.', zh: '{{counter}} 为负数（{{value}}）：它被减的次数比加的次数多一次，说明该页被多释放或多解除映射了一次。' },
  culpritState: { en: '{{culprit}} is the first function above the page-freeing plumbing: it freed (or dropped the last reference to) a page that was not in a state to be freed.', zh: '{{culprit}} 是页释放底层代码之上的第一个函数：它释放了（或丢掉了最后一个引用）一个还不能被释放的页。' },
  culpritMap: { en: '{{culprit}} is the first function above the unmapping plumbing; the bug is usually where the page was mapped, or freed earlier, not where the bad pte was found.', zh: '{{culprit}} 是解除映射底层代码之上的第一个函数；bug 通常在映射该页或更早释放该页的地方，而不在发现坏 pte 的地方。' },
  noCulprit: { en: 'Only generic freeing or unmapping code is on the stack: the page was put in this state earlier, by code that is no longer running.', zh: '调用栈上只有通用的释放或解除映射代码：该页是更早被别的代码弄成这种状态的，那段代码已经不在栈上了。' },
  owner: { en: 'page_owner says the page was allocated by {{alloc}}{{order}}: the bug usually pairs that allocation with the wrong free.', zh: 'page_owner 显示该页由 {{alloc}} 分配{{order}}：bug 通常是这次分配配上了错误的释放方式。' },
  ownerOrder: { en: ' (order {{order}})', zh: '（order 为 {{order}}）' },
  ownerFree: { en: 'It was last freed by {{freed}}.', zh: '它上一次是被 {{freed}} 释放的。' },
  mapping: { en: 'The mapping was set up by {{fn}} (the vma\'s {{hook}} handler): for a driver mapping, check that it takes a reference for every page it inserts.', zh: '该映射由 {{fn}} 建立（vma 的 {{hook}} 处理函数）：如果这是驱动的映射，检查它插入的每个页是否都取得了引用。' },

  evHeader: { en: 'the page failed the allocator\'s sanity check', zh: '页面没有通过分配器的完整性检查' },
  evHeaderMap: { en: 'a pte points at a page in an impossible state', zh: '某个 pte 指向的页处于不可能的状态' },
  evPage: { en: 'refcount {{ref}}, mapcount {{map}}, mapping {{mapping}}', zh: '引用计数 {{ref}}，映射计数 {{map}}，mapping {{mapping}}' },
  evFlags: { en: 'the page flags', zh: '页标志' },
  evReason: { en: 'which check failed: {{what}}', zh: '没有通过的检查：{{what}}' },
  evCulprit: { en: '{{culprit}}: freed or unmapped the page', zh: '{{culprit}}：释放或解除映射该页的代码' },
  evOwner: { en: '{{alloc}}: allocated the page (page_owner)', zh: '{{alloc}}：分配了该页（page_owner）' },
  evOwnerFree: { en: '{{freed}}: freed the page last time (page_owner)', zh: '{{freed}}：上一次释放了该页（page_owner）' },
  evMapping: { en: 'the vma\'s handlers: who set up the mapping', zh: 'vma 的处理函数：是谁建立了这个映射' },

  stepKmem: { en: 'crash> kmem -p {{phys}}     (the struct page now: flags, counts, mapping)', zh: 'crash> kmem -p {{phys}}（该页现在的 struct page：标志、计数、mapping）' },
  stepRead: { en: 'Read {{fn}}: which page does it free or unmap, and does it own the last reference (and the mapping) at that point?', zh: '阅读 {{fn}}：它释放或解除映射的是哪个页？那时它是否持有最后一个引用（以及映射）？' },
  stepReadAlloc: { en: 'Read {{alloc}} and the path that frees what it allocates: the page must be freed by the matching primitive (page_pool pages back to their pool, pinned pages unpinned first).', zh: '阅读 {{alloc}} 以及释放它所分配内容的路径：页必须用配对的原语释放（page_pool 的页还回池中，被 pin 的页先 unpin）。' },
  stepOwner: { en: 'Boot with page_owner=on (CONFIG_PAGE_OWNER) and CONFIG_DEBUG_VM: the report then shows who allocated and who last freed the page.', zh: '用 page_owner=on（CONFIG_PAGE_OWNER）和 CONFIG_DEBUG_VM 启动：报告会给出是谁分配、谁上一次释放了该页。' },
  stepKasan: { en: 'Reproduce with CONFIG_KASAN=y: a use of the page after it was freed is then reported where it happens.', zh: '用 CONFIG_KASAN=y 复现：页面释放后的使用会在发生处被报告。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

function linesFrom(ctx: RuleContext, from: number, to: number): LogLine[] {
  const out: LogLine[] = [];
  for (let no = from; no <= to; no++) {
    const l = ctx.line(no);
    if (l) out.push(l);
  }
  return out;
}

/** Where a page_owner stack ends for sure; other non-frame lines are output of other tasks interleaved with it. */
const OWNER_END = /page last free|Modules linked in|^CPU: |Call [Tt]race|^Hardware name|^\s*$/;

/** The page_owner stack that starts after `start`: its frames, skipping a few interleaved lines of other output. */
function ownerStack(lines: readonly LogLine[], start: number): Frame[] {
  const out: Frame[] = [];
  let foreign = 0;
  for (const l of lines.slice(start + 1, start + 48)) {
    const m = FRAME.exec(l.text);
    if (!m) {
      if (OWNER_END.test(l.text) || ++foreign > 3) break;
      continue;
    }
    out.push({ function: m[1], offset: null, size: null, module: m[2] ?? null, address: null, reliable: !/^\s*\? /.test(l.text), source: null, inlined: false, line: l.no });
  }
  return out;
}

export const badPage: Rule = {
  meta: {
    id: 'KT-bad-page',
    rootCauseClass: 'memory-corruption',
    summary: { en: 'A page was freed, allocated or unmapped in a state it cannot be in (Bad page state, Bad page map)', zh: '页面在不可能的状态下被释放、分配或解除映射（Bad page state、Bad page map）' },
    docs: {
      en: `Looks for "BUG: Bad page state in process P  pfn:N" (mm/page_alloc.c bad_page(): a page freed or
allocated with a reference count, map count, mapping or flags it cannot have) and "BUG: Bad page
map in process P  pte:V" (mm/memory.c print_bad_pte(): unmapping found a pte whose page is not
mapped the way the pte says). It reads the page dump ("page: refcount:R mapcount:M mapping:X",
"flags:"), "page dumped because: ..." (which check failed: nonzero mapcount, nonzero _refcount,
non-NULL mapping, PAGE_FLAGS_CHECK_AT_FREE, page_pool leak, bad pte...; the meanings are data in
src/knowledge/bad-page.ts), the page_owner allocation and free stacks when printed, and the
stack. The class is memory-corruption; use-after-free is added when a count went negative or
the check means the page was freed or unmapped twice. The culprit is the first function above
the page-freeing or unmapping plumbing (the blame walk passes bad_page, the page allocator and
the mm helpers); with only plumbing on the stack, nothing is blamed.
What to do: read that function and the page's allocation site: the page must be freed once, by
the primitive that matches how it was allocated and mapped; rerun with page_owner=on and
CONFIG_DEBUG_VM for the allocation and free stacks, or with KASAN.`,
      zh: `匹配 "BUG: Bad page state in process P  pfn:N"（mm/page_alloc.c 的 bad_page()：页面被释放或分配时带有
不可能的引用计数、映射计数、mapping 或标志）和 "BUG: Bad page map in process P  pte:V"（mm/memory.c 的
print_bad_pte()：解除映射时发现某个 pte 指向的页并不是按 pte 所说的那样被映射）。读取页信息
（"page: refcount:R mapcount:M mapping:X"、"flags:"）、"page dumped because: ..."（哪项检查失败：nonzero
mapcount、nonzero _refcount、non-NULL mapping、PAGE_FLAGS_CHECK_AT_FREE、page_pool leak、bad pte 等；
含义是 src/knowledge/bad-page.ts 中的数据）、打印出来的 page_owner 分配栈和释放栈，以及调用栈。根因分类为
内存破坏；如果某个计数变成了负数，或该检查说明页被重复释放或重复解除映射，则附加释放后使用。嫌疑函数是
页释放或解除映射底层代码之上的第一个函数（归因时跳过 bad_page、页分配器和 mm 辅助函数）；栈上只有底层
代码时不指认任何函数。
处理办法：阅读该函数和该页的分配位置：页只能被释放一次，并且要用与其分配、映射方式相配的原语释放；打开
page_owner=on 和 CONFIG_DEBUG_VM 复现以得到分配栈和释放栈，或者打开 KASAN。`,
    },
    references: ['mm/page_alloc.c: bad_page()', 'mm/memory.c: print_bad_pte()', 'Documentation/mm/page_owner.rst'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    const headers = ctx.findLines(HEADER, 20);
    headers.forEach((h, i) => {
      const m = HEADER.exec(h.text) as RegExpExecArray;
      const map = m[1] === 'map';
      const end = Math.min(headers[i + 1]?.no ?? Infinity, h.no + WINDOW) - 1;
      const lines = linesFrom(ctx, h.no, end);
      const find = (re: RegExp): LogLine | null => lines.find((l) => re.test(l.text)) ?? null;
      const pageLine = find(PAGE);
      const pm = pageLine ? PAGE.exec(pageLine.text) : null;
      const flagsLine = find(FLAGS);
      const fm = flagsLine ? FLAGS.exec(flagsLine.text) : null;
      const reasonLine = find(REASON);
      const reasonText = reasonLine ? (REASON.exec(reasonLine.text) as RegExpExecArray)[1] : null;
      const reason = reasonText ? BAD_PAGE_REASONS.find((r) => r.re.test(reasonText)) ?? null : null;
      const ownerAt = lines.findIndex((l) => OWNER_ALLOC.test(l.text));
      const ownerFreeAt = lines.findIndex((l) => OWNER_FREE.test(l.text));
      const allocSite = ownerAt >= 0 ? firstOwnFrame(ownerStack(lines, ownerAt)) : null;
      const freeSite = ownerFreeAt >= 0 ? firstOwnFrame(ownerStack(lines, ownerFreeAt)) : null;
      const order = ownerAt >= 0 ? (OWNER_ALLOC.exec(lines[ownerAt].text) as RegExpExecArray)[1] : null;
      const mapLine = map ? find(/\b(?:mmap|fault):\s?[A-Za-z_]|->(?:mmap|fault): [A-Za-z_]/) : null;
      const mapHook = mapLine ? /(mmap|fault):\s?([A-Za-z_]\w{0,127})/.exec(mapLine.text) : null;

      // The stack: the first call trace printed below the header, in this report or (when other output cut the report short) after it.
      const index = ctx.analysis.reports.findIndex((r) => h.no >= r.startLine && h.no <= r.endLine);
      const stacks = allStacks(ctx.analysis);
      const at = stacks.findIndex((s) => s.trace.startLine > h.no && s.trace.startLine <= end && /Call [Tt]race|Backtrace/.test(s.trace.label ?? ''));
      const below = at >= 0 ? stacks[at] : null;
      const frames = below ? framesOf(below.trace) : [];
      // A trace cut by an odd line (a bare "? 0xffffffffc025a000") continues in the unlabelled trace just after it.
      for (let k = at + 1, last = below?.trace.endLine ?? 0; below && k < stacks.length; k++) {
        const next = stacks[k].trace;
        if (next.label !== null || next.startLine > last + 2) break;
        frames.push(...framesOf(next));
        last = next.endLine;
      }
      const c = blameFrames(frames, { mode: 'fault' });
      const culprit = culpritLabel(c);

      const ref = pm ? Number(pm[1]) : null;
      const mapcount = pm ? Number(pm[2]) : null;
      const negative = ref !== null && ref < 0 ? { counter: 'refcount', value: ref } : mapcount !== null && mapcount < 0 ? { counter: 'mapcount', value: mapcount } : null;
      const what = reason ? reason.what : reasonText ? msg('whatUnknown', { reason: reasonText }) : msg('whatUnstated');
      const secondary: RootCauseClass[] = negative || reason?.freedTwice ? ['use-after-free'] : [];
      const state = pm ? msg('state', { ref: pm[1], map: pm[2], mapping: pm[3], flags: fm ? msg('stateFlags', { flags: fm[2] ? `${fm[1]}(${fm[2]})` : fm[1] }) : null }) : msg('stateUnknown');
      const pfn = m[3] ?? null;

      const evidence: FindingDraft['evidence'] = [{ line: h.no, note: msg(map ? 'evHeaderMap' : 'evHeader') }];
      if (pageLine && pm) evidence.push({ line: pageLine.no, note: msg('evPage', { ref: pm[1], map: pm[2], mapping: pm[3] }) });
      if (flagsLine) evidence.push({ line: flagsLine.no, note: msg('evFlags') });
      if (reasonLine) evidence.push({ line: reasonLine.no, note: msg('evReason', { what }) });
      if (allocSite?.function) evidence.push({ line: allocSite.line, note: msg('evOwner', { alloc: baseName(allocSite.function) }) });
      // page_owner's last free is from the page's previous life: it matters when the page was found bad at allocation.
      const prevFree = reason?.id === 'flags-at-prep' && freeSite?.function ? baseName(freeSite.function) : null;
      if (prevFree && freeSite) evidence.push({ line: freeSite.line, note: msg('evOwnerFree', { freed: prevFree }) });
      if (mapLine && mapHook) evidence.push({ line: mapLine.no, note: msg('evMapping') });
      if (c.line !== null && culprit) evidence.push({ line: c.line, note: msg('evCulprit', { culprit }) });

      const alloc = allocSite?.function ? baseName(allocSite.function) : null;
      out.push({
        report: index >= 0 ? index : undefined,
        secondaryClasses: secondary,
        confidence: reason ? 0.8 : 0.7,
        summary: msg(map ? 'summaryMap' : 'summaryState', { where: culprit ? msg('where', { culprit }) : null, what }),
        explanation: paragraphs([
          map
            ? msg('explainMap', { process: m[2], pte: m[4] ?? '?', state })
            : msg('explainState', { pfn: pfn ? `0x${pfn}` : '?', process: m[2], when: msg(reason?.id === 'flags-at-prep' ? 'whenPrep' : 'whenFree'), state }),
          reason ? reason.meaning : null,
          negative ? msg('negative', negative) : null,
          culprit ? msg(map ? 'culpritMap' : 'culpritState', { culprit }) : msg('noCulprit'),
          alloc ? msg('owner', { alloc, order: order !== null ? msg('ownerOrder', { order }) : null }) : null,
          prevFree ? msg('ownerFree', { freed: prevFree }) : null,
          mapHook ? msg('mapping', { fn: mapHook[2], hook: mapHook[1] }) : null,
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: [
          ...(pfn ? [msg('stepKmem', { phys: `0x${(BigInt('0x' + pfn) << 12n).toString(16)}` })] : []),
          ...(c.function && c.function !== alloc ? [msg('stepRead', { fn: c.function })] : []),
          ...(alloc ? [msg('stepReadAlloc', { alloc })] : []),
          ...(ownerAt < 0 ? [msg('stepOwner')] : []),
          msg('stepKasan'),
        ],
        facts: {
          badPage: map ? 'map' : 'state',
          process: m[2],
          pfn: pfn ? `0x${pfn}` : null,
          pte: m[4] ?? null,
          refcount: ref,
          mapcount,
          mapping: pm?.[3] ?? null,
          flags: fm?.[1] ?? null,
          dumpedBecause: reasonText,
          reason: reason?.id ?? null,
          allocatedBy: alloc,
          lastFreedBy: freeSite?.function ? baseName(freeSite.function) : null,
          stackFrom: below?.trace.startLine ?? null,
        },
      });
    });
    return out;
  },
};
