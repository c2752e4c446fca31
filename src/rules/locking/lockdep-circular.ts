// Lockdep "possible circular locking dependency": lock chains taken in opposite orders, an ABBA deadlock; explained edge by edge.

import { paragraphs } from '../reports';
import { culpritOfBlame } from '../blame';
import { blameCircular, blamedStep, circularSteps, currentFrames, readLockdep, type CycleStep } from '../lockdep';
import { listOf, messenger, type MessageData } from '../messages';
import type { FindingDraft, L10n, Rule } from '../types';

const messages = {
  summary: {
    en: 'ABBA deadlock risk: {{fn}} takes {{lock}} while holding {{held}}, and lockdep has seen the opposite order',
    zh: 'ABBA 死锁风险：{{fn}} 在持有 {{held}} 时获取 {{lock}}，而 lockdep 见过相反的加锁顺序',
  },
  summaryNoHeld: {
    en: 'ABBA deadlock risk: {{fn}} takes {{lock}}, and lockdep has seen it taken in the opposite order',
    zh: 'ABBA 死锁风险：{{fn}} 获取 {{lock}}，而 lockdep 见过相反的加锁顺序',
  },
  summaryUnnamed: {
    en: 'ABBA deadlock risk on {{lock}}: lockdep has seen its locks taken in opposite orders',
    zh: '{{lock}} 上的 ABBA 死锁风险：lockdep 见过这些锁以相反顺序获取',
  },
  summaryBare: { en: 'ABBA deadlock risk: lockdep found a circular lock dependency', zh: 'ABBA 死锁风险：lockdep 发现了循环的锁依赖' },
  summaryDebug: {
    en: 'A lockdep cycle made by {{fn}}, a debugging facility: it took {{lock}} under {{held}} for its own bookkeeping, a dependency the code under test does not create',
    zh: '由调试设施 {{fn}} 造成的 lockdep 环：它为了自己的记录工作在 {{held}} 之下获取了 {{lock}}，这是被测代码本身不会产生的依赖',
  },
  summaryDriver: {
    en: 'ABBA deadlock risk: {{fn}}{{mod}} {{how}}, against the order lockdep has seen',
    zh: 'ABBA 死锁风险：{{fn}}{{mod}} {{how}}，与 lockdep 见过的顺序相反',
  },
  howTakes: { en: 'takes its own lock {{lock}} in a callback {{caller}} runs, while {{held}} is held', zh: '在 {{caller}} 运行的回调中获取了自己的锁 {{lock}}，此时持有 {{held}}' },
  howTakesFramework: { en: 'takes the framework\'s lock {{lock}} (in {{site}}) while holding its own {{held}}', zh: '在持有自己的 {{held}} 时获取了框架的锁 {{lock}}（在 {{site}} 中）' },
  howTakesPlain: { en: 'takes {{lock}} while {{held}} is held', zh: '获取了 {{lock}}，此时持有 {{held}}' },
  howCalls: { en: 'calls into {{site}}, which takes {{lock}}, while {{held}} is held', zh: '在持有 {{held}} 时调用了 {{site}}，而后者获取 {{lock}}' },
  explainCycle: {
    en: 'Lockdep records, for every lock, which locks were held when it was taken. This task now takes {{lock}} while holding {{held}}, but earlier {{held}} was taken while {{lock}} was held (directly or through other locks): the cycle has {{edges}} edges, one per line below.',
    zh: 'lockdep 会为每把锁记录获取它时持有了哪些锁。当前任务在持有 {{held}} 时获取 {{lock}}，而之前 {{held}} 曾在持有 {{lock}} 时被获取（直接或经过其他锁）：这个环有 {{edges}} 条边，逐条列在下面。',
  },
  explainCycleUnknown: {
    en: 'Lockdep records, for every lock, which locks were held when it was taken; the edges of this cycle follow, one per line.',
    zh: 'lockdep 会为每把锁记录获取它时持有了哪些锁；这个环的各条边逐条列在下面。',
  },
  explainCycleNone: {
    en: 'Lockdep records, for every lock, which locks were held when it was taken; this copy of the report is cut before it names the locks of the cycle.',
    zh: 'lockdep 会为每把锁记录获取它时持有了哪些锁；这份报告在列出环上的锁之前就被截断了。',
  },
  stepReadNone: {
    en: 'Get the whole lockdep report (the "-> #N" entries and their stacks) from the full console log: it names the locks of the cycle and where each was taken.',
    zh: '从完整的控制台日志中取得整份 lockdep 报告（"-> #N" 条目及其调用栈）：其中给出了环上的锁以及每把锁在哪里获取。',
  },
  stepNow: { en: 'Now (#0): {{site}} takes {{lock}}{{while}}.', zh: '现在（#0）：{{site}} 获取 {{lock}}{{while}}。' },
  stepNowUnplaced: { en: 'Now (#0): {{lock}} is taken{{while}}.', zh: '现在（#0）：获取 {{lock}}{{while}}。' },
  stepEdge: { en: 'Edge #{{n}}: {{site}} took {{lock}}{{while}}.', zh: '边 #{{n}}：{{site}} 获取了 {{lock}}{{while}}。' },
  stepEdgeDriver: { en: 'Edge #{{n}}: {{driver}} called into {{site}}, which took {{lock}}{{while}}.', zh: '边 #{{n}}：{{driver}} 调用了 {{site}}，后者获取了 {{lock}}{{while}}。' },
  stepNowDriver: { en: 'Now (#0): {{driver}} calls into {{site}}, which takes {{lock}}{{while}}.', zh: '现在（#0）：{{driver}} 调用了 {{site}}，后者获取 {{lock}}{{while}}。' },
  whileWas: { en: ' while {{held}} was held', zh: '，此时持有 {{held}}' },
  whileIs: { en: ' while {{held}} is held{{heldAt}}', zh: '，此时持有 {{held}}{{heldAt}}' },
  whileUnknown: { en: ' (the lock held then is cut from this copy of the report)', zh: '（此时持有的锁不在这份报告中）' },
  stepEdgeDebug: {
    en: 'Edge #{{n}}: {{lock}} was taken inside {{site}} (a debugging facility){{while}}: the code under test never takes it there.',
    zh: '边 #{{n}}：{{lock}} 是在调试设施 {{site}} 内部获取的{{while}}：被测代码本身不会在那里获取它。',
  },
  stepEdgeUnplaced: { en: 'Edge #{{n}}: {{lock}} was taken{{while}}; the stack does not say by whom.', zh: '边 #{{n}}：获取了 {{lock}}{{while}}；调用栈没有说明是谁获取的。' },
  heldAt: { en: ' (taken in {{fn}})', zh: '（在 {{fn}} 中获取）' },
  explainDeadlock: {
    en: 'Tasks running these paths at the same time each hold the lock the next one wants, and none can go on; lockdep reports the order the first time it sees it, before any real hang. The fix is an ordering decision, not a missing unlock.',
    zh: '同时执行这些路径的任务各自持有下一个任务想要的锁，谁都无法继续；lockdep 在第一次看到这种顺序时就会报告，早于真正的挂死。修复方法是确定加锁顺序，而不是补一个解锁。',
  },
  explainDriverTakes: {
    en: 'The driver code {{fn}}{{mod}} takes its own lock {{lock}} in a callback {{caller}} runs, with {{held}} held. The framework\'s lock order is the framework\'s: a callback must not take a lock that is elsewhere held around calls into the framework.',
    zh: '驱动代码 {{fn}}{{mod}} 在 {{caller}} 运行的回调中获取了自己的锁 {{lock}}，此时持有 {{held}}。框架的加锁顺序由框架决定：回调不能获取一把在别处被持有着去调用框架的锁。',
  },
  explainDriverTakesPlain: {
    en: 'The driver code {{fn}}{{mod}} takes {{lock}} while {{held}} is held, and another path takes them in the opposite order: the driver\'s own locking closes the cycle.',
    zh: '驱动代码 {{fn}}{{mod}} 在持有 {{held}} 时获取 {{lock}}，而另一条路径的顺序相反：是驱动自己的加锁构成了这个环。',
  },
  explainDriverTakesFramework: {
    en: 'The driver code {{fn}}{{mod}} holds its own lock {{held}} and takes {{lock}} (in {{site}}), a lock the framework holds while it calls the driver back (edge #{{k}}, from {{caller}}). The framework\'s order around its callbacks is given: the driver must not take the framework\'s lock under its own; drop {{held}} first, or defer the call.',
    zh: '驱动代码 {{fn}}{{mod}} 持有自己的锁 {{held}} 并获取了 {{lock}}（在 {{site}} 中），而框架在回调驱动时会持有这把锁（边 #{{k}}，来自 {{caller}}）。框架在回调周围的加锁顺序是既定的：驱动不能在持有自己的锁时获取框架的锁；先释放 {{held}}，或者推迟这次调用。',
  },
  explainDriverCalls: {
    en: 'The driver code {{fn}}{{mod}} calls into the framework ({{site}}, which takes {{lock}}) while {{held}} is held. The framework taking its own lock is not the bug: the driver must drop its lock before the call, or defer the call.',
    zh: '驱动代码 {{fn}}{{mod}} 在持有 {{held}} 时调用了框架（{{site}}，它会获取 {{lock}}）。框架获取自己的锁并不是 bug：驱动必须在调用之前释放自己的锁，或者推迟这次调用。',
  },
  explainDebug: {
    en: 'Edge #{{n}} was recorded inside {{fn}}, a debugging facility: its own allocation (or lock) made lockdep record {{lock}} under {{held}}. The code under test does not take {{lock}} there, so the cycle is the facility\'s: the fix belongs in the facility (for example keeping __GFP_NOLOCKDEP or the caller\'s GFP flags in its allocations).',
    zh: '边 #{{n}} 是在调试设施 {{fn}} 内部记录的：是它自己的内存分配（或锁）让 lockdep 记录了在 {{held}} 之下获取 {{lock}}。被测代码本身不会在那里获取 {{lock}}，所以这个环属于该调试设施：应当修改调试设施（例如在它的分配中保留 __GFP_NOLOCKDEP 或调用者的 GFP 标志）。',
  },
  explainFalse: {
    en: 'Without the facility the cycle does not exist: it is an artefact of the debugging configuration, not a deadlock of the code under test.',
    zh: '没有这个调试设施，这个环就不存在：它是调试配置造成的假象，而不是被测代码的死锁。',
  },
  evHeader: { en: 'Lockdep found a circular lock dependency.', zh: 'lockdep 发现了循环的锁依赖。' },
  evAcquire: { en: '{{lock}} is being taken now, in {{fn}}.', zh: '现在正在 {{fn}} 中获取 {{lock}}。' },
  evAcquireNoSite: { en: '{{lock}} is being taken now.', zh: '现在正在获取 {{lock}}。' },
  evHolding: { en: '{{lock}} is already held, taken in {{fn}}.', zh: '{{lock}} 已被持有，是在 {{fn}} 中获取的。' },
  evHoldingNoSite: { en: '{{lock}} is already held.', zh: '{{lock}} 已被持有。' },
  evEdge: { en: 'Edge #{{n}}: {{lock}} was taken in {{site}}{{while}}.', zh: '边 #{{n}}：在 {{site}} 中获取了 {{lock}}{{while}}。' },
  evEdgeDebug: { en: 'Edge #{{n}}: recorded inside the debugging facility {{site}}.', zh: '边 #{{n}}：记录于调试设施 {{site}} 内部。' },
  evEdgeUnplaced: { en: 'Edge #{{n}}: {{lock}} was taken{{while}}.', zh: '边 #{{n}}：获取了 {{lock}}{{while}}。' },
  evSite: { en: '{{fn}} takes the lock on this edge.', zh: '{{fn}} 在这条边上获取了锁。' },
  evDriver: { en: '{{fn}}: the driver code on this edge.', zh: '{{fn}}：这条边上的驱动代码。' },
  evChain: { en: 'The whole cycle, as lockdep prints it.', zh: 'lockdep 打印的完整的环。' },
  stepRead: {
    en: 'Read {{fn}} and the functions that take each lock of the cycle ({{sites}}): decide one order for {{locks}} and change the path that violates it.',
    zh: '阅读 {{fn}} 以及环上获取每把锁的函数（{{sites}}）：为 {{locks}} 确定一个顺序，修改违反该顺序的路径。',
  },
  stepReadUnnamed: {
    en: 'Read the functions under each "-> #N" entry: decide one order for {{locks}} and change the path that violates it.',
    zh: '阅读每个 "-> #N" 条目下的函数：为 {{locks}} 确定一个顺序，修改违反该顺序的路径。',
  },
  stepFixes: {
    en: 'Common fixes: release the outer lock before the call that takes the inner one, move the work to a workqueue, or use a trylock with back-off on the reversed path.',
    zh: '常见修法：在调用会获取内层锁的函数之前释放外层锁，把工作移到工作队列中，或者在反向路径上使用 trylock 并回退。',
  },
  stepDriverTakes: {
    en: 'In {{fn}}{{mod}}: do not take {{lock}} while {{held}} is held (take it before, in the order the other path uses, or defer the work to a workqueue).',
    zh: '在 {{fn}}{{mod}} 中：不要在持有 {{held}} 时获取 {{lock}}（按另一条路径的顺序提前获取它，或者把工作推迟到工作队列）。',
  },
  stepDriver: {
    en: 'In {{fn}}{{mod}}: do not hold {{held}} across the call that takes {{lock}} (drop it first, or defer the call to a workqueue).',
    zh: '在 {{fn}}{{mod}} 中：不要持有 {{held}} 去调用会获取 {{lock}} 的函数（先释放它，或者把调用推迟到工作队列）。',
  },
  stepDebug: {
    en: 'In {{fn}}: make the facility\'s allocation respect the caller\'s context (keep __GFP_NOLOCKDEP and the caller\'s GFP flags), or record the dependency without allocating under the caller\'s locks.',
    zh: '在 {{fn}} 中：让调试设施的内存分配遵守调用者的上下文（保留 __GFP_NOLOCKDEP 和调用者的 GFP 标志），或者不要在调用者的锁之下分配内存来记录依赖。',
  },
  stepHung: { en: 'crash> foreach UN bt     (if it hung for real: the tasks, each waiting on the next one\'s lock)', zh: 'crash> foreach UN bt（如果真的挂死了：这些任务各自在等下一个任务的锁）' },
  and: { en: '{{a}} and {{b}}', zh: '{{a}} 和 {{b}}' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

const HEADER = /possible circular locking dependency detected/;

/** `fn [mod]` of a step's site. */
function siteName(s: CycleStep['site']): string | null {
  if (!s) return null;
  return s.module ? `${s.function} [${s.module}]` : s.function;
}

function stepData(s: CycleStep): MessageData {
  const heldAt = s.heldAt ? msg('heldAt', { fn: siteName(s.heldAt) }) : null;
  return {
    n: s.n,
    lock: s.lock,
    held: s.held,
    site: siteName(s.site),
    driver: siteName(s.driver),
    heldAt,
    caller: s.caller,
    while: s.held ? msg(s.n === 0 ? 'whileIs' : 'whileWas', { held: s.held, heldAt }) : msg('whileUnknown'),
  };
}

function stepSentence(s: CycleStep): L10n {
  const d = stepData(s);
  if (s.owner === 'debug-facility') return msg('stepEdgeDebug', d);
  const calledIn = s.owner === 'driver-calls-framework' && s.driver && !s.frameworkLock && s.driver.function !== s.site?.function;
  if (s.n === 0) return msg(!s.site ? 'stepNowUnplaced' : calledIn ? 'stepNowDriver' : 'stepNow', d);
  if (!s.site) return msg('stepEdgeUnplaced', d);
  return msg(calledIn ? 'stepEdgeDriver' : 'stepEdge', d);
}

/** Sentences as one L10n, joined by a line break per step. */
function lines(parts: readonly L10n[]): L10n {
  return { en: parts.map((p) => p.en).join('\n'), zh: parts.map((p) => p.zh).join('\n') };
}


export const lockdepCircular: Rule = {
  meta: {
    id: 'KT-lockdep-circular',
    rootCauseClass: 'deadlock-abba',
    summary: { en: 'Lockdep found lock chains taken in opposite orders: an ABBA deadlock waiting to happen', zh: 'lockdep 发现以相反顺序获取的锁链：潜在的 ABBA 死锁' },
    docs: {
      en: `Looks for "WARNING: possible circular locking dependency detected". Lockdep records, for
every lock, which locks were held when it was taken. The task "is trying to acquire" lock B
while "already holding" lock A, but earlier paths (the "existing dependency chain") took A
while holding B, possibly through other locks ("Chain exists of: B --> X --> A"). Each "-> #N"
entry is one edge of the cycle: lock N was taken, on the stack printed under it, while lock
N-1 was held; #0 is the current acquisition. Two tasks running those paths at the same time
deadlock; lockdep reports it the first time the order is seen, before any real deadlock.
Every edge is read and explained. The blame: an edge recorded inside a debugging facility
(KASAN's stack depot, kmemleak, debug objects) is that facility's dependency (class other);
otherwise driver code (a loadable module) that takes its own lock inside a framework callback,
or calls the framework with its lock held, is blamed rather than the framework taking its own
lock; otherwise the acquisition lockdep reports.
What to do: pick one order for the locks of the cycle and change the path that violates it
(drop A before taking B, take B earlier, or defer the work to a workqueue).`,
      zh: `匹配 "WARNING: possible circular locking dependency detected"。lockdep 会为每把锁记录获取它时
持有了哪些锁。当前任务持有锁 A（"already holding"）时试图获取锁 B（"is trying to acquire"），而之前的
路径（"existing dependency chain"）是持有 B 时获取 A（可能经过其他锁："Chain exists of: B --> X --> A"）。
每个 "-> #N" 条目是环上的一条边：在其下打印的调用栈上，持有第 N-1 把锁时获取了第 N 把锁；#0 是当前这次
获取。两个任务同时走这些路径就会死锁；lockdep 在第一次看到这种顺序时就报告，早于真正的死锁。
每条边都会被读取并解释。归责：在调试设施（KASAN 的 stack depot、kmemleak、debug objects）内部记录的
边属于该调试设施（类别 other）；否则归咎于在框架回调中获取自己的锁、或持有自己的锁调用框架的驱动代码
（可加载模块），而不是获取自己锁的框架；否则归咎于 lockdep 报告的这次获取。
处理办法：为环上的锁规定一个顺序，修改违反顺序的路径（获取 B 之前先释放 A、提前获取 B，或者把工作
推迟到工作队列中）。`,
    },
    references: ['Documentation/locking/lockdep-design.rst', 'kernel/locking/lockdep.c: print_circular_bug()'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    ctx.analysis.reports.forEach((r, index) => {
      const lockdep = readLockdep(ctx, r);
      if (lockdep.kind !== 'circular' || lockdep.headerLine === null || !HEADER.test(ctx.line(lockdep.headerLine)?.text ?? '')) return;
      const steps = circularSteps(lockdep, currentFrames(r));
      const blamed = blamedStep(steps);
      const c = blameCircular(ctx, r);
      const want = lockdep.acquiring;
      const held = lockdep.holding[0] ?? null;
      const lock = want?.name ?? steps[0]?.lock ?? lockdep.edges[0]?.lock ?? null;
      const heldName = held?.name ?? steps[0]?.held ?? null;
      // The texts of a blamed step need the lock it held; a step cut from the report is told in the general words.
      const debug = blamed?.owner === 'debug-facility' && blamed.held ? blamed : null;
      const driver = blamed?.owner !== 'debug-facility' && blamed && blamed.owner !== 'framework' && blamed.held ? blamed : null;
      const fn = c.function;
      const mod = c.module ? ` [${c.module}]` : '';
      const base = { fn, mod, lock: lock ?? '', held: heldName };

      const evidence: FindingDraft['evidence'] = [{ line: lockdep.headerLine, note: msg('evHeader') }];
      if (want) evidence.push({ line: want.line, note: want.at ? msg('evAcquire', { lock: want.name, fn: siteName(want.at) }) : msg('evAcquireNoSite', { lock: want.name }) });
      if (held) evidence.push({ line: held.line, note: held.at ? msg('evHolding', { lock: held.name, fn: siteName(held.at) }) : msg('evHoldingNoSite', { lock: held.name }) });
      for (const s of steps) {
        if (s.n === 0) continue;
        const d = stepData(s);
        evidence.push({ line: s.line, note: s.owner === 'debug-facility' ? msg('evEdgeDebug', d) : s.site ? msg('evEdge', d) : msg('evEdgeUnplaced', d) });
        if (s.site?.line && s.site.line !== s.line && (s === blamed || s.owner === 'debug-facility')) evidence.push({ line: s.site.line, note: msg('evSite', { fn: s.site.function }) });
        if (s.driver?.line && s.driver.line !== s.site?.line && s === blamed) evidence.push({ line: s.driver.line, note: msg('evDriver', { fn: s.driver.function }) });
      }
      if (lockdep.chain) evidence.push({ line: lockdep.chain.line, note: msg('evChain') });

      let summary: L10n;
      if (debug) summary = msg('summaryDebug', { ...base, fn: debug.site?.function ?? fn, lock: debug.lock, held: debug.held });
      else if (driver && fn) {
        const how = driver.owner === 'driver-takes-lock' ? msg(driver.caller ? 'howTakes' : 'howTakesPlain', stepData(driver)) : msg(driver.frameworkLock ? 'howTakesFramework' : 'howCalls', stepData(driver));
        summary = msg('summaryDriver', { ...base, how });
      } else if (fn && lock && heldName) summary = msg('summary', base);
      else if (fn && lock) summary = msg('summaryNoHeld', base);
      else if (lock ?? heldName) summary = msg('summaryUnnamed', { lock: lock ?? heldName });
      else summary = msg('summaryBare');

      const paras: L10n[] = [];
      paras.push(lock && heldName && steps.length > 0 ? msg('explainCycle', { lock, held: heldName, edges: steps.length }) : steps.length > 0 ? msg('explainCycleUnknown') : msg('explainCycleNone'));
      if (steps.length > 0) paras.push(lines(steps.map(stepSentence)));
      if (debug) paras.push(msg('explainDebug', { ...stepData(debug), fn: debug.site?.function ?? fn }));
      else if (driver) paras.push(msg(driver.owner === 'driver-takes-lock' ? (driver.caller ? 'explainDriverTakes' : 'explainDriverTakesPlain') : driver.frameworkLock ? 'explainDriverTakesFramework' : 'explainDriverCalls', { ...stepData(driver), fn, mod, k: driver.frameworkLock?.n, caller: driver.frameworkLock?.caller ?? driver.caller }));
      paras.push(msg(debug ? 'explainFalse' : 'explainDeadlock'));

      const locks = [...new Set(steps.map((s) => s.lock))];
      const lockList = locks.length >= 2 ? msg('and', { a: listOf(locks.slice(0, -1)), b: locks[locks.length - 1] }) : (locks[0] ?? lock ?? '');
      const sites = [...new Set(steps.map((s) => s.site?.function).filter((x): x is string => !!x && x !== fn))];
      const nextSteps: L10n[] = [];
      if (debug) nextSteps.push(msg('stepDebug', { fn: debug.site?.function ?? fn }));
      else if (driver) nextSteps.push(msg(driver.owner === 'driver-takes-lock' ? 'stepDriverTakes' : 'stepDriver', { ...stepData(driver), fn, mod }));
      if (!debug) {
        nextSteps.push(locks.length === 0 ? msg('stepReadNone') : fn && sites.length > 0 ? msg('stepRead', { fn, sites: listOf(sites), locks: lockList }) : msg('stepReadUnnamed', { locks: lockList }));
        nextSteps.push(msg('stepFixes'), msg('stepHung'));
      }

      out.push({
        report: index,
        confidence: want && held ? (debug || driver ? 0.88 : 0.85) : 0.7,
        summary,
        explanation: paragraphs(paras),
        evidence,
        culprit: culpritOfBlame(c),
        ...(blamed?.owner === 'debug-facility' ? { rootCauseClass: 'other' as const, secondaryClasses: ['deadlock-abba' as const] } : {}),
        nextSteps,
        facts: {
          acquiring: want?.name ?? null,
          holding: heldName,
          cycle: steps.map((s) => ({ n: s.n, lock: s.lock, held: s.held, takenIn: s.site?.function ?? null, module: s.site?.module ?? null, driver: s.driver?.function ?? null, calledBy: s.caller, owner: s.owner })),
          blamedEdge: blamed?.n ?? null,
          locksHeld: (lockdep.heldLists[0]?.locks ?? []).map((l) => l.name),
        },
      });
    });
    return out;
  },
};
