// WARN()/WARN_ON() reports: the WARN site, what the frequent ones (refcount, ODEBUG, kobject, alloc order, NETDEV WATCHDOG...) mean, and who broke the checked condition.

import { baseName, blameOfSite, blameReport, culpritOfBlame, isOwnFrame, NO_BLAME, reportFrames, type Blame } from '../blame';
import { WARN_SITES, type WarnSite } from '../../knowledge/warn-sites';
import { messenger } from '../messages';
import type { FindingDraft, L10n, RootCauseClass, Rule } from '../types';
import { culpritLabel, linesOf, mainFrames, modulePhaseData, modulePhaseMessages, modulePhaseOf, paragraphs, taskLabel } from '../reports';

/** Lockdep and list-debugging reports print "WARNING:" too; their own rules explain them. */
const OTHER_RULES = /possible circular locking|possible recursive locking|inconsistent lock state|bad unlock balance|held lock freed|still has locks held|list_(?:add|del) corruption|list corruption|stack (?:regs|frame pointer) has bad|locking bug|lock order detected|lock inversion dependency/;
const WARN_AT = /WARNING: (?:CPU: ?\d{1,5} PID: ?\d{1,10} )?(?:at )?(\S{1,200}?:\d{1,7}) ?(\S{1,200}?)(?:\(\))?(?:\+0x[0-9a-f]{1,8}\/0x[0-9a-f]{1,8})?(?: \[(\w{1,64})\])?(?:, CPU#?\d{1,5}| |$)/;
/** WARN sites inside checkers whose own rule explains the report. */
const OTHER_SITES = /lib\/list_debug\.c/;
const SITE_FN = /^([A-Za-z_][\w.]{0,127})\+0x([0-9a-f]{1,8})\/0x[0-9a-f]{1,8}$/;

const messages = {
  ...modulePhaseMessages,
  summarySite: { en: '{{what}} (in {{culprit}})', zh: '{{what}}（位于 {{culprit}}）' },
  summaryPlain: { en: 'WARN_ON fired{{at}}{{where}}', zh: 'WARN_ON 被触发{{at}}{{where}}' },
  summaryCaller: { en: 'WARN_ON fired{{at}} in {{checker}}, reached from {{culprit}}', zh: '{{checker}} 中 WARN_ON 被触发{{at}}，调用来自 {{culprit}}' },
  at: { en: ' at {{site}}', zh: '：位置 {{site}}' },
  wherePlain: { en: ' in {{culprit}}', zh: '，位于 {{culprit}}' },

  explainFired: { en: 'A WARN{{at}} fired{{inTask}}.', zh: 'WARN{{at}}被触发{{inTask}}。' },
  atFn: { en: ' at {{site}} ({{fn}})', zh: '（位置 {{site}}，函数 {{fn}}）' },
  atSite: { en: ' at {{site}}', zh: '（位置 {{site}}）' },
  inTask: { en: ' in {{task}}', zh: '（任务 {{task}}）' },
  panicked: { en: 'panic_on_warn is set, so the warning panicked the machine.', zh: '设置了 panic_on_warn，所以告警直接导致了 panic。' },
  carriedOn: { en: 'Unless panic_on_warn is set, the kernel carried on after it.', zh: '如果没有设置 panic_on_warn，内核会在告警后继续运行。' },
  unknownSite: { en: 'This WARN site is not in the table of well-known ones: read the condition at that line; it states what its author expected, and the frames below it show who violated it.', zh: '这个告警点不在常见告警的表格中：读一下该行的条件，它说明了作者的预期，下面的帧说明了是谁违反了它。' },
  culpritNamed: { en: 'The message names {{culprit}}: that is the code responsible; the stack only shows the checker that noticed.', zh: '消息中点名了 {{culprit}}：它才是出问题的代码；调用栈只说明了发现问题的检查代码。' },
  culpritCaller: { en: 'The WARN fired in {{checker}}, which only checks: {{culprit}} is the caller that broke the condition it checks.', zh: 'WARN 在 {{checker}} 中触发，它只负责检查：{{culprit}} 才是破坏了被检查条件的调用者。' },
  culpritOwn: { en: 'The guilty frame is {{culprit}}: the first function outside the WARN machinery and generic helpers.', zh: '嫌疑帧是 {{culprit}}：告警机制和通用辅助函数之外的第一个函数。' },
  phaseInit: { en: 'This ran in the init function of {{module}} ({{fn}}): the condition was broken while the module was setting itself up.', zh: '这发生在 {{module}} 的初始化函数（{{fn}}）中：被检查的条件是在模块初始化自身时被破坏的。' },
  phaseExit: { en: 'This ran in the exit function of {{module}} ({{fn}}): teardown did something out of order (an object freed, unregistered or put while still in use).', zh: '这发生在 {{module}} 的退出函数（{{fn}}）中：拆除流程的顺序不对（对象在仍被使用时就被释放、注销或 put 了）。' },

  evSite: { en: 'the WARN site: {{site}} in {{fn}}', zh: '告警点：{{site}}，函数 {{fn}}' },
  evSitePlain: { en: 'the WARN site', zh: '告警点' },
  evHeader: { en: 'the warning', zh: '告警' },
  evMessage: { en: 'the message', zh: '告警消息' },
  evPanicOnWarn: { en: 'panic_on_warn turned the warning into a panic', zh: 'panic_on_warn 把这个告警变成了 panic' },
  evNamed: { en: 'the message names {{culprit}}', zh: '消息点名了 {{culprit}}' },
  evCulprit: { en: '{{culprit}}: the guilty frame', zh: '{{culprit}}：嫌疑帧' },

  stepRead: { en: 'Read {{site}}: the WARN_ON condition in {{fn}}.', zh: '阅读 {{site}}：{{fn}} 中 WARN_ON 的条件。' },
  stepReadSite: { en: 'Read {{site}}: the WARN_ON condition there.', zh: '阅读 {{site}}：那里的 WARN_ON 条件。' },
  stepDis: { en: 'crash> dis -l {{location}}     crash> bt -f     (the object and arguments involved)', zh: 'crash> dis -l {{location}}     crash> bt -f（相关的对象和参数）' },
  stepFaddr: { en: 'scripts/faddr2line {{object}} {{location}}     (the source line; the kernel carried on, so there is no vmcore to read)', zh: 'scripts/faddr2line {{object}} {{location}}（对应的源码行；内核继续运行了，所以没有 vmcore 可读）' },
  stepEarlier: { en: 'Search the log for earlier WARNs and BUGs: the first one is usually the cause, later ones are fallout.', zh: '在日志里查找更早的 WARN 和 BUG：第一个通常是原因，后面的是连带结果。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

/** The culprit a site's message names: a printed function (unless plumbing), or a module/driver. */
function namedBy(site: WarnSite, text: string, line: number): Blame | null {
  if (!site.names || !site.message) return null;
  const m = site.message.exec(text);
  if (!m) return null;
  const module = site.names.module !== undefined ? m[site.names.module] ?? null : null;
  const fn = site.names.function !== undefined ? m[site.names.function] ?? null : null;
  if (fn) return blameOfSite({ function: fn, offset: null, module, line }, 'printed');
  return module ? { ...NO_BLAME, module, line, basis: 'printed' } : null;
}

export const kernelWarning: Rule = {
  meta: {
    id: 'KT-kernel-warning',
    rootCauseClass: 'other',
    summary: { en: 'A WARN()/WARN_ON() fired: what the WARN site checks, what that usually means, and who broke the condition', zh: '触发了 WARN()/WARN_ON()：该告警点检查的是什么，通常意味着什么，以及是谁破坏了被检查的条件' },
    docs: {
      en: `Looks for "WARNING: CPU: N PID: P at FILE:LINE FUNC+OFF" (and the older "WARNING: at FILE:LINE
FUNC()"), plus the message printed beside it, and matches the site against a table of
frequent WARNs (src/knowledge/warn-sites.ts):
- "refcount_t: increment on 0; use-after-free" / "underflow": a get/put imbalance (use-after-free);
- "refcount_t: saturated": references leaked;
- "ODEBUG: free active object": a timer/work freed while still armed (use-after-free);
- kobject warnings: registration/lifetime misuse of a device or sysfs object;
- __alloc_pages / kmalloc size warnings: an unbounded allocation size from a caller;
- "NETDEV WATCHDOG: eth0 (igb): transmit queue N timed out": a stalled NIC; the driver it names
  is the culprit;
- "initcall F returned with preemption imbalance / disabled interrupts": F is the culprit;
- DMA-API debug warnings name the driver; suspicious RCU usage, smp_processor_id() in
  preemptible code.
A WARN is not fatal unless panic_on_warn is set; it says that a check its author considered
important failed. The culprit is the code that broke the checked condition, not the checker: a
WARN inside a checker or primitive (refcount_warn_saturate, kobject_put, __flush_work...) blames
its caller, and a message that names the responsible function or driver names the culprit.
What to do: read the WARN site's condition, then the caller's code path; the table entry gives
the usual fix.`,
      zh: `匹配 "WARNING: CPU: N PID: P at 文件:行 函数+偏移"（以及老格式 "WARNING: at 文件:行 函数()"）和旁边
打印的消息，并把告警点与常见 WARN 的表格（src/knowledge/warn-sites.ts）比对：
- "refcount_t: increment on 0; use-after-free" / "underflow"：get/put 不配对（释放后使用）；
- "refcount_t: saturated"：引用泄漏；
- "ODEBUG: free active object"：定时器/工作项在仍处于活动状态时被释放（释放后使用）；
- kobject 告警：设备或 sysfs 对象的注册/生命周期用法错误；
- __alloc_pages / kmalloc 大小告警：调用者传入了没有上限的分配大小；
- "NETDEV WATCHDOG: eth0 (igb): transmit queue N timed out"：网卡发送停滞；消息点名的驱动就是嫌疑者；
- "initcall F returned with preemption imbalance / disabled interrupts"：F 是嫌疑函数；
- DMA-API 调试告警会点名驱动；suspicious RCU usage、在可抢占代码中使用 smp_processor_id()。
除非设置了 panic_on_warn，WARN 不会导致宕机；它说明作者认为重要的一项检查没有通过。嫌疑者是破坏了
被检查条件的代码，而不是检查代码：在检查函数或基础原语（refcount_warn_saturate、kobject_put、
__flush_work 等）内触发的 WARN 归咎于其调用者；消息中点名了出问题的函数或驱动时，以消息为准。
处理办法：先读告警点的条件，再读调用者的代码路径；表格中的条目给出了常见的修法。`,
    },
    references: ['include/asm-generic/bug.h (WARN_ON)', 'Documentation/core-api/refcount-vs-atomic.rst', 'Documentation/core-api/debug-objects.rst'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    ctx.analysis.reports.forEach((r, index) => {
      const header = ctx.line(r.headerLine);
      if (!header) return;
      const isWarn = /^WARNING\b/.test(r.title) || r.type === 'REFCOUNT_WARNING' || /^WARNING: /.test(header.text) || WARN_SITES.some((s) => s.message?.test(header.text));
      if (!isWarn || OTHER_RULES.test(r.title) || OTHER_RULES.test(header.text)) return;
      const from = Math.max(1, r.startLine - 4);
      const to = Math.min(r.endLine, r.startLine + 40);
      const warnLine = linesOf(ctx, r, /WARNING: (?:CPU|at )/, 1, from, to)[0] ?? null;
      const wm = warnLine ? WARN_AT.exec(warnLine.text) : null;
      const siteText = wm?.[1] ?? null;
      const siteFnRaw = wm?.[2] ?? null;
      if (siteText && OTHER_SITES.test(siteText)) return;
      const siteFn = siteFnRaw ? baseName(SITE_FN.exec(siteFnRaw)?.[1] ?? siteFnRaw) : null;
      const location = wm ? `${wm[1]} ${wm[2]}` : '';
      let site: WarnSite | null = null;
      let siteLine = null;
      for (const s of WARN_SITES) {
        const hitLine = s.message ? linesOf(ctx, r, s.message, 1, from, to)[0] ?? null : null;
        if (hitLine || (s.at?.test(location) ?? false)) {
          site = s;
          siteLine = hitLine;
          break;
        }
      }
      const named = site && siteLine ? namedBy(site, siteLine.text, siteLine.no) : null;
      const c = named ?? blameReport(r, 'fault');
      const culprit = culpritLabel(c);
      const task = taskLabel(r);
      const phase = modulePhaseOf(mainFrames(r));
      const phased = modulePhaseData(phase);
      const phaseData = phased?.data ?? null;

      const evidence: FindingDraft['evidence'] = [];
      if (warnLine) evidence.push({ line: warnLine.no, note: siteText && siteFn ? msg('evSite', { site: siteText, fn: siteFn }) : msg('evSitePlain') });
      else evidence.push({ line: header.no, note: msg('evHeader') });
      if (siteLine) evidence.push({ line: siteLine.no, note: named && culprit ? msg('evNamed', { culprit }) : site ? site.what : msg('evMessage') });
      const panicOnWarn = linesOf(ctx, r, /panic_on_warn set/, 1)[0] ?? null;
      // A vmcore to read with crash exists only when the machine went down.
      const panicked = panicOnWarn !== null || linesOf(ctx, r, /Kernel panic - not syncing/, 1).length > 0;
      if (panicOnWarn) evidence.push({ line: panicOnWarn.no, note: msg('evPanicOnWarn') });
      if (c.line !== null && culprit) evidence.push({ line: c.line, note: msg('evCulprit', { culprit }) });
      if (phased) evidence.push(phased.evidence);

      // The WARN fired in a checker or primitive and the walk passed it: say whose condition was broken.
      const checker = siteFn && c.function && siteFn !== c.function && !named && !reportFrames(r).some((f) => isOwnFrame(f) && baseName(f.function as string) === siteFn) ? siteFn : null;
      const at = siteText ? (siteFn ? msg('atFn', { site: siteText, fn: siteFn }) : msg('atSite', { site: siteText })) : null;
      const secondary: RootCauseClass[] = phase?.phase === 'exit' && site?.cls !== 'use-after-free' ? ['use-after-free'] : [];
      out.push({
        report: index,
        rootCauseClass: site?.cls ?? 'other',
        secondaryClasses: secondary,
        confidence: site ? site.confidence : 0.5,
        summary: site
          ? culprit ? msg('summarySite', { what: site.what, culprit }) : site.what
          : checker && culprit
            ? msg('summaryCaller', { at: siteText ? msg('at', { site: siteText }) : null, checker, culprit })
            : msg('summaryPlain', { at: siteText ? msg('at', { site: siteText }) : null, where: culprit ? msg('wherePlain', { culprit }) : null }),
        explanation: paragraphs([
          msg('explainFired', { at, inTask: task ? msg('inTask', { task }) : null }),
          msg(panicOnWarn ? 'panicked' : 'carriedOn'),
          site ? site.meaning : msg('unknownSite'),
          culprit ? msg(named ? 'culpritNamed' : checker ? 'culpritCaller' : 'culpritOwn', { culprit, checker }) : null,
          phase && phaseData ? msg(phase.phase === 'init' ? 'phaseInit' : 'phaseExit', phaseData) : null,
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        // The WARN site is worth reading only when it is the code's own check, not a checker's or the loader's.
        nextSteps: [
          ...(siteText && !checker && !named ? [siteFn ? msg('stepRead', { site: siteText, fn: siteFn }) : msg('stepReadSite', { site: siteText })] : []),
          ...(site ? [site.next] : []),
          ...(c.location && c.location.includes('+0x') ? [panicked ? msg('stepDis', { location: c.location }) : msg('stepFaddr', { object: c.module ? `${c.module}.ko` : 'vmlinux', location: c.location })] : []),
          msg('stepEarlier'),
        ],
        facts: {
          warnSite: siteText,
          warnFunction: siteFn,
          known: site?.id ?? null,
          panicOnWarn: panicOnWarn !== null,
          namedByMessage: named !== null,
          checker,
          modulePhase: phase ? { phase: phase.phase, module: phase.module, function: phase.frame.function } : null,
        },
      });
    });
    return out;
  },
};
