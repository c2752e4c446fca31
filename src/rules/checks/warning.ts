// WARN()/WARN_ON() reports: the WARN site and what the frequent ones (refcount, ODEBUG, kobject, alloc order, NETDEV WATCHDOG...) mean.

import { blameReport, culpritOfBlame } from '../blame';
import type { FindingDraft, Rule } from '../types';
import { WARN_SITES } from './warn-sites';
import { culpritEvidence, ev, linesOf, paragraphs, steps, t, taskOf, who, whoZh } from '../reports';

/** Lockdep and list-debugging reports print "WARNING:" too; their own rules explain them. */
const OTHER_RULES = /possible circular locking|possible recursive locking|inconsistent lock state|bad unlock balance|held lock freed|still has locks held|list_(?:add|del) corruption|list corruption|stack (?:regs|frame pointer) has bad|locking bug|lock order detected|lock inversion dependency/;
const WARN_AT = /WARNING: (?:CPU: ?\d+ PID: ?\d+ )?(?:at )?(\S+?:\d+) ?(\S+?)(?:\(\))?(?:\+0x[0-9a-f]+\/0x[0-9a-f]+)?(?: \[(\w+)\])?(?:, CPU#?\d+| |$)/;

export const kernelWarning: Rule = {
  meta: {
    id: 'KT-kernel-warning',
    rootCauseClass: 'other',
    summary: t('A WARN()/WARN_ON() fired: what the WARN site checks and what that usually means', '触发了 WARN()/WARN_ON()：该告警点检查的是什么，通常意味着什么'),
    docs: t(
      `Looks for "WARNING: CPU: N PID: P at FILE:LINE FUNC+OFF" (and the older "WARNING: at FILE:LINE
FUNC()"), plus the message printed beside it, and matches the site against a table of
frequent WARNs:
- "refcount_t: increment on 0; use-after-free" / "underflow": a get/put imbalance (use-after-free);
- "refcount_t: saturated": references leaked;
- "ODEBUG: free active object": a timer/work freed while still armed (use-after-free);
- kobject warnings: registration/lifetime misuse of a device or sysfs object;
- __alloc_pages / kmalloc size warnings: an unbounded allocation size from a caller;
- "NETDEV WATCHDOG: ... transmit queue N timed out": a stalled NIC (hardware/driver/firmware);
- suspicious RCU usage, smp_processor_id() in preemptible code.
A WARN is not fatal unless panic_on_warn is set; it says that a check its author considered
important failed. The culprit is the caller that broke the checked condition, usually the
first frame after the WARN site.
What to do: read the WARN site's condition, then the caller's code path; the table entry gives
the usual fix.`,
      `匹配 "WARNING: CPU: N PID: P at 文件:行 函数+偏移"（以及老格式 "WARNING: at 文件:行 函数()"）和
旁边打印的消息，并与常见告警点的表格比对：
- "refcount_t: increment on 0; use-after-free" / "underflow"：get/put 不配对（释放后使用）；
- "refcount_t: saturated"：引用泄漏；
- "ODEBUG: free active object"：定时器/工作项在仍处于活动状态时被释放（释放后使用）；
- kobject 告警：设备或 sysfs 对象的注册/生命周期用法错误；
- __alloc_pages / kmalloc 大小告警：调用者传入了没有限制的分配大小；
- "NETDEV WATCHDOG: ... transmit queue N timed out"：网卡发送停滞（硬件/驱动/固件）；
- suspicious RCU usage、在可抢占代码中使用 smp_processor_id()。
除非设置了 panic_on_warn，WARN 不会导致宕机；它说明作者认为重要的一项检查没有通过。嫌疑者是破坏
被检查条件的调用者，通常是告警点之后的第一个帧。
处理办法：先读告警点的条件，再读调用者的代码路径；表格中的条目给出了常见的修法。`,
    ),
    references: ['include/asm-generic/bug.h (WARN_ON)', 'Documentation/core-api/refcount-vs-atomic.rst', 'Documentation/core-api/debug-objects.rst'],
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
      const location = wm ? `${wm[1]} ${wm[2]}` : '';
      let site = null;
      let siteLine = null;
      for (const s of WARN_SITES) {
        const msg = s.message ? linesOf(ctx, r, s.message, 1, from, to)[0] ?? null : null;
        if (msg || (s.at?.test(location) ?? false)) {
          site = s;
          siteLine = msg;
          break;
        }
      }
      const c = blameReport(r, 'fault');
      const evidence = [];
      if (warnLine) evidence.push(ev(warnLine.no, wm ? `the WARN site: ${wm[1]} in ${wm[2]}` : 'the WARN site', wm ? `告警点：${wm[1]}，函数 ${wm[2]}` : '告警点'));
      else evidence.push(ev(header.no, 'the warning', '告警'));
      if (siteLine) evidence.push(ev(siteLine.no, site ? site.what.en : 'the message', site ? site.what.zh : '告警消息'));
      const panicOnWarn = linesOf(ctx, r, /panic_on_warn set/, 1)[0] ?? null;
      if (panicOnWarn) evidence.push(ev(panicOnWarn.no, 'panic_on_warn turned the warning into a panic', 'panic_on_warn 把这个告警变成了 panic'));
      evidence.push(...culpritEvidence(c, `${who(c)}: the guilty frame`, `${whoZh(c)}：嫌疑帧`));
      out.push({
        report: index,
        rootCauseClass: site?.cls ?? 'other',
        confidence: site ? site.confidence : 0.5,
        summary: site
          ? t(`${site.what.en[0].toUpperCase()}${site.what.en.slice(1)}${c.function ? ` in ${who(c)}` : ''}`, `${c.function ? `${whoZh(c)} 中` : ''}${site.what.zh}`)
          : t(`WARN_ON fired${wm ? ` at ${wm[1]}` : ''}${c.function ? ` in ${who(c)}` : ''}`, `${c.function ? `${whoZh(c)} 中` : ''}${wm ? `${wm[1]} 处的` : ''} WARN_ON 被触发`),
        explanation: paragraphs([
          t(`${taskOf(r) ? `${taskOf(r)}: ` : ''}a WARN${wm ? ` at ${wm[1]} (${wm[2]})` : ''} fired.${panicOnWarn ? ' panic_on_warn is set, so the warning panicked the machine.' : ' Unless panic_on_warn is set, the kernel carried on after it.'}`, `${taskOf(r) ? `${taskOf(r)}：` : ''}${wm ? `${wm[1]}（${wm[2]}）处的` : ''} WARN 被触发。${panicOnWarn ? '设置了 panic_on_warn，所以告警直接导致了 panic。' : '如果没有设置 panic_on_warn，内核会在告警后继续运行。'}`),
          site ? site.meaning : t('This WARN site is not in the table of well-known ones: read the condition at that line; it states what its author expected, and the frames below it show who violated it.', '这个告警点不在常见告警的表格中：读一下该行的条件，它说明了作者的预期，下面的帧说明了是谁违反了它。'),
          c.function ? t(`The guilty frame is ${who(c)}: the first function outside the WARN machinery and generic helpers.`, `嫌疑帧是 ${whoZh(c)}：告警机制和通用辅助函数之外的第一个函数。`) : null,
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: steps(
          wm ? t(`Read ${wm[1]}: the WARN_ON condition in ${wm[2]}.`, `阅读 ${wm[1]}：${wm[2]} 中 WARN_ON 的条件。`) : null,
          site ? site.next : null,
          c.location ? t(`crash> dis -l ${c.location}     crash> bt -f     (the object and arguments involved)`, `crash> dis -l ${c.location}     crash> bt -f（相关的对象和参数）`) : null,
          t('grep the log for earlier WARNs and BUGs: the first one is usually the cause, later ones are fallout.', '在日志里查找更早的 WARN 和 BUG：第一个通常是原因，后面的是连带结果。'),
        ),
        facts: { warnSite: wm?.[1] ?? null, warnFunction: wm?.[2] ?? null, known: site?.id ?? null, panicOnWarn: panicOnWarn !== null },
      });
    });
    return out;
  },
};
