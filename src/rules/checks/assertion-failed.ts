// A failed assertion that prints its expression (VERIFY/ASSERT/assertion failed): the function whose result failed is the culprit.

import type { Frame, LogLine } from '../../model/types';
import { allStacks, framesOf } from '../stacks';
import { baseName, isOwnFrame, roleOf } from '../blame';
import { messenger } from '../messages';
import type { FindingDraft, Rule } from '../types';

/** Assertion lines as subsystems print them: the expression, and the values when printed. */
const ASSERTIONS: readonly RegExp[] = [
  /\b(?:VERIFY|ASSERT)\d?\((.{1,400})\) failed(?: \((.{1,120})\))?/,
  /[Aa]ssertion failed: (.{1,400}?)(?:, (?:file|in) [^\s,]{1,200}(?:, line|:) ?\d{1,6})?\s*$/,
  /\bBUG_ON\((.{1,400})\)\s*$/,
];
/** Where the check sits: `PANIC at file.c:833:func()`, `..., in fs/btrfs/x.c:123`, `file: f.c, line: 12`. */
const SITE = /PANIC at ([\w./-]{1,200}):(\d{1,7}):(\w{1,128})\(\)|, (?:file|in) ([\w./-]{1,200})(?:, line|:) ?(\d{1,7})/;

const messages = {
  summaryCallee: { en: 'Assertion failed: {{callee}}(){{mod}} returned {{value}} where {{expr}} was required', zh: '断言失败：{{callee}}(){{mod}} 的返回值为 {{value}}，而断言要求 {{expr}}' },
  summaryPlain: { en: 'Assertion failed in {{fn}}{{mod}}: {{expr}}', zh: '{{fn}}{{mod}} 中断言失败：{{expr}}' },
  explainCallee: {
    en: 'The check {{expr}} failed{{values}}. Its expression calls {{callee}}(), which is on the stack{{stale}}: the assertion site only checks the result; the bug is in {{callee}}() (or in what it was given) producing that value.',
    zh: '检查 {{expr}} 失败{{values}}。该表达式调用了 {{callee}}()，它就在调用栈上{{stale}}：断言所在的位置只是检查结果；bug 在 {{callee}}()（或传给它的参数）产生了这个值。',
  },
  explainPlain: {
    en: 'The check {{expr}} failed{{values}} in {{fn}}: the state it asserts was broken earlier, by the code that set it up.',
    zh: '{{fn}} 中的检查 {{expr}} 失败{{values}}：它所断言的状态在更早的时候就已经被设置它的代码破坏了。',
  },
  values: { en: ' with {{v}}', zh: '（实际值 {{v}}）' },
  stale: { en: ' (as a "?" frame: it already returned, which is how its result reached the check)', zh: '（是 "?" 帧：它已经返回，结果就是这样传到检查处的）' },
  errnoHint: { en: 'A small positive number such as {{value}} compared with 0 is usually an errno ({{errno}}): find the path in {{callee}}() that returns it.', zh: '与 0 比较的小正数（例如 {{value}}）通常是 errno（{{errno}}）：在 {{callee}}() 中找出返回它的路径。' },
  evAssert: { en: 'the failed check and the values it printed', zh: '失败的检查以及它打印的值' },
  evSite: { en: 'where the check sits: it only reports the failure', zh: '检查所在的位置：它只负责报告失败' },
  evCallee: { en: '{{callee}}: the function whose result failed the check', zh: '{{callee}}：结果未通过检查的函数' },
  stepRead: { en: 'Read {{callee}}(): every path that returns {{value}}, and the arguments the caller passed (line {{line}}).', zh: '阅读 {{callee}}()：所有返回 {{value}} 的路径，以及调用者传入的参数（第 {{line}} 行）。' },
  stepSite: { en: 'Read {{fn}} around the assertion: which earlier step should have established {{expr}}.', zh: '阅读 {{fn}} 中断言附近的代码：本应由前面哪一步保证 {{expr}} 成立。' },
  stepDebug: { en: 'Print the operands before the check (or use the subsystem\'s debug build) to see which input leads there.', zh: '在检查之前打印操作数（或使用该子系统的调试版本），看是哪个输入导致了这里。' },
} as const;

const msg = messenger(messages);

const ERRNO: Record<number, string> = { 1: 'EPERM', 2: 'ENOENT', 5: 'EIO', 11: 'EAGAIN', 12: 'ENOMEM', 13: 'EACCES', 16: 'EBUSY', 17: 'EEXIST', 19: 'ENODEV', 22: 'EINVAL', 28: 'ENOSPC', 34: 'ERANGE', 95: 'EOPNOTSUPP', 110: 'ETIMEDOUT' };

function assertionIn(l: LogLine): { expr: string; values: string | null } | null {
  for (const re of ASSERTIONS) {
    const m = re.exec(l.text);
    if (m) return { expr: m[1].trim(), values: m[2]?.trim() ?? null };
  }
  return null;
}

export const assertionFailed: Rule = {
  meta: {
    id: 'KT-assertion-failed',
    rootCauseClass: 'other',
    summary: { en: 'A failed assertion that prints its expression: the function whose result failed it', zh: '打印了表达式的断言失败：结果未通过断言的函数' },
    docs: {
      en: `Looks for assertions that print their expression: VERIFY/VERIFY3/ASSERT(...) failed (with the
values, as in "(0 == 22)"), "assertion failed: EXPR, in FILE:LINE" (btrfs), "Assertion failed:
EXPR, file: F, line: N" (XFS), BUG_ON(EXPR). The assertion site only checks: when the expression
calls a function and that function is on the stack (often as a "?" frame, since it already
returned), that function produced the bad value and is the culprit. A small positive value
compared with 0 is an errno returned by it.
What to do: read the callee's paths that return that value, and what the caller passed it.`,
      zh: `匹配会打印表达式的断言：VERIFY/VERIFY3/ASSERT(...) failed（带实际值，例如 "(0 == 22)"）、
"assertion failed: 表达式, in 文件:行"（btrfs）、"Assertion failed: 表达式, file: F, line: N"（XFS）、
BUG_ON(表达式)。断言所在的位置只负责检查：如果表达式调用了某个函数，且该函数在调用栈上（由于已经返回，
常常是 "?" 帧），那么是这个函数产生了错误的值，它就是嫌疑函数。与 0 比较的小正数是它返回的 errno。
处理办法：阅读被调函数中返回该值的路径，以及调用者传给它的参数。`,
    },
    references: ['include/os/linux/spl/sys/debug.h (VERIFY3)', 'fs/btrfs/messages.h (ASSERT)', 'fs/xfs/xfs_message.c (assfail)'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    const found = ctx.findLines(/\b(?:VERIFY|ASSERT)\d?\(|[Aa]ssertion failed: |\bBUG_ON\(/, 20);
    for (const l of found) {
      const a = assertionIn(l);
      if (!a) continue;
      const siteLine = ctx.findLines(SITE, 40).find((x) => x.no >= l.no && x.no <= l.no + 3) ?? (SITE.test(l.text) ? l : null);
      const sm = siteLine ? SITE.exec(siteLine.text) : null;
      const siteFn = sm?.[3] ?? null;
      // The stack printed after the assertion (the report's, or a bare "Call Trace:" below it).
      const stack = allStacks(ctx.analysis).find((s) => s.trace.startLine > l.no && s.trace.startLine < l.no + 40);
      const frames: Frame[] = stack ? framesOf(stack.trace) : [];
      const calls = [...a.expr.matchAll(/([A-Za-z_]\w{2,127})\s?\(/g)].map((m) => m[1]);
      const callee = calls.map((c) => frames.find((f) => f.function && baseName(f.function) === c)).find((f) => f && roleOf(f.function as string) === null) ?? null;
      const siteFrame = siteFn ? frames.find((f) => f.function && baseName(f.function) === siteFn) ?? null : frames.find(isOwnFrame) ?? null;
      const value = a.values ? /==\s?(-?\d{1,6})\)?\s*$|\((?:0x)?[0-9a-f]{1,16} [=!<>]{1,2} (-?\d{1,6})\)/.exec(a.values)?.slice(1).find((x) => x !== undefined) ?? a.values : null;
      const errno = value !== null && /^\d+$/.test(value) ? ERRNO[Number(value)] ?? null : null;
      const values = a.values ? msg('values', { v: a.values }) : null;
      const evidence: FindingDraft['evidence'] = [{ line: l.no, note: msg('evAssert') }];
      if (siteLine && siteLine.no !== l.no) evidence.push({ line: siteLine.no, note: msg('evSite') });
      if (callee) {
        const data = { callee: baseName(callee.function as string), mod: callee.module ? ` [${callee.module}]` : '', value: value ?? '?', expr: a.expr, values, stale: callee.reliable ? null : msg('stale'), errno, line: callee.line };
        evidence.push({ line: callee.line, note: msg('evCallee', data) });
        out.push({
          report: stack?.report ?? undefined,
          confidence: 0.8,
          summary: msg('summaryCallee', data),
          explanation: { en: [msg('explainCallee', data).en, errno ? msg('errnoHint', data).en : ''].filter(Boolean).join('\n\n'), zh: [msg('explainCallee', data).zh, errno ? msg('errnoHint', data).zh : ''].filter(Boolean).join('\n\n') },
          evidence,
          culprit: { function: data.callee, module: callee.module },
          nextSteps: [msg('stepRead', data), msg('stepDebug')],
          facts: { expression: a.expr, values: a.values, callee: data.callee, errno, site: siteFn },
        });
        continue;
      }
      const fn = siteFn ?? (siteFrame?.function ? baseName(siteFrame.function) : null);
      const data = { fn: fn ?? '?', mod: siteFrame?.module ? ` [${siteFrame.module}]` : '', expr: a.expr, values };
      if (siteFrame) evidence.push({ line: siteFrame.line, note: msg('evSite') });
      out.push({
        report: stack?.report ?? undefined,
        confidence: 0.6,
        summary: msg('summaryPlain', data),
        explanation: msg('explainPlain', data),
        evidence,
        culprit: fn ? { function: fn, module: siteFrame?.module ?? null } : null,
        nextSteps: [msg('stepSite', data), msg('stepDebug')],
        facts: { expression: a.expr, values: a.values, site: fn },
      });
    }
    return out;
  },
};
